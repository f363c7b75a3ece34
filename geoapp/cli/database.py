"""Commands that set up and fill the database: ``db init``, ``db status``, ``settings``,
``ingest``, ``regeocode``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from geoapp.cli.base import CliState, cli, pass_state
from geoapp.settings import SETTINGS


@cli.group()
def db() -> None:
    """Create and migrate the database."""


@db.command("init")
@click.option("--force-places", is_flag=True, help="Rewrite the places table even if current.")
@pass_state
def db_init(state: CliState, force_places: bool) -> None:
    """Create or migrate the schema and load the gazetteer's places (idempotent)."""
    from geoapp.catalog.sources.projects import refresh_stored_properties, stored_properties_complete
    from geoapp.store.gazetteer import sync_places

    state.db.upgrade()
    gaz = state.gazetteer()
    backend = state.db.backend
    with state.db.session() as session:
        n = sync_places(session, gaz, force=force_places)
        # feature JSON kept for exports (PostGIS): written now if a migration or another
        # version of the code left it missing or stale, rather than at the next ingest
        rewrite = backend.builds_json and not stored_properties_complete(session, backend)
        if rewrite:
            refresh_stored_properties(session, backend)
    click.echo(
        f"database ready ({state.db.dialect}); "
        + (f"{n} places written" if n else "places already current")
        + ("; feature properties rewritten" if rewrite else "")
    )


@db.command("status")
@pass_state
def db_status(state: CliState) -> None:
    """Print the schema revision of the database and the newest one.

    Exit code: 0 the schema is current, 3 there is no schema (run ``geoapp db init``),
    4 the schema is older than the code (``geoapp db init`` migrates it)."""
    from geoapp.store.database import current_revision, head_revision

    current, newest = current_revision(state.db.engine), head_revision()
    click.echo(f"{state.db.dialect}: revision {current} (newest {newest})")
    if current is None:
        sys.exit(3)
    if current != newest:
        sys.exit(4)


# ----------------------------------------------------------------------------- settings
@cli.command("settings")
def settings_cmd() -> None:
    """List every setting: environment variable, default and meaning."""
    for s in SETTINGS:
        click.echo(f"{s.env}\n    default: {s.default!r}\n    {s.help}")


# ----------------------------------------------------------------------------- gazetteer
@cli.command()
@click.option("--county", help="Only the projects of this county (name or adcode).")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Re-place every project, not only those a layer places (or placed).",
)
@pass_state
def regeocode(state: CliState, county: str | None, everything: bool) -> None:
    """Re-place stored projects with the gazetteer and layers, without re-reading documents."""
    from gazetteer import UnknownPlace
    from geoapp.ingest.regeocode import regeocode as run

    code = None
    if county:
        try:
            code = state.gazetteer().county(county).code
        except UnknownPlace as exc:
            raise click.UsageError(str(exc)) from None
    report = run(state.db, state.placer(), code, only_layers=not everything)
    for line in report.lines():
        click.echo(line)


# ----------------------------------------------------------------------------- ingest
@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_state
def ingest(state: CliState, files: tuple[Path, ...]) -> None:
    """Read planning documents (UTF-8/GBK text, .docx, .pdf) into the database."""
    from geoapp.ingest import ingest_files
    from geoapp.progress import bar, on_terminal, printable

    gaz = state.gazetteer()
    terminal = on_terminal()
    with bar(len(files), "ingesting", show=str) as step:
        started: list[str] = []

        def progress(message: str) -> None:
            # called as "[n/N] path" before each file: the bar counts the files finished
            # and names the one being read; without a terminal the line itself is printed
            if terminal:
                step(1 if started else 0, files[len(started)])
                started.append(message)
            else:
                click.echo(printable(message), err=True)

        report = ingest_files(state.db, gaz, list(files), progress=progress)
        step(1 if started else 0)  # the last file
    for line in report.lines():
        click.echo(printable(line), err=line.startswith("error"))
    if report.failed:
        sys.exit(1)
