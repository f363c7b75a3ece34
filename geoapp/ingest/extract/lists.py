"""Lists: items that share what only one of them says.

- A tail shared by a coordinated list (渝西、成达万高铁 → 渝西高铁 too; 迎风湖、长寿湖国家湿地保护区
  → 迎风湖国家湿地保护区 too), when the bare item is a known place or decodes as a route.
- An area shared by the items after the first (乌杨新区小学、幼儿园 → 乌杨新区幼儿园):
  :func:`area_prefix` finds it; the prose walk applies it.
- "A、B、C等项目": the listed names are projects even without a facility suffix.
- A counted list of places in a project table (回龙、大观、碧山三镇农村公路): one work per place.

Contract: functions only read the scanner (at the list item they are about) and return
new candidates or names; the list words (、, 及, 等 …) come from
``geoapp/data/extraction_words.csv``.
"""

from __future__ import annotations

import re
from functools import cache

from gazetteer import Gazetteer
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chars import DIGITS, HAN, TWO, alternatives
from geoapp.ingest.extract.names import (
    MAX_NAME,
    clean_name,
    is_stop,
    rated_tail,
    specific,
    strip_tail,
    suffix_of,
    trim_left,
)
from geoapp.ingest.extract.scan import SentenceScanner
from geoapp.ingest.vocab import Vocabulary, vocabulary

__all__ = ["shared_tail", "expand", "area_prefix", "listed_projects", "counted_lists", "distributed"]


def shared_tail(name: str, item: str, vocab: Vocabulary) -> str | None:
    """What a list's last item ``name`` adds to an earlier ``item``: a route's kind (渝西、成达万高铁 →
    高铁), or what follows the same generic as the item's (迎风湖、长寿湖国家湿地保护区 →
    国家湿地保护区 after 湖)."""
    suffix = suffix_of(strip_tail(name, vocab), vocab)
    if suffix is None:
        return None
    if suffix.geometry == "line":
        return suffix.text
    rated = rated_tail(name)
    if rated:  # 雅酉、石栏、长乐110千伏变电站 → 110千伏变电站
        return rated
    generic = item[-1:]
    at = name.find(generic, 1)
    if generic not in vocab.natural or at < 1 or at >= len(name) - 2:
        return None
    return name[at + 1 :]


def expand(scan: SentenceScanner, tail: str) -> Candidate | None:
    """The list item at the scanner with the list's shared ``tail`` (渝西 + 高铁), or None."""
    tok, vocab = scan.token, scan.vocab
    bare = clean_name(trim_left(tok.text)[0])
    if not 2 <= len(bare) <= 8 or suffix_of(bare, vocab) is not None:
        return None
    name = bare + tail
    suffix = suffix_of(strip_tail(name, vocab), vocab)
    if suffix is None:
        return None
    # A list item must itself be a known place, or decode as a route (渝西 → 重庆–西安), or
    # be a short particular name before a rated facility (雅酉 + 110千伏变电站: substations
    # are named after their place, which the gazetteer may not hold).
    known = scan.gazetteer.knows(bare) or (suffix.geometry == "line" and scan.gazetteer.geocode(name))
    rated = (
        tail[:1].isdigit() and re.fullmatch(f"{HAN}{{2,3}}", bare) and specific(bare, vocab, scan.gazetteer)
    )
    if not (known or rated):
        return None
    return scan.project(tok.start, tok.text, name, suffix)


def area_prefix(name: str, vocab: Vocabulary) -> str | None:
    """The area a facility is named after: 乌杨新区小学 → 乌杨新区, 工业园区企业孵化中心 → 工业园区."""
    for cut in range(len(name) - 2, 1, -1):
        head, rest = name[:cut], name[cut:]
        area = suffix_of(head, vocab)
        if area is not None and area.geometry == "area" and suffix_of(rest, vocab) is not None:
            return head
    return None


