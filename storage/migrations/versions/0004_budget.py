"""budget: participatory budget cycles, projects, ballots, phase log

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('budget_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('total_budget', sa.BigInteger(), nullable=False),
    sa.Column('ballot_rule', sa.Enum('approval', 'budget_limited', name='ballotrule', native_enum=False, length=16), nullable=False),
    sa.Column('max_picks', sa.Integer(), nullable=True),
    sa.Column('min_share_percent', sa.Integer(), nullable=True),
    sa.Column('allow_ballot_change', sa.Boolean(), nullable=False),
    sa.Column('intake_starts_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('screening_starts_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('voting_starts_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('results_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('current_phase', sa.Enum('upcoming', 'intake', 'screening', 'voting', 'results', 'closed', name='phase', native_enum=False, length=16), nullable=False),
    sa.Column('phase_changed_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('results_published_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("ballot_rule <> 'approval' OR max_picks IS NOT NULL", name=op.f('ck_budget_cycles_approval_has_max')),
    sa.CheckConstraint('intake_starts_at < screening_starts_at AND screening_starts_at < voting_starts_at AND voting_starts_at < results_at AND results_at < closes_at', name=op.f('ck_budget_cycles_phases_ordered')),
    sa.CheckConstraint('min_share_percent IS NULL OR (min_share_percent >= 0 AND min_share_percent <= 100)', name=op.f('ck_budget_cycles_min_share_range')),
    sa.CheckConstraint('total_budget > 0', name=op.f('ck_budget_cycles_budget_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['residents.id'], name=op.f('fk_budget_cycles_created_by_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_cycles'))
    )
    op.create_table('budget_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('proposer_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('dong', sa.String(length=16), nullable=False),
    sa.Column('estimated_cost', sa.BigInteger(), nullable=False),
    sa.Column('photo_file_id', sa.String(length=255), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'rejected', name='projectstatus', native_enum=False, length=16), nullable=False),
    sa.Column('screened_cost', sa.BigInteger(), nullable=True),
    sa.Column('screening_reason', sa.Text(), nullable=True),
    sa.Column('screened_by', sa.Integer(), nullable=True),
    sa.Column('screened_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('screening_round', sa.Integer(), nullable=False),
    sa.Column('result_votes', sa.Integer(), nullable=True),
    sa.Column('result_rank', sa.Integer(), nullable=True),
    sa.Column('funded', sa.Boolean(), nullable=True),
    sa.Column('funding_reason', sa.Enum('funded', 'does_not_fit', 'no_votes', name='fundingreason', native_enum=False, length=16), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('estimated_cost > 0', name=op.f('ck_budget_projects_cost_positive')),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycles.id'], name=op.f('fk_budget_projects_cycle_id_budget_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposer_id'], ['residents.id'], name=op.f('fk_budget_projects_proposer_id_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['screened_by'], ['residents.id'], name=op.f('fk_budget_projects_screened_by_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_projects')),
    sa.UniqueConstraint('cycle_id', 'proposer_id', 'title', name=op.f('uq_budget_projects_cycle_id_proposer_id_title'))
    )
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.create_index('ix_budget_projects_cycle_status', ['cycle_id', 'status'], unique=False)
    op.create_table('budget_ballots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', name='ballotstatus', native_enum=False, length=16), nullable=False),
    sa.Column('submitted_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_code', sa.String(length=16), nullable=True),
    sa.Column('reminded_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycles.id'], name=op.f('fk_budget_ballots_cycle_id_budget_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_budget_ballots_resident_id_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ballots')),
    sa.UniqueConstraint('cycle_id', 'resident_id', name=op.f('uq_budget_ballots_cycle_id_resident_id')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_budget_ballots_receipt_code'))
    )
    op.create_table('budget_ballot_picks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['budget_ballots.id'], name=op.f('fk_budget_ballot_picks_ballot_id_budget_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['budget_projects.id'], name=op.f('fk_budget_ballot_picks_project_id_budget_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ballot_picks')),
    sa.UniqueConstraint('ballot_id', 'project_id', name=op.f('uq_budget_ballot_picks_ballot_id_project_id'))
    )
    with op.batch_alter_table('budget_ballot_picks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_ballot_picks_project_id'), ['project_id'], unique=False)
    op.create_table('budget_phase_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('from_phase', sa.Enum('upcoming', 'intake', 'screening', 'voting', 'results', 'closed', name='phase', native_enum=False, length=16), nullable=False),
    sa.Column('to_phase', sa.Enum('upcoming', 'intake', 'screening', 'voting', 'results', 'closed', name='phase', native_enum=False, length=16), nullable=False),
    sa.Column('source', sa.Enum('schedule', 'staff', name='phasechangesource', native_enum=False, length=16), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('changed_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycles.id'], name=op.f('fk_budget_phase_changes_cycle_id_budget_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['residents.id'], name=op.f('fk_budget_phase_changes_staff_id_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_phase_changes'))
    )
    with op.batch_alter_table('budget_phase_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_phase_changes_cycle_id'), ['cycle_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('budget_phase_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_phase_changes_cycle_id'))
    op.drop_table('budget_phase_changes')
    with op.batch_alter_table('budget_ballot_picks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_ballot_picks_project_id'))
    op.drop_table('budget_ballot_picks')
    op.drop_table('budget_ballots')
    with op.batch_alter_table('budget_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_projects_cycle_status')
    op.drop_table('budget_projects')
    op.drop_table('budget_cycles')
