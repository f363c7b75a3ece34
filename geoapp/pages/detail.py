"""Data for the HTML pages, framework-free: the map page and a project's detail page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from geoapp.catalog.features import project_detail
from geoapp.catalog.style import category_style, label, line_style
from geoapp.context import Context, lang_of
from geoapp.pages.planner_map import MapPage, build_map_page, json_script, ui_strings

__all__ = ["map_page", "detail_page", "DetailPage"]


def map_page(ctx: Context, args, root: str = "") -> MapPage:
    """The planner map; ``root`` is the path prefix of a service behind a proxy (see :mod:`geoapp.web.proxy`)."""
    return build_map_page(
        ctx.session,
        ctx.backend,
        ctx.settings,
        args,
        county_resolver=ctx.county_code,
        county_seats=_seats_cache(ctx),
        county_bounds=lambda codes: _county_bounds(ctx, codes),
        root=root,
    )


def _county_bounds(ctx: Context, codes: list[str]):
    """Leaflet bounds [[south, west], [north, east]] around some counties, or None."""
    entries = [ctx.gazetteer.get(f"adm:{c}") for c in codes]
    boxes = [e.display_geometry.bounds for e in entries if e is not None]
    if not boxes:
        return None
    w, s = min(b[0] for b in boxes), min(b[1] for b in boxes)
    e, n = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return [[round(s, 4), round(w, 4)], [round(n, 4), round(e, 4)]]


#: per loaded gazetteer (weakly: a rebuilt gazetteer gets its own entry, never a stale one)
_SEATS: WeakKeyDictionary[Any, dict[str, list[float]]] = WeakKeyDictionary()


def _seats_cache(ctx: Context) -> dict[str, list[float]]:
    """adcode → [lat, lon] of each county seat of the region: where a county-level project is drawn."""
    gaz = ctx.gazetteer
    if gaz not in _SEATS:
        # Only the region's counties: the map never needs seats elsewhere.
        _SEATS[gaz] = {
            e.code: [round(e.point[1], 5), round(e.point[0], 5)]
            for e in gaz.of_kind("county")
            if gaz.in_region(e.id)
        }
    return _SEATS[gaz]


@dataclass
class DetailPage:
    lang: str
    t: dict[str, str]
    feature: dict[str, Any]
    props: dict[str, Any]
    mentions: list[dict[str, Any]]
    gazetteer: list[dict[str, Any]]
    #: the mini-map's data (the feature and its style) as JSON for a data block; drawn by
    #: static/js/detail.js — the project's name never becomes script or template source
    map_json: str


def _highlight(sentence: str, surface: str) -> str:
    """The sentence, escaped, with the project's words in <mark>."""
    at = sentence.find(surface) if surface else -1
    if at < 0:
        return html.escape(sentence)
    return (
        html.escape(sentence[:at])
        + "<mark>"
        + html.escape(surface)
        + "</mark>"
        + html.escape(sentence[at + len(surface) :])
    )


def detail_page(ctx: Context, project_id: int, args) -> DetailPage:
    lang = lang_of(args)
    t = ui_strings(lang)
    feature = project_detail(ctx, project_id, lang)
    props = feature["properties"]
    mentions = []
    for m in props["mentions"]:
        mentions.append({**m, "html": _highlight(m["sentence"], m.get("surface") or "")})
    entries = []
    for gid in props.get("gazetteer_ids") or []:
        e = ctx.gazetteer.get(gid)
        if e is not None:
            entries.append(
                {
                    "id": e.id,
                    "name": e.name,
                    "kind": e.kind,
                    "admin": e.admin_path,
                    "precision": e.precision,
                    "source": e.source,
                    "note": e.note,
                }
            )
    style = {
        **line_style(props["category"], props["subtype"]),
        "fillColor": category_style(props["category"]).color,
        "fillOpacity": 0.15,
    }
    geometry_only = {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {"name": props["name"]},
    }
    props["category_label"] = label("category", props["category"], lang)
    return DetailPage(
        lang=lang,
        t=t,
        feature=feature,
        props=props,
        mentions=mentions,
        gazetteer=entries,
        map_json=json_script({"feature": geometry_only, "style": style}),
    )
