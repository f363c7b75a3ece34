"""One correction at a time: :func:`correct` (an editor changes a project, with ``If-Match``
optimistic concurrency), :func:`revert` (undo, itself logged) and :func:`history` (what the
machine read and every correction). Each runs in one transaction; :mod:`geoapp.store.corrections`
applies the values and keeps them through re-ingestion.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.context import Context
from geoapp.editing.validation import require_comment, validate_changes
from geoapp.errors import InvalidParameter, NotFound, PreconditionFailed
from geoapp.store import data_version
from geoapp.store.corrections import FIELDS, apply_changes, current_values, same_value
from geoapp.store.models import Correction, Document, Mention, Project, User

__all__ = ["correct", "revert", "history", "project_version", "Result"]

Result = tuple[dict[str, str], int, Any]
_JSON = {"Content-Type": "application/json; charset=utf-8"}


def project_version(project: Project) -> str:
    """The project's version as an ETag: changes whenever a served value does."""
    values = current_values(project, FIELDS)
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()
    return f'"{digest[:20]}"'


def get_project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    return project


def changed(session: Session, ctx: Context, project: Project) -> None:
    session.flush()
    refresh_stored_properties(session, ctx.backend, [project.id])
    data_version.bump(session)


def correct(ctx: Context, user: User, project_id: int, body: Any, if_match: str | None = None) -> Result:
    """``POST /api/projects/{id}/corrections`` with ``{"changes": {…}, "comment": "…"}``."""
    if not isinstance(body, dict):
        raise InvalidParameter('the body must be {"changes": {…}, "comment": "…"}')
    changes = validate_changes(body.get("changes"))
    comment = require_comment(body)
    with ctx.database.session() as session:
        project = get_project(session, project_id)
        check_version(project, if_match)
        previous = current_values(project, changes)
        if all(same_value(k, previous[k], v) for k, v in changes.items()):
            raise InvalidParameter("nothing to change: the project already has these values")
        correction = save(session, ctx, user, project, changes, comment)
        headers = {**_JSON, "ETag": project_version(project), "Location": f"/projects/{project.id}/history"}
        return headers, 201, correction_json(correction)


def check_version(project: Project, if_match: str | None) -> None:
    if if_match is not None and if_match.strip() not in (project_version(project), "*"):
        raise PreconditionFailed("the project changed since you read it: reload and edit again")


def save(
    session: Session,
    ctx: Context,
    user: User,
    project: Project,
    changes: dict[str, Any],
    comment: str,
    action: str = "edit",
) -> Correction:
    """Record ``changes`` as one correction and apply them (the caller's transaction)."""
    correction = record(session, user, project, changes, comment, action)
    changed(session, ctx, project)
    return correction


def record(
    session: Session,
    user: User,
    project: Project,
    changes: dict[str, Any],
    comment: str,
    action: str = "edit",
    moment: datetime | None = None,
    made: bool = False,
) -> Correction:
    """:func:`save` without refreshing the stored properties: for many projects at once (the
    caller refreshes them together). ``made``: the correction made the project (drawn by hand,
    split off another); undoing it hides the project again."""
    made = made or action == "create"
    correction = Correction(
        project_key=project.key,
        action=action,
        changes=changes,
        previous=current_values(project, changes) if not made else {"rejected": True},
        author=user.name,
        comment=comment,
        created_at=moment or utc_now(),
        state="active",
    )
    session.add(correction)
    apply_changes(project, changes)
    project.review_flag = None
    return correction


