"""Ingestion into SpatiaLite and PostGIS: idempotent, transactional, one project per work."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from geoapp.ingest import ingest_files
from geoapp.ingest import store as store_module
from geoapp.store.models import Document, Mention, Project, ProjectCounty

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def counts(db):
    with db.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(model))
            for model in (Document, Project, Mention, ProjectCounty)
        )


def test_seeds_become_projects_with_geometry_precision_and_mentions(seeded_db):
    with seeded_db.session() as s:
        docs = s.scalars(select(Document).order_by(Document.file_name)).all()
        assert [d.county_name for d in docs] == ["忠县", "忠县", "垫江县", "铜梁区", "开州区"]
        assert all(d.title and d.issued_date for d in docs)
        n = s.scalar(select(func.count()).select_from(Project))
        assert n > 600
        assert s.scalar(select(func.count()).select_from(Project).where(Project.geom.is_(None))) == 0
        # every project has a mention and a county
        orphans = s.scalar(select(func.count()).select_from(Project).where(~Project.mentions.any()))
        assert orphans == 0
        assert s.scalar(select(func.count()).select_from(Project).where(~Project.counties.any())) == 0


def test_one_project_many_mentions_across_documents(seeded_db):
    with seeded_db.session() as s:
        p = s.scalar(select(Project).where(Project.name == "渝万高铁"))
        files = {m.document.file_name[:3] for m in p.mentions}
        assert {"000", "001"} <= files
        assert p.subtype == "high_speed_rail" and p.precision == 5
        assert [c.county_name for c in p.counties][:1] == ["忠县"]


def test_table_fields_are_stored(seeded_db):
    with seeded_db.session() as s:
        p = s.scalar(select(Project).where(Project.name == "G350忠县至南溪新建道路"))
        assert p.investment_wan == 66163 and p.period_start == 2023 and p.period_end == 2025
        assert p.batch == "新开工" and p.lead_unit == "县交通局" and p.status == "under_construction"


def test_reingesting_unchanged_documents_changes_nothing(seeded_db, gazetteer):
    before = counts(seeded_db)
    report = ingest_files(seeded_db, gazetteer, SEEDS)
    assert report.failed == 0
    assert [outcome for _, outcome, _ in report.results] == ["unchanged"] * 5
    assert counts(seeded_db) == before


def test_a_changed_document_replaces_its_own_mentions(seeded_db, gazetteer, tmp_path):
    original = next(p for p in SEEDS if p.name.startswith("004"))
    changed = tmp_path / original.name
    text = original.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("建成开州通用机场", "建成开州通用机场，开工建设开州区木桥特色小镇"), encoding="utf-8"
    )
    docs_before, projects_before, mentions_before, _ = counts(seeded_db)
    report = ingest_files(seeded_db, gazetteer, [changed])
    assert [outcome for _, outcome, _ in report.results] == ["replaced"]
    docs_after, projects_after, mentions_after, _ = counts(seeded_db)
    assert docs_after == docs_before
    assert projects_after == projects_before + 1
    assert mentions_after == mentions_before + 1
    with seeded_db.session() as s:
        new = s.scalar(select(Project).where(Project.name.like("%木桥特色小镇%")))
        assert new is not None and new.status == "under_construction"


def test_a_failure_part_way_leaves_the_database_as_it_was(empty_db, gazetteer, tmp_path, monkeypatch):
    # Fault injection: writing the mentions fails, after the document and the projects
    # were written in the same transaction.
    real_insert = store_module.insert

    def failing_insert(table):
        if table is store_module.Mention.__table__:
            raise RuntimeError("disk full")
        return real_insert(table)

    first, second = SEEDS[2], SEEDS[3]
    assert ingest_files(empty_db, gazetteer, [first]).failed == 0
    before = counts(empty_db)
    monkeypatch.setattr(store_module, "insert", failing_insert)
    report = ingest_files(empty_db, gazetteer, [second])
    assert report.failed == 1
    assert "nothing changed" in report.results[0][2]
    assert counts(empty_db) == before


def test_bad_files_do_not_stop_the_good_ones(empty_db, gazetteer, tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    good = tmp_path / "good.txt"
    shutil.copy(SEEDS[4], good)
    report = ingest_files(empty_db, gazetteer, [bad, good, tmp_path / "missing.txt"])
    outcomes = [outcome for _, outcome, _ in report.results]
    assert outcomes == ["error", "ingested", "error"]
    assert report.failed == 2
    assert counts(empty_db)[0] == 1


@pytest.mark.parametrize("name", ["新生港", "乌杨新区", "汉丰湖", "安居古城"])
def test_named_places_of_the_seeds_are_placed_in_their_county(seeded_db, name):
    expected = {"新生港": "忠县", "乌杨新区": "忠县", "汉丰湖": "开州区", "安居古城": "铜梁区"}[name]
    with seeded_db.session() as s:
        p = s.scalar(select(Project).where(Project.name == name))
        assert p is not None
        assert expected in [c.county_name for c in p.counties]
        assert p.precision <= 3


def test_both_backends_store_the_same_projects(templates, tmp_path):
    """The same documents give the same projects, fields and precision on SpatiaLite and PostGIS."""
    import os

    from geoapp.store.database import Database

    if not os.environ.get("GEOAPP_TEST_POSTGIS_URL"):
        pytest.skip("needs both backends")

    def snapshot(url):
        db = Database(url)
        try:
            with db.session() as s:
                rows = s.execute(
                    select(Project.key, Project.name, Project.category, Project.status, Project.precision)
                ).all()
            return {r[0]: tuple(r[1:]) for r in rows}
        finally:
            db.dispose()

    lite = snapshot(templates.template("spatialite", True))
    pg = snapshot(templates.template("postgis", True))
    assert len(lite) > 600
    assert lite == pg


def test_stored_feature_properties_follow_the_data(seeded_db, gazetteer, tmp_path, backend):
    """Where the database writes feature JSON (PostGIS), ingestion keeps each project's stored
    properties equal to what would be built now — also after a document is replaced."""
    import json

    from sqlalchemy import text

    from geoapp.catalog.sources.projects import refresh_stored_properties

    if backend != "postgis":
        pytest.skip("SpatiaLite builds feature properties when reading")
    original = next(p for p in SEEDS if p.name.startswith("004"))
    changed = tmp_path / original.name
    changed.write_text(
        original.read_text(encoding="utf-8").replace("完工渝西、成达万高铁", "完工渝西高铁"), encoding="utf-8"
    )
    assert ingest_files(seeded_db, gazetteer, [changed]).failed == 0

    def stored(s):
        rows = s.execute(text("SELECT id, feature_properties, feature_json FROM projects ORDER BY id")).all()
        return {pid: (json.loads(props), json.loads(whole)) for pid, props, whole in rows}

    with seeded_db.sessionmaker() as s:
        before = stored(s)
        assert all(props and whole["properties"] == props for props, whole in before.values())
        refresh_stored_properties(s, seeded_db.backend)
        after = stored(s)
        s.rollback()
    assert before == after


def test_stored_feature_properties_of_another_code_version_are_not_used(seeded_db, backend):
    """JSON written by other code (say, before a label changed) is not served; the next
    refresh, even of one project, rewrites every project."""
    from sqlalchemy import text

    from geoapp.catalog.sources.projects import (
        PROPERTIES_VERSION_KEY,
        refresh_stored_properties,
        stored_properties_complete,
    )

    b = seeded_db.backend
    with seeded_db.sessionmaker() as s:
        if backend != "postgis":
            assert not stored_properties_complete(s, b)
            pytest.skip("SpatiaLite builds feature properties when reading")
        assert stored_properties_complete(s, b)
        s.execute(text("UPDATE meta SET value = 'older' WHERE key = :k"), {"k": PROPERTIES_VERSION_KEY})
        s.execute(text("UPDATE projects SET feature_properties = '{}'"))
        assert not stored_properties_complete(s, b)
        first = s.execute(text("SELECT min(id) FROM projects")).scalar()
        refresh_stored_properties(s, b, [first])
        assert stored_properties_complete(s, b)
        empty = s.execute(text("SELECT count(*) FROM projects WHERE feature_properties = '{}'")).scalar()
        assert empty == 0
        s.rollback()


def test_db_init_rewrites_missing_stored_properties(seeded_db, backend):
    """A database migrated to the stored-properties schema gets them from ``geoapp db init``."""
    import os
    import subprocess
    import sys

    from sqlalchemy import text

    from geoapp.catalog.sources.projects import stored_properties_complete

    if backend != "postgis":
        pytest.skip("SpatiaLite builds feature properties when reading")
    with seeded_db.sessionmaker() as s:
        s.execute(
            text("UPDATE projects SET feature_properties = NULL WHERE id IN (SELECT min(id) FROM projects)")
        )
        s.commit()
        assert not stored_properties_complete(s, seeded_db.backend)
    env = {**os.environ, "GEOAPP_DATABASE_URL": seeded_db.url}
    result = subprocess.run(
        [sys.executable, "-m", "geoapp.cli", "db", "init"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "feature properties rewritten" in result.stdout
    with seeded_db.sessionmaker() as s:
        assert stored_properties_complete(s, seeded_db.backend)
