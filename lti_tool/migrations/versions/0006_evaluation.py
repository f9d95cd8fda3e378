"""evaluation: groups, juries, assignments, jurors' scores, agreement, results, audit log

Revision ID: 0006_evaluation
Revises: 0001
Create Date: 2026-11-27 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = "0006_evaluation"
down_revision = "0001"
branch_labels = None
depends_on = None

POINTS = sa.Numeric(8, 2)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, lti_tool.db.UTCDateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, referred: str, ondelete: str):
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"],
                                   name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete)


def _pk(table: str):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def _unique(table: str, *columns: str):
    return sa.UniqueConstraint(*columns, name=op.f(f"uq_{table}_{'_'.join(columns)}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    t = "evaluation_groups"
    op.create_table(
        t, _id(), _int("cohort_id"), sa.Column("name", sa.String(200), nullable=False),
        _int("created_by_id", True), _utc("created_at"),
        _fk(t, "cohort_id", "cohorts", "CASCADE"), _fk(t, "created_by_id", "users", "SET NULL"),
        _pk(t))
    _index(t, "cohort_id")

    t = "evaluation_group_members"
    op.create_table(
        t, _id(), _int("group_id"), _int("cohort_id"), _int("user_id"),
        _fk(t, "group_id", "evaluation_groups", "CASCADE"),
        _fk(t, "cohort_id", "cohorts", "CASCADE"), _fk(t, "user_id", "users", "CASCADE"),
        _pk(t), _unique(t, "cohort_id", "user_id"))
    _index(t, "group_id")
    _index(t, "user_id")

    t = "evaluation_juries"
    op.create_table(
        t, _id(), _int("cohort_id"), sa.Column("name", sa.String(200), nullable=False),
        _int("created_by_id", True), _utc("created_at"),
        _fk(t, "cohort_id", "cohorts", "CASCADE"), _fk(t, "created_by_id", "users", "SET NULL"),
        _pk(t))
    _index(t, "cohort_id")

    t = "evaluation_jury_members"
    op.create_table(
        t, _id(), _int("jury_id"), _int("user_id"),
        sa.Column("is_chair", sa.Boolean(), nullable=False),
        _fk(t, "jury_id", "evaluation_juries", "CASCADE"), _fk(t, "user_id", "users", "CASCADE"),
        _pk(t), _unique(t, "jury_id", "user_id"))
    _index(t, "jury_id")
    _index(t, "user_id")

    t = "evaluation_assignments"
    op.create_table(
        t, _id(), _int("cohort_id"), sa.Column("assessment_id", sa.String(60), nullable=False),
        _int("jury_id"), _int("candidate_user_id", True), _int("candidate_group_id", True),
        _int("assigned_by_id", True), _utc("assigned_at"),
        sa.CheckConstraint("(candidate_user_id IS NULL) <> (candidate_group_id IS NULL)",
                           name=op.f("ck_evaluation_assignments_one_candidate")),
        _fk(t, "cohort_id", "cohorts", "CASCADE"),
        _fk(t, "jury_id", "evaluation_juries", "RESTRICT"),
        _fk(t, "candidate_user_id", "users", "CASCADE"),
        _fk(t, "candidate_group_id", "evaluation_groups", "RESTRICT"),
        _fk(t, "assigned_by_id", "users", "SET NULL"),
        _pk(t), _unique(t, "assessment_id", "candidate_user_id"),
        _unique(t, "assessment_id", "candidate_group_id"))
    _index(t, "cohort_id")
    _index(t, "jury_id")

    t = "evaluation_juror_scores"
    op.create_table(
        t, _id(), _int("assignment_id"), _int("juror_id"),
        sa.Column("criterion_id", sa.String(60), nullable=False),
        sa.Column("points", POINTS, nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(12), nullable=False), _utc("updated_at"),
        _fk(t, "assignment_id", "evaluation_assignments", "CASCADE"),
        _fk(t, "juror_id", "users", "CASCADE"),
        _pk(t), _unique(t, "assignment_id", "juror_id", "criterion_id"))
    _index(t, "assignment_id")
    _index(t, "juror_id")

    t = "evaluation_juror_submissions"
    op.create_table(
        t, _id(), _int("assignment_id"), _int("juror_id"), _utc("submitted_at"),
        _fk(t, "assignment_id", "evaluation_assignments", "CASCADE"),
        _fk(t, "juror_id", "users", "CASCADE"),
        _pk(t), _unique(t, "assignment_id", "juror_id"))
    _index(t, "assignment_id")

    t = "evaluation_agreed_scores"
    op.create_table(
        t, _id(), _int("assignment_id"), sa.Column("criterion_id", sa.String(60), nullable=False),
        sa.Column("points", POINTS, nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        _int("agreed_by_id", True), _utc("agreed_at"),
        _fk(t, "assignment_id", "evaluation_assignments", "CASCADE"),
        _fk(t, "agreed_by_id", "users", "SET NULL"),
        _pk(t), _unique(t, "assignment_id", "criterion_id"))
    _index(t, "assignment_id")

    t = "evaluation_published_results"
    op.create_table(
        t, _id(), _int("assignment_id"), _int("cohort_id"),
        sa.Column("assessment_id", sa.String(60), nullable=False), _int("user_id"),
        sa.Column("rubric_grade", POINTS, nullable=False),
        sa.Column("adjustment", POINTS, nullable=False),
        sa.Column("adjustment_justification", sa.Text(), nullable=False),
        sa.Column("grade", POINTS, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        _int("published_by_id", True), _utc("published_at"),
        _fk(t, "assignment_id", "evaluation_assignments", "CASCADE"),
        _fk(t, "cohort_id", "cohorts", "CASCADE"), _fk(t, "user_id", "users", "CASCADE"),
        _fk(t, "published_by_id", "users", "SET NULL"),
        _pk(t), _unique(t, "assignment_id", "user_id"))
    _index(t, "assignment_id")
    _index(t, "cohort_id")
    _index(t, "user_id")

    t = "evaluation_events"
    op.create_table(
        t, _id(), _int("cohort_id"), _int("actor_id", True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("assessment_id", sa.String(60), nullable=False),
        _int("assignment_id", True), _int("candidate_user_id", True),
        _int("candidate_group_id", True), _int("subject_user_id", True),
        sa.Column("criterion_id", sa.String(60), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True), _utc("created_at"),
        _fk(t, "cohort_id", "cohorts", "CASCADE"), _fk(t, "actor_id", "users", "SET NULL"),
        _fk(t, "assignment_id", "evaluation_assignments", "SET NULL"),
        _fk(t, "candidate_user_id", "users", "SET NULL"),
        _fk(t, "candidate_group_id", "evaluation_groups", "SET NULL"),
        _fk(t, "subject_user_id", "users", "SET NULL"),
        _pk(t))
    _index(t, "cohort_id")
    _index(t, "created_at")


def downgrade() -> None:
    for table in ("evaluation_events", "evaluation_published_results",
                  "evaluation_agreed_scores", "evaluation_juror_submissions",
                  "evaluation_juror_scores", "evaluation_assignments",
                  "evaluation_jury_members", "evaluation_juries", "evaluation_group_members",
                  "evaluation_groups"):
        op.drop_table(table)
