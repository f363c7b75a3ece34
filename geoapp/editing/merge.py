"""Two projects that are one, and one that is two: :func:`merge` and :func:`split`, each one
act logged as a correction on both projects (made by the same person at the same moment, and
undone together by reverting either: :func:`geoapp.editing.changes.revert`).

* **merge** (``POST /api/projects/<id>/merge`` with ``{"into": other_id, "comment": …}``): the
  project is hidden like "not a project" and marked ``merged_into`` the kept one; its name
  and aliases become aliases of the kept one, whose history lists its mentions too.
* **split** (``POST /api/projects/<id>/split`` with ``{"name": …, "geometry": …, "comment": …}``,
  optionally ``category``, ``subtype``, ``status``, ``precision`` of the new project and
  ``keep_geometry`` / ``keep_name`` for what stays): a new hand-made project is made from part
  of an existing one.

Both keep through re-ingestion like every correction (:func:`geoapp.store.corrections.reapply`).
"""

from __future__ import annotations

from typing import Any

from geoapp.context import Context
from geoapp.editing.changes import (
    Result,
    changed,
    correction_json,
    get_project,
    project_version,
    record,
    utc_now,
)
from geoapp.editing.features import new_project
from geoapp.editing.validation import require_comment, validate_changes
from geoapp.errors import InvalidParameter
from geoapp.store.models import MAX_ID, User

__all__ = ["merge", "split"]

_JSON = {"Content-Type": "application/json; charset=utf-8"}


def merge(ctx: Context, user: User, project_id: int, body: Any) -> Result:
    """Merge project ``project_id`` into ``body["into"]`` (see the module's contract)."""
    if not isinstance(body, dict):
        raise InvalidParameter('the body must be {"into": project id, "comment": "…"}')
    into = body.get("into")
    if not isinstance(into, int) or isinstance(into, bool) or not 0 < into <= MAX_ID:
        raise InvalidParameter("into must be the id of the project to keep")
    if into == project_id:
        raise InvalidParameter("a project cannot be merged into itself")
    note = require_comment(body)
    with ctx.database.session() as session:
        gone, kept = get_project(session, project_id), get_project(session, into)
        for p in (gone, kept):
            if p.rejected:
                raise InvalidParameter(f"project {p.id} is hidden (not a project, or merged already)")
        moment = utc_now()
        aliases = [a for a in dict.fromkeys([*kept.aliases, gone.name, *gone.aliases]) if a != kept.name]
        first = record(
            session, user, gone, {"rejected": True, "merged_into": kept.key}, note, "merge", moment
        )
        second = record(session, user, kept, {"aliases": aliases}, note, "merge", moment)
        changed(session, ctx, gone)
        changed(session, ctx, kept)
        out = {
            "kept": kept.id,
            "merged": gone.id,
            "corrections": [correction_json(first), correction_json(second)],
        }
        return {**_JSON, "ETag": project_version(kept)}, 201, out


def split(ctx: Context, user: User, project_id: int, body: Any) -> Result:
    """Split a new hand-made project off ``project_id`` (see the module's contract)."""
    if not isinstance(body, dict):
        raise InvalidParameter('the body must be {"name": "…", "geometry": {…}, "comment": "…"}')
    note = require_comment(body)
    missing = [k for k in ("name", "geometry") if k not in body]
    if missing:
        raise InvalidParameter(f"a split needs the new project's {' and '.join(missing)}")
    with ctx.database.session() as session:
        source = get_project(session, project_id)
        if source.rejected:
            raise InvalidParameter(f"project {source.id} is hidden (not a project, or merged)")
        wanted = {
            "name": body["name"],
            "geometry": body["geometry"],
            "category": body.get("category", source.category),
            "subtype": body.get("subtype", source.subtype),
            "status": body.get("status", source.status),
            "location_note": f"由 {user.name} 从「{source.name}」拆分",
        }
        if "precision" in body:
            wanted["precision"] = body["precision"]
        made = validate_changes(wanted)
        keep = {k: body[f"keep_{k}"] for k in ("geometry", "name") if body.get(f"keep_{k}") is not None}
        keep = validate_changes(keep) if keep else {}
        moment = utc_now()
        part = new_project(ctx, session, user, made)
        first = record(session, user, part, made, note, "split", moment, made=True)
        second = record(session, user, source, keep, note, "split", moment)
        changed(session, ctx, part)
        changed(session, ctx, source)
        out = {
            "source": source.id,
            "new": part.id,
            "corrections": [correction_json(first), correction_json(second)],
        }
        return {**_JSON, "Location": f"/api/projects/{part.id}", "ETag": project_version(part)}, 201, out
