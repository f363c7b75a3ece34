"""Finding, classifying and placing projects in prose — rules, not special cases.

Every text here is made up in the style of a plan for a county (云阳县, 梁平区 …),
so the rules are exercised away from the seed documents.
"""

import pytest

from geoapp.ingest.document import analyse_text

HEADER = "云阳县人民政府\n云阳县推动高质量发展行动方案（2024—2028年）\n一、重点任务\n"


def items(gazetteer, body, header=HEADER):
    """Items by name and by every alias (the gazetteer's name wins, the document's wording stays an alias)."""
    analysis = analyse_text(header + body, gazetteer)
    found = {}
    for it in analysis.items:
        for name in (*it.aliases, it.name):
            found[name] = it
    return found, analysis


def test_document_county_comes_from_issuer_and_title(gazetteer):
    _, analysis = items(gazetteer, "加快建设云阳港。")
    assert analysis.county.name == "云阳县"


def test_coordinated_list_shares_its_suffix(gazetteer):
    found, _ = items(gazetteer, "完工渝西、成达万高铁，推动万开云城际前期工作。")
    assert "成达万高铁" in found and "渝西高铁" in found
    assert found["成达万高铁"].subtype == "high_speed_rail"
    assert found["成达万高铁"].status == "built"
    assert found["万开云城际"].status == "planned"


def test_road_codes_and_segments(gazetteer):
    found, _ = items(gazetteer, "开工建设G350云阳至双江段，积极推进G348改造。")
    seg = next(it for name, it in found.items() if name.startswith("G350云阳"))
    assert seg.category == "transport" and seg.subtype == "national_highway"
    assert seg.geometry.geom_type == "LineString" and seg.precision == 5
    assert seg.status == "under_construction"


def test_status_cue_after_the_names(gazetteer):
    found, _ = items(gazetteer, "积极推进巫云开高速、万州至开州快速通道等项目前期工作。")
    assert found["巫云开高速"].status == "planned"
    assert found["巫云开高速"].status_phrase in ("前期工作", "项目前期", "前期")


def test_towns_named_as_places(gazetteer):
    found, _ = items(gazetteer, "推进双江街道、青龙街道和盘龙街道城市更新，支持故陵镇发展乡村旅游。")
    for town in ("双江街道", "青龙街道", "盘龙街道", "故陵镇"):
        assert found[town].kind == "place" and found[town].precision == 1


def test_facility_at_a_town_is_near_it(gazetteer):
    found, _ = items(gazetteer, "建成故陵镇污水处理厂。")
    plant = found["故陵镇污水处理厂"]
    assert plant.kind == "project" and plant.category == "water"
    assert plant.precision == 2 and "故陵" in plant.location_note


@pytest.mark.parametrize(
    "phrase", ["老旧小区改造", "5G覆盖", "营商环境", "高标准农田建设", "城市燃气管网", "一江两岸四片区"]
)
def test_generic_policy_phrases_are_not_projects(gazetteer, phrase):
    found, _ = items(gazetteer, f"持续推进{phrase}，全面优化{phrase}。")
    assert not any(phrase in name for name in found), found.keys()


def test_unknown_facility_gets_its_county_honestly(gazetteer):
    found, _ = items(gazetteer, "新建云阳县青峰智能制造产业园。")
    park = next(it for name, it in found.items() if "青峰智能制造产业园" in name)
    assert park.category == "industry"
    assert park.precision == 3 and park.geometry.geom_type in ("Polygon", "MultiPolygon")
    assert "仅知所在区县" in park.location_note
    assert park.counties[0] == ("500235", "云阳县")


def test_cross_county_works_list_every_county(gazetteer):
    found, _ = items(gazetteer, "建成梁忠石高速。")
    counties = [name for _, name in found["梁忠石高速"].counties]
    assert {"梁平区", "忠县", "石柱土家族自治县"} <= set(counties)


def test_table_rows_become_projects_with_fields(gazetteer):
    table = (
        "附件1\n重点项目表\n\t序号\n\t项目名称\n\t建设批次\n\t建设年限\n\t总投资（万元）\n\t牵头单位\n\n"
        "\t一、交通\n\n"
        "\t1\n\t云阳港综合码头扩能工程\n\t续建\n\t2023—2026年\n\t85000\n\t县交通局\n\n"
        "\t2\n\t龙缸景区提档升级项目\n\t前期\n\t2025—2027年\n\t36000\n\t县文化旅游委\n"
    )
    found, _ = items(gazetteer, "加快建设云阳港。\n", header=HEADER + "\n" + "二、保障\n" + table)
    port = next(it for name, it in found.items() if name.startswith("云阳港综合码头"))
    assert port.investment_wan == 85000 and (port.period_start, port.period_end) == (2023, 2026)
    assert port.status == "under_construction" and port.lead_unit == "县交通局"
    scenic = next(it for name, it in found.items() if name.startswith("龙缸景区"))
    assert scenic.status == "planned" and scenic.category == "tourism_culture"


