"""create leave tables

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "employees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("employee_id", sa.Integer, sa.ForeignKey("employees.id", ondelete="CASCADE"), nullable=False),
        sa.Column("leave_type", sa.String(40), nullable=False),
        sa.Column("days", sa.Numeric(5, 1), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="PENDING"),
    )
    op.create_table(
        "leave_balances",
        sa.Column("employee_id", sa.Integer, sa.ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("leave_type", sa.String(40), primary_key=True),
        sa.Column("days_remaining", sa.Numeric(5, 1), nullable=False),
    )


def downgrade():
    op.drop_table("leave_balances")
    op.drop_table("leave_requests")
    op.drop_table("employees")
