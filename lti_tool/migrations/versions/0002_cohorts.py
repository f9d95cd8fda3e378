"""cohort jurors

Revision ID: 0002_cohorts
Revises: 0001
Create Date: 2026-11-27 09:45:00
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = "0002_cohorts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cohort_jurors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("appointed_by_id", sa.Integer(), nullable=True),
        sa.Column("appointed_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                                name=op.f("fk_cohort_jurors_cohort_id_cohorts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_cohort_jurors_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["appointed_by_id"], ["users.id"],
                                name=op.f("fk_cohort_jurors_appointed_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_jurors")),
        sa.UniqueConstraint("cohort_id", "user_id",
                            name=op.f("uq_cohort_jurors_cohort_id_user_id")),
    )
    with op.batch_alter_table("cohort_jurors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_jurors_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cohort_jurors_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cohort_jurors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_jurors_user_id"))
        batch_op.drop_index(batch_op.f("ix_cohort_jurors_cohort_id"))
    op.drop_table("cohort_jurors")
