"""The exceptions geoapp raises on purpose.

Every error a user can cause is one of these, so the CLI can print one line and
exit non-zero, and the web layer can answer 400/404 with a JSON body.

>>> try:
...     raise ConfigError("GEOAPP_PAGE_SIZE must be an integer")
... except GeoappError as exc:
...     print(exc.exit_code, exc)
2 GEOAPP_PAGE_SIZE must be an integer
"""

from __future__ import annotations

__all__ = [
    "GeoappError",
    "ConfigError",
    "DatabaseError",
    "IngestError",
    "InvalidParameter",
    "NotAcceptable",
    "NotFound",
    "RequestLineTooLong",
    "ServiceUnavailable",
    "Unauthorized",
    "CsrfFailed",
    "Forbidden",
    "PreconditionFailed",
    "UnsupportedMediaType",
]


class GeoappError(Exception):
    """Base class: a problem with a message fit to show a user."""

    exit_code = 1
    http_status = 500
    code = "ServerError"


class ConfigError(GeoappError):
    """A setting (environment variable or option) is missing or malformed."""

    exit_code = 2
    code = "ConfigError"


class DatabaseError(GeoappError):
    """The database cannot be reached or is not usable (e.g. no SpatiaLite)."""

    exit_code = 2
    code = "DatabaseError"


class IngestError(GeoappError):
    """A document could not be read or ingested."""

    exit_code = 1
    code = "IngestError"


class InvalidParameter(GeoappError):
    """A request or command parameter has a value we cannot use."""

    exit_code = 2
    http_status = 400
    code = "InvalidParameterValue"


class NotFound(GeoappError):
    """The requested thing (collection, feature, county, corridor …) does not exist."""

    exit_code = 1
    http_status = 404
    code = "NotFound"


class NotAcceptable(InvalidParameter):
    """No media type the client accepts (Accept header) is offered here (answered 406,
    with the ``offered`` ones)."""

    http_status = 406
    code = "NotAcceptable"

    def __init__(self, message: str, offered: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.offered = offered


class RequestLineTooLong(InvalidParameter):
    """The URL is longer than the server reads (answered 414)."""

    http_status = 414
    code = "URITooLong"


class UnsupportedMediaType(InvalidParameter):
    """A request body of another media type than the operation takes (answered 415)."""

    http_status = 415
    code = "UnsupportedMediaType"


class CsrfFailed(InvalidParameter):
    """A form or a cookie-authenticated write without this session's CSRF token (400)."""

    code = "CSRFTokenMissing"


class Unauthorized(GeoappError):
    """No valid credentials: a missing, unknown, expired or revoked token (401)."""

    exit_code = 2
    http_status = 401
    code = "Unauthorized"


class Forbidden(GeoappError):
    """Valid credentials without the right: a viewer asking to edit (403)."""

    exit_code = 2
    http_status = 403
    code = "Forbidden"


class PreconditionFailed(GeoappError):
    """An edit made against a version that is no longer current (``If-Match``, 412)."""

    exit_code = 1
    http_status = 412
    code = "PreconditionFailed"


class ServiceUnavailable(GeoappError):
    """The server cannot do this now but will soon: the database is down, or a bounded
    queue (renders) is full. Answered 503 with ``Retry-After: retry_after`` seconds."""

    exit_code = 3
    http_status = 503
    code = "ServiceUnavailable"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after
