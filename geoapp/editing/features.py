"""OGC API – Features Part 4 on ``projects``: ``POST`` a project drawn by hand, ``PUT``/``PATCH``
(JSON merge patch) a feature, ``DELETE`` ("not a project", reversible). Each write is one
correction (:mod:`geoapp.editing.changes`), guarded by the project's ``ETag``.
"""

from __future__ import annotations

import uuid
from typing import Any

from shapely.geometry import shape

from geoapp.context import Context
from geoapp.editing.changes import (
    Result,
    check_version,
    get_project,
    project_version,
    save,
    utc_now,
)
from geoapp.editing.validation import require_comment, validate_changes
from geoapp.errors import InvalidParameter, NotFound
from geoapp.store.corrections import current_values, same_value
from geoapp.store.models import Project, ProjectCounty, User

__all__ = ["ogc_create", "ogc_replace", "ogc_delete", "new_project", "FEATURE_FIELDS"]

FEATURE_FIELDS = ("name", "aliases", "category", "subtype", "status", "precision", "location_note")


def _feature_comment(body: Any, given: str | None) -> str:
    """The comment: given with the request (header or query), else the feature's ``comment``."""
    if not given and isinstance(body, dict) and isinstance(body.get("properties"), dict):
        given = body["properties"].get("comment")
    return require_comment({"comment": given})


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
        project = get_project(session, project_id)
        check_version(project, if_match)
        current = current_values(project, wanted)
        moved = "geometry" in wanted and not same_value("geometry", current["geometry"], wanted["geometry"])
        if moved and wanted.get("precision") in (None, project.precision):
            wanted["precision"] = 1  # moved by a person: placed exactly, unless they say otherwise
        checked = validate_changes(wanted) if wanted else {}
        now = current_values(project, checked)
        changes = {k: v for k, v in checked.items() if not same_value(k, now[k], v)}
        if not changes:
            return {"ETag": project_version(project)}, 204, ""
        save(session, ctx, user, project, changes, note)
        return {"ETag": project_version(project)}, 204, ""


def ogc_delete(
    ctx: Context, user: User, project_id: int, comment: str | None, if_match: str | None
) -> Result:
    """``DELETE /collections/projects/items/{id}``: "not a project" — hidden everywhere, kept, and
    reversible (revert the correction)."""
    note = require_comment({"comment": comment})
    with ctx.database.session() as session:
        project = get_project(session, project_id)
        if project.rejected:
            raise NotFound(f"no project {project_id}")
        check_version(project, if_match)
        save(session, ctx, user, project, {"rejected": True}, note, action="reject")
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
    with ctx.database.session() as session:
        project = new_project(ctx, session, user, changes)
        save(session, ctx, user, project, changes, note, action="create")
        location = f"{base_url}/collections/projects/items/{project.id}"
        return {"Location": location, "ETag": project_version(project)}, 201, ""


def new_project(ctx: Context, session, user: User, changes: dict[str, Any]) -> Project:
    """A project drawn by hand from checked ``changes`` (name, category, subtype, status,
    geometry, precision), in the county its geometry lies in; added and flushed (it has an id)."""
    geom = shape(changes["geometry"])
    # the county of the middle of a line (a representative point of a line may be an end)
    point = (
        geom.interpolate(0.5, normalized=True)
        if geom.geom_type.endswith("LineString")
        else geom.representative_point()
    )
    county = ctx.gazetteer.county_at(point.x, point.y)
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
        updated_at=utc_now(),
        geom=f"SRID=4326;{geom.wkt}",
    )
    session.add(project)
    session.flush()
    if county is not None:
        session.add(ProjectCounty(project_id=project.id, county_code=county.code, county_name=county.name))
    return project
