"""``/healthz`` (the database answers and the schema is current) and ``/favicon.ico``."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory
from sqlalchemy import func, select, text

from geoapp.db import current_revision, get_db, head_revision
from geoapp.models import Project
from geoapp.web import respond

bp = Blueprint("health", __name__)


def health_status(session, database) -> tuple[dict, int, dict]:
    try:
        session.execute(text("SELECT 1"))
        revision = current_revision(database.engine)
        projects = session.scalar(select(func.count()).select_from(Project)) if revision else 0
    except Exception as exc:  # the point of a health check is to report, not raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {}, 503, {"status": "error", "database": database.dialect, "error": first[:300]}
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
    return respond(health_status(get_db(), current_app.extensions["geoapp.db"]))


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")
