"""Finding named works and places in a document.

Prose is cut into *chunks* at punctuation, verbs and function words (word lists
in ``geoapp/data``); a chunk that ends in a facility suffix (高铁, 水库, 产业园 …)
or carries a road code (G350) is a candidate project. Facility suffixes win over
verbs that overlap them (开发区 is a suffix, not 开发 + 区). Coordinated lists that
share one suffix (渝西、成达万高铁) are expanded when the bare names resolve in the
gazetteer. Towns, counties and named features are found by the gazetteer's
name scanner. Table rows of project annexes become candidates with their fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from gazetteer import Gazetteer
from gazetteer.normalize import normalize
from geoapp.ingest.structure import Sentence, Structure, Table, TableRow
from geoapp.ingest.vocab import Suffix, Vocabulary, vocabulary

__all__ = ["Candidate", "extract_candidates", "clean_name"]

_PUNCT = set("，。、；：！？,.;:!?\n\t…")
_OPEN = "（(“‘《「"
_CLOSE = "）)”’》」"
_ROAD_CODE = re.compile(r"[GS]\d{1,4}(?![0-9])")
_ORDINAL = re.compile(r"^(?:\d{1,2}[\.．、]|（\d{1,2}）|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)\s*")
_PHASE = re.compile(r"(?:[一二三四五六七八九十\d]+(?:、[一二三四五六七八九十\d]+)*期(?:工程|项目)?|（[^）]{1,8}期）)$")
_WORK_TAIL = ("建设项目", "项目建设", "工程建设", "建设工程", "建设", "项目", "工程", "打造")
_SECTION_OF = re.compile(r"^(?:[^，。、；]{1,8}至[^，。、；]{1,8}段|[^，。、；]{1,6}段)")
_MAX_NAME = 30
_SEGMENT_MARK = re.compile(r"至|—|~")
_PHASED = re.compile(r"^(.{2,}?)[一二三四五六七八九十\d]+期(?:工程|项目)?$")
_SEGMENT_NAME = re.compile(r"^([\u4e00-\u9fff]{2,6}?)至([\u4e00-\u9fff]{2,6}?)段?$")
_BRACKETED_TAIL = re.compile(r"[（(][^（）()]{1,10}[)）]$")


@dataclass
class Candidate:
    """A project or place named at ``start:end`` of the document text."""

    name: str
    surface: str
    start: int
    end: int
    kind: str  # project | place
    sentence: str
    sentence_start: int
    subtype: str = "other"
    category: str = "urban"
    geometry_hint: str = "point"
    status: str = "mentioned"
    status_phrase: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    group: str = ""
    entry_ids: tuple[str, ...] = ()
    from_table: bool = False

    @classmethod
    def at(cls, sentence: Sentence, start: int, surface: str, name: str | None = None, **fields) -> Candidate:
        """A candidate for ``surface`` found at ``start`` inside ``sentence``."""
        return cls(
            name=name or surface,
            surface=surface,
            start=start,
            end=start + len(surface),
            sentence=sentence.text.strip(),
            sentence_start=sentence.start,
            **fields,
        )


def _project(sentence: Sentence, start: int, surface: str, name: str, suffix, tokens, idx, vocab) -> Candidate:
    """A project candidate, classified from its name and given the status its sentence says."""
    category, subtype, geom = _classify(name, suffix, vocab)
    status, phrase = _status(tokens, idx)
    return Candidate.at(
        sentence,
        start,
        surface,
        name,
        kind="project",
        subtype=subtype,
        category=category,
        geometry_hint=geom,
        status=status,
        status_phrase=phrase,
    )


def clean_name(text: str) -> str:
    """A display name: quotes and spaces removed, half-width digits, no trailing work words."""
    text = normalize(text)
    text = re.sub(r"[“”‘’\"'「」《》]", "", text)
    return text.strip(" ·-—")


# ----------------------------------------------------------------------------- chunking
@dataclass
class _Token:
    start: int
    end: int
    text: str
    kind: str  # chunk | verb | function | punct
    status: str = ""
    position: str = ""


def _tokens(sentence: str, offset: int, vocab: Vocabulary) -> list[_Token]:
    tokens: list[_Token] = []
    chunk_start: int | None = None
    depth = 0
    i = 0
    n = len(sentence)

    def close_chunk(at: int) -> None:
        nonlocal chunk_start
        if chunk_start is not None and at > chunk_start:
            tokens.append(_Token(offset + chunk_start, offset + at, sentence[chunk_start:at], "chunk"))
        chunk_start = None

    while i < n:
        c = sentence[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE and depth:
            depth -= 1
        if depth == 0 and c in _PUNCT:
            close_chunk(i)
            tokens.append(_Token(offset + i, offset + i + 1, c, "punct"))
            i += 1
            continue
        # Longest marker or suffix starting here; suffixes are name material.
        best, best_kind = "", ""
        for length in vocab.word_lengths.get(c, ()):
            if length > n - i:
                continue
            word = sentence[i : i + length]
            if word in vocab.suffixes and length > 1:
                best, best_kind = word, "suffix"
                break
            if word in vocab.verbs:
                best, best_kind = word, "verb"
                break
            if word in vocab.function_words:
                best, best_kind = word, "function"
                break
        if best_kind in ("verb", "function") and depth == 0:
            close_chunk(i)
            status, position = vocab.verbs.get(best, ("", ""))
            tokens.append(_Token(offset + i, offset + i + len(best), best, best_kind, status, position))
            i += len(best)
            continue
        if chunk_start is None:
            chunk_start = i
        i += len(best) if best_kind == "suffix" else 1
    close_chunk(n)
    return tokens


def _suffix_of(name: str, vocab: Vocabulary) -> Suffix | None:
    for length in range(min(vocab.max_suffix, len(name)), 0, -1):
        s = vocab.suffixes.get(name[-length:])
        if s is not None:
            return s
    return None


def _strip_remarks(name: str, vocab: Vocabulary) -> str:
    """Drop a bracketed remark and a section ("…（开州水塔）", "…云阳段"), keeping work words."""
    name = _BRACKETED_TAIL.sub("", name)
    if name.endswith("段"):
        for k in range(2, 10):
            head = name[:-k]
            if len(head) > 2 and _suffix_of(head, vocab) is not None:
                return head
    return name


def _strip_tail(name: str) -> str:
    """Drop trailing work words, phases, a parenthesised remark and route qualifiers for
    suffix detection ("XX水库扩建工程建设" → "XX水库扩建", "长江国家文化公园（忠县段）" → "长江国家文化公园",
    "沿江高速北线" → "沿江高速")."""
    qualifiers = vocabulary().qualifiers
    changed = True
    while changed and name:
        changed = False
        for tail in _WORK_TAIL:
            if name.endswith(tail) and len(name) > len(tail) + 1:
                name = name[: -len(tail)]
                changed = True
        m = _PHASE.search(name)
        if m and m.start() > 1:
            name = name[: m.start()]
            changed = True
        m = _BRACKETED_TAIL.search(name)
        if m and m.start() > 1:
            name = name[: m.start()]
            changed = True
        # A section of a work: 川渝东北一体化水资源配置工程云阳段 → …配置工程.
        if name.endswith("段"):
            for k in range(2, 10):
                head = name[:-k]
                if len(head) > 2 and _suffix_of(head, vocabulary()) is not None:
                    name = head
                    changed = True
                    break
        for q in qualifiers:
            # Only after a route's kind: 沿江高速北线 → 沿江高速 (but 万开云城际 stays).
            if name.endswith(q) and len(name) > len(q) + 2:
                rest = _suffix_of(name[: -len(q)], vocabulary())
                if rest is not None and rest.geometry == "line":
                    name = name[: -len(q)]
                    changed = True
    return name


#: numbered slogans ("一江两岸四片区", "三纵两横", "八射一联一环线") name a plan, not a work
_SLOGAN = re.compile(r"^(?:[一二两三四五六七八九十百千多]+[\u4e00-\u9fff]{1,2}){2,}$")


def _specific(core: str, vocab: Vocabulary, gazetteer: Gazetteer) -> bool:
    """Does the part before the suffix name something particular (not 城市/燃气/县域 …)?"""
    if not core or _SLOGAN.match(core):
        return False
    if _ROAD_CODE.search(core) or re.search(r"[A-Za-z]{2,}", core):
        return True
    if gazetteer.find_names(core, safe_only=False):
        return True
    rest = core
    for word in vocab.generic_longest_first:
        if word in rest:
            rest = rest.replace(word, "")
    # Quantities ("110千伏", "10万吨") are not names.
    rest = re.sub(r"\d+(?:\.\d+)?\s*[万千百亿]?(?:千伏|千瓦|平方公里|平方米|公里|吨|米|亩|个|座|条|期|级)?", "", rest)
    rest = re.sub(r"[\-—~～（）()·\s]", "", rest)
    return len(rest) >= 2


def _all_generic(text: str, vocab: Vocabulary) -> bool:
    """Is ``text`` made only of generic words (科研平台, 数据优势 …)?"""
    rest = text
    for word in vocab.generic_longest_first:
        if word in rest:
            rest = rest.replace(word, "")
    return not rest


def _weakly_specific(stem: str, vocab: Vocabulary, gazetteer: Gazetteer) -> bool:
    """For names ending only in 项目/工程: the stem must name a place, an industry
    keyword or a quantity (年产10万吨…), besides not being generic."""
    if not _specific(stem, vocab, gazetteer):
        return False
    if re.search(r"\d", stem) or gazetteer.find_names(stem, safe_only=False):
        return True
    return any(k in stem for k, _, _ in vocab.keywords)


def _is_stop(name: str, vocab: Vocabulary) -> bool:
    return any(name == p or name.startswith(p) and len(name) - len(p) <= 2 for p in vocab.stop_phrases)


def _classify(name: str, suffix: Suffix | None, vocab: Vocabulary) -> tuple[str, str, str]:
    """(category, subtype, geometry hint) from the suffix, refined by keywords for vague suffixes."""
    if suffix is None:
        category, subtype, geom = "urban", "other", "point"
    else:
        category, subtype, geom = suffix.category, suffix.subtype, suffix.geometry
    vague = suffix is None or suffix.subtype in ("other", "industrial_park", "new_district") or suffix.text in (
        "基地",
        "园区",
        "中心",
        "片区",
    )
    if vague:
        for keyword, kw_category, kw_subtype in vocab.keywords:
            if keyword in name:
                category = kw_category
                if kw_subtype and (suffix is None or suffix.subtype == "other"):
                    subtype = kw_subtype
                break
    if _ROAD_CODE.match(name) and suffix is None:
        category, subtype, geom = "transport", "national_highway" if name.startswith("G") else "road", "line"
    return category, subtype, geom


def _status(tokens: list[_Token], index: int) -> tuple[str, str | None]:
    """Status of the chunk at ``tokens[index]``: a cue after it in the same clause
    (…等项目前期工作) wins; else the nearest verb before it in the sentence."""
    for tok in tokens[index + 1 :]:
        if tok.kind == "punct" and tok.text in "，。；;":
            break
        if tok.kind == "verb" and tok.position in ("after", "both") and tok.status:
            return tok.status, tok.text
    for tok in reversed(tokens[:index]):
        if tok.kind == "punct" and tok.text in "。；;":
            break
        if tok.kind == "verb" and tok.position in ("before", "both") and tok.status:
            return tok.status, tok.text
    return "mentioned", None


# ----------------------------------------------------------------------------- prose
#: table columns (geoapp/data/table_columns.csv fields) whose text may name places and works;
#: a column with an unknown header is read too
_PLACE_TEXT_FIELDS = frozenset({"name", "location", "description", "annual_target"})


def _table_sentences(structure: Structure) -> list[Sentence]:
    """Table cells other than a project table's names: 建设内容 cells name sub-works
    (substations, lines, mines); policy and platform annexes name works in passing."""
    out: list[Sentence] = []
    for table in structure.tables:
        name_cols = {i for i, (f, _) in table.columns.items() if f == "name"} if table.is_project_table else set()
        # People (责任领导), units, money, years and batches never name a place or a work.
        silent = {i for i, (f, _) in table.columns.items() if f not in _PLACE_TEXT_FIELDS}
        for row in table.rows:
            pos = row.start
            for i, cell in enumerate(row.cells):
                if not cell or re.fullmatch(r"[\d.\s/—-]*", cell):
                    continue
                if i in name_cols or i in silent:
                    pos = max(pos, structure.text.find(cell.split("\n", 1)[0], pos, row.end + 1) + len(cell))
                    continue
                first_line = cell.split("\n", 1)[0]
                at = structure.text.find(first_line, pos, row.end + 1)
                if at < 0:
                    continue
                pos = at + len(first_line)
                start = at
                for piece in re.split(r"(?<=[。；;\n])", structure.text[at : at + len(cell)]):
                    if piece.strip():
                        out.append(Sentence(start, start + len(piece), piece))
                    start += len(piece)
    return out


def _prose_candidates(
    sentences: list[Sentence], gazetteer: Gazetteer, vocab: Vocabulary, places: _ShortPlaces
) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in sentences:
        tokens = _tokens(sentence.text, sentence.start, vocab)
        out.extend(places.in_tokens(tokens, sentence))
        pending_list: list[int] = []  # indexes of suffix-less chunks joined by 、
        found_at: set[int] = set()
        list_prefix: str | None = None  # "乌杨新区小学、幼儿园、人民医院" share 乌杨新区
        for idx, tok in enumerate(tokens):
            if tok.kind != "chunk":
                continue
            listed = idx > 0 and tokens[idx - 1].text == "、"
            if not listed:
                list_prefix = None
            cands = _chunk_candidates(tok, tokens, idx, sentence, gazetteer, vocab)
            if listed and list_prefix and not gazetteer.find_names(tok.text, safe_only=False):
                # An item without a place of its own shares the first item's: 乌杨新区小学、幼儿园.
                fake = _Token(tok.start, tok.end, list_prefix + tok.text, "chunk")
                prefixed = _chunk_candidates(fake, tokens, idx, sentence, gazetteer, vocab)
                for c in prefixed:
                    c.start, c.end, c.surface = tok.start, tok.end, tok.text
                cands = prefixed or cands
            if cands and not listed:
                list_prefix = _area_prefix(cands[0].name, vocab)
            if not cands:
                natural = _natural_place(tok, sentence, vocab, gazetteer)
                if natural is not None:
                    out.append(natural)
            if cands:
                out.extend(cands)
                found_at.add(idx)
                # A tail shared by a preceding list: 渝西、成达万高铁 → 渝西高铁;
                # 迎风湖、长寿湖国家湿地保护区 → 迎风湖国家湿地保护区.
                for j in pending_list:
                    tail = _shared_tail(cands[-1].name, tokens[j].text, vocab)
                    if tail:
                        expanded = _expand(tokens[j], tail, tokens, j, sentence, gazetteer, vocab)
                        if expanded is not None:
                            out.append(expanded)
                            found_at.add(j)
                pending_list = []
                continue
            nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
            if nxt is not None and nxt.kind == "punct" and nxt.text == "、" and len(tok.text) <= 8:
                pending_list.append(idx)
            else:
                pending_list = []
        out.extend(_listed_projects(tokens, found_at, sentence, gazetteer, vocab))
    return out


def _area_prefix(name: str, vocab: Vocabulary) -> str | None:
    """The area a facility is named after: 乌杨新区小学 → 乌杨新区, 工业园区企业孵化中心 → 工业园区."""
    for cut in range(len(name) - 2, 1, -1):
        head, rest = name[:cut], name[cut:]
        area = _suffix_of(head, vocab)
        if area is not None and area.geometry == "area" and _suffix_of(rest, vocab) is not None:
            return head
    return None


_PROJECT_LIST_END = ("项目", "重点项目", "重大项目", "工程", "重点工程", "重大工程")


def _listed_projects(tokens, found_at, sentence, gazetteer, vocab) -> list[Candidate]:
    """"A、B、C等项目": the listed names are projects even without a facility suffix."""
    out: list[Candidate] = []
    for k, tok in enumerate(tokens):
        if tok.text != "等" or tok.kind != "function":
            continue
        after = "".join(t.text for t in tokens[k + 1 : k + 3])
        if not after.startswith(_PROJECT_LIST_END):
            continue
        j = k - 1
        while j >= 0 and tokens[j].kind == "chunk":
            if j not in found_at:
                cand = _bare_candidate(tokens[j], tokens, j, sentence, gazetteer, vocab)
                if cand is not None:
                    out.append(cand)
            if j >= 2 and tokens[j - 1].text in ("、", "及", "和", "与", "以及"):
                j -= 2
            else:
                break
    return out


def _bare_candidate(tok, tokens, idx, sentence, gazetteer, vocab) -> Candidate | None:
    text, dropped = _trim_left(tok.text)
    name = clean_name(text)
    if not 3 <= len(name) <= _MAX_NAME or _is_stop(name, vocab):
        return None
    if not _specific(_strip_tail(name), vocab, gazetteer):
        return None
    suffix = _suffix_of(_strip_tail(name), vocab)
    return _project(sentence, tok.start + dropped, text, name, suffix, tokens, idx, vocab)


def _trim_left(text: str) -> tuple[str, int]:
    """Drop ordinal numbers and quantity words at the start; return (text, characters dropped)."""
    m = _ORDINAL.match(text)
    dropped = m.end() if m else 0
    text = text[dropped:]
    m = re.match(r"^(?:\d+(?:\.\d+)?(?:个|座|条|处|家|所|项)|[一二三四五六七八九十两]+(?:个|座|条|处|家|所|项))", text)
    if m:
        dropped += m.end()
        text = text[m.end() :]
    return text, dropped


_QUOTED_LIST = re.compile(r"^((?:“[^”]{1,8}”){2,})(.+)$")
_LINE_THEN_POINT = re.compile(r"^(.{2,}?(?:高铁|高速公路|高速|铁路|国道))(.{2,})$")


def _chunk_candidates(tok, tokens, idx, sentence, gazetteer, vocab) -> list[Candidate]:
    text, dropped = _trim_left(tok.text)
    start = tok.start + dropped
    # Strip surrounding quotes that are not part of a longer name.
    while text and text[0] in "“‘《" and not any(c in text for c in "”’》"):
        text, start = text[1:], start + 1
    # “垫涪”“垫合”高速公路 → 垫涪高速公路, 垫合高速公路
    quoted = _QUOTED_LIST.match(text)
    if quoted:
        tail = quoted.group(2)
        out = []
        pos = start
        for part in re.findall(r"“([^”]+)”", quoted.group(1)):
            # “垫涪”“垫合”高速公路 are places; “米袋子”“菜篮子”供给基地 are slogans.
            if not (gazetteer.knows(part) or gazetteer.geocode(part + tail)):
                continue
            pos = sentence.text.find(part, pos - sentence.start) + sentence.start
            fake = _Token(pos, pos + len(part), part + tail, "chunk")
            c = _chunk_candidate(fake, fake.text, pos, tokens, idx, sentence, gazetteer, vocab)
            if c is not None:
                c.end = pos + len(part)
                c.surface = part
                out.append(c)
        return out
    # 成渝中线高铁铜梁站 → the railway and its station
    split = _LINE_THEN_POINT.match(clean_name(text))
    if split and _suffix_of(_strip_tail(split.group(2)), vocab) is not None:
        line_part = split.group(1)
        cut = text.find(line_part[-2:]) + 2 if line_part[-2:] in text else -1
        if cut > 0:
            first = _chunk_candidate(tok, text[:cut], start, tokens, idx, sentence, gazetteer, vocab)
            second = _chunk_candidate(tok, text[cut:], start + cut, tokens, idx, sentence, gazetteer, vocab)
            found = [c for c in (first, second) if c is not None]
            if second is not None:
                return found
    c = _chunk_candidate(tok, text, start, tokens, idx, sentence, gazetteer, vocab)
    if c is None:
        return []
    out = [c]
    code = _ROAD_CODE.match(c.name)
    if code and len(c.name) > len(code.group(0)):
        # "G350复兴至新生港": the road it is a section of is named too.
        parent = [m for m in gazetteer.geocode(code.group(0)) if m.method == "exact" and m.kind == "line"]
        if parent:
            out.append(
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
            )
    return out


def _chunk_candidate(tok, text, start, tokens, idx, sentence, gazetteer, vocab) -> Candidate | None:
    raw = text.rstrip("”’》")
    name = clean_name(raw)
    if len(name) < 2 or len(name) > _MAX_NAME:
        return None
    core = _strip_tail(name)
    # A suffix that itself ends in a work word (水资源配置工程, 送出工程) counts as is,
    # also before a remark in brackets: 川渝东北一体化水资源配置工程（开州水塔）.
    plain = _strip_remarks(name, vocab)
    whole_suffix = _suffix_of(plain, vocab)
    if whole_suffix is not None and whole_suffix.text.endswith(_WORK_TAIL):
        core = plain
    suffix = _suffix_of(core, vocab)
    if suffix is None:
        section = re.search(r"(.{2,}?(?:高速|高铁|铁路|公路|国道))(.{1,12}段)$", core)
        if section:
            suffix = vocab.suffixes.get(section.group(1)[-2:]) or _suffix_of(section.group(1), vocab)
    if suffix is None and len(core) > 4:
        # A short trailing remark after the name: 县人民医院三甲 → 县人民医院,
        # 香山110千伏变电站1号主变 → 香山110千伏变电站.
        for cut in (1, 2, 3, 4):
            remark = core[-cut:]
            if cut > 2 and not (re.search(r"\d", remark) or _all_generic(remark, vocab)):
                continue
            inner = _suffix_of(core[:-cut], vocab)
            if inner is not None and len(inner.text) >= 2:
                name, core, raw, suffix = name[:-cut], core[:-cut], raw[:-cut], inner
                break
    has_code = bool(_ROAD_CODE.search(name))
    weak = False
    segment = None
    if suffix is None and not has_code:
        # "…项目" / "…工程" / "…二期" name a project when what precedes says what it is;
        # "太平至白羊段" is a road between two places the gazetteer knows.
        m = re.match(r"^(.{2,}?)(?:建设)?(?:项目|工程)$", name)
        phased = _PHASED.match(name)  # a phase is only ever built: 红星美凯龙一期
        segment = _SEGMENT_NAME.match(name)
        if m and _weakly_specific(m.group(1), vocab, gazetteer):
            weak = True
        elif phased and _specific(phased.group(1), vocab, gazetteer):
            weak = True
        elif segment and all(gazetteer.knows(part) for part in segment.groups()):
            weak = True
            suffix = vocab.suffixes.get("道路")
        else:
            return None
    stem = core[: -len(suffix.text)] if suffix and core.endswith(suffix.text) else core
    if _is_stop(name, vocab) or _SLOGAN.match(core):
        return None
    if suffix is not None and len(suffix.text) == 1 and len(stem) > 4 and not has_code and not _SEGMENT_MARK.search(stem):
        return None  # 人民路, 滨江路 — but not 走深走实两化路
    standalone = not stem and name in vocab.standalone
    if not (weak or has_code or standalone or stem in vocab.local_area or _specific(stem, vocab, gazetteer)):
        return None
    offset = start - sentence.start
    return _project(sentence, start, sentence.text[offset : offset + len(raw)], name, suffix, tokens, idx, vocab)


def _shared_tail(name: str, item: str, vocab: Vocabulary) -> str | None:
    """What a list's last item adds to an earlier ``item``: a route's kind (渝西、成达万高铁 →
    高铁), or what follows the same generic as the item's (迎风湖、长寿湖国家湿地保护区 →
    国家湿地保护区 after 湖)."""
    suffix = _suffix_of(_strip_tail(name), vocab)
    if suffix is None:
        return None
    if suffix.geometry == "line":
        return suffix.text
    generic = item[-1:]
    at = name.find(generic, 1)
    if generic not in vocab.natural or at < 1 or at >= len(name) - 2:
        return None
    return name[at + 1 :]


def _expand(tok, tail: str, tokens, idx, sentence, gazetteer, vocab) -> Candidate | None:
    bare = clean_name(_trim_left(tok.text)[0])
    if not 2 <= len(bare) <= 8 or _suffix_of(bare, vocab) is not None:
        return None
    name = bare + tail
    suffix = _suffix_of(_strip_tail(name), vocab)
    if suffix is None:
        return None
    # A list item must itself be a known place, or decode as a route (渝西 → 重庆–西安).
    if not (gazetteer.knows(bare) or (suffix.geometry == "line" and gazetteer.geocode(name))):
        return None
    return _project(sentence, tok.start, tok.text, name, suffix, tokens, idx, vocab)


# ----------------------------------------------------------------------------- places
def _natural_place(tok, sentence, vocab: Vocabulary, gazetteer: Gazetteer) -> Candidate | None:
    """Rivers, lakes, mountains named in passing: 汝溪河, 大沙河, 磨刀溪."""
    if not tok.text.endswith(tuple(vocab.natural)):
        return None
    text, dropped = _trim_left(tok.text)
    name = clean_name(text)
    for suffix, (subtype, category) in vocab.natural.items():
        stem = name[: -len(suffix)]
        if not name.endswith(suffix) or not 2 <= len(stem) <= 4:
            continue
        if any(g in stem for g in vocab.generic) or re.search(r"[\dA-Za-z]", stem):
            continue
        if name.endswith(tuple(vocab.generic)):
            continue  # 长寿湖沿湖, 城区滨江: the shore along a water, not one named so
        if any(e.kind in ("county", "city", "province") for sp in gazetteer.find_names(name) for e in sp.entries):
            continue  # 垫江 is a county, not a river
        return Candidate.at(
            sentence, tok.start + dropped, text, name, kind="place", subtype=subtype, category=category
        )
    return None


class _ShortPlaces:
    """Places named by their bare short name (石宝 for 石宝镇, 梁平 for 梁平区): accepted
    only where such a name is used as a place — a route's endpoint, an item of a list
    of places, or the first word of a longer name — and only when it resolves to a
    township of the document's own county, or to a county or city. A county of another
    province goes by its short name only as a route's end (开州至开江): in a list or at
    the head of a word such names are ordinary words (通道经济 is not 湖南通道县)."""

    def __init__(self, gazetteer: Gazetteer, county) -> None:
        self.gazetteer = gazetteer
        self.county = county
        self._cache: dict[tuple[str, bool], tuple[str, ...] | None] = {}

    def resolve(self, text: str, *, route_end: bool = False) -> tuple[str, ...] | None:
        if (text, route_end) in self._cache:
            return self._cache[text, route_end]
        found = None
        if 2 <= len(text) <= 6 and self.gazetteer.knows(text):
            context = self.county.name if self.county is not None else None
            matches = self.gazetteer.geocode(text, county=context, limit=3)
            best = matches[0] if matches else None
            if best is not None and best.method == "exact":
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
                if other_unit or local_place:
                    found = (best.gazetteer_id,)
        self._cache[text, route_end] = found
        return found

    def _place(self, name, start, sentence, entry_ids) -> Candidate:
        e = self.gazetteer.get(entry_ids[0])
        if e is not None and e.kind == "feature":
            subtype = e.subtype
            category = vocabulary().subtype_category.get(subtype, "urban")
        else:
            subtype, category = "town", "urban"
        return Candidate.at(
            sentence, start, name, kind="place", subtype=subtype, category=category, entry_ids=entry_ids
        )

    def in_tokens(self, tokens: list[_Token], sentence: Sentence) -> list[Candidate]:
        out = []
        for i, tok in enumerate(tokens):
            if tok.kind != "chunk":
                continue
            text, dropped = _trim_left(tok.text)
            listed = (i + 1 < len(tokens) and tokens[i + 1].text == "、") or (i > 0 and tokens[i - 1].text == "、")
            if listed and 2 <= len(text) <= 4:
                ids = self.resolve(text)
                if ids:
                    out.append(self._place(text, tok.start + dropped, sentence, ids))
                    continue
            # The first word of a longer name: 双桂荷花节, 高安食品加工园.
            for length in (3, 2):
                head = text[:length]
                if len(text) > length + 1 and re.fullmatch(r"[\u4e00-\u9fff]+", head):
                    ids = self.resolve(head)
                    if ids:
                        out.append(self._place(head, tok.start + dropped, sentence, ids))
                        break
        return out

    def endpoints(self, cand: Candidate) -> list[Candidate]:
        """Places a route runs between: 黄金至大岭公路 → 黄金, 大岭."""
        body = _ROAD_CODE.sub("", cand.surface)
        if not re.search(r"至|—|经|~", body):
            return []
        out = []
        for part in re.split(r"至|—|经|~|、", body):
            part = clean_name(part)
            for cut in range(len(part), 1, -1):  # "两河段公路" → 两河
                ids = self.resolve(part[:cut], route_end=True)
                if ids:
                    name = part[:cut]
                    pos = cand.surface.find(name)
                    start = cand.start + pos if pos >= 0 else cand.start
                    sent = Sentence(cand.sentence_start, cand.sentence_start + len(cand.sentence), cand.sentence)
                    out.append(self._place(name, start, sent, ids))
                    break
        return out


_PLACE_KINDS = ("county", "city", "township", "locality", "feature", "line")


def _place_candidates(
    sentences: list[Sentence], gazetteer: Gazetteer, own_county: str | None, vocab: Vocabulary
) -> list[Candidate]:
    out: list[Candidate] = []
    for sentence in sentences:
        for span in gazetteer.find_names(sentence.text, kinds=_PLACE_KINDS):
            entries = span.entries
            if all(e.kind in ("township", "locality") for e in entries):
                # A town of another county is rarely named; "平安乡村" is not 平安乡.
                entries = tuple(e for e in entries if e.county_code == own_county)
                following = sentence.text[span.end : span.end + 1]
                if not entries or (span.text.endswith("乡") and following in ("村", "镇")):
                    continue
            if any(e.kind in ("county",) and e.code == own_county for e in entries):
                continue  # the document's own county is the context, not a place in it
            if all(e.kind in ("province",) for e in entries):
                continue
            name = clean_name(span.text)
            if _is_stop(name, vocab):
                continue
            kind_entry = entries[0]
            if kind_entry.kind in ("feature", "line"):
                category = vocab.subtype_category.get(kind_entry.subtype, "urban")
                subtype = kind_entry.subtype if kind_entry.subtype in vocab.subtype_category else "other"
                kind = "place" if subtype in ("lake", "mountain", "river", "town", "wetland") else "project"
            else:
                category, subtype, kind = "urban", "town", "place"
            out.append(
                Candidate.at(
                    sentence,
                    sentence.start + span.start,
                    span.text,
                    name,
                    kind=kind,
                    subtype=subtype,
                    category=category,
                    geometry_hint="line" if kind_entry.kind == "line" else "point",
                    entry_ids=tuple(e.id for e in entries),
                )
            )
    return out


# ----------------------------------------------------------------------------- tables
def _table_candidates(structure: Structure, vocab: Vocabulary, gazetteer: Gazetteer) -> list[Candidate]:
    out: list[Candidate] = []
    for table in structure.tables:
        if not table.is_project_table:
            continue
        for row in table.rows:
            cand = _row_candidate(structure, table, row, vocab)
            if cand is None:
                continue
            names = _distributed(cand.name, gazetteer)
            if names:
                out.extend(replace(cand, name=n) for n in names)
            else:
                out.append(cand)
    return out


#: "回龙、大观、碧山三镇农村公路" — places, then how many of them (三镇, 两个街道), then the work
#: each of them gets: the count word is what says the head is shared
_COUNTED_LIST = re.compile(
    r"^(?P<items>[\u4e00-\u9fff]{2,5}(?:[、和及与][\u4e00-\u9fff]{2,5})+)"
    r"(?P<count>[一二三四五六七八九十两\d]+个?(?:乡镇|镇街|镇|乡|街道|村|社区))的?(?P<head>.{2,})$"
)


def _distributed(name: str, gazetteer: Gazetteer) -> list[str]:
    """The works a counted list names, one per place (``回龙、大观、碧山三镇农村公路`` →
    回龙农村公路, 大观农村公路, 碧山农村公路), or [] when ``name`` is not one."""
    m = _COUNTED_LIST.match(name)
    if m is None:
        return []
    items = re.split(r"[、和及与]", m.group("items"))
    if not all(_is_place_name(item, gazetteer) for item in items):
        return []
    return [item + m.group("head") for item in items]


def _is_place_name(item: str, gazetteer: Gazetteer) -> bool:
    return gazetteer.knows(item) or any(gazetteer.knows(item + s) for s in ("镇", "乡", "街道"))


def _row_candidate(structure: Structure, table: Table, row: TableRow, vocab: Vocabulary) -> Candidate | None:
    raw = row.fields.get("name", "")
    name = clean_name(raw)
    if len(name) < 2:
        return None
    suffix = _suffix_of(_strip_tail(name), vocab)
    category, subtype, geom = _classify(name, suffix, vocab)
    batch = row.fields.get("batch", "")
    status = vocab.batch_status.get(batch, "mentioned")
    start = structure.text.find(raw, row.start, row.end + 1)
    if start < 0:
        start = row.start
    sentence = " | ".join(c for c in row.cells if c)[:2000]
    return Candidate(
        name=name,
        surface=raw,
        start=start,
        end=start + len(raw),
        kind="project",
        sentence=sentence,
        sentence_start=row.start,
        subtype=subtype,
        category=category,
        geometry_hint=geom,
        status=status,
        status_phrase=batch or None,
        fields=dict(row.fields),
        group=row.group,
        from_table=True,
    )


def extract_candidates(
    structure: Structure, gazetteer: Gazetteer, own_county: str | None
) -> list[Candidate]:
    """Every candidate project and place of a document, in text order."""
    vocab = vocabulary()
    county = gazetteer.get(f"adm:{own_county}") if own_county else None
    places = _ShortPlaces(gazetteer, county)
    found = _table_candidates(structure, vocab, gazetteer)
    found += _prose_candidates(structure.sentences + _table_sentences(structure), gazetteer, vocab, places)
    for cand in list(found):
        if cand.kind == "project":
            found.extend(places.endpoints(cand))
    projects = [(c.start, c.end) for c in found if c.kind == "project" and not c.from_table]
    for place in _place_candidates(structure.sentences + _table_sentences(structure), gazetteer, own_county, vocab):
        # A place name inside a project name is still a place (磨子 in 磨子竹山村公路),
        # but a feature that *is* the project's name is the project.
        same = any(place.start == s and place.end == e for s, e in projects)
        if not same:
            found.append(place)
    found.sort(key=lambda c: (c.start, -c.end))
    return found
