"""Who and where this till is, and the settings that shape pricing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TillContext:
    store_id: str
    store_code: str
    store_name: str
    till_id: str
    till_code: str
    location_id: str
    currency: str

    def receipt_no(self, seq: int) -> str:
        return f"{self.store_code}-{self.till_code}-{seq:06d}"


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    code: str
    name: str
    email: str | None
    phone: str | None
    tax_exempt: bool
    exemption_ref: str | None
    loyalty_points: int = 0
    store_credit: int = 0
