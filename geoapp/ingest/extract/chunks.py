"""From one chunk of prose to the projects it names.

A chunk that ends in a facility suffix (高铁, 水库, 产业园 …) or carries a road code (G350)
is a candidate project, once its trailing work words, phases and remarks are set aside
and the part before the suffix names something particular. A chunk without a suffix
names a project when it ends in 项目/工程 after a specific stem, is a phase of something
(…一期), or a section between two known places (太平至白羊段). Special shapes:
quoted lists sharing a tail (“垫涪”“垫合”高速公路), a line followed by a work on it
(成渝中线高铁铜梁站), and a section of a numbered road, which names the road too.

Contract: :func:`chunk_candidates` reads the chunk text it is given at the scanner's
position (the text may differ from the token's: a list item with its shared prefix) and
returns the candidates, in order, without changing the scanner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chars import CLOSE_QUOTES, DASHES, OPEN_QUOTES, alternatives
from geoapp.ingest.extract.names import (
    MAX_NAME,
    ROAD_CODE,
    all_generic,
    clean_name,
    is_slogan,
    is_stop,
    phased,
    segment,
    specific,
    strip_remarks,
    strip_tail,
    suffix_of,
    trim_left,
    weakly_specific,
)
from geoapp.ingest.extract.scan import SentenceScanner
from geoapp.ingest.vocab import Suffix, Vocabulary, vocabulary

__all__ = ["chunk_candidates", "chunk_candidate"]

#: two or more quoted names sharing what follows: “垫涪”“垫合”高速公路
_QUOTED_LIST = re.compile(r"^((?:“[^”]{1,8}”){2,})(.+)$")


def _words(role: str) -> str:
    return alternatives(vocabulary().words(role))


@cache
def _line_then_station() -> re.Pattern[str]:
    """A line, then a work on it: 成渝中线高铁 | 铜梁站."""
    return re.compile(rf"^(.{{2,}}?{_words('line_before_station')})(.{{2,}})$")


@cache
def _section_of_line() -> re.Pattern[str]:
    """A section named after its route: …高速 | 云阳段."""
    return re.compile(rf"(.{{2,}}?{_words('section_of_line')})(.{{1,12}}{_words('section')})$")


@cache
def _project_word_name() -> re.Pattern[str]:
    """A name ending in 项目/工程 (…建设项目): group 1 is what it is about."""
    return re.compile(rf"^(.{{2,}}?){_words('build_word')}?{_words('project_word')}$")


@cache
def _segment_mark() -> re.Pattern[str]:
    """至 or a dash between two places (a stem with one is a route, not a street)."""
    return re.compile(alternatives([*vocabulary().words("route_to"), *DASHES]))


def _without_lead_verb(scan: SentenceScanner, text: str, start: int) -> tuple[str, int]:
    """A one-character verb before a name (走翻坝高速公路, 按一级公路) is dropped, unless a place
    the gazetteer knows starts with it (走马镇, 含谷镇): those verbs are not boundaries of
    their own, since they also begin names."""
    if len(text) <= 3 or text[0] not in scan.vocab.words("lead_verb"):
        return text, start
    if any(span.start == 0 for span in scan.gazetteer.find_names(text[:8], safe_only=False)):
        return text, start
    return text[1:], start + 1


def chunk_candidates(scan: SentenceScanner, text: str, start: int) -> list[Candidate]:
    """The projects the chunk ``text`` (at document offset ``start``) names."""
    text, dropped = trim_left(text)
    start += dropped
    text, start = _without_lead_verb(scan, text, start)
    # Strip surrounding quotes that are not part of a longer name.
    while text and text[0] in OPEN_QUOTES and not any(c in text for c in CLOSE_QUOTES):
        text, start = text[1:], start + 1
    quoted = _QUOTED_LIST.match(text)
    if quoted:
        return _quoted_list(scan, quoted, start)
    split = _line_and_station(scan, text, start)
    if split is not None:
        return split
    c = chunk_candidate(scan, text, start)
    if c is None:
        return []
    return [c, *_parent_road(scan, c)]


def _quoted_list(scan: SentenceScanner, quoted: re.Match[str], start: int) -> list[Candidate]:
    """“垫涪”“垫合”高速公路 → 垫涪高速公路, 垫合高速公路."""
    tail = quoted.group(2)
    sentence = scan.sentence
    out = []
    pos = start
    for part in re.findall(r"“([^”]+)”", quoted.group(1)):
        # “垫涪”“垫合”高速公路 are places; “米袋子”“菜篮子”供给基地 are slogans.
        if not (scan.gazetteer.knows(part) or scan.gazetteer.geocode(part + tail)):
            continue
        pos = sentence.text.find(part, pos - sentence.start) + sentence.start
        c = chunk_candidate(scan, part + tail, pos)
        if c is not None:
            c.end = pos + len(part)
            c.surface = part
            out.append(c)
    return out


def _line_and_station(scan: SentenceScanner, text: str, start: int) -> list[Candidate] | None:
    """成渝中线高铁铜梁站 → the railway and its station; None when ``text`` is not so made."""
    split = _line_then_station().match(clean_name(text))
    if not split or suffix_of(strip_tail(split.group(2), scan.vocab), scan.vocab) is None:
        return None
    line_part = split.group(1)
    cut = text.find(line_part[-2:]) + 2 if line_part[-2:] in text else -1
    if cut <= 0:
        return None
    first = chunk_candidate(scan, text[:cut], start)
    second = chunk_candidate(scan, text[cut:], start + cut)
    if second is None:
        return None
    return [c for c in (first, second) if c is not None]


def _parent_road(scan: SentenceScanner, c: Candidate) -> list[Candidate]:
    """ "G350复兴至新生港": the road it is a section of is named too."""
    code = ROAD_CODE.match(c.name)
    if not code or len(c.name) <= len(code.group(0)):
        return []
    matches = scan.gazetteer.geocode(code.group(0))
    parent = [m for m in matches if m.method == "exact" and m.kind == "line"]
    if not parent:
        return []
    return [
        Candidate(
            name=code.group(0),
            surface=code.group(0),
            start=c.start,
            end=c.start + len(code.group(0)),
            kind="project",
            sentence=c.sentence,
            sentence_start=c.sentence_start,
            subtype=parent[0].subtype or c.subtype,
            category="transport",
            geometry_hint="line",
        )
    ]


@dataclass
class _Name:
    """A chunk read as a name: the text as written, the display name, the name without its
    work words and remarks (``core``), and the facility suffix ``core`` ends in."""

    raw: str
    name: str
    core: str
    suffix: Suffix | None


def _read_name(text: str, vocab: Vocabulary) -> _Name | None:
    """``text`` read as a name; None when too short or too long to be one."""
    raw = text.rstrip(CLOSE_QUOTES)
    name = clean_name(raw)
    if len(name) < 2 or len(name) > MAX_NAME:
        return None
    core = strip_tail(name, vocab)
    # A suffix that itself ends in a work word (水资源配置工程, 送出工程) counts as is,
    # also before a remark in brackets: 川渝东北一体化水资源配置工程（开州水塔）.
    plain = strip_remarks(name, vocab)
    whole_suffix = suffix_of(plain, vocab)
    if whole_suffix is not None and whole_suffix.text.endswith(vocab.words("work_tail")):
        core = plain
    suffix = suffix_of(core, vocab)
    if suffix is None:
        section = _section_of_line().search(core)
        if section:
            suffix = vocab.suffixes.get(section.group(1)[-2:]) or suffix_of(section.group(1), vocab)
    read = _Name(raw, name, core, suffix)
    if suffix is None and len(core) > 4:
        return _section_then_remark(read, vocab) or _without_remark(read, vocab)
    return read


#: how much may follow a route's section as its description (…北碚段 | 客运功能提升)
_MAX_SECTION_REMARK = 6


def _section_then_remark(read: _Name, vocab: Vocabulary) -> _Name | None:
    """A route's section, then what is done there: 襄渝铁路北碚段客运功能提升 → 襄渝铁路北碚段."""
    if read.raw != read.name:
        return None
    section = re.compile(rf"(.{{2,}}?{_words('section_of_line')})(.{{1,12}}?{_words('section')})").match(
        read.core
    )
    if section is None or not 2 <= len(read.core) - section.end() <= _MAX_SECTION_REMARK:
        return None
    cut = section.end()
    suffix = vocab.suffixes.get(section.group(1)[-2:]) or suffix_of(section.group(1), vocab)
    return _Name(read.raw[:cut], read.name[:cut], read.core[:cut], suffix)


