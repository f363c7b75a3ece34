"""Corrections between installations (a county's server to the municipality's): JSON Lines with
their provenance — author, time, comment, what a revert undid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoapp.catalog.sources.projects import refresh_stored_properties
from geoapp.context import Context
from geoapp.editing.changes import correction_json, iso
from geoapp.editing.validation import require_comment, validate_changes
from geoapp.errors import InvalidParameter
from geoapp.store import data_version
from geoapp.store.corrections import reapply
from geoapp.store.models import Correction

__all__ = ["export_corrections", "import_corrections"]


def export_corrections(session: Session, out: IO[str]) -> int:
    """Every correction as one JSON line, oldest first, with its provenance."""
    n = 0
    for c in session.scalars(select(Correction).order_by(Correction.id)):
        record = correction_json(c)
        record.pop("id")
        record["reverts_created_at"] = None
        if c.reverts_id is not None:
            target = session.get(Correction, c.reverts_id)
            record["reverts_created_at"] = iso(target.created_at) if target else None
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n


def import_corrections(ctx: Context, lines: Iterable[str]) -> tuple[int, int]:
    """Corrections from JSON Lines (:func:`export_corrections`), in one transaction: each is
    checked, kept with its author, time and comment, and applied. One already present (same
    project, author, time and action) is skipped. Returns (imported, skipped)."""
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
        # a revert names its target by time: look it up among the same project's corrections
        by_time: dict[tuple[str, str], Correction] = {}
        for r in records:
            exists = session.scalar(
                select(Correction).where(
                    Correction.project_key == r["project_key"],
                    Correction.author == r["author"],
                    Correction.created_at == r["created_at"],
                    Correction.action == r["action"],
                )
            )
            if exists is not None:
                skipped += 1
                if exists.action != "revert":
                    by_time[(exists.project_key, iso(exists.created_at) or "")] = exists
                continue
            target = by_time.get((r["project_key"], r.pop("reverts_created_at") or ""))
            c = Correction(**r, reverts_id=target.id if target else None)
            session.add(c)
            session.flush()
            if c.action != "revert":
                by_time[(c.project_key, iso(c.created_at) or "")] = c
            imported += 1
        reapply(session, [r["project_key"] for r in records])
        refresh_stored_properties(session, ctx.backend, None)
        data_version.bump(session)
    return imported, skipped


#: what a correction may be (a project drawn by hand or split off comes as its correction:
#: it is kept, flagged orphaned, where no such project exists)
ACTIONS = ("edit", "create", "reject", "merge", "split", "revert")


def _record(raw: dict[str, Any]) -> dict[str, Any]:
    action = raw["action"]
    if action not in ACTIONS:
        raise InvalidParameter(f"unknown action {str(action)[:20]!r}")
    changes = (
        dict(raw["changes"])
        if action == "revert"
        else validate_changes(raw["changes"], merge=action == "merge", empty=action == "split")
    )
    created = datetime.fromisoformat(raw["created_at"])
    return {
        "project_key": str(raw["project_key"]),
        "action": action,
        "changes": changes,
        "previous": dict(raw.get("previous") or {}),
        "author": str(raw["author"])[:100],
        "comment": require_comment(raw),
        "created_at": created if created.tzinfo else created.replace(tzinfo=UTC),
        "state": raw.get("state", "active") if raw.get("state") in ("active", "reverted") else "active",
        "reverts_created_at": raw.get("reverts_created_at"),
    }


# ----------------------------------------------------------------------------- OGC API – Features Part 4
