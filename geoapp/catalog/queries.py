"""Reading projects: filters → SQL, rows → GeoJSON features, facet counts.

Everything here is framework-free and works on both backends through
:class:`geoapp.store.backend.Backend`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.corridors import Corridor, corridor_geometry, list_corridors
from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter, filter_conditions
from geoapp.catalog.properties import PROJECT_COLUMNS, python_properties
from geoapp.errors import NotFound
from geoapp.store.backend import Backend
from geoapp.store.corrections import any_rejected
from geoapp.store.models import Document, Mention, Project, ProjectCounty

__all__ = [
    "Corridor",
    "apply_filter",
    "count_projects",
    "project_features",
    "iter_project_features",
    "facets",
    "corridor_geometry",
    "list_corridors",
    "project_detail",
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


def iter_project_features(
    session: Session,
    backend: Backend,
    f: ProjectFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
    with_mentions: bool = False,
    first_mention: bool = True,
    lang: str = "zh",
    digits: int = 6,
    batch: int = 2000,
) -> Iterator[dict[str, Any]]:
    """GeoJSON features of the filtered projects, ordered by id, fetched in batches."""
    geojson = backend.as_geojson(Project.geom, digits).label("geojson")
    base = apply_filter(select(*PROJECT_COLUMNS, geojson), f, backend, session).order_by(Project.id)
    remaining = limit
    pos = offset
    while remaining is None or remaining > 0:
        size = batch if remaining is None else min(batch, remaining)
        rows = session.execute(base.limit(size).offset(pos)).all()
        if not rows:
            return
        ids = [r.id for r in rows]
        counties = county_names(session, ids)
        mentions = all_mentions(session, ids) if with_mentions else {}
        firsts = first_mentions(session, ids) if first_mention and not with_mentions else {}
        for r in rows:
            first = firsts.get(r.id) or (mentions[r.id][0] if mentions.get(r.id) else None)
            props = python_properties(r, counties.get(r.id, []), first, lang)
            if with_mentions:
                props["mentions"] = mentions.get(r.id, [])
                props["documents"] = sorted({m["document"] for m in props["mentions"]})
            yield {
                "type": "Feature",
                "id": r.id,
                "geometry": json.loads(r.geojson),
                "properties": props,
            }
        pos += len(rows)
        if remaining is not None:
            remaining -= len(rows)
        if len(rows) < size:
            return


def project_features(session: Session, backend: Backend, f: ProjectFilter, **kw) -> list[dict[str, Any]]:
    return list(iter_project_features(session, backend, f, **kw))


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


def project_detail(session: Session, backend: Backend, project_id: int, lang: str = "zh") -> dict[str, Any]:
    """One project as a feature with every mention; :class:`NotFound` if absent."""
    project = session.get(Project, project_id)
    if project is None or project.rejected:
        raise NotFound(f"no project with id {project_id}")
    geojson = session.scalar(select(backend.as_geojson(Project.geom, 7)).where(Project.id == project_id))
    row = session.execute(select(*PROJECT_COLUMNS).where(Project.id == project_id)).one()
    counties = county_names(session, [project_id]).get(project_id, [])
    mentions = all_mentions(session, [project_id]).get(project_id, [])
    props = python_properties(row, counties, mentions[0] if mentions else None, lang)
    props["mentions"] = mentions
    props["documents"] = sorted({m["document"] for m in mentions})
    props["gazetteer_ids"] = list(project.gazetteer_ids or [])
    props["description"] = project.description
    props["annual_investment_wan"] = project.annual_investment_wan
    geometry = json.loads(geojson) if geojson is not None else None
    return {"type": "Feature", "id": project_id, "geometry": geometry, "properties": props}
