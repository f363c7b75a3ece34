"""A document's structure: outline headings, sentences, tables, title/issuer/date.

Headings follow the numbering of Chinese official documents (GB/T 9704-2012
党政机关公文格式, 7.3.3): ``一、`` / ``（一）`` / ``1.`` / ``（1）``; annexes
start with ``附件N``. Tables in text exports come in three shapes: runs of tab-indented
lines, one cell per line, rows separated by lines without a tab (a .docx saved as text);
one row per line with tab-separated cells (a spreadsheet pasted or saved as text); and
one row per line between pipes (``| 1 | 名称 | 地点 |``, Markdown and web pages). The two
row-per-line shapes are read into the first one, with every cell at its place in the text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from geoapp.ingest.vocab import vocabulary

__all__ = ["Section", "Table", "TableRow", "Sentence", "Structure", "parse_structure"]

_CN_NUM = "一二三四五六七八九十百零〇"
_HEADINGS = (
    (0, re.compile(rf"^\s*(第[{_CN_NUM}\d]+[章篇编])\s*(.*)$")),  # plan outlines: 第三章 …
    (1, re.compile(rf"^\s*(第[{_CN_NUM}\d]+节)\s*(.*)$")),
    (1, re.compile(rf"^\s*([{_CN_NUM}]+、)(.*)$")),
    (2, re.compile(rf"^\s*(（[{_CN_NUM}]+）|\([{_CN_NUM}]+\))(.*)$")),
    (3, re.compile(r"^\s*(\d{1,2}[\.．、](?!\d))(.*)$")),
    (4, re.compile(r"^\s*(（\d{1,2}）|\(\d{1,2}\))(.*)$")),
)
_ANNEX = re.compile(r"^\s*(附件\s*\d*)\s*$")
_SENTENCE_END = re.compile(r"[。！？；;!?]|\n")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TITLE_WORDS = ("方案", "规划", "报告", "计划", "意见", "纲要", "办法", "通知")
_ISSUER = re.compile(r"^\s*(\S{2,30}?(?:人民政府|人民政府办公室|委员会|管理委员会|办公室|人民代表大会))")


@dataclass(frozen=True)
class Section:
    start: int
    level: int
    number: str
    title: str
    path: str  # "二、… / （二）… / 5. …"


@dataclass
class TableRow:
    start: int
    end: int
    cells: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    group: str = ""  # the section row above it ("一、现代基础设施网络")


@dataclass
class Table:
    start: int
    end: int
    headers: list[str]
    rows: list[TableRow]
    #: header index → (field, unit) for recognised columns
    columns: dict[int, tuple[str, str]]

    @property
    def is_project_table(self) -> bool:
        return any(f == "name" for f, _ in self.columns.values())


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass
class Structure:
    text: str
    sections: list[Section]
    tables: list[Table]
    sentences: list[Sentence]
    title: str | None
    issuer: str | None
    issued_date: tuple[int, int, int] | None
    _starts: list[int] = field(default_factory=list, repr=False)

    def section_at(self, offset: int) -> str | None:
        """The outline path of the section containing ``offset``."""
        if not self._starts:
            self._starts = [s.start for s in self.sections]
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.sections[i].path if i >= 0 else None

    def in_table(self, offset: int) -> bool:
        return any(t.start <= offset < t.end for t in self.tables)


def _squash(text: str) -> str:
    """Remove the spaces typesetters put between CJK characters ("政 府 工 作 报 告")."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text).strip()


def _heading_title(rest: str) -> str:
    # A level-3 heading is its first sentence ("1. 增强城市核心功能承载能力。正文…").
    m = re.search(r"[。：:]", rest)
    return (rest[: m.start()] if m else rest).strip()[:80]


