"""The vocabulary's labels and the precision codes in words, written as SQL ``CASE``
expressions, so the database builds the same text as :func:`geoapp.catalog.style.label` and
:func:`gazetteer.precision.describe` do in Python."""

from __future__ import annotations

from sqlalchemy import case, literal_column
from sqlalchemy.sql import ColumnElement

from gazetteer.precision import PRECISION
from geoapp.catalog.style import vocabulary

__all__ = ["label_sql", "precision_text_sql"]


def _constant(value: str | int) -> ColumnElement:
    # The tables below are the app's own constants: written into the SQL rather than bound,
    # they keep ~120 parameters off every feature query (and its text short enough for
    # psycopg to cache and prepare it).
    if isinstance(value, int):
        return literal_column(str(int(value)))
    return literal_column("'" + value.replace("'", "''") + "'")


def label_sql(kind: str, column) -> ColumnElement:
    """The Chinese label of a category/subtype/status code, in SQL (as geoapp.catalog.style.label)."""
    whens = [(column == _constant(code), _constant(style.zh)) for code, style in vocabulary()[kind].items()]
    return case(*whens, else_=column)


def precision_text_sql(column) -> ColumnElement:
    """The precision code in words, in SQL (as gazetteer.precision.describe)."""
    whens = [(column == _constant(k), _constant(zh)) for k, (zh, _) in PRECISION.items()]
    return case(*whens, else_=_constant(PRECISION[7][0]))
