"""Every link a page writes, in one place (Datasette's ``Urls``): each starts with the path
prefix the service is mounted under (``root``: ``/geoapp`` behind a reverse proxy, empty
otherwise; see :mod:`geoapp.web.proxy`), and its query string is encoded here.

>>> urls = Urls("/geo")
>>> urls.home({"lang": "en"}), urls.render("png", {"county": "500233"})
('/geo/?lang=en', '/geo/maps/render.png?county=500233')
>>> Urls().download("geojson", {}), Urls().project(7)
('/download/projects.geojson', '/projects/7')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

__all__ = ["Urls"]


@dataclass(frozen=True)
class Urls:
    root: str = ""

    def path(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = urlencode(params or {}, doseq=True)
        return f"{self.root}{path}" + (f"?{query}" if query else "")

    def home(self, params: Mapping[str, Any] | None = None) -> str:
        """The planner map (``params``: its filters and ``lang``)."""
        return self.path("/", params)

    def static(self, path: str) -> str:
        return self.path("/static/" + path.lstrip("/"))

    def project(self, project_id: int) -> str:
        return self.path(f"/projects/{int(project_id)}")

    def report(self, county: str) -> str:
        return self.path("/reports/" + quote(county, safe=""))

    def projects_api(self) -> str:
        return self.path("/api/projects.geojson")

    def places_api(self) -> str:
        return self.path("/api/places.geojson")

    def render(self, fmt: str, params: Mapping[str, Any] | None = None) -> str:
        """A static map image (``png``, ``svg``, ``pdf``) of the filtered projects."""
        return self.path(f"/maps/render.{fmt}", params)

    def download(self, fmt: str, params: Mapping[str, Any] | None = None) -> str:
        return self.path(f"/download/projects.{fmt}", params)

    def review(self, params: Mapping[str, Any] | None = None) -> str:
        """The review queue (``params``: ``county``, ``category``)."""
        return self.path("/review", params)

    def history(self, project_id: int) -> str:
        return self.path(f"/projects/{int(project_id)}/history")

    def api(self, path: str) -> str:
        """A path under ``/api`` (``project/7`` → ``/api/project/7``)."""
        return self.path("/api/" + path.lstrip("/"))
