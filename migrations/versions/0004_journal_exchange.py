"""exchange tokens; external ids for periods, work types and subgroups.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

# Copied, not imported: a revision must not change when the models do.
EXTERNAL_TABLES = ("periods", "work_types", "subgroups")


def upgrade() -> None:
    op.create_table(
        "exchange_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], ondelete="CASCADE",
                                name=op.f("fk_exchange_tokens_school_id_schools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_exchange_tokens_token_hash")),
    )
    op.create_index(op.f("ix_exchange_tokens_school_id"), "exchange_tokens", ["school_id"],
                    unique=False)
    op.add_column("subgroups", sa.Column("school_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_subgroups_school_id_schools"), "subgroups", "schools",
                          ["school_id"], ["id"], ondelete="CASCADE")
    op.create_index(op.f("ix_subgroups_school_id"), "subgroups", ["school_id"], unique=False)
    for table in EXTERNAL_TABLES:
        op.add_column(table, sa.Column("external_id", sa.String(length=64), nullable=True))
        op.create_unique_constraint(f"uq_{table}_school_external", table,
                                    ["school_id", "external_id"])


def downgrade() -> None:
    for table in reversed(EXTERNAL_TABLES):
        op.drop_constraint(f"uq_{table}_school_external", table, type_="unique")
        op.drop_column(table, "external_id")
    op.drop_index(op.f("ix_subgroups_school_id"), table_name="subgroups")
    op.drop_constraint(op.f("fk_subgroups_school_id_schools"), "subgroups", type_="foreignkey")
    op.drop_column("subgroups", "school_id")
    op.drop_index(op.f("ix_exchange_tokens_school_id"), table_name="exchange_tokens")
    op.drop_table("exchange_tokens")
