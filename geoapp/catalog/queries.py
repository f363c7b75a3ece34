"""Reading projects: filters → SQL, rows → GeoJSON features, facet counts.

Everything here is framework-free and works on both backends through
:class:`geoapp.store.backend.Backend`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter
from geoapp.catalog.properties import PROJECT_COLUMNS, python_properties
from geoapp.errors import NotFound
from geoapp.store.backend import Backend
from geoapp.store.corrections import any_rejected
from geoapp.store.models import Document, Mention, Place, Project, ProjectCounty

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


@dataclass(frozen=True)
class Corridor:
    id: str
    name: str
    subtype: str
    wkt: str


def corridor_geometry(session: Session, corridor_id: str) -> Corridor | None:
    """A corridor is a gazetteer line (``line:…``) or a project with a line geometry (``project:N``)."""
    if corridor_id.startswith("project:"):
        try:
            pid = int(corridor_id.split(":", 1)[1])
        except ValueError:
            return None
        row = session.execute(
            select(Project.name, Project.subtype, func.ST_AsText(Project.geom)).where(Project.id == pid)
        ).first()
        if row is None or "LINESTRING" not in row[2]:
            return None
        return Corridor(corridor_id, row[0], row[1], row[2])
    row = session.execute(
        select(Place.name, Place.subtype, func.ST_AsText(Place.geom)).where(
            Place.id == corridor_id, Place.kind == "line"
        )
    ).first()
    return None if row is None else Corridor(corridor_id, row[0], row[1] or "", row[2])


def list_corridors(session: Session, project_limit: int | None = None) -> list[dict[str, Any]]:
    """Every corridor a user can pick: gazetteer lines, then linear projects (at most
    ``project_limit`` of them; any linear project still works as ``project:ID``)."""
    out = [
        {"id": pid, "name": name, "subtype": subtype or "", "kind": "gazetteer"}
        for pid, name, subtype in session.execute(
            select(Place.id, Place.name, Place.subtype).where(Place.kind == "line").order_by(Place.name)
        )
    ]
    known = {c["name"] for c in out}
    linear = (
        select(Project.id, Project.name, Project.subtype)
        .where(func.GeometryType(Project.geom).like("%LINESTRING%"))
        .order_by(Project.name)
    )
    if project_limit is not None:
        linear = linear.limit(project_limit)
    for pid, name, subtype in session.execute(linear):
        if name not in known:
            out.append({"id": f"project:{pid}", "name": name, "subtype": subtype, "kind": "project"})
    return out


def apply_filter(
    stmt: Select, f: ProjectFilter, backend: Backend, session: Session, *, shown_only: bool = True
) -> Select:
    """Add the filter's conditions to a statement selecting from ``projects``; ``shown_only``:
    never the projects an editor rejected as not being projects (the collection readers add
    that themselves, see ``Source.hidden``), a condition written only when some are."""
    conditions: list[ColumnElement[bool]] = (
        [~Project.rejected] if shown_only and any_rejected(session) else []
    )
    if f.categories:
        conditions.append(Project.category.in_(f.categories))
    if f.subtypes:
        conditions.append(Project.subtype.in_(f.subtypes))
    if f.statuses:
        conditions.append(Project.status.in_(f.statuses))
    if f.counties:
        codes = [c for c in f.counties if c != MULTI_COUNTY]
        alts: list[ColumnElement[bool]] = []
        if codes:
            alts.append(
                exists().where(ProjectCounty.project_id == Project.id, ProjectCounty.county_code.in_(codes))
            )
        if MULTI_COUNTY in f.counties:
            many = (
                select(ProjectCounty.project_id).group_by(ProjectCounty.project_id).having(func.count() > 1)
            )
            alts.append(Project.id.in_(many))
        conditions.append(or_(*alts))
    if f.corridor:
        corridor = corridor_geometry(session, f.corridor)
        if corridor is None:
            raise NotFound(f"unknown corridor {f.corridor!r}")
        conditions.append(backend.within_distance(Project.geom, corridor.wkt, f.distance_km * 1000))
    if f.year_from is not None:
        conditions.append(or_(Project.period_end.is_(None), Project.period_end >= f.year_from))
        conditions.append(Project.period_start.is_not(None) | Project.period_end.is_not(None))
    if f.year_to is not None:
        conditions.append(or_(Project.period_start.is_(None), Project.period_start <= f.year_to))
        conditions.append(Project.period_start.is_not(None) | Project.period_end.is_not(None))
    if f.investment_min is not None:
        conditions.append(Project.investment_wan >= f.investment_min)
    if f.investment_max is not None:
        conditions.append(Project.investment_wan <= f.investment_max)
    if f.q:
        like = f"%{_escape_like(f.q)}%"
        conditions.append(
            or_(
                Project.name.like(like, escape="\\"),
                Project.description.like(like, escape="\\"),
                exists().where(Mention.project_id == Project.id, Mention.sentence.like(like, escape="\\")),
            )
        )
    if f.bbox:
        conditions.append(backend.bbox_filter("projects", Project.geom, Project.id, f.bbox))
    return stmt.where(and_(*conditions)) if conditions else stmt


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
