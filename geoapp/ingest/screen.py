"""Screening candidates: titles and designations are not works.

Contract: :func:`screen` takes the candidates of one document (as
:func:`geoapp.ingest.extract.extract_candidates` returns them, in text order) and returns
those that should become items, in the same order. It removes a *project* candidate whose
name is a title rather than a work's name: it opens with a scope
(``geoapp/data/designation_scopes.csv``: 国家级, 全市, 川渝, 渝东北 …), ends with what such a title
designates (``geoapp/data/designation_heads.csv``: 基地, 示范区, 枢纽 …), and names no place
of its own between them (国家级杂交水稻种子生产基地, 渝东南综合交通枢纽, 国家AAAA级旅游景区). A
name that does (川渝东北一体化水资源配置工程 is not a title; 重庆忠县新生港 names 忠县) stays,
and so does every table row: a table lists works.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from gazetteer import Gazetteer

if TYPE_CHECKING:
    from geoapp.ingest.extract import Candidate

__all__ = ["screen", "is_title"]

_DATA = Path(__file__).resolve().parent.parent / "data"
#: place kinds whose presence in a name makes it a local work, not a title
_LOCAL_KINDS = ("county", "township", "locality", "feature", "line")


@cache
def _words(file: str) -> tuple[str, ...]:
    with open(_DATA / file, encoding="utf-8", newline="") as fh:
        return tuple(sorted((row["word"].strip() for row in csv.DictReader(fh)), key=len, reverse=True))


def is_title(name: str, gaz: Gazetteer) -> bool:
    """True for a designation such as 国家级杂交水稻种子生产基地.

    >>> from gazetteer import Gazetteer
    >>> gaz = Gazetteer.load()
    >>> is_title("国家AAAA级旅游景区", gaz), is_title("忠县国家农业科技园区", gaz)
    (True, False)
    """
    scope = next((w for w in _words("designation_scopes.csv") if name.startswith(w)), None)
    if scope is None or not name.endswith(_words("designation_heads.csv")):
        return False
    rest = name[len(scope) :]
    return not any(
        e.kind in _LOCAL_KINDS for span in gaz.find_names(rest) for e in span.entries
    )


def screen(candidates: list[Candidate], gaz: Gazetteer) -> list[Candidate]:
    """The candidates that are items of their own (see the module docstring)."""
    return [c for c in candidates if c.kind != "project" or c.from_table or not is_title(c.name, gaz)]