def revert(ctx: Context, user: User, correction_id: int, body: Any) -> Result:
    """``POST /api/corrections/{id}/revert`` with ``{"comment": "…"}``: the fields it changed go
    back to what they were, where no later correction changed them again. A merge or a split
    is undone on both projects."""
    comment = require_comment(body if isinstance(body, dict) else {})
    with ctx.database.session() as session:
        target = session.get(Correction, correction_id)
        if target is None:
            raise NotFound(f"no correction {correction_id}")
        if target.state != "active" or target.action == "revert":
            raise InvalidParameter(f"correction {correction_id} is not an active edit")
        project = session.scalar(select(Project).where(Project.key == target.project_key))
        if project is None:
            raise InvalidParameter(f"correction {correction_id} is orphaned: its project no longer exists")
        undo = _undo(session, user, target, project, comment)
        changed(session, ctx, project)
        for other in partners(session, target):
            partner = session.scalar(select(Project).where(Project.key == other.project_key))
            if partner is not None:
                _undo(session, user, other, partner, comment)
                changed(session, ctx, partner)
        return {**_JSON, "ETag": project_version(project)}, 201, correction_json(undo)


#: corrections that are one act on two projects (undone together)
PAIRED = ("merge", "split")
#: corrections that leave a project corrected while active
EDITS = ("edit", "create", "reject", *PAIRED)


def partners(session: Session, c: Correction) -> list[Correction]:
    """The other half of a merge or a split: made by the same person at the same moment."""
    if c.action not in PAIRED:
        return []
    return list(
        session.scalars(
            select(Correction).where(
                Correction.action == c.action,
                Correction.author == c.author,
                Correction.created_at == c.created_at,
                Correction.id != c.id,
                Correction.state == "active",
            )
        )
    )


def _undo(session: Session, user: User, target: Correction, project: Project, comment: str) -> Correction:
    now = current_values(project, target.changes)
    restore = {k: target.previous.get(k) for k in target.changes if same_value(k, now[k], target.changes[k])}
    if target.previous == {"rejected": True} and "rejected" not in target.changes:
        restore = {"rejected": True}  # undoing a project made by hand hides it again
        now = current_values(project, restore)
    target.state = "reverted"
    undo = Correction(
        project_key=project.key,
        action="revert",
        changes=restore,
        previous={k: now[k] for k in restore},
        author=user.name,
        comment=comment,
        created_at=utc_now(),
        state="active",
        reverts_id=target.id,
    )
    session.add(undo)
    apply_changes(project, restore)
    still = session.scalar(
        select(Correction.id).where(
            Correction.project_key == project.key,
            Correction.state == "active",
            Correction.action.in_(EDITS),
        )
    )
    project.corrected = still is not None
    return undo


def utc_now() -> datetime:
    # to the second: the exported time (ISO, seconds) must find the stored one on re-import
    return datetime.now(UTC).replace(microsecond=0)


def correction_json(c: Correction) -> dict[str, Any]:
    return {
        "id": c.id,
        "project_key": c.project_key,
        "action": c.action,
        "changes": c.changes,
        "previous": c.previous,
        "author": c.author,
        "comment": c.comment,
        "created_at": iso(c.created_at),
        "state": c.state,
        "reverts": c.reverts_id,
        "flag": c.flag,
    }


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def history(ctx: Context, project_id: int) -> dict[str, Any]:
    """The machine's reading of the project and every correction, oldest first."""
    session = ctx.session
    project = get_project(session, project_id)
    # the projects merged into this one: their mentions are reported with it
    merged = session.execute(select(Project.id, Project.name).where(Project.merged_into == project.key)).all()
    kept = session.execute(select(Project.id, Project.name).where(Project.key == project.merged_into)).first()
    mentions = session.execute(
        select(
            Document.file_name, Document.ingested_at, Mention.section, Mention.sentence, Mention.status,
            Mention.project_id,
        )
        .join(Document, Document.id == Mention.document_id)
        .where(Mention.project_id.in_([project.id, *(m.id for m in merged)]))
        .order_by(Mention.id)
    ).all()  # fmt: skip
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
        "merged_into": {"id": kept.id, "name": kept.name} if kept else None,
        "merged_from": [{"id": m.id, "name": m.name} for m in merged],
        "extraction": [
            {
                "document": m.file_name,
                "ingested_at": iso(m.ingested_at),
                "section": m.section,
                "sentence": m.sentence,
                "status": m.status,
                "project": m.project_id,
            }
            for m in mentions
        ],  # fmt: skip
        "corrections": [correction_json(c) for c in corrections],
    }
