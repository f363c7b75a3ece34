"""Places named in passing: towns, counties and named features the gazetteer's name scanner
finds; rivers, lakes and mountains named by a natural generic (汝溪河, 磨刀溪); places
named by their bare short name (石宝 for 石宝镇) where such a name is used as a place; and
the places a route runs between (黄金至大岭公路 → 黄金, 大岭).

Contract: every function returns new ``kind="place"`` candidates (a named feature the
gazetteer knows as a work is a ``project``); none changes what it reads.
"""

from __future__ import annotations

import re
from functools import cache

from gazetteer import Gazetteer
from gazetteer.model import Entry
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chars import DASHES, HAN, LIST_MARK, alternatives
from geoapp.ingest.extract.names import ROAD_CODE, clean_name, is_stop, trim_left
from geoapp.ingest.extract.scan import SentenceScanner
from geoapp.ingest.structure import Sentence
from geoapp.ingest.vocab import Vocabulary, vocabulary

__all__ = ["natural_place", "ShortPlaces", "place_candidates", "hidden_in_word"]

_PLACE_KINDS = ("county", "city", "township", "locality", "feature", "line")
#: feature subtypes that are places, not works
_NATURAL_SUBTYPES = ("lake", "mountain", "river", "town", "wetland")


@cache
def _route_mark() -> re.Pattern[str]:
    """What stands between the places a route runs between: 至, 经, a dash."""
    words = vocabulary().words
    return re.compile(alternatives([*words("route_to"), *DASHES, *words("route_via")]))


#: a river's name is at least a two-character stem and its generic (汝溪河)
_MIN_NATURAL_NAME = 3


def natural_place(scan: SentenceScanner) -> Candidate | None:
    """Rivers, lakes, mountains named in passing: 汝溪河, 大沙河, 磨刀溪."""
    tok, vocab = scan.token, scan.vocab
    if not tok.text.endswith(tuple(vocab.natural)):
        return None
    text, dropped = trim_left(tok.text)
    for lead in vocab.words("natural_lead"):  # 沿嘉陵江 → 嘉陵江; 沿河 stays
        if text.startswith(lead) and len(text) - len(lead) >= _MIN_NATURAL_NAME:
            text, dropped = text[len(lead) :], dropped + len(lead)
            break
    name = clean_name(text)
    for suffix, (subtype, category) in vocab.natural.items():
        stem = name[: -len(suffix)]
        if not name.endswith(suffix) or not 2 <= len(stem) <= 4:
            continue
        if any(g in stem for g in vocab.generic) or re.search(r"[\dA-Za-z]", stem):
            continue
        if name.endswith(tuple(vocab.generic)):
            continue  # 长寿湖沿湖, 城区滨江: the shore along a water, not one named so
        if any(
            e.kind in ("county", "city", "province")
            for sp in scan.gazetteer.find_names(name)
            for e in sp.entries
        ):
            continue  # 垫江 is a county, not a river
        return Candidate.at(
            scan.sentence, tok.start + dropped, text, name, kind="place", subtype=subtype, category=category
        )
    return None


class ShortPlaces:
    """Places named by their bare short name (石宝 for 石宝镇, 梁平 for 梁平区): accepted
    only where such a name is used as a place — a route's endpoint, an item of a list
    of places, or the first word of a longer name — and only when it resolves to a
    township of the document's own county, or to a county or city. A county of another
    province goes by its short name only as a route's end (开州至开江): in a list or at
    the head of a word such names are ordinary words (通道经济 is not 湖南通道县)."""

    def __init__(self, gazetteer: Gazetteer, county: Entry | None) -> None:
        self.gazetteer = gazetteer
        self.county = county
        self._cache: dict[tuple[str, bool], tuple[str, ...] | None] = {}

    def resolve(self, text: str, *, route_end: bool = False) -> tuple[str, ...] | None:
        """The gazetteer entry ``text`` names as a short place name, or None."""
        if (text, route_end) not in self._cache:
            found = None
            if 2 <= len(text) <= 6 and self.gazetteer.knows(text):
                found = self._lookup(text, route_end)
            self._cache[text, route_end] = found
        return self._cache[text, route_end]

    def _lookup(self, text: str, route_end: bool) -> tuple[str, ...] | None:
        context = self.county.name if self.county is not None else None
        matches = self.gazetteer.geocode(text, county=context, limit=3)
        best = matches[0] if matches else None
        if best is None or best.method != "exact":
            return None
        own = self.county is not None and self.county.code in best.county_codes
        entry = self.gazetteer.get(best.gazetteer_id)
        same_province = (
            self.county is not None and entry is not None and entry.admin[:1] == self.county.admin[:1]
        )
        other_unit = (
            (best.kind == "city" or (best.kind == "county" and (same_province or route_end)))
            and not (own and best.kind == "county")
            and self.gazetteer.in_region(best.gazetteer_id)
        )
        local_place = best.kind in ("township", "locality", "feature") and own
        return (best.gazetteer_id,) if other_unit or local_place else None

    def _place(self, name: str, start: int, sentence: Sentence, entry_ids: tuple[str, ...]) -> Candidate:
        e = self.gazetteer.get(entry_ids[0])
        if e is not None and e.kind == "feature":
            subtype = e.subtype
            category = vocabulary().subtype_category.get(subtype, "urban")
        else:
            subtype, category = "town", "urban"
        return Candidate.at(
            sentence, start, name, kind="place", subtype=subtype, category=category, entry_ids=entry_ids
        )

    def in_sentence(self, scan: SentenceScanner) -> list[Candidate]:
        """Short names used as places in the scanner's sentence: list items (石宝、新生) and
        the first word of a longer name (双桂荷花节, 高安食品加工园)."""
        out = []
        for chunk in scan.chunks():
            tok = chunk.token
            text, dropped = trim_left(tok.text)
            at = tok.start + dropped - scan.sentence.start  # where ``text`` starts in the sentence
            if hidden_in_word(scan.sentence.text, at, at + 2, scan.vocab):
                continue
            listed = chunk.before_list_mark() or chunk.after_list_mark()
            if listed and 2 <= len(text) <= 4:
                ids = self.resolve(text)
                if ids:
                    out.append(self._place(text, tok.start + dropped, scan.sentence, ids))
                    continue
            for length in (3, 2):
                head = text[:length]
                if len(text) > length + 1 and re.fullmatch(f"{HAN}+", head):
                    ids = self.resolve(head)
                    if ids:
                        out.append(self._place(head, tok.start + dropped, scan.sentence, ids))
                        break
        return out

    def endpoints(self, cand: Candidate) -> list[Candidate]:
        """Places a route runs between: 黄金至大岭公路 → 黄金, 大岭."""
        body = ROAD_CODE.sub("", cand.surface)
        if not _route_mark().search(body):
            return []
        out = []
        for part in re.split(f"{_route_mark().pattern}|{re.escape(LIST_MARK)}", body):
            part = clean_name(part)
            for cut in range(len(part), 1, -1):  # "两河段公路" → 两河
                ids = self.resolve(part[:cut], route_end=True)
                if ids:
                    name = part[:cut]
                    pos = cand.surface.find(name)
                    start = cand.start + pos if pos >= 0 else cand.start
                    sent = Sentence(
                        cand.sentence_start, cand.sentence_start + len(cand.sentence), cand.sentence
                    )
                    out.append(self._place(name, start, sent, ids))
                    break
        return out


