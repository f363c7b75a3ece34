"""How responses travel: compression and cross-origin access, as the peers do them.

* **Compression** (flask-compress): JSON, GeoJSON, HTML, CSV, KML and the OpenAPI document
  are gzip-compressed (or brotli, when the client prefers it) for clients that send
  ``Accept-Encoding``, streamed exports included, with ``Vary: Accept-Encoding``. Level:
  ``GEOAPP_COMPRESS_LEVEL`` (0 = off). Images are sent as they are (already compressed).
* **CORS** (flask-cors): off by default; ``GEOAPP_CORS_ORIGINS`` lists the origins (or
  ``*``) allowed to read the API from a browser page — GET and HEAD only, preflight
  answered; the map and its pages need no CORS.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["init_transport", "COMPRESSED_TYPES", "CORS_PATHS"]

COMPRESSED_TYPES = [
    "application/json",
    "application/geo+json",
    "application/vnd.oai.openapi+json",
    "application/schema+json",
    "text/html",
    "text/csv",
    "text/plain",
    "application/vnd.google-earth.kml+xml",
    "image/svg+xml",
]
#: the read-only API a page on another origin may call
CORS_PATHS = r"^/(api|collections|conformance|download|maps|healthz)(/.*)?$"


def init_transport(app: Flask) -> None:
    settings = app.config["GEOAPP"]
    level = settings["compress_level"]
    if level:
        from flask_compress import Compress

        app.config.update(
            COMPRESS_MIMETYPES=COMPRESSED_TYPES,
            COMPRESS_ALGORITHM=["gzip", "br"],
            COMPRESS_ALGORITHM_STREAMING=["gzip", "br"],  # (its default leaves gzip out)
            COMPRESS_LEVEL=level,
            COMPRESS_BR_LEVEL=4,
            COMPRESS_MIN_SIZE=1000,
            COMPRESS_STREAMS=True,
        )
        Compress(app)
    origins = [o.strip() for o in settings["cors_origins"].split(",") if o.strip()]
    if origins:
        from flask_cors import CORS

        CORS(
            app,
            resources={CORS_PATHS: {"origins": "*" if "*" in origins else origins}},
            methods=["GET", "HEAD", "OPTIONS"],
            expose_headers=["Content-Crs", "ETag", "Link", "Retry-After", "X-Geoapp-Image-Size"],
            max_age=3600,
        )
