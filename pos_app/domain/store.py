"""Who and where this till is, and the settings that shape pricing."""

from __future__ import annotations

import re
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


RECEIPT_NO = re.compile(r"^[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}-\d{6,}$")


def is_receipt_no(code: str) -> bool:
    """A scanned receipt barcode/QR (any till of the store), not an item code."""
    return bool(RECEIPT_NO.match(code.strip()))


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
