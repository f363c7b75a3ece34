"""Re-placing stored projects after the gazetteer changed (a layer added or removed).

Contract: :func:`regeocode` places every project (or a county's) again from what is stored
— its name, the names documents gave it (aliases) and its county — with the placing
gazetteer (built-in entries plus layers), without reading any document. A project is
changed only when its new location differs from the stored one; with ``only_layers`` (the
default of the command) only where a layer is involved before or after, so the built-in
placements made at ingest (which had the whole sentence to go on) are kept. It all
happens in one transaction, and the stored feature JSON of the changed projects is
refreshed in it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import shapely
from sqlalchemy import delete, insert, select

from gazetteer import Gazetteer
from gazetteer.layers import is_layer_id
from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.ingest.locate import Location, locate
from geoapp.store import data_version
from geoapp.store.database import Database
from geoapp.store.models import Document, Mention, Project, ProjectCounty

__all__ = ["RegeocodeReport", "regeocode"]


@dataclass
class RegeocodeReport:
    before: Counter = field(default_factory=Counter)
    after: Counter = field(default_factory=Counter)
    changed: int = 0
    projects: int = 0

    def lines(self) -> list[str]:
        out = ["precision  before  after"]
        for p in sorted(set(self.before) | set(self.after)):
            out.append(f"{p:>9}  {self.before[p]:>6}  {self.after[p]:>5}")
        out.append(f"{self.changed} of {self.projects} projects re-placed")
        return out


#: which precision is the better placement: exact, near, along a route, county, province
_RANK = {1: 0, 2: 1, 5: 2, 3: 3, 4: 4}


def _best(
    gaz: Gazetteer, project: Project, county_code: str | None, mentions: list[tuple[str, str]]
) -> Location | None:
    """The best placement of any of the project's names, each in the sentences that named it."""
    county = gaz.get(f"adm:{county_code}") if county_code else None
    best: Location | None = None
    tries = [(name, None, "") for name in dict.fromkeys([project.name, *(project.aliases or [])])]
    tries += [(project.name, sentence, surface) for surface, sentence in mentions]
    for name, sentence, surface in tries:
        try:
            loc = locate(
                gaz, name, county, description=project.description, sentence=sentence, surface=surface
            )
        except LookupError:
            continue
        if best is None or _RANK.get(loc.precision, 9) < _RANK.get(best.precision, 9):
            best = loc
    return best


def _involves_layer(ids) -> bool:
    return any(is_layer_id(i) for i in ids or ())


def _differs(project: Project, loc: Location, stored_geom) -> bool:
    if loc.precision != project.precision or list(loc.gazetteer_ids) != list(project.gazetteer_ids or []):
        return True
    return not shapely.equals_exact(loc.geometry, stored_geom, 1e-7)


def regeocode(
    db: Database, gaz: Gazetteer, county: str | None = None, *, only_layers: bool = True
) -> RegeocodeReport:
    """Place the projects (of ``county``, an adcode) again with ``gaz``; see the module doc."""
    report = RegeocodeReport()
    changed_ids: list[int] = []
    with db.session() as session:
        query = select(Project, Project.geom.ST_AsBinary())
        if county:
            query = query.where(Project.county_code == county)
        document_county = _document_counties(session)
        mentions = _mentions(session)
        for project, wkb in session.execute(query).all():
            report.projects += 1
            report.before[project.precision] += 1
            context = document_county.get(project.id, project.county_code)
            loc = _best(gaz, project, context, mentions.get(project.id, []))
            stored = shapely.from_wkb(bytes(wkb))
            keep = loc is None or (
                only_layers
                and not _involves_layer(loc.gazetteer_ids)
                and not _involves_layer(project.gazetteer_ids)
            )
            if not keep and _differs(project, loc, stored):
                _apply(session, project, loc, gaz.get(f"adm:{context}") if context else None)
                changed_ids.append(project.id)
            report.after[project.precision] += 1
        session.flush()
        if changed_ids:
            refresh_stored_properties(session, db.backend, changed_ids)
            data_version.bump(session)
    report.changed = len(changed_ids)
    return report


def _mentions(session) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for pid, surface, sentence in session.execute(
        select(Mention.project_id, Mention.surface, Mention.sentence).order_by(Mention.id)
    ):
        out.setdefault(pid, []).append((surface, sentence))
    return out


def _document_counties(session) -> dict[int, str]:
    """Each project's document county (of its first mention): the context it was placed in."""
    rows = session.execute(
        select(Mention.project_id, Document.county_code)
        .join(Document, Document.id == Mention.document_id)
        .where(Document.county_code.is_not(None))
        .order_by(Mention.project_id.desc(), Mention.id.desc())
    )
    return dict(rows.all())


def _apply(session, project: Project, loc: Location, context) -> None:
    project.geom = f"SRID=4326;{loc.geometry.wkt}"
    project.precision = loc.precision
    project.location_class = loc.location_class
    project.location_note = loc.note or None
    project.gazetteer_ids = list(loc.gazetteer_ids)
    # as at ingest: the document's county first when the place lies in it
    counties = list(dict.fromkeys(loc.counties))
    if context is not None and (context.code, context.name) in counties:
        counties.remove((context.code, context.name))
        counties.insert(0, (context.code, context.name))
    if counties:
        project.county_code, project.county_name = counties[0]
    session.execute(delete(ProjectCounty).where(ProjectCounty.project_id == project.id))
    session.flush()
    rows = [
        {"project_id": project.id, "county_code": c, "county_name": n, "position": i}
        for i, (c, n) in enumerate(counties)
    ]
    if rows:
        session.execute(insert(ProjectCounty.__table__), rows)
