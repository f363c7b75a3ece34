"""Commands for people's work on the data: ``users``, ``tokens`` and ``corrections``.

A token is printed once, when it is made; only a hash of it is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from geoapp.cli.base import CliState, cli, pass_state
from geoapp.store.models import ROLES


@cli.group()
def users() -> None:
    """People who correct the data (roles: viewer, editor, admin)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True)
@pass_state
def users_add(state: CliState, name: str, role: str) -> None:
    """Add a user."""
    from geoapp.store.accounts import add_user

    with state.db.session() as session:
        add_user(session, name, role)
    click.echo(f"user {name} ({role}) added")


@users.command("list")
@pass_state
def users_list(state: CliState) -> None:
    """List the users."""
    from geoapp.store.accounts import list_users

    with state.db.session() as session:
        for u in list_users(session):
            click.echo(f"{u.name}\t{u.role}\t{'disabled' if u.disabled else 'active'}")


@cli.group()
def tokens() -> None:
    """API tokens (Authorization: Bearer …)."""


@tokens.command("create")
@click.argument("user")
@click.option(
    "--expires", "days", type=click.IntRange(1, 3650), help="Days it is valid (default: until revoked)."
)
@click.option("--label", help="What it is for (shown in `tokens list`).")
@pass_state
def tokens_create(state: CliState, user: str, days: int | None, label: str | None) -> None:
    """Make a token for USER and print it (once: only its hash is kept)."""
    from geoapp.store.accounts import create_token

    with state.db.session() as session:
        token = create_token(session, user, days=days, label=label)
    click.echo(token)


@tokens.command("revoke")
@click.argument("token_id", type=int)
@pass_state
def tokens_revoke(state: CliState, token_id: int) -> None:
    """Revoke a token by its number (the N of gat_N_…)."""
    from geoapp.store.accounts import revoke_token

    with state.db.session() as session:
        revoke_token(session, token_id)
    click.echo(f"token {token_id} revoked")


@tokens.command("list")
@pass_state
def tokens_list(state: CliState) -> None:
    """List the tokens (never their secrets)."""
    from geoapp.store.accounts import list_tokens

    with state.db.session() as session:
        for t in list_tokens(session):
            status = (
                "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}" if t.expires_at else "valid"
            )
            click.echo(f"{t.id}\t{t.user.name}\t{status}\t{t.label or ''}")


@cli.group()
def corrections() -> None:
    """People's corrections: list, export and import them (JSON Lines)."""


@corrections.command("list")
@click.option("--flagged", is_flag=True, help="Only those flagged (source changed, orphaned).")
@pass_state
def corrections_list(state: CliState, flagged: bool) -> None:
    """List the corrections, oldest first."""
    from sqlalchemy import select

    from geoapp.store.models import Correction

    with state.db.session() as session:
        query = select(Correction).order_by(Correction.id)
        if flagged:
            query = query.where(Correction.flag.is_not(None))
        for c in session.scalars(query):
            fields = ",".join(c.changes)
            click.echo(
                f"{c.id}\t{c.created_at:%Y-%m-%d %H:%M}\t{c.author}\t{c.action}\t{c.state}"
                f"\t{c.flag or ''}\t{c.project_key}\t{fields}\t{c.comment}"
            )


@corrections.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@pass_state
def corrections_export(state: CliState, file: Path) -> None:
    """Write every correction to FILE (JSON Lines; '-' for standard output)."""
    from geoapp.editing import export_corrections

    with state.db.session() as session:
        if str(file) == "-":
            n = export_corrections(session, sys.stdout)
        else:
            with open(file, "w", encoding="utf-8") as out:
                n = export_corrections(session, out)
    click.echo(f"{n} corrections exported", err=True)


@corrections.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_state
def corrections_import(state: CliState, file: Path) -> None:
    """Read corrections from FILE (JSON Lines) and apply them, keeping who made them and when."""
    from geoapp.context import Context
    from geoapp.editing import import_corrections

    ctx = Context(session=None, backend=state.db.backend, settings=state.settings, database=state.db)  # type: ignore[arg-type]
    with open(file, encoding="utf-8") as lines:
        imported, skipped = import_corrections(ctx, lines)
    click.echo(f"{imported} corrections imported, {skipped} already present")


@corrections.command("from-layer")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option("--id-field", default="id", show_default=True, help="The field holding each project's id.")
@click.option("--author", required=True, help="The editor the corrections are made by (`geoapp users add`).")
@click.option("--comment", required=True, help="Why: one comment for every correction of the file.")
@click.option("--layer", help="The layer, in a file of several (a GeoPackage, a folder of Shapefiles).")
@click.option("--crs", help="The file's CRS when it does not say (a Shapefile without .prj): EPSG:4490 …")
@click.option("--datum", type=click.Choice(["gcj02"]), help="Coordinates in GCJ-02 (Chinese web maps).")
@click.option(
    "--dry-run", is_flag=True, help="Print what would change (id, field, old → new); write nothing."
)
@pass_state
def corrections_from_layer(
    state: CliState,
    file: Path,
    id_field: str,
    author: str,
    comment: str,
    layer: str | None,
    crs: str | None,
    datum: str | None,
    dry_run: bool,
) -> None:
    """Turn a layer edited in a GIS (e.g. /download/projects.gpkg with fixed geometries or
    names) into corrections: one per changed project, in one transaction. Compared: name,
    aliases, category, subtype, status, precision and the geometry (to ~1 cm). A bad row is one
    line on standard error and nothing is written (exit code 2)."""
    from geoapp.context import Context
    from geoapp.editing.from_layer import LayerProblems, from_layer
    from geoapp.store.accounts import get_user, require_role

    with state.db.session() as session:
        user = require_role(get_user(session, author), "editor")
        session.expunge(user)
    ctx = Context(session=None, backend=state.db.backend, settings=state.settings, database=state.db)  # type: ignore[arg-type]
    try:
        report = from_layer(
            ctx,
            user,
            file,
            id_field=id_field,
            comment=comment,
            layer=layer,
            crs=crs,
            datum=datum,
            dry_run=dry_run,
        )
    except LayerProblems as exc:
        for line in exc.lines:
            click.echo(f"geoapp: error: {file.name} {line}", err=True)
        sys.exit(exc.exit_code)
    if dry_run:
        click.echo("id\tfield\told → new")
        for line in report.table():
            click.echo(line)
    click.echo(report.summary(), err=dry_run)
