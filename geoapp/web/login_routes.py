"""``/login`` (a form: user name and one of their API tokens) and ``/logout`` (POST), each one
line around :mod:`geoapp.web.auth`; both forms carry the session's CSRF token."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from geoapp.errors import Unauthorized
from geoapp.pages.account import login_page
from geoapp.web.auth import safe_next, sign_in_session, sign_out_session
from geoapp.web.boundary import current_request

__all__ = ["bp"]

bp = Blueprint("login", __name__)


def _page(failed: bool = False):
    next_path = safe_next(request.values.get("next"))
    html = render_template("login.html", page=login_page(current_request().args, next_path, failed))
    return html, 401 if failed else 200, {"Cache-Control": "no-store"}


@bp.get("/login")
def login_form():
    return _page()


@bp.post("/login")
def login():
    try:
        sign_in_session(request.form.get("name", ""), request.form.get("token", ""))
    except Unauthorized:
        return _page(failed=True)
    return redirect(request.script_root + safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    sign_out_session()
    return redirect(request.script_root + "/")
