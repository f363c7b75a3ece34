"""Initial schema: meta, documents, places, projects, project_counties, mentions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import alembic_helpers  # noqa: F401  (registers the geospatial ops)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _geom():
    # The spatial index is created explicitly below, the same way on both backends.
    return geoalchemy2.Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=False)


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text()),
        sa.Column("issuer", sa.String(200)),
        sa.Column("issued_date", sa.Date()),
        sa.Column("county_code", sa.String(12)),
        sa.Column("county_name", sa.String(100)),
        sa.Column("encoding", sa.String(40)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_documents_file_name", "documents", ["file_name"])
    op.create_geospatial_table(
        "places",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subtype", sa.String(40)),
        sa.Column("code", sa.String(20)),
        sa.Column("county_code", sa.String(12)),
        sa.Column("admin_path", sa.String(300)),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("precision", sa.Integer(), nullable=False),
        sa.Column("location_class", sa.Integer(), nullable=False),
        sa.Column("radius_km", sa.Float()),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("geom", _geom(), nullable=False),
    )
    op.create_geospatial_index("idx_places_geom", "places", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("ix_places_name", "places", ["name"])
    op.create_index("ix_places_kind", "places", ["kind"])
    op.create_index("ix_places_county_code", "places", ["county_code"])
    op.create_geospatial_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("subtype", sa.String(40), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_phrase", sa.String(100)),
        sa.Column("county_code", sa.String(12)),
        sa.Column("county_name", sa.String(100)),
        sa.Column("investment_wan", sa.Float()),
        sa.Column("annual_investment_wan", sa.Float()),
        sa.Column("period_start", sa.Integer()),
        sa.Column("period_end", sa.Integer()),
        sa.Column("batch", sa.String(40)),
        sa.Column("lead_unit", sa.String(300)),
        sa.Column("description", sa.Text()),
        sa.Column("precision", sa.Integer(), nullable=False),
        sa.Column("location_class", sa.Integer(), nullable=False),
        sa.Column("location_note", sa.Text()),
        sa.Column("gazetteer_ids", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("geom", _geom(), nullable=False),
    )
    op.create_geospatial_index(
        "idx_projects_geom", "projects", ["geom"], unique=False, postgresql_using="gist"
    )
    for column in ("kind", "name", "category", "status", "county_code"):
        op.create_index(f"ix_projects_{column}", "projects", [column])
    op.create_table(
        "project_counties",
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("county_code", sa.String(12), primary_key=True),
        sa.Column("county_name", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_project_counties_county", "project_counties", ["county_code"])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "project_id",
            sa.Integer(),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("section", sa.Text()),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("surface", sa.String(300), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("status_phrase", sa.String(100)),
    )
    op.create_index("ix_mentions_project_id", "mentions", ["project_id"])
    op.create_index("ix_mentions_document_id", "mentions", ["document_id"])


def downgrade() -> None:
    op.drop_table("mentions")
    op.drop_table("project_counties")
    op.drop_geospatial_table("projects")
    op.drop_geospatial_table("places")
    op.drop_table("documents")
    op.drop_table("meta")
