"""``/healthz`` (the database answers and the schema is current) and ``/favicon.ico``."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory
from sqlalchemy import func, select, text

from geoapp.store.database import current_revision, head_revision
from geoapp.store.models import Project
from geoapp.web import is_outage, respond
from geoapp.web.boundary import database, get_db

bp = Blueprint("health", __name__)


def health_status(session, database) -> tuple[dict, int, dict]:
    try:
        session.execute(text("SELECT 1"))
        revision = current_revision(database.engine)
        projects = session.scalar(select(func.count()).select_from(Project)) if revision else 0
    except Exception as exc:  # the point of a health check is to report, not raise
        # Say what is down, never where it is: driver messages carry host, port and user.
        what = "unreachable" if is_outage(exc) else "failing"
        body = {
            "status": "error",
            "database": database.dialect,
            "error": f"the database is {what} ({type(exc).__name__})",
        }
        return {"Cache-Control": "no-store", "Retry-After": "5"}, 503, body
    ok = revision == head_revision()
    body = {
        "status": "ok" if ok else "error",
        "database": database.dialect,
        "schema_revision": revision,
        "expected_revision": head_revision(),
        "projects": projects,
    }
    return {"Cache-Control": "no-store"}, 200 if ok else 503, body


@bp.get("/healthz")
def healthz():
    return respond(health_status(get_db(), database()))


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
