"""Layers benchmark: ``geoapp gazetteer add`` of a synthetic 500,000-feature OSM extract, loading
the layers with the gazetteer, and lookups with them loaded.

Targets (issue 13): add ≤ 60 s; single lookup median ≤ 50 µs with the layer loaded.
The extract (``.osm.pbf`` written with libosmium) holds 450,000 named POI nodes and 50,000
named ways of 3 nodes across Chongqing, with tags from ``gazetteer/data/osm_tags.csv``.

Run: .venv/bin/python bench/bench_layers.py [--features N] [--postgis URL]
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_gazetteer import names_for  # noqa: E402
from gazetteer import Gazetteer  # noqa: E402
from gazetteer.layerfile import ReadOptions  # noqa: E402
from geoapp.store import layers  # noqa: E402
from geoapp.store.database import Database  # noqa: E402

POI_TAGS = [
    ("amenity", "school", "学校"),
    ("amenity", "hospital", "医院"),
    ("power", "substation", "变电站"),
    ("leisure", "park", "公园"),
    ("railway", "station", "站"),
    ("landuse", "industrial", "工业园"),
]
WAY_TAGS = [("highway", "primary", "路"), ("waterway", "river", "河"), ("power", "line", "线")]


def write_extract(path: Path, n: int, seed: int = 13) -> tuple[int, list[str]]:
    """An OSM extract of ``n`` named features (90 % nodes, 10 % ways); some of their names."""
    import osmium
    from osmium.osm.mutable import Node, Way

    rng = random.Random(seed)
    n_ways = n // 10
    n_pois = n - n_ways
    sample: list[str] = []
    with osmium.SimpleWriter(str(path)) as w:
        nid = 1
        for i in range(n_pois):
            key, value, word = POI_TAGS[i % len(POI_TAGS)]
            name = f"合成{i:06d}{word}"
            lon, lat = rng.uniform(105.5, 109.5), rng.uniform(28.5, 31.8)
            w.add_node(Node(id=nid, version=1, location=(lon, lat), tags={"name": name, key: value}))
            nid += 1
            if i % 1000 == 0:
                sample.append(name)
        first_way_node = nid
        for _ in range(n_ways):
            lon, lat = rng.uniform(105.5, 109.5), rng.uniform(28.5, 31.8)
            for k in range(3):
                w.add_node(Node(id=nid, version=1, location=(lon + 0.01 * k, lat + 0.005 * k)))
                nid += 1
        for j in range(n_ways):
            key, value, word = WAY_TAGS[j % len(WAY_TAGS)]
            name = f"合成{j:06d}{word}"
            base = first_way_node + 3 * j
            w.add_way(
                Way(id=j + 1, version=1, nodes=[base, base + 1, base + 2], tags={"name": name, key: value})
            )
            if j % 100 == 0:
                sample.append(name)
    return n, sample


def lookups(gaz: Gazetteer, names: list[str]) -> tuple[float, float]:
    for name in names[:200]:
        gaz.resolve(name)
    times = []
    for name in names:
        t = time.perf_counter()
        gaz.resolve(name, limit=1)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6, statistics.quantiles(times, n=20)[-1] * 1e6


def run(url: str, extract: Path, gaz: Gazetteer, sample: list[str]) -> None:
    db = Database(url)
    db.upgrade()
    t = time.perf_counter()
    result = layers.add_layer(
        db, gaz, extract, ReadOptions(), source="synthetic OSM extract", name="synthetic"
    )
    print(f"  gazetteer add: {time.perf_counter() - t:.1f} s — {result.line()}")
    t = time.perf_counter()
    layered = layers.placer(db, gaz)
    print(
        f"  load the layer with the gazetteer: {time.perf_counter() - t:.2f} s ({len(layered.layers)} features)"
    )
    base_names = names_for(gaz, 5000)
    median, p95 = lookups(gaz, base_names)
    print(f"  single lookup, built-in names, no layers:  median {median:.1f} µs, p95 {p95:.1f} µs")
    median, p95 = lookups(layered, base_names)
    print(f"  single lookup, built-in names, layer loaded: median {median:.1f} µs, p95 {p95:.1f} µs")
    median, p95 = lookups(layered, sample * 5)
    print(
        f"  single lookup, layer names (first use makes the entry): median {median:.1f} µs, p95 {p95:.1f} µs"
    )
    t = time.perf_counter()
    layers.remove_layer(db, "synthetic")
    print(f"  gazetteer remove: {time.perf_counter() - t:.1f} s")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=500_000)
    parser.add_argument("--postgis", help="also run on this PostGIS URL (a scratch database)")
    args = parser.parse_args()
    gaz = Gazetteer.load()
    with tempfile.TemporaryDirectory() as tmp:
        extract = Path(tmp) / "synthetic.osm.pbf"
        t = time.perf_counter()
        n, sample = write_extract(extract, args.features)
        print(
            f"synthetic extract: {n} named features, {extract.stat().st_size / 1e6:.1f} MB, "
            f"written in {time.perf_counter() - t:.1f} s"
        )
        print("SpatiaLite:")
        run(f"sqlite:///{tmp}/bench.sqlite", extract, gaz, sample)
        if args.postgis:
            print("PostGIS:")
            run(args.postgis, extract, gaz, sample)


if __name__ == "__main__":
    main()
