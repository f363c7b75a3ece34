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
        ("004", "重庆市开州区实施成渝地区双城经济圈建设行动方案（2023—2027年）", "重庆市开州区人民政府", (2023, 7, 9)),
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
    [("2023—2025年", (2023, 2025)), ("2024年", (2024, 2024)), ("待定", (None, None)), ("2018-2025", (2018, 2025))],
)
def test_parse_period(text, years):
    assert parse_period(text) == years
