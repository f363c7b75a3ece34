"""HTML pages: the planner map (``/``) and a project's detail page.

``/`` is also the OGC API – Features landing page: a client asking for JSON
(``f=json`` or an Accept header preferring it) gets the landing document.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from geoapp.store.models import MAX_ID
from geoapp.web import respond
from geoapp.web.boundary import context, current_request

bp = Blueprint("pages", __name__)


def _wants_landing_page() -> bool:
    """``/`` is the map for browsers and the OGC landing page for programs: a client that
    does not name HTML in its Accept header (OWSLib, curl, requests send ``*/*`` or nothing)
    gets the landing page in JSON, as pygeoapi answers; ``f`` decides when given."""
    if current_request().format in ("json", "html", "application/json"):
        return True
    accept = request.accept_mimetypes
    if not any(mime in ("text/html", "application/xhtml+xml") and q > 0 for mime, q in accept):
        return True  # (and the landing page answers 406 to an Accept header naming neither)
    return accept.best_match(["text/html", "application/json"]) == "application/json" and accept.quality(
        "application/json"
    ) > accept.quality("text/html")


@bp.get("/")
def index():
    ctx = context(layers=False)
    if _wants_landing_page():
        from geoapp.ogcapi import core as ogc

        return respond(
            ogc.landing_page(
                ctx, current_request().args, current_request().base_url, current_request().accept
            )
        )
    from geoapp.pages.detail import map_page

    return render_template(
        "map.html", page=map_page(ctx, current_request().args, current_request().script_root)
    )


@bp.get(f"/projects/<int(max={MAX_ID}):project_id>")
def project(project_id: int):
    from geoapp.errors import NotFound
    from geoapp.pages.detail import detail_page

    try:
        page = detail_page(context(layers=False), project_id, current_request().args)
    except NotFound:
        abort(404)
    return render_template("project.html", page=page)
