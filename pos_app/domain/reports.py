"""Back-office reports over a range of store-local days: rows, bucketing and CSV.

Figures are sums of what the sale documents recorded (line totals, taxes, payments),
never recomputed, so a report agrees with the receipts and the Z reports to the
minor unit. "Revenue" is what customers paid for the lines, tax included (the line
totals); "net" is revenue less tax. Cost of goods is the sum over lines with a known
cost of unit cost x quantity, rounded half-up once per row; margin is the net revenue
of those lines less that cost. Returns count negatively in every item figure.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ValidationError
from .money import format_plain, round_half_up
from .quantity import fmt_qty

MAX_DAYS = 3660
BUCKET_SECONDS = 900  # quarter hours: every UTC offset in use is a multiple of 15 minutes
MONEY = {"money": True}


def store_zone(name: str | None) -> tzinfo:
    """The store's time zone (setting ``timezone``); None is this machine's own."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("unknown time zone {name!r} (e.g. Europe/Berlin)",
                              name=name) from None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Whole store-local days ``start``..``end`` (both included)."""

    start: date
    end: date
    zone: tzinfo
    zone_name: str | None = None  # None: the machine's local zone (DST followed per day)

    def _midnight(self, day: date) -> datetime:
        if self.zone_name is None:
            return datetime.combine(day, time.min).astimezone().astimezone(UTC)
        return datetime.combine(day, time.min, self.zone).astimezone(UTC)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end): the first instant of ``start`` to the first of the day after ``end``."""
        return self._midnight(self.start), self._midnight(self.end + timedelta(days=1))

    def local(self, at: datetime) -> datetime:
        return at.astimezone() if self.zone_name is None else at.astimezone(self.zone)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def date_range(start: date, end: date, zone_name: str | None) -> DateRange:
    if end < start:
        raise ValidationError("the range ends ({end}) before it starts ({start})",
                              end=end.isoformat(), start=start.isoformat())
    if (end - start).days >= MAX_DAYS:
        raise ValidationError("a report covers at most {most} days", most=MAX_DAYS)
    return DateRange(start, end, store_zone(zone_name), zone_name or None)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("not a date: {text!r} (use YYYY-MM-DD)", text=text) from None


# --- what the store aggregates --------------------------------------------------------------
@dataclass(slots=True)
class BucketFigures:
    """Sums for one quarter hour (UTC), aggregated by the database."""

    start: datetime
    sales: int = 0  # documents with sold lines (sales and exchanges)
    returns: int = 0  # documents with returned lines (returns and exchanges)
    items: Decimal = Decimal(0)  # units sold less units returned
    gross: int = 0  # totals of sold lines
    discounts: int = 0  # discounts on sold lines
    refunds: int = 0  # totals of returned lines (negative)
    tax: int = 0


@dataclass(slots=True)
class ItemFigures:
    """Per item or category: sums over sold and returned lines."""

    key: str | None
    label: str
    sku: str | None
    qty: Decimal
    revenue: int
    tax: int
    costed_net: int  # revenue less tax of the lines whose cost is known
    cost_milli: int  # sum of unit_cost x qty_milli over those lines (exact)
    uncosted_qty: Decimal


# --- report rows ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SalesPeriodRow:
    period: str  # YYYY-MM-DD, or HH:00 for hour of day
    sales: int
    returns: int
    items: Decimal
    gross: int = field(metadata=MONEY)
    discounts: int = field(metadata=MONEY)
    refunds: int = field(metadata=MONEY)
    net: int = field(metadata=MONEY)  # gross + refunds, tax included
    tax: int = field(metadata=MONEY)
    average_basket: int = field(metadata=MONEY)  # gross / sales


def period_rows(labels: Sequence[str], figures: dict[str, list[BucketFigures]]
                ) -> list[SalesPeriodRow]:
    rows = []
    for label in labels:
        got = figures.get(label, [])
        sales = sum(b.sales for b in got)
        gross = sum(b.gross for b in got)
        refunds = sum(b.refunds for b in got)
        rows.append(SalesPeriodRow(
            label, sales, sum(b.returns for b in got), sum((b.items for b in got), Decimal(0)),
            gross, sum(b.discounts for b in got), refunds, gross + refunds,
            sum(b.tax for b in got), round_half_up(Decimal(gross) / sales) if sales else 0))
    return rows