def parse_structure(text: str) -> Structure:  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1

    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    tables: list[Table] = []
    table_lines: list[tuple[int, str]] = []

    def flush_table() -> None:
        if table_lines:
            table = _parse_table(table_lines)
            if table is not None:
                tables.append(table)
            table_lines.clear()

    def next_is_cell(k: int) -> bool:
        for _, later in lines[k + 1 : k + 4]:
            if later.strip():
                return later.startswith("\t")
        return False

    for k, (start, line) in enumerate(lines):
        cells = _row_cells(start, line)
        if cells is not None:
            # one row per line: its cells as tab-indented lines, then a row separator
            if table_lines and table_lines[-1][1].strip():
                table_lines.append((start, ""))
            table_lines.extend((at - 1, "\t" + cell) for at, cell in cells)
            table_lines.append((start + len(line), ""))
            continue
        if line.startswith("\t"):
            table_lines.append((start, line))
            continue
        if table_lines and not line.strip():
            table_lines.append((start, line))  # row separator (or blank cell)
            continue
        if table_lines and not _ANNEX.match(line.strip()) and (table_lines[-1][1].strip() or next_is_cell(k)):
            # A cell that runs over several lines (even across a blank line): the
            # rest of it has no tab. A line not followed by more cells ends the table.
            while table_lines and not table_lines[-1][1].strip():
                table_lines.pop()
            table_lines.append((start, "\t\x00" + line))
            continue
        flush_table()
        stripped = line.strip()
        if not stripped:
            continue
        annex = _ANNEX.match(stripped)
        if annex:
            stack = [(0, annex.group(1))]
            sections.append(Section(start, 0, annex.group(1), annex.group(1), annex.group(1)))
            continue
        for level, pattern in _HEADINGS:
            m = pattern.match(stripped)
            if m:
                number, rest = m.group(1), m.group(2)
                title = _heading_title(rest)
                if not title:
                    break
                stack = [(lvl, t) for lvl, t in stack if lvl < level]
                stack.append((level, f"{number}{title}"))
                path = " / ".join(t for _, t in stack)
                sections.append(Section(start, level, number, title, path))
                break
    flush_table()
    _continue_headers(tables)

    sentences = _sentences(text, tables)
    head = "\n".join(_squash(line) for _, line in lines[:40])
    return Structure(
        text=text,
        sections=sections,
        tables=tables,
        sentences=sentences,
        title=_title(lines),
        issuer=_issuer(lines),
        issued_date=_date(head),
    )


_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_RULE = re.compile(r"^\s*:?-{2,}:?\s*$")


def _row_cells(start: int, line: str) -> list[tuple[int, str]] | None:
    """The cells (offset, text) of a row-per-line table line, or None for any other line.
    A Markdown rule line (``|---|---|``) is a table line without cells."""
    if line.startswith("\t"):
        return None
    if line.count("\t") >= 2:
        parts, offset = line.split("\t"), start
    else:
        m = _PIPE_ROW.match(line)
        if m is None or m.group(1).count("|") < 2:
            return None
        parts, offset = m.group(1).split("|"), start + m.start(1)
        if all(_PIPE_RULE.match(p) for p in parts):
            return []
    cells = []
    for part in parts:
        text = part.strip()
        if text:
            cells.append((offset + part.index(text), text))
        else:
            cells.append((offset, ""))
        offset += len(part) + 1
    return cells


def _sentences(text: str, tables: list[Table]) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    spans = sorted((t.start, t.end) for t in tables)
    starts = [a for a, _ in spans]

    def in_table(pos: int) -> bool:
        # the table starting last at or before ``pos`` is the only one that may hold it
        # (tables do not overlap): a bisection, not a scan of every table per sentence
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and pos < spans[i][1]

    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        chunk = text[start:end]
        if chunk.strip() and not in_table(start):
            out.append(Sentence(start, end, chunk))
        start = end
    if start < len(text) and text[start:].strip():
        out.append(Sentence(start, len(text), text[start:]))
    return out


