"""The layer overlay in the resolver, without a database: precedence, counties, weak clues."""

import shapely

from gazetteer.layers import LayerFeatures, LayerIndex, LayerInfo, is_layer_id, layer_of


def overlay(gazetteer, rows, name="t", precision=1):
    """``rows``: (name, aliases, geometry) → the gazetteer with one layer of them."""
    layer = LayerFeatures(LayerInfo(name, "test source", "test licence", precision))
    for fid, (feature, aliases, geom) in enumerate(rows, start=1):
        layer.fids.append(fid)
        layer.names.append(feature)
        layer.aliases.append(tuple(aliases))
        layer.subtypes.append("")
        layer.classes.append(3)
        layer.county_codes.append(())
        layer.wkb.append(shapely.to_wkb(geom))

    def counties(geom):
        if geom.geom_type == "Point":
            c = gazetteer.county_at(geom.x, geom.y)
            return (c.code,) if c else ()
        return tuple(c.code for c in gazetteer.counties_along(geom))

    return gazetteer.with_layers(LayerIndex([layer], counties, gazetteer.layer_skip_keys()))


DIANJIANG = shapely.Point(107.35, 30.33)
ZHONG = shapely.Point(108.0312, 30.2953)


def test_the_base_gazetteer_is_unchanged(gazetteer):
    layered = overlay(gazetteer, [("忠州中学", (), ZHONG)])
    assert layered.geocode("忠州中学") and not gazetteer.geocode("忠州中学")
    assert gazetteer.layers is None and not gazetteer.knows("忠州中学")


def test_exact_alias_and_id(gazetteer):
    layered = overlay(gazetteer, [("忠州中学", ("忠县第一中学",), ZHONG)], name="schools")
    best = layered.geocode("忠县第一中学", county="忠县")[0]
    assert is_layer_id(best.gazetteer_id) and layer_of(best.gazetteer_id) == "schools"
    assert best.precision == 1 and not best.estimated and "test licence" in best.source
    assert layered.get(best.gazetteer_id).name == "忠州中学"
    assert best.county_codes == ("500233",)


def test_a_layer_line_replaces_the_waypoint_line(gazetteer):
    centreline = shapely.LineString([(107.86, 30.58), (107.99, 30.36), (108.09, 30.12)])
    builtin = gazetteer.geocode("梁忠石高速", county="忠县")[0]
    assert builtin.precision == 5 and builtin.estimated
    best = overlay(gazetteer, [("梁忠石高速", (), centreline)]).geocode("梁忠石高速", county="忠县")[0]
    assert is_layer_id(best.gazetteer_id) and best.precision == 2 and best.geometry.equals(centreline)


def test_weak_clues_inside_longer_names_are_not_used(gazetteer):
    layered = overlay(gazetteer, [("人民医院", (), DIANJIANG), ("中学", (), ZHONG)])
    # another county's feature inside a longer name says nothing about where this one is
    assert not any(is_layer_id(m.gazetteer_id) for m in layered.geocode("县人民医院新院区", county="忠县"))
    # nor does a two-character name
    assert not any(is_layer_id(m.gazetteer_id) for m in layered.geocode("忠州中学改扩建", county="忠县"))
    # the county's own feature inside a longer name places it near (precision 2)
    near = overlay(gazetteer, [("人民医院", (), ZHONG)]).geocode("县人民医院新院区", county="忠县")[0]
    assert is_layer_id(near.gazetteer_id) and near.precision == 2


def test_a_route_section_is_cut_from_the_layer_centreline(gazetteer):
    builtin = gazetteer.geocode("G350忠县至南溪", county="忠县")[0]
    a, b = builtin.parts[0], builtin.parts[-1]
    # a made-up G350 centreline that passes both ends and runs on beyond them
    start, end = (a["lon"], a["lat"]), (b["lon"], b["lat"])
    before = (2 * start[0] - end[0], 2 * start[1] - end[1])
    after = (2 * end[0] - start[0], 2 * end[1] - start[1])
    centreline = shapely.LineString([before, start, ((start[0] + end[0]) / 2, start[1] + 0.01), end, after])
    best = overlay(gazetteer, [("G350", ("国道350线",), centreline)]).geocode(
        "G350忠县至南溪", county="忠县"
    )[0]
    assert is_layer_id(best.gazetteer_id) and best.precision == 2 and best.method == "segment"
    assert best.geometry.length < centreline.length / 2
    coords = list(best.geometry.coords)
    assert {coords[0], coords[-1]} == {start, end}
