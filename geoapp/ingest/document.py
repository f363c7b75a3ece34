"""One document, analysed: metadata, and its projects and places grouped, classified
and placed — everything ingestion stores, computed without touching the database."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from gazetteer import Gazetteer
from gazetteer import precision as P
from gazetteer.model import Entry
from geoapp.ingest.extract import extract_candidates
from geoapp.ingest.locate import locate
from geoapp.ingest.reader import RawDocument, read_document
from geoapp.ingest.screen import screen
from geoapp.ingest.spread import distribute, station_lists
from geoapp.ingest.structure import Structure, parse_structure
from geoapp.ingest.villages import village_candidates

__all__ = [
    "Item",
    "MentionData",
    "DocumentAnalysis",
    "analyse",
    "analyse_raw",
    "analyse_text",
    "item_key",
    "parse_money",
    "parse_period",
]

_STATUS_RANK = {"built": 3, "under_construction": 2, "planned": 1, "mentioned": 0}


@dataclass
class MentionData:
    start: int
    end: int
    surface: str
    sentence: str
    section: str | None
    status: str
    status_phrase: str | None


@dataclass
class Item:
    """A project or place of one document, with all its mentions there."""

    key: str
    name: str
    kind: str
    category: str
    subtype: str
    status: str
    status_phrase: str | None
    geometry: BaseGeometry
    precision: int
    location_class: int
    location_note: str
    gazetteer_ids: list[str]
    counties: list[tuple[str, str]]
    aliases: list[str] = field(default_factory=list)
    investment_wan: float | None = None
    annual_investment_wan: float | None = None
    period_start: int | None = None
    period_end: int | None = None
    batch: str | None = None
    lead_unit: str | None = None
    description: str | None = None
    mentions: list[MentionData] = field(default_factory=list)

    @property
    def county_name(self) -> str | None:
        return self.counties[0][1] if self.counties else None

    @property
    def county_names(self) -> list[str]:
        return [n for _, n in self.counties]


@dataclass
class DocumentAnalysis:
    raw: RawDocument
    structure: Structure
    county: Entry | None
    items: list[Item]

    @property
    def issued_date(self) -> date | None:
        d = self.structure.issued_date
        return date(*d) if d else None


def parse_money(text: str | None, unit: str = "万元") -> float | None:
    """'66163' → 66163.0 (万元); '1.2亿元' → 12000.0; None for '/' or text without a number."""
    if not text:
        return None
    m = re.search(r"(\d+(?:\.\d+)?)\s*(亿元|亿|万元|万)?", text.replace(",", ""))
    if not m:
        return None
    value = float(m.group(1))
    u = m.group(2) or unit
    return value * 10000 if u.startswith("亿") else value


def parse_period(text: str | None) -> tuple[int | None, int | None]:
    """'2023—2027年' → (2023, 2027); '待定' → (None, None)."""
    if not text:
        return None, None
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)]
    if not years:
        return None, None
    return min(years), max(years)


def _key_name(name: str) -> str:
    name = re.sub(r"[（(]([^）)]{1,6})[)）]", r"\1", name)  # 长（寿）忠（县）万（州） → 长寿忠县万州
    name = re.sub(r"[“”\"'‘’《》\s·]", "", name)
    for tail in ("建设项目", "项目建设", "工程建设", "建设工程", "建设", "项目"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            name = name[: -len(tail)]
    return name


def item_key(name: str, exact_entry: str | None, county_code: str | None) -> str:
    """The identity of a project across documents: its gazetteer entry when it is one,
    else its normalised name within its main county."""
    if exact_entry:
        return f"gaz:{exact_entry}"
    return f"name:{_key_name(name)}@{county_code or '-'}"


def _document_county(structure: Structure, gaz: Gazetteer) -> Entry | None:
    """The county a document is about: named in its title or issuer, else the most named one."""
    for text in (structure.issuer, structure.title):
        if not text:
            continue
        counties = [e for span in gaz.find_names(text, kinds=("county",)) for e in span.entries[:1]]
        if counties:
            return counties[-1]
    counts: Counter[str] = Counter()
    for span in gaz.find_names(structure.text[:20000], kinds=("county",)):
        counts[span.entries[0].id] += 1
    titled = _county_in_title_by_short_name(structure, gaz, named_in_full=set(counts))
    if titled is not None:
        return titled
    if counts:
        return gaz.get(counts.most_common(1)[0][0])
    return _county_by_short_name(structure, gaz)


#: how often a county's bare short name (蓬安 for 蓬安县) must recur before a text whose title
#: and issuer say nothing is taken to be about it: once may be an ordinary word
_SHORT_NAME_MIN = 3


#: a first line longer than this is body text, not a news headline
_MAX_HEADLINE = 60


def _county_in_title_by_short_name(
    structure: Structure, gaz: Gazetteer, named_in_full: set[str]
) -> Entry | None:
    """A news headline (the first line, when the document has no plan-like title) names its
    county by the short name (沿河港区…开工建设 for 沿河土家族自治县): taken when exactly one
    county is so named in it, the text repeats that name at least :data:`_SHORT_NAME_MIN`
    times, and names the county in full at least once (its id in ``named_in_full``: 沿河县,
    铜仁市沿河土家族自治县). A short name may be an ordinary word — 沿河 "along the river",
    新城 "new town" in a text about 酉阳's 桃花源新城, which never says 新城区."""
    first_line = next((line.strip() for line in structure.text[:300].splitlines() if line.strip()), "")
    headline = structure.title or (first_line if len(first_line) <= _MAX_HEADLINE else "")
    named = {
        e.id: span.text
        for span in gaz.find_names(headline, safe_only=False, kinds=("county",))
        if len(span.text) >= 2
        for e in span.entries[:1]
    }
    if len(named) != 1:
        return None
    ((entry_id, short),) = named.items()
    if entry_id not in named_in_full or structure.text[:20000].count(short) < _SHORT_NAME_MIN:
        return None
    return gaz.get(entry_id)


