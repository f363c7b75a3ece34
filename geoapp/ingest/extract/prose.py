"""The walk through prose: each sentence read once with a :class:`SentenceScanner`, each
chunk turned into projects (:mod:`.chunks`) or a natural place (:mod:`.places`), and the
list rules (:mod:`.lists`) applied as the walk goes — an item after the first shares the
first item's area (乌杨新区小学、幼儿园), suffix-less items before a project share its tail
(渝西、成达万高铁), and "A、B等项目" makes projects of what it lists.

Contract: :func:`prose_candidates` returns the candidates of every sentence, sentence by
sentence, in the order the rules find them (the caller sorts).
"""

from __future__ import annotations

from gazetteer import Gazetteer
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chunks import chunk_candidates
from geoapp.ingest.extract.lists import area_prefix, counted_lists, expand, listed_projects, shared_tail
from geoapp.ingest.extract.places import ShortPlaces, natural_place
from geoapp.ingest.extract.scan import SentenceScanner
from geoapp.ingest.structure import Sentence
from geoapp.ingest.vocab import Vocabulary

__all__ = ["prose_candidates", "sentence_candidates"]


def prose_candidates(
    sentences: list[Sentence], gazetteer: Gazetteer, vocab: Vocabulary, places: ShortPlaces
) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in sentences:
        out.extend(sentence_candidates(SentenceScanner.read(sentence, gazetteer, vocab), places))
    return out


def sentence_candidates(scan: SentenceScanner, places: ShortPlaces) -> list[Candidate]:
    """The candidates of the scanner's sentence: short place names first, then chunk by chunk."""
    out = places.in_sentence(scan)
    pending: list[int] = []  # indexes of suffix-less chunks joined by 、
    found_at: set[int] = set()
    prefix: str | None = None  # "乌杨新区小学、幼儿园、人民医院" share 乌杨新区
    skip: set[int] = set()  # a route's section read with the route (渝湘高速扩能|巴南段)
    for chunk in scan.chunks():
        if chunk.index in skip:
            continue
        listed = chunk.after_list_mark()
        if not listed:
            prefix = None
        cands = _qualified_section(chunk, skip) or _with_shared_prefix(chunk, prefix)
        if cands and not listed:
            prefix = area_prefix(cands[0].name, scan.vocab)
        if not cands:
            natural = natural_place(chunk)
            if natural is not None:
                out.append(natural)
            listable = chunk.before_list_mark() and len(chunk.token.text) <= 8
            pending = [*pending, chunk.index] if listable else []
            continue
        out.extend(cands)
        found_at.add(chunk.index)
        out.extend(_expand_pending(scan, pending, cands[-1].name, found_at))
        pending = []
    out.extend(listed_projects(scan, found_at))
    out.extend(counted_lists(scan))
    return out


def _qualified_section(chunk: SentenceScanner, skip: set[int]) -> list[Candidate]:
    """A route, a qualifier the scanner reads as a verb, and a section: 渝湘高速 | 扩能 |
    巴南段 is one work, 渝湘高速扩能巴南段 (the section chunk's index goes into ``skip``)."""
    tokens, k = chunk.tokens, chunk.index
    if k + 2 >= len(tokens) or tokens[k + 1].text not in chunk.vocab.qualifiers:
        return []
    section = tokens[k + 2]
    # the section ends in 段, perhaps with a word or a verb's first character after it (巴南段|起于,
    # 长寿段全线|贯通)
    ends = [section.text.find(w) + len(w) for w in chunk.vocab.words("section") if w in section.text]
    if section.kind != "chunk" or not ends or len(section.text) - min(ends) > 2 or min(ends) < 3:
        return []
    tok = chunk.token
    part = section.text[: min(ends)]
    text = tok.text + tokens[k + 1].text + part
    cands = chunk_candidates(chunk, text, tok.start)
    if cands and cands[0].name.endswith(part):
        skip.add(k + 2)
        return cands
    return []


def _with_shared_prefix(chunk: SentenceScanner, prefix: str | None) -> list[Candidate]:
    """The chunk's projects; an item without a place of its own shares the first item's
    area ``prefix`` (乌杨新区小学、幼儿园 → 乌杨新区幼儿园), keeping its own span."""
    tok = chunk.token
    cands = chunk_candidates(chunk, tok.text, tok.start)
    if prefix and not chunk.gazetteer.find_names(tok.text, safe_only=False):
        prefixed = chunk_candidates(chunk, prefix + tok.text, tok.start)
        for c in prefixed:
            c.start, c.end, c.surface = tok.start, tok.end, tok.text
        cands = prefixed or cands
    return cands


def _expand_pending(
    scan: SentenceScanner, pending: list[int], name: str, found_at: set[int]
) -> list[Candidate]:
    """A tail shared by a preceding list: 渝西、成达万高铁 → 渝西高铁;
    迎风湖、长寿湖国家湿地保护区 → 迎风湖国家湿地保护区. Marks the expanded items in ``found_at``."""
    out = []
    for j in pending:
        tail = shared_tail(name, scan.tokens[j].text, scan.vocab)
        if tail:
            expanded = expand(scan.at(j), tail)
            if expanded is not None:
                out.append(expanded)
                found_at.add(j)
    return out
