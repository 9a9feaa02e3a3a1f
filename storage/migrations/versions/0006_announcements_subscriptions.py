"""announcements, subscriptions, outbox claim state, residents.dong, scheduler job store

Revision ID: 0006
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

TOPICS = ("surveys", "proposals", "budget", "news", "events")


def upgrade() -> None:
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('photo_file_id', sa.String(length=255), nullable=True),
    sa.Column('photo_path', sa.String(length=255), nullable=True),
    sa.Column('button_text', sa.String(length=64), nullable=True),
    sa.Column('button_url', sa.String(length=512), nullable=True),
    sa.Column('target_kind', sa.Enum('all', 'topic', 'dong', name='announcementtarget', native_enum=False, length=16), nullable=False),
    sa.Column('target_value', sa.String(length=32), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('urgent_by_resident_id', sa.Integer(), nullable=True),
    sa.Column('urgent_marked_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('draft', 'scheduled', 'sending', 'done', 'cancelled', name='announcementstatus', native_enum=False, length=16), nullable=False),
    sa.Column('scheduled_for', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_resident_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', storage.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_resident_id', sa.Integer(), nullable=True),
    sa.Column('fanout_cursor', sa.Integer(), nullable=False),
    sa.Column('fanout_done', sa.Boolean(), nullable=False),
    sa.Column('total_recipients', sa.Integer(), nullable=False),
    sa.Column('progress_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('progress_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by_resident_id'], ['residents.id'], name=op.f('fk_announcements_cancelled_by_resident_id_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_resident_id'], ['residents.id'], name=op.f('fk_announcements_created_by_resident_id_residents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['urgent_by_resident_id'], ['residents.id'], name=op.f('fk_announcements_urgent_by_resident_id_residents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    op.create_index('ix_announcements_status_scheduled_for', 'announcements', ['status', 'scheduled_for'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('surveys', 'proposals', 'budget', 'news', 'events', name='topic', native_enum=False, length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_subscriptions_resident_id_residents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('resident_id', 'topic', name=op.f('uq_subscriptions_resident_id_topic'))
    )
    op.create_index('ix_subscriptions_topic_enabled', 'subscriptions', ['topic', 'enabled'], unique=False)

    # Residents who consented before subscriptions existed were told they get
    # notices: they start with every topic on, as new residents do.
    residents = sa.table('residents', sa.column('id', sa.Integer()),
                         sa.column('consented_at', storage.models.base.UTCDateTime(timezone=True)))
    subscriptions = sa.table('subscriptions', sa.column('resident_id', sa.Integer()),
                             sa.column('topic', sa.String()), sa.column('enabled', sa.Boolean()),
                             sa.column('updated_at', storage.models.base.UTCDateTime(timezone=True)))
    for topic in TOPICS:
        op.execute(subscriptions.insert().from_select(
            ['resident_id', 'topic', 'enabled', 'updated_at'],
            sa.select(residents.c.id, sa.literal(topic, sa.String()), sa.true(), residents.c.consented_at),
        ))

    # A plain nullable column: SQLite adds it in place (no table rebuild, which
    # would cascade-delete through residents' foreign keys).
    op.add_column('residents', sa.Column('dong', sa.String(length=16), nullable=True))

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('photo_file_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('promotional', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('claimed_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_announcement_id_announcements'), 'announcements', ['announcement_id'], ['id'], ondelete='CASCADE')

    # APScheduler's SQLAlchemyJobStore table (bot/scheduler.py), as APScheduler
    # 3.11 defines it, so the schema stays under Alembic.
    op.create_table('apscheduler_jobs',
    sa.Column('id', sa.Unicode(length=191), nullable=False),
    sa.Column('next_run_time', sa.Float(precision=25), nullable=True),
    sa.Column('job_state', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apscheduler_jobs'))
    )
    op.create_index('ix_apscheduler_jobs_next_run_time', 'apscheduler_jobs', ['next_run_time'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_apscheduler_jobs_next_run_time', table_name='apscheduler_jobs')
    op.drop_table('apscheduler_jobs')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_announcement_id_announcements'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_announcement_id'))
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('promotional')
        batch_op.drop_column('photo_file_id')
        batch_op.drop_column('announcement_id')
    # Rows in the claim states of 0006 go back to what 0001 knows.
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'sending'")
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status IN ('cancelled', 'unconfirmed')")

    if op.get_bind().dialect.name == "sqlite":
        # Native DROP COLUMN (SQLite ≥ 3.35): a rebuild would cascade-delete.
        op.execute("ALTER TABLE residents DROP COLUMN dong")
    else:
        op.drop_column('residents', 'dong')

    op.drop_index('ix_subscriptions_topic_enabled', table_name='subscriptions')
    op.drop_table('subscriptions')
    op.drop_index('ix_announcements_status_scheduled_for', table_name='announcements')
    op.drop_table('announcements')
