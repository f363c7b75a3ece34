"""Judging a name on its own: cleaning it, finding its facility suffix, and deciding
whether it names something particular.

Contract: every function here looks only at the name (plus the word lists and, for
"is this a place", the gazetteer) — never at the sentence around it. The words come from
``geoapp/data`` through :class:`~geoapp.ingest.vocab.Vocabulary`; the patterns built from
them are compiled once, on first use.
"""

from __future__ import annotations

import re
from functools import cache

from gazetteer import Gazetteer
from gazetteer.normalize import normalize
from geoapp.ingest.extract.chars import (
    DIGITS,
    HAN,
    LIST_MARK,
    MAGNITUDES,
    QUOTE_MARKS,
    SLOGAN_COUNTS,
    TWO,
    alternatives,
)
from geoapp.ingest.vocab import Suffix, Vocabulary, vocabulary

__all__ = [
    "MAX_NAME",
    "ROAD_CODE",
    "clean_name",
    "trim_left",
    "rated_tail",
    "suffix_of",
    "strip_remarks",
    "strip_tail",
    "is_slogan",
    "specific",
    "weakly_specific",
    "all_generic",
    "is_stop",
    "classify",
    "phased",
    "segment",
]

#: longer "names" are clauses the chunker failed to cut
MAX_NAME = 30
ROAD_CODE = re.compile(r"[GS]\d{1,4}(?![0-9])")
#: "1." "（2）" "三、" "（四）" before an item of a list
_ORDINAL = re.compile(
    rf"^(?:\d{{1,2}}[\.．、]|（\d{{1,2}}）|[{DIGITS}]+、|（[{DIGITS}]+）|第[{DIGITS}\d]+[章节篇编条])\s*"
)
#: a remark in brackets at the end: "…（开州水塔）", "…（忠县段）"
_BRACKETED_TAIL = re.compile(r"[（(][^（）()]{1,10}[)）]$")
#: numbered slogans ("一江两岸四片区", "三纵两横", "八射一联一环线") name a plan, not a work
_SLOGAN = re.compile(rf"^(?:[{SLOGAN_COUNTS}]+{HAN}{{1,2}}){{2,}}$")
_QUOTES = re.compile(f"[{re.escape(QUOTE_MARKS)}]")


def _words(role: str) -> str:
    return alternatives(vocabulary().words(role))


@cache
def _count() -> re.Pattern[str]:
    """A count before a name: "3座", "两个"."""
    measure = _words("measure_word")
    return re.compile(rf"^(?:\d+(?:\.\d+)?{measure}|[{DIGITS}{TWO}]+{measure})")


@cache
def _counted_inside() -> re.Pattern[str]:
    """A count inside a name, "蔬菜三个现代农业园区", "江南两个片区": a summary of several works.
    (Measure words that also make names, ``name_measure_word``, are left out: 石家, 三家村.)"""
    in_names = set(vocabulary().words("name_measure_word"))
    measure = alternatives([w for w in vocabulary().words("measure_word") if w not in in_names])
    return re.compile(rf"[{DIGITS}{TWO}]+{measure}")


@cache
def _phase() -> re.Pattern[str]:
    """A phase at the end of a name: "一期", "二、三期工程", "（一期）"."""
    phase, work = _words("phase"), _words("project_word")
    number = rf"[{DIGITS}\d]+"
    return re.compile(rf"(?:{number}(?:{LIST_MARK}{number})*{phase}{work}?|（[^）]{{1,8}}{phase}）)$")


@cache
def _phased() -> re.Pattern[str]:
    """A name that is a phase of something: "红星美凯龙一期" (group 1: the something)."""
    return re.compile(rf"^(.{{2,}}?)[{DIGITS}\d]+{_words('phase')}{_words('project_word')}?$")


@cache
def _segment() -> re.Pattern[str]:
    """A section named by its two ends: "太平至白羊段"."""
    to, section = _words("route_to"), _words("section")
    return re.compile(rf"^({HAN}{{2,6}}?){to}({HAN}{{2,6}}?){section}?$")


