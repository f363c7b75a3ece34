"""Corrections from a layer edited in a GIS (``geoapp corrections from-layer``): the downloaded
GeoPackage edited with pyogrio as QGIS would, its differences turned into corrections in one
transaction, a dry run, and bad rows refused one line each with nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
import shapely
from sqlalchemy import func, select

from geoapp.store.accounts import add_user
from geoapp.store.models import Correction, Project

ROOT = Path(__file__).resolve().parent.parent
COMMENT = "2026 年县交通局核查"


def _download(client, tmp_path: Path, query: str = "county=忠县") -> Path:
    r = client.get(f"/download/projects.gpkg?{query}")
    assert r.status_code == 200
    path = tmp_path / "projects.gpkg"
    path.write_bytes(r.get_data())
    return path


def _editor(db, name: str = "gis"):
    with db.session() as session:
        user = add_user(session, name, "editor")
        session.flush()
        session.expunge(user)
        return user


def _ctx(db):
    from geoapp.context import Context

    return Context(session=None, backend=db.backend, settings={}, database=db)  # type: ignore[arg-type]


def _count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Correction))


def _edit(path: Path, out: Path) -> dict[str, int]:
    """What a GIS user does: move a county-level project, rename one, fix a status."""
    frame = pyogrio.read_dataframe(path)
    county_level = frame.index[frame["precision"] == 3][0]
    frame.loc[county_level, "geometry"] = shapely.Point(108.0412, 30.2915)
    renamed = frame.index[frame["precision"] != 3][0]
    frame.loc[renamed, "name"] = "改名测试工程"
    frame.loc[renamed, "aliases"] = "旧称甲、旧称乙"
    restated = frame.index[(frame["status"] != "built") & (frame.index != county_level)][-1]
    frame.loc[restated, "status"] = "built"
    pyogrio.write_dataframe(frame, out, layer="projects")
    ids = frame["id"]
    return {"moved": int(ids[county_level]), "renamed": int(ids[renamed]), "restated": int(ids[restated])}


def test_a_layer_edited_in_a_gis_becomes_one_correction_per_changed_project(client, seeded_db, tmp_path):
    from geoapp.editing.from_layer import from_layer

    user = _editor(seeded_db)
    download = _download(client, tmp_path)
    rows = len(pyogrio.read_dataframe(download))
    # the untouched download changes nothing: the round trip through a GeoPackage is within tolerance
    same = from_layer(_ctx(seeded_db), user, download, id_field="id", comment=COMMENT)
    assert same.changes == [] and same.rows == rows and _count(seeded_db) == 0

    edited = tmp_path / "edited.gpkg"
    ids = _edit(download, edited)
    dry = from_layer(_ctx(seeded_db), user, edited, id_field="id", comment=COMMENT, dry_run=True)
    table = "\n".join(dry.table())
    assert f"{ids['renamed']}\tname\t" in table and "→ 改名测试工程" in table
    assert f"{ids['moved']}\tgeometry\t" in table and f"{ids['moved']}\tprecision\t3 → 1" in table
    assert f"{ids['restated']}\tstatus\t" in table and "→ built" in table
    assert len(dry.changes) == 3 and _count(seeded_db) == 0  # a dry run writes nothing

    done = from_layer(_ctx(seeded_db), user, edited, id_field="id", comment=COMMENT)
    assert len(done.changes) == 3 and done.unchanged == rows - 3
    with seeded_db.session() as session:
        corrections = session.scalars(select(Correction).order_by(Correction.id)).all()
        assert len(corrections) == 3
        assert {(c.author, c.comment, c.action) for c in corrections} == {("gis", COMMENT, "edit")}
        moved = session.get(Project, ids["moved"])
        assert moved.corrected and moved.precision == 1
        renamed = session.get(Project, ids["renamed"])
        assert renamed.name == "改名测试工程" and renamed.aliases == ["旧称甲", "旧称乙"]
        assert session.get(Project, ids["restated"]).status == "built"
        assert session.scalar(select(func.count()).select_from(Project).where(Project.corrected)) == 3
    served = client.get(f"/collections/projects/items/{ids['moved']}?f=json").get_json()
    assert served["geometry"] == {"type": "Point", "coordinates": pytest.approx([108.0412, 30.2915])}
    assert served["properties"]["corrected"] is True
    # the same file again: nothing left to change
    assert from_layer(_ctx(seeded_db), user, edited, id_field="id", comment=COMMENT).changes == []


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # reading and checking rows: no SQL
def test_a_shapefile_in_gauss_krueger_round_trips_unchanged(client, seeded_db, tmp_path):
    import zipfile

    from geoapp.editing.from_layer import from_layer
    from geoapp.errors import InvalidParameter

    user = _editor(seeded_db)
    r = client.get("/download/projects.shp.zip?county=忠县&crs=http://www.opengis.net/def/crs/EPSG/0/4545")
    archive = tmp_path / "projects.shp.zip"
    archive.write_bytes(r.get_data())
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "shp")
    for shp in sorted((tmp_path / "shp").glob("*.shp")):  # lines become MultiLineStrings; metres
        report = from_layer(_ctx(seeded_db), user, shp, id_field="id", comment=COMMENT)
        assert report.changes == [] and report.rows > 0, shp.name
    shp.with_suffix(".prj").unlink()  # a Shapefile that does not say its CRS: one line, or --crs
    with pytest.raises(InvalidParameter, match="does not say its coordinate system"):
        from_layer(_ctx(seeded_db), user, shp, id_field="id", comment=COMMENT)
    assert (
        from_layer(_ctx(seeded_db), user, shp, id_field="id", comment=COMMENT, crs="EPSG:4545").changes == []
    )


def _cli(*args, url):
    env = {**os.environ, "GEOAPP_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "geoapp", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)  # fmt: skip


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # checks before any SQL write
def test_the_command_dry_runs_and_refuses_bad_rows_one_line_each(client, seeded_db, tmp_path):
    _editor(seeded_db)
    download = _download(client, tmp_path)
    edited = tmp_path / "edited.gpkg"
    ids = _edit(download, edited)
    base = ["corrections", "from-layer", "--author", "gis", "--comment", COMMENT]
    from click.testing import CliRunner

    from geoapp.cli import cli

    runner = CliRunner()  # in-process: the failing run below goes through a real process
    dry = runner.invoke(cli, [*base, str(edited), "--dry-run"], env={"GEOAPP_DATABASE_URL": seeded_db.url})
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[0] == "id\tfield\told → new"
    assert f"{ids['restated']}\tstatus\t" in dry.stdout and "would get a correction" in dry.stderr
    assert _count(seeded_db) == 0

    frame = pyogrio.read_dataframe(edited)
    frame.loc[0, "id"] = 99_999_999  # unknown
    frame.loc[1, "geometry"] = shapely.Point(2.35, 48.85)  # Paris
    frame.loc[2, "geometry"] = shapely.Polygon([(108, 30), (108.1, 30.1), (108.1, 30), (108, 30.1)])
    frame.loc[3, "category"] = "spaceport"
    frame.loc[4, "id"] = frame.loc[5, "id"]
    bad = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(frame, bad, layer="projects")
    done = _cli(*base, str(bad), url=seeded_db.url)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 5 and all(line.startswith("geoapp: error: bad.gpkg row ") for line in lines)
    assert "row 1 (id 99999999): no such project" in lines[0]  # in the order of the rows
    assert "row 6" in lines[4] and "same project as row 5" in lines[4]
    text = done.stderr
    assert (
        "outside China: is the file's CRS right?" in text
        and "not valid" in text
        and "category must be" in text
    )
    assert _count(seeded_db) == 0  # nothing written, not even the good rows

    # a layer in metres that claims to be lon/lat: every row lies outside China
    from geoapp.editing.from_layer import LayerProblems, from_layer
    from geoapp.errors import InvalidParameter

    user = _editor(seeded_db, "gis2")
    metres = frame.iloc[6:8].to_crs("EPSG:4545").set_crs("EPSG:4326", allow_override=True)
    wrong_crs = tmp_path / "wrong_crs.gpkg"
    pyogrio.write_dataframe(metres, wrong_crs, layer="projects")
    with pytest.raises(LayerProblems) as refused:
        from_layer(_ctx(seeded_db), user, wrong_crs, id_field="id", comment=COMMENT)
    assert len(refused.value.lines) == 2 and all("CRS right?" in line for line in refused.value.lines)
    with pytest.raises(InvalidParameter, match="no field 'fid_x'"):
        from_layer(_ctx(seeded_db), user, edited, id_field="fid_x", comment=COMMENT)
    assert _count(seeded_db) == 0
