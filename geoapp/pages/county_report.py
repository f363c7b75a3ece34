"""The printable county report (``/reports/<county>``): an A4 page with the county map,
counts and investment by category and status, and the project table with its sources.

Framework-free (Jinja2 only): :func:`county_report` returns ``(headers, status, body)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from gazetteer import describe_precision
from gazetteer.precision import describe_short
from geoapp.catalog.queries import corridor_geometry
from geoapp.catalog.style import STATUSES, category_style, label, status_style
from geoapp.context import Context, as_lists
from geoapp.errors import NotFound
from geoapp.maps.frame import base_index
from geoapp.maps.render import describe_filter, generation_date, project_rows, strict_filters
from geoapp.pages.urls import Urls
from geoapp.store.models import Document
from geoapp.templating import render

__all__ = ["county_report", "REPORT_MAP"]

#: the map on the report page: 170 mm of A4 text width at ~250 dpi
REPORT_MAP = {"width": "1700", "height": "1200", "dpi": "200"}
_HTML = {"Content-Type": "text/html; charset=utf-8"}


def _yi(wan: float) -> str:
    """万元 → 亿元, two decimals."""
    return f"{wan / 10_000:,.2f}"


def _wan(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def county_report(
    ctx: Context, county: str, args: Mapping[str, Any], *, as_json: bool = False, root: str = ""
) -> tuple[dict[str, str], int, Any]:
    """``/reports/<county>``: the county (name or adcode) with the other filters of the map applied.

    Unknown county → 404 (an HTML page, or :class:`NotFound` → JSON for programs).
    """
    code = county if re.fullmatch(r"\d{6}", county) else ctx.county_code(county)
    entry = base_index(ctx.gazetteer).county(code) if code else None
    if entry is None:
        if as_json:
            return {}, 404, {"code": NotFound.code, "description": f"unknown county {county[:60]!r}"}
        page = render("report_missing.html", county=county, root=root)
        return _HTML, 404, page
    params = {k: v for k, v in as_lists(args).items() if k not in ("county", "f")}
    params["county"] = [entry.code]
    f = strict_filters(ctx, params)
    features = project_rows(ctx, f, geometry=False)
    data = _summarise(ctx, features)
    corridor = corridor_geometry(ctx.session, f.corridor) if f.corridor else None
    data.update(
        county=entry.name,
        code=entry.code,
        filter=describe_filter(f, [entry.name], corridor.name if corridor else None),
        date=generation_date(),
    )
    if as_json:
        return {"Cache-Control": "no-cache"}, 200, data
    urls = Urls(root)
    page = render(
        "report.html",
        **data,
        map_src=urls.render("png", {**f.to_params(), **REPORT_MAP}),
        downloads={fmt: urls.render(fmt, f.to_params()) for fmt in ("png", "svg", "pdf")},
        root=root,
    )
    return {**_HTML, "Cache-Control": "no-cache"}, 200, page


def _titles(session) -> dict[str, str]:
    out = {}
    for file_name, title, county in session.execute(
        select(Document.file_name, Document.title, Document.county_name)
    ):
        title = title or file_name
        if county and county not in title and county.rstrip("区县") not in title:
            title = county + title  # 政府工作报告 → 忠县政府工作报告
        out[file_name] = title
    return out


def _summarise(ctx: Context, features: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and investment by category and status, and the project rows, in display order."""
    titles = _titles(ctx.session)
    by_cat: dict[str, dict[str, Any]] = {}
    by_status: dict[str, dict[str, Any]] = {s: {"n": 0, "wan": 0.0, "priced": 0} for s in STATUSES}
    rows = []
    for feat in features:
        p = feat["properties"]
        cat = by_cat.setdefault(
            p["category"], {"n": 0, "wan": 0.0, "priced": 0, "status": dict.fromkeys(STATUSES, 0)}
        )
        st = by_status.setdefault(p["status"], {"n": 0, "wan": 0.0, "priced": 0})
        for bucket in (cat, st):
            bucket["n"] += 1
            if p["investment_wan"] is not None:
                bucket["wan"] += p["investment_wan"]
                bucket["priced"] += 1
        cat["status"][p["status"]] = cat["status"].get(p["status"], 0) + 1
        rows.append(
            {
                "id": feat["id"],
                "name": p["name"],
                "category": label("category", p["category"]),
                "category_code": p["category"],
                "color": category_style(p["category"]).color,
                "status": label("status", p["status"]),
                "status_code": p["status"],
                "period": p["period"] or "",
                "investment": _wan(p["investment_wan"]),
                "investment_wan": p["investment_wan"],
                "precision": p["precision"],
                "precision_text": describe_precision(p["precision"]),
                "precision_short": describe_short(p["precision"]),
                "document": titles.get(p.get("document") or "", p.get("document") or ""),
                "section": p.get("section") or "",
                "counties": p["counties"],
            }
        )
    rows.sort(
        key=lambda r: (
            category_style(r["category_code"]).order,
            status_style(r["status_code"]).order,
            -(r["investment_wan"] or 0),
            r["name"],
            r["id"],
        )
    )
    total_wan = sum(c["wan"] for c in by_cat.values())
    categories = [
        {
            "code": code,
            "label": label("category", code),
            "color": category_style(code).color,
            "n": v["n"],
            "status": v["status"],
            "priced": v["priced"],
            "wan": v["wan"],
            "yi": _yi(v["wan"]),
        }
        for code, v in sorted(by_cat.items(), key=lambda kv: category_style(kv[0]).order)
    ]
    statuses = [
        {
            "code": code,
            "label": label("status", code),
            "color": status_style(code).color,
            "n": v["n"],
            "priced": v["priced"],
            "wan": v["wan"],
            "yi": _yi(v["wan"]),
            "share": f"{100 * v['n'] / len(features):.0f}%" if features else "–",
        }
        for code, v in sorted(by_status.items(), key=lambda kv: status_style(kv[0]).order)
        if v["n"] or code in STATUSES
    ]
    documents = sorted({r["document"] for r in rows if r["document"]})
    return {
        "total": len(features),
        "priced": sum(c["priced"] for c in categories),
        "total_yi": _yi(total_wan),
        "total_wan": total_wan,
        "categories": categories,
        "statuses": statuses,
        "status_labels": [(s, label("status", s)) for s in STATUSES],
        "projects": rows,
        "documents": documents,
    }
