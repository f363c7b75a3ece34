"""Browser sessions: /login with a user name and a token, /logout, CSRF on every form and on
cookie-authenticated writes, roles, the Secure cookie over HTTPS, GEOAPP_READ_REQUIRES_LOGIN.
Real SpatiaLite (one test on PostGIS too), Flask's test client holding the real cookie."""

from __future__ import annotations

import json
import os
import re

import pytest
from sqlalchemy import select

from geoapp.store.accounts import add_user, create_token, revoke_token
from geoapp.store.models import Project

SPATIALITE_ONLY = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
POINT = {"type": "Point", "coordinates": [108.0412, 30.2915]}  # in 忠县


def _token(db, name: str, role: str = "editor") -> str:
    with db.session() as session:
        add_user(session, name, role)
        return create_token(session, name)


def _project_id(db) -> int:
    with db.session() as session:
        return session.scalar(
            select(Project.id).where(Project.precision == 3, Project.kind == "project").order_by(Project.id)
        )


def _form_csrf(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, name: str, token: str, next_path: str = "/"):
    csrf = _form_csrf(client)
    return client.post("/login", data={"name": name, "token": token, "csrf_token": csrf, "next": next_path})


def session_csrf(client) -> str:
    with client.session_transaction() as s:
        return s["csrf"]


