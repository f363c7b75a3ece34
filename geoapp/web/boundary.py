"""The one place where Flask meets the framework-free code.

* :func:`init_app` opens the app's :class:`~geoapp.store.database.Database`;
* :func:`get_db` is the request's session (flaskr style: opened on first use, closed at
  teardown);
* :func:`context` builds the :class:`~geoapp.context.Context` a route hands to the core —
  ``streaming=True`` gives it a session of its own that lives until the response's last
  chunk is sent (see :func:`geoapp.web.ogc_routes.send`);
* :func:`current_request` builds the :class:`~geoapp.context.Request` once per request.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session

from geoapp.context import Context, Request
from geoapp.store.database import Database, close_quietly, get_database

__all__ = ["init_app", "database", "get_db", "context", "current_request", "streaming_sessions"]

_EXTENSION = "geoapp.database"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = get_database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_db)


def database(app: Flask | None = None) -> Database:
    """The application's database (the current app's by default)."""
    return (app or current_app).extensions[_EXTENSION]


def get_db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def _close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        close_quietly(session)


def context(*, streaming: bool = False, layers: bool = True) -> Context:
    """The request's :class:`Context`.

    ``streaming``: a session of its own, closed when the streamed response is
    (:func:`streaming_sessions`), because Flask tears the request's session down before a
    stream ends. ``layers``: place with the users' gazetteer layers too (what geocoding
    answers from); pages and downloads read stored placements only.
    """
    db = database()
    if streaming:
        session = db.sessionmaker()
        g.setdefault("streaming_sessions", []).append(session)
    else:
        session = get_db()
    return Context(
        session=session,
        backend=db.backend,
        settings=current_app.config["GEOAPP"],
        database=db if layers else None,
    )


def streaming_sessions() -> list[Session]:
    """The sessions :func:`context` opened for a stream, handed over (once) to whoever closes them."""
    return g.pop("streaming_sessions", [])


def current_request() -> Request:
    """The current request as a :class:`Request` (built once per request)."""
    if "geoapp_request" not in g:
        g.geoapp_request = Request(
            args=request.args,
            base_url=request.url_root.rstrip("/"),
            script_root=request.script_root,
            format=request.args.get("f"),
            accept=request.headers.get("Accept"),
        )
    return g.geoapp_request
