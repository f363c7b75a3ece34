"""Database access: one engine per URL, sessions, schema migrations (no Flask here: the
web wiring is :mod:`geoapp.web.boundary`).

The schema is versioned with Alembic (``geoapp/migrations``); ``upgrade`` brings
any database — SpatiaLite or PostGIS — to the newest revision.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from geoapp.store.backend import Backend, backend_for, make_engine

__all__ = [
    "Database",
    "get_database",
    "upgrade",
    "current_revision",
    "head_revision",
    "close_quietly",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "geoapp/store/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the schema to ``revision`` (the newest by default)."""
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


class Database:
    """An engine, its :class:`Backend` and a session factory."""

    def __init__(self, url: str, *, check: bool = True):
        self.url = url
        self.engine = make_engine(url, check=check)
        self.backend: Backend = backend_for(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def is_initialised(self) -> bool:
        return inspect(self.engine).has_table("projects")

    def upgrade(self) -> None:
        upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}
_lock = threading.Lock()


def get_database(url: str) -> Database:
    """The process-wide :class:`Database` for ``url`` (created on first use)."""
    with _lock:
        if url not in _databases:
            _databases[url] = Database(url)
        return _databases[url]


def forget_database(url: str) -> None:
    """Dispose of and forget the cached :class:`Database` for ``url`` (tests, CLI)."""
    with _lock:
        db = _databases.pop(url, None)
    if db is not None:
        db.dispose()


def close_quietly(session: Session) -> None:
    """Close a session at the end of a request; a broken connection (database restarted)
    is logged, not raised: the response is already decided, and must not become a 500."""
    try:
        session.close()
    except Exception:  # noqa: BLE001 — teardown must not fail the request
        # one line: during an outage this happens for every request in flight
        logging.getLogger(__name__).warning(
            "closing a database session failed: %s", type(sys.exc_info()[1]).__name__
        )
        with suppress(Exception):
            session.invalidate()
