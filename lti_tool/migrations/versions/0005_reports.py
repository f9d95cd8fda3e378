"""reflective report submissions and deadlines

Revision ID: 0005_reports
Revises: 0004_portfolio
Create Date: 2026-11-27 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = "0005_reports"
down_revision = "0004_portfolio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("synthesis_html", sa.Text(), nullable=False),
        sa.Column("entry_ids_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", lti_tool.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("snapshot_json", sa.Text(), nullable=True),
        sa.Column("reopened_at", lti_tool.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_report_submissions_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                                name=op.f("fk_report_submissions_cohort_id_cohorts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reopened_by_id"], ["users.id"],
                                name=op.f("fk_report_submissions_reopened_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_submissions")),
        sa.UniqueConstraint("user_id", "cohort_id", "version",
                            name=op.f("uq_report_submissions_user_id_cohort_id_version")),
    )
    with op.batch_alter_table("report_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_submissions_user_id"), ["user_id"],
                              unique=False)
        batch_op.create_index("ix_report_submissions_cohort_id_status", ["cohort_id", "status"],
                              unique=False)
    op.create_table(
        "report_deadlines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.String(length=50), nullable=False),
        sa.Column("due_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", lti_tool.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"],
                                name=op.f("fk_report_deadlines_cohort_id_cohorts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"],
                                name=op.f("fk_report_deadlines_set_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deadlines")),
        sa.UniqueConstraint("cohort_id", "assessment_id",
                            name=op.f("uq_report_deadlines_cohort_id_assessment_id")),
    )


def downgrade() -> None:
    op.drop_table("report_deadlines")
    with op.batch_alter_table("report_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_report_submissions_cohort_id_status")
        batch_op.drop_index(batch_op.f("ix_report_submissions_user_id"))
    op.drop_table("report_submissions")
