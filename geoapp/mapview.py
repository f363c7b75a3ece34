"""Build the folium map for the planner page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
from folium.plugins import MarkerCluster

from geoapp.filters import ProjectFilter
from geoapp.queries import count_projects, project_features
from geoapp.web.assets import vendor_assets

CENTER = (30.0, 107.5)


@dataclass
class MapPage:
    header: str
    html: str
    script: str
    shown: int
    total: int


def build_map_page(session, backend, settings: dict[str, Any]) -> MapPage:
    vendor_assets()
    m = folium.Map(location=CENTER, zoom_start=8, tiles=None, max_zoom=18, control_scale=True)
    m.options["maxZoom"] = 18
    f = ProjectFilter()
    features = project_features(session, backend, f, limit=settings["map_feature_limit"])
    cluster = MarkerCluster(name="项目").add_to(m)
    for feat in features:
        g = feat["geometry"]
        if g["type"] == "Point":
            lon, lat = g["coordinates"]
            folium.Marker((lat, lon), tooltip=feat["properties"]["name"]).add_to(cluster)
        else:
            folium.GeoJson(feat, name=feat["properties"]["name"]).add_to(m)
    root = m.get_root()
    root.render()
    return MapPage(
        header=root.header.render(),
        html=root.html.render(),
        script=root.script.render(),
        shown=len(features),
        total=count_projects(session, f, backend),
    )
