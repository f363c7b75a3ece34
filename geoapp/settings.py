"""Settings as data.

Each :class:`Setting` names an environment variable, its default and a help text.
The same table drives validation, ``geoapp settings`` and the README's
configuration section (a test fails when one is undocumented).

>>> s = load_settings({"GEOAPP_PAGE_SIZE": "20"})
>>> s["page_size"]
20
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoapp.errors import ConfigError

__all__ = [
    "Setting",
    "SETTINGS",
    "load_settings",
    "PROJECT_ROOT",
    "PACKAGE_DIR",
    "STATIC_DIR",
    "TEMPLATES_DIR",
    "PACKAGE_DATA",
    "DATA_DIR",
]

#: The installed package; templates, front-end assets and data files ship inside it.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The package's parent: the repository in a source checkout (site-packages when installed).
PROJECT_ROOT = PACKAGE_DIR.parent
#: Front-end assets served under ``/static`` (vendored: nothing is fetched from a CDN).
STATIC_DIR = PACKAGE_DIR / "web" / "static"
#: Data files shipped with the code: word lists, the style vocabulary, UI strings (see its README)
PACKAGE_DATA = PACKAGE_DIR / "data"
#: The HTML templates (Flask's and the framework-free pages' one set)
TEMPLATES_DIR = PACKAGE_DIR / "web" / "templates"


def _data_dir() -> Path:
    """Where the default database and the gazetteer cache live.

    ``GEOAPP_DATA_DIR`` when set; in a source checkout its ``var/`` (what ``make serve``
    builds); otherwise the user's data directory (``$XDG_DATA_HOME/geoapp``), because an
    installed package must not write into site-packages.
    """
    configured = os.environ.get("GEOAPP_DATA_DIR")
    if configured:
        return Path(configured)
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "var"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "geoapp"


#: See :func:`_data_dir`; read once, when geoapp is imported.
DATA_DIR = _data_dir()


_BOOLEANS = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type = str
    minimum: int | None = None
    maximum: int | None = None

    @property
    def env(self) -> str:
        return "GEOAPP_" + self.name.upper()

    def parse(self, raw: str) -> Any:
        if self.kind is str:
            return raw
        if self.kind is bool:
            if raw.strip().lower() not in _BOOLEANS:
                raise ConfigError(f"{self.env} must be 1/0, true/false, yes/no or on/off, got {raw!r}")
            return _BOOLEANS[raw.strip().lower()]
        try:
            value = self.kind(raw)
        except ValueError:
            raise ConfigError(f"{self.env} must be {self.kind.__name__}, got {raw!r}") from None
        if self.minimum is not None and value < self.minimum:
            raise ConfigError(f"{self.env} must be at least {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise ConfigError(f"{self.env} must be at most {self.maximum}, got {value}")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        f"sqlite:///{DATA_DIR / 'geoapp.sqlite'}",
        "SQLAlchemy URL of the database: a SpatiaLite file (sqlite:///path) by default, "
        "or PostGIS as postgresql+psycopg://user@host:port/db.",
    ),
    Setting(
        "gazetteer_cache",
        str(DATA_DIR / "gazetteer.pickle"),
        "Where the built gazetteer is cached; rebuilt automatically when its inputs change.",
    ),
    Setting("host", "127.0.0.1", "Address `geoapp serve` listens on."),
    Setting("port", 5000, "Port `geoapp serve` listens on.", int, 1, 65535),
    Setting("page_size", 100, "Default number of features per API page.", int, 1, 10_000),
    Setting("max_page_size", 10_000, "Largest `limit` the feature API accepts.", int, 1, 1_000_000),
    Setting(
        "max_geocode_batch",
        10_000,
        "Most names one POST /api/geocode request may carry.",
        int,
        1,
        1_000_000,
    ),
    Setting(
        "map_feature_limit",
        2_000,
        "Most projects embedded in the map page; beyond this the page loads them by view from the API.",
        int,
        0,
        1_000_000,
    ),
    Setting(
        "tianditu_key",
        "",
        "Tianditu (天地图) browser key; when empty the Tianditu basemap is not offered.",
    ),
    Setting(
        "render_max_pixels",
        36_000_000,
        "Largest width × height (in pixels) a rendered map image may have.",
        int,
        10_000,
        400_000_000,
    ),
    Setting(
        "render_cache_size",
        64,
        "How many rendered map images are kept in memory for repeated requests.",
        int,
        0,
        10_000,
    ),
    Setting(
        "render_workers",
        1,
        "Map images made at once, per server process (with render_isolation=process, each has "
        "its own drawing process).",
        int,
        1,
        64,
    ),
    Setting(
        "render_isolation",
        "process",
        "Where map images are drawn: `process` (child processes at a lower CPU priority, so drawing "
        "never slows the server's other requests) or `thread` (in the server process).",
    ),
    Setting(
        "render_queue",
        3,
        "Further image requests that may wait for a drawing, per server process; beyond this "
        "they are answered 503 with Retry-After. Keep workers + queue below the server's threads.",
        int,
        0,
        1_000,
    ),
    Setting(
        "render_timeout",
        20,
        "Longest an image request waits (queue + drawing), in seconds, before a 503 with "
        "Retry-After; the drawing goes on and is cached for the retry. 0: no limit.",
        int,
        0,
        3_600,
    ),
    Setting(
        "cors_origins",
        "",
        "Other web origins allowed to call the read-only API from a browser (CORS): a "
        "comma-separated list such as https://portal.example.cn, or * for any; empty: none.",
    ),
    Setting(
        "compress_level",
        5,
        "gzip level (1–9) of JSON, GeoJSON, HTML, CSV and KML responses, streamed exports "
        "included, for clients that accept gzip; 0 turns compression off.",
        int,
        0,
        9,
    ),
    Setting(
        "public_url",
        "",
        "The service's address as its users reach it, e.g. https://maps.example.cn/geoapp (scheme, "
        "host, path prefix) behind a reverse proxy: every absolute link (OGC next/self links, the "
        "landing page, the API document) starts with it. Empty: the request's own host.",
    ),
    Setting(
        "trusted_proxies",
        0,
        "How many reverse proxies in front of the app to trust for X-Forwarded-For/-Proto/-Host/"
        "-Port/-Prefix; 0 ignores those headers (a client could otherwise choose the links' host).",
        int,
        0,
        10,
    ),
    Setting(
        "secret_key",
        "",
        "Key that signs the browser's session cookie (login, CSRF tokens); every server process "
        "must share it. Empty: a random key made once and kept in <data dir>/secret_key.",
    ),
    Setting(
        "read_requires_login",
        False,
        "1 closes reading to anonymous users: the API and OGC API answer 401 without a token or a "
        "session, HTML pages send the browser to /login (/healthz and /login stay open).",
        bool,
    ),
    Setting(
        "log_level",
        "INFO",
        "Level of geoapp's log on standard error: INFO writes one line per request (method, path, "
        "status, duration), WARNING only problems.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Read every setting from ``environ`` (default ``os.environ``), then apply ``overrides``.

    Raises :class:`ConfigError` for a malformed value or an unknown override.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        values[setting.name] = setting.default if raw in (None, "") else setting.parse(raw)
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _BY_NAME[name].parse(str(value)) if isinstance(value, str) else value
    return values