def _parse_table(lines: list[tuple[int, str]]) -> Table | None:  # noqa: C901 — over the limit; see CONTRIBUTING.md, "Complexity"
    vocab = vocabulary()
    rows: list[tuple[int, int, list[str]]] = []
    current: list[str] = []
    row_start = lines[0][0]
    last_end = row_start
    for start, line in lines:
        if not line.startswith("\t"):
            if current:
                rows.append((row_start, last_end, current))
            current = []
            continue
        if not current:
            row_start = start
        if line.startswith("\t\x00") and current:
            current[-1] = (current[-1] + "\n" + line[2:].strip()).strip()
        else:
            current.append(line[1:].strip())
        last_end = start + len(line)
    if current:
        rows.append((row_start, last_end, current))
    if not rows:
        return None
    # The header row: the first row most of whose cells are known column names.
    header_idx = None
    for i, (_, _, cells) in enumerate(rows[:5]):
        known = sum(1 for c in cells if c.replace(" ", "") in vocab.table_columns)
        if known >= 2 and known >= len([c for c in cells if c]) / 2:
            header_idx = i
            break
    headers = [c.replace(" ", "") for c in rows[header_idx][2]] if header_idx is not None else []
    columns = {i: vocab.table_columns[h] for i, h in enumerate(headers) if h in vocab.table_columns}
    table = Table(lines[0][0], lines[-1][0] + len(lines[-1][1]), headers, [], columns)
    group = ""
    for i, (start, end, cells) in enumerate(rows):
        if i == header_idx:
            continue
        first = cells[0] if cells else ""
        if len([c for c in cells if c]) == 1 and re.match(rf"^[{_CN_NUM}]+、", first):
            group = first
            continue
        if headers and not re.fullmatch(r"\d{1,4}", first):
            # A continuation (a blank line inside a row), or a totals row: attach or skip.
            if (
                table.rows
                and not first.startswith(("合计", "总计", "小计"))
                and len(table.rows[-1].cells) < len(headers)
            ):
                table.rows[-1].cells.extend(cells)
                table.rows[-1].end = end
            continue
        row = TableRow(start, end, cells, group=group)
        table.rows.append(row)
    for row in table.rows:
        row.fields = _fields(row.cells, columns)
    return table


def _continue_headers(tables: list[Table]) -> None:
    """A table without a header row whose rows have as many cells as the table before it has
    columns continues that table (the source broke it across pages): it takes that table's
    header, so its people and units columns stay silent (附件 tables of 责任领导)."""
    for before, table in zip(tables, tables[1:], strict=False):
        if table.headers or not before.headers or not table.rows:
            continue
        width = len(before.headers)
        if sum(len(r.cells) == width for r in table.rows) * 2 < len(table.rows):
            continue
        table.headers, table.columns = list(before.headers), dict(before.columns)
        for row in table.rows:
            row.fields = _fields(row.cells, table.columns)


def _fields(cells: list[str], columns: dict[int, tuple[str, str]]) -> dict[str, str]:
    return {
        columns[i][0]: cell
        for i, cell in enumerate(cells)
        if i in columns and cell not in ("", "/", "—", "-")
    }


def _title(lines: list[tuple[int, str]]) -> str | None:
    """The document's own title.

    Titles wrap over several short lines, sometimes with blank lines between
    them, and cover letters ("关于印发…的通知") often come first: take the runs of
    short lines before the body, and prefer the first run that names a plan or
    report and is not the cover letter's own title.
    """
    runs: list[list[str]] = []
    run: list[str] = []
    for _, raw in lines[:60]:
        line = _squash(raw)
        if not line:
            continue
        breaks = (
            len(line) > 40
            or line.endswith(("。", "：", ":", "，"))
            or _DATE.fullmatch(line)
            or line.startswith(("——", "—", "各"))
        )
        boilerplate = re.fullmatch(r"[（(].*[)）]", line) and not re.fullmatch(
            r"[（(]\d{4}.{0,12}[)）]", line
        )
        if breaks:
            if run:
                runs.append(run)
            run = []
            continue
        if boilerplate:
            continue
        run.append(line)
    if run:
        runs.append(run)
    titled = [r for r in runs if any(w in "".join(r) for w in _TITLE_WORDS)]
    if not titled:
        return None
    own = [r for r in titled if not "".join(r).startswith("关于") and "通知" not in "".join(r)]
    best = (own or titled)[0]
    # Drop leading lines that are only the issuing body ("忠 县 人 民 政 府").
    while len(best) > 1 and _ISSUER.fullmatch(best[0]):
        best = best[1:]
    return "".join(best)[:200]


def _issuer(lines: list[tuple[int, str]]) -> str | None:
    for _, line in lines[:40]:
        squashed = _squash(line)
        if squashed.startswith("关于"):
            continue
        m = _ISSUER.match(squashed)
        if m:
            return m.group(1)
    return None


def _date(head: str) -> tuple[int, int, int] | None:
    m = _DATE.search(head)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if 1949 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
        return y, mo, d
    return None
