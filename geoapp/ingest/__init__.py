"""Ingesting planning documents: read → structure → extract → place → store.

``ingest_files`` handles each file on its own: a file that cannot be read or
stored gets one line naming it and the reason, the others go on, and each
document is stored in a single transaction (all of it or nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gazetteer import Gazetteer
from geoapp.errors import GeoappError, IngestError
from geoapp.ingest.document import DocumentAnalysis, analyse
from geoapp.ingest.store import store_document
from geoapp.store.database import Database
from geoapp.store.gazetteer import sync_places

#: the traceback of an unexpected failure (the report keeps one line): GEOAPP_LOG_LEVEL=DEBUG
log = logging.getLogger(__name__)

__all__ = ["ingest_files", "IngestReport", "analyse"]


@dataclass
class IngestReport:
    results: list[tuple[str, str, str]] = field(default_factory=list)  # (file, outcome, message)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(1 for _, outcome, _ in self.results if outcome == "error")

    def lines(self) -> list[str]:
        out = [
            f"{outcome}: {name}: {message}" if outcome == "error" else f"{outcome} {name}: {message}"
            for name, outcome, message in self.results
        ]
        ok = len(self.results) - self.failed
        out.append(
            f"{ok} of {len(self.results)} documents ingested or unchanged, {self.failed} failed ({self.seconds:.1f} s)"
        )
        return out


def ingest_files(
    db: Database,
    gazetteer: Gazetteer,
    paths: list[Path],
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    report = IngestReport()
    started = time.perf_counter()
    if not db.is_initialised():
        db.upgrade()
    with db.session() as session:
        sync_places(session, gazetteer)
    from geoapp.store.layers import placer

    placing = placer(db, gazetteer)
    for n, path in enumerate(paths, start=1):
        if progress:
            progress(f"[{n}/{len(paths)}] {path}")
        try:
            analysis: DocumentAnalysis = analyse(path, gazetteer, placing)
        except IngestError as exc:
            report.results.append((str(path), "error", str(exc)))
            continue
        except Exception as exc:  # an unexpected failure still only costs this file
            log.debug("analysing %s failed", path, exc_info=True)
            report.results.append((str(path), "error", f"could not analyse ({type(exc).__name__}: {exc})"))
            continue
        try:
            with db.session() as session:
                result = store_document(session, analysis)
        except GeoappError as exc:
            report.results.append((str(path), "error", str(exc)))
            continue
        except Exception as exc:
            log.debug("storing %s failed", path, exc_info=True)
            report.results.append(
                (str(path), "error", f"not stored, nothing changed ({type(exc).__name__}: {str(exc)[:200]})")
            )
            continue
        if result.status == "unchanged":
            report.results.append(
                (str(path), "unchanged", "already ingested (same SHA-256), nothing changed")
            )
        else:
            county = analysis.county.name if analysis.county else "unknown county"
            verb = "replaced" if result.replaced else "ingested"
            report.results.append(
                (str(path), verb, f"{county}, {result.items} projects and places, {result.mentions} mentions")
            )
    report.seconds = time.perf_counter() - started
    return report
