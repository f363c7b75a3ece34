"""``projects.merged_into``: the key of the project a person merged this one into (it is then
hidden like "not a project", and reported with the kept one).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both backends (as in 0002 and 0005).
def upgrade() -> None:
    op.add_column("projects", sa.Column("merged_into", sa.String(300), nullable=True))


def downgrade() -> None:
    op.drop_column("projects", "merged_into")
