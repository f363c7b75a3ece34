"""Text normalisation for place names.

>>> normalize("  忠县　新生港（一期） ")
'忠县新生港(一期)'
>>> strip_admin_suffix("石柱土家族自治县")
('石柱', '土家族自治县')
>>> strip_admin_suffix("新生街道")
('新生', '街道')
>>> strip_admin_suffix("忠县")
('忠', '县')
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "normalize",
    "strip_admin_suffix",
    "admin_suffixes",
    "is_cjk",
    "read_csv",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

_DASHES = "‐‑‒–—―−－~～〜"
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a data file in ``gazetteer/data`` (cells stripped)."""
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            for row in csv.DictReader(fh)
        ]


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


#: text made only of these needs no normalising (the common case, kept fast)
_PLAIN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·]*")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), no control characters, no spaces between CJK
    characters, one kind of dash. Keeps spaces between Latin words."""
    if _PLAIN.fullmatch(text):
        return text
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Zs", "Zl", "Zp") else c
        for c in text
        if unicodedata.category(c) not in ("Cf", "Co", "Cs", "Cn")
    )
    text = "".join("—" if c in _DASHES else c for c in text)
    # A hyphen between Chinese names is a route dash (梁平-忠县), not a minus sign.
    text = re.sub(r"(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff])", "—", text)
    text = _SPACE.sub(" ", text).strip()
    # Drop spaces that sit next to a CJK character ("忠 县 人 民" → "忠县人民").
    return re.sub(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])", "", text)


@cache
def admin_suffixes() -> tuple[tuple[str, str], ...]:
    """(suffix, level) pairs, longest first."""
    rows = read_csv("suffixes.csv")
    return tuple(sorted(((r["suffix"], r["level"]) for r in rows), key=lambda p: -len(p[0])))


@cache
def _ethnic_pattern() -> re.Pattern[str]:
    names = sorted((r["name"] for r in read_csv("ethnic_groups.csv")), key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, names)) + ")+$")


def strip_admin_suffix(name: str, levels: tuple[str, ...] | None = None) -> tuple[str, str]:
    """Split ``name`` into (stem, suffix) at its administrative suffix, if any.

    Ethnic-group names in front of an autonomous suffix go with the suffix
    (``石柱土家族自治县`` → ``石柱`` + ``土家族自治县``). The stem keeps at least
    one character; ``levels`` limits the suffixes tried (e.g. ``("township",)``).
    """
    for suffix, level in admin_suffixes():
        if levels is not None and level not in levels:
            continue
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            ethnic = _ethnic_pattern().search(stem)
            if ethnic and ethnic.start() > 0:
                return stem[: ethnic.start()], stem[ethnic.start() :] + suffix
            return stem, suffix
    return name, ""
