"""add half_day to leave requests

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("leave_requests", sa.Column("half_day", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade():
    op.drop_column("leave_requests", "half_day")
