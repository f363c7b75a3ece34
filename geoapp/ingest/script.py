"""One script for the rules: Traditional → Simplified and full-width → half-width, done
once when a document is read and *length-preserving*, so every offset into the text we
analyse is also an offset into the text as written.

Traditional texts (Hong Kong / Taiwan mirrors of mainland news, big5 pages) use the same
place and project names as the gazetteer, in another script: 渝萬高鐵 is 渝万高铁. The
conversion is OpenCC's ``t2s`` (a maintained converter with phrase tables), applied only
when the text is Traditional: a Simplified text is left alone, because ``t2s`` would
"simplify" characters that are already right there (乾县 → 干县).

>>> to_simplified("渝萬高鐵和萬州北站加快建設")
('渝万高铁和万州北站加快建设', True)
>>> to_simplified("乾县和渝万高铁")
('乾县和渝万高铁', False)
>>> halfwidth("ＧＳ０１，１１０ｋＶ（在建）")
'GS01，110kV（在建）'
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["to_simplified", "halfwidth", "comparable_script", "TRADITIONAL_SHARE", "TRADITIONAL_MIN"]

#: share of CJK characters that t2s changes above which a text counts as Traditional
#: (Simplified planning texts measure ~0–1 %, Traditional ones 15–30 %) — and at least
#: this many changed characters, so one legitimately Simplified 乾 or 著 decides nothing
TRADITIONAL_SHARE = 0.05
TRADITIONAL_MIN = 3

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Full-width digits and Latin letters → ASCII (ＧＳ０１ is G S 0 1 to the rules). Full-width
# punctuation stays: （）、，are what Chinese text is written with, and what planners read.
_HALFWIDTH = {
    cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for cp in range(*r)
}


@cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def halfwidth(text: str) -> str:
    """Full-width digits and letters as ASCII (one character for one)."""
    return text.translate(_HALFWIDTH)


def to_simplified(text: str) -> tuple[str, bool]:
    """``(text in Simplified, whether it was converted)``; the result has the same length."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return text, False
    converted = _converter().convert(text)
    if len(converted) != len(text):  # a phrase changed length: convert character by character
        converted = "".join(ch if len(c := _converter().convert(ch)) != 1 else c for ch in text)
    changed = sum(a != b for a, b in zip(text, converted, strict=True))
    if changed < TRADITIONAL_MIN or changed / cjk < TRADITIONAL_SHARE:
        return text, False
    return converted, True


def comparable_script(text: str) -> str:
    """``text`` converted to Simplified unconditionally: for comparing two names whatever
    script each is written in (both sides go through the same table), never for display."""
    return _converter().convert(text)
