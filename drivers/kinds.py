"""Device kinds and the plain data they exchange with the till."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class DeviceKind(StrEnum):
    SCANNER = "scanner"
    PRINTER = "printer"
    DRAWER = "drawer"
    TERMINAL = "terminal"
    DISPLAY = "display"
    SCALE = "scale"


@dataclass(frozen=True, slots=True)
class ScanData:
    """One barcode read. ``symbology`` is the AIM identifier (``]E0``) when the scanner sent one."""

    data: str
    symbology: str | None = None
    source: str = ""


class WeightState(StrEnum):
    STABLE = "stable"
    UNSTABLE = "unstable"  # still settling: never sell on it
    OVERLOAD = "overload"
    UNDERLOAD = "underload"  # below zero (tare problem)
    ZERO = "zero"  # nothing on the platter


@dataclass(frozen=True, slots=True)
class WeightReading:
    state: WeightState
    kilograms: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What DLE EOT says; ``None`` where the transport cannot ask (file, USB without IN)."""

    online: bool | None = None
    paper_near_end: bool | None = None
    paper_out: bool | None = None
    cover_open: bool | None = None
    drawer_pin3_high: bool | None = None
    error: bool | None = None

    @property
    def ready(self) -> bool:
        return self.online is not False and not self.paper_out and not self.cover_open \
            and not self.error


class PaymentStatus(StrEnum):
    APPROVED = "approved"  # authorised or captured: money is (being) taken
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"  # nothing charged, e.g. reader offline
    UNKNOWN = "unknown"  # the provider has no record of this reference


class PaymentStage(StrEnum):
    WAITING_FOR_CARD = "waiting_for_card"
    PROCESSING = "processing"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class PaymentProgress:
    reference: str
    stage: PaymentStage
    message: str = ""


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """The result of a charge, refund, capture or recovery.

    ``provider_ref`` is the provider's id (a PaymentIntent, a refund); card data is
    never part of it. ``captured`` is False for an authorisation still to capture.
    """

    status: PaymentStatus
    reference: str
    provider_ref: str | None = None
    amount: int = 0
    currency: str = ""
    message: str = ""
    captured: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.status is PaymentStatus.APPROVED
