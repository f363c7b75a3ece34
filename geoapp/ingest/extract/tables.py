"""Tables: the rows of project tables become candidates with their fields (investment,
period, batch …); the other cells that may name places and works (建设内容, remarks,
policy annexes) become sentences for the prose walk.

Contract: :func:`table_candidates` returns one candidate per project row — or one per
place of a counted list (回龙、大观、碧山三镇农村公路) — marked ``from_table``;
:func:`table_sentences` returns new :class:`Sentence` spans of the document text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gazetteer import Gazetteer
from geoapp.ingest.extract.candidate import Candidate
from geoapp.ingest.extract.chars import SENTENCE_END
from geoapp.ingest.extract.lists import distributed
from geoapp.ingest.extract.names import classify, clean_name, strip_tail, suffix_of
from geoapp.ingest.structure import Sentence, Structure, TableRow
from geoapp.ingest.vocab import Vocabulary

__all__ = ["table_candidates", "table_sentences"]

#: table columns (geoapp/data/table_columns.csv fields) whose text may name places and works;
#: a column with an unknown header is read too
_PLACE_TEXT_FIELDS = frozenset({"name", "location", "description", "annual_target"})


def table_sentences(structure: Structure) -> list[Sentence]:
    """Table cells other than a project table's names: 建设内容 cells name sub-works
    (substations, lines, mines); policy and platform annexes name works in passing."""
    out: list[Sentence] = []
    for table in structure.tables:
        name_cols = (
            {i for i, (f, _) in table.columns.items() if f == "name"} if table.is_project_table else set()
        )
        # People (责任领导), units, money, years and batches never name a place or a work.
        silent = {i for i, (f, _) in table.columns.items() if f not in _PLACE_TEXT_FIELDS}
        for row in table.rows:
            out.extend(_cell_sentences(structure, row, name_cols | silent))
    return out


def _cell_sentences(structure: Structure, row: TableRow, skipped: set[int]) -> list[Sentence]:
    """The sentences of one row's cells, but those of the ``skipped`` columns."""
    out: list[Sentence] = []
    pos = row.start
    for i, cell in enumerate(row.cells):
        if not cell or re.fullmatch(r"[\d.\s/—-]*", cell):  # numbers, dates, dashes
            continue
        if i in skipped:
            pos = max(pos, structure.text.find(cell.split("\n", 1)[0], pos, row.end + 1) + len(cell))
            continue
        first_line = cell.split("\n", 1)[0]
        at = structure.text.find(first_line, pos, row.end + 1)
        if at < 0:
            continue
        pos = at + len(first_line)
        start = at
        for piece in re.split(rf"(?<=[{SENTENCE_END}\n])", structure.text[at : at + len(cell)]):
            if piece.strip():
                out.append(Sentence(start, start + len(piece), piece))
            start += len(piece)
    return out


def table_candidates(structure: Structure, vocab: Vocabulary, gazetteer: Gazetteer) -> list[Candidate]:
    """The projects of the document's project tables, one per row (or per counted place)."""
    out: list[Candidate] = []
    for table in structure.tables:
        if not table.is_project_table:
            continue
        for row in table.rows:
            cand = _row_candidate(structure, row, vocab)
            if cand is None:
                continue
            names = distributed(cand.name, gazetteer)
            if names:
                out.extend(replace(cand, name=n) for n in names)
            else:
                out.append(cand)
    return out


def _row_candidate(structure: Structure, row: TableRow, vocab: Vocabulary) -> Candidate | None:
    raw = row.fields.get("name", "")
    name = clean_name(raw)
    if len(name) < 2:
        return None
    suffix = suffix_of(strip_tail(name, vocab), vocab)
    category, subtype, geom = classify(name, suffix, vocab)
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
