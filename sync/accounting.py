"""Sales, refunds and exchanges as balanced journal entries, for ledger-style targets.

For one sale document: each tender's applied amount goes to its account (debit),
the amount before tax goes to revenue per tax category and the tax to tax payable
per rate (credit), and cash rounding to its own account, so every entry balances to
the minor unit. Refunds are the same entry with the signs reversed. Which accounts
to use is explicit mapping, checked before a connector starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .model import OutboxEvent, PermanentError

DOCUMENT_EVENTS = ("sale.completed", "refund.completed", "exchange.completed")
MAPPING_PREFIXES = ("revenue", "tax", "tender", "rounding")
TENDERS = ("cash", "card", "store_credit", "loyalty")


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Decimal  # major units, signed: debit positive
    currency: str


@dataclass(frozen=True, slots=True)
class Entry:
    day: date
    reference: str  # the receipt number
    narration: str
    event_id: str
    postings: tuple[Posting, ...]


def _money(m: dict[str, Any]) -> Decimal:
    return Decimal(m["text"])


def mapping_keys(tax_codes: Iterable[str]) -> list[str]:
    """Every account a store with these tax categories needs mapped."""
    keys = [f"revenue.{c}" for c in tax_codes] + [f"tax.{c}" for c in tax_codes]
    return [*keys, *(f"tender.{t}" for t in TENDERS), "rounding"]


def unmapped(mapping: dict[str, str], tax_codes: Iterable[str]) -> list[str]:
    return [k for k in mapping_keys(tax_codes) if not mapping.get(k)]


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
    if missing:
        raise KeyError(", ".join(sorted(set(missing))))
    total = sum((p.amount for p in postings), Decimal(0))
    if total != 0:  # pragma: no cover - the POS documents always balance
        raise ValueError(f"entry for {payload['receipt_no']} does not balance: {total}")
    kind = {"sale": "POS sale", "return": "POS refund", "exchange": "POS exchange"}
    day = datetime.fromisoformat(payload["completed_at"]).astimezone().date()
    return Entry(day, payload["receipt_no"], kind[payload["kind"]], event_id, tuple(postings))


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
