"""Web layer: one blueprint per area; every route is a thin wrapper around a
framework-free function that returns ``(headers, status, body)``. The app is a
:class:`WebApp`: Flask rendering with geoapp's one Jinja configuration
(:mod:`geoapp.templating`)."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from flask import Flask, Response, request
from jinja2 import BaseLoader, Environment
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from geoapp import templating
from geoapp.errors import DatabaseError, GeoappError, ServiceUnavailable

__all__ = ["WebApp", "register", "respond", "is_outage", "wants_json", "JSON_PREFIXES"]

#: paths whose errors are answered in JSON (everything a program calls)
JSON_PREFIXES = ("/api", "/collections", "/conformance", "/download", "/maps", "/healthz")


class WebApp(Flask):
    """Flask whose Jinja environment has geoapp's one configuration (:mod:`geoapp.templating`:
    loader, autoescaping, filters, globals) plus what only a request has: Flask's ``url_for``
    and ``request``, and the CSP nonce (``csp_nonce()``, ``|with_nonce``)."""

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:  # type: ignore[override]
        return templating.loader()

    def create_jinja_environment(self) -> Environment:
        from geoapp.web import security

        env = templating.configure(super().create_jinja_environment())
        env.globals["csp_nonce"] = security.csp_nonce
        env.filters["with_nonce"] = lambda html: Markup(security.add_nonce(html, security.csp_nonce()))
        return env


def respond(result: tuple[dict[str, str], int, Any]) -> Response:
    """Turn an API function's ``(headers, status, body)`` into a Flask response."""
    headers, status, body = result
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        headers = {"Content-Type": "application/json; charset=utf-8", **headers}
    return Response(body, status=status, headers=headers)


def wants_json() -> bool:
    """Is the error or refusal of this request answered in JSON (API paths, JSON clients)?"""
    if request.path == "/":  # the map page for browsers, the landing page for API clients
        return request.args.get("f") not in (None, "html", "text/html")
    if request.path.startswith(JSON_PREFIXES):
        return True
    return request.accept_mimetypes.best == "application/json"


def _error_body(code: str, description: str) -> dict[str, str]:
    # The OGC API exception shape: {"code", "description"}.
    return {"code": code, "description": description}


def register(app: Flask) -> None:
    from geoapp.web import (
        auth,
        edit_routes,
        health,
        json_routes,
        login_routes,
        ogc_routes,
        page_routes,
        proxy,
        report_routes,
        requestlog,
        review_routes,
        security,
        transport,
        validators,
    )

    settings = app.config["GEOAPP"]
    requestlog.configure(settings["log_level"])
    # the log sees the corrected environ (public prefix, client address); see geoapp.web.proxy
    app.wsgi_app = proxy.wrap(requestlog.RequestLog(app.wsgi_app), settings)  # type: ignore[method-assign]

    app.register_blueprint(health.bp)
    app.register_blueprint(page_routes.bp)
    app.register_blueprint(json_routes.bp)
    app.register_blueprint(ogc_routes.bp)
    app.register_blueprint(report_routes.bp)
    app.register_blueprint(edit_routes.bp)
    app.register_blueprint(login_routes.bp)
    app.register_blueprint(review_routes.bp)
    auth.init_auth(app, settings)
    app.before_request(security.check_request)
    app.before_request(auth.check_csrf)
    app.before_request(auth.check_read_access)
    app.before_request(validators.check_not_modified)
    app.after_request(validators.add_validators)
    app.after_request(lambda response: security.security_headers(response, app.config["GEOAPP"]))
    transport.init_transport(app)

    @app.errorhandler(GeoappError)
    def _geoapp_error(exc: GeoappError):
        status = exc.http_status if exc.http_status != 500 else 503
        headers = {}
        if status == 503:
            headers["Retry-After"] = str(getattr(exc, "retry_after", 5))
            headers["Cache-Control"] = "no-store"
        if wants_json():
            return respond((headers, status, _error_body(exc.code, str(exc))))
        if status == 401 and request.method in ("GET", "HEAD"):  # a page: the browser signs in first
            return auth.login_redirect()
        return Response(f"{exc}", status=status, mimetype="text/plain", headers=headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if wants_json():
            name = exc.name.replace(" ", "")
            # keep what the exception says about the protocol (Allow on a 405, …)
            headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
            return respond((headers, exc.code or 500, _error_body(name, exc.description or exc.name)))
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        schema = _schema_problem(app, exc)
        if schema is not None:  # a server not set up yet: say what to do, not "internal error"
            return _geoapp_error(DatabaseError(schema))
        if is_outage(exc):  # the database is down or overloaded: a client should retry
            app.logger.warning("database unavailable on %s: %s", request.path, type(exc).__name__)
            return _geoapp_error(
                ServiceUnavailable("the database is not reachable at the moment; retry shortly")
            )
        # Never show a stack trace; log it for the operator.
        app.logger.exception("unhandled error on %s", request.path)
        if wants_json():
            return respond(({}, 500, _error_body("ServerError", "internal error; see the server log")))
        return Response("internal error; see the server log", status=500, mimetype="text/plain")


def is_outage(exc: BaseException) -> bool:
    """Is ``exc`` the database being unreachable (down, restarting, out of connections)?"""
    from sqlalchemy import exc as sa

    if isinstance(exc, (sa.DisconnectionError, sa.TimeoutError, sa.InterfaceError, sa.OperationalError)):
        return True
    return bool(getattr(exc, "connection_invalidated", False))


def _schema_problem(app: Flask, exc: Exception) -> str | None:
    """Why a database error happened when it is because the schema is missing or old."""
    from sqlalchemy.exc import DBAPIError

    from geoapp.store.database import current_revision, head_revision
    from geoapp.web.boundary import database

    if not isinstance(exc, DBAPIError) or getattr(exc, "connection_invalidated", False):
        return None
    try:
        current, newest = current_revision(database(app).engine), head_revision()
    except Exception:  # the database itself is the problem; the generic answer stands
        return None
    if current == newest:
        return None
    state = "has no schema" if current is None else f"has schema revision {current}, the code needs {newest}"
    return f"the database {state}: run `geoapp db init`"