def test_mentions_point_at_their_sentence_and_section(gazetteer):
    found, analysis = items(gazetteer, "（一）交通\n1. 构建立体交通网。开工建设巫云开高速。\n")
    m = found["巫云开高速"].mentions[0]
    assert analysis.raw.text[m.start : m.end] == "巫云开高速"
    assert "开工建设巫云开高速" in m.sentence
    assert m.section.endswith("1.构建立体交通网")


def test_far_county_short_names_only_as_route_ends(gazetteer):
    """开江 (四川) is a place where a route ends there; 通道 (湖南通道县) and 新城 (西安新城区)
    at the head of ordinary words are not places at all."""
    found, _ = items(
        gazetteer,
        "推进云阳至开江快速通道前期工作。创新通道经济、枢纽经济、门户经济发展模式。"
        "完善新城配套、老城更新、园区服务等公共设施。",
    )
    assert found["开江"].kind == "place" and found["开江"].counties[0][1] == "开江县"
    assert "通道" not in found and "新城" not in found
    assert not any(it.counties and it.counties[0][1] in ("通道侗族自治县", "新城区") for it in found.values())


def test_a_shore_is_not_a_named_water(gazetteer):
    """长寿湖沿湖 is the lakeside of 长寿湖, not a lake called so; 放大 is a verb, not a name."""
    found, _ = items(gazetteer, "打造长寿湖沿湖、澎溪河沿河乡村振兴示范带。放大明月山招商联盟联动效应。")
    assert not any(name.endswith(("沿湖", "沿河")) for name in found)
    assert "放大明月山" not in found and found["明月山"].subtype == "mountain"


def test_a_route_section_followed_by_what_is_done_there(gazetteer):
    from geoapp.ingest.document import analyse_text

    text = "北碚区2024年政府工作报告\n争取兰渝铁路、襄渝铁路北碚段客运功能提升。\n"
    names = {it.name for it in analyse_text(text, gazetteer).items}
    assert "襄渝铁路北碚段" in names, names


def test_routes_named_by_abbreviations_of_the_region_and_no_dangling_join(gazetteer):
    from geoapp.ingest.document import analyse_text

    text = "凤凰县2024年政府工作报告\n项目接入至渝怀铁路，加快沪昆客运专线、张吉怀铁路建设。\n"
    items = {it.name: it for it in analyse_text(text, gazetteer).items}
    assert {"渝怀铁路", "沪昆客运专线", "张吉怀铁路"} <= set(items), sorted(items)
    for name in ("渝怀铁路", "沪昆客运专线", "张吉怀铁路"):
        assert items[name].geometry.geom_type == "LineString", name
    assert "吉首" in items["张吉怀铁路"].location_note


def test_a_news_headline_names_its_county_by_the_short_name(gazetteer):
    """沿河 is also "along the river": a headline that starts with it, in a text that repeats it,
    is about 沿河土家族自治县 — not about 酉阳, the Chongqing neighbour the text names more."""
    text = (
        "沿河港区淇滩作业区开工建设\n\n"
        "沿河讯 4月16日，沿河港区淇滩作业区开工建设。货物经酉阳、彭水至涪陵，酉阳、彭水两地"
        "同步建设配套道路。沿河县融媒体中心供图。\n"
    )
    from geoapp.ingest.document import analyse_text

    assert analyse_text(text, gazetteer).county.name == "沿河土家族自治县"


def test_a_one_character_verb_before_a_name_is_dropped_unless_a_place_starts_with_it(gazetteer):
    from geoapp.ingest.document import analyse_text

    def names(sentence):
        return {it.name for it in analyse_text("秭归县人民政府\n" + sentence, gazetteer).items}

    assert "翻坝高速公路" in names("货物上岸后，走翻坝高速公路或者铁路绕过大坝。")
    assert "走马镇文化中心" in names("建成走马镇文化中心。")  # 走马镇 is a town, not 走 + 马镇


