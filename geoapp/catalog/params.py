"""Query parameters of the items and downloads: limit, bbox (+ bbox-crs), datetime, CQL2
filters and each collection's own property filters, all checked before any output.

Every problem is an :class:`~geoapp.errors.InvalidParameter` (400) naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from geoapp.catalog.cql import parse_filter, to_sql
from geoapp.catalog.crs import bbox_to_crs84, parse_crs
from geoapp.catalog.sources import GEOMETRY_PARAM, KINDS, Selection, Source
from geoapp.context import Context, as_lists
from geoapp.errors import InvalidParameter

__all__ = ["COMMON_ITEM_PARAMS", "parse_items_args"]

#: parameters every items request understands (besides each collection's own)
COMMON_ITEM_PARAMS = (
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "filter",
    "filter-lang",
    "filter-crs",
)


def _bbox(args: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    raw = args.get("bbox")
    if raw in (None, ""):
        return None
    parts = str(raw).split(",")
    if len(parts) not in (4, 6):
        raise InvalidParameter(f"bbox must have 4 (or 6) comma-separated numbers, got {len(parts)}")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter("bbox must be comma-separated numbers") from None
    if len(nums) == 6:  # 3-D box: heights do not filter 2-D data
        nums = [nums[0], nums[1], nums[3], nums[4]]
    crs = parse_crs(args.get("bbox-crs"), name="bbox-crs")
    return bbox_to_crs84(tuple(nums), crs)


def _datetime_years(raw: str | None) -> tuple[str | None, str | None]:
    """``datetime`` (instant or interval) → (year_from, year_to): periods are kept as years."""
    if raw in (None, ""):
        return None, None
    ends = raw.split("/")
    if len(ends) > 2 or (len(ends) == 2 and ends[0] in ("", "..") and ends[1] in ("", "..")):
        raise InvalidParameter("datetime must be an instant or an interval start/end ('..' for open)")
    years: list[str | None] = []
    for end in ends:
        if end in ("", ".."):
            years.append(None)
            continue
        try:
            years.append(str(datetime.fromisoformat(end.replace("Z", "+00:00")).year))
        except ValueError:
            raise InvalidParameter(f"datetime {end[:40]!r} is not an RFC 3339 date or date-time") from None
    if len(years) == 1:
        return years[0], years[0]
    return years[0], years[1]


def parse_items_args(
    ctx: Context, src: Source, args: Mapping[str, Any], *, allowed: set[str] | None = None
) -> Selection:
    """Parse and check everything that selects features (all problems → 400 before any output).

    ``allowed``: the query parameters accepted (default: the items parameters);
    any other is a 400, as OGC API – Features requires.
    """
    allowed = set(COMMON_ITEM_PARAMS) | set(src.params) if allowed is None else allowed
    unknown = sorted(k for k in args if k not in allowed)
    if unknown:
        raise InvalidParameter(
            f"unknown query parameter {unknown[0][:40]!r}; accepted: {', '.join(sorted(allowed))}"
        )
    view = _geometry_view(src, args.get(GEOMETRY_PARAM))
    y_from, y_to = _datetime_years(args.get("datetime"))
    own = args  # what the collection's own prepare() reads: datetime as years, geometry_type gone
    if src.root.id == "projects" and (y_from or y_to):
        own = _with(args, year_from=y_from, year_to=y_to)
    elif GEOMETRY_PARAM in args:
        own = _with(args)
    prepared = view.prepare(ctx, own)
    cql = None
    raw_filter = args.get("filter")
    if raw_filter not in (None, ""):
        node = parse_filter(str(raw_filter), args.get("filter-lang"))
        filter_crs = parse_crs(args.get("filter-crs"), name="filter-crs")
        cql = to_sql(node, view.queryables(), ctx.backend, filter_crs)
    return Selection(view, prepared, _bbox(args), cql)


def _geometry_view(src: Source, raw: Any) -> Source:
    """``geometry_type=points|lines|areas`` on a mixed collection: read its single-geometry view."""
    if raw in (None, ""):
        return src
    view = src.views.get(str(raw).strip().lower())
    if view is None:
        raise InvalidParameter(
            f"{GEOMETRY_PARAM}={str(raw)[:40]!r} is not known; use one of: {', '.join(KINDS)}"
        )
    return view


def _with(args: Mapping[str, Any], **values: str | None) -> dict[str, list[str]]:
    """``args`` as lists, without ``geometry_type`` (read already), with ``values`` set."""
    out = {k: v for k, v in as_lists(args).items() if k != GEOMETRY_PARAM}
    for k, v in values.items():
        if v is not None:
            out[k] = [v]
    return out
