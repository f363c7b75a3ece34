"""Corrections by people, as plain functions: ``(… ) -> (headers, status, body)`` for the API,
and the same work for the command line.

* :func:`correct` — an editor changes a project (name, aliases, category, subtype, status,
  geometry with the editor's precision, location note) with a required comment; one
  transaction per correction; ``If-Match`` with the project's version (its ``ETag``) makes a
  stale edit a 412 instead of silently overwriting someone else's.
* :func:`revert` — undo a correction (itself a logged correction).
* :func:`history` — what the machine read (each mention: document, section, sentence) and
  every correction (who, when, why, what it replaced).
* :func:`export_corrections` / :func:`import_corrections` — JSON Lines, provenance kept, to move
  corrections between installations.

Values are checked here (the vocabulary, IATI precision codes, a valid geometry inside
China); :mod:`geoapp.store.corrections` applies them and keeps them through re-ingestion.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from gazetteer.precision import PRECISION
from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.catalog.style import CATEGORIES, STATUSES, SUBTYPES
from geoapp.context import Context
from geoapp.errors import InvalidParameter, NotFound, PreconditionFailed
from geoapp.store import data_version
from geoapp.store.corrections import FIELDS, apply_changes, current_values, reapply, same_value
from geoapp.store.models import Correction, Document, Mention, Project, ProjectCounty, User

__all__ = [
    "correct",
    "revert",
    "ogc_create",
    "ogc_replace",
    "ogc_delete",
    "history",
    "project_version",
    "validate_changes",
    "export_corrections",
    "import_corrections",
    "CHINA_BOUNDS",
]

Result = tuple[dict[str, str], int, Any]
_JSON = {"Content-Type": "application/json; charset=utf-8"}
#: lon/lat box a corrected geometry must lie in (China with its islands, generously)
CHINA_BOUNDS = (73.0, 3.0, 135.5, 54.0)
_GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon")
MAX_COMMENT = 2000
MAX_TEXT = 300


def validate_changes(changes: Any) -> dict[str, Any]:
    """The changes of a correction, checked: a dict of editable fields and sound values."""
    if not isinstance(changes, dict) or not changes:
        raise InvalidParameter("changes must be an object with at least one field")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidParameter(f"these fields cannot be corrected: {', '.join(unknown)[:200]}")
    out: dict[str, Any] = {}
    for name, value in changes.items():
        out[name] = _check(name, value)
    if "geometry" in out and "precision" not in out:
        out["precision"] = 1  # a person placing it on the map places it exactly
    return out


def _check(name: str, value: Any) -> Any:
    allowed = {"category": CATEGORIES, "subtype": SUBTYPES, "status": STATUSES}
    if name in allowed:
        if value not in allowed[name]:
            raise InvalidParameter(f"{name} must be one of {', '.join(allowed[name])}")
        return value
    if name in ("name", "location_note"):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise InvalidParameter(f"{name} must be text of 1–{MAX_TEXT} characters")
        return value.strip()
    if name == "aliases":
        if not isinstance(value, list) or not all(
            isinstance(a, str) and 0 < len(a) <= MAX_TEXT for a in value
        ):
            raise InvalidParameter("aliases must be a list of names")
        return list(dict.fromkeys(a.strip() for a in value if a.strip()))
    if name == "rejected":
        if not isinstance(value, bool):
            raise InvalidParameter("rejected must be true (not a project) or false")
        return value
    if name == "precision":
        if not isinstance(value, int) or isinstance(value, bool) or value not in PRECISION:
            raise InvalidParameter(f"precision must be an IATI code: {', '.join(map(str, PRECISION))}")
        return value
    return _check_geometry(value)


def _check_geometry(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise InvalidParameter(f"geometry must be GeoJSON: one of {', '.join(_GEOMETRY_TYPES)}")
    try:
        geom = shape(value)
    except Exception:  # shapely says a great many things about broken coordinates
        raise InvalidParameter("geometry is not valid GeoJSON (coordinates)") from None
    if geom.is_empty:
        raise InvalidParameter("geometry is empty")
    if not geom.is_valid:
        raise InvalidParameter(f"geometry is not valid: {shapely.is_valid_reason(geom)[:120]}")
    minx, miny, maxx, maxy = geom.bounds
    w, s, e, n = CHINA_BOUNDS
    if minx < w or miny < s or maxx > e or maxy > n:
        raise InvalidParameter("geometry lies outside China (WGS84 longitude, latitude expected)")
    return shapely.geometry.mapping(geom)


def _comment(body: dict[str, Any]) -> str:
    comment = body.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        raise InvalidParameter("comment is required: say why (a source, a site visit …)")
    if len(comment) > MAX_COMMENT:
        raise InvalidParameter(f"comment is longer than {MAX_COMMENT} characters")
    return comment.strip()


def project_version(project: Project) -> str:
    """The project's version as an ETag: changes whenever a served value does."""
    values = current_values(project, FIELDS)
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
    return f'"{digest[:20]}"'


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def _changed(session: Session, ctx: Context, project: Project) -> None:
    session.flush()
    refresh_stored_properties(session, ctx.backend, [project.id])
    data_version.bump(session)


