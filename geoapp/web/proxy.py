"""Where the service is, as its users see it: the one place that sets the public base URL.

Every absolute link (OGC ``self``/``next``/``alternate`` links, the landing page, the
OpenAPI ``servers``) is built from the WSGI environ's scheme, host and ``SCRIPT_NAME``
(Flask's ``request.url_root``). Behind a reverse proxy those describe the proxy's
connection to the app, not the user's; this module corrects the environ before Flask
sees it, so no link builder needs to know about proxies:

* ``GEOAPP_PUBLIC_URL`` (``https://maps.example.cn/geoapp``) fixes scheme, host and path
  prefix. Requests may arrive with the prefix (it is taken off the path) or without it
  (a proxy that strips it, or ``werkzeug``'s ``DispatcherMiddleware``).
* ``GEOAPP_TRUSTED_PROXIES`` (a count, default 0) trusts that many proxies'
  ``X-Forwarded-For/-Proto/-Host/-Port/-Prefix`` headers (werkzeug's ``ProxyFix``).
  With 0 they are ignored: a client cannot make the service write links to another host.
  ``GEOAPP_PUBLIC_URL``, when set, wins over the headers for scheme, host and prefix.

>>> PublicUrl(None, "https://maps.example.cn/geo/").prefix
'/geo'
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from geoapp.errors import ConfigError

__all__ = ["PublicUrl", "wrap"]


class PublicUrl:
    """WSGI middleware: scheme, host and path prefix from ``public_url``."""

    def __init__(self, app, public_url: str) -> None:
        parts = urlsplit(public_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ConfigError(
                f"GEOAPP_PUBLIC_URL must look like https://host[:port][/prefix], got {public_url[:80]!r}"
            )
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.server_name = parts.hostname
        self.port = str(parts.port or (443 if parts.scheme == "https" else 80))
        self.prefix = parts.path.rstrip("/")

    def __call__(self, environ: dict[str, Any], start_response):
        environ = dict(environ)  # the server's own copy stays as received (its access log reads it)
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SERVER_NAME"] = self.server_name
        environ["SERVER_PORT"] = self.port
        if self.prefix:
            path = environ.get("PATH_INFO", "")
            if path == self.prefix or path.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = path[len(self.prefix):] or "/"  # fmt: skip
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def wrap(wsgi_app, settings: dict[str, Any]):
    """``wsgi_app`` behind the configured public URL and trusted proxies (unchanged when neither is set)."""
    if settings.get("public_url"):
        wsgi_app = PublicUrl(wsgi_app, settings["public_url"])
    hops = settings.get("trusted_proxies") or 0
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # outermost: the client's address (X-Forwarded-For) reaches the request log even when
        # GEOAPP_PUBLIC_URL decides the links
        wsgi_app = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    return wsgi_app
