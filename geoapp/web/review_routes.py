"""The review queue for editors: ``/review`` (the page: queue, map and editor) and
``/api/review`` (the queue in JSON), each one line around :mod:`geoapp.pages.review`.
A viewer gets 403; an anonymous browser is sent to ``/login``, a program gets 401."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from geoapp.context import Context
from geoapp.pages.review import review_json, review_page
from geoapp.web import respond
from geoapp.web.auth import csrf_token, require_user
from geoapp.web.boundary import context, current_request

__all__ = ["bp"]

bp = Blueprint("review", __name__)


def _editor() -> Context:
    require_user("editor")
    return context(layers=False)


@bp.get("/review")
def review():
    page = review_page(_editor(), current_request().args, request.script_root, csrf_token())
    return render_template("review.html", page=page), 200, {"Cache-Control": "no-store"}


@bp.get("/api/review")
def review_api():
    return respond(review_json(_editor(), current_request().args))
