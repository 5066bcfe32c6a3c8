"""Stock is a ledger of signed movements; on-hand is their sum."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class MovementKind(StrEnum):
    SALE = "sale"
    RETURN = "return"
    ADJUSTMENT = "adjustment"
    RECEIVING = "receiving"
    TRANSFER = "transfer"
    COUNT = "count"


@dataclass(frozen=True, slots=True)
class StockMove:
    id: str
    variant_id: str
    location_id: str
    qty: Decimal  # signed
    kind: MovementKind
    reason: str | None = None
    ref_id: str | None = None
    user_id: str | None = None
