"""One log line per request: method, path, status, duration — through :mod:`logging`.

The line is written when the response is finished (its last chunk sent, or the client
gone), so a streamed download's duration is the whole transfer, not its first chunk::

    2026-12-04 18:03:11,402 INFO geoapp.request: GET /collections/projects/items 200 14.2 ms 127.0.0.1

The path is the one the user asked for (with the proxy's prefix); the query string is
left out (it carries search text and filters of any length). Paths are attacker-chosen
text: control characters are written as ``\\xNN`` escapes, so a log read in a terminal
cannot be re-coloured, retitled or have lines forged into it.

:func:`configure` gives the ``geoapp`` loggers a handler on standard error once per
process (gunicorn, waitress and ``flask run`` configure only their own loggers), at
``GEOAPP_LOG_LEVEL``; ``WARNING`` leaves the request lines out.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from typing import Any

from geoapp.errors import ConfigError
from geoapp.progress import printable

__all__ = ["RequestLog", "configure", "request_path", "LOGGER"]

LOGGER = logging.getLogger("geoapp.request")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured = False


def configure(level: str) -> None:
    """A stderr handler for the ``geoapp`` loggers (once per process) at ``level``."""
    global _configured
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ConfigError(f"GEOAPP_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level[:20]!r}")
    root = logging.getLogger("geoapp")
    root.setLevel(numeric)
    if not _configured:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
        _configured = True


def request_path(environ: dict[str, Any]) -> str:
    """The request's path as the user wrote it (prefix included), safe for a terminal."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # WSGI hands paths over as bytes decoded as latin-1: recover the UTF-8 the client sent
    text = raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return printable(text[:2000])


class RequestLog:
    """WSGI middleware writing :data:`LOGGER` one INFO line per request."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response):
        started = time.perf_counter()
        status: list[str] = ["-"]

        def recording_start_response(code: str, headers, exc_info=None):
            status[0] = code.split(" ", 1)[0]
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        try:
            body = self.app(environ, recording_start_response)
        except BaseException:
            self._log(environ, "500", started)
            raise
        return _Logged(body, lambda: self._log(environ, status[0], started))

    @staticmethod
    def _log(environ: dict[str, Any], status: str, started: float) -> None:
        if LOGGER.isEnabledFor(logging.INFO):
            ms = (time.perf_counter() - started) * 1000
            LOGGER.info(
                "%s %s %s %.1f ms %s",
                printable(environ.get("REQUEST_METHOD", "-")[:16]),
                request_path(environ),
                status,
                ms,
                printable(environ.get("REMOTE_ADDR", "-")[:64]),
            )


class _Logged:
    """The response body, logging once when the server closes it (PEP 3333)."""

    def __init__(self, body: Iterable[bytes], done) -> None:
        self.body = body
        self.done = done

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.done()
