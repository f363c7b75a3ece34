"""People correct what the machine got wrong: tokens, the corrections API, history and undo,
corrections surviving re-ingestion, and moving them between installations. Both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from geoapp.store.accounts import add_user, create_token
from geoapp.store.models import ApiToken, Correction, Document, Mention, Project

ROOT = Path(__file__).resolve().parent.parent
POINT = {"type": "Point", "coordinates": [108.0412, 30.2915]}  # in 忠县


def _token(db, name: str, role: str = "editor", days: int | None = None) -> str:
    with db.session() as session:
        add_user(session, name, role)
        return create_token(session, name, days=days)


def _county_level_project(db) -> Project:
    with db.session() as session:
        return session.scalars(
            select(Project).where(Project.precision == 3, Project.kind == "project").order_by(Project.id)
        ).first()


def _post(client, url, body, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_an_editor_corrects_a_project_and_every_output_shows_it(client, seeded_db):
    token = _token(seeded_db, "ana")
    project = _county_level_project(seeded_db)
    body = {"changes": {"name": "新名称测试港", "geometry": POINT}, "comment": "现场核实，位置见卫星影像"}
    r = _post(client, f"/api/projects/{project.id}/corrections", body, token)
    assert r.status_code == 201, r.get_json()
    saved = r.get_json()
    assert saved["author"] == "ana" and saved["previous"]["name"] == project.name
    assert saved["changes"]["precision"] == 1  # placed by a person: exact
    assert r.headers["ETag"]

    api = client.get(f"/api/projects/{project.id}").get_json()
    assert api["properties"]["name"] == "新名称测试港" and api["properties"]["precision"] == 1
    assert api["properties"]["corrected"] is True
    item = client.get(f"/collections/projects/items/{project.id}?f=json").get_json()
    assert item["properties"]["corrected"] is True
    assert item["geometry"]["type"] == "Point"
    assert item["geometry"]["coordinates"] == pytest.approx(POINT["coordinates"], abs=1e-6)
    download = client.get("/download/projects.geojson").get_data(as_text=True)
    feature = next(f for f in json.loads(download)["features"] if f["id"] == project.id)
    assert feature["properties"]["corrected"] is True and feature["properties"]["name"] == "新名称测试港"
    others = [f for f in json.loads(download)["features"] if f["id"] != project.id]
    assert not any(f["properties"]["corrected"] for f in others)

    history = client.get(f"/projects/{project.id}/history?f=json").get_json()
    assert [c["author"] for c in history["corrections"]] == ["ana"]
    assert history["corrections"][0]["comment"] == "现场核实，位置见卫星影像"
    assert history["extraction"] and all(m["sentence"] for m in history["extraction"])
    page = client.get(f"/projects/{project.id}/history").get_data(as_text=True)
    assert "现场核实" in page and "ana" in page


def test_corrections_survive_reingesting_their_document(seeded_db, gazetteer, tmp_path):
    from geoapp.context import Context
    from geoapp.editing import correct
    from geoapp.ingest import ingest_files
    from geoapp.store.accounts import get_user

    _token(seeded_db, "bo")
    project = _county_level_project(seeded_db)
    ctx = Context(session=None, backend=seeded_db.backend, settings={}, database=seeded_db)
    with seeded_db.session() as session:
        user = get_user(session, "bo")
        doc_id = session.scalar(select(Mention.document_id).where(Mention.project_id == project.id))
        doc = session.get(Document, doc_id)
        text, name = doc.text, doc.file_name
    correct(ctx, user, project.id, {"changes": {"geometry": POINT, "status": "built"}, "comment": "已建成"})

    # a new version of the same file (other bytes): the document is replaced, projects re-read
    changed = tmp_path / name
    changed.write_text(text + "\n\n（本文件另有附件。）\n", encoding="utf-8")
    report = ingest_files(seeded_db, gazetteer, [changed])
    assert report.failed == 0, report.lines()
    with seeded_db.session() as session:
        again = session.scalar(select(Project).where(Project.key == project.key))
        assert again is not None and again.corrected and again.status == "built" and again.precision == 1
        c = session.scalar(select(Correction).where(Correction.project_key == project.key))
        assert c.state == "active" and c.flag is None


def test_a_document_that_changes_a_corrected_value_flags_it_for_review(seeded_db):
    from geoapp.store.corrections import reapply

    project = _county_level_project(seeded_db)
    with seeded_db.session() as session:
        p = session.get(Project, project.id)
        machine = p.status
        wanted = "built" if machine != "built" else "planned"
        session.add(
            Correction(
                project_key=p.key, action="edit", changes={"status": wanted}, previous={"status": machine},
                author="cy", comment="c", created_at=datetime.now(UTC), state="active",
            )
        )  # fmt: skip
        p.status = wanted
        session.flush()
        assert reapply(session, [p.key]) == 1
        assert p.review_flag is None  # the source still says what the person saw
        third = next(s for s in ("mentioned", "under_construction", "planned") if s not in (machine, wanted))
        p.status = third  # a newer document says something else again
        reapply(session, [p.key])
        assert p.status == wanted and p.review_flag == "source_changed"
        assert (
            session.scalar(select(Correction.flag).where(Correction.project_key == p.key)) == "source_changed"
        )


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # token checks do not differ by backend
@pytest.mark.parametrize(
    "case,status",
    [("none", 401), ("garbage", 401), ("unknown", 401), ("revoked", 401), ("expired", 401), ("viewer", 403)],
)
def test_only_an_editor_with_a_valid_token_may_correct(client, seeded_db, case, status):
    project = _county_level_project(seeded_db)
    tokens = {
        "none": None,
        "garbage": "not-a-token",
        "unknown": "gat_99999_" + "x" * 43,
        "revoked": _token(seeded_db, "rv"),
        "expired": _token(seeded_db, "ex", days=1),
        "viewer": _token(seeded_db, "vi", role="viewer"),
    }
    with seeded_db.session() as session:
        for t in session.scalars(select(ApiToken)):
            if t.user.name == "rv":
                t.revoked_at = datetime.now(UTC)
            if t.user.name == "ex":
                t.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    body = {"changes": {"status": "built"}, "comment": "x"}
    r = _post(client, f"/api/projects/{project.id}/corrections", body, tokens[case])
    assert r.status_code == status
    assert r.get_json()["code"] in ("Unauthorized", "Forbidden")
    assert tokens[case] is None or tokens[case] not in r.get_data(as_text=True)  # never echoed


SQUARE_BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[108, 30], [108.1, 30.1], [108.1, 30], [108, 30.1], [108, 30]]],
}


@pytest.mark.parametrize(
    "body,status,words",
    [
        ({"changes": {"geometry": {"type": "Point", "coordinates": [2.35, 48.85]}}, "comment": "x"}, 400, "outside China"),
        ({"changes": {"geometry": SQUARE_BOWTIE}, "comment": "x"}, 400, "not valid"),
        ({"changes": {"geometry": {"type": "Point", "coordinates": ["a"]}}, "comment": "x"}, 400, "GeoJSON"),
        ({"changes": {"geometry": {"type": "Circle"}}, "comment": "x"}, 400, "GeoJSON"),
        ({"changes": {"status": "built"}}, 400, "comment is required"),
        ({"changes": {"id": 5}, "comment": "x"}, 400, "cannot be corrected"),
        ({"changes": {"category": "spaceport"}, "comment": "x"}, 400, "category must be"),
        ({"changes": {"precision": 42}, "comment": "x"}, 400, "IATI"),
        (["not", "an", "object"], 400, "body must be"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # values are checked before the database
def test_bad_corrections_are_refused_and_change_nothing(client, seeded_db, body, status, words):
    token = _token(seeded_db, "ed")
    project = _county_level_project(seeded_db)
    r = _post(client, f"/api/projects/{project.id}/corrections", body, token)
    assert r.status_code == status and words in r.get_json()["description"], r.get_json()
    with seeded_db.session() as session:
        assert session.scalar(select(Correction.id)) is None
        assert not session.get(Project, project.id).corrected


def test_wrong_content_type_unknown_project_and_oversize_body(client, seeded_db):
    token = _token(seeded_db, "ed")
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/projects/1/corrections", data="status=built", headers=auth,
                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert r.status_code == 415
    r = _post(
        client,
        "/api/projects/2000000000/corrections",
        {"changes": {"status": "built"}, "comment": "x"},
        token,
    )
    assert r.status_code == 404 and r.get_json()["code"] == "NotFound"
    big = {"changes": {"name": "x"}, "comment": "y" * (5 * 1024 * 1024 + 10)}
    r = _post(client, "/api/projects/1/corrections", big, token)
    assert r.status_code in (400, 413)


def test_two_edits_from_the_same_version_make_one_412(client, seeded_db):
    token = _token(seeded_db, "ed")
    project = _county_level_project(seeded_db)
    version = client.get(f"/projects/{project.id}/history?f=json").get_json()["version"]
    first = _post(client, f"/api/projects/{project.id}/corrections",
                  {"changes": {"status": "built"}, "comment": "a"}, token, **{"If-Match": version})  # fmt: skip
    second = _post(client, f"/api/projects/{project.id}/corrections",
                   {"changes": {"name": "别名"}, "comment": "b"}, token, **{"If-Match": version})  # fmt: skip
    assert first.status_code == 201 and second.status_code == 412
    assert second.get_json()["code"] == "PreconditionFailed"


def test_a_correction_is_undone_by_a_logged_revert(client, seeded_db):
    token = _token(seeded_db, "ed")
    project = _county_level_project(seeded_db)
    made = _post(client, f"/api/projects/{project.id}/corrections",
                 {"changes": {"name": "临时名称"}, "comment": "试改"}, token).get_json()  # fmt: skip
    r = _post(client, f"/api/corrections/{made['id']}/revert", {"comment": "改错了"}, token)
    assert r.status_code == 201 and r.get_json()["action"] == "revert"
    props = client.get(f"/api/projects/{project.id}").get_json()["properties"]
    assert props["name"] == project.name and props["corrected"] is False
    history = client.get(f"/projects/{project.id}/history?f=json").get_json()["corrections"]
    assert [(c["action"], c["state"]) for c in history] == [("edit", "reverted"), ("revert", "active")]
    again = _post(client, f"/api/corrections/{made['id']}/revert", {"comment": "再撤"}, token)
    assert again.status_code == 400


def _cli(*args, url):
    env = {**os.environ, "GEOAPP_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "geoapp", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)  # fmt: skip


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_accounts_and_moving_corrections_between_installations(seeded_db, templates, tmp_path):
    from geoapp.context import Context
    from geoapp.editing import correct
    from geoapp.store.accounts import get_user
    from geoapp.store.database import Database

    url = seeded_db.url
    assert _cli("users", "add", "dai", "--role", "editor", url=url).returncode == 0
    made = _cli("tokens", "create", "dai", "--expires", "30", url=url)
    assert made.returncode == 0 and made.stdout.startswith("gat_")
    token_id = made.stdout.split("_")[1]
    assert _cli("tokens", "revoke", token_id, url=url).returncode == 0
    assert "revoked" in _cli("tokens", "list", url=url).stdout
    bad = _cli("users", "add", "dai", url=url)
    assert bad.returncode != 0 and bad.stderr.count("\n") == 1 and "exists" in bad.stderr

    project = _county_level_project(seeded_db)
    ctx = Context(session=None, backend=seeded_db.backend, settings={}, database=seeded_db)
    with seeded_db.session() as session:
        user = get_user(session, "dai")
    correct(ctx, user, project.id, {"changes": {"geometry": POINT}, "comment": "县局测绘成果"})
    out = tmp_path / "corrections.jsonl"
    assert _cli("corrections", "export", str(out), url=url).returncode == 0

    other = templates.copy("spatialite", True, tmp_path)  # the municipality's server
    done = _cli("corrections", "import", str(out), url=other)
    assert done.returncode == 0 and "1 corrections imported" in done.stdout, done.stderr
    assert (
        "0 corrections imported, 1 already present"
        in _cli("corrections", "import", str(out), url=other).stdout
    )
    db = Database(other)
    try:
        with db.session() as session:
            c = session.scalar(select(Correction))
            assert (c.author, c.comment) == ("dai", "县局测绘成果")
            p = session.scalar(select(Project).where(Project.key == project.key))
            assert p.corrected and p.precision == 1
    finally:
        db.dispose()
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"action": "edit"}\n', encoding="utf-8")
    failed = _cli("corrections", "import", str(broken), url=other)
    assert failed.returncode == 2 and "line 1" in failed.stderr


# ----------------------------------------------------------------------------- OGC API – Features Part 4
@pytest.fixture
def owslib_headers():
    """OWSLib keeps request headers in one module-level dict: put it back afterwards."""
    from owslib import ogcapi

    saved = dict(ogcapi.REQUEST_HEADERS)
    yield
    ogcapi.REQUEST_HEADERS.clear()
    ogcapi.REQUEST_HEADERS.update(saved)


def test_owslib_creates_updates_and_deletes_projects_through_part_4(live_server, seeded_db, owslib_headers):
    import requests
    from owslib.ogcapi.features import Features

    token = _token(seeded_db, "ogc")
    from urllib.parse import quote

    comment = "县交通局 2026 年线位图"
    headers = {"Authorization": f"Bearer {token}", "X-Geoapp-Comment": quote(comment)}
    w = Features(live_server.url + "/", headers=headers)
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update" in w.conformance()["conformsTo"]
    before = w.collection_items("projects", limit=1)["numberMatched"]

    new = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[107.9, 30.35], [108.0, 30.3]]},
           "properties": {"name": "手绘测试公路", "category": "transport", "subtype": "road"}}  # fmt: skip
    assert w.collection_item_create("projects", new)
    after = w.collection_items("projects", limit=1)["numberMatched"]
    assert after == before + 1
    found = w.collection_items("projects", filter="name = '手绘测试公路'", limit=5)["features"]
    assert len(found) == 1
    created = found[0]
    assert created["properties"]["corrected"] is True and created["properties"]["precision"] == 1
    assert created["properties"]["counties"] == ["忠县"]
    pid = created["id"]

    project = _county_level_project(seeded_db)
    feature = w.collection_item("projects", str(project.id))
    feature["geometry"] = POINT
    assert w.collection_item_update("projects", str(project.id), feature)
    moved = w.collection_item("projects", str(project.id))
    assert moved["geometry"]["coordinates"] == pytest.approx(POINT["coordinates"], abs=1e-6)
    assert moved["properties"]["precision"] == 1 and moved["properties"]["corrected"] is True

    patch = requests.patch(f"{live_server.url}/collections/projects/items/{project.id}",
                           data=json.dumps({"properties": {"status": "built"}}), timeout=30,
                           headers={**headers, "Content-Type": "application/merge-patch+json"})  # fmt: skip
    assert patch.status_code == 204
    assert w.collection_item("projects", str(project.id))["properties"]["status"] == "built"

    assert w.collection_item_delete("projects", str(pid))
    gone = requests.get(f"{live_server.url}/collections/projects/items/{pid}", timeout=30)
    assert gone.status_code == 404
    assert w.collection_items("projects", limit=1)["numberMatched"] == before
    assert requests.get(f"{live_server.url}/api/projects/{pid}", timeout=30).status_code == 404

    history = requests.get(f"{live_server.url}/projects/{pid}/history?f=json", timeout=30).json()
    assert [c["action"] for c in history["corrections"]] == ["create", "reject"]
    assert all(c["author"] == "ogc" and c["comment"] == comment for c in history["corrections"])
    undo = requests.post(f"{live_server.url}/api/corrections/{history['corrections'][1]['id']}/revert",
                         json={"comment": "其实是项目"}, headers=headers, timeout=30)  # fmt: skip
    assert undo.status_code == 201
    assert requests.get(f"{live_server.url}/collections/projects/items/{pid}", timeout=30).status_code == 200


def test_part_4_writes_need_a_token_a_comment_and_a_current_version(client, seeded_db):
    project = _county_level_project(seeded_db)
    url = f"/collections/projects/items/{project.id}"
    assert client.delete(url).status_code == 401
    token = _token(seeded_db, "ed")
    auth = {"Authorization": f"Bearer {token}"}
    r = client.delete(url, headers=auth)
    assert r.status_code == 400 and "comment" in r.get_json()["description"]
    r = client.put(url, headers={**auth, "If-Match": '"stale"', "X-Geoapp-Comment": "x"},
                   json={"type": "Feature", "geometry": POINT, "properties": {}})  # fmt: skip
    assert r.status_code == 412
    r = client.post("/collections/projects/items", headers={**auth, "X-Geoapp-Comment": "x"},
                    json={"type": "Feature", "geometry": POINT, "properties": {"category": "water"}})  # fmt: skip
    assert r.status_code == 400 and "name" in r.get_json()["description"]
    unchanged = client.get(f"{url}?f=json").get_json()
    r = client.put(url, headers={**auth, "X-Geoapp-Comment": "x"}, json=unchanged)
    assert r.status_code == 204  # nothing differs: no correction recorded
    with seeded_db.session() as session:
        assert session.scalar(select(Correction.id)) is None
