"""Measured quality of the built gazetteer against independent sources.

* GeoNames township points (one source) must fall inside the Amap county
  outlines (another source) — after the GCJ-02 conversion;
* every county seat must lie inside its county, and agree with a second,
  independent list of seats (cpca's Amap seat coordinates, GCJ-02, converted);
* curated features must lie in the counties their rows claim.
"""

import csv
from pathlib import Path

import shapely

from gazetteer.datum import gcj02_to_wgs84
from gazetteer.resolver import _km

DATA = Path(__file__).resolve().parent.parent / "data"
SEED_COUNTIES = ("500233", "500231", "500151", "500154")


def test_every_official_township_of_the_seed_counties_is_present(gazetteer):
    expected = {"500233": 29, "500231": 26, "500151": 28, "500154": 40}  # NBS 2023 lists
    for code, n in expected.items():
        towns = [e for e in gazetteer.of_kind("township") if e.county_code == code]
        assert len(towns) == n, code


def test_every_township_point_lies_inside_its_county(gazetteer):
    outside = []
    for town in gazetteer.of_kind("township"):
        if town.precision != 1:
            continue  # placed at the seat, with precision 3: checked below
        county = gazetteer.get(f"adm:{town.county_code}")
        if not county.geometry.contains(shapely.Point(town.point)):
            outside.append(town.name)
    assert outside == []


def test_most_seed_county_townships_have_their_own_point(gazetteer):
    towns = [e for e in gazetteer.of_kind("township") if e.county_code in SEED_COUNTIES]
    located = [t for t in towns if t.precision == 1]
    assert len(located) / len(towns) >= 0.9  # 116 of 123 measured at the time of writing


def test_every_county_seat_lies_inside_its_county(gazetteer):
    for county in gazetteer.of_kind("county"):
        if county.admin[0] != "重庆市":
            continue
        assert county.geometry.contains(shapely.Point(county.point)), county.name


def test_county_seats_agree_with_an_independent_list(gazetteer):
    with open(DATA / "reference_county_seats.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    distances = {}
    for row in rows:
        county = gazetteer.get(f"adm:{row['adcode']}")
        if county is None:  # the list predates 梁平/武隆 becoming districts (new codes)
            continue
        lon, lat = gcj02_to_wgs84(float(row["lon_gcj02"]), float(row["lat_gcj02"]))
        distances[county.name] = _km((lon, lat), county.point)
    assert len(distances) >= 36
    far = {name: round(d, 1) for name, d in distances.items() if d > 7}
    assert far == {}
    assert sorted(distances.values())[len(distances) // 2] < 2  # median within 2 km


def test_curated_features_lie_in_their_counties(gazetteer):
    wrong = []
    for f in gazetteer.of_kind("feature"):
        if f.precision >= 3 or f.geometry.geom_type != "Point":
            continue
        county = gazetteer.county_at(*f.point)
        if county is None or county.code not in f.county_codes:
            wrong.append((f.name, county.name if county else None))
    assert wrong == []


def test_every_entry_has_a_source_and_a_valid_precision(gazetteer):
    for e in gazetteer.entries:
        assert e.source, e.id
        assert 1 <= e.precision <= 6, e.id
        assert 1 <= e.location_class <= 4, e.id
        assert e.geometry.is_valid or e.kind in ("line",), e.id


def test_autonomous_units_go_by_their_conventional_short_forms(gazetteer):
    """恩施州, 湘西州, 沿河县: the form documents use, in every province loaded."""
    for short, full in [
        ("恩施州", "恩施土家族苗族自治州"),
        ("湘西州", "湘西土家族苗族自治州"),
        ("沿河县", "沿河土家族自治县"),
    ]:
        spans = gazetteer.find_names(f"对接{short}重点项目")
        assert [(s.text, s.entries[0].name) for s in spans] == [(short, full)]


def test_a_line_named_by_the_facilities_at_its_ends_runs_between_their_places(gazetteer):
    """高峰净化厂—新田调压计量站中压管线: a gas line from the plant at 高峰 to the station at
    新田, drawn through both (its rating, 中压, is not part of an end's name)."""
    m = gazetteer.geocode("高峰净化厂—新田调压计量站中压管线", county="万州区")[0]
    assert m.geometry.geom_type == "LineString" and m.precision == 5
    assert [p["name"] for p in m.parts] == ["高峰街道", "新田镇"]
