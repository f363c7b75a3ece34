"""The one Jinja environment of the framework-free pages (OGC API HTML views, the county
report): autoescaped HTML from ``geoapp/web/templates``. Flask renders the planner map and
the project page with its own environment over the same folder (it adds the request's
CSP nonce and URL helpers); text from documents is escaped by both.

>>> render_string("<p>{{ name }}</p>", name="<script>")
'<p>&lt;script&gt;</p>'
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from geoapp.settings import TEMPLATES_DIR

__all__ = ["environment", "render", "render_string"]


def _cell(v: Any) -> str:
    """A property value as a table cell: lists joined, None as empty."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "、".join(str(x) for x in v)
    return str(v)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True),
    )
    env.filters["value"] = _cell
    return env


def render(template: str, **context: Any) -> str:
    """Render the template file ``template`` with ``context``."""
    return environment().get_template(template).render(**context)


def render_string(source: str, **context: Any) -> str:
    """Render a template given as text (the code's own, never a document's)."""
    return environment().from_string(source).render(**context)
