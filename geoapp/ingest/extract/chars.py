"""The characters of the script the extractor's rules are written with: punctuation,
brackets, quotation marks and the Chinese digits.

These are the writing system, not vocabulary — like ``\\d`` or ``,`` in a rule for English —
so they stay in code. Words (work words, units, measure words, route kinds …) live in
``geoapp/data/extraction_words.csv`` and the other word lists (see ``geoapp/ingest/vocab.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "BREAKS",
    "OPEN",
    "CLOSE",
    "OPEN_QUOTES",
    "CLOSE_QUOTES",
    "QUOTE_MARKS",
    "CLAUSE_END",
    "SENTENCE_END",
    "LIST_MARK",
    "DASHES",
    "DIGITS",
    "TWO",
    "MAGNITUDES",
    "SLOGAN_COUNTS",
    "HAN",
    "alternatives",
]

#: a chunk of prose ends at these (outside brackets)
BREAKS = frozenset("，。、；：！？,.;:!?\n\t…")
#: opening and closing brackets and quotes: what is inside them is one chunk
OPEN = "（(“‘《「"
CLOSE = "）)”’》」"
#: quotes that may wrap a name (“垫涪”高速公路, 《…》)
OPEN_QUOTES = "“‘《"
CLOSE_QUOTES = "”’》"
#: every quotation mark a display name drops
QUOTE_MARKS = "“”‘’\"'「」《》"
#: a status cue is read up to the end of its clause (after a name) or sentence (before it)
CLAUSE_END = "，。；;"
SENTENCE_END = "。；;"
#: the enumeration comma between the items of a list (渝西、成达万高铁)
LIST_MARK = "、"
#: a dash or tilde between two places reads "to" (万州—开州, 黄金~大岭)
DASHES = "—~"
#: the Chinese digits; 两 is two before a measure word (两个街道); 万千百亿 are magnitudes
DIGITS = "一二三四五六七八九十"
TWO = "两"
MAGNITUDES = "万千百亿"
#: what numbered slogans count with (一江两岸四片区, 百千万工程, 多片区): 多 is "several"
SLOGAN_COUNTS = DIGITS + TWO + "百千多"
#: one Han character (a regex class)
HAN = r"[\u4e00-\u9fff]"


def alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, tried in their order: ``(?:a|b)``."""
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"
