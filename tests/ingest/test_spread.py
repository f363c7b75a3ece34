"""Lists of places sharing one work, in prose (geoapp.ingest.spread)."""

from geoapp.ingest.document import analyse_text

HEAD = "璧山区2024年政府工作报告\n"


def _items(gazetteer, sentence):
    return {it.name: it for it in analyse_text(HEAD + sentence + "\n", gazetteer).items}


def test_a_shared_head_is_spread_over_the_listed_towns(gazetteer):
    items = _items(gazetteer, "新建青杠、丁家、来凤110千伏变电站。")
    for town in ("青杠", "丁家", "来凤"):
        assert f"{town}110千伏变电站" in items, sorted(items)
    assert items["青杠110千伏变电站"].precision == 2
    # the towns are named inside the works now, not items of their own
    assert "青杠" not in items and "丁家" not in items


def test_a_counted_list_replaces_the_bare_head(gazetteer):
    items = _items(gazetteer, "实施八塘、七塘、河边三个镇的产业园区连接道。")
    assert {"八塘产业园区连接道", "七塘产业园区连接道", "河边产业园区连接道"} <= set(items)
    assert "产业园区连接道" not in items and "八塘" not in items


def test_lists_of_works_counts_of_works_and_generic_programmes_are_not_spread(gazetteer):
    items = _items(
        gazetteer,
        "建成白石水库、黄钦水库、金鸡水库，打造茶叶、蔬菜两个万亩基地，推进青杠、丁家街道老旧小区改造。",
    )
    assert not any(name.startswith(("白石水库水", "黄钦水库水")) for name in items), sorted(items)
    assert not any(name.endswith("老旧小区") and name.startswith("青杠") for name in items), sorted(items)


def test_a_counted_station_list_names_one_station_per_item(gazetteer):
    text = "凤凰县2024年政府工作报告\n张吉怀铁路沿线设张家界西、回龙西、永顺、古丈西等8座车站。\n"
    items = {it.name: it for it in analyse_text(text, gazetteer).items}
    for name in ("张家界西站", "回龙西站", "永顺站", "古丈西站"):
        assert name in items and items[name].subtype == "station", sorted(items)
    assert "设张家界西站" not in items and "永顺" not in items


def test_a_water_work_shared_by_a_list_of_rivers(gazetteer):
    text = "北碚区2024年政府工作报告\n实施嘉陵江北碚段、梁滩河、龙凤溪流域水环境综合治理。\n"
    names = {it.name for it in analyse_text(text, gazetteer).items}
    for river in ("嘉陵江北碚段", "梁滩河", "龙凤溪"):
        assert any(n.startswith(river) and n.endswith("综合治理") for n in names), names
    assert not any(n.startswith("实施") for n in names)
