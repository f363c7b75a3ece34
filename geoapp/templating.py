"""The one Jinja configuration of geoapp: every template, on a web page or not, is rendered by
an environment built here — autoescaped HTML from ``geoapp/web/templates``, with the filters
and globals of :data:`FILTERS` and :data:`GLOBALS`.

:func:`environment` is the environment of the framework-free renderers (OGC API HTML views,
the county report); the Flask app's environment is :func:`configure` applied to Flask's own
(``geoapp.web.WebApp``), which adds only what needs a request (``url_for``, ``request``, the
CSP nonce). A filter or global is defined once, here, and is available in both.

Autoescaping is on for every template file and every template given as a string, whatever its
name: text from documents is data everywhere.

>>> render_string("<p>{{ name }}</p>", name="<script>")
'<p>&lt;script&gt;</p>'
>>> render_string("{{ names|value }}", names=["忠县", "<b>"])
'忠县、&lt;b&gt;'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader

from geoapp.settings import TEMPLATES_DIR

__all__ = [
    "FILTERS",
    "GLOBALS",
    "autoescape",
    "loader",
    "configure",
    "environment",
    "render",
    "render_string",
]


def _cell(v: Any) -> str:
    """A property value as a table cell: lists joined, None as empty."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "、".join(str(x) for x in v)
    return str(v)


#: filters of every environment
FILTERS: dict[str, Callable[..., Any]] = {"value": _cell}
#: globals of every environment
GLOBALS: dict[str, Any] = {}


def autoescape(template_name: str | None) -> bool:
    """Escape everywhere: every template file and every template given as a string."""
    return True


def loader() -> BaseLoader:
    """Where templates are found: ``geoapp/web/templates`` (package data)."""
    return FileSystemLoader(str(TEMPLATES_DIR))


def configure(env: Environment) -> Environment:
    """Give ``env`` the one configuration (autoescaping, filters, globals); returns it."""
    env.autoescape = autoescape
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


@cache
def environment() -> Environment:
    """The environment of the renderers outside a request."""
    return configure(Environment(loader=loader()))


def render(template: str, **context: Any) -> str:
    """Render the template file ``template`` with ``context``."""
    return environment().get_template(template).render(**context)


def render_string(source: str, **context: Any) -> str:
    """Render a template given as text (the code's own, never a document's)."""
    return environment().from_string(source).render(**context)