def _county_by_short_name(structure: Structure, gaz: Gazetteer) -> Entry | None:
    """A news page about a county outside Chongqing names it by its short name (蓬安, 玉屏):
    the one named most, at least :data:`_SHORT_NAME_MIN` times and clearly more than any other."""
    counts: Counter[str] = Counter()
    for span in gaz.find_names(structure.text[:20000], safe_only=False, kinds=("county",)):
        if len(span.text) >= 2:
            counts[span.entries[0].id] += 1
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < _SHORT_NAME_MIN or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
        return None
    return gaz.get(ranked[0][0])


def _take_better_location(item: Item, loc, counties: list[tuple[str, str]]) -> None:
    """A later mention whose sentence places the item more precisely, in the same main
    county (the item's identity), gives it that location."""
    if (
        item.precision != P.COUNTY
        or loc.precision not in (P.EXACT, P.NEAR)
        or counties[:1] != item.counties[:1]
    ):
        return
    item.geometry, item.precision, item.location_class = loc.geometry, loc.precision, loc.location_class
    item.location_note, item.gazetteer_ids = loc.note, loc.gazetteer_ids


def _text_order(c) -> tuple[int, int]:
    return c.start, -c.end


def analyse(path: Path, gaz: Gazetteer, placer: Gazetteer | None = None) -> DocumentAnalysis:
    return analyse_raw(read_document(path), gaz, placer)


def analyse_text(
    text: str, gaz: Gazetteer, name: str = "text.txt", placer: Gazetteer | None = None
) -> DocumentAnalysis:
    """Analyse a document given as text (tests, previews)."""
    import hashlib

    data = text.encode("utf-8")
    raw = RawDocument(Path(name), text, hashlib.sha256(data).hexdigest(), "utf-8", len(data))
    return analyse_raw(raw, gaz, placer)


def analyse_raw(raw: RawDocument, gaz: Gazetteer, placer: Gazetteer | None = None) -> DocumentAnalysis:
    """Extract with the built-in gazetteer ``gaz``; place with ``placer`` (``gaz`` plus the
    users' layers, see :func:`geoapp.store.layers.placer`) when given."""
    structure = parse_structure(raw.text)
    county = _document_county(structure, gaz)
    candidates = extract_candidates(structure, gaz, county.code if county else None)
    candidates = distribute(candidates, gaz, county)
    candidates = screen(sorted(station_lists(structure, candidates), key=_text_order), gaz)
    candidates = sorted(candidates + village_candidates(structure, county, candidates), key=_text_order)
    items: dict[str, Item] = {}
    located: dict[tuple[str, tuple[str, ...], str], object] = {}
    for cand in candidates:
        # the sentence may place a name the gazetteer only knows the county of
        cache_key = (cand.name, cand.entry_ids, cand.sentence)
        loc = located.get(cache_key)
        if loc is None:
            try:
                loc = locate(
                    placer or gaz,
                    cand.name,
                    county,
                    hint=cand.geometry_hint,
                    description=cand.fields.get("description"),
                    entry_ids=cand.entry_ids,
                    sentence=cand.sentence,
                    surface=cand.surface,
                )
            except LookupError:
                # Not in the gazetteer and the document's county is unknown: there is
                # nowhere honest to put it, so it is not mapped (rather than the whole
                # document failing).
                continue
            located[cache_key] = loc
        counties = list(loc.counties)
        if county is not None and (county.code, county.name) in counties:
            counties.remove((county.code, county.name))
            counties.insert(0, (county.code, county.name))
        key = item_key(cand.name, loc.exact_entry, counties[0][0] if counties else None)
        # A work the gazetteer knows goes by the gazetteer's name; the document's wording is an alias.
        canonical = gaz.get(loc.exact_entry).name if loc.exact_entry else cand.name
        mention = MentionData(
            cand.start,
            cand.end,
            cand.surface,
            cand.sentence,
            structure.section_at(cand.start),
            cand.status,
            cand.status_phrase,
        )
        item = items.get(key)
        if item is None:
            item = items[key] = Item(
                key=key,
                name=canonical,
                aliases=[cand.name] if cand.name != canonical else [],
                kind=cand.kind,
                category=cand.category,
                subtype=cand.subtype,
                status=cand.status,
                status_phrase=cand.status_phrase,
                geometry=loc.geometry,
                precision=loc.precision,
                location_class=loc.location_class,
                location_note=loc.note,
                gazetteer_ids=loc.gazetteer_ids,
                counties=counties,
            )
        else:
            if cand.name != item.name and cand.name not in item.aliases:
                item.aliases.append(cand.name)
            if cand.kind == "project" and item.kind == "place":
                item.kind, item.category, item.subtype = "project", cand.category, cand.subtype
            if item.status == "mentioned" and cand.status != "mentioned" or cand.from_table:
                item.status, item.status_phrase = cand.status, cand.status_phrase
            _take_better_location(item, loc, counties)
        item.mentions.append(mention)
        if cand.from_table:
            f = cand.fields
            item.investment_wan = parse_money(f.get("investment"))
            item.annual_investment_wan = parse_money(f.get("annual_investment"))
            item.period_start, item.period_end = parse_period(f.get("period"))
            item.batch = f.get("batch")
            item.lead_unit = f.get("lead_unit")
            item.description = f.get("description")
            if cand.name != item.name and not loc.exact_entry:  # the table's name is the official one
                item.aliases.append(item.name)
                item.name = cand.name
    return DocumentAnalysis(raw, structure, county, list(items.values()))
