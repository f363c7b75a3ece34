"""One value that changes whenever the served data change: what the API's validators
(``ETag``) are made of, so a GIS client refreshing a layer gets ``304 Not Modified`` until
something was ingested, re-placed or imported.

Written in the same transaction as the change (:func:`bump`: ingestion, ``regeocode``,
``gazetteer add/remove``); a database from before this key answers with its counts and
latest times instead (:func:`current`).
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoapp.store.models import Document, Meta, Project

__all__ = ["KEY", "bump", "current"]

KEY = "data_version"


def bump(session: Session) -> None:
    """Mark the data as changed (inside the changing transaction)."""
    row = session.get(Meta, KEY)
    if row is None:
        session.add(Meta(key=KEY, value=uuid.uuid4().hex))
    else:
        row.value = uuid.uuid4().hex


def current(session: Session) -> str:
    """The data's version: one primary-key lookup."""
    value = session.execute(select(Meta.value).where(Meta.key == KEY)).scalar()
    if value is not None:
        return value
    p = session.execute(select(func.count(), func.max(Project.updated_at))).one()
    d = session.execute(select(func.count(), func.max(Document.ingested_at))).one()
    return "|".join(str(v) for v in (*p, *d))
