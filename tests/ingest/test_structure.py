"""Outline, tables and metadata of the seed documents."""

from pathlib import Path

import pytest

from geoapp.ingest.document import parse_money, parse_period
from geoapp.ingest.reader import read_document
from geoapp.ingest.structure import parse_structure

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def structure(prefix):
    return parse_structure(read_document(next(SEEDS.glob(prefix + "_*"))).text)


@pytest.mark.parametrize(
    "prefix, title, issuer, date",
    [
        ("000", "忠县推动成渝地区双城经济圈建设行动方案（2023—2027年）", "忠县人民政府", (2023, 6, 26)),
        ("001", "政府工作报告", "忠县人民政府", (2023, 2, 8)),
        ("002", "垫江县推动成渝地区双城经济圈建设行动方案（2023—2027年）", "垫江县人民政府", (2023, 9, 27)),
        (
            "004",
            "重庆市开州区实施成渝地区双城经济圈建设行动方案（2023—2027年）",
            "重庆市开州区人民政府",
            (2023, 7, 9),
        ),
    ],
)
def test_metadata(prefix, title, issuer, date):
    s = structure(prefix)
    assert (s.title, s.issuer, s.issued_date) == (title, issuer, date)


def test_outline_paths_nest_three_levels():
    s = structure("000")
    paths = [sec.path for sec in s.sections]
    assert "二、重点任务 / （二）建设现代基础设施网络行动 / 5.构建外畅内联的综合立体交通网" in paths
    offset = s.text.index("开工建设梁忠石高速")
    assert s.section_at(offset).endswith("5.构建外畅内联的综合立体交通网")


def test_annex_project_table_is_read_into_fields():
    s = structure("000")
    projects = [t for t in s.tables if t.is_project_table]
    assert len(projects) == 1
    rows = projects[0].rows
    assert len(rows) == 78
    first = rows[0].fields
    assert first["name"] == "G350忠县至南溪新建道路"
    assert first["batch"] == "新开工" and first["period"] == "2023—2025年"
    assert first["investment"] == "66163" and first["lead_unit"] == "县交通局"
    assert rows[0].group == "一、现代基础设施网络"
    assert rows[-1].fields["name"] == "金科集美江山"
    # a cell that runs over several lines stays one cell
    assert rows[9].fields["description"].count("\n") == 6
    # the other annexes (policies, reforms, platforms) are tables, but not of projects
    assert len(s.tables) > 1 and sum(t.is_project_table for t in s.tables) == 1


def test_sentences_skip_tables():
    s = structure("000")
    assert all(not s.in_table(sent.start) for sent in s.sentences)


@pytest.mark.parametrize(
    "text, value",
    [("66163", 66163.0), ("1.2亿元", 12000.0), ("/", None), ("", None), ("3,500万元", 3500.0)],
)
def test_parse_money(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize(
    "text, years",
    [
        ("2023—2025年", (2023, 2025)),
        ("2024年", (2024, 2024)),
        ("待定", (None, None)),
        ("2018-2025", (2018, 2025)),
    ],
)
def test_parse_period(text, years):
    assert parse_period(text) == years


@pytest.mark.parametrize(
    "row",
    [
        "{n}\t{name}\t{place}\t新建道路约6公里\t48000\t区交通局\t齐明山",
        "| {n} | {name} | {place} | 新建道路约6公里 | 48000 | 区交通局 | 齐明山 |",
    ],
)
def test_row_per_line_tables_tab_or_pipe(row):
    """A project list pasted from a spreadsheet (tabs) or a web page (pipes) is a table:
    its columns are known, every cell sits at its place in the text, and the leader's
    column names no place."""
    header = row.replace("{n}", "序号").replace("{name}", "项目名称").replace("{place}", "建设地点")
    header = header.replace("新建道路约6公里", "建设内容").replace("48000", "总投资（万元）")
    header = header.replace("区交通局", "责任单位").replace("齐明山", "责任领导")
    rule = "| --- | --- | --- | --- | --- | --- | --- |" if row.startswith("|") else None
    body = [
        row.format(n=1, name="开梁高速梁平段配套连接线", place="礼让镇"),
        row.format(n=2, name="回龙镇农村公路提升工程", place="回龙镇"),
    ]
    text = "\n".join(
        ["梁平区2024年重点项目清单", header, *([rule] if rule else []), *body, "以上项目按计划推进。"]
    )
    structure = parse_structure(text)
    assert len(structure.tables) == 1
    table = structure.tables[0]
    assert table.is_project_table and [r.fields["name"] for r in table.rows] == [
        "开梁高速梁平段配套连接线",
        "回龙镇农村公路提升工程",
    ]
    assert table.rows[0].fields["location"] == "礼让镇" and table.rows[0].fields["leader"] == "齐明山"
    assert any("以上项目按计划推进" in s.text for s in structure.sentences)


def test_a_leaders_name_in_a_table_is_not_a_place(gazetteer):
    from geoapp.ingest.document import analyse_text

    text = "梁平区2024年重点项目清单\n序号\t项目名称\t建设地点\t建设内容\t责任领导\n1\t回龙镇农村公路提升工程\t回龙镇\t改造农村公路\t齐明山\n"
    names = {it.name for it in analyse_text(text, gazetteer).items}
    assert "回龙镇农村公路提升工程" in names and "齐明山" not in names


def test_a_counted_list_in_a_table_name_gives_one_work_per_place(gazetteer):
    """回龙、大观、碧山三镇农村公路提升工程 is three works, one in each town (a shared head)."""
    from geoapp.ingest.document import analyse_text

    text = "梁平区2024年重点项目清单\n序号\t项目名称\t建设地点\t建设内容\t总投资（万元）\n1\t回龙、大观、碧山三镇农村公路提升工程\t回龙镇、大观镇、碧山镇\t改造农村公路约86公里\t21000\n"
    items = {it.name: it for it in analyse_text(text, gazetteer).items}
    for town in ("回龙", "大观", "碧山"):
        assert f"{town}农村公路提升工程" in items, sorted(items)
    assert not any("、" in name for name in items)


def test_a_table_broken_across_pages_keeps_its_header(gazetteer):
    """Seed 000's annex tables break where a cell overflows (a second leader's name on a line
    of its own): the rows after the break come without a header row. They continue the table
    above, so its 责任领导 column stays silent there too (齐明山 is a person, not a mountain)."""
    from geoapp.ingest.document import analyse

    s = structure("000")
    headless = [t for t in s.tables if t.rows and not t.headers]
    assert not headless
    leader_rows = [r for t in s.tables for r in t.rows if "齐明山" in r.cells]
    assert len(leader_rows) >= 5 and all(r.fields.get("leader") == "齐明山" for r in leader_rows)
    items = analyse(next(SEEDS.glob("000_*")), gazetteer).items
    assert "齐明山" not in {it.name for it in items}
