"""Schema, migrations and spatial queries on SpatiaLite and PostGIS."""

from sqlalchemy import func, inspect, select

from geoapp.store.backend import PostGISBackend, SpatiaLiteBackend
from geoapp.store.database import Database, current_revision, downgrade, head_revision, upgrade
from geoapp.store.models import Document, Mention, Place, Project, ProjectCounty


def _project(key="k1", name="测试高速", wkt="LINESTRING(107.9 30.2, 108.4 30.8)", **kw):
    values = dict(
        key=key,
        kind="project",
        name=name,
        aliases=["别名"],
        category="transport",
        subtype="expressway",
        status="planned",
        precision=5,
        location_class=3,
        gazetteer_ids=["line:x"],
        geom=f"SRID=4326;{wkt}",
    )
    values.update(kw)
    return Project(**values)


def test_migration_creates_schema_and_runs_both_ways(fresh_url, backend):
    db = Database(fresh_url)
    try:
        assert current_revision(db.engine) is None
        upgrade(db.engine)
        assert current_revision(db.engine) == head_revision()
        tables = set(inspect(db.engine).get_table_names())
        assert {"documents", "places", "projects", "project_counties", "mentions", "meta"} <= tables
        downgrade(db.engine, "base")
        assert "projects" not in inspect(db.engine).get_table_names()
        upgrade(db.engine)  # and back again: migrations are repeatable
        assert current_revision(db.engine) == head_revision()
        expected = SpatiaLiteBackend if backend == "spatialite" else PostGISBackend
        assert isinstance(db.backend, expected)
    finally:
        db.dispose()


def test_model_round_trip_keeps_chinese_geometry_and_relations(empty_db):
    with empty_db.session() as s:
        doc = Document(file_name="x.txt", sha256="a" * 64, title="忠县行动方案", text="正文")
        project = _project(investment_wan=66163.0, period_start=2023, period_end=2025)
        s.add_all([doc, project])
        s.flush()
        s.add(ProjectCounty(project_id=project.id, county_code="500233", county_name="忠县", position=0))
        s.add(
            Mention(
                project_id=project.id,
                document_id=doc.id,
                section="一、",
                start=1,
                end=5,
                surface="测试高速",
                sentence="开工建设测试高速。",
                status="under_construction",
            )
        )
    with empty_db.session() as s:
        p = s.scalar(select(Project).where(Project.key == "k1"))
        assert p.name == "测试高速" and p.aliases == ["别名"] and p.investment_wan == 66163.0
        assert [c.county_name for c in p.counties] == ["忠县"]
        assert p.mentions[0].document.title == "忠县行动方案"
        wkt = s.scalar(select(func.ST_AsText(Project.geom)).where(Project.id == p.id))
        assert wkt.replace(", ", ",") == "LINESTRING(107.9 30.2,108.4 30.8)"
        assert s.scalar(select(func.ST_SRID(Project.geom)).where(Project.id == p.id)) == 4326


def test_deleting_a_document_cascades_to_its_mentions(empty_db):
    with empty_db.session() as s:
        doc = Document(file_name="x.txt", sha256="b" * 64, text="t")
        project = _project(key="k2")
        s.add_all([doc, project])
        s.flush()
        s.add(
            Mention(
                project_id=project.id,
                document_id=doc.id,
                start=0,
                end=1,
                surface="x",
                sentence="x",
                status="mentioned",
            )
        )
    with empty_db.session() as s:
        s.delete(s.scalar(select(Document)))
    with empty_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 0


def test_distance_and_bbox_filters_agree_across_backends(empty_db):
    with empty_db.session() as s:
        s.add(_project(key="near", wkt="POINT(108.03 30.29)"))  # 忠县 county town
        s.add(_project(key="far", wkt="POINT(106.05 29.85)"))  # 铜梁
    backend = empty_db.backend
    with empty_db.session() as s:
        within = s.scalars(
            select(Project.key).where(backend.within_distance(Project.geom, "POINT(108.0 30.3)", 5_000))
        ).all()
        assert within == ["near"]
        wide = s.scalars(
            select(Project.key).where(backend.within_distance(Project.geom, "POINT(108.0 30.3)", 250_000))
        ).all()
        assert sorted(wide) == ["far", "near"]
        boxed = s.scalars(
            select(Project.key).where(
                backend.bbox_filter("projects", Project.geom, Project.id, (105.5, 29.5, 106.5, 30.0))
            )
        ).all()
        assert boxed == ["far"]


def test_places_hold_the_gazetteer(empty_db):
    with empty_db.session() as s:
        n = s.scalar(select(func.count()).select_from(Place).where(Place.kind == "county"))
        zhong = s.get(Place, "adm:500233")
    assert n >= 38
    assert zhong.name == "忠县" and zhong.precision == 3
