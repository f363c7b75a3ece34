"""Report maps: static PNG, SVG and PDF images of any project filter.

``render_map(ctx, args, fmt)`` reads the same filter parameters as the web map
and the API (:func:`geoapp.filters.parse_filters`, strict), plus ``width``,
``height`` (pixels), ``dpi``, ``title``, ``labels`` (on/off) and ``basemap``
(``none``; ``hillshade`` needs elevation data this server does not have).

Determinism: the same request on the same data gives the same bytes — no
timestamps in file metadata, fixed SVG ids, stable drawing order. The map
shows the *generation date* as a day (China Standard Time, or
``SOURCE_DATE_EPOCH`` when set), so repeats within a day are byte-identical;
the date is part of the cache key and the ETag, which therefore change at
midnight, as the image does.

Caching: an in-process LRU (``render_cache_size`` entries) keyed by the
normalised request and the database state (project and document counts and
latest update times), so re-ingestion invalidates it without any hook.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from geoapp.errors import InvalidParameter
from geoapp.filters import MULTI_COUNTY, ProjectFilter, parse_filters
from geoapp.models import Document, Project
from geoapp.queries import corridor_geometry
from geoapp.render_content import NO_PROJECTS, base_index, build_content, describe_filter, project_rows
from geoapp.render_draw import draw_map, layout

__all__ = [
    "FORMATS",
    "RENDER_PARAMS",
    "RenderOptions",
    "RenderedImage",
    "parse_render_options",
    "render_map",
    "render_response",
    "render_to_file",
    "clear_cache",
    "describe_filter",
    "generation_date",
    "strict_filters",
    "project_rows",
    "NO_PROJECTS",
]

FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
#: parameters read on top of :data:`geoapp.filters.FILTER_PARAMS`
RENDER_PARAMS = ("width", "height", "dpi", "title", "labels", "basemap")
BASEMAPS = ("none", "hillshade")
#: bump when the drawing changes, so cached images and ETags from older code are not reused
RENDER_VERSION = "1"
_SIZE_RANGE = (200, 10_000)
_DPI_RANGE = (50, 600)
_MAX_TITLE = 80
_CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class RenderOptions:
    fmt: str = "png"
    width: int = 1600
    height: int = 1200
    dpi: int = 150
    title: str | None = None
    labels: bool = True
    basemap: str = "none"


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    mimetype: str
    etag: str
    filename: str
    #: what was drawn: CRS, scale bar, labels placed, legend rows (not part of the bytes)
    info: dict[str, Any] = field(default_factory=dict, compare=False)


def _last(args: Mapping[str, Any], name: str) -> str | None:
    raw = args.getlist(name) if hasattr(args, "getlist") else args.get(name)
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    raw = [v for v in raw if v is not None]
    return str(raw[-1]) if raw else None


def _int(args: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = _last(args, name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameter(f"{name} must be an integer, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_render_options(args: Mapping[str, Any], fmt: str, settings: Mapping[str, Any]) -> RenderOptions:
    """Image options from request arguments; :class:`InvalidParameter` for anything unusable."""
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InvalidParameter(f"unsupported image format {fmt[:20]!r}: use png, svg or pdf")
    width = _int(args, "width", RenderOptions.width, *_SIZE_RANGE)
    height = _int(args, "height", RenderOptions.height, *_SIZE_RANGE)
    dpi = _int(args, "dpi", RenderOptions.dpi, *_DPI_RANGE)
    if width * height > settings["render_max_pixels"]:
        raise InvalidParameter(
            f"width × height = {width * height} pixels is more than the {settings['render_max_pixels']} allowed"
        )
    title = _last(args, "title")
    if title is not None:
        title = " ".join(title.split())  # no control characters or line breaks in a title
        if len(title) > _MAX_TITLE:
            raise InvalidParameter(f"title is longer than {_MAX_TITLE} characters")
        title = title or None
    raw_labels = (_last(args, "labels") or "on").strip().lower()
    if raw_labels not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise InvalidParameter(f"labels must be on or off, got {raw_labels[:20]!r}")
    basemap = (_last(args, "basemap") or "none").strip().lower()
    if basemap not in BASEMAPS:
        raise InvalidParameter(f"unknown basemap {basemap[:20]!r}: use none or hillshade")
    if basemap == "hillshade":
        raise InvalidParameter("basemap=hillshade is not available: no elevation data is installed on this server")
    return RenderOptions(fmt, width, height, dpi, title, raw_labels in ("on", "true", "1", "yes"), basemap)


def generation_date() -> str:
    """Today in China Standard Time (YYYY-MM-DD), or the day of ``SOURCE_DATE_EPOCH``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    now = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return now.astimezone(_CST).date().isoformat()