@cache
def _quantity() -> re.Pattern[str]:
    """A quantity: "110千伏", "10万吨"."""
    return re.compile(rf"\d+(?:\.\d+)?\s*[{MAGNITUDES}]?{_words('quantity_unit')}?")


def rated_tail(name: str) -> str | None:
    """The rated facility at the end of a name, from its quantity on: "长乐110千伏变电站" →
    "110千伏变电站"; None without a quantity with a unit, or with nothing before it."""
    m = _quantity().search(name)
    if m is None or m.start() < 2 or not re.search(r"\D", m.group().strip()):
        return None
    return name[m.start() :]


def clean_name(text: str) -> str:
    """A display name: normalised (half-width digits, one dash), quotes and edge spaces and
    dashes removed. Work words stay (:func:`strip_tail` sets them aside)."""
    text = normalize(text)
    text = _QUOTES.sub("", text)
    return text.strip(" ·-—")


@cache
def _route_joins() -> frozenset[str]:
    return frozenset(w for w in vocabulary().words("route_to") if len(w) == 1)


def trim_left(text: str) -> tuple[str, int]:
    """Drop ordinal numbers and quantity words at the start; return (text, characters dropped)."""
    m = _ORDINAL.match(text)
    dropped = m.end() if m else 0
    text = text[dropped:]
    m = _count().match(text)
    if m:
        dropped += m.end()
        text = text[m.end() :]
    # a route's join with nothing before it (…接入|至渝怀铁路) opens no name
    while len(text) > 2 and text[0] in _route_joins():
        dropped, text = dropped + 1, text[1:]
    return text, dropped


def suffix_of(name: str, vocab: Vocabulary) -> Suffix | None:
    """The longest facility suffix ``name`` ends in."""
    for length in range(min(vocab.max_suffix, len(name)), 0, -1):
        s = vocab.suffixes.get(name[-length:])
        if s is not None:
            return s
    return None


def _section_head(name: str, vocab: Vocabulary) -> str | None:
    """The work a section belongs to: 川渝东北一体化水资源配置工程云阳段 → …配置工程."""
    if name.endswith(vocab.words("section")):
        for k in range(2, 10):
            head = name[:-k]
            if len(head) > 2 and suffix_of(head, vocab) is not None:
                return head
    return None


def strip_remarks(name: str, vocab: Vocabulary) -> str:
    """Drop a bracketed remark and a section ("…（开州水塔）", "…云阳段"), keeping work words."""
    name = _BRACKETED_TAIL.sub("", name)
    return _section_head(name, vocab) or name


def _strip_once(name: str, vocab: Vocabulary) -> str:
    """One pass of :func:`strip_tail`: work words, a phase, a remark, a section, qualifiers."""
    for tail in vocab.words("work_tail"):
        if name.endswith(tail) and len(name) > len(tail) + 1:
            name = name[: -len(tail)]
    for pattern in (_phase(), _BRACKETED_TAIL):
        m = pattern.search(name)
        if m and m.start() > 1:
            name = name[: m.start()]
    name = _section_head(name, vocab) or name
    for q in vocab.qualifiers:
        # Only after a route's kind: 沿江高速北线 → 沿江高速 (but 万开云城际 stays).
        if name.endswith(q) and len(name) > len(q) + 2:
            rest = suffix_of(name[: -len(q)], vocab)
            if rest is not None and rest.geometry == "line":
                name = name[: -len(q)]
    return name


def strip_tail(name: str, vocab: Vocabulary) -> str:
    """Drop trailing work words, phases, a parenthesised remark and route qualifiers for
    suffix detection ("XX水库扩建工程建设" → "XX水库扩建", "长江国家文化公园（忠县段）" → "长江国家文化公园",
    "沿江高速北线" → "沿江高速"), until nothing more goes."""
    while name:
        stripped = _strip_once(name, vocab)
        if stripped == name:
            break
        name = stripped
    return name


def is_slogan(text: str) -> bool:
    """A counted slogan (三峡库心·长江盆景 style "一带一路") or a formula of parts joined by
    "+" (产业+平台+园区): a way of working, never one work."""
    return bool(_SLOGAN.match(text)) or "+" in text or "＋" in text


