"""portfolio: outcome ratings, entries, revisions, evidence, shares, comments

Revision ID: 0004_portfolio
Revises: 0001
Create Date: 2026-11-27 09:50:00
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = "0004_portfolio"
down_revision = "0001"
branch_labels = None
depends_on = None


def _utc(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, lti_tool.db.UTCDateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, referred: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint([column], [f"{referred}.id"],
                                   name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "outcome_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        _utc("created_at"),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_outcome_ratings_level_range")),
        _fk("user_id", "outcome_ratings", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_ratings")),
    )
    op.create_index("ix_outcome_ratings_user_outcome_created", "outcome_ratings",
                    ["user_id", "outcome_id", "created_at"])

    op.create_table(
        "portfolio_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("anchor_id", sa.String(length=40), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        _utc("published_at", nullable=True),
        _fk("author_id", "portfolio_entries", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entries")),
    )
    op.create_index("ix_portfolio_entries_author_kind", "portfolio_entries",
                    ["author_id", "kind", "anchor_id"])

    op.create_table(
        "portfolio_entry_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        _utc("saved_at"),
        sa.Column("reason", sa.String(length=16), nullable=False),
        _fk("entry_id", "portfolio_entry_revisions", "portfolio_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entry_revisions")),
    )
    op.create_index(op.f("ix_portfolio_entry_revisions_entry_id"), "portfolio_entry_revisions",
                    ["entry_id"])

    op.create_table(
        "portfolio_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=150), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        _utc("uploaded_at"),
        _fk("entry_id", "portfolio_evidence", "portfolio_entries"),
        _fk("owner_id", "portfolio_evidence", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_evidence")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_portfolio_evidence_storage_key")),
    )
    op.create_index(op.f("ix_portfolio_evidence_entry_id"), "portfolio_evidence", ["entry_id"])
    op.create_index(op.f("ix_portfolio_evidence_owner_id"), "portfolio_evidence", ["owner_id"])

    op.create_table(
        "portfolio_entry_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        _utc("shared_at"),
        _utc("read_at", nullable=True),
        _utc("withdrawn_at", nullable=True),
        _fk("entry_id", "portfolio_entry_shares", "portfolio_entries"),
        _fk("recipient_id", "portfolio_entry_shares", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_entry_shares")),
        sa.UniqueConstraint("entry_id", "recipient_id",
                            name=op.f("uq_portfolio_entry_shares_entry_id_recipient_id")),
    )
    op.create_index(op.f("ix_portfolio_entry_shares_recipient_id"), "portfolio_entry_shares",
                    ["recipient_id"])

    op.create_table(
        "portfolio_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        _utc("created_at"),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        _fk("entry_id", "portfolio_comments", "portfolio_entries"),
        _fk("author_id", "portfolio_comments", "users"),
        _fk("parent_id", "portfolio_comments", "portfolio_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_comments")),
    )
    op.create_index(op.f("ix_portfolio_comments_entry_id"), "portfolio_comments", ["entry_id"])


def downgrade() -> None:
    op.drop_table("portfolio_comments")
    op.drop_table("portfolio_entry_shares")
    op.drop_table("portfolio_evidence")
    op.drop_table("portfolio_entry_revisions")
    op.drop_table("portfolio_entries")
    op.drop_table("outcome_ratings")
