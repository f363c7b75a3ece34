"""geoapp — maps of the projects named in county planning documents.

Flask application factory (flaskr style): ``create_app()`` builds an app whose
settings come from ``GEOAPP_*`` environment variables (see ``geoapp.settings``),
overridable for tests.
"""

from __future__ import annotations

# The spatial libraries must load before SpatiaLite can (see geoapp.backend).
import geoapp.backend  # noqa: F401  isort: skip

from collections.abc import Mapping
from typing import Any

from flask import Flask

from geoapp.settings import PROJECT_ROOT, load_settings

__all__ = ["create_app", "__version__"]

__version__ = "0.1.0"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the web application.

    ``test_config`` overrides settings by name (``{"database_url": "sqlite:///…"}``).
    """
    from geoapp import db
    from geoapp.web import register

    settings = load_settings(overrides=test_config)
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
        template_folder="web/templates",
    )
    app.config.from_mapping(
        GEOAPP=settings,
        DATABASE_URL=settings["database_url"],
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    app.json.ensure_ascii = False  # Chinese as UTF-8, not \u escapes
    app.json.sort_keys = False
    db.init_app(app)
    register(app)
    return app
