"""Users' GIS layers as an overlay on the built-in gazetteer.

Contract: a :class:`LayerIndex` holds the named features of one or more imported layers in
columns (names, aliases, subtypes, WKB geometries) and answers ``lookup(key)`` with
:class:`~gazetteer.model.Entry` objects made on first use, so half a million features cost a
dictionary of names, not half a million entries. ``Gazetteer.with_layers(index)`` returns
a gazetteer that resolves names against the built-in entries *and* the layers.

A layer entry's id is ``layer:<layer name>:<feature id>``; its source names the layer, the
source and the licence. Points and areas keep the layer's precision (default 1); a line
keeps at best precision 2: a project named after a road or river lies *along* its real
centreline, not on all of it. The county of a feature is the one the file gave
(``--county-field``) or, when none, the counties its geometry lies in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import shapely

from gazetteer import precision as P
from gazetteer.model import Entry
from gazetteer.normalize import normalize

__all__ = ["LayerInfo", "LayerFeatures", "LayerIndex", "LAYER_ID_PREFIX", "is_layer_id", "layer_of"]

LAYER_ID_PREFIX = "layer:"


def is_layer_id(entry_id: str) -> bool:
    return entry_id.startswith(LAYER_ID_PREFIX)


def layer_of(entry_id: str) -> str:
    """The layer name in a layer entry id (``layer:osm:12`` → ``osm``)."""
    return entry_id[len(LAYER_ID_PREFIX) :].rsplit(":", 1)[0]


@dataclass(frozen=True)
class LayerInfo:
    name: str
    source: str
    licence: str = ""
    precision: int = P.EXACT
    radius_km: float | None = None
    crs: str = "EPSG:4326"

    @property
    def attribution(self) -> str:
        text = f"{self.source} (layer {self.name}"
        return text + (f"; {self.licence})" if self.licence else ")")


@dataclass
class LayerFeatures:
    """One layer's features in columns, as stored."""

    info: LayerInfo
    fids: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    aliases: list[tuple[str, ...]] = field(default_factory=list)
    subtypes: list[str] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)
    #: counties given by the file (adcodes); empty → computed from the geometry
    county_codes: list[tuple[str, ...]] = field(default_factory=list)
    wkb: list[bytes] = field(default_factory=list)


#: (layer number, row) packed in one int: layer << 32 | row, doubled, +1 for an alias
def _pack(layer_no: int, row: int, alias: bool) -> int:
    return ((layer_no << 32 | row) << 1) | int(alias)


class LayerIndex:
    """Names of the layers' features → entries, made on demand.

    ``counties`` is a function ``geometry → tuple of adcodes`` (the built-in gazetteer's
    point-in-county test), used for features whose file named no county.
    """

    def __init__(
        self, layers: list[LayerFeatures], counties: Callable | None = None, skip: Iterable[str] = ()
    ):
        self.layers = layers
        self._counties = counties
        self._by_name = {layer.info.name: n for n, layer in enumerate(layers)}
        self._rows: dict[int, dict[int, int]] = {}
        self._entries: dict[int, Entry] = {}
        self.keys: dict[str, list[int]] = {}
        skip = set(skip)
        for n, layer in enumerate(layers):
            self._index_layer(n, layer, skip)

    def _index_layer(self, n: int, layer: LayerFeatures, skip: set[str]) -> None:
        base = n << 33  # _pack(n, 0, False)
        keys = self.keys
        for row, name in enumerate(layer.names):  # the common case inline: half a million names
            key = normalize(name)
            if len(key) < 2 or key in skip:
                continue
            hits = keys.get(key)
            if hits is None:
                keys[key] = [base | row << 1]
            else:
                self._put(key, base | row << 1, skip)
        for row, aliases in enumerate(layer.aliases):
            for text in aliases:
                self._put(normalize(text), base | row << 1 | 1, skip)

    def _put(self, key: str, ref: int, skip: set[str]) -> None:
        if len(key) < 2 or key in skip:
            return
        hits = self.keys.get(key)
        if hits is None:
            self.keys[key] = [ref]
        elif ref >> 1 not in {h >> 1 for h in hits}:
            hits.append(ref)

    def __len__(self) -> int:
        return sum(len(layer.names) for layer in self.layers)

    @property
    def infos(self) -> list[LayerInfo]:
        return [layer.info for layer in self.layers]

    def lookup(self, key: str) -> list[tuple[Entry, str]]:
        refs = self.keys.get(key)
        if not refs:
            return []
        return [(self._entry(ref >> 1), "alias" if ref & 1 else "name") for ref in refs]

    def get(self, entry_id: str) -> Entry | None:
        if not is_layer_id(entry_id):
            return None
        layer, _, fid = entry_id[len(LAYER_ID_PREFIX) :].rpartition(":")
        n = self._by_name.get(layer)
        if n is None or not fid.isdigit():
            return None
        rows = self._rows.get(n)
        if rows is None:
            rows = self._rows[n] = {f: i for i, f in enumerate(self.layers[n].fids)}
        row = rows.get(int(fid))
        return None if row is None else self._entry(n << 32 | row)

    def _entry(self, packed: int) -> Entry:
        entry = self._entries.get(packed)
        if entry is None:
            entry = self._entries[packed] = self._make(packed >> 32, packed & 0xFFFFFFFF)
        return entry

    def _make(self, n: int, row: int) -> Entry:
        layer = self.layers[n]
        info = layer.info
        geom = shapely.from_wkb(layer.wkb[row])
        kind = geom.geom_type
        is_line = "LineString" in kind
        codes = layer.county_codes[row] if layer.county_codes and layer.county_codes[row] else ()
        if not codes and self._counties is not None:
            codes = self._counties(geom)
        point = geom.interpolate(0.5, normalized=True) if is_line else geom.representative_point()
        return Entry(
            id=f"{LAYER_ID_PREFIX}{info.name}:{layer.fids[row]}",
            name=layer.names[row],
            kind="line" if is_line else "feature",
            geometry=geom,
            point=(round(point.x, 7), round(point.y, 7)),
            precision=max(info.precision, P.NEAR) if is_line else info.precision,
            location_class=layer.classes[row] or 3,
            source=info.attribution,
            aliases=layer.aliases[row],
            subtype=layer.subtypes[row],
            county_code=codes[0] if codes else "",
            county_codes=tuple(codes),
            radius_km=info.radius_km,
            note=f"layer {info.name}",
            footprint="line" if is_line else "point" if kind == "Point" else "area",
        )
