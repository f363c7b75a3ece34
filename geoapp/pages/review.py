"""The review page's data, framework-free: the queue (:mod:`geoapp.editing.review`) filtered
by county and category, the progress, the editor's vocabularies, and everything the page's
script needs as one JSON data block (read by ``static/js/review.js``; document text never
becomes script source). ``/api/review`` answers the same queue in JSON.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from geoapp.catalog.style import CATEGORIES, STATUSES, label
from geoapp.context import Context, int_param, lang_of
from geoapp.editing.review import Queue, review_queue
from geoapp.errors import InvalidParameter
from geoapp.pages.planner_map import json_script, ui_strings
from geoapp.pages.urls import Urls
from geoapp.store.models import ProjectCounty

__all__ = ["ReviewPage", "review_page", "review_json"]

_ADCODE = re.compile(r"\d{6}")
_JSON = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


@dataclass
class ReviewPage:
    lang: str
    t: dict[str, str]
    county: str
    category: str
    counties: list[tuple[str, str]]
    categories: list[tuple[str, str]]
    queue: Queue
    urls: Urls
    #: the page script's data (items, vocabularies, strings, links, the CSRF token)
    data_json: str


def _filters(args) -> tuple[str, str]:
    county, category = args.get("county") or "", args.get("category") or ""
    if county and not _ADCODE.fullmatch(county):
        raise InvalidParameter("county must be a 6-digit adcode (e.g. 500233)")
    if category and category not in CATEGORIES:
        raise InvalidParameter(f"category must be one of {', '.join(CATEGORIES)}")
    return county, category


def _queue(ctx: Context, args) -> tuple[str, str, Queue]:
    county, category = _filters(args)
    limit = int_param(args, "limit", 200, 1, 1000)
    offset = int_param(args, "offset", 0, 0, 1_000_000)
    return county, category, review_queue(ctx.session, county or None, category or None, limit, offset)


def _queue_json(queue: Queue) -> dict[str, Any]:
    return {
        "open": queue.open,
        "done": queue.done,
        "total": queue.total,
        "by_reason": queue.by_reason,
        "items": [asdict(i) for i in queue.items],
        "orphaned": queue.orphaned,
    }


def review_json(ctx: Context, args) -> tuple[dict[str, str], int, Any]:
    """``GET /api/review``: the queue in JSON."""
    _, _, queue = _queue(ctx, args)
    return _JSON, 200, _queue_json(queue)


def _counties(ctx: Context) -> list[tuple[str, str]]:
    rows = ctx.session.execute(
        select(ProjectCounty.county_code, ProjectCounty.county_name)
        .distinct()
        .order_by(ProjectCounty.county_code)
    ).all()
    return [(r.county_code, r.county_name) for r in rows]


def review_page(ctx: Context, args, root: str, csrf: str) -> ReviewPage:
    lang = lang_of(args)
    t = ui_strings(lang)
    county, category, queue = _queue(ctx, args)
    urls = Urls(root)
    data = {
        "queue": _queue_json(queue),
        "categories": [[c, label("category", c, lang)] for c in CATEGORIES],
        "statuses": [[s, label("status", s, lang)] for s in STATUSES],
        "t": t,
        "csrf": csrf,
        "root": root,
        "county": county,
    }
    return ReviewPage(
        lang=lang,
        t=t,
        county=county,
        category=category,
        counties=_counties(ctx),
        categories=[(c, label("category", c, lang)) for c in CATEGORIES],
        queue=queue,
        urls=urls,
        data_json=json_script(data),
    )
