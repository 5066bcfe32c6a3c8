"""Plain records for the till's hardware profile, print queue and card-payment attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ROLES = ("printer", "drawer", "scanner", "terminal", "display", "scale")


class JobStatus(StrEnum):
    PENDING = "pending"
    PRINTED = "printed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class DeviceEntry:
    """``role`` is the job a device does at this till (``printer``, ``scanner2``...);
    ``kind`` is what it is (a drawer may be kicked through the printer's URL)."""

    role: str
    kind: str
    url: str
    driver: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: str
    kind: str
    sale_id: str | None
    title: str
    status: JobStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    printed_at: datetime | None


class AttemptStatus(StrEnum):
    PENDING = "pending"  # committed, the terminal may or may not have charged
    APPROVED = "approved"  # money authorised; the sale has not completed yet
    DECLINED = "declined"
    FAILED = "failed"
    CANCELLED = "cancelled"
    USED = "used"  # part of a completed sale (or refund)
    REVERSED = "reversed"  # given back because the sale was abandoned
    RECOVERED = "recovered"  # handled after a restart (cart restored)


@dataclass(frozen=True, slots=True)
class PaymentAttempt:
    id: str
    cart_id: str
    amount: int  # negative for refunds
    currency: str
    status: AttemptStatus
    provider: str
    provider_ref: str | None
    message: str | None
    user_id: str | None
    cart_json: str | None
    provider_state: dict[str, str]
    captured_at: datetime | None
    created_at: datetime
