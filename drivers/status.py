"""Status events a device reports, after UnifiedPOS StatusUpdateEvent."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OK = "paper_ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    COVER_CLOSED = "cover_closed"
    DRAWER_OPEN = "drawer_open"
    DRAWER_CLOSED = "drawer_closed"
    BUSY = "busy"
    IDLE = "idle"
    ERROR = "error"
    POWER_OFF = "power_off"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    device: str
    status: Status
    detail: str = ""
    at: float = field(default_factory=time.time)
