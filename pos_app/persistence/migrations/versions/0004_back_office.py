"""back office: suppliers, purchase orders, transfers, stock counts, sale line cost

Revision ID: 0004
Revises: 0003
Suppliers and purchase orders with partial receiving, transfer documents, stock count
sessions, the cost of each sale line (NULL for sales made before it was recorded or of
items without a cost), and indexes for paged back-office lists and date-range reports.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _id(name: str, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=36), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "suppliers",
        _id("id"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "purchase_orders",
        _id("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _id("supplier_id"),
        _id("location_id"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        _id("created_by"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ordered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_purchase_orders_status", "purchase_orders", ["status"])
    op.create_index("ix_purchase_orders_supplier_id", "purchase_orders", ["supplier_id"])
    op.create_table(
        "purchase_order_lines",
        _id("id"),
        _id("po_id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        _id("variant_id"),
        sa.Column("qty_milli", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("received_milli", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["po_id"], ["purchase_orders.id"]),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("po_id", "variant_id"),
    )
    op.create_index("ix_purchase_order_lines_po_id", "purchase_order_lines", ["po_id"])
    op.create_table(
        "stock_transfers",
        _id("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _id("from_location_id"),
        _id("to_location_id"),
        sa.Column("note", sa.String(length=300), nullable=True),
        _id("created_by"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["from_location_id"], ["locations.id"]),
        sa.ForeignKeyConstraint(["to_location_id"], ["locations.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_stock_transfers_created_at", "stock_transfers", ["created_at"])
    op.create_table(
        "stock_transfer_lines",
        _id("transfer_id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        _id("variant_id"),
        sa.Column("qty_milli", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["transfer_id"], ["stock_transfers.id"]),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"]),
        sa.PrimaryKeyConstraint("transfer_id", "line_no"),
    )
    op.create_table(
        "stock_counts",
        _id("id"),
        sa.Column("seq", sa.Integer(), nullable=False),
        _id("location_id"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        _id("started_by"),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        _id("finished_by", nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["finished_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"]),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_index("ix_stock_counts_status", "stock_counts", ["status"])
    op.create_table(
        "stock_count_lines",
        _id("count_id"),
        _id("variant_id"),
        sa.Column("counted_milli", sa.BigInteger(), nullable=False),
        sa.Column("expected_milli", sa.BigInteger(), nullable=False),
        _id("counted_by"),
        sa.Column("counted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["count_id"], ["stock_counts.id"]),
        sa.ForeignKeyConstraint(["counted_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"]),
        sa.PrimaryKeyConstraint("count_id", "variant_id"),
    )
    # add_column needs no table rebuild on SQLite (sale_lines can be large)
    op.add_column("sale_lines", sa.Column("unit_cost", sa.BigInteger(), nullable=True))
    op.create_index("ix_products_name", "products", ["name", "id"])
    op.create_index("ix_customers_name", "customers", ["name", "id"])
    op.create_index("ix_voids_created_at", "voids", ["created_at"])
    op.create_index("ix_cash_movements_created_at", "cash_movements", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_cash_movements_created_at", table_name="cash_movements")
    op.drop_index("ix_voids_created_at", table_name="voids")
    op.drop_index("ix_customers_name", table_name="customers")
    op.drop_index("ix_products_name", table_name="products")
    with op.batch_alter_table("sale_lines") as batch:
        batch.drop_column("unit_cost")
    op.drop_table("stock_count_lines")
    op.drop_index("ix_stock_counts_status", table_name="stock_counts")
    op.drop_table("stock_counts")
    op.drop_table("stock_transfer_lines")
    op.drop_index("ix_stock_transfers_created_at", table_name="stock_transfers")
    op.drop_table("stock_transfers")
    op.drop_index("ix_purchase_order_lines_po_id", table_name="purchase_order_lines")
    op.drop_table("purchase_order_lines")
    op.drop_index("ix_purchase_orders_supplier_id", table_name="purchase_orders")
    op.drop_index("ix_purchase_orders_status", table_name="purchase_orders")
    op.drop_table("purchase_orders")
    op.drop_table("suppliers")
