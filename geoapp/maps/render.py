"""Report maps: static PNG, SVG and PDF images of any project filter.

``render_map(ctx, args, fmt)`` reads the same filter parameters as the web map
and the API (:func:`geoapp.catalog.filters.parse_filters`, strict), plus ``width``,
``height`` (pixels), ``dpi``, ``title``, ``labels`` (on/off) and ``basemap``
(``none``; ``hillshade`` needs elevation data this server does not have).

Determinism: the same request on the same data gives the same bytes — no
timestamps in file metadata, fixed SVG ids, stable drawing order. The map
shows the *generation date* as a day (China Standard Time, or
``SOURCE_DATE_EPOCH`` when set), so repeats within a day are byte-identical;
the date is part of the cache key and the ETag, which therefore change at
midnight, as the image does.

Sizes are normalised: ``width`` and ``height`` are rounded to the nearest multiple of
:data:`SIZE_STEP` (50 px) and ``dpi`` to the nearest of :data:`DPI_STEPS`, and the image is
drawn at that size (``X-Geoapp-Image-Size`` says which), so parameter noise (801 × 599 px)
is the same image, the same cache entry and the same ETag.

Caching: an in-process LRU (``render_cache_size`` entries) keyed by the
normalised request and the database state (project and document counts and
latest update times), so re-ingestion invalidates it without any hook.

Bounded work (per server process): images are made in a :class:`RenderPool` of
``render_workers`` threads; at most ``render_workers + render_queue`` requests may
wait for an image (beyond that: :class:`ServiceUnavailable`, a 503 with
``Retry-After``), a request waits at most ``render_timeout`` seconds (then 503; the
drawing goes on and its image is cached for the retry), and concurrent requests
for the same image share one drawing (single flight). A pool thread reads the
database through its own short-lived session, which is closed before drawing
starts (the web route hands its own connection back before waiting), so renders
never hold database connections while matplotlib works. With
``render_isolation=process`` (the default) matplotlib then runs in a child process
(one per worker, started on first use, at a lower CPU priority): drawing never holds
the server process's Python lock, so cheap requests on the server's other threads
are not slowed down by it; ``thread`` draws in the server process.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter, parse_filters
from geoapp.catalog.queries import corridor_geometry
from geoapp.context import int_param, last
from geoapp.errors import InvalidParameter
from geoapp.maps.content import NO_PROJECTS, build_content, describe_filter, project_rows
from geoapp.maps.draw import layout
from geoapp.maps.frame import base_index
from geoapp.maps.pool import (
    RenderedImage,
    RenderPool,
    cache_get,
    cache_put,
    clear_cache,
    draw_image,
    render_pool,
)
from geoapp.store import data_version
from geoapp.store.models import Document, Project

__all__ = [
    "FORMATS",
    "RENDER_PARAMS",
    "RenderOptions",
    "RenderedImage",
    "RenderPool",
    "render_pool",
    "normalise_size",
    "SIZE_STEP",
    "DPI_STEPS",
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
#: parameters read on top of :data:`geoapp.catalog.filters.FILTER_PARAMS`
RENDER_PARAMS = ("width", "height", "dpi", "title", "labels", "basemap")
BASEMAPS = ("none", "hillshade")
#: bump when the drawing changes, so cached images and ETags from older code are not reused
RENDER_VERSION = "1"
_SIZE_RANGE = (200, 10_000)
_DPI_RANGE = (50, 600)
#: widths and heights are drawn at the nearest multiple of this (pixels)
SIZE_STEP = 50
#: resolutions are drawn at the nearest of these (dots per inch)
DPI_STEPS = (72, 96, 100, 150, 200, 300, 400, 600)
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


def normalise_size(width: int, height: int, dpi: int, max_pixels: int) -> tuple[int, int, int]:
    """The size an image is drawn at: ``width`` and ``height`` to the nearest multiple of
    :data:`SIZE_STEP` (rounded down instead when rounding would pass ``max_pixels``), ``dpi``
    to the nearest of :data:`DPI_STEPS` (the larger on a tie).

    >>> normalise_size(801, 599, 98, 36_000_000)
    (800, 600, 100)
    >>> normalise_size(825, 1224, 160, 36_000_000)
    (850, 1200, 150)
    >>> normalise_size(4976, 7234, 150, 36_000_000)   # 5000 × 7250 would pass the cap
    (4950, 7200, 150)
    """
    w, h = ((v + SIZE_STEP // 2) // SIZE_STEP * SIZE_STEP for v in (width, height))
    if w * h > max_pixels:
        w, h = (max(v // SIZE_STEP * SIZE_STEP, _SIZE_RANGE[0]) for v in (width, height))
    near = min(DPI_STEPS, key=lambda d: (abs(d - dpi), -d))
    return w, h, near


def parse_render_options(args: Mapping[str, Any], fmt: str, settings: Mapping[str, Any]) -> RenderOptions:
    """Image options from request arguments, with the size normalised (:func:`normalise_size`);
    :class:`InvalidParameter` for anything unusable."""
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InvalidParameter(f"unsupported image format {fmt[:20]!r}: use png, svg or pdf")
    width = int_param(args, "width", RenderOptions.width, *_SIZE_RANGE, pick=last)
    height = int_param(args, "height", RenderOptions.height, *_SIZE_RANGE, pick=last)
    dpi = int_param(args, "dpi", RenderOptions.dpi, *_DPI_RANGE, pick=last)
    if width * height > settings["render_max_pixels"]:
        raise InvalidParameter(
            f"width × height = {width * height} pixels is more than the {settings['render_max_pixels']} allowed"
        )
    width, height, dpi = normalise_size(width, height, dpi, settings["render_max_pixels"])
    title = last(args, "title")
    if title is not None:
        title = " ".join(title.split())  # no control characters or line breaks in a title
        if len(title) > _MAX_TITLE:
            raise InvalidParameter(f"title is longer than {_MAX_TITLE} characters")
        title = title or None
    raw_labels = (last(args, "labels") or "on").strip().lower()
    if raw_labels not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise InvalidParameter(f"labels must be on or off, got {raw_labels[:20]!r}")
    basemap = (last(args, "basemap") or "none").strip().lower()
    if basemap not in BASEMAPS:
        raise InvalidParameter(f"unknown basemap {basemap[:20]!r}: use none or hillshade")
    if basemap == "hillshade":
        raise InvalidParameter(
            "basemap=hillshade is not available: no elevation data is installed on this server"
        )
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
            # every change to the served data bumps this, gazetteer layers and re-placing
            # included (counts and times alone missed a layer added or removed)
            "state": [data_version.current(ctx.session), *data_state(ctx.session)],
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


def _render(ctx, req: _Request, release: Callable[[], None] | None = None) -> RenderedImage:
    """From the cache, or drawn in the render pool; ``release`` (if given) is called before
    waiting for the pool, to hand the caller's database connection back."""
    hit = cache_get(req.key)
    if hit is not None:
        return hit
    engine = ctx.session.get_bind()
    if release is not None:
        release()
    settings = ctx.settings
    pool = render_pool(settings["render_workers"], settings["render_queue"])
    return pool.run(req.key, lambda: _draw(ctx, engine, req), timeout=settings["render_timeout"])


