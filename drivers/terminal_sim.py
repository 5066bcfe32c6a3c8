"""A simulated card terminal for the demo store and tests.

Behaves like a real one where it matters to the till: every charge gets a
provider id, a repeated reference returns the first result (idempotency), and
test amounts decline (any amount whose last two minor digits are 13 or 51).

``SimulatedTerminal`` is the old synchronous one the app still uses;
``SimTerminal`` is the device-framework terminal (authorise, capture, refund,
recover, cancel while waiting, selectable failures, optional state file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, InvalidStateError
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from .errors import DeviceBusy, DeviceOffline, DeviceTimeout, IllegalState
from .interfaces import PaymentTerminal, ProgressCallback, done, failed, report_progress
from .kinds import PaymentOutcome, PaymentStage, PaymentStatus
from .status import Status
from .stripe_terminal import atomic_write_json
from .url import DeviceUrl

log = logging.getLogger(__name__)
T = TypeVar("T")

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


# --------------------------------------------------------------------------- device-framework sim

class SimBehaviour(StrEnum):
    """What the simulated customer and terminal do on the next ``start``."""

    APPROVE = "approve"
    DECLINE = "decline"  # every card declines (test amounts decline in any mode)
    TIMEOUT = "timeout"  # the terminal never answers until cancelled
    DISCONNECT = "disconnect"  # the terminal is unreachable: fails as offline
    SLOW = "slow"  # the customer takes a while: waits for present_card() or slow_seconds


@dataclass
class SimCharge:
    """The sim's record of one payment attempt (what a provider keeps)."""

    reference: str
    amount: int
    currency: str
    status: str = "waiting"  # waiting|authorised|captured|declined|cancelled|failed
    provider_ref: str | None = None
    message: str = ""
    captured_amount: int = 0
    refunded: int = 0


class _SimRun:
    def __init__(self, charge: SimCharge) -> None:
        self.charge = charge
        self.cancelled = False
        self.done: Future[PaymentOutcome] = Future()


