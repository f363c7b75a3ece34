"""Titles and designations are not works (geoapp.ingest.screen)."""

import pytest

from geoapp.ingest.document import analyse_text
from geoapp.ingest.screen import is_title


@pytest.mark.parametrize(
    "name",
    [
        "国家AAAA级旅游景区",
        "国家级杂交水稻种子生产基地",
        "渝东南综合交通枢纽",
        "重庆市生态文明示范区",
        "市级化学原料药特色产业示范基地",
    ],
)
def test_titles(gazetteer, name):
    assert is_title(name, gazetteer)


@pytest.mark.parametrize(
    "name",
    [
        "忠县国家农业科技园区",
        "川渝东部会展中心",
        "重庆忠县新生港",
        "渝东北农副产品冷链加工集配中心",
        "新生港铁公水多式联运枢纽",
    ],
)
def test_works_named_with_a_scope_or_a_place_are_not_titles(gazetteer, name):
    assert not is_title(name, gazetteer)


def test_a_title_in_prose_is_not_mapped_but_a_table_row_is(gazetteer):
    text = (
        "忠县2024年重点工作\n"
        "一、创建国家AAAA级旅游景区，加快建设石宝寨景区提升工程。\n"
        "序号\t项目名称\t建设内容\n1\t国家级柑橘种苗繁育基地\t建设柑橘种苗繁育基地\n"
    )
    names = {it.name for it in analyse_text(text, gazetteer).items}
    assert "国家AAAA级旅游景区" not in names
    assert "国家级柑橘种苗繁育基地" in names


def test_a_county_named_before_its_own_township_only_qualifies_it(gazetteer):
    text = "璧山区2024年政府工作报告\n需要说明的是，本区来凤街道与南川区兴隆镇、万州区双河口街道均不同名。\n"
    items = {(it.name, it.county_name) for it in analyse_text(text, gazetteer).items}
    assert ("兴隆镇", "南川区") in items and ("双河口街道", "万州区") in items, items
    assert not {name for name, _ in items} & {"南川区", "万州区"}


def test_a_town_named_inside_a_work_is_not_a_place_of_its_own_but_a_route_stop_is(gazetteer):
    text = "巴南区2024年重点项目\n推进东温泉镇康养旅游区提档升级，建设鱼洞至界石快速通道。东温泉镇将举办旅游节。\n"
    items = analyse_text(text, gazetteer).items
    places = [it for it in items if it.kind == "place"]
    names = {it.name for it in items}
    assert "东温泉镇康养旅游区" in names or "东温泉镇康养旅游区提档升级" in names, names
    # one 东温泉镇 place: from the last sentence, where the town is named on its own
    town = [it for it in places if it.name.startswith("东温泉")]
    assert len(town) == 1 and len(town[0].mentions) == 1, [(it.name, len(it.mentions)) for it in town]
    assert {"鱼洞", "界石"} & {it.name.rstrip("镇街道") for it in places}, names
