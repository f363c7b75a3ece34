"""Name resolution: places, corridors, segments, homonyms, bad input."""

import pytest
import shapely

from gazetteer import MAX_QUERY_LENGTH, UnknownPlace

SEED_COUNTIES = {"忠县": "500233", "垫江县": "500231", "铜梁区": "500151", "开州区": "500154"}


def best(gaz, text, county=None):
    matches = gaz.geocode(text, county=county)
    assert matches, gaz.resolve(text, county=county).reason
    return matches[0]


def county_of(gaz, match):
    c = match.geometry.representative_point()
    return gaz.county_at(c.x, c.y).name


@pytest.mark.parametrize(
    "name, county, precision",
    [
        ("新生港", "忠县", {1, 2}),
        ("乌杨新区", "忠县", {2, 3}),
        ("汉丰湖", "开州区", {1, 2}),
        ("安居古城", "铜梁区", {1, 2}),
        ("石宝寨", "忠县", {1, 2}),
    ],
)
def test_named_landmarks_land_in_their_county(gazetteer, name, county, precision):
    m = best(gazetteer, name)
    assert m.matched_name == name
    assert county_of(gazetteer, m) == county
    assert m.precision in precision
    assert m.source  # every geometry says where it comes from


def test_mingyue_mountain_spans_several_counties(gazetteer):
    m = best(gazetteer, "明月山")
    assert m.geometry.geom_type in ("LineString", "MultiLineString", "Polygon", "MultiPolygon")
    crossed = {c.name for c in gazetteer.counties_along(m.geometry)}
    assert {"垫江县", "梁平区"} <= crossed or {"垫江县", "长寿区"} <= crossed
    assert len(crossed) >= 3


@pytest.mark.parametrize(
    "name, waypoints",
    [
        ("梁忠石高速", ["梁平区", "忠县", "石柱土家族自治县"]),
        ("长垫梁开铁路", ["长寿区", "垫江县", "梁平区", "开州区"]),
        ("万开云城际", ["万州区", "开州区", "云阳县"]),
        ("黔忠万高铁", ["黔江区", "忠县", "万州区"]),
    ],
)
def test_corridor_names_decode_to_their_waypoints(gazetteer, name, waypoints):
    m = best(gazetteer, name)
    assert m.geometry.geom_type == "LineString"
    assert m.precision == 5 and m.estimated
    crossed = [c.name for c in gazetteer.counties_along(m.geometry)]
    for county in waypoints:
        assert county in crossed, (county, crossed)
    # waypoints keep their own precision
    assert all(p["precision"] in (1, 2, 3, 4) for p in m.parts)


def test_abbreviations_decode_generically_even_when_not_curated(gazetteer):
    # Not a curated line: decoded from 涪 (涪陵) + 丰 (丰都) + 忠 (忠县).
    m = best(gazetteer, "涪丰忠高速")
    assert m.method == "corridor"
    assert [p["name"] for p in m.parts] == ["涪陵区", "丰都县", "忠县"]


def test_ambiguous_abbreviation_takes_the_shortest_route(gazetteer):
    # 巫 is 巫山 or 巫溪; between 云阳 and 奉节 … the decoder picks the reading nearest its neighbours.
    m = best(gazetteer, "万开巫高速")
    assert m.parts[-1]["name"] in ("巫溪县", "巫山县")
    assert [p["name"] for p in m.parts][:2] == ["万州区", "开州区"]


def test_a_to_b_segment_is_a_line_between_resolved_places(gazetteer):
    m = best(gazetteer, "G350忠县至万州段", county="忠县")
    assert m.method == "segment" and m.precision == 5
    assert [p["name"] for p in m.parts] == ["忠县", "万州区"]
    assert "G350" in m.note


def test_a_via_b_to_c(gazetteer):
    m = best(gazetteer, "万州经开州至达州高速公路")
    names = [p["name"] for p in m.parts]
    assert names[0] == "万州区" and names[-1] == "达州市" and "开州区" in names


def test_county_context_decides_homonyms(gazetteer):
    with_context = best(gazetteer, "新生", county="忠县")
    assert "忠县" in with_context.admin_path
    without = best(gazetteer, "新生")
    assert without.ambiguous_with, "several 新生 exist: the answer must say so"
    assert "give a county" in without.note


def test_historical_names(gazetteer):
    assert best(gazetteer, "开县").matched_name == "开州区"
    assert best(gazetteer, "铜梁县").matched_name == "铜梁区"
    assert best(gazetteer, "梁平县").matched_name == "梁平区"


def test_prefixes_become_context(gazetteer):
    m = best(gazetteer, "重庆市忠县石宝镇")
    assert m.matched_name == "石宝镇" and "忠县" in m.admin_path


def test_facility_named_after_a_town_is_near_it(gazetteer):
    m = best(gazetteer, "石宝镇污水处理厂", county="忠县")
    assert m.matched_name == "石宝镇" and m.precision == 2 and m.estimated


