"""Reading projects: filters → SQL, counts and facet counts, and the side tables a project's
properties read (counties, mentions). Features themselves are built in one place,
:mod:`geoapp.catalog.features`.

Everything here is framework-free and works on both backends through
:class:`geoapp.store.backend.Backend`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.corridors import Corridor, corridor_geometry, list_corridors
from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter, filter_conditions
from geoapp.store.backend import Backend
from geoapp.store.corrections import any_rejected
from geoapp.store.models import Document, Mention, Project, ProjectCounty

__all__ = [
    "Corridor",
    "apply_filter",
    "count_projects",
    "facets",
    "corridor_geometry",
    "list_corridors",
    "county_names",
]


def apply_filter(
    stmt: Select, f: ProjectFilter, backend: Backend, session: Session, *, shown_only: bool = True
) -> Select:
    """Add the filter's conditions to a statement selecting from ``projects``; ``shown_only``:
    never the projects an editor rejected as not being projects (the collection readers add
    that themselves, see ``Source.hidden``), a condition written only when some are. The
    filter's own conditions come from its table (:func:`geoapp.catalog.filters.filter_conditions`)."""
    conditions: list[ColumnElement[bool]] = (
        [~Project.rejected] if shown_only and any_rejected(session) else []
    )
    conditions += filter_conditions(f, backend, session)
    return stmt.where(and_(*conditions)) if conditions else stmt


def count_projects(session: Session, f: ProjectFilter, backend: Backend) -> int:
    stmt = apply_filter(select(func.count()).select_from(Project), f, backend, session)
    return session.scalar(stmt) or 0


def county_names(session: Session, project_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """project id → [(adcode, name)] in order (main county first)."""
    out: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(project_ids), 900):
        chunk = list(project_ids[start : start + 900])
        rows = session.execute(
            select(ProjectCounty.project_id, ProjectCounty.county_code, ProjectCounty.county_name)
            .where(ProjectCounty.project_id.in_(chunk))
            .order_by(ProjectCounty.project_id, ProjectCounty.position)
        )
        for pid, code, name in rows:
            out[pid].append((code, name))
    return out


def first_mentions(session: Session, project_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """project id → its first mention (document file name, section, sentence)."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(project_ids), 900):
        chunk = list(project_ids[start : start + 900])
        first = select(func.min(Mention.id)).where(Mention.project_id.in_(chunk)).group_by(Mention.project_id)
        rows = session.execute(
            select(Mention.project_id, Mention.sentence, Mention.section, Document.file_name)
            .join(Document, Document.id == Mention.document_id)
            .where(Mention.id.in_(first))
        )
        for pid, sentence, section, file_name in rows:
            out[pid] = {"sentence": sentence, "section": section, "document": file_name}
    return out


def all_mentions(session: Session, project_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for start in range(0, len(project_ids), 900):
        chunk = list(project_ids[start : start + 900])
        rows = session.execute(
            select(
                Mention.project_id,
                Document.file_name,
                Mention.section,
                Mention.sentence,
                Mention.start,
                Mention.end,
                Mention.status,
                Mention.surface,
                Mention.status_phrase,
            )
            .join(Document, Document.id == Mention.document_id)
            .where(Mention.project_id.in_(chunk))
            .order_by(Mention.project_id, Mention.id)
        )
        for pid, file_name, section, sentence, start_, end, status, surface, phrase in rows:
            out[pid].append(
                {
                    "document": file_name,
                    "section": section,
                    "sentence": sentence,
                    "surface": surface,
                    "start": start_,
                    "end": end,
                    "status": status,
                    "status_phrase": phrase,
                }
            )
    return out


def mention_summaries(mentions: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """(every source document in order of first mention, every mention as document, section,
    sentence and status phrase): what a project's exported feature says of its sources."""
    documents = list(dict.fromkeys(m["document"] for m in mentions))
    keys = ("document", "section", "sentence", "status_phrase")
    return documents, [{k: m.get(k) for k in keys} for m in mentions]


def facets(session: Session, backend: Backend, f: ProjectFilter) -> dict[str, dict[str, int]]:
    """Counts per category, status, subtype and county — each computed with the other
    filters applied but not its own, so a planner sees what choosing another value would give."""
    out: dict[str, dict[str, int]] = {}
    for name, column, dim in (
        ("category", Project.category, "categories"),
        ("status", Project.status, "statuses"),
        ("subtype", Project.subtype, "subtypes"),
    ):
        stmt = apply_filter(select(column, func.count()).group_by(column), f.without(dim), backend, session)
        out[name] = {k: n for k, n in session.execute(stmt)}
    sub = apply_filter(select(Project.id), f.without("counties"), backend, session).subquery()
    rows = session.execute(
        select(ProjectCounty.county_code, func.count())
        .where(ProjectCounty.project_id.in_(select(sub.c.id)))
        .group_by(ProjectCounty.county_code)
    )
    out["county"] = {code: n for code, n in rows}
    multi = session.scalar(
        select(func.count()).select_from(
            select(ProjectCounty.project_id)
            .where(ProjectCounty.project_id.in_(select(sub.c.id)))
            .group_by(ProjectCounty.project_id)
            .having(func.count() > 1)
            .subquery()
        )
    )
    out["county"][MULTI_COUNTY] = multi or 0
    return out
