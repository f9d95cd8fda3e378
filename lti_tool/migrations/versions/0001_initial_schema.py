"""Initial schema: every table of the tool.

Revision ID: 0001
Revises: 
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa
import lti_tool.db


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kv_entries',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('expires_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_kv_entries'))
    )
    with op.batch_alter_table('kv_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kv_entries_expires_at'), ['expires_at'], unique=False)

    op.create_table('platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('auth_login_url', sa.String(length=1000), nullable=False),
    sa.Column('auth_token_url', sa.String(length=1000), nullable=False),
    sa.Column('key_set_url', sa.String(length=1000), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platforms')),
    sa.UniqueConstraint('issuer', 'client_id', name=op.f('uq_platforms_issuer_client_id'))
    )
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_platforms_issuer'), ['issuer'], unique=False)

    op.create_table('tool_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=False),
    sa.Column('public_jwk', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_keys')),
    sa.UniqueConstraint('kid', name=op.f('uq_tool_keys_kid'))
    )
    with op.batch_alter_table('tool_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_keys_status'), ['status'], unique=False)

    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('context_id', sa.String(length=255), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('memberships_url', sa.String(length=1000), nullable=True),
    sa.Column('lineitems_url', sa.String(length=1000), nullable=True),
    sa.Column('roster_synced_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_courses_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('platform_id', 'deployment_id', 'context_id', name=op.f('uq_courses_platform_id_deployment_id_context_id'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_platform_id'), ['platform_id'], unique=False)

    op.create_table('deployments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_deployments_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployments')),
    sa.UniqueConstraint('platform_id', 'deployment_id', name=op.f('uq_deployments_platform_id_deployment_id'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('sub', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('locale', sa.String(length=20), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_launch_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_users_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('issuer', 'sub', name=op.f('uq_users_issuer_sub'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_platform_id'), ['platform_id'], unique=False)

    op.create_table('cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('join_code', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cohorts_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohorts')),
    sa.UniqueConstraint('join_code', name=op.f('uq_cohorts_join_code'))
    )
    op.create_table('grade_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.String(length=100), nullable=False),
    sa.Column('grade', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('grade_max', sa.Numeric(precision=8, scale=3), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_grade_outbox_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_grade_outbox_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_outbox'))
    )
    with op.batch_alter_table('grade_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_grade_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_grade_outbox_user_id_assessment_id', ['user_id', 'assessment_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('lti_roles', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_memberships_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_memberships_user_id_course_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('outcome_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 4', name=op.f('ck_outcome_ratings_level_range')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outcome_ratings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_ratings'))
    )
    with op.batch_alter_table('outcome_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_ratings_user_outcome_created', ['user_id', 'outcome_id', 'created_at'], unique=False)

    op.create_table('portfolio_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('anchor_id', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_portfolio_entries_author_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_entries'))
    )
    with op.batch_alter_table('portfolio_entries', schema=None) as batch_op:
        batch_op.create_index('ix_portfolio_entries_author_kind', ['author_id', 'kind', 'anchor_id'], unique=False)

    op.create_table('resource_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.String(length=255), nullable=False),
    sa.Column('resource_link_id', sa.String(length=255), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('target', sa.String(length=200), nullable=True),
    sa.Column('lineitem_url', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_resource_links_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_resource_links_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_links')),
    sa.UniqueConstraint('platform_id', 'deployment_id', 'resource_link_id', name=op.f('uq_resource_links_platform_id_deployment_id_resource_link_id'))
    )
    with op.batch_alter_table('resource_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_links_platform_id'), ['platform_id'], unique=False)

    op.create_table('cohort_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('joined_by_id', sa.Integer(), nullable=True),
    sa.Column('joined_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_courses_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_cohort_courses_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['joined_by_id'], ['users.id'], name=op.f('fk_cohort_courses_joined_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_courses')),
    sa.UniqueConstraint('course_id', name=op.f('uq_cohort_courses_course_id'))
    )
    with op.batch_alter_table('cohort_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_courses_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('cohort_jurors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by_id', sa.Integer(), nullable=True),
    sa.Column('appointed_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appointed_by_id'], ['users.id'], name=op.f('fk_cohort_jurors_appointed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_cohort_jurors_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cohort_jurors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_jurors')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_cohort_jurors_cohort_id_user_id'))
    )
    with op.batch_alter_table('cohort_jurors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_jurors_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_jurors_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_groups_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_groups'))
    )
    with op.batch_alter_table('evaluation_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_groups_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('evaluation_juries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_juries_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_juries_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_juries'))
    )
    with op.batch_alter_table('evaluation_juries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_juries_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('portfolio_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_portfolio_comments_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entry_id'], ['portfolio_entries.id'], name=op.f('fk_portfolio_comments_entry_id_portfolio_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['portfolio_comments.id'], name=op.f('fk_portfolio_comments_parent_id_portfolio_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_comments'))
    )
    with op.batch_alter_table('portfolio_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_comments_entry_id'), ['entry_id'], unique=False)

    op.create_table('portfolio_entry_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('saved_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['portfolio_entries.id'], name=op.f('fk_portfolio_entry_revisions_entry_id_portfolio_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_entry_revisions'))
    )
    with op.batch_alter_table('portfolio_entry_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_entry_revisions_entry_id'), ['entry_id'], unique=False)

    op.create_table('portfolio_entry_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['portfolio_entries.id'], name=op.f('fk_portfolio_entry_shares_entry_id_portfolio_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_portfolio_entry_shares_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_entry_shares')),
    sa.UniqueConstraint('entry_id', 'recipient_id', name=op.f('uq_portfolio_entry_shares_entry_id_recipient_id'))
    )
    with op.batch_alter_table('portfolio_entry_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_entry_shares_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('portfolio_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=150), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['portfolio_entries.id'], name=op.f('fk_portfolio_evidence_entry_id_portfolio_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_portfolio_evidence_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_evidence')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_portfolio_evidence_storage_key'))
    )
    with op.batch_alter_table('portfolio_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_evidence_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_portfolio_evidence_owner_id'), ['owner_id'], unique=False)

    op.create_table('report_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.String(length=50), nullable=False),
    sa.Column('due_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_report_deadlines_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_report_deadlines_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_deadlines')),
    sa.UniqueConstraint('cohort_id', 'assessment_id', name=op.f('uq_report_deadlines_cohort_id_assessment_id'))
    )
    op.create_table('report_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('synthesis_html', sa.Text(), nullable=False),
    sa.Column('entry_ids_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('snapshot_json', sa.Text(), nullable=True),
    sa.Column('reopened_at', lti_tool.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_report_submissions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_report_submissions_reopened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_submissions')),
    sa.UniqueConstraint('user_id', 'cohort_id', 'version', name=op.f('uq_report_submissions_user_id_cohort_id_version'))
    )
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_report_submissions_cohort_id_status', ['cohort_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_submissions_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.String(length=60), nullable=False),
    sa.Column('jury_id', sa.Integer(), nullable=False),
    sa.Column('candidate_user_id', sa.Integer(), nullable=True),
    sa.Column('candidate_group_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(candidate_user_id IS NULL) <> (candidate_group_id IS NULL)', name=op.f('ck_evaluation_assignments_one_candidate')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_evaluation_assignments_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_group_id'], ['evaluation_groups.id'], name=op.f('fk_evaluation_assignments_candidate_group_id_evaluation_groups'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['candidate_user_id'], ['users.id'], name=op.f('fk_evaluation_assignments_candidate_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_assignments_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['jury_id'], ['evaluation_juries.id'], name=op.f('fk_evaluation_assignments_jury_id_evaluation_juries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_assignments')),
    sa.UniqueConstraint('assessment_id', 'candidate_group_id', name=op.f('uq_evaluation_assignments_assessment_id_candidate_group_id')),
    sa.UniqueConstraint('assessment_id', 'candidate_user_id', name=op.f('uq_evaluation_assignments_assessment_id_candidate_user_id'))
    )
    with op.batch_alter_table('evaluation_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_assignments_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_assignments_jury_id'), ['jury_id'], unique=False)

    op.create_table('evaluation_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_group_members_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['evaluation_groups.id'], name=op.f('fk_evaluation_group_members_group_id_evaluation_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_group_members')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_evaluation_group_members_cohort_id_user_id'))
    )
    with op.batch_alter_table('evaluation_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_group_members_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_group_members_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_jury_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('jury_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('is_chair', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['jury_id'], ['evaluation_juries.id'], name=op.f('fk_evaluation_jury_members_jury_id_evaluation_juries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_jury_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_jury_members')),
    sa.UniqueConstraint('jury_id', 'user_id', name=op.f('uq_evaluation_jury_members_jury_id_user_id'))
    )
    with op.batch_alter_table('evaluation_jury_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_jury_members_jury_id'), ['jury_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_jury_members_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_agreed_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=60), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('agreed_by_id', sa.Integer(), nullable=True),
    sa.Column('agreed_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreed_by_id'], ['users.id'], name=op.f('fk_evaluation_agreed_scores_agreed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluation_assignments.id'], name=op.f('fk_evaluation_agreed_scores_assignment_id_evaluation_assignments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_agreed_scores')),
    sa.UniqueConstraint('assignment_id', 'criterion_id', name=op.f('uq_evaluation_agreed_scores_assignment_id_criterion_id'))
    )
    with op.batch_alter_table('evaluation_agreed_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_agreed_scores_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('evaluation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('assessment_id', sa.String(length=60), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('candidate_user_id', sa.Integer(), nullable=True),
    sa.Column('candidate_group_id', sa.Integer(), nullable=True),
    sa.Column('subject_user_id', sa.Integer(), nullable=True),
    sa.Column('criterion_id', sa.String(length=60), nullable=True),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('created_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_evaluation_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluation_assignments.id'], name=op.f('fk_evaluation_events_assignment_id_evaluation_assignments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_group_id'], ['evaluation_groups.id'], name=op.f('fk_evaluation_events_candidate_group_id_evaluation_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_user_id'], ['users.id'], name=op.f('fk_evaluation_events_candidate_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_events_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_user_id'], ['users.id'], name=op.f('fk_evaluation_events_subject_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_events'))
    )
    with op.batch_alter_table('evaluation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_events_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_events_created_at'), ['created_at'], unique=False)

    op.create_table('evaluation_juror_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('juror_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=60), nullable=False),
    sa.Column('points', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('updated_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluation_assignments.id'], name=op.f('fk_evaluation_juror_scores_assignment_id_evaluation_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['juror_id'], ['users.id'], name=op.f('fk_evaluation_juror_scores_juror_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_juror_scores')),
    sa.UniqueConstraint('assignment_id', 'juror_id', 'criterion_id', name=op.f('uq_evaluation_juror_scores_assignment_id_juror_id_criterion_id'))
    )
    with op.batch_alter_table('evaluation_juror_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_juror_scores_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_juror_scores_juror_id'), ['juror_id'], unique=False)

    op.create_table('evaluation_juror_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('juror_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluation_assignments.id'], name=op.f('fk_evaluation_juror_submissions_assignment_id_evaluation_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['juror_id'], ['users.id'], name=op.f('fk_evaluation_juror_submissions_juror_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_juror_submissions')),
    sa.UniqueConstraint('assignment_id', 'juror_id', name=op.f('uq_evaluation_juror_submissions_assignment_id_juror_id'))
    )
    with op.batch_alter_table('evaluation_juror_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_juror_submissions_assignment_id'), ['assignment_id'], unique=False)

    op.create_table('evaluation_published_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('rubric_grade', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('adjustment', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('adjustment_justification', sa.Text(), nullable=False),
    sa.Column('grade', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', lti_tool.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['evaluation_assignments.id'], name=op.f('fk_evaluation_published_results_assignment_id_evaluation_assignments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_evaluation_published_results_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_evaluation_published_results_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluation_published_results_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_published_results')),
    sa.UniqueConstraint('assignment_id', 'user_id', name=op.f('uq_evaluation_published_results_assignment_id_user_id'))
    )
    with op.batch_alter_table('evaluation_published_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_published_results_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_published_results_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_published_results_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evaluation_published_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_published_results_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_published_results_cohort_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_published_results_assignment_id'))

    op.drop_table('evaluation_published_results')
    with op.batch_alter_table('evaluation_juror_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_juror_submissions_assignment_id'))

    op.drop_table('evaluation_juror_submissions')
    with op.batch_alter_table('evaluation_juror_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_juror_scores_juror_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_juror_scores_assignment_id'))

    op.drop_table('evaluation_juror_scores')
    with op.batch_alter_table('evaluation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_events_created_at'))
        batch_op.drop_index(batch_op.f('ix_evaluation_events_cohort_id'))

    op.drop_table('evaluation_events')
    with op.batch_alter_table('evaluation_agreed_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_agreed_scores_assignment_id'))

    op.drop_table('evaluation_agreed_scores')
    with op.batch_alter_table('evaluation_jury_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_jury_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_jury_members_jury_id'))

    op.drop_table('evaluation_jury_members')
    with op.batch_alter_table('evaluation_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_group_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_group_members_group_id'))

    op.drop_table('evaluation_group_members')
    with op.batch_alter_table('evaluation_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_assignments_jury_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_assignments_cohort_id'))

    op.drop_table('evaluation_assignments')
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_submissions_user_id'))
        batch_op.drop_index('ix_report_submissions_cohort_id_status')

    op.drop_table('report_submissions')
    op.drop_table('report_deadlines')
    with op.batch_alter_table('portfolio_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_evidence_owner_id'))
        batch_op.drop_index(batch_op.f('ix_portfolio_evidence_entry_id'))

    op.drop_table('portfolio_evidence')
    with op.batch_alter_table('portfolio_entry_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_entry_shares_recipient_id'))

    op.drop_table('portfolio_entry_shares')
    with op.batch_alter_table('portfolio_entry_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_entry_revisions_entry_id'))

    op.drop_table('portfolio_entry_revisions')
    with op.batch_alter_table('portfolio_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portfolio_comments_entry_id'))

    op.drop_table('portfolio_comments')
    with op.batch_alter_table('evaluation_juries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_juries_cohort_id'))

    op.drop_table('evaluation_juries')
    with op.batch_alter_table('evaluation_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_groups_cohort_id'))

    op.drop_table('evaluation_groups')
    with op.batch_alter_table('cohort_jurors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_jurors_user_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_jurors_cohort_id'))

    op.drop_table('cohort_jurors')
    with op.batch_alter_table('cohort_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_courses_cohort_id'))

    op.drop_table('cohort_courses')
    with op.batch_alter_table('resource_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_links_platform_id'))

    op.drop_table('resource_links')
    with op.batch_alter_table('portfolio_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_portfolio_entries_author_kind')

    op.drop_table('portfolio_entries')
    with op.batch_alter_table('outcome_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_ratings_user_outcome_created')

    op.drop_table('outcome_ratings')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_course_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('grade_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_grade_outbox_user_id_assessment_id')
        batch_op.drop_index('ix_grade_outbox_status_next_attempt_at')

    op.drop_table('grade_outbox')
    op.drop_table('cohorts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_platform_id'))

    op.drop_table('users')
    op.drop_table('deployments')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_platform_id'))

    op.drop_table('courses')
    with op.batch_alter_table('tool_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_keys_status'))

    op.drop_table('tool_keys')
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_platforms_issuer'))

    op.drop_table('platforms')
    with op.batch_alter_table('kv_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kv_entries_expires_at'))

    op.drop_table('kv_entries')
