"""customers carry a version number: a stale edit is a conflict, not an overwrite

Revision ID: customers_1
Revises: users_1
Create Date: 2026-12-03 19:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'customers_1'
down_revision = 'users_1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('version')
