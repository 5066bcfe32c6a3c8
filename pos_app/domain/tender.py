"""Tenders and settling a cart's payments: change, cash rounding, no over-tender except cash."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import StateError
from .money import cash_round


class Tender(StrEnum):
    CASH = "cash"
    CARD = "card"
    STORE_CREDIT = "store_credit"
    LOYALTY = "loyalty"


@dataclass(frozen=True, slots=True)
class Settlement:
    rounding: int  # added to the total by cash rounding (signed)
    cash_applied: int  # cash kept (sale) or paid out (refund, negative)
    change: int


def settle(total: int, non_cash: int, cash_tendered: int, cash_increment: int,
           has_cash: bool = False) -> Settlement:
    """Check that payments cover ``total`` exactly (cash may exceed it and gives change).

    ``non_cash`` is the sum of card, store-credit and loyalty amounts already applied.
    Cash rounding applies only to the part paid in cash; ``has_cash`` with nothing
    tendered settles a rest that rounds to zero (0.02 left, smallest coin 0.05).
    """
    rest = total - non_cash
    due = cash_round(rest, cash_increment)
    if cash_tendered == 0 and (rest == 0 or due != 0 or not has_cash):
        if rest != 0:
            raise _unpaid(rest)
        return Settlement(0, 0, 0)
    if rest >= 0:
        if cash_tendered < due:
            raise _unpaid(due - cash_tendered)
        return Settlement(due - rest, due, cash_tendered - due)
    if cash_tendered != due:
        raise StateError("cash refund must be exactly {amount} minor units", amount=-due)
    return Settlement(due - rest, due, 0)


def _unpaid(minor: int) -> StateError:
    return StateError("sale is not fully paid: {minor} minor units still due", minor=minor)
