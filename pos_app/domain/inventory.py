"""Stock per location, counts, transfers, suppliers and purchase orders: rows and rules.

Everything that moves stock is a signed movement in the ledger (``domain/stock.py``);
these documents say why, and keep what the back office shows about them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from .errors import StateError, ValidationError
from .money import round_half_up


class AdjustReason(StrEnum):
    """Why stock was adjusted by hand; the sign each reason allows is checked."""

    DAMAGED = "damaged"
    THEFT = "theft"
    EXPIRED = "expired"
    INTERNAL_USE = "internal_use"
    RETURNED_TO_SUPPLIER = "returned_to_supplier"
    FOUND = "found"
    CORRECTION = "correction"


_REMOVES = {AdjustReason.DAMAGED, AdjustReason.THEFT, AdjustReason.EXPIRED,
            AdjustReason.INTERNAL_USE, AdjustReason.RETURNED_TO_SUPPLIER}


def adjust_reason(reason: str, delta: Decimal) -> AdjustReason:
    try:
        r = AdjustReason(reason.strip().lower())
    except ValueError:
        raise ValidationError("unknown reason {reason!r}; use one of: {reasons}", reason=reason,
                              reasons=", ".join(r.value for r in AdjustReason)) from None
    if delta == 0:
        raise ValidationError("an adjustment of zero changes nothing")
    if r in _REMOVES and delta > 0:
        raise ValidationError("{reason} removes stock: give a negative quantity", reason=r.value)
    if r is AdjustReason.FOUND and delta < 0:
        raise ValidationError("found adds stock: give a positive quantity")
    return r


@dataclass(frozen=True, slots=True)
class Location:
    id: str
    code: str
    name: str
    is_till: bool  # where this till sells from


@dataclass(frozen=True, slots=True)
class StockRow:
    variant_id: str
    sku: str
    name: str
    location_id: str
    on_hand: Decimal
    reorder_point: Decimal
    active: bool

    @property
    def below_reorder_point(self) -> bool:
        return self.reorder_point > 0 and self.on_hand <= self.reorder_point


# --- counts -------------------------------------------------------------------------------
class CountStatus(StrEnum):
    OPEN = "open"
    COMMITTED = "committed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CountLine:
    """``expected`` is what the ledger said when the item was counted; the movement made
    at commit is ``difference`` = counted - expected, so sales after counting still count."""

    variant_id: str
    sku: str
    name: str
    counted: Decimal
    expected: Decimal
    counted_at: datetime

    @property
    def difference(self) -> Decimal:
        return self.counted - self.expected


@dataclass(frozen=True, slots=True)
class CountSession:
    id: str
    number: str
    location_id: str
    status: CountStatus
    note: str | None
    started_by: str
    started_at: datetime
    finished_by: str | None
    finished_at: datetime | None
    lines: tuple[CountLine, ...] = ()

    @property
    def differences(self) -> tuple[CountLine, ...]:
        return tuple(ln for ln in self.lines if ln.difference != 0)


# --- transfers ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TransferLine:
    line_no: int
    variant_id: str
    sku: str
    name: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    number: str
    from_location_id: str
    to_location_id: str
    note: str | None
    created_by: str
    created_at: datetime
    lines: tuple[TransferLine, ...] = ()


# --- suppliers and purchase orders -----------------------------------------------------
@dataclass(frozen=True, slots=True)
class Supplier:
    id: str
    code: str
    name: str
    email: str | None
    phone: str | None
    lead_time_days: int
    active: bool


class POStatus(StrEnum):
    DRAFT = "draft"  # lines can still change
    ORDERED = "ordered"  # sent to the supplier
    PARTIAL = "partial"  # some of it received
    RECEIVED = "received"  # everything received
    CLOSED = "closed"  # closed with lines outstanding (the rest will not come)
    CANCELLED = "cancelled"  # closed before anything was received

    @property
    def receivable(self) -> bool:
        return self in (POStatus.ORDERED, POStatus.PARTIAL)

    @property
    def finished(self) -> bool:
        return self in (POStatus.RECEIVED, POStatus.CLOSED, POStatus.CANCELLED)


def status_after_receipt(lines: list[tuple[Decimal, Decimal]]) -> POStatus:
    """(ordered, received) per line -> partial or received."""
    if all(received >= ordered for ordered, received in lines):
        return POStatus.RECEIVED
    return POStatus.PARTIAL


def status_on_close(status: POStatus, anything_received: bool) -> POStatus:
    if status.finished:
        raise StateError("the order is already {status}", status=status.value)
    return POStatus.CLOSED if anything_received else POStatus.CANCELLED


@dataclass(frozen=True, slots=True)
class POLine:
    id: str
    line_no: int
    variant_id: str
    sku: str
    name: str
    qty: Decimal
    unit_cost: int
    received: Decimal

    @property
    def outstanding(self) -> Decimal:
        return max(self.qty - self.received, Decimal(0))

    @property
    def total(self) -> int:
        return round_half_up(self.qty * self.unit_cost)


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    id: str
    number: str
    supplier_id: str
    supplier: str
    location_id: str
    status: POStatus
    currency: str
    note: str | None
    created_by: str
    created_at: datetime
    ordered_at: datetime | None
    closed_at: datetime | None
    lines: tuple[POLine, ...] = ()
    total: int = 0  # sum of the lines' totals (ordered quantity x cost)


@dataclass(frozen=True, slots=True)
class POLineInput:
    variant_id: str
    qty: Decimal
    unit_cost: int


def moving_average_cost(on_hand: Decimal, old_cost: int, received: Decimal,
                        unit_cost: int) -> int:
    """Weighted average of the stock on hand and what arrives, rounded half-up.

    Stock at or below zero, or an item without a cost, takes the receipt's cost.
    """
    if on_hand <= 0 or old_cost <= 0:
        return unit_cost
    return round_half_up((on_hand * old_cost + received * unit_cost) / (on_hand + received))


# --- reorder suggestions -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReorderRow:
    variant_id: str
    sku: str
    name: str
    on_hand: Decimal
    on_order: Decimal  # outstanding on ordered / partially received purchase orders
    reorder_point: Decimal
    sold: Decimal  # in the last ``days`` days, net of returns
    days: int
    lead_time_days: int
    forecast: Decimal  # expected sales over the lead time
    suggested: Decimal


def suggest_reorder(on_hand: Decimal, on_order: Decimal, reorder_point: Decimal,
                    sold: Decimal, days: int, lead_time_days: int,
                    whole_units: bool) -> tuple[Decimal, Decimal]:
    """(forecast, suggested quantity). The rule (docs/back-office.md):

    forecast  = sales of the last ``days`` days / days x lead time (never negative)
    suggested = max(reorder point, forecast) - (on hand + on order), when above zero

    so what is available when the order arrives covers both the reorder point and the
    sales expected while waiting for it. Pieces round up to whole units.
    """
    if days < 1 or lead_time_days < 0:
        raise ValidationError("days must be at least 1 and the lead time not negative")
    forecast = max(sold, Decimal(0)) * lead_time_days / days
    need = max(reorder_point, forecast) - (on_hand + on_order)
    if whole_units:
        forecast = forecast.to_integral_value(rounding=ROUND_CEILING)
        need = Decimal(math.ceil(need))
    else:
        forecast = forecast.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
        need = need.quantize(Decimal("0.001"), rounding=ROUND_CEILING)
    return forecast, max(need, Decimal(0))
