"""The stored data: documents, gazetteer places, projects and their mentions.

Geometries are WGS84 (EPSG:4326) with a spatial index. Every project geometry
carries an IATI precision code (1 exact … 6 country) and, when estimated, a note
saying what it was estimated from.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "Base",
    "Meta",
    "Document",
    "Place",
    "Project",
    "ProjectCounty",
    "Mention",
    "GazetteerLayer",
    "GazetteerLayerFeature",
    "User",
    "ApiToken",
    "Correction",
    "ROLES",
    "GEOMETRY",
    "MAX_ID",
    "MAX_OFFSET",
]

#: the largest id an integer primary key holds on both backends (PostgreSQL ``integer``):
#: a larger id in a request is "no such feature" (404), never a database error
MAX_ID = 2**31 - 1
#: the largest paging offset accepted (beyond any real table, inside every SQL OFFSET type)
MAX_OFFSET = 2_000_000_000

GEOMETRY = Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=True)


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Small key/value facts about the database (e.g. which gazetteer build filled ``places``)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Document(Base):
    """One ingested planning document (identified by the SHA-256 of its bytes)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_date: Mapped[date | None] = mapped_column(Date)
    county_code: Mapped[str | None] = mapped_column(String(12))
    county_name: Mapped[str | None] = mapped_column(String(100))
    encoding: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class Place(Base):
    """A gazetteer entry stored for queries and exports (county, township, feature, line)."""

    __tablename__ = "places"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    subtype: Mapped[str | None] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(20))
    county_code: Mapped[str | None] = mapped_column(String(12), index=True)
    admin_path: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    precision: Mapped[int] = mapped_column(Integer)
    location_class: Mapped[int] = mapped_column(Integer)
    radius_km: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    geom = mapped_column(GEOMETRY, nullable=False)


class Project(Base):
    """One real-world work or named area, however many times documents name it."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    #: "project" (a work) or "place" (a named place used as a location: a town, lake, river)
    kind: Mapped[str] = mapped_column(String(20), index=True, default="project")
    name: Mapped[str] = mapped_column(String(300), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(40), index=True)
    subtype: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40), index=True)
    status_phrase: Mapped[str | None] = mapped_column(String(100))
    county_code: Mapped[str | None] = mapped_column(String(12), index=True)
    county_name: Mapped[str | None] = mapped_column(String(100))
    investment_wan: Mapped[float | None] = mapped_column(Float)
    annual_investment_wan: Mapped[float | None] = mapped_column(Float)
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    batch: Mapped[str | None] = mapped_column(String(40))
    lead_unit: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    precision: Mapped[int] = mapped_column(Integer)
    location_class: Mapped[int] = mapped_column(Integer)
    location_note: Mapped[str | None] = mapped_column(Text)
    gazetteer_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    geom = mapped_column(GEOMETRY, nullable=False)
    #: a person corrected it (see :class:`Correction`); its location is then theirs
    corrected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: a person said it is not a project (hidden from every output; reversible)
    rejected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the key of the project a person merged this one into (it is then ``rejected`` too)
    merged_into: Mapped[str | None] = mapped_column(String(300))
    #: why a person should look at it again ("source_changed": a document changed a corrected value)
    review_flag: Mapped[str | None] = mapped_column(String(40))
    #: the feature's properties as JSON text, and the whole feature in CRS84 (derived data,
    #: refreshed by ingestion on PostGIS; NULL elsewhere)
    feature_properties: Mapped[str | None] = mapped_column(Text, deferred=True)
    feature_json: Mapped[str | None] = mapped_column(Text, deferred=True)

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="project", cascade="all, delete-orphan", passive_deletes=True
    )
    counties: Mapped[list[ProjectCounty]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProjectCounty.position"
    )


class ProjectCounty(Base):
    """The counties a project lies in or runs through (first = main)."""

    __tablename__ = "project_counties"

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    county_name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_project_counties_county", "county_code"),)


class Mention(Base):
    """Where a document names a project: section, character offsets and the sentence."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    section: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    surface: Mapped[str] = mapped_column(String(300))
    sentence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))
    status_phrase: Mapped[str | None] = mapped_column(String(100))

    project: Mapped[Project] = relationship(back_populates="mentions")
    document: Mapped[Document] = relationship(back_populates="mentions")


class GazetteerLayer(Base):
    """A user's GIS layer imported as a gazetteer source (``geoapp gazetteer add``)."""

    __tablename__ = "gazetteer_layers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    precision: Mapped[int] = mapped_column(Integer)
    radius_km: Mapped[float | None] = mapped_column(Float)
    #: the file's coordinate system as read (features are stored in WGS84)
    crs: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(Text)
    #: how it was read (fields, encoding …), to say so and to re-import
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    feature_count: Mapped[int] = mapped_column(Integer)
    source_feature_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class GazetteerLayerFeature(Base):
    """A named feature of a layer, WGS84. ``aliases`` and ``county_codes`` are ``|``-joined."""

    __tablename__ = "gazetteer_layer_features"

    id: Mapped[int] = mapped_column(primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("gazetteer_layers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[str | None] = mapped_column(Text)
    subtype: Mapped[str | None] = mapped_column(String(60))
    location_class: Mapped[int] = mapped_column(Integer)
    county_codes: Mapped[str | None] = mapped_column(String(200))
    geom = mapped_column(Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (Index("ix_gazetteer_layer_features_layer", "layer_id"),)


#: who may do what: viewers read (when reading needs a login), editors correct, admins manage users
ROLES = ("viewer", "editor", "admin")


class User(Base):
    """A person who signs in or holds API tokens (``geoapp users add``)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ApiToken(Base):
    """A bearer token of a user: only a salted PBKDF2 hash of its secret is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class Correction(Base):
    """A person's change to a project, kept apart from what the machine extracted.

    Keyed by the project's stable ``key`` (not its id), so it outlives re-ingestion: the project
    as served is the extraction with every active correction applied in order. ``changes`` are
    the new values, ``previous`` the values they replaced (what the machine said, or an earlier
    correction); a revert is itself a correction (``reverts_id``).
    """

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_key: Mapped[str] = mapped_column(String(300), index=True)
    #: "edit", "create" (drawn by hand), "reject" (not a project), "merge", "split" or "revert"
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    previous: Mapped[dict] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    #: "active" or "reverted"
    state: Mapped[str] = mapped_column(String(20), default="active")
    reverts_id: Mapped[int | None] = mapped_column(Integer)
    #: "source_changed" (a later document changed a value it corrects), "orphaned" (no such project now)
    flag: Mapped[str | None] = mapped_column(String(40))
