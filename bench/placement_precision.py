"""How precisely the seeds' projects are placed: precision counts and the county-level share.

Analyses every seed document (no database) and counts the items by IATI precision; the
county-level share is the share placed only at precision 3 (issue 13: from 55 % toward
≤ 35 %). Usage:

    .venv/bin/python bench/placement_precision.py [--projects-only]
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gazetteer import Gazetteer  # noqa: E402
from geoapp.ingest.document import analyse  # noqa: E402


def precision_counts(gaz: Gazetteer, projects_only: bool = False) -> Counter:
    counts: Counter = Counter()
    for doc in sorted((ROOT / "seeds").glob("*.txt")):
        for item in analyse(doc, gaz).items:
            if not projects_only or item.kind == "project":
                counts[item.precision] += 1
    return counts


def report(counts: Counter) -> list[str]:
    total = sum(counts.values())
    lines = [f"precision {p}: {counts[p]:>4} ({counts[p] / total:.1%})" for p in sorted(counts)]
    lines.append(f"county-level (3): {counts[3]} of {total} = {counts[3] / total:.1%}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects-only", action="store_true", help="count works, not named places")
    args = ap.parse_args()
    for line in report(precision_counts(Gazetteer.load(), args.projects_only)):
        print(line)


if __name__ == "__main__":
    main()
