"""HTML pages of the OGC API (f=html), rendered with Jinja2 without Flask.

The templates (``geoapp/web/templates/ogc_*.html``) load nothing from other
hosts: the small feature maps use the vendored Leaflet under ``/static``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from geoapp.settings import TEMPLATES_DIR

__all__ = ["render"]

TEMPLATES = TEMPLATES_DIR


@cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["value"] = _value
    return env


def _value(v: Any) -> str:
    """A property value as a table cell: lists joined, None as empty."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "、".join(str(x) for x in v)
    return str(v)


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context`` (always given ``base_url``)."""
    return _env().get_template(template).render(**context)