def hidden_in_word(text: str, start: int, end: int, vocab: Vocabulary) -> bool:
    """Does the name at ``text[start:end]`` cut through a word of the ``hiding_word`` list
    (extraction_words.csv)? 合川 in 联合川渝, 渝中 in 成渝中部, 新生 in 新生儿: a place
    name that starts or ends strictly inside such a word is part of it, not a place."""
    for word in vocab.words("hiding_word"):
        at = text.find(word, max(0, start - len(word) + 1), end + len(word) - 1)
        while 0 <= at < end:
            w_end = at + len(word)
            if at < start < w_end or at < end < w_end:
                return True
            at = text.find(word, at + 1, end + len(word) - 1)
    return False


def _kind_of(entry: Entry, vocab: Vocabulary) -> tuple[str, str, str]:
    """(category, subtype, kind) of a place the gazetteer found."""
    if entry.kind in ("feature", "line"):
        category = vocab.subtype_category.get(entry.subtype, "urban")
        subtype = entry.subtype if entry.subtype in vocab.subtype_category else "other"
        kind = "place" if subtype in _NATURAL_SUBTYPES else "project"
        return category, subtype, kind
    return "urban", "town", "place"


def _entries(span, sentence: Sentence, own_county: str | None, vocab: Vocabulary) -> tuple[Entry, ...]:
    """The entries a name found in ``sentence`` stands for here; () when it is not a place here."""
    entries = span.entries
    if all(e.kind in ("township", "locality") for e in entries):
        # A town of another county is rarely named; "平安乡村" is not 平安乡.
        entries = tuple(e for e in entries if e.county_code == own_county)
        following = sentence.text[span.end : span.end + 1]
        compound = any(
            span.text.endswith(w[:-1]) and following == w[-1:] for w in vocab.words("township_compound")
        )
        if not entries or compound:
            return ()
    if any(e.kind in ("county",) and e.code == own_county for e in entries):
        return ()  # the document's own county is the context, not a place in it
    if all(e.kind in ("province",) for e in entries):
        return ()
    return entries


def place_candidates(
    sentences: list[Sentence], gazetteer: Gazetteer, own_county: str | None, vocab: Vocabulary
) -> list[Candidate]:
    """Every town, county and named feature the gazetteer finds in ``sentences``."""
    out: list[Candidate] = []
    for sentence in sentences:
        for span in gazetteer.find_names(sentence.text, kinds=_PLACE_KINDS):
            entries = _entries(span, sentence, own_county, vocab)
            name = clean_name(span.text)
            if (
                not entries
                or is_stop(name, vocab)
                or hidden_in_word(sentence.text, span.start, span.end, vocab)
            ):
                continue
            category, subtype, kind = _kind_of(entries[0], vocab)
            out.append(
                Candidate.at(
                    sentence,
                    sentence.start + span.start,
                    span.text,
                    name,
                    kind=kind,
                    subtype=subtype,
                    category=category,
                    geometry_hint="line" if entries[0].kind == "line" else "point",
                    entry_ids=tuple(e.id for e in entries),
                )
            )
    return out
