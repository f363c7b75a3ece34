"""Who is asking: an API token or a browser session, CSRF tokens, and closing reading to
anonymous users.

Contract:

* :func:`current_user` is the request's user: from ``Authorization: Bearer gat_…`` when the
  header is sent (an invalid token is a 401, never a fall back to the cookie), else from the
  signed session cookie (:func:`sign_in` put the user and token ids in it; the session ends
  with the token), else None. :func:`require_user` adds the role check (401/403, OGC bodies).
* The session cookie is Flask's signed cookie (``itsdangerous``), ``HttpOnly``,
  ``SameSite=Lax``, and ``Secure`` whenever the request came over HTTPS — directly or, as
  :mod:`geoapp.web.proxy` corrects the environ, through ``GEOAPP_PUBLIC_URL`` or a trusted proxy.
* :func:`check_csrf` runs before every route: a form post (any), and any write carrying a
  signed-in session cookie, must send this session's CSRF token (form field ``csrf_token`` or
  header ``X-CSRF-Token``), else 400 (``CSRFTokenMissing``). A request with an
  ``Authorization`` header needs none: a browser never adds one across sites.
* :func:`check_read_access` (``GEOAPP_READ_REQUIRES_LOGIN``): without a user, API paths get
  401 and HTML pages a redirect to ``/login``; ``/healthz``, ``/login``, static files stay open.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from geoapp.errors import ConfigError, CsrfFailed, Unauthorized
from geoapp.settings import DATA_DIR
from geoapp.store.accounts import authenticate, require_role, session_user, sign_in
from geoapp.store.models import User
from geoapp.web.boundary import get_db

__all__ = [
    "init_auth",
    "current_user",
    "require_user",
    "sign_in_session",
    "sign_out_session",
    "csrf_token",
    "check_csrf",
    "check_read_access",
    "safe_next",
    "login_redirect",
]

_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
#: paths anyone may read when reading needs a login
_OPEN = ("/healthz", "/login", "/logout", "/favicon.ico", "/static/")
_ANONYMOUS = object()


class _SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, ``Secure`` when this request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure or super().get_cookie_secure(app))


def init_auth(app: Flask, settings: dict[str, Any]) -> None:
    app.secret_key = settings.get("secret_key") or _stored_key(DATA_DIR / "secret_key")
    app.session_interface = _SessionCookies()
    app.config.update(
        SESSION_COOKIE_NAME="geoapp_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_user"] = current_user


def _stored_key(path: Path) -> str:
    """A random key kept in ``path`` (made by the first process that needs it; mode 0600)."""
    try:
        return _read_or_make(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the session key in {path} ({type(exc).__name__}): set GEOAPP_SECRET_KEY"
        ) from None


def _read_or_make(path: Path) -> str:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be writing it right now
            key = path.read_text().strip()
            if key:
                return key
            time.sleep(0.02)
        raise
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_urlsafe(48)
        fh.write(key)
    return key


def current_user() -> User | None:
    """The request's user (token or session), None for an anonymous request."""
    if "geoapp_user" not in g:
        g.geoapp_user = _identify()
    return None if g.geoapp_user is _ANONYMOUS else g.geoapp_user


def _identify() -> Any:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        return authenticate(get_db(), token if scheme.lower() == "bearer" else None)
    uid, tid = session.get("uid"), session.get("tid")
    if not isinstance(uid, int) or not isinstance(tid, int):
        return _ANONYMOUS
    user = session_user(get_db(), uid, tid)
    if user is None:
        session.clear()
        return _ANONYMOUS
    return user


def require_user(role: str = "viewer") -> User:
    """The request's user if at least ``role``: 401 without one, 403 with too small a role."""
    user = current_user()
    if user is None:
        raise Unauthorized("sign in (/login) or send a token (Authorization: Bearer gat_…)")
    return require_role(user, role)


def sign_in_session(name: str, token: str) -> User:
    """Open a browser session for ``name`` with one of their tokens (a fresh session: a new
    CSRF token, nothing of the anonymous one kept)."""
    user, token_id = sign_in(get_db(), name, token)
    session.clear()
    session.permanent = True
    session.update(uid=user.id, tid=token_id, csrf=secrets.token_urlsafe(32))
    g.geoapp_user = user
    return user


def sign_out_session() -> None:
    session.clear()
    g.geoapp_user = _ANONYMOUS


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    """Before every route: see the module's contract."""
    if request.method not in _UNSAFE or "Authorization" in request.headers:
        return
    form = request.mimetype in _FORMS
    if not form and "uid" not in session:
        return  # an anonymous program's JSON (POST /api/geocode): no cookie authority to abuse
    given = request.headers.get("X-CSRF-Token") or (request.form.get("csrf_token") if form else None)
    expected = session.get("csrf")
    if not given or not isinstance(expected, str) or not hmac.compare_digest(given, expected):
        raise CsrfFailed("the CSRF token is missing or wrong: reload the page and try again")


def _open_path(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in _OPEN)


def check_read_access() -> None:
    """Before every route, when ``GEOAPP_READ_REQUIRES_LOGIN`` is set: see the module's contract."""
    if not current_app.config["GEOAPP"].get("read_requires_login") or _open_path(request.path):
        return None
    if current_user() is None:
        raise Unauthorized("reading needs a login: sign in (/login) or send a token (Authorization: Bearer)")


def login_redirect() -> Response:
    """To ``/login``, coming back here afterwards (an anonymous browser asking for a page)."""
    from urllib.parse import quote

    return redirect(f"{request.script_root}/login?next={quote(request.full_path.rstrip('?'), safe='/')}")


def safe_next(raw: str | None) -> str:
    """Where to go after login: a path on this site only (never ``//host`` or a URL)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw
