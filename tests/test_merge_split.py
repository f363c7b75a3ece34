"""Merging two projects and splitting one, as corrections: on the JSON API with an editor's
token, in the history, kept through re-ingestion, and undone together by one revert."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from geoapp.store.accounts import add_user, create_token
from geoapp.store.models import Correction, Document, Mention, Project

POINT = {"type": "Point", "coordinates": [108.0412, 30.2915]}  # in 忠县
LINE = {"type": "LineString", "coordinates": [[107.95, 30.33], [108.02, 30.30]]}


def _token(db, name: str = "mei", role: str = "editor") -> str:
    with db.session() as session:
        add_user(session, name, role)
        return create_token(session, name)


def _post(client, url, body, token):
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _two_of_one_document(db) -> tuple[Project, Project, Document]:
    """Two projects named in the same document (a county-level one first)."""
    with db.session() as session:
        a = session.scalars(
            select(Project).where(Project.precision == 3, Project.kind == "project").order_by(Project.id)
        ).first()
        doc = session.get(
            Document, session.scalar(select(Mention.document_id).where(Mention.project_id == a.id))
        )
        b = session.scalars(
            select(Project)
            .join(Mention, Mention.project_id == Project.id)
            .where(Mention.document_id == doc.id, Project.id != a.id, Project.kind == "project")
            .order_by(Project.id)
        ).first()
        return a, b, doc


def _by_key(db, key: str) -> Project:
    with db.session() as session:
        return session.scalar(select(Project).where(Project.key == key))


def test_merge_and_split_keep_through_reingest_and_revert_together(client, seeded_db, gazetteer, tmp_path):
    from geoapp.ingest import ingest_files

    token = _token(seeded_db)
    a, b, doc = _two_of_one_document(seeded_db)
    r = _post(client, f"/api/projects/{b.id}/merge", {"into": a.id, "comment": "同一工程的两种叫法"}, token)
    assert r.status_code == 201, r.get_json()
    assert [c["action"] for c in r.get_json()["corrections"]] == ["merge", "merge"]
    assert client.get(f"/api/projects/{b.id}").status_code == 404  # hidden like "not a project"
    kept = client.get(f"/api/projects/{a.id}").get_json()["properties"]
    assert b.name in kept["aliases"] and kept["corrected"] is True
    history = client.get(f"/projects/{a.id}/history?f=json").get_json()
    assert history["merged_from"] == [{"id": b.id, "name": b.name}]
    assert {m["project"] for m in history["extraction"]} == {a.id, b.id}  # its mentions, with the kept one
    assert client.get(f"/projects/{b.id}/history?f=json").get_json()["merged_into"]["id"] == a.id
    assert b.name in client.get(f"/projects/{a.id}/history").get_data(as_text=True)

    body = {"name": "拆分测试段", "geometry": LINE, "keep_geometry": POINT, "comment": "两段分别立项"}
    r = _post(client, f"/api/projects/{a.id}/split", body, token)
    assert r.status_code == 201, r.get_json()
    new_id = r.get_json()["new"]
    part = client.get(f"/api/projects/{new_id}").get_json()["properties"]
    assert part["name"] == "拆分测试段" and part["corrected"] is True and part["counties"] == ["忠县"]
    assert part["category"] == a.category and "拆分" in part["location_note"]
    actions = [c["action"] for c in client.get(f"/projects/{a.id}/history?f=json").get_json()["corrections"]]
    assert actions == ["merge", "split"]
    new_key = _by_key_of_id(seeded_db, new_id)

    # a new version of the document: its projects are deleted and read again (new ids)
    changed = tmp_path / doc.file_name
    changed.write_text(doc.text + "\n\n（本文件另有附件。）\n", encoding="utf-8")
    assert ingest_files(seeded_db, gazetteer, [changed]).failed == 0
    again_a, again_b = _by_key(seeded_db, a.key), _by_key(seeded_db, b.key)
    assert again_b.rejected and again_b.merged_into == a.key
    assert b.name in again_a.aliases and again_a.precision == 1 and again_a.review_flag is None
    assert _by_key(seeded_db, new_key) is not None
    with seeded_db.session() as session:
        flags = session.scalars(select(Correction.flag)).all()
        merge_id = session.scalar(select(Correction.id).where(Correction.project_key == b.key))
        split_id = session.scalar(
            select(Correction.id).where(Correction.project_key == a.key, Correction.action == "split")
        )
    assert flags == [None] * 4

    # one revert undoes both halves
    assert (
        _post(client, f"/api/corrections/{merge_id}/revert", {"comment": "并错了"}, token).status_code == 201
    )
    assert client.get(f"/api/projects/{again_b.id}").status_code == 200
    assert b.name not in client.get(f"/api/projects/{again_a.id}").get_json()["properties"]["aliases"]
    assert (
        _post(client, f"/api/corrections/{split_id}/revert", {"comment": "不拆了"}, token).status_code == 201
    )
    assert client.get(f"/api/projects/{new_id}").status_code == 404
    restored = client.get(f"/api/projects/{again_a.id}").get_json()
    assert restored["properties"]["corrected"] is False and restored["properties"]["precision"] == a.precision
    with seeded_db.session() as session:
        states = session.execute(select(Correction.action, Correction.state).order_by(Correction.id)).all()
    assert sorted(states) == sorted(
        [("merge", "reverted")] * 2 + [("split", "reverted")] * 2 + [("revert", "active")] * 4
    )


def _by_key_of_id(db, pid: int) -> str:
    with db.session() as session:
        return session.get(Project, pid).key


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # values are checked before any write
def test_bad_merges_and_splits_are_refused(client, seeded_db):
    token = _token(seeded_db)
    a, b, _ = _two_of_one_document(seeded_db)
    cases = [
        (f"/api/projects/{a.id}/merge", {"into": a.id, "comment": "x"}, 400, "itself"),
        (f"/api/projects/{a.id}/merge", {"into": "b", "comment": "x"}, 400, "into must be"),
        (f"/api/projects/{a.id}/merge", {"into": 2_000_000_000, "comment": "x"}, 404, "no project"),
        (f"/api/projects/{a.id}/merge", {"into": b.id}, 400, "comment is required"),
        (f"/api/projects/{a.id}/split", {"name": "新段", "comment": "x"}, 400, "geometry"),
        (f"/api/projects/{a.id}/split", {"name": "新段", "geometry": {"type": "Point", "coordinates": [2, 48]},
                                         "comment": "x"}, 400, "outside China"),
        (f"/api/projects/{a.id}/corrections", {"changes": {"merged_into": b.id}, "comment": "x"}, 400, "cannot be"),
    ]  # fmt: skip
    for url, body, status, words in cases:
        r = _post(client, url, body, token)
        assert r.status_code == status and words in r.get_json()["description"], (url, body, r.get_json())
    viewer = _token(seeded_db, "vi", "viewer")
    assert (
        _post(client, f"/api/projects/{a.id}/merge", {"into": b.id, "comment": "x"}, viewer).status_code
        == 403
    )
    with seeded_db.session() as session:
        assert session.scalar(select(Correction.id)) is None


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # JSON Lines do not depend on the backend
def test_merges_and_splits_move_to_another_installation(client, seeded_db, templates, tmp_path):
    import io

    from geoapp.context import Context
    from geoapp.editing import export_corrections, import_corrections
    from geoapp.store.database import Database

    token = _token(seeded_db)
    a, b, _ = _two_of_one_document(seeded_db)
    assert (
        _post(client, f"/api/projects/{b.id}/merge", {"into": a.id, "comment": "同一工程"}, token).status_code
        == 201
    )
    body = {"name": "拆分测试段", "geometry": LINE, "keep_geometry": POINT, "comment": "分段"}
    assert _post(client, f"/api/projects/{a.id}/split", body, token).status_code == 201
    out = io.StringIO()
    with seeded_db.session() as session:
        assert export_corrections(session, out) == 4
    other = Database(templates.copy("spatialite", True, tmp_path))  # the municipality's server
    try:
        ctx = Context(session=None, backend=other.backend, settings={}, database=other)  # type: ignore[arg-type]
        assert import_corrections(ctx, out.getvalue().splitlines()) == (4, 0)
        with other.session() as session:
            kept = session.scalar(select(Project).where(Project.key == a.key))
            gone = session.scalar(select(Project).where(Project.key == b.key))
            assert gone.rejected and gone.merged_into == a.key and b.name in kept.aliases
            assert kept.precision == 1  # the split's kept geometry
            flags = dict(
                session.execute(
                    select(Correction.action, Correction.flag).where(Correction.flag.is_not(None))
                ).all()
            )
            assert flags == {"split": "orphaned"}  # the split-off project is not there: kept, listed
    finally:
        other.dispose()
