"""Everything that differs between SpatiaLite and PostGIS lives here.

The rest of geoapp builds queries through a :class:`Backend` and never asks
which database it is talking to.

Import order matters: ``mod_spatialite`` pulls the system GEOS/PROJ into the
process' global symbol scope; if shapely, pyproj or pyogrio load after that the
process crashes (``free(): invalid pointer``). So they are imported here, before
any SpatiaLite connection can exist.
"""

from __future__ import annotations

import ctypes.util
import os
import re
from dataclasses import dataclass

# Keep these three imports first (see module docstring).
import pyogrio  # noqa: F401
import pyproj  # noqa: F401
import shapely  # noqa: F401
from geoalchemy2 import load_spatialite
from sqlalchemy import Engine, Integer, column, create_engine, event, func, literal, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.sql import ColumnElement

from geoapp.errors import ConfigError, DatabaseError

__all__ = ["Backend", "SpatiaLiteBackend", "PostGISBackend", "make_engine", "backend_for"]

SPATIALITE_PACKAGE = "libsqlite3-mod-spatialite"


class Backend:
    """Dialect-specific SQL fragments. Subclasses override the small helpers."""

    name = "base"

    def within_distance(self, geom: ColumnElement, wkt: str, metres: float) -> ColumnElement:
        """True where ``geom`` lies within ``metres`` of the WGS84 geometry ``wkt``."""
        raise NotImplementedError

    def bbox_filter(
        self, table: str, geom: ColumnElement, pk: ColumnElement, bbox: tuple[float, ...]
    ) -> ColumnElement:
        """True where ``geom``'s envelope meets ``bbox`` (minx, miny, maxx, maxy), using the index."""
        raise NotImplementedError

    def as_geojson(self, geom: ColumnElement, digits: int = 7) -> ColumnElement:
        return func.ST_AsGeoJSON(geom, digits)

    def geom_from_text(self, wkt: str) -> ColumnElement:
        return func.ST_GeomFromText(literal(wkt), 4326)


class SpatiaLiteBackend(Backend):
    name = "spatialite"

    def within_distance(self, geom, wkt, metres):
        # SpatiaLite 5.0 has no ST_DWithin; ST_Distance(a, b, 1) measures on the ellipsoid.
        # The MBR pre-check (in degrees, generous) keeps it from measuring every row.
        deg = metres / 90_000 + 0.01
        other = self.geom_from_text(wkt)
        return (func.MbrIntersects(geom, func.ST_Expand(other, deg)) == 1) & (
            func.ST_Distance(geom, other, 1) <= metres
        )

    def bbox_filter(self, table, geom, pk, bbox):
        minx, miny, maxx, maxy = bbox
        index = text(
            "SELECT ROWID FROM SpatialIndex WHERE f_table_name = :tbl "
            "AND search_frame = BuildMbr(:minx, :miny, :maxx, :maxy, 4326)"
        ).bindparams(tbl=table, minx=minx, miny=miny, maxx=maxx, maxy=maxy)
        return pk.in_(index.columns(column("ROWID", Integer)))


class PostGISBackend(Backend):
    name = "postgis"

    def within_distance(self, geom, wkt, metres):
        from geoalchemy2 import Geography
        from sqlalchemy import cast

        other = func.ST_GeogFromText(literal(f"SRID=4326;{wkt}"))
        return func.ST_DWithin(cast(geom, Geography), other, metres)

    def bbox_filter(self, table, geom, pk, bbox):
        return geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326))


@dataclass(frozen=True)
class _Parsed:
    dialect: str
    url: str


def _parse(url: str) -> _Parsed:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"GEOAPP_DATABASE_URL is malformed: {url!r}") from None
    dialect = parsed.get_backend_name()
    if dialect not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"GEOAPP_DATABASE_URL must be sqlite:///FILE or postgresql+psycopg://…, got {dialect!r}"
        )
    if dialect == "postgresql" and parsed.get_driver_name() not in ("psycopg", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return _Parsed(dialect, parsed.render_as_string(hide_password=False))


def _spatialite_module():
    """The DBAPI module for SpatiaLite: one that can load extensions."""
    try:
        import pysqlite3.dbapi2 as dbapi
    except ImportError:  # pragma: no cover - pysqlite3 is a pinned dependency
        import sqlite3 as dbapi
    return dbapi


def _check_spatialite_installed() -> None:
    dbapi = _spatialite_module()
    conn = dbapi.connect(":memory:")
    try:
        conn.enable_load_extension(True)
        conn.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
    except Exception:
        found = ctypes.util.find_library("spatialite")
        hint = "" if found is None else f" (found {found}, but it did not load)"
        raise DatabaseError(
            f"the SpatiaLite extension mod_spatialite is missing{hint}: "
            f"install it with `apt-get install {SPATIALITE_PACKAGE}`"
        ) from None
    finally:
        conn.close()


def make_engine(url: str, *, check: bool = True) -> Engine:
    """Create an engine for ``url`` with the spatial extension ready.

    With ``check`` the connection is tried once, so a wrong URL fails here
    with one clear line instead of a traceback later.
    """
    parsed = _parse(url)
    if parsed.dialect == "sqlite":
        os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
        _check_spatialite_installed()
        path = make_url(parsed.url).database
        if path and path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        engine = create_engine(parsed.url, module=_spatialite_module())

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            # transaction=True makes InitSpatialMetaData take ~0.1 s instead of ~14 s.
            load_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")
            dbapi_conn.execute("PRAGMA foreign_keys = ON")
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            dbapi_conn.execute("PRAGMA busy_timeout = 10000")

    else:
        engine = create_engine(parsed.url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            raise DatabaseError(f"cannot connect to the database: {_first_line(exc)}") from None
    return engine


def _first_line(exc: Exception) -> str:
    message = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = message[0] if message else type(exc).__name__
    return re.sub(r"\s+", " ", first)


def backend_for(engine: Engine) -> Backend:
    """The :class:`Backend` for an engine's dialect."""
    return SpatiaLiteBackend() if engine.dialect.name == "sqlite" else PostGISBackend()
