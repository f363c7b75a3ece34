"""The evaluation corpus in ``corpus/``: which documents there are, their split, their
annotation, and where their text is.

Two kinds of document (see ``corpus/README.md``):

* **real** public texts, listed in ``corpus/manifest.csv``; their text is not committed
  but kept in ``var/corpus/<id>.txt`` when a session has fetched it (checked against the
  manifest's sha256, so a changed text is never scored as if it were the annotated one);
* **written** genre documents of our own, in ``corpus/written/`` with their manifest.

Each has an annotation ``corpus/annotations/{real,written}-<id>.jsonl``: one JSON object
per named mappable item (``name, kind, category, subtype, county, province, geometry,
stops, role`` …). The ``test`` split is frozen: tune on ``dev`` only.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CorpusDocument", "corpus_documents", "read_jsonl_annotation", "CORPUS", "TEXTS"]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
TEXTS = ROOT / "var" / "corpus"


@dataclass(frozen=True)
class CorpusDocument:
    id: str
    origin: str  # "real" or "written"
    split: str  # "dev" or "test"
    county: str
    province: str
    genre: str
    script: str
    text_path: Path
    annotation_path: Path
    sha256: str | None = None

    @property
    def available(self) -> bool:
        """Is the text here, and the very text that was annotated?"""
        if not self.text_path.is_file():
            return False
        if self.sha256 is None:
            return True
        return hashlib.sha256(self.text_path.read_bytes()).hexdigest() == self.sha256


def read_jsonl_annotation(path: Path) -> list[dict]:
    """Annotation rows, with ``aliases`` holding a Simplified form where one is given."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                row["aliases"] = [a for a in (row.get("simplified"),) if a]
                rows.append(row)
    return rows


def _manifest(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def corpus_documents(corpus: Path = CORPUS, texts: Path = TEXTS) -> Iterator[CorpusDocument]:
    """Every annotated document of the corpus, real ones first (whether or not their text is here)."""
    for row in _manifest(corpus / "manifest.csv"):
        yield CorpusDocument(
            id=row["id"], origin="real", split=row["split"], county=row["county"], province=row["province"],
            genre=row["genre"], script=row["script"], text_path=texts / f"{row['id']}.txt",
            annotation_path=corpus / "annotations" / f"real-{row['id']}.jsonl", sha256=row["sha256"],
        )  # fmt: skip
    for row in _manifest(corpus / "written" / "manifest.csv"):
        yield CorpusDocument(
            id=row["id"], origin="written", split=row["split"], county=row["county"], province=row["province"],
            genre=row["genre"], script=row["script"], text_path=corpus / "written" / f"{row['id']}.txt",
            annotation_path=corpus / "annotations" / f"written-{row['id']}.jsonl",
        )  # fmt: skip
