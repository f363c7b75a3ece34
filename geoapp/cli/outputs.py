"""Commands that write files: ``export projects|places`` (every download format) and
``render`` (a static map image), with the same filters as the web map."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from geoapp.catalog.filters import FILTERS, FilterParam
from geoapp.cli.base import CliState, cli, pass_state


# ----------------------------------------------------------------------------- export
def _filter_option(f: FilterParam):
    # values go to parse_filters as text: one parser, the same messages as on the web
    return click.option(*f.cli_names, f.name, multiple=f.multiple, help=f.help)


def filter_options(func):
    """The project filters (:data:`geoapp.catalog.filters.FILTERS`) as command-line options."""
    for f in reversed(FILTERS):
        func = _filter_option(f)(func)
    return func


def _filter_args(kwargs: dict[str, Any]) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for f in FILTERS:
        value = kwargs.get(f.name)
        if f.multiple and value:
            args[f.name] = list(value)
        elif not f.multiple and value not in (None, ""):
            args[f.name] = [str(value)]
    return args


@cli.group()
def export() -> None:
    """Write data to files."""


_EXPORT_FORMATS = ["geojson", "gpkg", "shp", "csv", "xlsx", "kml", "kmz", "fgb"]


def file_options(func):
    """--format, --output, --crs and --bom, shared by every ``geoapp export`` command."""
    for option in reversed(
        [
            click.option(
                "--format", "fmt", type=click.Choice(_EXPORT_FORMATS), default="geojson", show_default=True
            ),
            click.option(
                "--output", "-o", required=True, type=click.Path(path_type=Path), help="File to write."
            ),
            click.option(
                "--crs",
                default="CRS84",
                show_default=True,
                help="CRS84, EPSG:4326, EPSG:4490, EPSG:4544, EPSG:4545 or gcj02.",
            ),
            click.option(
                "--bom/--no-bom",
                default=True,
                show_default=True,
                help="CSV: start with a UTF-8 byte-order mark (Excel needs it to read Chinese).",
            ),
        ]
    ):
        func = option(func)
    return func


def _export(
    state: CliState, source: str, filters: dict[str, list[str]], fmt: str, output: Path, crs: str, bom: bool
) -> None:
    from geoapp.exports.downloads import export_file
    from geoapp.progress import bar

    with contextlib.ExitStack() as stack:

        def progress(total: int):
            return stack.enter_context(bar(total, f"exporting {source}"))

        n = export_file(
            state.db, state.settings, source, filters, fmt, output, crs, bom=bom, progress=progress
        )
    click.echo(f"wrote {n} {source} to {output}")


@export.command("projects")
@file_options
@filter_options
@pass_state
def export_projects(state: CliState, fmt: str, output: Path, crs: str, bom: bool, **kwargs: Any) -> None:
    """Export the (filtered) projects, one feature per project."""
    _export(state, "projects", _filter_args(kwargs), fmt, output, crs, bom)


@export.command("places")
@file_options
@click.option(
    "--kind",
    multiple=True,
    type=click.Choice(["township", "locality", "feature"]),
    help="Kind(s) of place (default: all three).",
)
@click.option("--county", help="County name or adcode.")
@click.option("--name", help="Text in the name.")
@click.option("--bbox", help="minlon,minlat,maxlon,maxlat (WGS84).")
@pass_state
def export_places(
    state: CliState,
    fmt: str,
    output: Path,
    crs: str,
    bom: bool,
    kind: tuple[str, ...],
    county: str | None,
    name: str | None,
    bbox: str | None,
) -> None:
    """Export the gazetteer's places (townships, localities, features) as the database holds them:
    names, kinds, codes, aliases, precision and source."""
    filters = {"kind": list(kind)} if kind else {}
    filters.update({k: [v] for k, v in (("county", county), ("name", name), ("bbox", bbox)) if v})
    _export(state, "places", filters, fmt, output, crs, bom)


# ----------------------------------------------------------------------------- render
@cli.command()
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="PNG, SVG or PDF file.")
@click.option("--width", default=1600, show_default=True, type=int, help="Width in pixels.")
@click.option("--height", default=1200, show_default=True, type=int, help="Height in pixels.")
@click.option("--dpi", default=150, show_default=True, type=int)
@click.option("--title", help="Map title.")
@click.option("--labels/--no-labels", default=True, show_default=True)
@filter_options
@pass_state
def render(
    state: CliState,
    output: Path,
    width: int,
    height: int,
    dpi: int,
    title: str | None,
    labels: bool,
    **kwargs: Any,
) -> None:
    """Render a static map image of the (filtered) projects.

    With several --county and ``{county}`` in --output (``maps/{county}.png``), one image per county."""
    from geoapp.maps.render import render_to_file
    from geoapp.progress import bar

    args = _filter_args(kwargs)
    args.update(
        {
            "width": [str(width)],
            "height": [str(height)],
            "dpi": [str(dpi)],
            "labels": ["on" if labels else "off"],
        }
    )
    if title:
        args["title"] = [title]
    if "{county}" not in str(output):
        render_to_file(state.db, state.settings, args, output)
        click.echo(f"wrote {output}")
        return
    counties = args.get("county") or []
    if not counties:
        raise click.UsageError("{county} in --output needs one or more --county")
    with bar(len(counties), "rendering", show=str) as step:
        for county in counties:
            path = Path(str(output).replace("{county}", county.replace("/", "_")))
            path.parent.mkdir(parents=True, exist_ok=True)
            render_to_file(state.db, state.settings, {**args, "county": [county]}, path)
            step(1, path)
            click.echo(f"wrote {path}")
