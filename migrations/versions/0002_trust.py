"""trust: consent from paper forms, per-school code attempts, keyed code hashes.

- consents: a decision may come from a signed paper form recorded by staff (source, the
  form's number, the date signed, who recorded it), so `account_id` becomes optional;
  an index by student for the consent gate.
- link_attempts: the school of the code tried, for the per-school failure cap.
- link_codes: hashes become HMAC-SHA-256 under a server secret. The old plain SHA-256
  hashes cannot be converted (the codes are not known), so codes still unused are revoked:
  they are re-issued from the bot or `diary codes issue`. Used and revoked rows stay.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("consents", sa.Column("source", sa.String(length=10),
                                        server_default="bot", nullable=False))
    op.add_column("consents", sa.Column("signed_on", sa.Date(), nullable=True))
    op.add_column("consents", sa.Column("form_number", sa.String(length=40), nullable=True))
    op.add_column("consents", sa.Column("recorded_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_consents_recorded_by_id_staff"), "consents", "staff",
                          ["recorded_by_id"], ["id"], ondelete="SET NULL")
    op.alter_column("consents", "account_id", existing_type=sa.Integer(), nullable=True)
    op.create_check_constraint(
        op.f("ck_consents_source"), "consents",
        "(source = 'bot' AND account_id IS NOT NULL) OR "
        "(source = 'paper' AND form_number IS NOT NULL AND signed_on IS NOT NULL)")
    op.create_index(op.f("ix_consents_student_id"), "consents", ["student_id"], unique=False)

    op.add_column("link_attempts", sa.Column("school_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_link_attempts_school_id_schools"), "link_attempts",
                          "schools", ["school_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_link_attempts_school_time", "link_attempts",
                    ["school_id", "attempted_at"], unique=False)

    op.execute("UPDATE link_codes SET revoked_at = now() "
               "WHERE used_at IS NULL AND revoked_at IS NULL")


def downgrade() -> None:
    op.drop_index("ix_link_attempts_school_time", table_name="link_attempts")
    op.drop_constraint(op.f("fk_link_attempts_school_id_schools"), "link_attempts",
                       type_="foreignkey")
    op.drop_column("link_attempts", "school_id")

    op.drop_index(op.f("ix_consents_student_id"), table_name="consents")
    op.drop_constraint(op.f("ck_consents_source"), "consents", type_="check")
    # Paper decisions have no chat to belong to in the old schema.
    op.execute("DELETE FROM consents WHERE account_id IS NULL")
    op.alter_column("consents", "account_id", existing_type=sa.Integer(), nullable=False)
    op.drop_constraint(op.f("fk_consents_recorded_by_id_staff"), "consents",
                       type_="foreignkey")
    for column in ("recorded_by_id", "form_number", "signed_on", "source"):
        op.drop_column("consents", column)
