"""Name resolution: text → ranked :class:`~gazetteer.model.Match` list.

Strategies, tried in order (later ones only when earlier ones find nothing):

1. **exact** — the normalised name, an alias, a historical name, a route code or
   a suffix-stripped name (``石宝`` for ``石宝镇``), after stripping leading
   administrative prefixes (``重庆市忠县新生港`` → ``新生港`` with 忠县 as context);
2. **segment** — ``A至B``, ``A经B至C``, ``A—B`` (optionally after a route code:
   ``G350忠县至南溪段``) → a line through the resolved places;
3. **code** — a route code (``G350``) of a curated line;
4. **corridor** — a name made of place abbreviations plus a route suffix
   (``梁忠石高速`` → 梁平–忠县–石柱); ambiguous characters (巫 = 巫山 or 巫溪) take
   the reading that makes the shortest route;
5. **contains** — the longest known names inside the text (``新生港二期工程``
   → 新生港); a facility placed by the town it names is *near* (precision 2).

A county context (the document's county) decides between homonyms; when it
cannot, the best match lists the others in ``ambiguous_with``.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from shapely.geometry import Point
from shapely.strtree import STRtree

from gazetteer import precision as P
from gazetteer.build import GazetteerData, load_or_build
from gazetteer.errors import GazetteerError
from gazetteer.layers import LayerIndex, is_layer_id, layer_of
from gazetteer.model import Entry, Match
from gazetteer.normalize import admin_suffixes, normalize, read_csv
from gazetteer.routes import RouteReading, _km
from gazetteer.spans import NameFinding, NameSpan, _without_short_layer_names

__all__ = ["Gazetteer", "GeocodeResult", "UnknownPlace", "NameSpan", "MAX_QUERY_LENGTH"]

MAX_QUERY_LENGTH = 200

#: base score by how a key names its entry
_HOW_SCORE = {"name": 1.0, "alias": 0.96, "historical": 0.95, "code": 0.96, "short": 0.92}
#: small preference between kinds sharing a key (a district beats a village of the same name)
_KIND_BONUS = {
    "county": 0.06,
    "city": 0.05,
    "feature": 0.05,
    "line": 0.05,
    "province": 0.04,
    "township": 0.03,
    "locality": 0.0,
}
#: kinds that can be homonyms of each other
_LEVEL = {"township": "town", "locality": "town", "county": "county", "city": "city", "feature": "feature"}
#: a feature of a user's layer beats a built-in entry of the same name (the user's data are
#: surveyed; built-in routes are lines through waypoints)
_LAYER_BONUS = 0.08
#: layer features of the same name farther apart than this are different places (km)
_LAYER_SAME_PLACE_KM = 1.0


class UnknownPlace(GazetteerError):
    """A place given as context (e.g. ``county=``) is not in the gazetteer."""


@dataclass
class GeocodeResult:
    """Matches for one query, best first, and why there are none when empty."""

    query: str
    matches: list[Match] = field(default_factory=list)
    reason: str = ""

    def to_feature_collection(self) -> dict:
        return json.loads(self.to_json())

    def to_json(self) -> str:
        """The FeatureCollection as JSON text (UTF-8 Chinese, not escapes)."""
        head = json.dumps(
            {"type": "FeatureCollection", "query": self.query, "reason": self.reason or None},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        features = ",".join(m.to_feature_json() for m in self.matches)
        return f'{head[:-1]},"features":[{features}]}}'


def default_cache_path() -> Path:
    env = os.environ.get("GAZETTEER_CACHE")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "var" / "gazetteer.pickle"


class Gazetteer(RouteReading, NameFinding):
    """Place names → geometries with an honest precision.

    >>> gaz = Gazetteer.load()                       # doctest: +SKIP
    >>> gaz.geocode("新生港", county="忠县")[0].precision  # doctest: +SKIP
    2
    """

    def __init__(self, data: GazetteerData):
        self.data = data
        self.entries = data.entries
        self._by_id = {e.id: i for i, e in enumerate(self.entries)}
        self._index = data.index
        self._max_key = data.max_key_length
        self._route_suffixes = data.route_suffixes
        self._qualifiers = sorted(
            (r["qualifier"] for r in read_csv("route_qualifiers.csv")), key=len, reverse=True
        )
        self._generic = {s for s, _ in admin_suffixes()} | {s for s, _ in data.route_suffixes}
        self._along_cache: dict[bytes, tuple[Entry, ...]] = {}
        self.layers: LayerIndex | None = None

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, path: str | Path | None = None, *, rebuild: bool = False) -> Gazetteer:
        """Load the cached build (building it first when missing or stale)."""
        return cls(load_or_build(Path(path) if path else default_cache_path(), rebuild=rebuild))

    def with_layers(self, layers: LayerIndex | None) -> Gazetteer:
        """This gazetteer plus users' layers (see :mod:`gazetteer.layers`); ``self`` is unchanged."""
        other = copy.copy(self)
        other.__dict__.pop("_lengths_by_first", None)
        other.layers = layers if layers is not None and len(layers) else None
        return other

    def layer_skip_keys(self) -> set[str]:
        """Names a layer feature is not indexed under: generic words (路, 高速公路 …)."""
        return set(self._generic)

    # ------------------------------------------------------------------ entries
    def get(self, entry_id: str) -> Entry | None:
        if self.layers is not None and is_layer_id(entry_id):
            return self.layers.get(entry_id)
        i = self._by_id.get(entry_id)
        return None if i is None else self.entries[i]

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries if e.kind in kinds]

    @cached_property
    def _county_entries(self) -> list[Entry]:
        return self.of_kind("county")

    @cached_property
    def _county_tree(self) -> STRtree:
        return STRtree([c.geometry for c in self._county_entries])

    def county_at(self, lon: float, lat: float) -> Entry | None:
        """The county whose outline contains the point, if any."""
        hits = self._county_tree.query(Point(lon, lat), predicate="intersects")
        return self._county_entries[int(hits[0])] if len(hits) else None

    @cached_property
    def _outline_tree(self) -> STRtree:
        return STRtree([c.display_geometry for c in self._county_entries])

    def counties_along(self, geometry) -> list[Entry]:
        """Counties a geometry touches, in order along it when it is a line."""
        key = geometry.wkb
        cached = self._along_cache.get(key)
        if cached is not None:
            return list(cached)
        hits = [
            self._county_entries[int(i)] for i in self._outline_tree.query(geometry, predicate="intersects")
        ]
        if geometry.geom_type == "LineString":
            hits.sort(key=lambda c: geometry.project(c.point_geometry))
        if len(self._along_cache) > 4096:
            self._along_cache.clear()
        self._along_cache[key] = tuple(hits)
        return hits

    def county(self, name_or_code: str) -> Entry:
        """A county/district (or a city, for ``成都``-like context) by name, short name, alias or adcode."""
        key = normalize(name_or_code or "")
        if not key:
            raise UnknownPlace("empty county name")
        direct = self.get(f"adm:{key}")
        if direct is not None:
            return direct
        hits = [e for e, _ in self._lookup(key) if e.kind in ("county", "city", "province")]
        if not hits:
            raise UnknownPlace(f"unknown county {name_or_code!r}")
        hits.sort(key=lambda e: (e.admin[0] != "重庆市", e.kind != "county"))
        return hits[0]

    # ------------------------------------------------------------------ lookup
    def knows(self, name: str) -> bool:
        """Is ``name`` (already normalised) a name, alias or short name of some entry?"""
        return name in self._index or (self.layers is not None and name in self.layers.keys)

    def _lookup(self, key: str) -> list[tuple[Entry, str]]:
        found = [(self.entries[i], how) for i, how in self._index.get(key, ())]
        if self.layers is not None:
            found.extend(self.layers.lookup(key))
        return found

    def _strip_prefixes(self, q: str) -> tuple[str, list[Entry]]:
        """Peel leading administrative names off ``q`` (``重庆市忠县新生港`` → ``新生港``)."""
        found: list[Entry] = []
        while True:
            for length in range(min(self._max_key, len(q) - 2), 1, -1):
                head = q[:length]
                admin = [e for e, how in self._lookup(head) if e.kind in ("province", "city", "county")]
                if admin:
                    found.append(admin[0])
                    q = q[length:]
                    break
            else:
                return q, found

    def geocode(self, text: str, county: str | None = None, limit: int = 5) -> list[Match]:
        """Matches for ``text``, best first (empty when nothing matches)."""
        return self.resolve(text, county=county, limit=limit).matches

    def resolve(self, text: str, county: str | None = None, limit: int = 5) -> GeocodeResult:
        """Like :meth:`geocode`, with the reason when nothing matches."""
        raw = text if isinstance(text, str) else ""
        q = normalize(raw)
        result = GeocodeResult(query=q[:MAX_QUERY_LENGTH])
        if not isinstance(text, str):
            result.reason = "the name must be a string"
            return result
        if not q:
            result.reason = "empty name"
            return result
        if len(q) > MAX_QUERY_LENGTH:
            result.reason = f"name too long ({len(q)} characters; at most {MAX_QUERY_LENGTH})"
            return result
        if not any(c.isalnum() for c in q):
            result.reason = "the name has no letters or digits"
            return result
        if len(q) == 1:
            result.reason = "one character is too ambiguous to place"
            return result
        context = self.county(county) if county else None

        matches = self._candidates(q, context)
        if not matches:
            result.reason = f"no place named {q!r} in the gazetteer"
            return result
        matches = self._rank(matches, context)
        result.matches = matches[:limit]
        return result

    def _candidates(self, q: str, context: Entry | None) -> list[Match]:
        out = [self._match(q, e, how, "exact") for e, how in self._lookup(q)]
        if out:
            return out
        rest, prefixes = self._strip_prefixes(q)
        if prefixes and rest != q:
            if context is None:
                context = prefixes[-1]
            out = [self._match(q, e, how, "exact") for e, how in self._lookup(rest)]
            if out:
                for m in out:
                    m.score -= 0.02
                return self._prefer(out, prefixes[-1])
        for strategy in (self._segment, self._code, self._corridor, self._section, self._river_section):
            out = strategy(q, q, context)
            if out:
                return out
        # Inside the text, look past the administrative prefixes ("忠县石宝镇…" → 石宝镇),
        # unless a layer names a place that starts with them (忠县人民医院).
        out = self._contains(self._past_prefixes(q, rest), q, context)
        if out:
            return out
        # The text was only administrative names ("重庆市忠县"): the innermost one.
        if prefixes and not rest:
            return [self._match(q, prefixes[-1], "name", "exact")]
        return []

    def _past_prefixes(self, q: str, rest: str) -> str:
        cut = len(q) - len(rest)
        if not rest:
            return q
        if (
            self.layers is not None
            and cut
            and any(
                s.start < cut < s.end and any(is_layer_id(e.id) for e in s.entries)
                for s in self.find_names(q, safe_only=False)
            )
        ):
            return q
        return rest

    @staticmethod
    def _prefer(matches: list[Match], ctx: Entry) -> list[Match]:
        for m in matches:
            if ctx.code in m.county_codes or (
                ctx.kind != "county" and ctx.code[:4] in {c[:4] for c in m.county_codes}
            ):
                m.score += 0.1
        return matches

    def _rank(self, matches: list[Match], context: Entry | None) -> list[Match]:
        if context is not None:
            for m in matches:
                codes = set(m.county_codes)
                if (
                    context.kind == "county"
                    and context.code in codes
                    or context.kind == "city"
                    and any(c[:4] == context.code[:4] for c in codes)
                ):
                    m.score += 0.3
                elif any(c[:2] == context.code[:2] for c in codes):
                    m.score += 0.05
                elif codes:
                    m.score -= 0.1
        matches.sort(key=lambda m: -m.score)
        best = matches[0]
        # Homonyms the context could not tell apart: places of the same level, about
        # as good a match, in other counties.
        level = _LEVEL.get(best.kind)
        rivals = [
            m
            for m in matches[1:]
            if best.score - m.score < 0.1
            and _LEVEL.get(m.kind) == level
            and m.matched_name[:2] == best.matched_name[:2]
            and not set(m.county_codes) & set(best.county_codes)
        ]
        if rivals:
            best.ambiguous_with = tuple(f"{m.matched_name} ({m.admin_path})" for m in rivals)
            best.note = (best.note + " " if best.note else "") + (
                f"{len(rivals) + 1} places named {best.matched_name}: give a county to choose"
            )
        elif is_layer_id(best.gazetteer_id):
            self._layer_rivals(best, matches[1:])
        for m in matches:
            m.score = max(0.0, min(1.0, m.score))
        return matches

    def _layer_rivals(self, best: Match, others: list[Match]) -> None:
        """Layer features with the best one's name, as good a match, elsewhere: say so."""
        here = self.get(best.gazetteer_id)
        rivals = []
        for m in others:
            if (
                not is_layer_id(m.gazetteer_id)
                or best.score - m.score >= 0.1
                or m.matched_name != best.matched_name
            ):
                continue
            other = self.get(m.gazetteer_id)
            if here is not None and other is not None and _km(here.point, other.point) > _LAYER_SAME_PLACE_KM:
                rivals.append((m, other))
        if not rivals:
            return
        best.ambiguous_with = tuple(
            f"{m.matched_name} (layer {layer_of(m.gazetteer_id)}, {e.point[0]:.4f},{e.point[1]:.4f})"
            for m, e in rivals
        )
        layers = sorted({layer_of(m.gazetteer_id) for m, _ in rivals} | {layer_of(best.gazetteer_id)})
        best.note = (best.note + " " if best.note else "") + (
            f"{len(rivals) + 1} features named {best.matched_name} in layers {', '.join(layers)}: give a county to choose"
        )

    # ------------------------------------------------------------------ match building
    def _match(self, query: str, e: Entry, how: str, method: str, score: float | None = None) -> Match:
        geom = e.display_geometry
        precision = e.precision
        from_layer = is_layer_id(e.id)
        estimated = not from_layer and (
            e.kind == "line" or precision in (P.ESTIMATED,) or bool(e.note and "placed at the seat" in e.note)
        )
        base = (_HOW_SCORE.get(how, 0.9) if score is None else score) + (_LAYER_BONUS if from_layer else 0.0)
        return Match(
            query=query,
            matched_name=e.name,
            geometry=geom,
            precision=precision,
            location_class=e.location_class,
            score=base + _KIND_BONUS.get(e.kind, 0.0),
            source=e.source,
            kind=e.kind,
            gazetteer_id=e.id,
            entry_ids=(e.id,),
            admin=e.admin,
            county_codes=e.county_codes or ((e.county_code,) if e.county_code else ()),
            subtype=e.subtype,
            radius_km=e.radius_km,
            estimated=estimated,
            method=method,
            note=e.note if (e.note and e.note.startswith("GeoNames has no point")) else "",
            parts=[self._part(e)]
            if e.kind != "line" or from_layer
            else [self._part(self.get(w)) for w in e.waypoints],
            footprint=e.footprint,
        )

    @staticmethod
    def _part(e: Entry | None) -> dict:
        if e is None:
            return {}
        return {
            "name": e.name,
            "gazetteer_id": e.id,
            "precision": e.precision,
            "lon": e.point[0],
            "lat": e.point[1],
        }

    def _contains(self, q: str, query: str, context: Entry | None) -> list[Match]:
        spans = self.find_names(q, safe_only=False)
        if self.layers is not None:
            spans = [sp for sp in (_without_short_layer_names(sp) for sp in spans) if sp is not None]
        if not spans:
            return []
        if context is not None and context.kind == "county":
            # Inside a longer name, a bare town name of another county is a coincidence
            # (青峰 in 青峰智能制造产业园 written by 云阳县), not a location.
            kept = []
            for span in spans:
                entries = tuple(
                    e
                    for e in span.entries
                    if (e.kind not in ("township", "locality") and not is_layer_id(e.id))
                    or e.county_code == context.code
                    or context.code in e.county_codes
                    or (span.text == e.name and not is_layer_id(e.id))
                )
                if entries:
                    kept.append(NameSpan(span.start, span.end, span.text, entries))
            spans = kept
        if not spans:
            return []
        # Longest span wins; ties keep all candidates for ranking.
        longest = max(s.end - s.start for s in spans)
        out = []
        for span in spans:
            if span.end - span.start != longest:
                continue
            for e in span.entries:
                m = self._match(query, e, "name", "contains", 0.5 + 0.4 * longest / len(q))
                if e.kind in ("township", "locality") and m.precision == P.EXACT:
                    m.precision = P.NEAR
                    m.estimated = True
                    m.note = f"located by the place named in it: {e.name}"
                elif is_layer_id(e.id) and m.precision == P.EXACT:
                    # "忠州中学改扩建工程" is at or beside the school the layer holds
                    m.precision = P.NEAR
                    m.note = f"located by the layer feature named in it: {e.name}"
                elif e.kind in ("county", "city", "province"):
                    m.estimated = True
                    m.note = f"only the {e.kind} {e.name} is known"
                out.append(m)
        return out

    @cached_property
    def _near_provinces(self) -> frozenset[str]:
        """Provinces loaded with county detail: the region the documents are about."""
        return frozenset(e.admin[0] for e in self._county_entries)

    def in_region(self, entry_id: str) -> bool:
        """Is the entry inside the region loaded with county detail (Chongqing and its neighbours)?"""
        e = self.get(entry_id)
        return e is not None and bool(e.admin) and e.admin[0] in self._near_provinces

    def _safe(self, e: Entry, key: str, how: str) -> bool:
        if e.kind == "province":
            return True
        if e.kind == "city":
            # 大连 in 对外大连通, 玉溪 in 鸣玉溪公园: far-away cities only by their full name.
            return how != "short" or e.admin[0] in self._near_provinces
        if e.kind == "county":
            # Short names of far-away counties hide inside ordinary words (服务川渝 → 务川):
            # in running text only Chongqing's own districts go by their short names.
            return how != "short" or e.admin[:1] == ("重庆市",)
        if e.kind in ("feature", "line"):
            return how != "short"
        if how == "short":
            return False
        # Townships and GeoNames localities: only names that end in their unit.
        return key.endswith(("镇", "乡", "街道", "村", "社区"))