@dataclass(frozen=True, slots=True)
class ItemSalesRow:
    """One item (``key`` the variant id) or category (``key`` its id, None: uncategorised)."""

    key: str | None
    name: str
    sku: str | None
    qty: Decimal
    revenue: int = field(metadata=MONEY)
    net: int = field(metadata=MONEY)  # revenue less tax
    cost: int | None = field(metadata=MONEY)  # None: no line had a known cost
    margin: int | None = field(metadata=MONEY)  # over the lines with a known cost
    margin_pct: Decimal | None  # margin / their net revenue x 100, two places
    uncosted_qty: Decimal  # units without a known cost (not in cost or margin)


def item_row(f: ItemFigures) -> ItemSalesRow:
    costed = f.uncosted_qty != f.qty
    cost = round_half_up(Decimal(f.cost_milli) / 1000) if costed else None
    margin = f.costed_net - cost if cost is not None else None
    pct = (Decimal(margin * 100) / f.costed_net).quantize(Decimal("0.01")) \
        if margin is not None and f.costed_net else None
    return ItemSalesRow(f.key, f.label, f.sku, f.qty, f.revenue, f.revenue - f.tax, cost,
                        margin, pct, f.uncosted_qty)


@dataclass(frozen=True, slots=True)
class TenderRow:
    tender: str
    payments: int
    taken: int = field(metadata=MONEY)
    refunded: int = field(metadata=MONEY)  # negative
    net: int = field(metadata=MONEY)


@dataclass(frozen=True, slots=True)
class TaxRow:
    code: str
    rate: Decimal
    base: int = field(metadata=MONEY)
    tax: int = field(metadata=MONEY)


@dataclass(frozen=True, slots=True)
class DiscountRow:
    kind: str  # promotion | line | order
    code: str | None  # the promotion code(s) for promotions
    lines: int
    amount: int = field(metadata=MONEY)


@dataclass(frozen=True, slots=True)
class RefundRow:
    sale_id: str
    receipt_no: str
    completed_at: datetime
    kind: str  # return | exchange
    cashier: str
    original_receipt: str | None  # None: returned without a receipt
    approved_by: str | None
    items: Decimal  # units returned
    restocked: Decimal
    amount: int = field(metadata=MONEY)  # returned lines' totals (negative)


@dataclass(frozen=True, slots=True)
class CashierRow:
    user_id: str
    username: str
    name: str
    sales: int
    items: Decimal
    revenue: int = field(metadata=MONEY)  # sold lines' totals
    average_basket: int = field(metadata=MONEY)
    discounts: int = field(metadata=MONEY)
    refunds: int
    refunded: int = field(metadata=MONEY)  # returned lines' totals (negative)
    voided_sales: int
    voided_lines: int
    voided: int = field(metadata=MONEY)
    no_sales: int


@dataclass(slots=True)
class CashierFigures:
    user_id: str
    username: str
    name: str
    sales: int = 0
    items: Decimal = Decimal(0)
    revenue: int = 0
    discounts: int = 0
    refunds: int = 0
    refunded: int = 0
    voided_sales: int = 0
    voided_lines: int = 0
    voided: int = 0
    no_sales: int = 0

    def row(self) -> CashierRow:
        avg = round_half_up(Decimal(self.revenue) / self.sales) if self.sales else 0
        return CashierRow(self.user_id, self.username, self.name, self.sales, self.items,
                          self.revenue, avg, self.discounts, self.refunds, self.refunded,
                          self.voided_sales, self.voided_lines, self.voided, self.no_sales)


def _cell(value: Any, money: bool, currency: str) -> str:
    if value is None:
        return ""
    if money:
        return format_plain(int(value), currency)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return fmt_qty(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def rows_csv(rows: Sequence[Any], currency: str, row_type: type | None = None) -> str:
    """Any report's rows as CSV: a header of field names, money as plain decimals (12.30).
    ``row_type`` gives the header when there are no rows."""
    if not rows and row_type is None:
        return ""
    fields = dataclasses.fields(row_type or rows[0])
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([f.name for f in fields])
    for row in rows:
        w.writerow([_cell(getattr(row, f.name), bool(f.metadata.get("money")), currency)
                    for f in fields])
    return buf.getvalue()