def test_a_rated_facility_is_shared_by_a_list_of_short_names(gazetteer):
    """Substations are named after their places, which the gazetteer may not hold: 雅酉、石栏、
    长乐110千伏变电站 is three substations; a list of generic words shares nothing."""
    from geoapp.ingest.document import analyse_text

    def names(sentence):
        return {it.name for it in analyse_text("花垣县人民政府\n" + sentence, gazetteer).items}

    assert {"雅酉110千伏变电站", "石栏110千伏变电站", "长乐110千伏变电站"} <= names(
        "新建雅酉、石栏、长乐110千伏变电站。"
    )
    assert not any(n.startswith(("城市", "农村")) for n in names("新建城市、农村、长乐110千伏变电站。"))


def test_a_count_inside_a_name_is_a_summary_not_a_work(gazetteer):
    from geoapp.ingest.document import analyse_text

    items = analyse_text(
        "长寿区人民政府\n建成蔬菜三个现代农业园区，改造城西三个街道老旧小区。建成石家村文化广场。", gazetteer
    ).items
    names = {it.name for it in items}
    assert not any("三个" in n for n in names)
    assert "石家村文化广场" in names  # 家 counts nothing in a village's name


@pytest.mark.parametrize(
    "sentence, hidden",
    [
        ("加强危重新生儿救治网络建设。", "新生"),
        ("联合川渝毗邻地区共建市场。", "合川"),
        ("争当成渝中部崛起排头兵。", "渝中"),
    ],
)
def test_a_place_name_never_matches_inside_a_longer_word(gazetteer, sentence, hidden):
    from geoapp.ingest.document import analyse_text

    names = {it.name for it in analyse_text("忠县人民政府\n" + sentence, gazetteer).items}
    assert hidden not in names
    assert "新生" in {
        it.name for it in analyse_text("忠县人民政府\n推进新生、石宝等镇建设。", gazetteer).items
    }


def test_a_counted_list_of_places_in_prose_gives_one_work_per_place(gazetteer):
    from geoapp.ingest.document import analyse_text

    text = "巴南区人民政府\n其中，二圣镇、丰盛镇、石龙镇三个镇的茶叶产业园提升工程年内开工。"
    names = {it.name for it in analyse_text(text, gazetteer).items}
    assert {"二圣镇茶叶产业园", "丰盛镇茶叶产业园", "石龙镇茶叶产业园"} <= names


def test_a_route_qualifier_and_section_stay_with_the_route(gazetteer):
    from geoapp.ingest.document import analyse_text

    items = analyse_text("巴南区人民政府\n渝湘高速扩能巴南段起于界石枢纽互通。", gazetteer).items
    route = next(it for it in items if it.name.startswith("渝湘高速"))
    assert route.name == "渝湘高速扩能巴南段" and route.geometry.geom_type == "LineString"


def test_a_short_name_in_the_title_needs_the_full_name_in_the_text(gazetteer):
    """新城 is also 西安's 新城区: a text about 酉阳's 桃花源新城 never says 新城区."""
    from geoapp.ingest.document import analyse_text

    text = (
        "桃花源新城规划图\n\n酉阳县桃花源新城建设如火如荼。新城医院、新城学校开工，"
        "新城路网基本成形，酉阳县住建委负责人介绍了新城规划。\n"
    )
    assert analyse_text(text, gazetteer).county.name == "酉阳土家族苗族自治县"


def test_a_project_named_after_a_mountain_the_gazetteer_lacks(gazetteer):
    from geoapp.ingest.document import analyse_text

    names = {
        it.name
        for it in analyse_text(
            "北碚区人民政府\n缙云山综合提升项目加快推进，缙云山生态环道示范段完工。", gazetteer
        ).items
    }
    assert {"缙云山综合提升项目", "缙云山生态环道示范段"} <= names


@pytest.mark.parametrize(
    "sentence, found, not_found",
    [
        ("第一节 铁路\n建成渝万高铁。", "渝万高铁", "第一节铁路"),  # a plan outline's heading
        ("开辟文化出口路径，建成G350垫江南出口。", "G350垫江南出口", "文化出口"),  # 出口: an export
        ("长寿北站综合交通枢纽投入使用。", "长寿北站综合交通枢纽", "长寿北站综合交通枢纽投入使用"),
        ("秭归县人民医院门诊综合楼开工建设，新建门诊医技楼。", "秭归县人民医院门诊综合楼", "门诊医技楼"),
        ("推进产业+平台+园区模式。建成石宝大桥。", "石宝大桥", "产业+平台+园区"),
    ],
)
def test_names_work_reports_use(gazetteer, sentence, found, not_found):
    from geoapp.ingest.document import analyse_text

    names = {it.name for it in analyse_text("忠县人民政府\n" + sentence, gazetteer).items}
    assert found in names and not_found not in names
