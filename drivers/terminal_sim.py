"""A simulated card terminal for the demo store and tests.

Behaves like a real one where it matters to the till: every charge gets a
provider id, a repeated reference returns the first result (idempotency), and
test amounts decline (any amount whose last two minor digits are 13 or 51).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

DECLINE_ENDINGS = {13: "card declined", 51: "insufficient funds"}


@dataclass(frozen=True, slots=True)
class SimResult:
    approved: bool
    provider_ref: str | None
    message: str = ""


class SimulatedTerminal:
    name = "sim"

    def __init__(self) -> None:
        self._seen: dict[str, SimResult] = {}
        self._charged: dict[str, int] = {}
        self._lock = threading.Lock()

    def charge(self, amount: int, currency: str, reference: str) -> SimResult:
        with self._lock:
            if reference in self._seen:
                return self._seen[reference]
            reason = DECLINE_ENDINGS.get(amount % 100)
            if reason:
                result = SimResult(False, None, reason)
            else:
                ref = f"sim_pi_{uuid.uuid4().hex[:24]}"
                self._charged[ref] = amount
                result = SimResult(True, ref, "approved")
            self._seen[reference] = result
            return result

    def refund(self, amount: int, currency: str, provider_ref: str, reference: str) -> SimResult:
        with self._lock:
            if reference in self._seen:
                return self._seen[reference]
            result = SimResult(True, f"sim_re_{uuid.uuid4().hex[:24]}", "refunded")
            self._seen[reference] = result
            return result
