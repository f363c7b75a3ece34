"""The review queue: the projects most worth a person's look, most useful first.

A project is *open* for review when a person has not corrected it yet and one of these holds
(an item lists every reason that holds for it):

* ``flag`` — a review flag is set (a document changed a corrected value: ``source_changed``);
  listed first, corrected or not;
* ``county`` — placed at county level or coarser (IATI precision 3, 4, 6, 7, 8);
* ``route`` — a route (a subtype drawn as a line in ``vocabulary.csv``) whose geometry is not
  a line: one of its ends was not found;
* ``name`` — the placement's note says the name is doubtful (``geoapp/data/review_markers.csv``).

Within a reason, the larger investment first. A project a person corrected (and no flag is
set) is *done*; progress is done of done + open. Corrections whose project disappeared
(``orphaned``) have no project to open and are listed apart. Read through the caller's
session; nothing is written.

>>> sorted(ROUTE_SUBTYPES)[:3]
['expressway', 'flood_control', 'high_speed_rail']
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from geoapp.catalog.style import vocabulary
from geoapp.settings import PACKAGE_DATA
from geoapp.store.models import Correction, Project, ProjectCounty

__all__ = ["REASONS", "ROUTE_SUBTYPES", "COARSE", "Queue", "QueueItem", "review_queue"]

#: the reasons, in the queue's order
REASONS = ("flag", "county", "route", "name")
#: IATI precision codes no finer than a county
COARSE = (3, 4, 6, 7, 8)
#: subtypes drawn as lines (they have a line weight in vocabulary.csv)
ROUTE_SUBTYPES = frozenset(code for code, s in vocabulary()["subtype"].items() if s.weight)


@dataclass
class QueueItem:
    id: int
    name: str
    category: str
    subtype: str
    status: str
    county: str | None
    precision: int
    investment_wan: float | None
    reasons: list[str]
    review_flag: str | None


@dataclass
class Queue:
    items: list[QueueItem]
    open: int
    done: int
    by_reason: dict[str, int]
    orphaned: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.open + self.done


@cache
def name_markers() -> tuple[str, ...]:
    with open(PACKAGE_DATA / "review_markers.csv", encoding="utf-8", newline="") as fh:
        return tuple(r["marker"] for r in csv.DictReader(fh) if r["reason"] == "name")


def _conditions() -> dict[str, ColumnElement[bool]]:
    """Each reason as an SQL condition on ``projects`` (the same on both backends)."""
    is_line = func.upper(func.GeometryType(Project.geom)).like("%LINESTRING%")
    return {
        "flag": Project.review_flag.is_not(None),
        "county": Project.precision.in_(COARSE),
        "route": and_(Project.subtype.in_(sorted(ROUTE_SUBTYPES)), not_(is_line)),
        "name": or_(*[Project.location_note.contains(m) for m in name_markers()]),
    }


def _scope(county: str | None, category: str | None) -> list[ColumnElement[bool]]:
    where = [Project.kind == "project", Project.rejected.is_(False)]
    if county:
        where.append(
            Project.id.in_(select(ProjectCounty.project_id).where(ProjectCounty.county_code == county))
        )
    if category:
        where.append(Project.category == category)
    return where


def _open(conditions: dict[str, ColumnElement[bool]]) -> ColumnElement[bool]:
    machine = or_(conditions["county"], conditions["route"], conditions["name"])
    return or_(conditions["flag"], and_(Project.corrected.is_(False), machine))


def review_queue(
    session: Session,
    county: str | None = None,
    category: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Queue:
    """The queue (``limit`` items from ``offset``) of the projects in ``county`` (an adcode)
    and ``category``, with the counts of open and done items and per reason."""
    conditions = _conditions()
    scope = _scope(county, category)
    is_open = _open(conditions)
    return Queue(
        items=_items(session, conditions, [*scope, is_open], limit, offset),
        open=_count(session, [*scope, is_open]),
        done=_count(session, [*scope, Project.corrected.is_(True), Project.review_flag.is_(None)]),
        by_reason={r: _count(session, [*scope, is_open, conditions[r]]) for r in REASONS},
        orphaned=_orphaned(session),
    )


def _count(session: Session, where: list[ColumnElement[bool]]) -> int:
    return session.scalar(select(func.count()).select_from(Project).where(*where)) or 0


def _items(
    session: Session,
    conditions: dict[str, ColumnElement[bool]],
    where: list[ColumnElement[bool]],
    limit: int,
    offset: int,
) -> list[QueueItem]:
    flags = [case((c, 1), else_=0).label(f"r_{r}") for r, c in conditions.items()]
    rank = case(*[(conditions[r], n) for n, r in enumerate(REASONS)], else_=len(REASONS))
    rows = session.execute(
        select(
            Project.id,
            Project.name,
            Project.category,
            Project.subtype,
            Project.status,
            Project.county_name,
            Project.precision,
            Project.investment_wan,
            Project.review_flag,
            *flags,
        )
        .where(*where)
        .order_by(rank, Project.investment_wan.is_(None), Project.investment_wan.desc(), Project.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [_item(row) for row in rows]


def _item(row: Any) -> QueueItem:
    return QueueItem(
        id=row.id,
        name=row.name,
        category=row.category,
        subtype=row.subtype,
        status=row.status,
        county=row.county_name,
        precision=row.precision,
        investment_wan=row.investment_wan,
        reasons=[r for r in REASONS if getattr(row, f"r_{r}")],
        review_flag=row.review_flag,
    )


def _orphaned(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Correction)
        .where(Correction.state == "active", Correction.flag == "orphaned")
        .order_by(Correction.id)
        .limit(limit)
    )
    return [
        {"id": c.id, "project_key": c.project_key, "author": c.author, "comment": c.comment} for c in rows
    ]
