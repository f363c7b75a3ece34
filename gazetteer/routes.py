"""Reading routes: a line through the places a name strings together (``A至B``, ``A经B至C``,
``G350忠县至南溪段``), a route code, a corridor of place abbreviations (``梁忠石高速``), a river
section, and the part of a user layer's centreline between two places."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

from shapely.geometry import LineString, Point
from shapely.ops import substring

from gazetteer import precision as P
from gazetteer.model import Entry, Match
from gazetteer.normalize import normalize

__all__ = ["RouteReading"]


_ROUTE_CODE = re.compile(r"^([GSXYZ]\d{1,4})(?![0-9])")


#: the district a river work is in, right after the river's name (嘉陵江|北碚段…)
_RIVER_SECTION = re.compile(r"^(.{2,8}?)段")


_SEGMENT_TAIL = re.compile(r"(?:段|路段|段工程|工程|项目|改造|改建|扩建|新建|提升)+$")


_SEGMENT_SPLIT = re.compile(r"至|到|—")
#: a line's rating before its kind: ±800千伏, 500kV (the words 特高压, 中压 … are qualifiers)
_RATING = re.compile(r"[±+]?\d+(?:\.\d+)?\s*(?:千伏|[kK][vV])$")


_LINES = ("LineString", "MultiLineString")


_AREAS = ("Polygon", "MultiPolygon")


#: a route section's end places must lie this close to the layer's centreline (km)
_SECTION_SNAP_KM = 5.0


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * 111.32 * math.cos(lat)
    dy = (a[1] - b[1]) * 110.57
    return math.hypot(dx, dy)


class RouteReading:
    """Methods of :class:`gazetteer.resolver.Gazetteer` (a mixin: ``self`` is the gazetteer)."""

    def line(self, waypoints: Sequence[str], county: str | None = None, query: str = "") -> Match | None:
        """A line through the named waypoints (each resolved with ``county`` as context).

        The body of the line is estimated (precision 5); each waypoint keeps its own
        precision in ``parts``. Returns ``None`` if fewer than two waypoints resolve.
        """
        context = self.county(county) if county else None
        stops: list[Entry] = []
        for name in waypoints:
            m = self._best_entry(normalize(name), context)
            if m is not None and (not stops or stops[-1].id != m.id):
                stops.append(m)
        return self._line_through(stops, query or "—".join(waypoints), "segment", 0.85)

    def _best_entry(self, name: str, context: Entry | None) -> Entry | None:
        if not name:
            return None
        found = self._candidates(name, context)
        found = [m for m in found if m.kind != "line"]
        if not found:
            return None
        ranked = self._rank(found, context)
        return self.get(ranked[0].gazetteer_id)

    def _leading_place(self, name: str, context: Entry | None) -> Entry | None:
        """The place a route's end is named after when the end is a facility there: 高峰净化厂
        → 高峰, 新田调压计量站 → 新田 (the longest known head, at least two characters, with at
        least two characters of facility after it)."""
        for cut in range(len(name) - 2, 1, -1):
            if self.knows(name[:cut]):
                return self._best_entry(name[:cut], context)
        return None

    def _via(self, line: Match, place: Entry) -> Match | None:
        """``line`` (an estimate through its stops) re-drawn to pass ``place`` as well, where
        it lengthens the route least."""
        stops = [self.get(part.get("gazetteer_id", "")) for part in line.parts]
        if len(stops) < 2 or any(s is None for s in stops):
            return None
        options = [stops[:k] + [place] + stops[k:] for k in range(1, len(stops))]
        best = min(
            options, key=lambda route: sum(_km(a.point, b.point) for a, b in itertools.pairwise(route))
        )
        via = self._line_through(best, line.query, line.method, line.score)
        if via is not None:
            via.subtype = line.subtype
            via.note = line.note + f"; drawn through {place.name}, which the name says it passes"
        return via

    def _line_through(self, stops: list[Entry], query: str, method: str, score: float) -> Match | None:
        if len(stops) < 2:
            return None
        points = [s.point for s in stops]
        geom = LineString(points)
        counties = self.counties_along(geom)
        names = "–".join(s.name for s in stops)
        return Match(
            query=query,
            matched_name=names,
            geometry=geom,
            precision=P.ESTIMATED,
            location_class=3,
            score=score,
            source="line through gazetteer waypoints: " + "; ".join(f"{s.name} ({s.id})" for s in stops),
            kind="line",
            gazetteer_id="route:" + "+".join(s.id for s in stops),
            entry_ids=tuple(s.id for s in stops),
            admin=(),
            county_codes=tuple(c.code for c in counties),
            subtype="",
            estimated=True,
            method=method,
            note="line drawn through its waypoints: the body is estimated",
            parts=[self._part(s) for s in stops],
        )

    # ------------------------------------------------------------------ strategies
    def _strip_route_suffix(self, q: str) -> tuple[str, str]:
        for suffix, subtype in self._route_suffixes:
            if q.endswith(suffix) and len(q) > len(suffix):
                return q[: -len(suffix)], subtype
        return q, ""

    def _strip_qualifiers(self, q: str) -> str:
        changed = True
        while changed:
            changed = False
            for qual in self._qualifiers:
                if q.endswith(qual) and len(q) > len(qual):
                    q = q[: -len(qual)]
                    changed = True
        return q

    def _segment(self, q: str, query: str, context: Entry | None) -> list[Match]:
        body = _ROUTE_CODE.sub("", q)
        body, _ = self._strip_route_suffix(_SEGMENT_TAIL.sub("", body))
        body = self._strip_qualifiers(_RATING.sub("", _SEGMENT_TAIL.sub("", body)))
        if not _SEGMENT_SPLIT.search(body):
            return []
        parts = _SEGMENT_SPLIT.split(body)
        names: list[str] = []
        for _i, part in enumerate(parts):
            # "A经B至C": the via-places sit in the first part after 经
            names.extend(p for p in part.split("经") if p)
        if len(names) < 2:
            return []
        stops: list[Entry] = []
        for name in names:
            e = self._best_entry(name, context) or self._leading_place(name, context)
            if e is None:
                return []
            if not stops or stops[-1].id != e.id:
                stops.append(e)
        m = self._line_through(stops, query, "segment", 0.85)
        if m is None:
            return []
        code = _ROUTE_CODE.match(q)
        if code:
            m.note += f"; a section of {code.group(1)}"
            section = self._layer_section(code.group(1), stops, query)
            if section is not None:
                return [section, m]
        return [m]

    def _section(self, q: str, query: str, context: Entry | None) -> list[Match]:
        """``<route><place>段`` (渝湘高铁酉阳段, 涪丰石高速丰都段): the route's line clipped to the
        county or district it names — still an estimate (precision 5), now only the part there."""
        if not q.endswith("段"):
            return []
        for suffix, _subtype in self._route_suffixes:
            at = q.rfind(suffix, 0, len(q) - 3)
            if at < 1:
                continue
            route_end = at + len(suffix)
            rest = q[route_end:-1]
            for qual in self._qualifiers:  # 复线, 二线, 北线 … belong to the route
                if rest.startswith(qual):
                    route_end, rest = route_end + len(qual), rest[len(qual) :]
            if not 2 <= len(rest) <= 8:
                continue
            place = self._best_entry(rest, context)
            if (
                place is None
                or place.kind not in ("county", "city")
                or place.geometry.geom_type not in _AREAS
            ):
                continue
            # the route with its qualifiers (渝怀铁路二线) if the gazetteer knows it so, else without
            lines = (
                m
                for name in dict.fromkeys((q[:route_end], q[: at + len(suffix)]))
                for m in self._candidates(name, context)
                if m.geometry.geom_type in _LINES
            )
            line = next(lines, None)
            if line is None:
                continue
            part = line.geometry.intersection(place.geometry.buffer(0.01))
            if (part.is_empty or part.geom_type not in _LINES) and line.method in ("corridor", "segment"):
                # The text says the route passes through ``place``; a straight estimate
                # between its ends that misses it is wrong there: go through its seat.
                line = self._via(line, place) or line
                part = line.geometry.intersection(place.geometry.buffer(0.01))
            if part.is_empty or part.geom_type not in _LINES:
                continue
            return [self._clipped(line, part, place, query)]
        return []

    @staticmethod
    def _clipped(line: Match, part, place: Entry, query: str) -> Match:
        line.geometry, line.geometry_json = part, None
        line.query, line.matched_name = query, f"{line.matched_name}（{place.name}段）"
        line.precision, line.estimated = P.ESTIMATED, True
        line.county_codes = (place.code,)
        line.note += f"; the section in {place.name}: the line clipped to its outline"
        return line

    def _river_section(self, q: str, query: str, context: Entry | None) -> list[Match]:
        """A work on a river the gazetteer draws: ``嘉陵江北碚段水环境综合治理`` → the river's line
        in the district the name gives, or else in the document's own county
        (``乌江流域综合治理`` written by 武隆区) — precision 5, the part there."""
        for k in range(min(len(q) - 1, self._max_key), 1, -1):
            rivers = [e for e, _ in self._lookup(q[:k]) if e.kind == "line" and e.subtype == "river"]
            if rivers:
                break
        else:
            return []
        rest = q[k:]
        named = _RIVER_SECTION.match(rest)
        place = self._best_entry(named.group(1), context) if named else context
        if place is None or place.kind not in ("county", "city") or place.geometry.geom_type not in _AREAS:
            return []
        line = self._match(query, rivers[0], "name", "contains")
        part = line.geometry.intersection(place.geometry.buffer(0.01))
        if part.is_empty or part.geom_type not in _LINES:
            return []
        return [self._clipped(line, part, place, query)]

    def _layer_section(self, code: str, stops: list[Entry], query: str) -> Match | None:
        """The part of a layer's real centreline of route ``code`` between the first and last
        stop (both within :data:`_SECTION_SNAP_KM` of it), precision 2."""
        if self.layers is None:
            return None
        for e, _how in self.layers.lookup(code):
            line = e.geometry
            if line.geom_type != "LineString":
                continue
            ends = [Point(stops[0].point), Point(stops[-1].point)]
            if any(line.distance(p) * 111.0 > _SECTION_SNAP_KM for p in ends):
                continue
            a, b = sorted(line.project(p) for p in ends)
            part = substring(line, a, b)
            if part.geom_type != "LineString" or part.length == 0:
                continue
            m = self._match(query, e, "code", "segment", 0.9)
            m.geometry, m.geometry_json = part, None
            m.parts = [self._part(s) for s in stops]
            m.note = f"section {stops[0].name}–{stops[-1].name} of {e.name} along the layer's centreline"
            return m
        return None

    def _code(self, q: str, query: str, context: Entry | None) -> list[Match]:
        code = _ROUTE_CODE.match(q)
        if not code:
            return []
        return [
            self._match(query, e, "code", "code", 0.8)
            for e, how in self._lookup(code.group(1))
            if e.kind == "line"
        ]

    def _corridor(self, q: str, query: str, context: Entry | None) -> list[Match]:
        stem, subtype = self._strip_route_suffix(q)
        if not subtype:
            return []
        stem = self._strip_qualifiers(stem)
        if not 2 <= len(stem) <= 6:
            return []
        options = [self.data.abbreviations.get(ch) for ch in stem]
        if not all(options):
            return []
        stops = self._shortest_reading([[self.entries[i] for i in opt] for opt in options])
        m = self._line_through(stops, query, "corridor", 0.75)
        if m is None:
            return []
        m.subtype = subtype
        m.note += f"; decoded from the abbreviations {stem}"
        return [m]

    @staticmethod
    def _shortest_reading(options: list[list[Entry]]) -> list[Entry]:
        """Pick one entry per position so the route through them is shortest (Viterbi)."""
        best: list[tuple[float, list[Entry]]] = [(0.0, [e]) for e in options[0]]
        for choices in options[1:]:
            best = [
                min(((d + _km(path[-1].point, e.point), path + [e]) for d, path in best), key=lambda t: t[0])
                for e in choices
            ]
        return min(best, key=lambda t: t[0])[1]
