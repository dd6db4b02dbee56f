"""idempotency keys remember what the first request created

Revision ID: trust_1
Revises: speed_1
Create Date: 2026-12-03 16:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'trust_1'
down_revision = 'speed_1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('result')
