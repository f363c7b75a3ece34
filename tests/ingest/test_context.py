"""Finer placement from the clause around a name (geoapp.ingest.nearby)."""

import pytest
import shapely

from geoapp.ingest.locate import locate
from geoapp.ingest.nearby import clause_of, place_from_context


@pytest.fixture(scope="module")
def zhong(gazetteer):
    return gazetteer.county("忠县")


def test_clause_of():
    assert clause_of("一是加快建设甲项目，在石宝镇建设乙工程；丙", "乙工程") == ("在石宝镇建设乙工程", 6)
    assert clause_of("甲乙", "丁") == ("甲乙", -1)


def test_a_township_in_the_clause_places_the_project_near_it(gazetteer, zhong):
    town = gazetteer.get(
        next(
            e.id for e in gazetteer.of_kind("township") if e.name == "石宝镇" and e.county_code == zhong.code
        )
    )
    loc = locate(
        gazetteer,
        "柑橘加工厂",
        zhong,
        sentence="推进产业升级，在石宝镇建设柑橘加工厂。",
        surface="柑橘加工厂",
    )
    assert loc.precision == 2 and loc.geometry.equals(shapely.Point(town.point))
    assert "石宝镇" in loc.note and "半径约2公里" in loc.note


def test_a_town_in_another_list_item_or_two_towns_say_nothing(gazetteer, zhong):
    listed = "建设石宝镇污水处理厂、柑橘加工厂等项目"
    assert place_from_context(gazetteer, zhong, "柑橘加工厂", listed, "柑橘加工厂") is None
    two = "在石宝镇和新生街道建设柑橘加工厂"
    assert place_from_context(gazetteer, zhong, "柑橘加工厂", two, "柑橘加工厂") is None


def test_urban_words_and_the_county_own_institutions_mean_the_county_town(gazetteer, zhong):
    for name, sentence in (
        ("县人民医院", "县人民医院获评三级医院"),
        ("排水管网改造", "实施城区排水管网改造"),
    ):
        loc = locate(gazetteer, name, zhong, sentence=sentence, surface=name)
        assert loc.precision == 2 and loc.geometry.equals(shapely.Point(zhong.point)), name
        assert "县城" in loc.note and "半径约5公里" in loc.note
    # a name the gazetteer knows is not moved by its clause
    assert locate(gazetteer, "忠县", zhong, sentence="城区的忠县", surface="忠县").precision == 3
    # nothing in the clause: county level, as before
    assert (
        locate(gazetteer, "柑橘加工厂", zhong, sentence="建设柑橘加工厂", surface="柑橘加工厂").precision == 3
    )


def test_a_village_of_the_county_places_the_project_near_its_township(gazetteer, zhong):
    # 万顺村 (NBS 500233206203) belongs to 涂井乡 of 忠县; other counties have a 万顺村 too
    township = gazetteer.get("twn:500233206")
    loc = locate(gazetteer, "生态农业园", zhong, sentence="推进万顺村生态农业园建设", surface="生态农业园")
    assert loc.precision == 2 and loc.geometry.equals(shapely.Point(township.point))
    assert "万顺村" in loc.note and township.name in loc.note


def test_a_village_name_shared_by_two_townships_of_the_county_says_nothing(gazetteer):
    wanzhou = gazetteer.county("万州区")  # has two 凤凰村 (NBS village list)
    loc = locate(gazetteer, "柑橘园", wanzhou, sentence="建设凤凰村柑橘园", surface="柑橘园")
    assert loc.precision == 3


def test_streets_town_facilities_and_the_seat_former_name_mean_the_county_town(gazetteer, zhong):
    for name in ("人民路改扩建", "忠义大道", "北门老旧小区配套基础设施整治提升项目", "巴山粮库市政道路"):
        loc = locate(gazetteer, name, zhong, sentence=f"完成{name}。", surface=name)
        assert loc.precision == 2 and loc.geometry.equals(shapely.Point(zhong.point)), name
    seat = gazetteer.get("twn:500233001")  # 忠州街道: 忠州 is also 忠县's former name
    loc = locate(gazetteer, "忠州中学", zhong, sentence="忠州中学迁建工程全面完工", surface="忠州中学")
    assert loc.precision == 2 and loc.geometry.equals(shapely.Point(seat.point))


def test_routes_and_road_classes_are_not_streets_of_the_town(gazetteer, zhong):
    for name, sentence in (
        ("城区至开州港", "推进城区至郭家、城区至开州港快速通道前期工作"),
        ("铜梁城区至重庆新机场高速公路", "建设铜梁城区至重庆新机场高速公路"),
        ("主次干路", "完善主次干路"),
        ("赶考之路", "走好新的赶考之路"),
    ):
        assert locate(gazetteer, name, zhong, sentence=sentence, surface=name).precision != 2, name


def test_a_known_work_without_a_position_is_placed_by_its_clause_and_keeps_its_identity(gazetteer, zhong):
    plain = locate(gazetteer, "忠县通用机场", zhong, sentence="推进忠县通用机场建设", surface="忠县通用机场")
    assert plain.precision == 3 and plain.exact_entry == "feat:zhong-zhongxiantongyongjichang"
    town = next(
        e for e in gazetteer.of_kind("township") if e.name == "石宝镇" and e.county_code == zhong.code
    )
    loc = locate(
        gazetteer, "忠县通用机场", zhong, sentence="在石宝镇建设忠县通用机场", surface="忠县通用机场"
    )
    assert loc.precision == 2 and loc.geometry.equals(shapely.Point(town.point))
    assert loc.exact_entry == plain.exact_entry


def test_a_homonym_outside_the_province_needs_evidence_in_the_text(gazetteer):
    beibei = gazetteer.county("北碚区")
    # 老城镇 (湖北松滋) and 新城区 (陕西西安) hide in these names; nothing in the text points there
    for name in ("北碚老城", "桃花新城核心区", "温泉酒店"):
        loc = locate(gazetteer, name, beibei, sentence=f"推进{name}建设", surface=name)
        assert [c for c, _ in loc.counties] == [beibei.code], name
    # 先市镇 is a township of 合江县 (四川) only: without evidence it is not taken, named with
    # its province or county it is
    name = "先市镇酱油厂"
    loc = locate(gazetteer, name, beibei, sentence=f"推进{name}建设", surface=name)
    assert [c for c, _ in loc.counties] == [beibei.code]
    loc = locate(gazetteer, name, beibei, sentence=f"与四川合江县合作建设{name}", surface=name)
    assert loc.counties[0][1] == "合江县"


def test_a_village_named_in_prose_is_a_place_near_its_township(gazetteer):
    from geoapp.ingest.document import analyse_text

    text = "忠县2024年工作要点\n走进涂井乡万顺村，新修的公路通到了家门口。建设独珠村美丽乡村示范点。\n"
    items = {it.name: it for it in analyse_text(text, gazetteer).items}
    village = items["万顺村"]
    assert village.kind == "place" and village.precision == 2
    assert village.geometry.equals(shapely.Point(gazetteer.get("twn:500233206").point))
    # a village inside a work's name is part of that name, not a place of its own
    assert "独珠村" not in items
