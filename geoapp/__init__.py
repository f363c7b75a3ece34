"""geoapp — maps of the projects named in county planning documents.

Flask application factory (flaskr style): ``create_app()`` builds an app whose
settings come from ``GEOAPP_*`` environment variables (see ``geoapp.settings``),
overridable for tests.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.store.backend).
import geoapp.store.backend  # noqa: F401  isort: skip

import gc
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask

from geoapp.settings import STATIC_DIR, load_settings

__all__ = ["create_app", "__version__"]

__version__ = "0.1.0"

# Commands print their own one-line results; logs are shown where the app configures them
# (GEOAPP_LOG_LEVEL, see geoapp.web.requestlog), never through logging's last-resort handler.
logging.getLogger(__name__).addHandler(logging.NullHandler())


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    ``test_config`` overrides settings by name (``{"database_url": "sqlite:///…"}``).
    """
    from geoapp.web import WebApp, boundary, register

    settings = load_settings(overrides=test_config)
    with _no_garbage_collection():  # Flask adds the static route, register the others
        # templates: geoapp.templating's one configuration (loader, autoescaping, filters)
        app = WebApp(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
        app.config.from_mapping(
            GEOAPP=settings,
            DATABASE_URL=settings["database_url"],
            MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        )
        app.json.ensure_ascii = False  # Chinese as UTF-8, not \u escapes
        app.json.sort_keys = False
        boundary.init_app(app)
        register(app)
    return app


@contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """No collection while werkzeug compiles the URL map with ``ast.parse``: on CPython 3.11 a
    finalizer that runs inside it (a pooled connection being reset, logging a traceback that
    pytest formats with ``ast.parse`` again) breaks the parser's recursion count —
    "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
