"""A project's properties, one table for both ways they are built.

Every output describes a project with the same properties in the same order: the JSON API and
the map (:func:`python_properties`, from selected rows) and the OGC collection, downloads and
the stored feature JSON (:func:`sql_pairs`, where the database builds the JSON). Both walk
:data:`PROJECT_PROPERTIES`; a new property is a row there (and, if it is a new kind, one
branch in each function).

>>> [p.key for p in PROJECT_PROPERTIES][:4]
['id', 'name', 'aliases', 'category']
>>> period_text(2024, 2026), period_text(2025, 2025), period_text(None, None)
('2024–2026', '2025', None)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gazetteer.precision import describe
from geoapp.catalog.labels_sql import label_sql, precision_text_sql
from geoapp.catalog.style import label
from geoapp.store.models import Project

__all__ = [
    "Property",
    "PROJECT_PROPERTIES",
    "PROJECT_COLUMNS",
    "python_properties",
    "sql_pairs",
    "period_text",
]


@dataclass(frozen=True)
class Property:
    """One property: its key in the output, how it is made (``kind``) and what it reads.

    Kinds: ``column`` (a column of ``projects``), ``list`` (a JSON list column), ``label``
    (the vocabulary's label of a code column), ``precision_text`` (the IATI code in words),
    ``first_mention`` (a field of the project's first mention), and values computed from other
    tables: ``county_names``, ``county_codes``, ``period``, ``documents``, ``mentions``.
    """

    key: str
    kind: str
    #: the column, vocabulary or mention field it reads ("" for the computed kinds)
    source: str = ""


PROJECT_PROPERTIES: tuple[Property, ...] = (
    Property("id", "column", "id"),
    Property("name", "column", "name"),
    Property("aliases", "list", "aliases"),
    Property("category", "column", "category"),
    Property("category_label", "label", "category"),
    Property("subtype", "column", "subtype"),
    Property("subtype_label", "label", "subtype"),
    Property("status", "column", "status"),
    Property("status_label", "label", "status"),
    Property("status_phrase", "column", "status_phrase"),
    Property("county", "column", "county_name"),
    Property("counties", "county_names"),
    Property("county_codes", "county_codes"),
    Property("investment_wan", "column", "investment_wan"),
    Property("period", "period"),
    Property("period_start", "column", "period_start"),
    Property("period_end", "column", "period_end"),
    Property("batch", "column", "batch"),
    Property("lead_unit", "column", "lead_unit"),
    Property("precision", "column", "precision"),
    Property("precision_text", "precision_text", "precision"),
    Property("location_class", "column", "location_class"),
    Property("location_note", "column", "location_note"),
    Property("corrected", "column", "corrected"),
    Property("sentence", "first_mention", "sentence"),
    Property("section", "first_mention", "section"),
    Property("document", "first_mention", "document"),
    Property("documents", "documents"),
    Property("mentions", "mentions"),
)

#: the columns of ``projects`` the Python reader selects
PROJECT_COLUMNS = tuple(
    getattr(Project, p.source) for p in PROJECT_PROPERTIES if p.kind in ("column", "list")
)


def period_text(start: int | None, end: int | None) -> str | None:
    """The construction period as written on the map: ``2024–2026``, ``2025``, or None."""
    if not start and not end:
        return None
    return f"{start or ''}–{end or ''}" if start != end else str(start)


def python_properties(
    row: Any, counties: Sequence[tuple[str, str]], mention: Mapping[str, Any] | None, lang: str = "zh"
) -> dict[str, Any]:
    """The properties of one selected row (:data:`PROJECT_COLUMNS`), its counties as
    ``(code, name)`` pairs and its first mention (None: the mention keys are left out).
    ``documents`` and ``mentions`` are added by callers that read every mention."""
    out: dict[str, Any] = {}
    for p in PROJECT_PROPERTIES:
        if p.kind == "column":
            out[p.key] = getattr(row, p.source)
        elif p.kind == "list":
            out[p.key] = list(getattr(row, p.source) or [])
        elif p.kind == "label":
            out[p.key] = label(p.source, getattr(row, p.source), lang)
        elif p.kind == "precision_text":
            out[p.key] = describe(getattr(row, p.source), lang)
        elif p.kind == "county_names":
            out[p.key] = [name for _, name in counties]
        elif p.kind == "county_codes":
            out[p.key] = [code for code, _ in counties]
        elif p.kind == "period":
            out[p.key] = period_text(row.period_start, row.period_end)
        elif p.kind == "first_mention" and mention is not None:
            out[p.key] = mention[p.source]
    return out


def sql_pairs(backend: Any, computed: Mapping[str, Any], mention: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(key, SQL value)`` for every property, for :meth:`Backend.json_properties`.

    ``computed`` holds the SQL of the computed kinds (``county_names``, ``county_codes``,
    ``period``, ``documents``, ``mentions``), ``mention`` that of the first mention's fields:
    they come from joins the caller chose (per row or for a whole export).
    """
    out = []
    for p in PROJECT_PROPERTIES:
        if p.kind == "column":
            value = getattr(Project, p.source)
        elif p.kind == "list":
            value = backend.json_value(getattr(Project, p.source))
        elif p.kind == "label":
            value = label_sql(p.source, getattr(Project, p.source))
        elif p.kind == "precision_text":
            value = precision_text_sql(getattr(Project, p.source))
        elif p.kind == "first_mention":
            value = mention[p.source]
        else:
            value = computed[p.kind]
        out.append((p.key, value))
    return out
