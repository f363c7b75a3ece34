"""Extraction measured against the hand annotations (tests/data/annotations, about
560 projects and 185 places), and against a document from a county the rules were
not written for (tests/data/other_county). Thresholds sit just under what was
measured, so a regression fails; bench/extraction_quality.py prints the details."""

from pathlib import Path

import pytest

from geoapp.ingest.document import analyse
from geoapp.ingest.evaluate import Score, evaluate_items, read_annotation

ROOT = Path(__file__).resolve().parents[2]
ANNOTATIONS = ROOT / "tests" / "data" / "annotations"
OTHER = ROOT / "tests" / "data" / "other_county"


def _total(results) -> dict[str, Score]:
    totals: dict[str, Score] = {}
    for result in results:
        for kind, s in result.scores.items():
            t = totals.setdefault(kind, Score())
            t.total += s.total
            t.found += s.found
            t.category_ok += s.category_ok
            t.county_ok += s.county_ok
    return totals


@pytest.fixture(scope="module")
def seed_results(gazetteer):
    out = []
    for ann in sorted(ANNOTATIONS.glob("*.csv")):
        doc = next((ROOT / "seeds").glob(ann.stem + "_*"))
        analysis = analyse(doc, gazetteer)
        out.append((analysis, evaluate_items(analysis.items, read_annotation(ann))))
    return out


def test_seed_recall_and_agreement(seed_results):
    totals = _total(r for _, r in seed_results)
    projects, places = totals["project"], totals["place"]
    assert projects.total > 500 and places.total > 150
    assert projects.recall >= 0.90, projects.recall
    assert places.recall >= 0.90, places.recall
    assert projects.category_agreement >= 0.88, projects.category_agreement
    assert projects.county_agreement >= 0.97, projects.county_agreement


def test_every_item_has_a_geometry_and_a_precision(seed_results):
    for analysis, _ in seed_results:
        for item in analysis.items:
            assert not item.geometry.is_empty, item.name
            assert item.precision in (1, 2, 3, 4, 5), item.name
            assert item.counties, item.name
            if item.precision >= 3 or item.precision == 5:
                assert item.location_note, item.name  # an estimate says so


def test_no_generic_policy_phrase_is_exported(seed_results):
    generic = ("老旧小区改造", "5G覆盖", "营商环境", "高标准农田", "乡村振兴")
    for analysis, _ in seed_results:
        names = {it.name for it in analysis.items}
        assert not [n for n in names if n in generic or n.startswith(generic)]


def test_a_county_the_rules_were_not_written_for(gazetteer):
    (ann,) = OTHER.glob("*.csv")
    analysis = analyse(ann.with_suffix(".txt"), gazetteer)
    assert analysis.county.name == "云阳县"
    totals = _total([evaluate_items(analysis.items, read_annotation(ann))])
    assert totals["project"].recall >= 0.85, totals["project"].recall
    assert totals["place"].recall >= 0.90, totals["place"].recall
    assert totals["project"].county_agreement >= 0.9
