"""users can be deactivated instead of deleted

Revision ID: users_1
Revises: trust_1
Create Date: 2026-12-03 19:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'users_1'
down_revision = 'trust_1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('active')
