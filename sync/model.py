"""Plain records and errors shared by the engine and the connectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: str
    type: str
    schema_version: int
    aggregate_type: str
    aggregate_id: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    connector: str
    event: OutboxEvent
    idempotency_key: str
    attempts: int
    order_key: str  # the lane: events sharing one of their keys are sent by one lane
    # a grouped delivery (a ledger's daily summary): the target operation this event was
    # planned into before the first attempt, so a retry re-sends the same operation
    planned: str | None = None

    @property
    def order_keys(self) -> tuple[str, ...]:
        return ordering_keys(self.event)


def ordering_key(event: OutboxEvent) -> str:
    """The lane an event is sent in: a sale and its refunds share one (the sale before its
    refund); all stock movements share one, where ``ordering_keys`` keeps order per item;
    anything else is per aggregate."""
    if event.type in ("sale.completed", "refund.completed", "exchange.completed"):
        return f"sale:{event.payload.get('return_of_sale_id') or event.aggregate_id}"
    if event.type == "stock.moved":
        return "stock"
    return f"{event.aggregate_type}:{event.aggregate_id}"


def ordering_keys(event: OutboxEvent) -> tuple[str, ...]:
    """What an event keeps its order by: a stock movement by each item and location it
    moves (so a dead letter for one item holds back that item's later movements, not every
    item's), anything else by its lane."""
    if event.type == "stock.moved":
        keys = sorted({f"stock:{m['variant_id']}:{m['location_id']}"
                       for m in event.payload.get("movements", ())
                       if "variant_id" in m and "location_id" in m})
        if keys:
            return tuple(keys)
    return (ordering_key(event),)


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    name: str
    type: str
    settings: dict[str, Any]
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ConnectorStatus:
    name: str
    type: str
    pending: int
    delivered: int
    dead: int
    skipped: int
    last_success: datetime | None
    last_error: str | None
    in_flight: int = 0


@dataclass(slots=True)
class RoundOutcome:
    """What one round of the engine did for one connector, recorded in one transaction;
    whatever it claimed and left out goes back to pending untouched."""

    acks: list[tuple[str, str | None]] = field(default_factory=list)  # event, target ref
    failures: list[tuple[str, str, datetime]] = field(default_factory=list)  # ..., next try
    dead: list[tuple[str, str]] = field(default_factory=list)  # event, the target's message
    held: list[tuple[str, datetime]] = field(default_factory=list)  # not before (summaries)


@dataclass(frozen=True, slots=True)
class ConnectorFacts:
    """The raw figures the health of one connector is judged from (sync/health.py)."""

    name: str
    type: str
    settings: dict[str, Any]
    pending: int  # queued and not delivered (including held and retrying ones)
    in_flight: int  # claimed by the engine this round
    dead: int
    retrying: int  # pending after a failed attempt
    held: int  # waiting on purpose (a day's summary before the day is over)
    unqueued: int  # in the outbox but not yet queued for this connector
    oldest_waiting_at: datetime | None  # oldest event that should be on its way
    runtime: dict[str, Any]  # what the engine serving it last recorded


@dataclass(frozen=True, slots=True)
class DeadLetter:
    connector: str
    event_id: str
    event_type: str
    attempts: int
    error: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """One connector's view of one day: what the POS recorded vs what the target acknowledged."""

    connector: str
    pos_count: int
    pos_amount: int
    acked_count: int
    acked_amount: int
    missing: tuple[tuple[str, int, str, str], ...]  # receipt, amount, state, last error

    @property
    def matches(self) -> bool:
        return not self.missing and (self.pos_count, self.pos_amount) == (
            self.acked_count, self.acked_amount)


class SyncError(Exception):
    """Base of delivery failures."""


# What went wrong, for the health shown to people: unreachable and timeout mean "offline"
# (the network or the target is down), the others that the target answered.
UNREACHABLE, TIMEOUT, RATE_LIMITED, SERVER, REFUSED = (
    "unreachable", "timeout", "rate_limited", "server", "refused")
OFFLINE_KINDS = (UNREACHABLE, TIMEOUT)


class TransientError(SyncError):
    """Worth retrying by itself: timeouts, 5xx, 429, connection resets."""

    def __init__(self, message: str, retry_after: float | None = None,
                 kind: str = SERVER) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind


class NotAttempted(TransientError):
    """Not sent this time (held back behind an earlier failure of its key, or throttled by
    the client's own limit): stays pending, counts as no attempt and no failure."""


class PermanentError(SyncError):
    """Will fail the same way until someone changes something: goes to the dead letters."""

    kind = REFUSED
