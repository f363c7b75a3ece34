"""The one style table: colours, icons, dashes and bilingual labels.

Both the web map and the static report images read it, so a category looks the
same everywhere. The table itself is data: ``geoapp/data/vocabulary.csv``.

>>> category_style("water").color
'#1f77b4'
>>> label("status", "under_construction", "zh")
'在建'
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from geoapp.settings import PACKAGE_DATA

__all__ = [
    "Style",
    "CATEGORIES",
    "SUBTYPES",
    "STATUSES",
    "category_style",
    "subtype_style",
    "status_style",
    "label",
    "line_style",
    "vocabulary",
    "status_marker",
]

VOCABULARY = PACKAGE_DATA / "vocabulary.csv"


@dataclass(frozen=True)
class Style:
    kind: str
    code: str
    zh: str
    en: str
    color: str
    icon: str
    dash: str
    weight: float
    order: int
    marker: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@cache
def vocabulary() -> dict[str, dict[str, Style]]:
    """kind → code → :class:`Style`, in the table's order."""
    out: dict[str, dict[str, Style]] = {}
    with open(VOCABULARY, encoding="utf-8", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: (r["kind"], int(r["order"])))
    for r in rows:
        out.setdefault(r["kind"], {})[r["code"]] = Style(
            r["kind"],
            r["code"],
            r["zh"],
            r["en"],
            r["color"],
            r["icon"],
            r["dash"],
            float(r["weight"] or 0),
            int(r["order"]),
            r.get("marker", ""),
        )
    return out


CATEGORIES: tuple[str, ...] = tuple(vocabulary()["category"])
SUBTYPES: tuple[str, ...] = tuple(vocabulary()["subtype"])
STATUSES: tuple[str, ...] = tuple(vocabulary()["status"])


def category_style(code: str) -> Style:
    return vocabulary()["category"].get(code) or vocabulary()["category"]["urban"]


def subtype_style(code: str) -> Style:
    return vocabulary()["subtype"].get(code) or vocabulary()["subtype"]["other"]


def status_style(code: str) -> Style:
    return vocabulary()["status"].get(code) or vocabulary()["status"]["mentioned"]


def status_marker(code: str | None) -> str:
    """The marker shape of a status in print (``circle``, ``diamond``, ``ring``, ``dot``):
    filled for what exists, a diamond for works under way, a ring for plans, a dot for
    names merely mentioned — told apart without colour (data: the ``marker`` column)."""
    return status_style(code or "").marker or "dot"


def label(kind: str, code: str | None, lang: str = "zh") -> str:
    """The label of a category/subtype/status code (the code itself if unknown)."""
    style = vocabulary().get(kind, {}).get(code or "")
    return style.label(lang) if style else (code or "")


def line_style(category: str, subtype: str) -> dict[str, object]:
    """Colour, weight and dash for a line: the subtype's own when it has one
    (railways, expressways, pipelines and rivers must be told apart), else the category's."""
    sub = subtype_style(subtype)
    cat = category_style(category)
    return {
        "color": sub.color or cat.color,
        "weight": sub.weight or 3,
        "dashArray": sub.dash or None,
    }
