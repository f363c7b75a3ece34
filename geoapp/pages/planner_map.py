"""The planner map page: filters with facet counts, and a folium map whose project
layers are filled in the browser from the JSON API (by view when there are many),
so the page stays small however many projects the database holds.

Everything here is framework-free: ``build_map_page`` returns a :class:`MapPage`
that the template renders.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cache
from html import escape
from typing import Any

import folium
from folium.plugins import Fullscreen, MarkerCluster
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazetteer import precision as P
from gazetteer.precision import PRECISION
from geoapp.catalog.filters import MULTI_COUNTY, ProjectFilter, parse_filters
from geoapp.catalog.queries import corridor_geometry, count_projects, facets, list_corridors
from geoapp.catalog.style import CATEGORIES, STATUSES, category_style, label, status_style, vocabulary
from geoapp.context import LANGUAGES, lang_of
from geoapp.pages.assets import vendor_assets
from geoapp.pages.urls import Urls
from geoapp.settings import PACKAGE_DATA
from geoapp.store.backend import Backend
from geoapp.store.layers import layer_attributions
from geoapp.store.models import Project, ProjectCounty

__all__ = [
    "MapPage",
    "build_map_page",
    "ui_strings",
    "map_config_basemaps",
    "corridor_buffer",
    "folium_parts",
    "json_script",
]

UI_STRINGS = PACKAGE_DATA / "ui_strings.csv"
#: the region shown when nothing narrows the view (Chongqing and its seed counties)
DEFAULT_CENTER = (30.2, 107.4)
DEFAULT_ZOOM = 8


@cache
def _strings() -> dict[str, dict[str, str]]:
    with open(UI_STRINGS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {lang: {r["key"]: r[lang] for r in rows} for lang in LANGUAGES}


def ui_strings(lang: str) -> dict[str, str]:
    return _strings()[lang if lang in LANGUAGES else LANGUAGES[0]]


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    color: str = ""


@dataclass
class MapPage:
    lang: str
    t: dict[str, str]
    filter: ProjectFilter
    problems: list[str]
    total: int
    shown: int
    categories: list[Option]
    statuses: list[Option]
    counties: list[Option]
    corridors: list[Option]
    legend: list[Option]
    header: str
    html: str
    script: str
    config_json: str
    query: str
    other_lang_url: str
    export_url: str
    download_url: str
    tianditu: bool
    extra: dict[str, Any] = field(default_factory=dict)


def folium_parts(m: folium.Map) -> tuple[str, str, str]:
    """A folium map as the three pieces a page template places: head, body, script."""
    root = m.get_root()
    root.render()
    return root.header.render(), root.html.render(), root.script.render()


_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_script(data: Any) -> str:
    """JSON safe to put inside a ``<script type="application/json">`` element: ``<``, ``>``
    and ``&`` as ``\\u`` escapes, so no ``</script>`` or ``<!--`` can end or bend the element.

    >>> json_script({"name": "</script><!--x"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003c!--x"}'
    """
    return json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)


def map_config_basemaps(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Internet basemaps a user may switch on. None loads by default: the page works offline."""
    basemaps = [
        {
            "id": "osm",
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attribution": "© OpenStreetMap contributors",
            "datum": "wgs84",
            "maxZoom": 19,
        },
        {
            "id": "gaode",
            "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
            "subdomains": "1234",
            "attribution": "© 高德地图 AutoNavi",
            # Gaode tiles are GCJ-02: the data layers are shifted to match while it is shown.
            "datum": "gcj02",
            "maxZoom": 18,
        },
    ]
    key = settings.get("tianditu_key") or ""
    if key:
        basemaps.append(
            {
                "id": "tianditu",
                "url": "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
                f"&tk={key}",
                "overlay": "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                "&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
                f"&tk={key}",
                "subdomains": "01234567",
                "attribution": "© 天地图 Tianditu (CGCS2000)",
                "datum": "wgs84",
                "maxZoom": 18,
            }
        )
    return basemaps


def corridor_buffer(wkt: str, distance_km: float):
    """The corridor's line and its buffer of ``distance_km``, buffered in metres (Gauss–Krüger)."""
    import shapely
    from pyproj import Transformer

    line = shapely.from_wkt(wkt)
    lon = line.centroid.x
    zone = int(round(lon / 3.0))  # CGCS2000 3-degree zones: EPSG:4534 + (CM/3 - 25)
    epsg = 4534 + (zone - 25)
    to_m = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    to_deg = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    projected = shapely.transform(line, lambda c: _apply(to_m, c))
    buffer = projected.buffer(max(distance_km, 0.01) * 1000, quad_segs=8)
    return line, shapely.transform(buffer, lambda c: _apply(to_deg, c))


def _apply(transformer, coords):
    import numpy as np

    x, y = transformer.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def _county_options(session: Session, counts: dict[str, int], selected: tuple[str, ...], t) -> list[Option]:
    names = dict(
        session.execute(
            select(ProjectCounty.county_code, func.min(ProjectCounty.county_name)).group_by(
                ProjectCounty.county_code
            )
        ).all()
    )
    # Counties the documents are about first, then by number of projects.
    options = [
        Option(code, name, counts.get(code, 0), code in selected)
        for code, name in sorted(names.items(), key=lambda kv: (-counts.get(kv[0], 0), kv[1]))
    ]
    options.insert(
        0, Option(MULTI_COUNTY, t["multi_county"], counts.get(MULTI_COUNTY, 0), MULTI_COUNTY in selected)
    )
    return options


def build_map_page(
    session: Session,
    backend: Backend,
    settings: dict[str, Any],
    args,
    *,
    county_resolver,
    county_seats: dict[str, tuple[float, float]],
    county_bounds,
    root: str = "",
) -> MapPage:
    """``county_bounds(codes) -> [[s, w], [n, e]] | None`` frames counties for the initial view.
    ``root``: the path prefix the service is mounted under (``/geoapp`` behind a proxy), before
    every link and URL of the page."""
    vendor_assets()
    lang = lang_of(args)
    t = ui_strings(lang)
    # The picker lists the curated corridors and up to 300 linear projects; a popup can
    # make any other line the corridor (project:ID), so that is accepted too.
    corridors = list_corridors(session, project_limit=300)
    f, problems = parse_filters(
        args,
        county_resolver=county_resolver,
        corridor_exists=lambda cid: corridor_geometry(session, cid) is not None,
    )
    total = session.scalar(select(func.count()).select_from(Project)) or 0
    shown = count_projects(session, f, backend)
    counts = facets(session, backend, f)

    categories = [
        Option(
            c,
            label("category", c, lang),
            counts["category"].get(c, 0),
            c in f.categories,
            category_style(c).color,
        )
        for c in CATEGORIES
    ]
    statuses = [
        Option(
            s, label("status", s, lang), counts["status"].get(s, 0), s in f.statuses, status_style(s).color
        )
        for s in STATUSES
    ]
    counties = _county_options(session, counts["county"], f.counties, t)
    corridor_options = [Option(c["id"], c["name"], 0, c["id"] == f.corridor) for c in corridors]
    # The legend lists only the categories on the map for the current selection.
    present = {k for k, n in (session.execute(_category_counts(session, backend, f))).all() if n}
    legend = [o for o in categories if o.value in present]

    m = folium.Map(
        location=DEFAULT_CENTER,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        max_zoom=18,
        control_scale=True,
        prefer_canvas=True,
    )
    m.options["maxZoom"] = 18  # without it MarkerCluster refuses a tile-less map
    Fullscreen(position="topleft").add_to(m)
    # Distances: Leaflet.PolylineMeasure, added by planner.js (folium's MeasureControl wraps
    # leaflet-measure, whose lodash templates need eval(), which the page's CSP forbids).
    groups = {}
    for key in ("counties", "towns", "corridors", "projects", "places"):
        groups[key] = folium.FeatureGroup(name=t[f"layer_{key}"], show=key != "towns").add_to(m)
    cluster = MarkerCluster(
        options={"chunkedLoading": True, "maxClusterRadius": 45, "disableClusteringAtZoom": 14}
    ).add_to(groups["projects"])
    # No document text (names, sentences) ever goes into a folium element: branca re-parses
    # each element's rendered script as a Jinja template, so text there would run as code.
    # Text and geometries travel as JSON in the page config and planner.js draws them.
    corridor_bounds = corridor_data = None
    if f.corridor:
        corridor = corridor_geometry(session, f.corridor)
        if corridor is not None:
            line, buffer = corridor_buffer(corridor.wkt, f.distance_km)
            corridor_data = {
                "name": corridor.name,
                "distance_km": f"{f.distance_km:g}",
                "line": line.__geo_interface__,
                "buffer": buffer.__geo_interface__,
            }
            minx, miny, maxx, maxy = buffer.bounds
            corridor_bounds = [[miny, minx], [maxy, maxx]]
    folium.LayerControl(collapsed=False, position="topright").add_to(m)

    query = f.query_string()
    base_args = {"lang": "en"} if lang == "en" else {}
    urls = Urls(root)
    config = {
        "map": m.get_name(),
        "layers": {k: g.get_name() for k, g in groups.items()},
        "cluster": cluster.get_name(),
        "query": query,
        "lang": lang,
        "total": shown,
        "embedLimit": settings["map_feature_limit"],
        "root": root,
        "api": urls.projects_api(),
        "placesApi": urls.places_api(),
        # The first view: the corridor, else the chosen counties, else the documents' counties.
        "fitBounds": corridor_bounds
        or county_bounds([c for c in f.counties if c != MULTI_COUNTY])
        or county_bounds(_document_counties(session)),
        "corridor": corridor_data,
        # the users' gazetteer layers (OpenStreetMap's ODbL credit among them), on the map too
        "layerAttributions": layer_attributions(session),
        "countySeats": county_seats,
        "selectedCounties": [c for c in f.counties if c != MULTI_COUNTY],
        "styles": _style_table(lang),
        "precision": {str(k): v[0 if lang == "zh" else 1] for k, v in PRECISION.items()},
        # which codes mean what, for the page's symbols (the codes stay in gazetteer.precision)
        "precisionCodes": {"site": [P.EXACT, P.NEAR], "county": P.COUNTY, "estimated": P.ESTIMATED},
        "basemaps": map_config_basemaps(settings),
        "legend": [{"code": o.value, "label": o.label, "color": o.color} for o in legend],
        "t": t,
    }
    header, body, script = folium_parts(m)
    if root:
        # folium's asset URLs are class attributes, shared by every request: set once to
        # /static (vendor_assets), prefixed here in this page's own copy of the header
        header = header.replace('="/static/', f'="{escape(root)}/static/')
    other = dict(f.to_params())
    if lang == "zh":
        other["lang"] = "en"
    return MapPage(
        lang=lang,
        t=t,
        filter=f,
        problems=problems,
        total=total,
        shown=shown,
        categories=categories,
        statuses=statuses,
        counties=counties,
        corridors=corridor_options,
        legend=legend,
        header=header,
        html=body,
        script=script,
        config_json=json_script(config),
        query=query,
        other_lang_url=urls.home(other),
        export_url=urls.render("png", {**f.to_params(), **base_args, "width": 1800, "height": 1350}),
        download_url=urls.download("geojson", f.to_params()),
        tianditu=bool(settings.get("tianditu_key")),
    )


def _document_counties(session: Session) -> list[str]:
    from geoapp.store.models import Document

    return [c for c in session.scalars(select(Document.county_code).distinct()) if c]


def _category_counts(session: Session, backend: Backend, f: ProjectFilter):
    from geoapp.catalog.queries import apply_filter

    return apply_filter(
        select(Project.category, func.count()).group_by(Project.category), f, backend, session
    )


def _style_table(lang: str) -> dict[str, Any]:
    """The shared style table, as the browser needs it."""
    v = vocabulary()
    return {
        kind: {
            code: {
                "label": s.label(lang),
                "color": s.color,
                "icon": s.icon,
                "dash": s.dash,
                "weight": s.weight,
            }
            for code, s in table.items()
        }
        for kind, table in v.items()
    }
