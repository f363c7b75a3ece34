"""Corrections on stored projects: applying them, and keeping them through re-ingestion.

Contract:

* :func:`apply_changes` writes a correction's ``changes`` onto a project row and marks it
  ``corrected``. The values are checked before (:mod:`geoapp.editing`); here they are data.
* :func:`current_values` reads what a correction is about to replace (its ``previous``).
* :func:`reapply` runs after a document is stored (same transaction): every active correction
  of the projects it touched is applied again, in order, so re-ingestion never overwrites a
  person's work. Where a document changed a value a correction had replaced (the fresh value
  is neither the corrected one nor the one the person saw), the correction and the project
  are flagged ``source_changed`` for review; a correction whose project no longer exists is
  flagged ``orphaned`` (and applied again if the project comes back).

Geometries travel as GeoJSON dicts (WGS84) and are stored as WKT with SRID 4326.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geoapp.store.models import Correction, Project

__all__ = [
    "FIELDS",
    "MERGE_FIELDS",
    "apply_changes",
    "current_values",
    "reapply",
    "flag_orphans",
    "any_rejected",
    "project_geometry",
    "same_value",
]

#: what a correction may change
FIELDS = (
    "name",
    "aliases",
    "category",
    "subtype",
    "status",
    "geometry",
    "precision",
    "location_note",
    "rejected",
    "merged_into",
)
#: fields only a merge sets (``POST /api/projects/<id>/merge``), never an edit
MERGE_FIELDS = ("merged_into",)


def project_geometry(project: Project) -> dict[str, Any]:
    """The project's geometry as a GeoJSON dict (also before a pending write is flushed)."""
    geom = project.geom
    if isinstance(geom, WKBElement):
        shape = to_shape(geom)
    else:
        shape = shapely.from_wkt(str(geom).split(";", 1)[-1])
    return shapely.geometry.mapping(shape)


def current_values(project: Project, fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        if name == "geometry":
            out[name] = project_geometry(project)
        elif name == "aliases":
            out[name] = list(project.aliases or [])
        else:
            out[name] = getattr(project, name)
    return out


def same_value(name: str, a: Any, b: Any) -> bool:
    """Equal as values (geometries: the same shape to 1e-7 degrees, ~1 cm)."""
    if name == "geometry":
        if a is None or b is None:
            return a is b
        return shapely.geometry.shape(a).equals_exact(shapely.geometry.shape(b), 1e-7)
    if name == "aliases":
        return list(a or []) == list(b or [])
    return a == b


def apply_changes(project: Project, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name == "geometry":
            project.geom = f"SRID=4326;{shapely.geometry.shape(value).wkt}"
        elif name == "aliases":
            project.aliases = list(value)
        elif name in FIELDS:
            setattr(project, name, value)
    project.corrected = True


def reapply(session: Session, keys: Iterable[str]) -> int:
    """Apply again every active correction of the projects ``keys`` (see the module's contract).
    Returns how many corrections were applied."""
    keys = list(dict.fromkeys(keys))
    applied = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        corrections = list(
            session.scalars(
                select(Correction)
                .where(Correction.project_key.in_(chunk), Correction.state == "active")
                .order_by(Correction.id)
            )
        )
        if not corrections:
            continue
        wanted = {c.project_key for c in corrections}
        projects = {p.key: p for p in session.scalars(select(Project).where(Project.key.in_(wanted)))}
        # per project, the fields an earlier correction set in this pass: those no longer
        # hold what the machine extracted, so only the others can show a changed source
        corrected: dict[str, set[str]] = {}
        for c in corrections:
            project = projects.get(c.project_key)
            if project is None:
                c.flag = "orphaned"
                continue
            done = corrected.setdefault(c.project_key, set())
            if _source_changed(project, c, skip=done):
                c.flag = project.review_flag = "source_changed"
            elif c.flag == "orphaned":
                c.flag = None
            done.update(c.changes)
            apply_changes(project, c.changes)
            applied += 1
    session.flush()
    return applied


def any_rejected(session: Session) -> bool:
    """Has an editor marked any project "not a project"? (one probe of ``ix_projects_rejected``)"""
    return session.scalar(select(Project.id).where(Project.rejected).limit(1)) is not None


def flag_orphans(session: Session) -> int:
    """Flag ``orphaned`` the active corrections whose project is gone (its only document was
    replaced); they are kept, listed, and applied again if the project comes back."""
    gone = session.scalars(
        select(Correction).where(
            Correction.state == "active",
            Correction.flag.is_distinct_from("orphaned"),
            ~select(Project.id).where(Project.key == Correction.project_key).exists(),
        )
    ).all()
    for c in gone:
        c.flag = "orphaned"
    return len(gone)


def _source_changed(project: Project, correction: Correction, skip: set[str]) -> bool:
    """Did a document change a value this correction replaced (a field in ``skip`` holds an
    earlier correction's value, not the machine's)?"""
    fields = [name for name in correction.changes if name not in skip]
    now = current_values(project, fields)
    return any(
        not same_value(name, now[name], correction.changes[name])
        and not same_value(name, now[name], correction.previous.get(name))
        for name in fields
    )