def _day(value: str) -> str:
    """A stored time (naive = UTC, as SQLite keeps it) as a China Standard Time date."""
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return ""
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(_CST).date().isoformat()


def data_state(session) -> list[str]:
    """What changes when data is (re-)ingested: counts and latest times of projects and documents."""
    p = session.execute(select(func.count(), func.max(Project.updated_at))).one()
    d = session.execute(select(func.count(), func.max(Document.ingested_at))).one()
    return [str(v) for v in (*p, *d)]


# ----------------------------------------------------------------------------- cache
_cache: OrderedDict[str, RenderedImage] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _cache_get(key: str) -> RenderedImage | None:
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def _cache_put(key: str, image: RenderedImage, size: int) -> None:
    if size <= 0:
        return
    with _cache_lock:
        _cache[key] = image
        _cache.move_to_end(key)
        while len(_cache) > size:
            _cache.popitem(last=False)


# ----------------------------------------------------------------------------- requests
@dataclass(frozen=True)
class _Request:
    filter: ProjectFilter
    options: RenderOptions
    key: str
    etag: str


def _prepare(ctx, args: Mapping[str, Any], fmt: str) -> _Request:
    options = parse_render_options(args, fmt, ctx.settings)
    f = strict_filters(ctx, args)
    key = json.dumps(
        {
            "v": RENDER_VERSION,
            "db": ctx.settings["database_url"],
            "gazetteer": ctx.gazetteer.data.meta.get("cache_key", ""),
            "filter": sorted(f.to_params().items()),
            "options": asdict(options),
            "state": data_state(ctx.session),
            "date": generation_date(),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    return _Request(f, options, key, etag)


def strict_filters(ctx, args: Mapping[str, Any]) -> ProjectFilter:
    """The map's filters, read strictly: an unknown county or corridor is a 400, not ignored."""
    f, _ = parse_filters(
        args,
        strict=True,
        county_resolver=ctx.county_code,
        corridor_exists=lambda cid: corridor_geometry(ctx.session, cid) is not None,
    )
    index = base_index(ctx.gazetteer)
    for code in f.counties:
        if code != MULTI_COUNTY and index.county(code) is None:
            raise InvalidParameter(f"unknown county {code!r}")
    return f


def render_map(ctx, args: Mapping[str, Any], fmt: str) -> RenderedImage:
    """The image of the filtered projects (from the cache when this exact request was drawn)."""
    req = _prepare(ctx, args, fmt)
    return _render(ctx, req)


def _render(ctx, req: _Request) -> RenderedImage:
    hit = _cache_get(req.key)
    if hit is not None:
        return hit
    opts = req.options
    frame = layout(opts.width, opts.height, opts.dpi).map_rect
    state = data_state(ctx.session)
    content = build_content(
        ctx,
        req.filter,
        aspect=frame[2] / frame[3],
        title=opts.title,
        labels=opts.labels,
        date=generation_date(),
        updated=_day(state[1]),
    )
    data, info = draw_map(content, opts.width, opts.height, opts.dpi, opts.fmt)
    image = RenderedImage(data, FORMATS[opts.fmt], req.etag, f"{content.title}.{opts.fmt}", info)
    _cache_put(req.key, image, ctx.settings["render_cache_size"])
    return image


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def render_response(
    ctx, args: Mapping[str, Any], fmt: str, if_none_match: str | None = None
) -> tuple[dict[str, str], int, bytes]:
    """``GET /maps/render.<fmt>``: the image, or 304 when the client's ETag is current."""
    req = _prepare(ctx, args, fmt)
    headers = {"ETag": req.etag, "Cache-Control": "public, max-age=300"}
    if _etag_matches(if_none_match, req.etag):
        return headers, 304, b""
    image = _render(ctx, req)
    ascii_name = f"geoapp-map.{fmt}"
    headers.update({
        "Content-Type": image.mimetype,
        "Content-Disposition": f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(image.filename)}",
    })
    return headers, 200, image.data


def render_to_file(db, settings: Mapping[str, Any], args: Mapping[str, Any], output: str | Path) -> Path:
    """``geoapp render``: write the image for ``args`` to ``output`` (format from the suffix)."""
    from geoapp.api import Context

    output = Path(output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidParameter(f"unsupported image format {output.suffix or '(none)'!r}: use .png, .svg or .pdf")
    with db.session() as session:
        image = render_map(Context(session, db.backend, dict(settings)), args, fmt)
    output.write_bytes(image.data)
    return output