def _without_generic(text: str, vocab: Vocabulary) -> str:
    for word in vocab.generic_longest_first:
        if word in text:
            text = text.replace(word, "")
    return text


def specific(core: str, vocab: Vocabulary, gazetteer: Gazetteer) -> bool:
    """Does the part before the suffix name something particular (not 城市/燃气/县域 …)?"""
    if not core or is_slogan(core) or is_slogan(_without_generic(core, vocab)):
        return False  # 全市三环十八射多联线: a slogan once 全市 is set aside
    if _counted_inside().search(core):
        return False
    if ROAD_CODE.search(core) or re.search(r"[A-Za-z]{2,}", core):
        return True
    if gazetteer.find_names(core, safe_only=False):
        return True
    rest = _without_generic(core, vocab)
    rest = _quantity().sub("", rest)  # quantities ("110千伏", "10万吨") are not names
    rest = re.sub(r"[\-—~～（）()·\s]", "", rest)
    return len(rest) >= 2


def all_generic(text: str, vocab: Vocabulary) -> bool:
    """Is ``text`` made only of generic words (科研平台, 数据优势 …)?"""
    return not _without_generic(text, vocab)


def weakly_specific(stem: str, vocab: Vocabulary, gazetteer: Gazetteer) -> bool:
    """For names ending only in 项目/工程: the stem must name a place, an industry
    keyword or a quantity (年产10万吨…), besides not being generic."""
    if not specific(stem, vocab, gazetteer):
        return False
    if re.search(r"\d", stem) or gazetteer.find_names(stem, safe_only=False):
        return True
    if _natural_head().match(stem):
        return True  # 缙云山综合提升项目: a mountain, lake or river the gazetteer may not hold
    return any(k in stem for k, _, _ in vocab.keywords)


@cache
def _natural_head() -> re.Pattern[str]:
    """A stem that opens with a natural feature's name: two to four characters and a natural
    generic (缙云山, 黛湖, 梁滩河)."""
    return re.compile(rf"^{HAN}{{2,4}}?{alternatives(sorted(vocabulary().natural, key=len, reverse=True))}")


def is_stop(name: str, vocab: Vocabulary) -> bool:
    """Is ``name`` a policy phrase (geoapp/data/stop_phrases.csv), or one with ≤ 2 more characters?"""
    return any(name == p or name.startswith(p) and len(name) - len(p) <= 2 for p in vocab.stop_phrases)


def phased(name: str) -> str | None:
    """What ``name`` is a phase of ("红星美凯龙一期" → 红星美凯龙), or None."""
    m = _phased().match(name)
    return m.group(1) if m else None


def segment(name: str) -> tuple[str, str] | None:
    """The two ends of a section named by them ("太平至白羊段" → 太平, 白羊), or None."""
    m = _segment().match(name)
    return (m.group(1), m.group(2)) if m else None


#: subtypes too broad to say what a work is (with the suffixes of ``vague_suffix``)
_VAGUE_SUBTYPES = ("other", "industrial_park", "new_district")


def classify(name: str, suffix: Suffix | None, vocab: Vocabulary) -> tuple[str, str, str]:
    """(category, subtype, geometry hint) from the suffix, refined by keywords for vague suffixes."""
    if suffix is None:
        category, subtype, geom = "urban", "other", "point"
    else:
        category, subtype, geom = suffix.category, suffix.subtype, suffix.geometry
    vague = suffix is None or suffix.subtype in _VAGUE_SUBTYPES or suffix.text in vocab.words("vague_suffix")
    if vague:
        for keyword, kw_category, kw_subtype in vocab.keywords:
            if keyword in name:
                category = kw_category
                if kw_subtype and (suffix is None or suffix.subtype == "other"):
                    subtype = kw_subtype
                break
    if ROAD_CODE.match(name) and suffix is None:
        category, subtype, geom = "transport", "national_highway" if name.startswith("G") else "road", "line"
    return category, subtype, geom
