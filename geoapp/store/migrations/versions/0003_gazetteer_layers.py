"""Users' GIS layers as gazetteer sources: gazetteer_layers and gazetteer_layer_features.

A layer is managed data (``geoapp gazetteer add/layers/remove``): its source, licence,
precision, CRS and import time, and its named features in WGS84. The features table has
no spatial index: the gazetteer reads it whole, by layer, and an index would slow the
import of large layers (500,000 OSM features) for no query that uses it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import alembic_helpers  # noqa: F401  (registers the geospatial ops)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gazetteer_layers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.Text()),
        sa.Column("precision", sa.Integer(), nullable=False),
        sa.Column("radius_km", sa.Float()),
        sa.Column("crs", sa.String(200), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
        sa.Column("source_feature_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_geospatial_table(
        "gazetteer_layer_features",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "layer_id",
            sa.Integer(),
            sa.ForeignKey("gazetteer_layers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("aliases", sa.Text()),
        sa.Column("subtype", sa.String(60)),
        sa.Column("location_class", sa.Integer(), nullable=False),
        sa.Column("county_codes", sa.String(200)),
        sa.Column(
            "geom",
            geoalchemy2.Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=False),
            nullable=False,
        ),
    )
    op.create_index("ix_gazetteer_layer_features_layer", "gazetteer_layer_features", ["layer_id"])


def downgrade() -> None:
    op.drop_index("ix_gazetteer_layer_features_layer", table_name="gazetteer_layer_features")
    op.drop_geospatial_table("gazetteer_layer_features")
    op.drop_table("gazetteer_layers")