def correct(ctx: Context, user: User, project_id: int, body: Any, if_match: str | None = None) -> Result:
    """``POST /api/projects/{id}/corrections`` with ``{"changes": {…}, "comment": "…"}``."""
    if not isinstance(body, dict):
        raise InvalidParameter('the body must be {"changes": {…}, "comment": "…"}')
    changes = validate_changes(body.get("changes"))
    comment = _comment(body)
    with ctx.database.session() as session:
        project = _project(session, project_id)
        _check_version(project, if_match)
        previous = current_values(project, changes)
        if all(same_value(k, previous[k], v) for k, v in changes.items()):
            raise InvalidParameter("nothing to change: the project already has these values")
        correction = _save(session, ctx, user, project, changes, comment)
        headers = {**_JSON, "ETag": project_version(project), "Location": f"/projects/{project.id}/history"}
        return headers, 201, _correction_json(correction)


def _check_version(project: Project, if_match: str | None) -> None:
    if if_match is not None and if_match.strip() not in (project_version(project), "*"):
        raise PreconditionFailed("the project changed since you read it: reload and edit again")


def _save(
    session: Session,
    ctx: Context,
    user: User,
    project: Project,
    changes: dict[str, Any],
    comment: str,
    action: str = "edit",
) -> Correction:
    """Record ``changes`` as one correction and apply them (the caller's transaction)."""
    correction = Correction(
        project_key=project.key,
        action=action,
        changes=changes,
        previous=current_values(project, changes) if action != "create" else {"rejected": True},
        author=user.name,
        comment=comment,
        created_at=_now(),
        state="active",
    )
    session.add(correction)
    apply_changes(project, changes)
    project.review_flag = None
    _changed(session, ctx, project)
    return correction


def revert(ctx: Context, user: User, correction_id: int, body: Any) -> Result:
    """``POST /api/corrections/{id}/revert`` with ``{"comment": "…"}``: the fields it changed go
    back to what they were, where no later correction changed them again."""
    comment = _comment(body if isinstance(body, dict) else {})
    with ctx.database.session() as session:
        target = session.get(Correction, correction_id)
        if target is None:
            raise NotFound(f"no correction {correction_id}")
        if target.state != "active" or target.action == "revert":
            raise InvalidParameter(f"correction {correction_id} is not an active edit")
        project = session.scalar(select(Project).where(Project.key == target.project_key))
        if project is None:
            raise InvalidParameter(f"correction {correction_id} is orphaned: its project no longer exists")
        now = current_values(project, target.changes)
        restore = {
            k: target.previous.get(k) for k in target.changes if same_value(k, now[k], target.changes[k])
        }
        if target.action == "create":  # undoing a hand-drawn project hides it again
            restore = {"rejected": True}
            now = current_values(project, restore)
        target.state = "reverted"
        undo = Correction(
            project_key=project.key,
            action="revert",
            changes=restore,
            previous={k: now[k] for k in restore},
            author=user.name,
            comment=comment,
            created_at=_now(),
            state="active",
            reverts_id=target.id,
        )
        session.add(undo)
        apply_changes(project, restore)
        still = session.scalar(
            select(Correction.id).where(
                Correction.project_key == project.key,
                Correction.state == "active",
                Correction.action.in_(("edit", "create", "reject")),
            )
        )
        project.corrected = still is not None
        _changed(session, ctx, project)
        return {**_JSON, "ETag": project_version(project)}, 201, _correction_json(undo)


def _now() -> datetime:
    # to the second: the exported time (ISO, seconds) must find the stored one on re-import
    return datetime.now(UTC).replace(microsecond=0)