def test_township_without_point_is_the_county_and_says_so(gazetteer):
    m = best(gazetteer, "白公街道", county="忠县")
    assert m.precision == 3
    assert m.geometry.geom_type in ("Polygon", "MultiPolygon")
    assert "no point" in m.note or "seat" in m.source


def test_unknown_county_context_is_an_error(gazetteer):
    with pytest.raises(UnknownPlace):
        gazetteer.geocode("新生", county="火星县")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty name"),
        ("   \t ", "empty name"),
        ("忠", "one character"),
        ("新" * 10_000, "too long"),
        ("\x00\x01\x02", "empty name"),
        ("？？！", "no letters"),
        ("查无此地名称", "no place named"),
        ("Paris 巴黎 Лондон", "no place named"),
    ],
)
def test_bad_input_gives_a_reason_not_an_exception(gazetteer, text, reason):
    result = gazetteer.resolve(text)
    assert result.matches == []
    assert reason in result.reason
    assert len(result.query) <= MAX_QUERY_LENGTH


def test_match_feature_carries_the_promised_properties(gazetteer):
    feature = best(gazetteer, "新生港").to_feature()
    props = feature["properties"]
    for key in (
        "precision",
        "location_class",
        "matched_name",
        "gazetteer_id",
        "admin",
        "source",
        "confidence",
    ):
        assert props[key] not in (None, ""), key
    assert shapely.geometry.shape(feature["geometry"]).is_valid


def test_find_names_in_running_text_skips_ordinary_words(gazetteer):
    text = "推进新生港建设，服务川渝合作，打通城乡通道，支持黄金镇发展"
    found = {s.text for s in gazetteer.find_names(text)}
    assert "新生港" in found and "黄金镇" in found
    assert "务川" not in found  # a Guizhou county hiding inside 服务川渝


def test_an_area_says_whether_it_is_a_point_with_a_radius_or_an_outline(gazetteer):
    district = best(gazetteer, "乌杨新区").properties()
    assert district["geometry_kind"] == "extent" and district["radius_km"] > 0
    county = best(gazetteer, "忠县").properties()
    assert county["geometry_kind"] == "area"
    port = best(gazetteer, "新生港").properties()
    assert port["geometry_kind"] == "point" and port["radius_km"] is not None


def test_a_section_of_a_route_in_a_county_is_the_route_clipped_to_it(gazetteer):
    """涪丰石高速丰都段: the estimated line of 涪丰石高速, only where it crosses 丰都县."""
    import shapely

    whole = gazetteer.resolve("涪丰石高速", limit=1).matches[0]
    part = gazetteer.resolve("涪丰石高速丰都段", limit=1).matches[0]
    assert part.geometry.geom_type in ("LineString", "MultiLineString") and part.precision == 5
    assert 0 < part.geometry.length < whole.geometry.length
    fengdu = gazetteer.county("丰都县").geometry
    assert shapely.within(part.geometry, fengdu.buffer(0.02))
    assert part.county_codes == ("500230",) and "丰都县" in part.note


def test_a_named_section_the_straight_estimate_misses_is_drawn_through(gazetteer):
    """渝怀铁路武隆段: the line 重庆–怀化 drawn straight misses 武隆区; the name says the route
    passes there, so the estimate goes through it and the section is the part inside."""
    m = gazetteer.resolve("渝怀铁路武隆段", county="武隆区").matches[0]
    wulong = gazetteer.county("武隆区")
    assert m.geometry.geom_type in ("LineString", "MultiLineString") and m.precision == 5
    assert m.county_codes == (wulong.code,)
    assert m.geometry.buffer(1e-9).within(wulong.geometry.buffer(0.011))
    # with its qualifier (二线) as well
    m = gazetteer.resolve("渝怀铁路二线黔江段", county="黔江区").matches[0]
    assert m.kind == "line" and m.county_codes == (gazetteer.county("黔江区").code,)


def test_the_main_rivers_are_lines_through_the_districts_they_cross(gazetteer):
    for river, counties in (
        ("乌江", ("彭水苗族土家族自治县", "武隆区", "涪陵区")),
        ("嘉陵江", ("合川区", "北碚区")),
    ):
        m = gazetteer.resolve(river).matches[0]
        assert m.kind == "line" and m.precision == 5 and m.estimated, river
        crossed = {gazetteer.county(c).code for c in counties}
        assert crossed <= set(m.county_codes), (river, m.county_codes)
    # 綦江 stays the district: the river of that name is not drawn (a short name of a county)
    assert gazetteer.resolve("綦江").matches[0].kind == "county"


def test_a_work_on_a_river_is_the_river_in_the_district_named_or_the_document_county(gazetteer):
    beibei, wulong = gazetteer.county("北碚区"), gazetteer.county("武隆区")
    m = gazetteer.resolve("嘉陵江北碚段水环境综合治理", county="北碚区").matches[0]
    assert m.kind == "line" and m.county_codes == (beibei.code,) and m.precision == 5
    m = gazetteer.resolve("乌江流域综合治理", county="武隆区").matches[0]
    assert m.county_codes == (wulong.code,)
    assert m.geometry.buffer(1e-9).within(wulong.geometry.buffer(0.011))
