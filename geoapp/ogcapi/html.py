"""HTML pages of the OGC API (f=html), rendered with Jinja2 without Flask
(:mod:`geoapp.templating`).

The templates (``geoapp/web/templates/ogc_*.html``) load nothing from other
hosts: the small feature maps use the vendored Leaflet under ``/static``.
"""

from __future__ import annotations

from geoapp.templating import render

__all__ = ["render"]
