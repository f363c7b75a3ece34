"""The extractor's word lists are data: every role the code reads is in
``geoapp/data/extraction_words.csv``, every role there is read, and every row says its source."""

import csv
import re
from pathlib import Path

import pytest

from geoapp.ingest.vocab import DATA, vocabulary

EXTRACT = Path(__file__).resolve().parents[2] / "geoapp" / "ingest" / "extract"


def _roles_in_code() -> set[str]:
    found: set[str] = set()
    for path in EXTRACT.glob("*.py"):
        found |= set(re.findall(r"""words\(\s*["']([a-z_]+)["']\s*\)""", path.read_text(encoding="utf-8")))
    return found


def test_every_role_is_read_and_every_read_role_exists():
    in_code = _roles_in_code()
    assert "work_tail" in in_code  # the scan of the code finds what it should
    assert in_code == set(vocabulary().roles)


def test_every_row_has_a_role_a_word_and_a_source():
    with open(DATA / "extraction_words.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    for r in rows:
        assert r["role"] and r["word"].strip() and r["source"].strip(), r
    pairs = [(r["role"], r["word"]) for r in rows]
    assert len(pairs) == len(set(pairs)), "a word twice in one role"


def test_an_unknown_role_names_the_file():
    with pytest.raises(KeyError, match="extraction_words.csv"):
        vocabulary().words("no_such_role")