def _draw(ctx, engine, req: _Request) -> RenderedImage:
    """Runs in the render pool: read the rows with a session of its own, close it, then draw."""
    opts = req.options
    frame = layout(opts.width, opts.height, opts.dpi).map_rect
    with Session(engine) as session:
        own = replace(ctx, session=session)
        state = data_state(session)
        content = build_content(
            own,
            req.filter,
            aspect=frame[2] / frame[3],
            title=opts.title,
            labels=opts.labels,
            date=generation_date(),
            updated=_day(state[1]),
        )
    # the session is closed: its connection is back in the pool while matplotlib draws
    data, info = draw_image(content, opts.width, opts.height, opts.dpi, opts.fmt, ctx.settings)
    image = RenderedImage(data, FORMATS[opts.fmt], req.etag, f"{content.title}.{opts.fmt}", info)
    cache_put(req.key, image, ctx.settings["render_cache_size"])
    return image


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def render_response(
    ctx,
    args: Mapping[str, Any],
    fmt: str,
    if_none_match: str | None = None,
    release: Callable[[], None] | None = None,
) -> tuple[dict[str, str], int, bytes]:
    """``GET /maps/render.<fmt>``: the image, or 304 when the client's ETag is current.

    ``release`` hands the request's database connection back before waiting for the render
    pool (the web route passes its session's ``close``). ``X-Geoapp-Image-Size`` is the size
    the image is drawn at (normalised: :func:`normalise_size`).
    """
    req = _prepare(ctx, args, fmt)
    opts = req.options
    headers = {
        "ETag": req.etag,
        "Cache-Control": "public, max-age=300",
        "X-Geoapp-Image-Size": f"{opts.width}x{opts.height}; dpi={opts.dpi}",
    }
    if _etag_matches(if_none_match, req.etag):
        return headers, 304, b""
    image = _render(ctx, req, release=release)
    ascii_name = f"geoapp-map.{fmt}"
    headers.update(
        {
            "Content-Type": image.mimetype,
            "Content-Disposition": f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(image.filename)}",
        }
    )
    return headers, 200, image.data


def render_to_file(db, settings: Mapping[str, Any], args: Mapping[str, Any], output: str | Path) -> Path:
    """``geoapp render``: write the image for ``args`` to ``output`` (format from the suffix)."""
    from geoapp.context import Context

    output = Path(output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidParameter(
            f"unsupported image format {output.suffix or '(none)'!r}: use .png, .svg or .pdf"
        )
    # The command waits as long as the drawing takes (render_timeout is for web requests), and
    # draws in its own process (a drawing process would only add its start-up time).
    ctx_settings = {**settings, "render_timeout": 0, "render_isolation": "thread"}
    with db.session() as session:
        ctx = Context(session, db.backend, ctx_settings)
        req = _prepare(ctx, args, fmt)
    image = _render(ctx, req)  # the session above is closed: the drawing reads with its own
    output.write_bytes(image.data)
    return output
