"""privacy: residents.tombstone and last_active_at, once_marks, kept records after 탈퇴

Revision ID: 0007_privacy
Revises: 0002, 0003, 0006 (it changes their tables; the other features still branch off 0001)
"""
from alembic import op
import sqlalchemy as sa
import storage.models.base


revision = "0007_privacy"
down_revision = ("0002", "0003", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on every backend: a SQLite table rebuild of residents (or of
    # tables others reference) would cascade-delete through foreign keys.
    op.add_column('residents', sa.Column('tombstone', sa.String(length=64), nullable=True))
    op.add_column('residents', sa.Column(
        'last_active_at', storage.models.base.UTCDateTime(timezone=True), nullable=True))
    op.create_index('uq_residents_tombstone', 'residents', ['tombstone'], unique=True)
    op.add_column('proposals', sa.Column('withdrawn_endorsements', sa.Integer(), nullable=False,
                                         server_default='0'))
    op.add_column('exchange_requests', sa.Column('pseudonym', sa.String(length=64), nullable=True))
    op.create_table('once_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('tombstone', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_once_marks')),
    sa.UniqueConstraint('kind', 'scope', 'tombstone', name=op.f('uq_once_marks_kind_scope_tombstone'))
    )
    # Existing residents get their tombstone (TOMBSTONE_SECRET of this environment)
    # and count as active since they consented.
    from storage.tombstone import tombstone_of

    bind = op.get_bind()
    residents = sa.table('residents', sa.column('id', sa.Integer()), sa.column('telegram_user_id', sa.BigInteger()),
                         sa.column('tombstone', sa.String()), sa.column('consented_at'),
                         sa.column('last_active_at'))
    for rid, tid in bind.execute(sa.select(residents.c.id, residents.c.telegram_user_id)).all():
        bind.execute(residents.update().where(residents.c.id == rid).values(tombstone=tombstone_of(tid)))
    bind.execute(residents.update().values(last_active_at=residents.c.consented_at))


def downgrade() -> None:
    op.drop_table('once_marks')
    op.drop_index('uq_residents_tombstone', table_name='residents')
    if op.get_bind().dialect.name == "sqlite":
        # Native DROP COLUMN (SQLite ≥ 3.35): a rebuild would cascade-delete.
        for table, column in (('residents', 'tombstone'), ('residents', 'last_active_at'),
                              ('proposals', 'withdrawn_endorsements'), ('exchange_requests', 'pseudonym')):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column('residents', 'tombstone')
        op.drop_column('residents', 'last_active_at')
        op.drop_column('proposals', 'withdrawn_endorsements')
        op.drop_column('exchange_requests', 'pseudonym')
