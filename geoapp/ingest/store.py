"""Writing an analysed document to the database, in one transaction.

* A document already stored with the same SHA-256 is left alone.
* A changed version of a stored file (same file name, other bytes) replaces it:
  its mentions go, projects left without any mention go, the new ones come in.
* A project already known (same key) gains the new mentions and aliases; its
  fields are filled where empty, its status follows the newest document, and
  its geometry is replaced only by a more precise one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, selectinload

from gazetteer import precision as P
from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.ingest.document import _STATUS_RANK, DocumentAnalysis, Item
from geoapp.store import data_version
from geoapp.store.backend import backend_for
from geoapp.store.corrections import flag_orphans, reapply
from geoapp.store.models import Document, Mention, Project, ProjectCounty

__all__ = ["store_document", "StoreResult"]


class StoreResult:
    def __init__(
        self, status: str, document_id: int | None, items: int = 0, mentions: int = 0, replaced: bool = False
    ):
        self.status = status  # stored | unchanged
        self.document_id = document_id
        self.items = items
        self.mentions = mentions
        self.replaced = replaced


def _wkt(item: Item) -> str:
    return f"SRID=4326;{item.geometry.wkt}"


def _remove_document(session: Session, doc: Document) -> set[int]:
    """Delete a document, its mentions and the projects only it named; the ids of the
    projects that remain but lost mentions."""
    project_ids = set(session.scalars(select(Mention.project_id).where(Mention.document_id == doc.id)))
    session.execute(delete(Mention).where(Mention.document_id == doc.id))
    session.execute(delete(Document).where(Document.id == doc.id))
    session.flush()
    if project_ids:
        still = set(
            session.scalars(select(Mention.project_id).where(Mention.project_id.in_(project_ids)).distinct())
        )
        orphans = project_ids - still
        if orphans:
            session.execute(delete(ProjectCounty).where(ProjectCounty.project_id.in_(orphans)))
            session.execute(delete(Project).where(Project.id.in_(orphans)))
        return still
    return set()


def _newer(a, b) -> bool:
    """Is date ``a`` at least as recent as ``b`` (unknown dates count as old)?"""
    if a is None:
        return False
    return b is None or a >= b


def store_document(session: Session, analysis: DocumentAnalysis) -> StoreResult:
    """Store ``analysis``; the caller owns the transaction (commit or roll back)."""
    raw = analysis.raw
    existing = session.scalar(select(Document).where(Document.sha256 == raw.sha256))
    if existing is not None:
        return StoreResult("unchanged", existing.id)
    replaced = False
    touched: set[int] = set()
    for old in session.scalars(select(Document).where(Document.file_name == raw.path.name)).all():
        touched |= _remove_document(session, old)
        replaced = True

    structure = analysis.structure
    doc = Document(
        file_name=raw.path.name,
        sha256=raw.sha256,
        title=structure.title,
        issuer=structure.issuer,
        issued_date=analysis.issued_date,
        county_code=analysis.county.code if analysis.county else None,
        county_name=analysis.county.name if analysis.county else None,
        encoding=raw.encoding,
        text=raw.text,
        ingested_at=datetime.now(UTC),
    )
    session.add(doc)
    session.flush()

    keys = [item.key for item in analysis.items]
    known: dict[str, Project] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        # their county lists are merged below: load them with the projects, not one by one
        known_query = select(Project).where(Project.key.in_(chunk)).options(selectinload(Project.counties))
        for p in session.scalars(known_query):
            known[p.key] = p
    newest_date = {}
    if known:
        rows = session.execute(
            select(Mention.project_id, Document.issued_date)
            .join(Document, Document.id == Mention.document_id)
            .where(Mention.project_id.in_([p.id for p in known.values()]))
        )
        for pid, issued in rows:
            if _newer(issued, newest_date.get(pid)):
                newest_date[pid] = issued

    now = datetime.now(UTC)
    new_items = [item for item in analysis.items if item.key not in known]
    # New projects go in with one multi-row INSERT … RETURNING: flushing them one by one
    # costs a round trip each.
    rows = [
        {
            "key": item.key,
            "kind": item.kind,
            "name": item.name,
            "aliases": list(dict.fromkeys(a for a in item.aliases if a != item.name)),
            "category": item.category,
            "subtype": item.subtype,
            "status": item.status,
            "status_phrase": item.status_phrase,
            "county_code": item.counties[0][0] if item.counties else None,
            "county_name": item.counties[0][1] if item.counties else None,
            "investment_wan": item.investment_wan,
            "annual_investment_wan": item.annual_investment_wan,
            "period_start": item.period_start,
            "period_end": item.period_end,
            "batch": item.batch,
            "lead_unit": item.lead_unit,
            "description": item.description,
            "precision": item.precision,
            "location_class": item.location_class,
            "location_note": item.location_note or None,
            "gazetteer_ids": item.gazetteer_ids,
            "updated_at": now,
            "geom": _wkt(item),
        }
        for item in new_items
    ]
    ids: dict[str, int] = {}
    if rows:
        # Core inserts on the tables (not ORM bulk inserts): SQLAlchemy then sends each batch
        # as one multi-row statement ("insertmanyvalues") instead of hundreds of round trips.
        result = session.execute(insert(Project.__table__).returning(Project.id, Project.key), rows)
        ids = {key: pid for pid, key in result}
        county_rows = [
            {"project_id": ids[item.key], "county_code": code, "county_name": name, "position": pos}
            for item in new_items
            for pos, (code, name) in enumerate(item.counties)
        ]
        if county_rows:
            session.execute(insert(ProjectCounty.__table__), county_rows)
    for item in analysis.items:
        if item.key in known:
            project = known[item.key]
            _merge(session, project, item, analysis, newest_date.get(project.id), now)
            ids[item.key] = project.id
    mention_rows = [
        {
            "project_id": ids[item.key],
            "document_id": doc.id,
            "section": m.section,
            "start": m.start,
            "end": m.end,
            "surface": m.surface[:300],
            "sentence": m.sentence,
            "status": m.status,
            "status_phrase": m.status_phrase,
        }
        for item in analysis.items
        for m in item.mentions
    ]
    if mention_rows:
        session.execute(insert(Mention.__table__), mention_rows)
    session.flush()
    # People's corrections win over what this document says (and are flagged where it
    # changed what they corrected); corrections of projects it removed are kept, orphaned.
    reapply(session, [item.key for item in analysis.items])
    if replaced:
        flag_orphans(session)
    # The stored feature JSON of every project this document touched, in the same
    # transaction (only where the database builds feature JSON: PostGIS).
    refresh_stored_properties(session, backend_for(session.get_bind()), sorted(touched | set(ids.values())))
    data_version.bump(session)
    return StoreResult("stored", doc.id, len(analysis.items), len(mention_rows), replaced)


def _merge(session: Session, project: Project, item: Item, analysis: DocumentAnalysis, newest, now) -> None:
    aliases = list(project.aliases or [])
    for name in (item.name, *item.aliases):
        if name != project.name and name not in aliases:
            aliases.append(name)
    project.aliases = aliases
    if item.kind == "project" and project.kind == "place":
        project.kind, project.category, project.subtype = "project", item.category, item.subtype
    # The newest document decides the status, unless it only mentions the project.
    if item.status != "mentioned" and (
        _newer(analysis.issued_date, newest) or _STATUS_RANK.get(project.status, 0) == 0
    ):
        project.status, project.status_phrase = item.status, item.status_phrase
    for field in (
        "investment_wan",
        "annual_investment_wan",
        "period_start",
        "period_end",
        "batch",
        "lead_unit",
        "description",
    ):
        value = getattr(item, field)
        if value is not None and getattr(project, field) is None:
            setattr(project, field, value)
    # a later document that places it more specifically (a line through the route's stops
    # beats the county's outline, although 5 > 3) gives the project that location
    if P.more_specific(item.precision, project.precision):
        project.geom = _wkt(item)
        project.precision = item.precision
        project.location_class = item.location_class
        project.location_note = item.location_note or None
        project.gazetteer_ids = item.gazetteer_ids
    have = {pc.county_code for pc in project.counties}
    pos = len(have)
    for code, name in item.counties:
        if code not in have:
            session.add(
                ProjectCounty(project_id=project.id, county_code=code, county_name=name, position=pos)
            )
            have.add(code)
            pos += 1
    project.updated_at = now
