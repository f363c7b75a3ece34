"""Accounts: users with a role, and their API tokens.

A token is shown once, when it is made: ``gat_<id>_<secret>``, the secret 32 random bytes.
Only a salted PBKDF2 hash of the secret is stored (werkzeug's ``generate_password_hash``).
The iteration count is modest on purpose: a 256-bit random secret cannot be guessed however
fast the hash, and every API write checks one. :func:`authenticate` answers the user for a
token, or raises :class:`~geoapp.errors.Unauthorized` (missing, malformed, unknown, expired,
revoked, or the user disabled) — one message for all, so a caller learns nothing about
which tokens exist. A browser signs in with a user name and a token (:func:`sign_in`); its
session holds the token's id and ends with the token (:func:`session_user`).

>>> parse_token("gat_12_abc"), parse_token("Bearer x"), parse_token("gat_x_abc")
((12, 'abc'), None, None)
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from geoapp.errors import Forbidden, InvalidParameter, NotFound, Unauthorized
from geoapp.store.models import ROLES, ApiToken, User

__all__ = [
    "add_user",
    "list_users",
    "get_user",
    "create_token",
    "revoke_token",
    "list_tokens",
    "authenticate",
    "require_role",
    "parse_token",
    "sign_in",
    "session_user",
]

_HASH_METHOD = "pbkdf2:sha256:20000"
_TOKEN = re.compile(r"gat_(\d{1,9})_([A-Za-z0-9_-]{16,100})")
_NAME = re.compile(r"[\w.@-]{1,100}")


def add_user(session: Session, name: str, role: str) -> User:
    if not _NAME.fullmatch(name):
        raise InvalidParameter("a user name is 1–100 letters, digits or . _ @ -")
    if role not in ROLES:
        raise InvalidParameter(f"role must be one of {', '.join(ROLES)}")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise InvalidParameter(f"a user named {name!r} exists already")
    user = User(name=name, role=role, created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no user named {name[:60]!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def create_token(
    session: Session, user_name: str, *, days: int | None = None, label: str | None = None
) -> str:
    """A new token for ``user_name`` (valid ``days`` days, or until revoked); returned once."""
    user = get_user(session, user_name)
    if days is not None and days < 1:
        raise InvalidParameter("a token lasts at least 1 day")
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    token = ApiToken(
        user_id=user.id,
        label=label,
        secret_hash=generate_password_hash(secret, method=_HASH_METHOD),
        created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    return f"gat_{token.id}_{secret}"


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def parse_token(raw: str) -> tuple[int, str] | None:
    """``(id, secret)`` of a token's text, None when it is not one."""
    m = _TOKEN.fullmatch(raw.strip())
    return (int(m.group(1)), m.group(2)) if m else None


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes (stored as UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def authenticate(session: Session, raw: str | None) -> User:
    """The user a token belongs to, if the token is valid now."""
    parsed = parse_token(raw or "")
    refused = Unauthorized("a valid API token is needed (Authorization: Bearer gat_…)")
    if parsed is None:
        raise refused
    token = session.get(ApiToken, parsed[0])
    if token is None or not check_password_hash(token.secret_hash, parsed[1]):
        raise refused
    if not _token_valid(token):
        raise refused
    return token.user


def _token_valid(token: ApiToken | None) -> bool:
    if token is None or token.revoked_at is not None or token.user.disabled:
        return False
    return token.expires_at is None or _aware(token.expires_at) > datetime.now(UTC)


def sign_in(session: Session, name: str, raw: str) -> tuple[User, int]:
    """A browser login with a user name and one of that user's API tokens: the user and the
    token's id (the session lives only as long as the token). One refusal for every failure."""
    user = authenticate(session, raw)
    if user.name != name.strip():
        raise Unauthorized("a valid API token is needed (Authorization: Bearer gat_…)")
    parsed = parse_token(raw)
    assert parsed is not None  # authenticate parsed it
    return user, parsed[0]


def session_user(session: Session, user_id: int, token_id: int) -> User | None:
    """The signed-in user of a browser session, while the token it was opened with is still
    valid (revoking or expiring the token, or disabling the user, ends the session)."""
    token = session.get(ApiToken, token_id)
    if not _token_valid(token) or token is None or token.user_id != user_id:
        return None
    return token.user


def require_role(user: User, role: str) -> User:
    """``user`` if their role is at least ``role`` (viewer < editor < admin), else 403."""
    if ROLES.index(user.role) < ROLES.index(role):
        raise Forbidden(f"{user.name} is a {user.role}; this needs an {role}")
    return user