def _correct(client, project_id: int, csrf: str | None, comment: str = "现场核实"):
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    body = {"changes": {"geometry": POINT}, "comment": comment}
    return client.post(
        f"/api/projects/{project_id}/corrections",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_an_editor_signs_in_writes_with_the_csrf_token_and_signs_out(client, seeded_db):
    """The one backend-sensitive test (the session's user is read from each database)."""
    token = _token(seeded_db, "ana")
    pid = _project_id(seeded_db)
    r = login(client, "ana", token, "/review?county=500233")
    assert r.status_code == 302 and r.headers["Location"] == "/review?county=500233"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert token not in cookie  # the session holds ids, never the secret

    refused = _correct(client, pid, None)
    assert refused.status_code == 400 and refused.get_json()["code"] == "CSRFTokenMissing"
    saved = _correct(client, pid, session_csrf(client))
    assert saved.status_code == 201, saved.get_json()
    assert saved.get_json()["author"] == "ana"

    out = client.post("/logout", data={"csrf_token": session_csrf(client)})
    assert out.status_code == 302
    after = _correct(client, pid, "anything")
    assert after.status_code == 401 and after.get_json()["code"] == "Unauthorized"


@SPATIALITE_ONLY
def test_a_wrong_name_or_token_is_one_refusal(client, seeded_db):
    token = _token(seeded_db, "ana")
    _token(seeded_db, "bo")
    for name, raw in (("bo", token), ("ana", token[:-2] + "xx"), ("nobody", "gat_1_" + "a" * 40)):
        r = login(client, name, raw)
        assert r.status_code == 401
        assert "用户名或令牌无效" in r.get_data(as_text=True)
    assert "uid" not in client.get_cookie("geoapp_session").value  # nothing signed in


@SPATIALITE_ONLY
def test_forms_without_the_csrf_token_are_400(client, seeded_db):
    token = _token(seeded_db, "ana")
    r = client.post("/login", data={"name": "ana", "token": token})
    assert r.status_code == 400
    assert login(client, "ana", token).status_code == 302
    pid = _project_id(seeded_db)
    # a cross-site form aimed at the API with the victim's cookie: an OGC JSON 400
    r = client.post(f"/api/projects/{pid}/corrections", data={"comment": "x"})
    assert r.status_code == 400 and r.get_json()["code"] == "CSRFTokenMissing"
    r = client.post("/logout")
    assert r.status_code == 400
    # a bearer request needs no CSRF token, cookie or not
    r = client.post(
        f"/api/projects/{pid}/corrections",
        data=json.dumps({"changes": {"status": "built"}, "comment": "令牌"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201


@SPATIALITE_ONLY
def test_next_stays_on_this_site(client, seeded_db):
    token = _token(seeded_db, "ana")
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        assert login(client, "ana", token, evil).headers["Location"] == "/"


@SPATIALITE_ONLY
def test_a_viewer_cannot_write_and_anonymous_users_get_401(client, seeded_db):
    token = _token(seeded_db, "vi", "viewer")
    pid = _project_id(seeded_db)
    anonymous = _correct(client, pid, None)
    assert anonymous.status_code == 401 and anonymous.get_json()["code"] == "Unauthorized"
    login(client, "vi", token)
    r = _correct(client, pid, session_csrf(client))
    assert r.status_code == 403 and r.get_json()["code"] == "Forbidden"


@SPATIALITE_ONLY
def test_revoking_the_token_ends_the_session(client, seeded_db):
    token = _token(seeded_db, "ana")
    login(client, "ana", token)
    pid = _project_id(seeded_db)
    with seeded_db.session() as session:
        revoke_token(session, int(token.split("_")[1]))
    r = _correct(client, pid, session_csrf(client))
    assert r.status_code == 401 and r.get_json()["code"] == "Unauthorized"


@SPATIALITE_ONLY
def test_the_session_cookie_is_secure_over_https(app, seeded_db):
    token = _token(seeded_db, "ana")
    client = app.test_client()
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"',
        client.get("/login", base_url="https://maps.example.cn").get_data(as_text=True),
    ).group(1)
    r = client.post(
        "/login",
        data={"name": "ana", "token": token, "csrf_token": csrf},
        base_url="https://maps.example.cn",
    )
    assert r.status_code == 302 and "Secure" in r.headers["Set-Cookie"]


@pytest.fixture
def closed_client(seeded_db):
    from geoapp import create_app

    app = create_app({"database_url": seeded_db.url, "read_requires_login": True})
    app.config["TESTING"] = True
    return app.test_client()


@SPATIALITE_ONLY
def test_read_requires_login_closes_reading(closed_client, seeded_db):
    token = _token(seeded_db, "vi", "viewer")
    client = closed_client
    for path in (
        "/collections",
        "/collections/projects/items",
        "/api/projects.geojson",
        "/download/projects.csv",
    ):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.get_json()["code"] == "Unauthorized"
    r = client.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"] == "/login?next=/"
    r = client.get("/projects/1/history", headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200
    with client.get("/static/css/app.css") as static:
        assert static.status_code == 200
    bearer = client.get("/collections", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200
    assert client.get("/collections", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    login(client, "vi", token)
    assert client.get("/collections").status_code == 200
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_the_setting_reads_booleans():
    from geoapp.errors import ConfigError
    from geoapp.settings import load_settings

    assert load_settings({"GEOAPP_READ_REQUIRES_LOGIN": "1"})["read_requires_login"] is True
    assert load_settings({"GEOAPP_READ_REQUIRES_LOGIN": "off"})["read_requires_login"] is False
    assert load_settings({})["read_requires_login"] is False
    with pytest.raises(ConfigError):
        load_settings({"GEOAPP_READ_REQUIRES_LOGIN": "maybe"})


def test_the_session_key_is_made_once_and_kept_private(tmp_path):
    from geoapp.errors import ConfigError
    from geoapp.web.auth import _stored_key

    key = _stored_key(tmp_path / "k" / "secret_key")
    assert len(key) >= 48 and _stored_key(tmp_path / "k" / "secret_key") == key
    assert (tmp_path / "k" / "secret_key").stat().st_mode & 0o077 == 0
    (tmp_path / "ro").mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        with pytest.raises(ConfigError, match="GEOAPP_SECRET_KEY"):
            _stored_key(tmp_path / "ro" / "secret_key")
    with pytest.raises(ConfigError, match="GEOAPP_SECRET_KEY"):
        _stored_key(tmp_path / "k" / "secret_key" / "under_a_file")
