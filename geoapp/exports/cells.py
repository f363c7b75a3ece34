"""Values made safe and fitting for the files people open: text a spreadsheet would run as a
formula is made inert (CSV, XLSX), text is cut to what a dBase field or an Excel cell holds, and
Shapefile field names are shortened to 10 characters."""

from __future__ import annotations

from typing import Any

from pandas.api.types import is_numeric_dtype

__all__ = [
    "SHAPEFILE_FIELDS",
    "INTEGER_FIELDS",
    "DBF_TEXT_BYTES",
    "XLSX_CELL",
    "WKT_TOO_LONG",
    "FORMULA_START",
    "guard_formula",
    "guard_formulas",
    "fit_dbf",
    "fit_xlsx",
    "join_values",
]


#: property → Shapefile field name (dBase allows 10 ASCII characters)
SHAPEFILE_FIELDS = {
    "category_label": "cat_label",
    "subtype_label": "sub_label",
    "status_label": "stat_label",
    "status_phrase": "stat_phras",
    "county_codes": "cnty_codes",
    "county_code": "cnty_code",
    "investment_wan": "invest_wan",
    "period_start": "per_start",
    "period_end": "per_end",
    "precision": "precision",
    "precision_text": "prec_text",
    "location_class": "loc_class",
    "location_note": "loc_note",
}


INTEGER_FIELDS = ("id", "period_start", "period_end", "precision", "location_class")


DBF_TEXT_BYTES = 254


#: Excel holds at most this many characters in a cell
XLSX_CELL = 32_767


WKT_TOO_LONG = "(geometry longer than a spreadsheet cell holds: see the GeoPackage or GeoJSON download)"


def join_values(values: list) -> str:
    return ("," if all(str(v).isdigit() for v in values) else "、").join(str(v) for v in values)


def fit_dbf(value: Any) -> Any:
    """Cut text to the 254 bytes a dBase field holds, at a character boundary."""
    if not isinstance(value, str) or len(value.encode("utf-8")) <= DBF_TEXT_BYTES:
        return value
    return value.encode("utf-8")[: DBF_TEXT_BYTES - 3].decode("utf-8", "ignore") + "…"


#: a cell starting with one of these is a formula to Excel, LibreOffice and WPS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe
    (the OWASP advice for CSV injection); other values unchanged.

    >>> guard_formula('=HYPERLINK("http://x")'), guard_formula("忠县水库"), guard_formula(-3)
    ('\\'=HYPERLINK("http://x")', '忠县水库', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def guard_formulas(gdf):
    """A copy of ``gdf`` whose text columns are guarded by :func:`guard_formula`."""
    out = gdf.copy()
    for name in out.columns:
        if name != out.geometry.name and not is_numeric_dtype(out[name]):
            out[name] = out[name].map(guard_formula)
    return out


def fit_xlsx(value: Any) -> Any:
    if isinstance(value, str) and len(value) > XLSX_CELL:
        return value[: XLSX_CELL - 1] + "…"
    return value