def _without_remark(read: _Name, vocab: Vocabulary) -> _Name:
    """A short trailing remark after the name: 县人民医院三甲 → 县人民医院,
    香山110千伏变电站1号主变 → 香山110千伏变电站."""
    core = read.core
    for cut in (1, 2, 3, 4):
        remark = core[-cut:]
        if cut > 2 and not (re.search(r"\d", remark) or all_generic(remark, vocab)):
            continue
        inner = suffix_of(core[:-cut], vocab)
        if inner is not None and len(inner.text) >= 2:
            return _Name(read.raw[:-cut], read.name[:-cut], core[:-cut], inner)
    return read


def _without_suffix(name: str, scan: SentenceScanner) -> tuple[bool, Suffix | None]:
    """For a name with neither a facility suffix nor a road code: does it name a project,
    and with which suffix? "…项目" / "…工程" / "…二期" do when what precedes says what it is;
    "太平至白羊段" is a road between two places the gazetteer knows."""
    vocab, gazetteer = scan.vocab, scan.gazetteer
    m = _project_word_name().match(name)
    phase_of = phased(name)  # a phase is only ever built: 红星美凯龙一期
    ends = segment(name)
    if m and weakly_specific(m.group(1), vocab, gazetteer):
        return True, None
    if phase_of is not None and specific(phase_of, vocab, gazetteer):
        return True, None
    if ends and all(gazetteer.knows(part) for part in ends):
        return True, vocab.suffixes.get(vocab.words("between_places")[0])
    return False, None


