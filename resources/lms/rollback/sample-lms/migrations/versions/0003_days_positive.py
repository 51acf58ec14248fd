"""leave requests ask for a positive number of days

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_check_constraint("ck_leave_requests_days_positive", "leave_requests", "days > 0")


def downgrade():
    op.drop_constraint("ck_leave_requests_days_positive", "leave_requests", type_="check")
