"""Sales, refunds and exchanges as balanced journal entries, for ledger-style targets.

For one sale document: each tender's applied amount goes to its account (debit),
the amount before tax goes to revenue per tax category and the tax to tax payable
per rate (credit), and cash rounding to its own account, so every entry balances to
the minor unit. Refunds are the same entry with the signs reversed. Where the lines
carry their cost (``unit_cost``, the variant's cost when sold) and ``cogs`` and
``inventory`` are mapped, the cost of the goods moves from inventory to cost of goods
sold (a restocked return moves it back; goods returned without restocking stay
expensed). Which accounts to use is explicit mapping, checked before a connector starts.

Entries are per document, or (``entries=daily``) one summary per day and till: the
per-document entries of that day added up per account. A summary is one target
operation for many events; the engine plans its members under one reference before the
first attempt (``pos_batch``), so a retry posts the same summary or finds it posted.
Events of a day whose summary is already posted (late ones: retried after a fix, or from
a till that was offline) become an adjustment entry for that day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .model import Delivery, OutboxEvent, PermanentError

DOCUMENT_EVENTS = ("sale.completed", "refund.completed", "exchange.completed")
MAPPING_PREFIXES = ("revenue", "tax", "tender", "rounding", "cogs", "inventory")
TENDERS = ("cash", "card", "store_credit", "loyalty")
PER_DOCUMENT, DAILY = "per_sale", "daily"


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # major units, signed: debit positive
    currency: str


@dataclass(frozen=True, slots=True)
class Entry:
    day: date
    reference: str  # the receipt number (a summary: its batch reference)
    narration: str
    event_id: str  # the outbox event (a summary: its batch reference)
    postings: tuple[Posting, ...]
    summary: str | None = None  # a summary's till and day, e.g. "S1-T1/2026-11-22"
    documents: int = 1


def _money(m: dict[str, Any]) -> Decimal:
    return Decimal(m["text"])


def mapping_keys(tax_codes: Iterable[str]) -> list[str]:
    """Every account a store with these tax categories needs mapped."""
    keys = [f"revenue.{c}" for c in tax_codes] + [f"tax.{c}" for c in tax_codes]
    return [*keys, *(f"tender.{t}" for t in TENDERS), "rounding"]


def unmapped(mapping: dict[str, str], tax_codes: Iterable[str]) -> list[str]:
    missing = [k for k in mapping_keys(tax_codes) if not mapping.get(k)]
    if bool(mapping.get("cogs")) != bool(mapping.get("inventory")):  # both or neither
        missing.append("inventory" if mapping.get("cogs") else "cogs")
    return missing


def cost_of_goods(payload: dict[str, Any]) -> Decimal:
    """The cost of what left the shelf (negative: what came back onto it), per line rounded
    to the currency's minor unit; lines without a known cost count nothing."""
    total = Decimal(0)
    for ln in payload["lines"]:
        unit = ln.get("unit_cost")
        qty = Decimal(ln["qty"])
        if unit is None or (qty < 0 and not ln.get("restock", True)):
            continue
        price = _money(unit)
        places = -int(price.as_tuple().exponent)  # the money text has the minor digits
        total += (price * qty).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return total


def entry(event_id: str, payload: dict[str, Any], mapping: dict[str, str]) -> Entry:
    cur = payload["currency"]
    postings: list[Posting] = []
    missing: list[str] = []

    def account(key: str) -> str:
        if not mapping.get(key):
            missing.append(key)
            return ""
        return mapping[key]

    for p in payload["payments"]:
        postings.append(Posting(account(f"tender.{p['tender']}"), _money(p["amount"]), cur))
    for t in payload["taxes"]:
        postings.append(Posting(account(f"revenue.{t['code']}"), -_money(t["base"]), cur))
        if t["tax"]["minor"]:
            postings.append(Posting(account(f"tax.{t['code']}"), -_money(t["tax"]), cur))
    if payload["rounding"]["minor"]:
        postings.append(Posting(account("rounding"), -_money(payload["rounding"]), cur))
    if mapping.get("cogs") and mapping.get("inventory"):
        cost = cost_of_goods(payload)
        if cost:
            postings += [Posting(mapping["cogs"], cost, cur),
                         Posting(mapping["inventory"], -cost, cur)]
    if missing:
        raise KeyError(", ".join(sorted(set(missing))))
    total = sum((p.amount for p in postings), Decimal(0))
    if total != 0:  # pragma: no cover - the POS documents always balance
        raise ValueError(f"entry for {payload['receipt_no']} does not balance: {total}")
    kind = {"sale": "POS sale", "return": "POS refund", "exchange": "POS exchange"}
    return Entry(local_day(payload), payload["receipt_no"], kind[payload["kind"]], event_id,
                 tuple(postings))


def local_day(payload: dict[str, Any]) -> date:
    """The till's local day of a document (the day its Z report belongs to)."""
    return datetime.fromisoformat(payload["completed_at"]).astimezone().date()


def ledger_mapping(settings: dict[str, Any]) -> dict[str, str]:
    """The account mapping out of a ledger connector's settings."""
    return {k: str(v) for k, v in settings.items() if k.split(".")[0] in MAPPING_PREFIXES}


def ledger_entry(event: OutboxEvent, mapping: dict[str, str]) -> Entry | None:
    """The entry for a sale document; None for events a ledger does not record.

    An unmapped tax category or tender is a dead letter naming what to add.
    """
    if event.type not in DOCUMENT_EVENTS:
        return None
    try:
        return entry(event.id, event.payload, mapping)
    except KeyError as exc:
        raise PermanentError(f"unmapped: {exc.args[0]} (add with `pos sync connector set NAME "
                             "--set KEY=ACCOUNT`, then `pos sync retry`)") from exc


# ----- daily summaries ----------------------------------------------------------------------

def entries_mode(settings: dict[str, Any]) -> str:
    mode = str(settings.get("entries") or PER_DOCUMENT)
    if mode not in (PER_DOCUMENT, DAILY):
        from .connectors.base import ConfigError

        raise ConfigError(f"entries={mode!r}: use {PER_DOCUMENT} (one entry per sale and "
                          f"refund) or {DAILY} (one summary per day and till)")
    return mode


def summary_group(delivery: Delivery, delay: timedelta) -> tuple[str, datetime] | None:
    """For a document event: its day's summary (till and day) and when that day is over
    (the next local midnight plus ``delay``, for the last sales and a late Z report)."""
    event = delivery.event
    if event.type not in DOCUMENT_EVENTS:
        return None
    day = local_day(event.payload)
    till = str(event.payload["receipt_no"]).rsplit("-", 1)[0]
    closes = datetime.combine(day + timedelta(days=1), time.min).astimezone() + delay
    return f"{till}/{day.isoformat()}", closes


def summary_entry(ref: str, entries: list[Entry], late: bool) -> Entry:
    """One entry for many: the per-document postings added up per account."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for e in entries:
        for p in e.postings:
            totals[(p.account, p.currency)] += p.amount
    postings = tuple(Posting(a, amount, c) for (a, c), amount in sorted(
        totals.items(), key=lambda kv: (-kv[1], kv[0])) if amount)
    key = ref.split("#", 1)[0]
    till, day = key.rsplit("/", 1)
    receipts = sorted(e.reference for e in entries)
    what = "late entries" if late else "daily summary"
    narration = (f"POS {what} {till} {day}: {len(entries)} documents "
                 f"({receipts[0]} .. {receipts[-1]})")
    return Entry(date.fromisoformat(day), ref, narration, ref, postings, key, len(entries))
