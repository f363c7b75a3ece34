"""The ``geoapp`` command group and what every command shares: :class:`CliState` (settings,
database and gazetteer, opened on first use) and :func:`pass_state`.

Every problem a user can cause prints one line (``geoapp: error: …``) and exits
non-zero: 2 for bad usage or configuration, 1 for work that failed (:func:`geoapp.cli.main`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from geoapp.errors import DatabaseError
from geoapp.settings import load_settings

__all__ = ["CliState", "cli", "pass_state"]


class CliState:
    """What the commands of one invocation share, each opened on first use."""

    def __init__(self) -> None:
        self._settings: dict[str, Any] | None = None
        self._db = None

    @property
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def db(self):
        if self._db is None:
            from geoapp.store.database import Database

            self._db = Database(self.settings["database_url"])
        return self._db

    def gazetteer(self):
        from geoapp.store.gazetteer import get_gazetteer

        return get_gazetteer(self.settings["gazetteer_cache"])

    def placer(self):
        """The built-in gazetteer plus the database's layers (just the built-in one when
        the database does not exist yet)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.settings["database_url"])
        if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
            return self.gazetteer()
        from geoapp.store.layers import placer

        try:
            return placer(self.db, self.gazetteer())
        except DatabaseError as exc:  # the gazetteer works without the database: say so, go on
            click.echo(f"geoapp: warning: layers not loaded ({exc})", err=True)
            return self.gazetteer()


pass_state = click.make_pass_decorator(CliState, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geoapp")
def cli() -> None:
    """geoapp: maps of the projects named in county planning documents."""


# ----------------------------------------------------------------------------- db
