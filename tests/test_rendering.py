"""Report maps (geoapp.maps.render): real databases (SpatiaLite and PostGIS), real files.

Every rendered image is written to test-artifacts/<test>/ so a person can look at it.
Most images are small (800 × 600) to keep the suite fast; what is checked on them
(projection, legend, labels, colours, determinism) does not depend on the size.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image
from pyproj import Geod
from sqlalchemy import func, select, update

from geoapp.catalog.style import category_style, label
from geoapp.context import Context
from geoapp.errors import InvalidParameter
from geoapp.maps import render as rendering
from geoapp.maps.content import build_content
from geoapp.maps.draw import CJK_FONT, ensure_cjk_font, layout, printable, scale_bar_length
from geoapp.maps.frame import gk_zone, to_lonlat
from geoapp.settings import load_settings
from geoapp.store.database import Database, forget_database
from geoapp.store.models import Project

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"width": ["800"], "height": ["600"], "dpi": ["100"]}


# ----------------------------------------------------------------------------- fixtures
def _shared(kind: str, templates, tmp_path_factory):
    from tests.conftest import POSTGIS_URL, _pg_drop, require

    if kind == "postgis" and not POSTGIS_URL:
        require("PostGIS", "GEOAPP_TEST_POSTGIS_URL is not set (run the suite with `make test`)")
    url = templates.copy(kind, True, tmp_path_factory.mktemp("render-db"))
    db = Database(url)
    yield db
    db.dispose()
    forget_database(url)
    if kind == "postgis":
        _pg_drop(url)


@pytest.fixture(scope="module", params=["spatialite", "postgis"])
def shared_db(request, templates, tmp_path_factory):
    """One seeded database per backend for the tests that only read (the rest use ``seeded_db``)."""
    yield from _shared(request.param, templates, tmp_path_factory)


@pytest.fixture(scope="module")
def spatialite_db(templates, tmp_path_factory):
    """For what does not depend on the backend once the rows are read (file formats, the command)."""
    yield from _shared("spatialite", templates, tmp_path_factory)


def _context(db, session, **overrides) -> Context:
    return Context(session, db.backend, load_settings(overrides={"database_url": db.url, **overrides}))


@pytest.fixture
def ctx(shared_db):
    """A context on each backend: for what depends on how the rows are selected."""
    with shared_db.session() as session:
        yield _context(shared_db, session)


@pytest.fixture
def sctx(spatialite_db):
    """A context on SpatiaLite only: for drawing, which does not depend on the backend."""
    with spatialite_db.session() as session:
        yield _context(spatialite_db, session)


def render(ctx, fmt="png", **params) -> rendering.RenderedImage:
    args = {**SMALL, **{k: v if isinstance(v, list) else [str(v)] for k, v in params.items()}}
    return rendering.render_map(ctx, args, fmt)


def _overlaps(a, b, tol=0.5) -> bool:
    return a[0] + tol < b[2] and b[0] + tol < a[2] and a[1] + tol < b[3] and b[1] + tol < a[3]


# ----------------------------------------------------------------------------- projection
@pytest.mark.parametrize(
    ("lon", "epsg"),
    [(108.03, 4545), (106.05, 4544), (107.35, 4545), (108.41, 4545), (102.4, 4543), (110.9, 4546)],
    ids=["忠县", "铜梁区", "垫江县", "开州区", "CM102", "CM111"],
)
def test_gauss_kruger_zone_is_the_nearest_3_degree_meridian(lon, epsg):
    assert gk_zone(lon)[0] == epsg


def test_scale_bar_lengths_are_round():
    assert [scale_bar_length(w) for w in (9_000, 60_000, 80_000, 330_000)] == [1000, 10000, 10000, 50000]


def test_county_map_is_in_metres_and_its_scale_bar_is_true(ctx, artifacts):
    image = render(ctx, county="忠县")
    (artifacts / "zhongxian.png").write_bytes(image.data)
    info = image.info
    assert info["epsg"] == 4545 and info["focus_counties"] == ["忠县"]
    bar = info["scale_bar"]
    # The bar's two ends, at the map's middle latitude, measured on the ellipsoid.
    ymid = (info["bounds"][1] + info["bounds"][3]) / 2
    (lon0, lat0), (lon1, lat1) = (
        to_lonlat(shapely.Point(x, ymid), info["epsg"]).coords[0] for x in (bar["x0"], bar["x1"])
    )
    _, _, metres = Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)
    assert abs(metres - bar["metres"]) / bar["metres"] < 0.002
    assert bar["label"] == f"{bar['metres'] / 1000:g} 公里"
    # The grid is near the central meridian: true north within a degree of "up".
    assert abs(info["north_angle_deg"]) < 1


# ----------------------------------------------------------------------------- content
def test_legend_lists_only_what_is_drawn_in_the_style_table_colours(ctx, artifacts):
    image = render(ctx, county="铜梁区", category="transport,water")
    (artifacts / "tongliang-transport-water.png").write_bytes(image.data)
    legend = [row["text"] for row in image.info["legend"]]
    categories = [
        t.split()[0]
        for t in legend
        if t.split()[0] in (label("category", c) for c in ("transport", "water", "energy"))
    ]
    assert categories and set(categories) <= {"交通", "水利"}
    assert "能源" not in " ".join(legend)
    # Category colours from the shared style table are really on the image (marker centres).
    pixels = np.asarray(Image.open(io.BytesIO(image.data)).convert("RGB")).reshape(-1, 3)
    red = [int(category_style("transport").color[i : i + 2], 16) for i in (1, 3, 5)]
    assert (pixels == red).all(axis=1).sum() > 20


def test_precision_is_drawn_honestly(sctx):
    image = render(sctx, county="忠县", labels="off")
    kinds = [row["kind"] for row in image.info["legend"]]
    texts = [row["text"] for row in image.info["legend"]]
    # county-level projects hatch the county (with a count), estimated routes get a band
    assert "hatch" in kinds and "band" in kinds
    assert any("仅定位到区县" in t for t in texts)
    content = build_content(sctx, rendering.strict_filters(sctx, {"county": ["忠县"]}), aspect=4 / 3)
    assert content.marks and all(m.precision in (1, 2, 5, 9) for m in content.marks)
    zhong = next(c for c in content.counties if c.name == "忠县")
    assert zhong.focus and zhong.county_level > 50
    assert all(not c.county_level for c in content.counties if not c.focus)


def test_labels_never_overlap_and_are_readable_at_a4_width(sctx, artifacts):
    image = render(sctx, county="忠县", width=1600, height=1200, dpi=150)
    (artifacts / "zhongxian-a4.png").write_bytes(image.data)
    boxes = [label_["box"] for label_ in image.info["labels"]]
    assert len(boxes) > 20
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if _overlaps(a, b)]
    # Printed 170 mm wide, a label is at least ~2 mm tall (about 6 pt).
    shortest = min(b[3] - b[1] for b in boxes)
    assert shortest / 1600 * 170 > 1.9


def test_no_labels_when_asked(sctx):
    image = render(sctx, county="忠县", labels="off")
    assert [x for x in image.info["labels"] if x["kind"] == "project"] == []


def test_a_filter_matching_nothing_is_a_map_with_a_note(ctx, artifacts):
    image = render(ctx, county="开州区", q="绝对没有这个项目")
    (artifacts / "empty.png").write_bytes(image.data)
    assert image.info["empty_note"] == rendering.NO_PROJECTS == "没有符合条件的项目"
    assert Image.open(io.BytesIO(image.data)).size == (800, 600)


def test_corridor_map_is_framed_on_its_projects(ctx, artifacts):
    image = render(ctx, corridor="line:changjiang-chongqing", distance_km=5)
    (artifacts / "yangtze-corridor.png").write_bytes(image.data)
    assert any("走廊" in row["text"] for row in image.info["legend"])
    xmin, _, xmax, _ = image.info["bounds"]
    assert xmax - xmin < 250_000  # the stretch with projects, not Chongqing–Yichang


def test_portrait_and_everything_maps(sctx, artifacts):
    portrait = render(sctx, county="垫江县", width=700, height=1000)
    (artifacts / "dianjiang-portrait.png").write_bytes(portrait.data)
    assert Image.open(io.BytesIO(portrait.data)).size == (700, 1000)
    everything = render(sctx, status="under_construction", category="water,energy")
    (artifacts / "water-energy-under-construction.png").write_bytes(everything.data)
    assert len(everything.info["focus_counties"]) >= 2  # framed on where the projects are


# ----------------------------------------------------------------------------- Chinese text
def test_the_cjk_font_is_installed_and_used(sctx, artifacts):
    assert "NotoSansCJK" in ensure_cjk_font()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = render(sctx, "pdf", county="铜梁区", title="铜梁区交通、水利项目（2023—2027年）·示意")
    (artifacts / "tongliang.pdf").write_bytes(image.data)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9-]+)", image.data))
    assert fonts and all(f.startswith(b"NotoSansCJK") for f in fonts), fonts
    assert CJK_FONT == "Noto Sans CJK SC"


def test_characters_the_font_lacks_become_a_visible_box_not_a_warning(sctx):
    assert printable("忠县😀") == "忠县□"
    render(
        sctx, county="忠县", title="忠县😀项目", labels="off"
    )  # -W error turns any glyph warning into a failure


# ----------------------------------------------------------------------------- determinism, cache
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_repeats_are_byte_identical_without_timestamps(spatialite_db, fmt, artifacts):
    with spatialite_db.session() as session:
        ctx = _context(spatialite_db, session)
        first = render(ctx, fmt, county="铜梁区", category="transport")
        rendering.clear_cache()
        second = render(ctx, fmt, county="铜梁区", category="transport")
    assert first is not second and first.data == second.data and first.etag == second.etag
    (artifacts / f"tongliang-transport.{fmt}").write_bytes(first.data)
    head = first.data[:4000]
    if fmt == "png":
        info = Image.open(io.BytesIO(first.data)).info
        assert info.get("Software") == "geoapp" and not {"Creation Time", "date:create", "Date"} & set(info)
    elif fmt == "pdf":
        assert b"/CreationDate" not in first.data and b"/ModDate" not in first.data
    else:
        assert b"<dc:date>" not in head


def test_cache_hits_are_fast_and_reingestion_invalidates_them(seeded_db):
    with seeded_db.session() as session:
        ctx = _context(seeded_db, session)
        first = render(ctx, county="垫江县", labels="off")
        start = time.perf_counter()
        again = render(ctx, county="垫江县", labels="off")
        assert again is first and time.perf_counter() - start < 0.1  # ≤ 20 ms in bench/bench_render.py
        # Another spelling of the same request is the same image.
        assert render(ctx, county="500231", labels="off") is first
    with seeded_db.session() as session:
        session.execute(
            update(Project)
            .where(Project.id == session.scalar(select(func.min(Project.id))))
            .values(updated_at=func.current_timestamp())
        )
    with seeded_db.session() as session:
        changed = render(_context(seeded_db, session), county="垫江县", labels="off")
    assert changed.etag != first.etag


def test_cache_size_zero_renders_every_time(spatialite_db):
    with spatialite_db.session() as session:
        ctx = _context(spatialite_db, session, render_cache_size=0)
        assert render(ctx, county="开州区", labels="off") is not render(ctx, county="开州区", labels="off")


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("params", "fmt", "message"),
    [
        ({"width": "0"}, "png", "width must be between"),
        ({"height": "20000"}, "png", "height must be between"),
        ({"dpi": "5"}, "png", "dpi must be between"),
        ({"width": "abc"}, "png", "width must be an integer"),
        ({"width": "6000", "height": "6001"}, "png", "pixels is more than"),
        ({"county": "不存在县"}, "png", "unknown county '不存在县'"),
        ({"county": "999999"}, "png", "unknown county '999999'"),
        ({"corridor": "line:nowhere"}, "png", "unknown corridor"),
        ({"basemap": "hillshade"}, "png", "not available"),
        ({"basemap": "satellite"}, "png", "unknown basemap"),
        ({"labels": "perhaps"}, "png", "labels must be on or off"),
        ({"title": "长" * 81}, "png", "title is longer"),
        ({}, "gif", "unsupported image format"),
    ],
)
def test_bad_input_is_invalid_parameter(ctx, params, fmt, message):
    with pytest.raises(InvalidParameter, match=re.escape(message)):
        rendering.render_map(ctx, {k: [v] for k, v in params.items()}, fmt)


def test_the_pixel_cap_is_a_setting(spatialite_db):
    with spatialite_db.session() as session:
        ctx = _context(spatialite_db, session, render_max_pixels=480_000)
        with pytest.raises(InvalidParameter, match="480000"):
            render(ctx, width=800, height=601)


def test_layout_keeps_sizes_proportional():
    small, large = layout(800, 600, 100), layout(3200, 2400, 300)
    assert small.scale == pytest.approx(8 / 6.7) and large.scale == pytest.approx(10.6667 / 6.7, rel=1e-3)
    assert small.map_rect[2] / small.map_rect[3] == pytest.approx(large.map_rect[2] / large.map_rect[3])


# ----------------------------------------------------------------------------- the command
def test_geoapp_render_writes_the_same_image(spatialite_db, tmp_path, artifacts):
    out = tmp_path / "忠县.png"
    env = {**os.environ, "GEOAPP_DATABASE_URL": spatialite_db.url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "geoapp.cli",
            "render",
            "--county",
            "忠县",
            "--category",
            "transport",
            "--width",
            "800",
            "--height",
            "600",
            "--dpi",
            "100",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {out}"
    (artifacts / "cli.png").write_bytes(out.read_bytes())
    with spatialite_db.session() as session:
        same = render(_context(spatialite_db, session), county="忠县", category="transport")
    assert out.read_bytes() == same.data


def test_geoapp_render_makes_one_image_per_county_with_a_bar_on_a_terminal(spatialite_db, tmp_path):
    from tests.test_cli import run_on_terminal

    env = {"GEOAPP_DATABASE_URL": spatialite_db.url}
    pattern = tmp_path / "maps" / "{county}.png"
    code, out, terminal = run_on_terminal(
        "render", "--county", "忠县", "--county", "垫江县", "--width", "400", "--height", "300", "--dpi", "72",
        "--no-labels", "--output", str(pattern), env=env,
    )  # fmt: skip
    written = [tmp_path / "maps" / "忠县.png", tmp_path / "maps" / "垫江县.png"]
    assert code == 0 and out.splitlines() == [f"wrote {p}" for p in written]
    assert (
        all(p.read_bytes().startswith(b"\x89PNG") for p in written)
        and written[0].read_bytes() != written[1].read_bytes()
    )
    assert "rendering" in terminal and "2/2" in terminal
    bad = subprocess.run([sys.executable, "-m", "geoapp.cli", "render", "-o", str(pattern)], capture_output=True,
                         text=True, env={**os.environ, **env}, cwd=ROOT, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and "{county}" in bad.stderr


def test_render_to_file_checks_the_suffix_and_the_filters(spatialite_db, tmp_path):
    settings = load_settings(overrides={"database_url": spatialite_db.url})
    with pytest.raises(InvalidParameter, match=re.escape("unsupported image format '.gif'")):
        rendering.render_to_file(spatialite_db, settings, {}, tmp_path / "map.gif")
    with pytest.raises(InvalidParameter, match=re.escape("unknown county '火星'")):
        rendering.render_to_file(spatialite_db, settings, {"county": ["火星"]}, tmp_path / "map.png")
    out = rendering.render_to_file(
        spatialite_db, settings, {**SMALL, "county": ["开州区"]}, tmp_path / "开州.SVG"
    )
    assert out.read_bytes().startswith(b"<?xml") and not (tmp_path / "map.png").exists()


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)  # drawing does not depend on the backend
def test_corrected_projects_are_marked_on_the_images(seeded_db, artifacts):
    from geoapp.editing import correct
    from geoapp.maps.canvas import _CORRECTED
    from geoapp.store.accounts import add_user

    with seeded_db.session() as session:
        user = add_user(session, "carto", "editor")
        ids = session.scalars(
            select(Project.id)
            .where(Project.precision == 3, Project.county_name == "忠县")
            .order_by(Project.id)
        ).all()[:2]
    edit = Context(None, seeded_db.backend, {}, database=seeded_db)  # type: ignore[arg-type]
    point = {"type": "Point", "coordinates": [108.0412, 30.2915]}
    line = {"type": "LineString", "coordinates": [[107.95, 30.33], [108.02, 30.30]]}
    for pid, geom in zip(ids, (point, line), strict=True):
        correct(edit, user, pid, {"changes": {"geometry": geom}, "comment": "现场核实"})
    rendering.clear_cache()
    with seeded_db.session() as session:
        ctx = _context(seeded_db, session)
        png = render(ctx, county="忠县", labels="off")
        svg = render(ctx, "svg", county="忠县", labels="off")  # PDF is drawn by the same code
    (artifacts / "zhongxian-corrected.png").write_bytes(png.data)
    assert png.info["corrected"] == 2
    rows = [(row["kind"], row["text"]) for row in png.info["legend"]]
    assert ("corrected", "人工校正  2") in rows
    pixels = np.asarray(Image.open(io.BytesIO(png.data)).convert("RGB")).reshape(-1, 3)
    rgb = [int(_CORRECTED[i : i + 2], 16) for i in (1, 3, 5)]
    assert (np.abs(pixels.astype(int) - rgb).sum(axis=1) < 30).sum() > 40  # frames, halo and legend swatch
    assert _CORRECTED.encode() in svg.data and "人工校正" in svg.data.decode()  # text as a comment
    assert svg.info["corrected"] == 2
