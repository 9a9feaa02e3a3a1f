"""meetings: video meetings, registrations with a waiting list, attendance (issue 16)

Revision ID: 0008
Revises: 0001
Depends on: 0005 (meetings link their satisfaction survey)
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = "0005"

UTC = storage.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('department', sa.String(length=40), nullable=False),
    sa.Column('starts_at', UTC, nullable=False),
    sa.Column('ends_at', UTC, nullable=False),
    sa.Column('url', sa.String(length=512), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_deadline', UTC, nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('dong', sa.String(length=16), nullable=True),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('code_rotated_at', UTC, nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='meetingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('schedule_version', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', UTC, nullable=True),
    sa.Column('recording_url', sa.String(length=512), nullable=True),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('after_sent_at', UTC, nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_meetings_ends_after_start')),
    sa.CheckConstraint('registration_deadline <= starts_at', name=op.f('ck_meetings_deadline_before_start')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_meetings_points_not_negative')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_meetings_capacity_positive')),
    sa.CheckConstraint('schedule_version >= 1', name=op.f('ck_meetings_schedule_version_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['residents.id'], name=op.f('fk_meetings_created_by_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_meetings_survey_id_surveys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('code', name=op.f('uq_meetings_code'))
    )
    op.create_index('ix_meetings_status_starts_at', 'meetings', ['status', 'starts_at'], unique=False)

    op.create_table('meeting_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'waiting', 'cancelled', name='registrationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('promoted_at', UTC, nullable=True),
    sa.CheckConstraint("(status = 'waiting') = (position IS NOT NULL)", name=op.f('ck_meeting_registrations_waiting_has_position')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_registrations_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_meeting_registrations_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_registrations')),
    sa.UniqueConstraint('meeting_id', 'resident_id', name=op.f('uq_meeting_registrations_meeting_id_resident_id'))
    )
    op.create_index('ix_meeting_registrations_meeting_status', 'meeting_registrations', ['meeting_id', 'status', 'position'], unique=False)
    op.create_index(op.f('ix_meeting_registrations_resident_id'), 'meeting_registrations', ['resident_id'], unique=False)

    op.create_table('meeting_attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendances_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_meeting_attendances_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendances')),
    sa.UniqueConstraint('meeting_id', 'resident_id', name=op.f('uq_meeting_attendances_meeting_id_resident_id'))
    )
    op.create_index(op.f('ix_meeting_attendances_resident_id'), 'meeting_attendances', ['resident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_meeting_attendances_resident_id'), table_name='meeting_attendances')
    op.drop_table('meeting_attendances')
    op.drop_index(op.f('ix_meeting_registrations_resident_id'), table_name='meeting_registrations')
    op.drop_index('ix_meeting_registrations_meeting_status', table_name='meeting_registrations')
    op.drop_table('meeting_registrations')
    op.drop_index('ix_meetings_status_starts_at', table_name='meetings')
    op.drop_table('meetings')
