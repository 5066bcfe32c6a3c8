"""Typed SQLAlchemy 2 models.

Portable to PostgreSQL: ids are UUIDv7 text, money is integer minor units,
quantities integer thousandths, tax rates integer parts-per-million, times UTC.
History tables (sales, lines, payments, stock movements, outbox, audit) are
append-only, so records from several tills merge without conflicts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(36)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))


class Location(Base):
    __tablename__ = "locations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Till(Base):
    __tablename__ = "tills"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    code: Mapped[str] = mapped_column(String(16))
    last_receipt_no: Mapped[int] = mapped_column(Integer, default=0)
    last_z_no: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("store_id", "code"),)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TaxCategory(Base):
    __tablename__ = "tax_categories"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    rate_ppm: Mapped[int] = mapped_column(Integer)  # 190000 = 19 %


class Category(Base):
    __tablename__ = "categories"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("categories.id"))


class Product(Base):
    __tablename__ = "products"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    category_id: Mapped[str | None] = mapped_column(ForeignKey("categories.id"), index=True)
    tax_category_id: Mapped[str] = mapped_column(ForeignKey("tax_categories.id"))
    sold_by_weight: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Variant(Base):
    __tablename__ = "variants"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # Local integer key: the row id of the full-text index (stable across VACUUM).
    key: Mapped[int] = mapped_column(Integer, unique=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(400))  # product name + variant label, for display
    size: Mapped[str | None] = mapped_column(String(50))
    colour: Mapped[str | None] = mapped_column(String(50))
    price: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger, default=0)
    reorder_point_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Barcode(Base):
    __tablename__ = "barcodes"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)  # normalized GTIN-14 or text
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), index=True)


class Promotion(Base):
    __tablename__ = "promotions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # quantity_price | buy_x_get_y
    rule: Mapped[str] = mapped_column(Text)  # JSON parameters
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PromotionItem(Base):
    __tablename__ = "promotion_items"
    promotion_id: Mapped[str] = mapped_column(ForeignKey("promotions.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True,
                                            index=True)


class StockMovement(Base):
    __tablename__ = "stock_movements"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    qty_milli: Mapped[int] = mapped_column(BigInteger)  # signed
    kind: Mapped[str] = mapped_column(String(20))  # sale|return|adjustment|receiving|transfer|count
    reason: Mapped[str | None] = mapped_column(String(200))
    ref_id: Mapped[str | None] = mapped_column(ID)  # sale / count / transfer id
    user_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_stock_movements_item", "variant_id", "location_id"),)


class StockLevel(Base):
    """Cache of the ledger sum per item and location, written in the same transaction."""

    __tablename__ = "stock_levels"
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    on_hand_milli: Mapped[int] = mapped_column(BigInteger, default=0)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    tax_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    exemption_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoyaltyEntry(Base):
    __tablename__ = "loyalty_entries"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    points: Mapped[int] = mapped_column(BigInteger)  # signed: earned > 0, redeemed < 0
    sale_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StoreCreditEntry(Base):
    __tablename__ = "store_credit_entries"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # signed minor units
    currency: Mapped[str] = mapped_column(String(3))
    sale_id: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    pin_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Shift(Base):
    __tablename__ = "shifts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"), index=True)
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opening_float: Mapped[int] = mapped_column(BigInteger)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    z_no: Mapped[int | None] = mapped_column(Integer)
    counted: Mapped[str | None] = mapped_column(Text)  # JSON {tender: minor}
    report: Mapped[str | None] = mapped_column(Text)  # JSON Z report, frozen at close


class CashMovement(Base):
    __tablename__ = "cash_movements"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # paid_in | paid_out | no_sale
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"))
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.id"), index=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # sale | return | exchange
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    cashier_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    currency: Mapped[str] = mapped_column(String(3))
    tax_mode: Mapped[str] = mapped_column(String(10))
    subtotal: Mapped[int] = mapped_column(BigInteger)
    discount_total: Mapped[int] = mapped_column(BigInteger)
    tax_total: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    rounding: Mapped[int] = mapped_column(BigInteger, default=0)  # cash rounding adjustment
    order_discount: Mapped[str | None] = mapped_column(Text)  # JSON
    loyalty_earned: Mapped[int] = mapped_column(Integer, default=0)
    loyalty_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    approved_by: Mapped[str | None] = mapped_column(ID)  # manager for receipt-less returns
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    __table_args__ = (UniqueConstraint("till_id", "seq"),)


class SaleLine(Base):
    __tablename__ = "sale_lines"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(400))
    qty_milli: Mapped[int] = mapped_column(BigInteger)  # negative on return lines
    unit_price: Mapped[int] = mapped_column(BigInteger)
    list_price: Mapped[int] = mapped_column(BigInteger)
    gross: Mapped[int] = mapped_column(BigInteger)
    promo_discount: Mapped[int] = mapped_column(BigInteger, default=0)
    line_discount: Mapped[int] = mapped_column(BigInteger, default=0)
    order_discount: Mapped[int] = mapped_column(BigInteger, default=0)
    net: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    tax_code: Mapped[str] = mapped_column(String(32))
    tax_rate_ppm: Mapped[int] = mapped_column(Integer)
    return_of_line_id: Mapped[str | None] = mapped_column(ForeignKey("sale_lines.id"),
                                                          index=True)
    restock: Mapped[bool] = mapped_column(Boolean, default=True)
    promo_codes: Mapped[str | None] = mapped_column(String(200))
    override_by: Mapped[str | None] = mapped_column(ID)
    # the variant's cost when sold (a return: the original line's); NULL = not known
    unit_cost: Mapped[int | None] = mapped_column(BigInteger)


class SaleTax(Base):
    __tablename__ = "sale_taxes"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    rate_ppm: Mapped[int] = mapped_column(Integer, primary_key=True)
    base: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    __tablename__ = "payments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.id"), index=True)
    tender: Mapped[str] = mapped_column(String(20))  # cash | card | store_credit
    amount: Mapped[int] = mapped_column(BigInteger)  # applied to the sale; negative = refund
    tendered: Mapped[int] = mapped_column(BigInteger)
    change: Mapped[int] = mapped_column(BigInteger, default=0)
    provider: Mapped[str | None] = mapped_column(String(40))
    provider_ref: Mapped[str | None] = mapped_column(String(100))  # never card data
    original_payment_id: Mapped[str | None] = mapped_column(ID)


class PaymentAttempt(Base):
    """A card payment attempt, committed *before* the terminal is asked to charge."""

    __tablename__ = "payment_attempts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"))
    cart_id: Mapped[str] = mapped_column(ID, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # pending|approved|declined|failed|used
    provider: Mapped[str] = mapped_column(String(40))
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What a restart needs to finish the sale exactly once (see CheckoutService.recover).
    user_id: Mapped[str | None] = mapped_column(ID)
    cart_json: Mapped[str | None] = mapped_column(Text)
    provider_state: Mapped[str | None] = mapped_column(Text)  # driver journal (JSON)
    captured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrintJob(Base):
    """A durable print job: kept until the printer confirms it, reprintable afterwards."""

    __tablename__ = "print_jobs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # receipt|merchant_copy|report|test|reprint
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    document: Mapped[str] = mapped_column(Text)  # drivers.printdoc ops as JSON
    status: Mapped[str] = mapped_column(String(12))  # pending|printed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_print_jobs_pending", PrintJob.till_id, PrintJob.created_at,
      sqlite_where=PrintJob.status == "pending", postgresql_where=PrintJob.status == "pending")


class HardwareDevice(Base):
    """One entry of a till's hardware profile: which device does which job, at which URL."""

    __tablename__ = "hardware_devices"
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)  # printer, scanner, ...
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(300))
    driver: Mapped[str | None] = mapped_column(String(40))
    settings: Mapped[str] = mapped_column(Text)  # JSON; secrets live in the keyring
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoidRecord(Base):
    __tablename__ = "voids"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    shift_id: Mapped[str | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # sale | line
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ParkedSale(Base):
    __tablename__ = "parked_sales"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    till_id: Mapped[str] = mapped_column(ForeignKey("tills.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    label: Mapped[str] = mapped_column(String(100))
    cart: Mapped[str] = mapped_column(Text)  # JSON snapshot
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxEvent(Base):
    """Events for other systems, written in the same transaction as the change."""

    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(ID, primary_key=True)  # UUIDv7: time-ordered
    type: Mapped[str] = mapped_column(String(60))
    schema_version: Mapped[int] = mapped_column(Integer)
    aggregate_type: Mapped[str] = mapped_column(String(40))
    aggregate_id: Mapped[str] = mapped_column(ID)
    payload: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_outbox_aggregate", "aggregate_type", "aggregate_id"),)


class AuditEntry(Base):
    """Append-only, hash-chained per till (``chain``)."""

    __tablename__ = "audit_log"
    chain: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(ID, unique=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC text: hashed as stored
    actor_id: Mapped[str | None] = mapped_column(ID)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Last (seq, hash) per chain, so deleting the newest entries is detected too."""

    __tablename__ = "audit_heads"
    chain: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class SyncConnector(Base):
    """A configured sync target. Secrets are never here: they live in the keyring."""

    __tablename__ = "sync_connectors"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    settings: Mapped[str] = mapped_column(Text)  # JSON, non-secret
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[str | None] = mapped_column(ID)  # every outbox id <= this is enqueued
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


SYNC_BLOCKING = "state = 'dead' OR next_attempt_at IS NOT NULL"


class SyncDelivery(Base):
    """Delivery state of one outbox event to one connector (at-least-once, keyed)."""

    __tablename__ = "sync_deliveries"
    connector: Mapped[str] = mapped_column(ForeignKey("sync_connectors.name"),
                                           primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("outbox.id"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    aggregate: Mapped[str] = mapped_column(String(80))  # ordering is kept per aggregate
    state: Mapped[str] = mapped_column(String(12))  # pending | delivered | dead | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    target_ref: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("ix_sync_deliveries_due", "connector", "state", "next_attempt_at"),
        # rows that can hold back later events of their key (dead, or waiting to retry)
        Index("ix_sync_deliveries_blockers", "connector", "aggregate", "event_id",
              sqlite_where=text(SYNC_BLOCKING), postgresql_where=text(SYNC_BLOCKING)),
    )


class SyncDeliveryKey(Base):
    """An ordering key of a delivery whose event keeps order by more than its lane: a stock
    movement, per item and location (migration 0005). A delivery without rows here keeps
    order by its whole ``aggregate``."""

    __tablename__ = "sync_delivery_keys"
    connector: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    __table_args__ = (
        ForeignKeyConstraint(["connector", "event_id"],
                             ["sync_deliveries.connector", "sync_deliveries.event_id"]),
    )


# --- back office (migration 0004): suppliers, purchasing, transfers, counts --------------
Index("ix_products_name", Product.name, Product.id)  # paged product lists (keyset)
Index("ix_customers_name", Customer.name, Customer.id)
Index("ix_voids_created_at", VoidRecord.created_at)  # per-cashier report over a date range
Index("ix_cash_movements_created_at", CashMovement.created_at)


class Supplier(Base):
    __tablename__ = "suppliers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    lead_time_days: Mapped[int] = mapped_column(Integer, default=7)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PurchaseOrder(Base):
    """draft -> ordered -> partial -> received, or closed/cancelled; number PO-<seq>."""

    __tablename__ = "purchase_orders"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.id"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ordered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    po_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    qty_milli: Mapped[int] = mapped_column(BigInteger)
    unit_cost: Mapped[int] = mapped_column(BigInteger)
    received_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    __table_args__ = (UniqueConstraint("po_id", "variant_id"),)


class StockTransfer(Base):
    """One document moving stock out of one location and into another (number TR-<seq>)."""

    __tablename__ = "stock_transfers"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    from_location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class StockTransferLine(Base):
    __tablename__ = "stock_transfer_lines"
    transfer_id: Mapped[str] = mapped_column(ForeignKey("stock_transfers.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"))
    qty_milli: Mapped[int] = mapped_column(BigInteger)


class StockCount(Base):
    """A count session: lines are entered over time and committed at once (open|committed|
    cancelled); number SC-<seq>."""

    __tablename__ = "stock_counts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(12), index=True)
    note: Mapped[str | None] = mapped_column(String(300))
    started_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StockCountLine(Base):
    """``expected_milli`` is the ledger when the item was counted: the difference committed
    is counted - expected, so sales between counting and committing are not lost."""

    __tablename__ = "stock_count_lines"
    count_id: Mapped[str] = mapped_column(ForeignKey("stock_counts.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), primary_key=True)
    counted_milli: Mapped[int] = mapped_column(BigInteger)
    expected_milli: Mapped[int] = mapped_column(BigInteger)
    counted_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime)