def listed_projects(scan: SentenceScanner, found_at: set[int]) -> list[Candidate]:
    """ "A、B、C等项目": the listed names not already found (token indexes ``found_at``) are
    projects even without a facility suffix."""
    vocab, tokens = scan.vocab, scan.tokens
    out: list[Candidate] = []
    for k, tok in enumerate(tokens):
        if tok.text not in vocab.words("etc") or tok.kind != "function":
            continue
        after = "".join(t.text for t in tokens[k + 1 : k + 3])
        if not after.startswith(vocab.words("project_list_end")):
            continue
        j = k - 1
        while j >= 0 and tokens[j].kind == "chunk":
            if j not in found_at:
                cand = _bare_candidate(scan.at(j))
                if cand is not None:
                    out.append(cand)
            if j >= 2 and tokens[j - 1].text in vocab.words("list_joiner"):
                j -= 2
            else:
                break
    return out


def counted_lists(scan: SentenceScanner) -> list[Candidate]:
    """ "二圣镇、丰盛镇、石龙镇三个镇的茶叶产业园提升工程" in prose: a list of places, how many
    (三个镇), then the work each of them gets — one work per place (:func:`distributed`).
    The list's items are the chunks before the counted one, joined by 、."""
    out: list[Candidate] = []
    tokens, vocab = scan.tokens, scan.vocab
    for k, tok in enumerate(tokens):
        if tok.kind != "chunk" or k < 2 or tokens[k - 1].text not in vocab.words("list_joiner"):
            continue
        head = k + 1
        if head < len(tokens) and tokens[head].text in vocab.words("possessive"):
            head += 1
        if head >= len(tokens) or tokens[head].kind != "chunk":
            continue
        first = k
        while (
            first >= 2
            and tokens[first - 1].text in vocab.words("list_joiner")
            and tokens[first - 2].kind == "chunk"
        ):
            first -= 2
        items = [tokens[i] for i in range(first, k, 2)]
        text = "、".join(t.text for t in items) + "、" + tok.text + tokens[head].text
        names = distributed(text, scan.gazetteer)
        for item, name in zip([*items, tok], names, strict=False):
            suffix = suffix_of(strip_tail(name, vocab), vocab)
            if suffix is not None:
                out.append(scan.project(item.start, item.text, name, suffix))
    return out


def _bare_candidate(scan: SentenceScanner) -> Candidate | None:
    """The listed name at the scanner as a project, when it is specific."""
    vocab = scan.vocab
    text, dropped = trim_left(scan.token.text)
    name = clean_name(text)
    if not 3 <= len(name) <= MAX_NAME or is_stop(name, vocab):
        return None
    if not specific(strip_tail(name, vocab), vocab, scan.gazetteer):
        return None
    suffix = suffix_of(strip_tail(name, vocab), vocab)
    return scan.project(scan.token.start + dropped, text, name, suffix)


@cache
def _joiner() -> str:
    """The one-character list joiners as a regex class: [、和及与]."""
    return "[" + "".join(re.escape(w) for w in vocabulary().words("list_joiner") if len(w) == 1) + "]"


@cache
def _counted_list() -> re.Pattern[str]:
    """ "回龙、大观、碧山三镇农村公路" — places, then how many of them (三镇, 两个街道), then the
    work each of them gets: the count word is what says the head is shared."""
    words = vocabulary().words
    item = rf"{HAN}{{2,5}}"
    count = rf"[{DIGITS}{TWO}\d]+{alternatives(words('classifier'))}?{alternatives(words('counted_place'))}"
    return re.compile(
        rf"^(?P<items>{item}(?:{_joiner()}{item})+)(?P<count>{count}){alternatives(words('possessive'))}?"
        r"(?P<head>.{2,})$"
    )


def distributed(name: str, gazetteer: Gazetteer) -> list[str]:
    """The works a counted list names, one per place (``回龙、大观、碧山三镇农村公路`` →
    回龙农村公路, 大观农村公路, 碧山农村公路), or [] when ``name`` is not one."""
    m = _counted_list().match(name)
    if m is None:
        return []
    items = re.split(_joiner(), m.group("items"))
    if not all(_is_place_name(item, gazetteer) for item in items):
        return []
    return [item + m.group("head") for item in items]


def _is_place_name(item: str, gazetteer: Gazetteer) -> bool:
    """回龙 is a place when it, or 回龙镇 (乡, 街道), is known."""
    suffixes = vocabulary().words("township_suffix")
    return gazetteer.knows(item) or any(gazetteer.knows(item + s) for s in suffixes)
