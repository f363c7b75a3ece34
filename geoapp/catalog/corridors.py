"""Corridors: the lines a project filter measures distances from — gazetteer lines
(``line:…``) and projects with a line geometry (``project:N``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoapp.store.models import Place, Project

__all__ = ["Corridor", "corridor_geometry", "list_corridors"]


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
