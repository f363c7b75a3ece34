"""Finer placement from the clause around a name (geoapp.ingest.context)."""

import pytest
import shapely

from geoapp.ingest.context import clause_of, place_from_context
from geoapp.ingest.locate import locate


@pytest.fixture(scope="module")
def zhong(gazetteer):
    return gazetteer.county("忠县")


def test_clause_of():
    assert clause_of("一是加快建设甲项目，在石宝镇建设乙工程；丙", "乙工程") == ("在石宝镇建设乙工程", 6)
    assert clause_of("甲乙", "丁") == ("甲乙", -1)


def test_a_township_in_the_clause_places_the_project_near_it(gazetteer, zhong):
    town = gazetteer.get(next(e.id for e in gazetteer.of_kind("township")
                              if e.name == "石宝镇" and e.county_code == zhong.code))
    loc = locate(gazetteer, "柑橘加工厂", zhong, sentence="推进产业升级，在石宝镇建设柑橘加工厂。", surface="柑橘加工厂")
    assert loc.precision == 2 and loc.geometry.equals(shapely.Point(town.point))
    assert "石宝镇" in loc.note and "半径约2公里" in loc.note


def test_a_town_in_another_list_item_or_two_towns_say_nothing(gazetteer, zhong):
    listed = "建设石宝镇污水处理厂、柑橘加工厂等项目"
    assert place_from_context(gazetteer, zhong, "柑橘加工厂", listed, "柑橘加工厂") is None
    two = "在石宝镇和新生街道建设柑橘加工厂"
    assert place_from_context(gazetteer, zhong, "柑橘加工厂", two, "柑橘加工厂") is None


def test_urban_words_and_the_county_own_institutions_mean_the_county_town(gazetteer, zhong):
    for name, sentence in (("县人民医院", "县人民医院获评三级医院"), ("排水管网改造", "实施城区排水管网改造")):
        loc = locate(gazetteer, name, zhong, sentence=sentence, surface=name)
        assert loc.precision == 2 and loc.geometry.equals(shapely.Point(zhong.point)), name
        assert "县城" in loc.note and "半径约5公里" in loc.note
    # a name the gazetteer knows is not moved by its clause
    assert locate(gazetteer, "忠县", zhong, sentence="城区的忠县", surface="忠县").precision == 3
    # nothing in the clause: county level, as before
    assert locate(gazetteer, "柑橘加工厂", zhong, sentence="建设柑橘加工厂", surface="柑橘加工厂").precision == 3
