"""The filter table (geoapp.catalog.filters.FILTERS) drives parsing, SQL, captions and links."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from geoapp.catalog import filters
from geoapp.catalog.filters import FILTERS, FilterParam, ProjectFilter, describe_filter, parse_filters
from geoapp.store.backend import SpatiaLiteBackend
from geoapp.store.models import Project

EVERY = {
    "category": ["transport"],
    "subtype": ["expressway"],
    "status": ["planned"],
    "county": ["500233"],
    "corridor": ["line:1"],
    "distance_km": ["2.5"],
    "year_from": ["2021"],
    "year_to": ["2025"],
    "investment_min": ["100"],
    "investment_max": ["5000"],
    "q": ["桥"],
    "bbox": ["106,29,107,30"],
}


def test_every_field_is_read_by_a_row_and_written_back_into_links():
    f, problems = parse_filters(EVERY)
    assert problems == []
    assert all(getattr(f, field.name) != field.default for field in fields(f))
    assert parse_filters(f.to_params())[0] == f
    assert all(row.parse is not None for row in FILTERS)


def test_problems_keep_the_order_of_the_table_and_strict_raises_the_first():
    args = {"period": ["20-30"], "category": ["nope"], "investment_min": ["9"], "investment_max": ["1"]}
    f, problems = parse_filters(args)
    assert problems == [
        "unknown category 'nope'",
        "period='20-30' must be YYYY or YYYY-YYYY",
        "investment_min is above investment_max: swapped them",
    ]
    assert (f.investment_min, f.investment_max) == (1, 9)


def test_a_new_filter_is_one_row(monkeypatch):
    """A row's functions are all the parser, the SQL, the caption and the link use."""
    row = FilterParam(
        "name_has",
        "Text in the project name.",
        {"type": "string"},
        parse=lambda p: p.values.update(q=p.args["name_has"][0]) if "name_has" in p.args else None,
        sql=lambda f, backend, session: [Project.name.contains(f.q)] if f.q else [],
        caption=lambda f, counties, corridor: f"名称含 {f.q}" if f.q else None,
        params=lambda f: {"name_has": f.q} if f.q else {},
    )
    monkeypatch.setattr(filters, "FILTERS", (row,))
    f, problems = parse_filters({"name_has": ["桥"]})
    assert f == ProjectFilter(q="桥") and problems == []
    assert describe_filter(f, [], None) == "名称含 桥"
    assert f.to_params() == {"name_has": "桥"}
    where = filters.filter_conditions(f, SpatiaLiteBackend(), None)
    sql = str(select(Project.id).where(*where).compile(dialect=sqlite.dialect()))
    assert "projects.name LIKE" in sql
