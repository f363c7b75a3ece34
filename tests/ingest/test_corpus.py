"""The evaluation corpus (corpus/): consistent files, and extraction measured on the
written genre documents in every run (the real texts are scored by
``bench/extraction_quality.py --corpus`` when var/corpus/ holds them).

The floors below sit just under what was measured on 2026-12-04 at the end of the
session (written test split recall 76.9 %, precision 77.5 %; dev 77.8 % / 81.0 %; at the
start, before any change: 60.5 % / 65.0 % and 65.3 % / 65.9 %, part of the gain being a
fairer comparison of names, see geoapp/ingest/evaluate.py). They catch regressions; the
issue's targets (85 % recall, 90 % precision) are not met yet.
"""

from __future__ import annotations

import json

import pytest

from geoapp.catalog.style import CATEGORIES, SUBTYPES
from geoapp.ingest.corpus import CORPUS, corpus_documents, read_jsonl_annotation
from geoapp.ingest.document import analyse, analyse_text
from geoapp.ingest.evaluate import evaluate_document

DOCS = list(corpus_documents())
WRITTEN = [d for d in DOCS if d.origin == "written"]


def test_the_corpus_is_consistent():
    assert len([d for d in DOCS if d.origin == "real"]) >= 30
    assert len(WRITTEN) >= 30
    for split in ("dev", "test"):
        assert len([d for d in WRITTEN if d.split == split]) >= 10, split
        assert len([d for d in DOCS if d.origin == "real" and d.split == split]) >= 10, split
    for doc in DOCS:
        assert doc.split in ("dev", "test"), doc.id
        assert doc.annotation_path.is_file(), doc.id
        rows = read_jsonl_annotation(doc.annotation_path)
        assert rows, doc.id
        for row in rows:
            assert row["kind"] in ("project", "place"), (doc.id, row)
            assert row["category"] in CATEGORIES and row["subtype"] in SUBTYPES, (doc.id, row)
            assert row["geometry"] in ("point", "line", "area"), (doc.id, row)
            assert row.get("role", "work") in ("work", "partner"), (doc.id, row)
    for doc in WRITTEN:
        assert doc.text_path.is_file(), doc.id
    # no committed file quotes a real text: annotation values are names, not sentences
    for path in CORPUS.glob("annotations/real-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert all(len(v) <= 60 for v in row.values() if isinstance(v, str)), (path.name, row)


@pytest.fixture(scope="module")
def written_scores(gazetteer):
    out = {}
    for doc in WRITTEN:
        rows = read_jsonl_annotation(doc.annotation_path)
        items = analyse(doc.text_path, gazetteer).items  # never a traceback, whatever the text
        out[doc.id] = (doc, evaluate_document(items, rows))
    return out


@pytest.mark.parametrize("split, recall, precision", [("dev", 0.80, 0.84), ("test", 0.77, 0.79)])
def test_written_documents_measured(written_scores, split, recall, precision):
    found = total = true = extracted = 0
    for doc, s in written_scores.values():
        if doc.split != split:
            continue
        found += sum(k.found for k in s.scores.values())
        total += sum(k.total for k in s.scores.values())
        true += s.true_items
        extracted += s.extracted
    assert found / total >= recall, (split, found, total)
    assert true / extracted >= precision, (split, true, extracted)


def test_a_text_without_a_known_county_is_read_not_refused(gazetteer):
    # Names the gazetteer cannot place and no county to fall back on: nothing is mapped
    # for them, and the document is still read (once a LookupError and a traceback).
    analysis = analyse_text("進出口貿易加工基地、邁科隆二期和凤凰生态公园加快建设。", gazetteer)
    assert all(item.counties for item in analysis.items)


def test_traditional_documents_are_read_in_simplified(gazetteer):
    """A Traditional text (a Hong Kong or Taiwan mirror) gets its county and its projects,
    with Simplified names; the conversion keeps every offset (same length)."""
    from geoapp.ingest.reader import read_document

    hant = [d for d in WRITTEN if d.script == "traditional"]
    assert len(hant) >= 4
    for doc in hant:
        raw = read_document(doc.text_path)
        assert raw.encoding.endswith("+t2s") and len(raw.text) == len(
            doc.text_path.read_text(encoding="utf-8")
        )
        analysis = analyse(doc.text_path, gazetteer)
        assert analysis.county is not None and analysis.county.name == doc.county, doc.id
        assert len(analysis.items) >= 20, doc.id
        assert not any("萬" in it.name or "鐵" in it.name or "設" in it.name for it in analysis.items), doc.id


def test_a_page_naming_a_county_of_a_neighbouring_province_by_its_short_name(gazetteer):
    text = (
        "本网讯 27日上午，蓬安在燕山大道施工现场举行重大项目集中开工仪式。\n"
        "蓬安此次开工项目22个。据悉，蓬安还将建设城西幼儿园。\n"
    )
    analysis = analyse_text(text, gazetteer)
    assert analysis.county is not None and analysis.county.name == "蓬安县"
    # once is not enough: a short name may be an ordinary word
    assert analyse_text("建设蓬安大道。\n", gazetteer).county is None
