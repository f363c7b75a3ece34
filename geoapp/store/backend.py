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
from typing import Any

# Keep these three imports first (see module docstring).
import pyogrio  # noqa: F401
import pyproj  # noqa: F401
import shapely  # noqa: F401
from geoalchemy2 import load_spatialite
from sqlalchemy import (
    Engine,
    FromClause,
    Integer,
    Select,
    column,
    create_engine,
    event,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import ColumnElement

from geoapp.errors import ConfigError, DatabaseError

__all__ = [
    "Backend",
    "SpatiaLiteBackend",
    "PostGISBackend",
    "make_engine",
    "backend_for",
    "SPATIAL_PREDICATES",
]

SPATIALITE_PACKAGE = "libsqlite3-mod-spatialite"
#: DE-9IM predicates both databases have (SpatiaLite 5, PostGIS 3) as ST_<Name>
SPATIAL_PREDICATES = (
    "intersects",
    "disjoint",
    "contains",
    "within",
    "touches",
    "crosses",
    "overlaps",
    "equals",
)


#: a column in a query: a Core expression or a mapped attribute (``Project.geom``)
SQLColumn = ColumnElement[Any] | QueryableAttribute[Any]


class Backend:
    """Dialect-specific SQL fragments. Subclasses override the small helpers."""

    name = "base"

    def within_distance(self, geom: SQLColumn, wkt: str, metres: float) -> ColumnElement:
        """True where ``geom`` lies within ``metres`` of the WGS84 geometry ``wkt``."""
        raise NotImplementedError

    def bbox_filter(
        self, table: str, geom: SQLColumn, pk: SQLColumn, bbox: tuple[float, ...]
    ) -> ColumnElement:
        """True where ``geom``'s envelope meets ``bbox`` (minx, miny, maxx, maxy), using the index."""
        raise NotImplementedError

    def as_geojson(self, geom: SQLColumn, digits: int = 7) -> ColumnElement:
        return func.ST_AsGeoJSON(geom, digits)

    def geom_from_text(self, wkt: str) -> ColumnElement:
        return func.ST_GeomFromText(literal(wkt), 4326)

    # -- OGC API – Features and downloads (geoapp.catalog.sources) --------------------
    #: whether the database builds feature JSON (json_properties … list_agg work here)
    builds_json = False
    #: connections an export may read with at once (each on its own CPU core)
    parallel_reads = 1

    def envelope(self, bbox: tuple[float, ...]) -> ColumnElement:
        """A WGS84 rectangle (minx, miny, maxx, maxy) as a geometry."""
        return func.ST_MakeEnvelope(*(float(v) for v in bbox), 4326)

    def spatial_predicate(self, name: str, geom: ColumnElement, other: ColumnElement) -> ColumnElement:
        """A boolean DE-9IM predicate (``intersects``, ``within`` …) usable in WHERE and NOT."""
        if name not in SPATIAL_PREDICATES:
            raise ValueError(f"unknown spatial predicate {name!r}")
        return getattr(func, "ST_" + name.capitalize())(geom, other)

    def envelope_filter(self, geom: ColumnElement, bbox: tuple[float, ...]) -> ColumnElement:
        """True where ``geom``'s envelope meets ``bbox``, for any selectable (no table index lookup)."""
        return geom.op("&&")(self.envelope(bbox))

    def extent(self, geom: ColumnElement) -> tuple[ColumnElement, ...]:
        """Aggregates (minx, miny, maxx, maxy) of ``geom`` over the selected rows."""
        return (
            func.min(func.ST_XMin(geom)),
            func.min(func.ST_YMin(geom)),
            func.max(func.ST_XMax(geom)),
            func.max(func.ST_YMax(geom)),
        )

    def geojson_in(
        self, geom: ColumnElement, epsg: int | None, swap_xy: bool, digits: int
    ) -> ColumnElement | None:
        """GeoJSON geometry text in EPSG ``epsg`` (None: CRS84), axes swapped if asked.

        None when this database should not do it (the caller reprojects in Python).
        """
        return None

    def first_per_group(self, columns: list, group: ColumnElement, order: ColumnElement) -> Select:
        """SELECT ``columns``, one row per ``group`` value: the first in ``order``."""
        rn = func.row_number().over(partition_by=group, order_by=order).label("rn")
        ranked = select(*columns, rn).subquery()
        return select(*(c for c in ranked.c if c.key != "rn")).where(ranked.c.rn == 1)

    def before_bulk_read(self, session) -> None:
        """Tune the current transaction for reading many features (nothing by default)."""

    def export_snapshot(self, session) -> str | None:
        """An id other connections can read the current transaction's data with, or None."""
        return None

    def import_snapshot(self, session, snapshot: str | None) -> None:
        """Begin ``session``'s transaction on ``snapshot`` (from :meth:`export_snapshot`)."""
        raise NotImplementedError

    def json_properties(
        self, pairs: list[tuple[str, ColumnElement]]
    ) -> tuple[FromClause, ColumnElement] | None:
        """A JSON object built by the database from (key, value) pairs, or None (build it in Python).

        Returns a LATERAL row to join (``…JOIN row ON true``) and the JSON text of that row.
        """
        return None

    def json_value(self, column: ColumnElement) -> ColumnElement:
        """A JSON column as :meth:`json_properties` should embed it."""
        return column

    def feature_text(
        self, fid: ColumnElement, geometry: ColumnElement, properties: ColumnElement
    ) -> ColumnElement:
        """A whole GeoJSON Feature as text, from the id and the geometry and properties JSON texts."""
        raise NotImplementedError

    def joined_text(self, session, stmt: Select) -> tuple[int, str | bytes]:
        """(row count, the rows' single text column joined with commas) of ``stmt``."""
        rows = session.execute(stmt).scalars().all()
        return len(rows), ",".join(rows)

    def list_agg(self, value: ColumnElement, order_by: ColumnElement | None = None) -> ColumnElement:
        """Aggregate: the list of ``value`` (a JSON array in :meth:`json_properties`);
        without ``order_by`` in the order rows arrive (callers feed sorted input)."""
        raise NotImplementedError

    def empty_list(self) -> ColumnElement:
        raise NotImplementedError

    def object_list_agg(
        self, pairs: list[tuple[str, ColumnElement]], order_by: ColumnElement
    ) -> ColumnElement:
        """Aggregate: a JSON array of objects built from (key, value) pairs, in ``order_by``."""
        raise NotImplementedError

    def empty_json_list(self) -> ColumnElement:
        raise NotImplementedError


class SpatiaLiteBackend(Backend):
    name = "spatialite"

    def envelope(self, bbox):
        return func.BuildMbr(*(float(v) for v in bbox), 4326)

    def spatial_predicate(self, name, geom, other):
        # SpatiaLite answers 1 / 0 / -1 (-1 = NULL argument): compare, so NOT works as expected.
        return super().spatial_predicate(name, geom, other) == 1

    def envelope_filter(self, geom, bbox):
        return func.MbrIntersects(geom, self.envelope(bbox)) == 1

    def extent(self, geom):
        return (
            func.min(func.MbrMinX(geom)),
            func.min(func.MbrMinY(geom)),
            func.max(func.MbrMaxX(geom)),
            func.max(func.MbrMaxY(geom)),
        )

    def geojson_in(self, geom, epsg, swap_xy, digits):
        # CRS84 as stored: SpatiaLite writes it; anything else is reprojected in Python.
        if epsg is None and not swap_xy:
            return func.ST_AsGeoJSON(geom, digits)
        return None

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
    builds_json = True
    parallel_reads = 2

    def within_distance(self, geom, wkt, metres):
        from geoalchemy2 import Geography
        from sqlalchemy import cast

        other = func.ST_GeogFromText(literal(f"SRID=4326;{wkt}"))
        return func.ST_DWithin(cast(geom, Geography), other, metres)

    def bbox_filter(self, table, geom, pk, bbox):
        return geom.op("&&")(func.ST_MakeEnvelope(*bbox, 4326))

    def geojson_in(self, geom, epsg, swap_xy, digits):
        if epsg is not None and epsg != 4326:
            geom = func.ST_Transform(geom, epsg)
        if swap_xy:
            geom = func.ST_FlipCoordinates(geom)
        # options 0: no "crs" member (PostGIS 3 adds one for SRIDs other than 4326 by default)
        return func.ST_AsGeoJSON(geom, digits, 0)

    def first_per_group(self, columns, group, order):
        from sqlalchemy.dialects.postgresql import distinct_on

        # DISTINCT ON: one sort, ~35 % cheaper than the row_number() window
        return select(*columns).ext(distinct_on(group)).order_by(group, order)

    def before_bulk_read(self, session):
        # JIT compiling the JSON-building expressions costs ~1 s per large query and saves
        # less; SET LOCAL ends with the transaction (the request).
        session.execute(text("SET LOCAL jit = off"))

    def export_snapshot(self, session):
        return session.execute(text("SELECT pg_export_snapshot()")).scalar()

    def import_snapshot(self, session, snapshot):
        if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot or ""):
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        session.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))

    def json_value(self, column):
        from sqlalchemy import cast
        from sqlalchemy.dialects.postgresql import JSONB

        # json columns keep the text they were written with (\u escapes); jsonb writes UTF-8
        return cast(column, JSONB)

    def json_properties(self, pairs):
        from sqlalchemy import Text, cast

        # row_to_json over a LATERAL row (which the planner flattens) is ~30 % faster than
        # json_build_object, which looks up every argument's type on every row.
        row = select(*(value.label(key) for key, value in pairs)).correlate_except(None).lateral("props")
        return row, cast(func.row_to_json(row.table_valued()), Text)

    def feature_text(self, fid, geometry, properties):
        from sqlalchemy import Text, cast

        # One text column per feature: the client then does no per-row work but a join
        # (fetching three columns and assembling them in Python was the export's bottleneck).
        return (
            literal('{"type":"Feature","id":')
            + cast(func.to_json(fid), Text)
            + literal(',"geometry":')
            + func.coalesce(geometry, literal("null"))
            + literal(',"properties":')
            + properties
            + literal("}")
        )

    def joined_text(self, session, stmt):
        # The database joins the chunk: one value instead of a row object per feature.
        # string_agg reads its input in the subquery's (id) order; an ORDER BY inside the
        # aggregate would sort the wide rows a second time. (Text, not bytea: bytea comes
        # back hex-encoded.)
        # The chunk comes back as the UTF-8 bytes the server sent, not decoded into a str
        # that the response would only encode again (~89 MB per 100,000 features; export
        # 51,000 → 65,000 features/s). The loader is swapped for this one query only.
        from psycopg.pq import Format

        sub = stmt.subquery()
        query = select(func.count(), func.string_agg(sub.c[0], literal(",")))
        adapters = session.connection().connection.driver_connection.adapters
        text_oid = adapters.types["text"].oid
        original = adapters.get_loader(text_oid, Format.TEXT)
        adapters.register_loader(text_oid, _raw_text_loader())
        try:
            n, blob = session.execute(query).one()
        finally:
            adapters.register_loader(text_oid, original)
        return n, blob or b""

    def list_agg(self, value, order_by=None):
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        # arrays: row_to_json writes them as JSON arrays, and array_agg is cheaper than json_agg
        return func.array_agg(value if order_by is None else aggregate_order_by(value, order_by))

    def empty_list(self):
        return text("'{}'::text[]")

    def object_list_agg(self, pairs, order_by):
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        # keys are the code's own identifiers (never data): safe as SQL literals
        assert all(key.isidentifier() for key, _ in pairs)
        flat = [x for key, value in pairs for x in (literal_column(f"'{key}'"), value)]
        return func.json_agg(aggregate_order_by(func.json_build_object(*flat), order_by))

    def empty_json_list(self):
        return text("'[]'::json")


def _raw_text_loader():
    """A psycopg loader giving text values as the bytes received (see ``joined_text``)."""
    from psycopg.adapt import Loader

    class RawTextLoader(Loader):
        def load(self, data) -> bytes:
            return bytes(data)

    return RawTextLoader


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