def _names_something(read: _Name, weak: bool, scan: SentenceScanner) -> bool:
    """Is the name particular enough to be a project (not 人民路, 城市燃气, a slogan)?"""
    vocab, name, core, suffix = scan.vocab, read.name, read.core, read.suffix
    has_code = bool(ROAD_CODE.search(name))
    stem = core[: -len(suffix.text)] if suffix and core.endswith(suffix.text) else core
    if is_stop(name, vocab) or is_slogan(core):
        return False
    short_suffix = suffix is not None and len(suffix.text) == 1
    if short_suffix and len(stem) > 4 and not has_code and not _segment_mark().search(stem):
        return False  # 人民路, 滨江路 — but not 走深走实两化路
    standalone = not stem and name in vocab.standalone
    return weak or has_code or standalone or stem in vocab.local_area or specific(stem, vocab, scan.gazetteer)


def chunk_candidate(scan: SentenceScanner, text: str, start: int) -> Candidate | None:
    """The project ``text`` (at document offset ``start``) names as a whole, or None."""
    read = _read_name(text, scan.vocab)
    if read is None:
        return None
    weak = False
    if read.suffix is None and not ROAD_CODE.search(read.name):
        weak, suffix = _without_suffix(read.name, scan)
        if not weak:
            return None
        read.suffix = suffix
    if not _names_something(read, weak, scan):
        return None
    return scan.project(start, scan.text_at(start, len(read.raw)), read.name, read.suffix)
