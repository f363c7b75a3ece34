"""Corrections made by people, and the accounts that make them: ``users``, ``api_tokens``,
``corrections``; ``projects.corrected``, ``projects.rejected`` (not a project) and ``projects.review_flag``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both backends (as in 0002): a batch "copy and move" would fight
# SpatiaLite's geometry registry.
def upgrade() -> None:
    op.add_column("projects", sa.Column("corrected", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("projects", sa.Column("rejected", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("projects", sa.Column("review_flag", sa.String(40), nullable=True))
    # "is any project rejected?" is asked before every read: one probe of this (tiny) index,
    # so that readers add "NOT rejected" only when it changes anything
    op.create_index(
        "ix_projects_rejected",
        "projects",
        ["id"],
        postgresql_where=sa.text("rejected"),
        sqlite_where=sa.text("rejected"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("secret_hash", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_key", sa.String(300), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.Column("flag", sa.String(40), nullable=True),
    )
    op.create_index("ix_corrections_project_key", "corrections", ["project_key"])


def downgrade() -> None:
    op.drop_index("ix_corrections_project_key", "corrections")
    op.drop_table("corrections")
    op.drop_index("ix_api_tokens_user_id", "api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_index("ix_projects_rejected", table_name="projects")
    op.drop_column("projects", "review_flag")
    op.drop_column("projects", "rejected")
    op.drop_column("projects", "corrected")
