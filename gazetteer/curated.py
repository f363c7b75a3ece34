"""The curated part of the gazetteer build, from the CSV files of ``gazetteer/data`` with their
cited sources: county seats, named features (ports, parks, scenic areas, stations …) and route
lines through named places. Methods of the builder in :mod:`gazetteer.build`."""

from __future__ import annotations

import shapely
from shapely.geometry import LineString, Point

from gazetteer import precision as P
from gazetteer.datum import gcj02_to_wgs84
from gazetteer.errors import DataError
from gazetteer.model import Entry
from gazetteer.normalize import DATA_DIR, normalize, read_csv, strip_admin_suffix

__all__ = ["CuratedSources", "split_cell", "point_of"]


def split_cell(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split("|") if x.strip())


def point_of(geom) -> tuple[float, float]:
    return (round(geom.x, 7), round(geom.y, 7))


class CuratedSources:
    """Methods of :class:`gazetteer.resolver.Gazetteer` (a mixin: ``self`` is the gazetteer)."""

    # -- 4. seats (before townships: unmatched townships fall back to them)
    def seats(self) -> None:
        curated = self._curated_seats()
        for entry in self.entries:
            if entry.id in curated:
                lon, lat, how = curated[entry.id]
                entry.point = (lon, lat)
                entry.note = f"seat: {how}"
                continue
            if entry.kind not in ("county", "city"):
                continue
            names = {entry.name, *entry.aliases}
            if entry.kind == "county":
                pool = self.gn_by_county.get(entry.code, [])
            else:
                pool = [
                    p
                    for c in self.counties
                    if c.code[:4] == entry.code[:4]
                    for p in self.gn_by_county.get(c.code, [])
                ]
            named = [p for p in pool if names & set(p.chinese_names)]
            if entry.kind == "city" and not pool:
                # A city outside the county-detail provinces: GeoNames points are not
                # loaded there; the outline's inner point stands in.
                entry.note = "point: a point inside the city outline (no seat data loaded)"
                continue
            if named:
                best = max(named, key=lambda p: p.population)
                how = f"GeoNames {best.geonameid} ({best.chinese_names[0]}), named {entry.name}"
            elif pool:
                best = max(pool, key=lambda p: p.population)
                how = (
                    f"GeoNames {best.geonameid} ({best.chinese_names[0]}), the most populous "
                    f"GeoNames place inside {entry.name}, taken as its seat"
                )
            else:
                entry.note = "point: a point inside the outline (no GeoNames place inside)"
                continue
            entry.point = (best.lon, best.lat)
            entry.note = f"seat: {how}"

    def _curated_seats(self) -> dict[str, tuple[float, float, str]]:
        """``county_seats.csv``: a seat named by a cited source, as a GeoNames place in the
        county (``seat``) or as coordinates (``lon``/``lat`` in ``datum`` wgs84 or gcj02)."""
        if not (DATA_DIR / "county_seats.csv").exists():
            return {}
        out = {}
        for n, row in enumerate(read_csv("county_seats.csv"), start=2):
            where = f"county_seats.csv line {n}"
            county = self._admin_by_name(row["county"], where)
            if not row.get("source"):
                raise DataError(f"{where}: no source")
            if row.get("lon") and row.get("lat"):
                lon, lat = float(row["lon"]), float(row["lat"])
                if row.get("datum", "wgs84").lower() == "gcj02":
                    lon, lat = gcj02_to_wgs84(lon, lat)
                if not county.geometry.contains(Point(lon, lat)):
                    raise DataError(f"{where}: the seat of {county.name} lies outside it")
                out[county.id] = (round(lon, 7), round(lat, 7), row["source"])
                continue
            pool = self.gn_by_county.get(county.code, [])
            seat = row["seat"]
            stem, _ = strip_admin_suffix(seat, ("township",))
            hits = [p for p in pool if seat in p.chinese_names or stem in p.chinese_names]
            if not hits:
                raise DataError(f"{where}: no GeoNames place {seat!r} inside {county.name}")
            best = max(hits, key=lambda p: p.population)
            out[county.id] = (
                best.lon,
                best.lat,
                f"GeoNames {best.geonameid} ({seat}); seat named by {row['source']}",
            )
        return out

    # -- refs used by curated files
    def resolve_ref(self, ref: str, where: str) -> Entry:
        ref = normalize(ref)
        if ref.startswith("@"):
            idx = self.by_id.get("feat:" + ref[1:])
            if idx is None:
                raise DataError(f"{where}: unknown feature ref {ref!r}")
            return self.entries[idx]
        if "/" in ref:
            county_name, town = ref.split("/", 1)
            county = self._admin_by_name(county_name, where)
            stem, _ = strip_admin_suffix(town, ("township", "village"))
            found = [
                e
                for e in self.entries
                if e.kind in ("township", "locality")
                and e.county_code == county.code
                and (e.name == town or (e.short and e.short == stem) or town in e.aliases)
            ]
            if not found:
                raise DataError(f"{where}: no township {town!r} in {county.name}")
            found.sort(key=lambda e: (e.kind != "township", e.name != town, e.precision))
            return found[0]
        return self._admin_by_name(ref, where)

    def _admin_by_name(self, name: str, where: str) -> Entry:
        hits = [
            e
            for e in self.entries
            if e.kind in ("province", "city", "county")
            and (e.name == name or e.short == name or name in e.aliases)
        ]
        # Prefer Chongqing's own districts, then cities, for short names such as 开州 or 达州.
        hits.sort(key=lambda e: (e.admin[0] != "重庆市", e.kind != "county", e.kind != "city"))
        if not hits:
            raise DataError(f"{where}: unknown place {name!r}")
        return hits[0]

    # -- 5. curated features and lines
    def features(self) -> None:
        path = DATA_DIR / "features.csv"
        if not path.exists():
            return
        for n, row in enumerate(read_csv("features.csv"), start=2):
            where = f"features.csv line {n} ({row.get('name')})"
            if not row.get("source"):
                raise DataError(f"{where}: no source")
            counties = [self._admin_by_name(c, where) for c in split_cell(row.get("counties", ""))]
            anchor_note = ""
            if row.get("wkt"):
                geom = shapely.from_wkt(row["wkt"])
            elif row.get("lon") and row.get("lat"):
                geom = Point(float(row["lon"]), float(row["lat"]))
            elif row.get("anchor"):
                anchor = self.resolve_ref(row["anchor"], where)
                if anchor.kind == "feature":
                    geom = anchor.geometry
                elif anchor.kind in ("county", "city", "province") or anchor.precision >= 3:
                    # Known only to an administrative area: the area is the honest geometry,
                    # not a point at its seat.
                    geom = anchor.display_geometry
                else:
                    geom = Point(anchor.point)
                anchor_note = f"{anchor.id} {anchor.name}"
            else:
                raise DataError(f"{where}: needs lon/lat, wkt or anchor")
            if not counties:
                c = self.county_at(*point_of(geom.representative_point()))
                if c is None:
                    raise DataError(f"{where}: lies in no known county; list its counties")
                counties = [c]
            point = point_of(geom.representative_point() if geom.geom_type != "Point" else geom)
            source = row["source"] + (f"; position from {anchor_note}" if anchor_note else "")
            if geom.geom_type == "Point":
                footprint = "extent" if row.get("geometry") == "extent" else "point"
            else:
                footprint = "line" if "LineString" in geom.geom_type else "area"
            main = counties[0]
            self.add(
                Entry(
                    id="feat:" + row["id"],
                    name=normalize(row["name"]),
                    kind="feature",
                    geometry=geom,
                    point=point,
                    precision=int(row["precision"]),
                    location_class=int(row.get("location_class") or 3),
                    source=source,
                    aliases=tuple(normalize(a) for a in split_cell(row.get("aliases", ""))),
                    subtype=row.get("subtype") or "other",
                    county_code=main.code,
                    county_codes=tuple(c.code for c in counties),
                    admin=main.admin,
                    radius_km=float(row["radius_km"]) if row.get("radius_km") else None,
                    anchor=anchor_note,
                    note=row.get("note", ""),
                    footprint=footprint,
                )
            )

    def lines(self) -> None:
        path = DATA_DIR / "lines.csv"
        if not path.exists():
            return
        for n, row in enumerate(read_csv("lines.csv"), start=2):
            where = f"lines.csv line {n} ({row.get('name')})"
            if not row.get("source"):
                raise DataError(f"{where}: no source")
            refs = split_cell(row.get("waypoints", ""))
            if len(refs) < 2:
                raise DataError(f"{where}: needs at least two waypoints")
            stops = [self.resolve_ref(r, where) for r in refs]
            line = LineString([s.point for s in stops])
            counties = self.counties_along(line, stops)
            self.add(
                Entry(
                    id="line:" + row["id"],
                    name=normalize(row["name"]),
                    kind="line",
                    geometry=line,
                    point=point_of(line.interpolate(0.5, normalized=True)),
                    precision=P.ESTIMATED,
                    location_class=3 if row.get("subtype") != "river" else 4,
                    source=row["source"],
                    aliases=tuple(normalize(a) for a in split_cell(row.get("aliases", ""))),
                    subtype=row.get("subtype") or "road",
                    code=row.get("code", ""),
                    county_code=counties[0].code if counties else "",
                    county_codes=tuple(c.code for c in counties),
                    waypoints=tuple(s.id for s in stops),
                    note=(row.get("note") or "")
                    + " line drawn through its waypoints: the body is estimated".strip(),
                )
            )

    def counties_along(self, line, stops) -> list[Entry]:
        hits = self.outline_tree.query(line, predicate="intersects")
        along = [self.counties[int(i)] for i in hits]
        # order by position along the line
        along.sort(key=lambda c: line.project(c.geometry.representative_point()))
        return along
