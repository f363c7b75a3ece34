"""The word lists ingestion reads from ``geoapp/data`` and ``gazetteer/data``.

Rules live in code; words live here, each list with its source, so a county the
code has never seen needs at most new words, never new ``if`` branches. The files and
the roles of ``extraction_words.csv`` are described in ``geoapp/data/README.md``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from gazetteer.normalize import DATA_DIR as GAZ_DATA
from geoapp.settings import PACKAGE_DATA

__all__ = ["Vocabulary", "Suffix", "vocabulary"]

DATA = PACKAGE_DATA


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class Suffix:
    text: str
    subtype: str
    category: str
    geometry: str  # line | point | area


@dataclass(frozen=True)
class Vocabulary:  # frozen, but cached_property needs a __dict__: not slots
    suffixes: dict[str, Suffix]
    max_suffix: int
    #: verb → (status or "", position: before | after | both)
    verbs: dict[str, tuple[str, str]]
    function_words: frozenset[str]
    max_marker: int
    generic: frozenset[str]
    stop_phrases: tuple[str, ...]
    #: keyword → (category, subtype)
    keywords: tuple[tuple[str, str, str], ...]
    table_columns: dict[str, tuple[str, str]]
    batch_status: dict[str, str]
    subtype_category: dict[str, str]
    #: natural-feature generic (河, 湖, 山 …) → (subtype, category)
    natural: dict[str, tuple[str, str]]
    #: route qualifiers after a route's kind (北线, 复线, 扩能 …), from the gazetteer's data
    qualifiers: tuple[str, ...]
    #: "the county's own …" (县人民医院, 高新区展览馆): a stem that is only one of these is specific
    local_area: frozenset[str]
    #: facilities a county has one of and names without a proper name (会展中心)
    standalone: frozenset[str]
    #: the extractor's small word lists (``extraction_words.csv``): role → words in file order
    roles: dict[str, tuple[str, ...]]

    def words(self, role: str) -> tuple[str, ...]:
        """The words of one role of ``extraction_words.csv``, in file order (a rule that tries
        them in turn tries the first row first)."""
        try:
            return self.roles[role]
        except KeyError:
            raise KeyError(f"geoapp/data/extraction_words.csv has no role {role!r}") from None

    @cached_property
    def generic_longest_first(self) -> tuple[str, ...]:
        return tuple(sorted(self.generic, key=len, reverse=True))

    @cached_property
    def word_lengths(self) -> dict[str, tuple[int, ...]]:
        """First character → lengths of the verbs, function words and suffixes starting with it,
        longest first (the tokenizer tries only those)."""
        out: dict[str, set[int]] = {}
        for word in (*self.verbs, *self.function_words, *self.suffixes):
            out.setdefault(word[0], set()).add(len(word))
        return {c: tuple(sorted(lengths, reverse=True)) for c, lengths in out.items()}


@cache
def vocabulary() -> Vocabulary:
    suffixes: dict[str, Suffix] = {}
    # The gazetteer's facility kinds first; geoapp's project suffixes refine them.
    for path in (GAZ_DATA / "facility_suffixes.csv", DATA / "project_suffixes.csv"):
        for r in _rows(path):
            suffixes[r["suffix"]] = Suffix(r["suffix"], r["subtype"], r["category"], r["geometry"])
    verbs = {r["phrase"]: (r["status"], r["position"]) for r in _rows(DATA / "verbs.csv")}
    function_words = frozenset(r["word"] for r in _rows(DATA / "function_words.csv"))
    keywords = tuple(
        sorted(
            ((r["keyword"], r["category"], r["subtype"]) for r in _rows(DATA / "keywords.csv")),
            key=lambda k: -len(k[0]),
        )
    )
    roles: dict[str, list[str]] = {}
    for r in _rows(DATA / "extraction_words.csv"):
        roles.setdefault(r["role"], []).append(r["word"])
    subtype_category = {
        r["code"]: r["category"] for r in _rows(DATA / "vocabulary.csv") if r["kind"] == "subtype"
    }
    return Vocabulary(
        suffixes=suffixes,
        max_suffix=max(len(s) for s in suffixes),
        verbs=verbs,
        function_words=function_words,
        max_marker=max(len(w) for w in [*verbs, *function_words]),
        generic=frozenset(r["word"] for r in _rows(DATA / "generic_words.csv")),
        stop_phrases=tuple(r["phrase"] for r in _rows(DATA / "stop_phrases.csv")),
        keywords=keywords,
        table_columns={r["header"]: (r["field"], r["unit"]) for r in _rows(DATA / "table_columns.csv")},
        batch_status={r["batch"]: r["status"] for r in _rows(DATA / "batch_status.csv")},
        subtype_category=subtype_category,
        natural={r["suffix"]: (r["subtype"], r["category"]) for r in _rows(DATA / "natural_suffixes.csv")},
        local_area=frozenset(r["word"] for r in _rows(DATA / "local_area_words.csv")),
        standalone=frozenset(r["name"] for r in _rows(DATA / "standalone_facilities.csv")),
        roles={role: tuple(words) for role, words in roles.items()},
        qualifiers=tuple(
            sorted((r["qualifier"] for r in _rows(GAZ_DATA / "route_qualifiers.csv")), key=len, reverse=True)
        ),
    )
