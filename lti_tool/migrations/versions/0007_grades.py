"""grade outbox

Revision ID: 0007_grades
Revises: 0001
Create Date: 2026-11-27 09:50:00
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = "0007_grades"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grade_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("grade_max", sa.Numeric(precision=8, scale=3), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("claimed_at", lti_tool.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", lti_tool.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_grade_outbox_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_grade_outbox_published_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_outbox")),
    )
    with op.batch_alter_table("grade_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_grade_outbox_status_next_attempt_at",
                              ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_grade_outbox_user_id_assessment_id",
                              ["user_id", "assessment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("grade_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_grade_outbox_user_id_assessment_id")
        batch_op.drop_index("ix_grade_outbox_status_next_attempt_at")
    op.drop_table("grade_outbox")
