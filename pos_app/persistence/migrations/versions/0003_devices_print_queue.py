"""devices, print queue and recoverable card payments

Revision ID: 0003
Revises: 0002
A hardware profile per till, a durable print queue, and what a restarted till
needs to finish a card sale exactly once (cart snapshot, driver journal, capture).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("till_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sale_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("printed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["sale_id"], ["sales.id"]),
        sa.ForeignKeyConstraint(["till_id"], ["tills.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_print_jobs_sale_id", "print_jobs", ["sale_id"])
    op.create_index("ix_print_jobs_till_id", "print_jobs", ["till_id"])
    op.create_index("ix_print_jobs_pending", "print_jobs", ["till_id", "created_at"],
                    sqlite_where=sa.text("status = 'pending'"),
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_table(
        "hardware_devices",
        sa.Column("till_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False),
        sa.Column("driver", sa.String(length=40), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["till_id"], ["tills.id"]),
        sa.PrimaryKeyConstraint("till_id", "role"),
    )
    with op.batch_alter_table("payment_attempts") as batch:
        batch.add_column(sa.Column("user_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("cart_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("provider_state", sa.Text(), nullable=True))
        batch.add_column(sa.Column("captured_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_attempts") as batch:
        batch.drop_column("captured_at")
        batch.drop_column("provider_state")
        batch.drop_column("cart_json")
        batch.drop_column("user_id")
    op.drop_table("hardware_devices")
    op.drop_index("ix_print_jobs_pending", table_name="print_jobs")
    op.drop_index("ix_print_jobs_till_id", table_name="print_jobs")
    op.drop_index("ix_print_jobs_sale_id", table_name="print_jobs")
    op.drop_table("print_jobs")