def _correction_json(c: Correction) -> dict[str, Any]:
    return {
        "id": c.id,
        "project_key": c.project_key,
        "action": c.action,
        "changes": c.changes,
        "previous": c.previous,
        "author": c.author,
        "comment": c.comment,
        "created_at": _iso(c.created_at),
        "state": c.state,
        "reverts": c.reverts_id,
        "flag": c.flag,
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def history(ctx: Context, project_id: int) -> dict[str, Any]:
    """The machine's reading of the project and every correction, oldest first."""
    session = ctx.session
    project = _project(session, project_id)
    mentions = session.execute(
        select(Document.file_name, Document.ingested_at, Mention.section, Mention.sentence, Mention.status)
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.project_id == project.id)
        .order_by(Mention.id)
    ).all()
    corrections = session.scalars(
        select(Correction).where(Correction.project_key == project.key).order_by(Correction.id)
    ).all()
    return {
        "id": project.id,
        "key": project.key,
        "name": project.name,
        "corrected": bool(project.corrected),
        "review_flag": project.review_flag,
        "version": project_version(project),
        "extraction": [
            {
                "document": m.file_name,
                "ingested_at": _iso(m.ingested_at),
                "section": m.section,
                "sentence": m.sentence,
                "status": m.status,
            }
            for m in mentions
        ],  # fmt: skip
        "corrections": [_correction_json(c) for c in corrections],
    }


def export_corrections(session: Session, out: IO[str]) -> int:
    """Every correction as one JSON line, oldest first, with its provenance."""
    n = 0
    for c in session.scalars(select(Correction).order_by(Correction.id)):
        record = _correction_json(c)
        record.pop("id")
        record["reverts_created_at"] = None
        if c.reverts_id is not None:
            target = session.get(Correction, c.reverts_id)
            record["reverts_created_at"] = _iso(target.created_at) if target else None
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def import_corrections(ctx: Context, lines: Iterable[str]) -> tuple[int, int]:
    """Corrections from JSON Lines (:func:`export_corrections`), in one transaction: each is
    checked, kept with its author, time and comment, and applied. One already present (same
    project, author and time) is skipped. Returns (imported, skipped)."""
    records = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(_record(json.loads(line)))
        except (ValueError, KeyError, TypeError, InvalidParameter) as exc:
            raise InvalidParameter(f"line {n}: {str(exc)[:200]}") from None
    imported = skipped = 0
    with ctx.database.session() as session:
        by_time: dict[str, Correction] = {}
        for r in records:
            exists = session.scalar(
                select(Correction).where(
                    Correction.project_key == r["project_key"],
                    Correction.author == r["author"],
                    Correction.created_at == r["created_at"],
                )
            )
            if exists is not None:
                skipped += 1
                by_time[_iso(exists.created_at) or ""] = exists
                continue
            target = by_time.get(r.pop("reverts_created_at") or "")
            c = Correction(**r, reverts_id=target.id if target else None)
            session.add(c)
            session.flush()
            by_time[_iso(c.created_at) or ""] = c
            imported += 1
        reapply(session, [r["project_key"] for r in records])
        refresh_stored_properties(session, ctx.backend, None)
        data_version.bump(session)
    return imported, skipped


def _record(raw: dict[str, Any]) -> dict[str, Any]:
    if raw["action"] not in ("edit", "revert"):
        raise InvalidParameter(f"unknown action {str(raw['action'])[:20]!r}")
    changes = validate_changes(raw["changes"]) if raw["action"] == "edit" else dict(raw["changes"])
    created = datetime.fromisoformat(raw["created_at"])
    return {
        "project_key": str(raw["project_key"]),
        "action": raw["action"],
        "changes": changes,
        "previous": dict(raw.get("previous") or {}),
        "author": str(raw["author"])[:100],
        "comment": _comment(raw),
        "created_at": created if created.tzinfo else created.replace(tzinfo=UTC),
        "state": raw.get("state", "active") if raw.get("state") in ("active", "reverted") else "active",
        "reverts_created_at": raw.get("reverts_created_at"),
    }


# ----------------------------------------------------------------------------- OGC API – Features Part 4
#: the properties a feature written through the OGC API may set (the others are read-only)
FEATURE_FIELDS = ("name", "aliases", "category", "subtype", "status", "precision", "location_note")


def _feature_comment(body: Any, given: str | None) -> str:
    """The comment: given with the request (header or query), else the feature's ``comment``."""
    if not given and isinstance(body, dict) and isinstance(body.get("properties"), dict):
        given = body["properties"].get("comment")
    return _comment({"comment": given})


