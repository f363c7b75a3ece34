"""The data version: one ``meta`` row that every change of the served data rewrites
(see ``geoapp/store/data_version.py``), so the API's validators cost one primary-key lookup.
A database from before it gets a first value here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_META = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.select(_META.c.key).where(_META.c.key == "data_version")).first() is None:
        op.execute(_META.insert().values(key="data_version", value=uuid.uuid4().hex))


def downgrade() -> None:
    op.execute(_META.delete().where(_META.c.key == "data_version"))
