"""sync ordering keys per item

Revision ID: 0005
Revises: 0004
A stock movement keeps its order per item and location instead of behind every other
stock movement: its keys are stored per delivery, so a dead letter for one item holds
back that item's later movements only. Deliveries queued before this revision have no
keys and keep the old, stricter order (behind any earlier stock movement).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_delivery_keys",
        sa.Column("connector", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector", "event_id"],
            ["sync_deliveries.connector", "sync_deliveries.event_id"],
        ),
        sa.PrimaryKeyConstraint("connector", "event_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("sync_delivery_keys")