class SimTerminal(PaymentTerminal):
    """A card terminal that behaves like a provider-backed one, for demos and tests.

    Idempotent by reference (an authorised or captured reference is never charged
    again), authorisation then capture, refunds, ``recover``, and an optional JSON
    state file (``sim://terminal?state=/path.json``) so charges survive a till
    crash. Behaviour comes from the URL/settings (``behaviour``, ``slow_seconds``,
    ``decline_reason``, ``timeout``) and can be switched at run time with
    ``set_behaviour``; ``waiting`` is set while a start waits for a card, so tests
    synchronise on it instead of sleeping.
    """

    def __init__(self, url: DeviceUrl, settings: Mapping[str, Any] | None = None,
                 name: str | None = None, timeout: float = 10.0) -> None:
        super().__init__(url, settings, name, timeout)

        def opt(key: str, default: str) -> str:
            value = url.param(key)
            if value is None:
                value = self.settings.get(key)
            return default if value in (None, "") else str(value)

        self.behaviour = SimBehaviour(opt("behaviour", "approve"))
        self.slow_seconds = float(opt("slow_seconds", "2"))
        self.decline_reason = opt("decline_reason", "card declined")
        self.card_timeout = float(opt("timeout", "120"))
        state = opt("state", "")
        self.state_path = Path(state) if state else None
        self.waiting = threading.Event()
        self._cond = threading.Condition()
        self._presented = False
        self._runs: dict[str, _SimRun] = {}
        self.charges: dict[str, SimCharge] = {}
        self.refunds: dict[str, SimCharge] = {}
        self.captures: dict[str, int] = {}
        self._load()

    # --- test controls ---
    def set_behaviour(self, behaviour: SimBehaviour | str, *, slow_seconds: float | None = None,
                      decline_reason: str | None = None) -> None:
        with self._cond:
            self.behaviour = SimBehaviour(behaviour)
            if slow_seconds is not None:
                self.slow_seconds = slow_seconds
            if decline_reason is not None:
                self.decline_reason = decline_reason
            self._cond.notify_all()

    def present_card(self) -> None:
        """The slow customer finally taps the card."""
        with self._cond:
            self._presented = True
            self._cond.notify_all()

    def capture_count(self, provider_ref: str) -> int:
        with self._cond:
            return self.captures.get(provider_ref, 0)

    # --- lifecycle ---
    def _enable_io(self) -> None:
        if self.behaviour is SimBehaviour.DISCONNECT:
            self.emit_status(Status.OFFLINE, "simulated terminal unreachable", group="online")
        else:
            self.emit_status(Status.ONLINE, "", group="online")

    # --- PaymentTerminal ---
    def start(self, amount: int, currency: str, reference: str,
              on_progress: ProgressCallback | None = None) -> Future[PaymentOutcome]:
        with self._cond:
            if reference in self._runs:
                return failed(DeviceBusy(f"payment {reference} is already running",
                                          device=self.name))
            previous = self.charges.get(reference)
            if previous is not None and previous.status in ("authorised", "captured",
                                                            "cancelled"):
                return done(self._outcome(previous))
            run = _SimRun(SimCharge(reference, amount, currency.lower()))
            self._runs[reference] = run

        def work() -> PaymentOutcome:
            try:
                outcome = self._charge(run, on_progress)
            except BaseException as exc:
                run.done.set_exception(exc)
                raise
            finally:
                with self._cond:
                    self._runs.pop(reference, None)
                    self._cond.notify_all()
            run.done.set_result(outcome)
            return outcome

        return self.submit(work, timeout=self.card_timeout)

    def cancel(self, reference: str) -> Future[bool]:
        """Answered at once; a running start is told to stop and its result decides."""
        with self._cond:
            run = self._runs.get(reference)
            if run is not None:
                run.cancelled = True
                self._cond.notify_all()
                result: Future[bool] = Future()

                def chain(done: Future[PaymentOutcome]) -> None:
                    error = done.exception()
                    result.set_result(error is not None or not done.result().approved)

                run.done.add_done_callback(chain)
                return result
            charge = self.charges.get(reference)
            if charge is not None and charge.status in ("authorised", "captured"):
                return done(False)
            if charge is not None:
                charge.status = "cancelled"
                self._save()
            return done(True)

    def capture(self, provider_ref: str, amount: int, reference: str) -> Future[PaymentOutcome]:
        def work() -> PaymentOutcome:
            self.require_enabled()
            self._reachable()
            with self._cond:
                charge = self._by_provider_ref(provider_ref)
                if charge.status == "authorised":
                    if amount > charge.amount:
                        raise IllegalState(f"cannot capture {amount} of {charge.amount}",
                                           device=self.name)
                    charge.status, charge.captured_amount = "captured", amount
                    self.captures[provider_ref] = self.captures.get(provider_ref, 0) + 1
                    self._save()
                elif charge.status != "captured":
                    if charge.status == "cancelled":
                        return self._outcome(charge)
                    raise IllegalState(f"{provider_ref} is {charge.status}, cannot capture",
                                       device=self.name)
                return self._outcome(charge)
        return self.submit(work)

    def void(self, provider_ref: str, reference: str) -> Future[PaymentOutcome]:
        def work() -> PaymentOutcome:
            self.require_enabled()
            self._reachable()
            with self._cond:
                charge = self._by_provider_ref(provider_ref)
                if charge.status == "captured":
                    raise IllegalState(f"{provider_ref} is captured: refund it instead",
                                       device=self.name)
                charge.status, charge.message = "cancelled", "authorisation released"
                self._save()
                return self._outcome(charge)
        return self.submit(work)

    def refund(self, provider_ref: str, amount: int, currency: str,
               reference: str) -> Future[PaymentOutcome]:
        def work() -> PaymentOutcome:
            self.require_enabled()
            self._reachable()
            with self._cond:
                done = self.refunds.get(reference)
                if done is not None:
                    return PaymentOutcome(PaymentStatus.APPROVED, reference, done.provider_ref,
                                          done.amount, done.currency, "refunded")
                charge = self._by_provider_ref(provider_ref)
                left = charge.captured_amount - charge.refunded
                if charge.status != "captured" or amount > left or amount <= 0:
                    return PaymentOutcome(PaymentStatus.DECLINED, reference, None, amount,
                                          currency, f"cannot refund {amount}: {left} refundable",
                                          captured=False)
                charge.refunded += amount
                record = SimCharge(reference, amount, currency.lower(), "refunded",
                                   f"sim_re_{uuid.uuid4().hex[:24]}", "refunded")
                self.refunds[reference] = record
                self._save()
                return PaymentOutcome(PaymentStatus.APPROVED, reference, record.provider_ref,
                                      amount, record.currency, "refunded")
        return self.submit(work)

    def recover(self, reference: str, *, cancel_pending: bool = False) -> Future[PaymentOutcome]:
        """Answered from the sim's records, beside a stuck start. A start still waiting
        for the card is waited for (up to ``timeout``) or, with ``cancel_pending``,
        cancelled."""
        with self._cond:
            run = self._runs.get(reference)
            if run is not None:
                if cancel_pending:
                    run.cancelled = True
                    self._cond.notify_all()
                return _chain(run.done, self.card_timeout, self.name)
            charge = self.charges.get(reference)
            if charge is None:
                return done(PaymentOutcome(PaymentStatus.UNKNOWN, reference,
                                            message="the terminal never saw this reference",
                                            captured=False))
            return done(self._outcome(charge))

    # --- internals ---
    def _charge(self, run: _SimRun, on_progress: ProgressCallback | None) -> PaymentOutcome:
        self.require_enabled()
        charge = run.charge
        ref = charge.reference
        with self._cond:
            self.charges[ref] = charge
            self._presented = False
            behaviour = self.behaviour
            if behaviour is SimBehaviour.DISCONNECT:
                charge.status, charge.message = "failed", "terminal unreachable"
                self._save()
                self.emit_status(Status.OFFLINE, "simulated terminal unreachable",
                                 group="online")
                raise DeviceOffline(f"{self.name}: terminal unreachable; nothing was charged",
                                    device=self.name)
        self.emit_status(Status.ONLINE, "", group="online")
        report_progress(on_progress, ref, PaymentStage.WAITING_FOR_CARD, "present the card")
        with self._cond:
            self.waiting.set()
            try:
                if behaviour is SimBehaviour.TIMEOUT:
                    self._cond.wait_for(lambda: run.cancelled)
                elif behaviour is SimBehaviour.SLOW:
                    self._cond.wait_for(lambda: run.cancelled or self._presented,
                                        self.slow_seconds if self.slow_seconds > 0 else None)
            finally:
                self.waiting.clear()
            # Decided atomically: a cancel that lost the race to the card reports approval.
            if run.cancelled:
                charge.status, charge.message = "cancelled", "cancelled by the till"
            else:
                reason = DECLINE_ENDINGS.get(charge.amount % 100)
                if reason is None and self.behaviour is SimBehaviour.DECLINE:
                    reason = self.decline_reason
                if reason:
                    charge.status, charge.message = "declined", reason
                else:
                    charge.status, charge.message = "authorised", "approved"
                    charge.provider_ref = f"sim_pi_{uuid.uuid4().hex[:24]}"
            self._save()  # durable before the till hears about it
            outcome = self._outcome(charge)
        if charge.status != "cancelled":
            report_progress(on_progress, ref, PaymentStage.PROCESSING, "")
        stage = {"authorised": PaymentStage.APPROVED, "declined": PaymentStage.DECLINED,
                 "cancelled": PaymentStage.CANCELLED}[charge.status]
        report_progress(on_progress, ref, stage, charge.message)
        return outcome

    def _outcome(self, charge: SimCharge) -> PaymentOutcome:
        status = {"authorised": PaymentStatus.APPROVED, "captured": PaymentStatus.APPROVED,
                  "declined": PaymentStatus.DECLINED, "cancelled": PaymentStatus.CANCELLED,
                  }.get(charge.status, PaymentStatus.FAILED)
        amount = charge.captured_amount if charge.status == "captured" else charge.amount
        return PaymentOutcome(status, charge.reference, charge.provider_ref, amount,
                              charge.currency, charge.message or charge.status,
                              captured=charge.status == "captured")

    def _by_provider_ref(self, provider_ref: str) -> SimCharge:
        for charge in self.charges.values():
            if charge.provider_ref == provider_ref:
                return charge
        raise IllegalState(f"no simulated payment {provider_ref}", device=self.name)

    def _reachable(self) -> None:
        if self.behaviour is SimBehaviour.DISCONNECT:
            raise DeviceOffline(f"{self.name}: terminal unreachable", device=self.name)

    def _load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        data = json.loads(self.state_path.read_text(encoding="utf-8") or "{}")
        for ref, raw in data.get("charges", {}).items():
            charge = SimCharge(**raw)
            if charge.status == "waiting":  # the till died while the card was awaited
                charge.status, charge.message = "failed", "interrupted; nothing was charged"
            self.charges[ref] = charge
        self.refunds = {ref: SimCharge(**raw) for ref, raw in data.get("refunds", {}).items()}
        self.captures = {k: int(v) for k, v in data.get("captures", {}).items()}

    def _save(self) -> None:
        if self.state_path is None:
            return
        data = {"charges": {r: asdict(c) for r, c in self.charges.items()},
                "refunds": {r: asdict(c) for r, c in self.refunds.items()},
                "captures": self.captures}
        atomic_write_json(self.state_path, data)


def create_sim_terminal(url: DeviceUrl, settings: Mapping[str, Any] | None,
                        name: str | None = None) -> SimTerminal:
    """For the general ``sim`` driver: ``sim://terminal?behaviour=…&state=…``."""
    return SimTerminal(url, settings, name)


def _chain(source: Future[PaymentOutcome], limit: float, name: str) -> Future[PaymentOutcome]:
    """A future that follows ``source`` but fails with DeviceTimeout after ``limit``."""
    result: Future[PaymentOutcome] = Future()

    def copy(done: Future[PaymentOutcome]) -> None:
        with contextlib.suppress(InvalidStateError):
            error = done.exception()
            if error is not None:
                result.set_exception(error)
            else:
                result.set_result(done.result())

    def expire() -> None:
        with contextlib.suppress(InvalidStateError):
            result.set_exception(DeviceTimeout(f"{name}: payment still waiting for the card",
                                               device=name))

    timer = threading.Timer(limit, expire)
    timer.daemon = True
    timer.start()
    result.add_done_callback(lambda _f: timer.cancel())
    source.add_done_callback(copy)
    return result

