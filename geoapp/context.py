"""The request boundary: what every framework-free function receives.

* :class:`Request` — one HTTP request's inputs, built once by the web adapter
  (:func:`geoapp.web.boundary.current_request`): the query arguments as a
  :class:`~werkzeug.datastructures.MultiDict`, the label language, the public base URL, the
  path prefix, the format and Accept header asked for. The core functions take its ``args``;
  the CLI hands them a plain mapping of its options, read by the same parser.
* :class:`Context` — what a request is served from: a database session, the backend
  (SpatiaLite or PostGIS), the settings, the gazetteer.
* One parameter parser for all of them: :func:`values`, :func:`first`, :func:`last`,
  :func:`int_param`, :func:`page`, :func:`lang_of`. Every problem is an
  :class:`~geoapp.errors.InvalidParameter` (400) that names the parameter.

Nothing here imports Flask: the same functions serve the routes, the CLI and the tests.

>>> args = multidict({"limit": "20", "category": ["transport", "water"]})
>>> int_param(args, "limit", 10, 1, 100), values(args, "category")
(20, ['transport', 'water'])
>>> page(args, {"page_size": 10, "max_page_size": 5}, clamp=True)
(5, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from geoapp.errors import InvalidParameter
from geoapp.store.backend import Backend
from geoapp.store.models import MAX_OFFSET

__all__ = [
    "Context",
    "Request",
    "multidict",
    "as_lists",
    "pairs",
    "values",
    "first",
    "last",
    "int_param",
    "page",
    "lang_of",
    "LANGUAGES",
    "MAX_LIMIT",
]

#: the largest ``limit`` a client may write (the OpenAPI document says so); larger is a 400
MAX_LIMIT = 2**31 - 1

#: label languages; the first is the default
LANGUAGES = ("zh", "en")


def multidict(args: Mapping[str, Any] | None) -> MultiDict:
    """Any mapping of arguments as a MultiDict: a MultiDict as it is; a plain mapping's
    list or tuple values become repeated keys (what a CLI or a test passes)."""
    if isinstance(args, MultiDict):
        return args
    out: MultiDict = MultiDict()
    for key, value in (args or {}).items():
        if isinstance(value, (list, tuple)):
            for item in value:
                out.add(key, item)
        elif value is not None:
            out.add(key, value)
    return out


def as_lists(args: Mapping[str, Any] | None) -> dict[str, list[str]]:
    """Every parameter with all its values: ``{"category": ["transport", "water"]}``."""
    return {k: [str(v) for v in vs] for k, vs in multidict(args).lists()}


def pairs(args: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Every ``(name, value)`` in order, repeated names repeated (to rebuild a query string)."""
    return [(k, str(v)) for k, v in multidict(args).items(multi=True)]


def values(args: Mapping[str, Any], name: str) -> list[str]:
    """Every value given for ``name`` (``?category=a&category=b`` → ``['a', 'b']``)."""
    return [str(v) for v in multidict(args).getlist(name) if v is not None]


def first(args: Mapping[str, Any], name: str) -> str | None:
    """The first value given for ``name`` (None when absent)."""
    found = values(args, name)
    return found[0] if found else None


def last(args: Mapping[str, Any], name: str) -> str | None:
    """The last value given for ``name``: a later repetition overrides (a link that appends
    ``&width=…`` to a bookmarked URL gets the new width)."""
    found = values(args, name)
    return found[-1] if found else None


def int_param(
    args: Mapping[str, Any],
    name: str,
    default: int,
    low: int,
    high: int,
    *,
    pick=first,
) -> int:
    """An integer parameter between ``low`` and ``high`` (``default`` when absent or empty);
    ``pick`` chooses among repeated values (:func:`first` or :func:`last`)."""
    raw = pick(args, name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise InvalidParameter(f"{name} must be an integer, got {raw[:40]!r}") from None
    if not low <= value <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def page(args: Mapping[str, Any], settings: Mapping[str, Any], *, clamp: bool = False) -> tuple[int, int]:
    """``limit`` and ``offset``, checked against the configured page sizes.

    The JSON API refuses a ``limit`` above ``max_page_size`` (a program asked for more than
    it will get); OGC API – Features clamps it (``clamp=True``), as the standard asks, up to
    :data:`MAX_LIMIT`.
    """
    if clamp:
        limit = min(int_param(args, "limit", settings["page_size"], 1, MAX_LIMIT), settings["max_page_size"])
    else:
        limit = int_param(args, "limit", settings["page_size"], 1, settings["max_page_size"])
    offset = int_param(args, "offset", 0, 0, MAX_OFFSET)
    return limit, offset


def lang_of(args: Mapping[str, Any]) -> str:
    """The label language asked for: ``en`` or the default ``zh`` (anything else)."""
    asked = first(args, "lang")
    return asked if asked in LANGUAGES else LANGUAGES[0]


@dataclass(frozen=True)
class Request:
    """One request's inputs, framework-free.

    ``base_url`` is the public URL of the service root without a trailing slash
    (``https://maps.example.org/geo``); ``script_root`` its path part (``/geo``), to
    prefix the links a page writes.
    """

    args: MultiDict = field(default_factory=MultiDict)
    base_url: str = ""
    script_root: str = ""
    #: the response format asked for by ``?f=`` (None: by the Accept header)
    format: str | None = None
    #: the Accept header as sent (None: none)
    accept: str | None = None


@dataclass
class Context:
    """What a request is served from."""

    session: Session
    backend: Backend
    settings: dict[str, Any]
    #: the database, where the users' gazetteer layers are stored (None: built-in places only)
    database: Any = None

    @property
    def gazetteer(self):
        from geoapp.store.gazetteer import get_gazetteer

        return get_gazetteer(self.settings["gazetteer_cache"])

    @property
    def placer(self):
        """The gazetteer with the users' layers (see :func:`geoapp.store.layers.placer`)."""
        if self.database is None:
            return self.gazetteer
        from geoapp.store.layers import placer

        return placer(self.database, self.gazetteer)

    def county_code(self, name: str) -> str | None:
        """The adcode of a county given by name, short name or old name (None if unknown)."""
        from gazetteer import UnknownPlace

        try:
            entry = self.gazetteer.county(name)
        except UnknownPlace:
            return None
        return entry.code if entry.kind == "county" else None