def _wanted(body: Any, partial: bool) -> dict[str, Any]:
    """The editable values a feature (PUT, POST) or a JSON merge patch (PATCH) asks for."""
    if not isinstance(body, dict) or (not partial and body.get("type") != "Feature"):
        raise InvalidParameter(
            "the body must be a GeoJSON Feature" + (" or a JSON merge patch" if partial else "")
        )
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidParameter("properties must be an object")
    wanted = {k: props[k] for k in FEATURE_FIELDS if k in props and props[k] is not None}
    if body.get("geometry") is not None:
        wanted["geometry"] = body["geometry"]
    return wanted


def ogc_replace(
    ctx: Context,
    user: User,
    project_id: int,
    body: Any,
    comment: str | None,
    if_match: str | None,
    *,
    partial: bool,
) -> Result:
    """``PUT`` (a whole feature) or ``PATCH`` (JSON merge patch) on ``/collections/projects/items/{id}``:
    the editable values that differ become one correction; read-only properties are ignored."""
    wanted = _wanted(body, partial)
    note = _feature_comment(body, comment)
    with ctx.database.session() as session:
        project = _project(session, project_id)
        _check_version(project, if_match)
        current = current_values(project, wanted)
        moved = "geometry" in wanted and not same_value("geometry", current["geometry"], wanted["geometry"])
        if moved and wanted.get("precision") in (None, project.precision):
            wanted["precision"] = 1  # moved by a person: placed exactly, unless they say otherwise
        checked = validate_changes(wanted) if wanted else {}
        now = current_values(project, checked)
        changes = {k: v for k, v in checked.items() if not same_value(k, now[k], v)}
        if not changes:
            return {"ETag": project_version(project)}, 204, ""
        _save(session, ctx, user, project, changes, note)
        return {"ETag": project_version(project)}, 204, ""


def ogc_delete(
    ctx: Context, user: User, project_id: int, comment: str | None, if_match: str | None
) -> Result:
    """``DELETE /collections/projects/items/{id}``: "not a project" — hidden everywhere, kept, and
    reversible (revert the correction)."""
    note = _comment({"comment": comment})
    with ctx.database.session() as session:
        project = _project(session, project_id)
        if project.rejected:
            raise NotFound(f"no project {project_id}")
        _check_version(project, if_match)
        _save(session, ctx, user, project, {"rejected": True}, note, action="reject")
        return {}, 204, ""


def ogc_create(ctx: Context, user: User, body: Any, comment: str | None, base_url: str) -> Result:
    """``POST /collections/projects/items``: a project drawn by hand (precision 1 unless given),
    in the county its geometry lies in; logged as a correction of its own."""
    wanted = _wanted(body, partial=False)
    note = _feature_comment(body, comment)
    missing = [k for k in ("name", "category", "geometry") if k not in wanted]
    if missing:
        raise InvalidParameter(f"a new project needs {', '.join(missing)}")
    wanted.setdefault("subtype", "other")
    wanted.setdefault("status", "planned")
    changes = validate_changes(wanted)
    geom = shape(changes["geometry"])
    # the county of the middle of a line (a representative point of a line may be an end)
    point = (
        geom.interpolate(0.5, normalized=True)
        if geom.geom_type.endswith("LineString")
        else geom.representative_point()
    )
    county = ctx.gazetteer.county_at(point.x, point.y)
    with ctx.database.session() as session:
        project = Project(
            key=f"manual:{uuid.uuid4().hex}",
            kind="project",
            name=changes["name"],
            aliases=[],
            category=changes["category"],
            subtype=changes["subtype"],
            status=changes["status"],
            county_code=county.code if county else None,
            county_name=county.name if county else None,
            precision=changes["precision"],
            location_class=3,
            location_note=changes.get("location_note") or f"由 {user.name} 在地图上标注",
            gazetteer_ids=[],
            updated_at=_now(),
            geom=f"SRID=4326;{shape(changes['geometry']).wkt}",
        )
        session.add(project)
        session.flush()
        if county is not None:
            session.add(
                ProjectCounty(project_id=project.id, county_code=county.code, county_name=county.name)
            )
        _save(session, ctx, user, project, changes, note, action="create")
        location = f"{base_url}/collections/projects/items/{project.id}"
        return {"Location": location, "ETag": project_version(project)}, 201, ""
