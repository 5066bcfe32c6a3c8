"""Stripe Terminal, server-driven (WisePOS E, S700): the till talks to Stripe's API,
Stripe talks to the reader.

Why it is shaped like this: a card payment must never be taken twice and an
approved one must never be forgotten, even when the till crashes or the network
drops mid-call. So

* ``reference`` (the till's payment-attempt id, committed before any call) maps
  to exactly ONE PaymentIntent; its id goes into a durable ``TerminalJournal``
  before the reader is asked to collect anything;
* every idempotency key is derived from the reference (``{ref}:create``,
  ``{ref}:process:{n}``, ``{ref}:capture``, ``{ref}:void``, ``{ref}:refund``), so a
  retry after a crash replays instead of repeating;
* after any uncertain failure the reader and the PaymentIntent are read back
  before anything else is tried (``recover``);
* a PaymentIntent can be authorised only once, so re-asking the reader to
  collect the same PaymentIntent can never charge twice.

The API key comes from the app (OS keyring) in the ``api_key`` setting and is
never logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar
from urllib.parse import urlsplit

from .device import Device
from .errors import (
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceTimeout,
    DriverNotUsable,
    IllegalState,
    NoHardware,
)
from .interfaces import PaymentTerminal, ProgressCallback, failed, report_progress
from .kinds import DeviceKind, PaymentOutcome, PaymentStage, PaymentStatus
from .registry import Driver, Setting
from .status import Status
from .url import DeviceUrl

log = logging.getLogger(__name__)
T = TypeVar("T")

AUTHORISED = ("requires_capture", "succeeded")


# --------------------------------------------------------------------------- journal

class TerminalJournal(Protocol):
    """Where the driver notes what it asked the provider, keyed by reference.

    ``remember`` must be durable when it returns: the PaymentIntent id is
    remembered before the reader is asked to charge, so a restarted till can
    always find the payment again.
    """

    def remember(self, reference: str, key: str, value: str) -> None: ...

    def recall(self, reference: str) -> dict[str, str]: ...


class MemoryJournal:
    """For tests and for tills that keep the journal in their own database."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def remember(self, reference: str, key: str, value: str) -> None:
        with self._lock:
            self._data.setdefault(reference, {})[key] = value

    def recall(self, reference: str) -> dict[str, str]:
        with self._lock:
            return dict(self._data.get(reference, {}))


class JsonFileJournal:
    """A JSON file rewritten atomically (temp file, fsync, ``os.replace``, directory
    fsync), so a crash leaves either the old or the new journal, never half of one."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, str]]:
        # Read each time: another driver instance (a restarted till) may have written it.
        try:
            data: dict[str, dict[str, str]] = json.loads(
                self.path.read_text(encoding="utf-8") or "{}")
            return data
        except FileNotFoundError:
            return {}

    def remember(self, reference: str, key: str, value: str) -> None:
        with self._lock:
            data = self._load()
            if data.get(reference, {}).get(key) == value:
                return
            data.setdefault(reference, {})[key] = value
            atomic_write_json(self.path, data)

    def recall(self, reference: str) -> dict[str, str]:
        with self._lock:
            return dict(self._load().get(reference, {}))


def atomic_write_json(path: Path, data: Any) -> None:
    """Replace ``path`` with ``data`` as JSON, durably (fsync file and directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def journal_from_setting(value: Any) -> TerminalJournal | None:
    """The ``journal`` setting: a journal object, a file path, or empty (none)."""
    if not value:
        return None
    if hasattr(value, "remember") and hasattr(value, "recall"):
        return value  # type: ignore[no-any-return]
    return JsonFileJournal(str(value))


# --------------------------------------------------------------------------- device

class _Unreachable(DeviceOffline):
    """The backend did not answer (timeout, connection reset, 5xx): the call may or may
    not have happened. Never retried blindly: the state is read back first. Reaches the
    app as ``DeviceOffline`` (state unknown: call ``recover``)."""


class _Running:
    """A ``start`` in progress: what ``cancel`` needs to stop it from another thread."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.waiters: list[Future[bool]] = []
        self.lock = threading.Lock()

    def resolve(self, result: bool | None, error: BaseException | None = None) -> None:
        with self.lock:
            waiters, self.waiters = self.waiters, []
        for fut in waiters:
            if fut.done():
                continue
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(bool(result))


class StripeTerminal(PaymentTerminal):
    """One Stripe Terminal reader. Address: ``stripe://tmr_READER?api_base=http://…``.

    Settings: ``api_key`` (required), ``api_base``, ``poll_interval`` (seconds),
    ``timeout`` (seconds to wait for the card), ``request_timeout``, ``skip_tipping``,
    ``enable_customer_cancellation``, ``max_network_retries``, ``journal`` (a
    ``TerminalJournal`` or a JSON file path; or call ``set_journal``).
    """

    def __init__(self, url: DeviceUrl, settings: Mapping[str, Any] | None = None,
                 name: str | None = None, timeout: float = 10.0,
                 journal: TerminalJournal | None = None) -> None:
        super().__init__(url, settings, name, timeout)
        self.reader_id = urlsplit(url.raw).netloc or url.path.strip("/")
        if not self.reader_id:
            raise IllegalState(f"{url.raw}: expected stripe://READER_ID", device=self.name)
        self.journal: TerminalJournal | None = journal or journal_from_setting(
            self.settings.get("journal"))
        self.poll_interval = float(self.settings.get("poll_interval") or 0.5)
        self.card_timeout = float(self.settings.get("timeout") or 120)
        self.request_timeout = float(self.settings.get("request_timeout") or 30)
        self.api_base = str(url.param("api_base") or self.settings.get("api_base") or "")
        self._client: Any = None
        self._running: dict[str, _Running] = {}
        self._running_lock = threading.Lock()

    def __repr__(self) -> str:  # never show settings: they hold the API key
        return f"<StripeTerminal {self.name} reader={self.reader_id}>"

    def set_journal(self, journal: TerminalJournal) -> None:
        self.journal = journal

    # --- lifecycle hooks (worker thread) ---
    def _open_io(self) -> None:
        try:
            import stripe
        except ImportError as exc:  # pragma: no cover - stripe is a dependency
            raise DriverNotUsable(f"the stripe library is missing: {exc}",
                                  device=self.name) from None
        api_key = self.settings.get("api_key")
        if not api_key:
            raise IllegalState("the Stripe API key is not set (setting api_key)",
                               device=self.name)
        if self.journal is None:
            raise IllegalState("no payment journal: pass settings['journal'] or call "
                               "set_journal() before opening", device=self.name)
        addresses: dict[str, str] = {"api": self.api_base} if self.api_base else {}
        self._client = stripe.StripeClient(
            str(api_key), base_addresses=addresses,  # type: ignore[arg-type]
            max_network_retries=int(self.settings.get("max_network_retries", 2) or 0),
            http_client=stripe.RequestsClient(timeout=self.request_timeout))

    def _enable_io(self) -> None:
        reader = self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id)
        self._note_reader(reader)

    def _close_io(self) -> None:
        self._client = None

    @property
    def _stripe(self) -> Any:
        if self._client is None:
            raise IllegalState(f"{self.name} is not open", device=self.name)
        return self._client

    # --- public API ---
    def start(self, amount: int, currency: str, reference: str,
              on_progress: ProgressCallback | None = None) -> Future[PaymentOutcome]:
        if amount <= 0:
            return failed(IllegalState(f"amount must be positive, got {amount}",
                                        device=self.name))
        running = _Running()
        with self._running_lock:
            if reference in self._running:
                return failed(DeviceBusy(f"payment {reference} is already running",
                                          device=self.name))
            self._running[reference] = running

        def run() -> PaymentOutcome:
            try:
                outcome = self._start(amount, currency.lower(), reference, running, on_progress)
            except (DeviceBusy, IllegalState) as exc:  # refused before any money moved
                running.resolve(True)
                raise exc from None
            except BaseException as exc:
                running.resolve(None, exc)
                raise
            running.resolve(not outcome.approved)
            return outcome

        future = self.submit(run, timeout=self.card_timeout + 3 * self.request_timeout + 5)
        future.add_done_callback(lambda _f: self._forget_running(reference, running))
        return future

    def cancel(self, reference: str) -> Future[bool]:
        """Stop the attempt; True if no money moved. Works beside a running ``start``
        (it signals the poll loop, which cancels the reader action); without one it
        cancels a reader action still collecting this attempt and voids its
        PaymentIntent. False when the card was authorised first (void or capture it)."""
        with self._running_lock:
            running = self._running.get(reference)
            if running is not None:
                future: Future[bool] = Future()
                with running.lock:
                    running.waiters.append(future)
                running.cancel.set()
                return future
        return self.submit(self._cancel_idle, reference)

    def capture(self, provider_ref: str, amount: int, reference: str) -> Future[PaymentOutcome]:
        return self.submit(self._capture, provider_ref, amount, reference)

    def void(self, provider_ref: str, reference: str) -> Future[PaymentOutcome]:
        return self.submit(self._void, provider_ref, reference)

    def refund(self, provider_ref: str, amount: int, currency: str,
               reference: str) -> Future[PaymentOutcome]:
        return self.submit(self._refund, provider_ref, amount, currency.lower(), reference)

    def recover(self, reference: str, *, cancel_pending: bool = False) -> Future[PaymentOutcome]:
        """What became of the attempt, read from the provider (never charges).

        If the reader is still collecting a card for it, this waits (up to the card
        ``timeout``) for the customer, or with ``cancel_pending=True`` cancels the
        reader action and voids the PaymentIntent. ``UNKNOWN`` when the journal has
        no PaymentIntent for the reference (the provider never saw it).
        """
        return self.submit(self._recover, reference, cancel_pending,
                           timeout=self.card_timeout + 3 * self.request_timeout + 5)

    # --- the charge ---
    def _start(self, amount: int, currency: str, reference: str, running: _Running,
               on_progress: ProgressCallback | None) -> PaymentOutcome:
        self.require_enabled()
        journal = self._journal
        if running.cancel.is_set():
            return self._outcome(PaymentStatus.CANCELLED, reference, None, amount, currency,
                                 "cancelled before the reader was asked", on_progress)
        deadline = time.monotonic() + self.card_timeout
        pi_id = journal.recall(reference).get("payment_intent")
        if pi_id is None:
            journal.remember(reference, "amount", str(amount))
            journal.remember(reference, "currency", currency)
            params = {"amount": amount, "currency": currency,
                      "payment_method_types": ["card_present"], "capture_method": "manual",
                      "metadata": {"pos_reference": reference}}
            pi = self._retry_idempotent(deadline, self._stripe.v1.payment_intents.create,
                                        params=params,
                                        options={"idempotency_key": f"{reference}:create"})
            pi_id = str(pi.id)
            journal.remember(reference, "payment_intent", pi_id)
        else:
            # A retry (or a restart): look before asking the reader again. The reader is
            # read first so the PaymentIntent read after it is at least as fresh.
            reader = self._retry_idempotent(deadline,
                                            self._stripe.v1.terminal.readers.retrieve,
                                            self.reader_id)
            pi = self._retry_idempotent(deadline, self._stripe.v1.payment_intents.retrieve,
                                        pi_id)
            if int(pi.amount) != amount or str(pi.currency) != currency:
                raise IllegalState(f"reference {reference} was started for {pi.amount} "
                                   f"{pi.currency}, not {amount} {currency}", device=self.name)
            settled = self._settled(pi, reference)
            if settled is not None:
                return self._report(settled, on_progress)
            action = _action_for(reader, pi_id)
            if action is not None and action.status != "failed":
                return self._watch(pi_id, reference, deadline, running, on_progress)
        outcome = self._process(pi_id, reference, deadline, running, on_progress)
        if outcome is not None:
            return self._report(outcome, on_progress)
        return self._watch(pi_id, reference, deadline, running, on_progress)

    def _process(self, pi_id: str, reference: str, deadline: float, running: _Running,
                 on_progress: ProgressCallback | None) -> PaymentOutcome | None:
        """Ask the reader to collect; None when it is now collecting our PaymentIntent."""
        journal = self._journal
        attempt = int(journal.recall(reference).get("process_attempts", "0")) + 1
        journal.remember(reference, "process_attempts", str(attempt))
        params = {"payment_intent": pi_id, "process_config": {
            "skip_tipping": bool(self.settings.get("skip_tipping", True)),
            "enable_customer_cancellation":
                bool(self.settings.get("enable_customer_cancellation", True))}}
        key = f"{reference}:process:{attempt}"
        while True:
            try:
                reader = self._api(self._stripe.v1.terminal.readers.process_payment_intent,
                                   self.reader_id, params=params,
                                   options={"idempotency_key": key})
            except _Unreachable as exc:
                if time.monotonic() > deadline:
                    raise
                # Did it land? Read the reader and the PaymentIntent before retrying.
                state = self._reconcile(pi_id, reference, deadline, exc)
                if isinstance(state, PaymentOutcome):
                    return state
                if state == "collecting":
                    return None
                continue  # it never reached the reader: send the same request again
            except DeviceOffline as exc:
                self.emit_status(Status.OFFLINE, str(exc), group="online")
                return PaymentOutcome(PaymentStatus.FAILED, reference, pi_id,
                                      message=f"reader offline: {exc}", captured=False)
            except DeviceError as exc:
                if getattr(exc, "stripe_code", None) != "payment_intent_unexpected_state":
                    raise
                pi = self._api(self._stripe.v1.payment_intents.retrieve, pi_id)
                settled = self._settled(pi, reference)
                if settled is None:
                    raise
                return settled
            self._note_reader(reader)
            return None

    def _reconcile(self, pi_id: str, reference: str, deadline: float,
                   cause: Exception) -> PaymentOutcome | str | None:
        """After an unanswered process call: the PaymentIntent's outcome, ``"collecting"``
        (the call landed: watch the action), or None if the reader never started on it."""
        while True:
            try:
                reader = self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id)
                pi = self._api(self._stripe.v1.payment_intents.retrieve, pi_id)
            except _Unreachable:
                if time.monotonic() > deadline:
                    raise DeviceOffline(f"Stripe unreachable ({cause}); payment {reference} "
                                        "is in an unknown state: call recover()",
                                        device=self.name) from cause
                time.sleep(min(self.poll_interval, 1.0))
                continue
            settled = self._settled(pi, reference)
            if settled is not None:
                return settled
            action = _action_for(reader, pi_id)
            if action is None:
                return None
            if action.status == "failed":
                return self._from_failure(pi, reference, action)
            return "collecting"

    def _watch(self, pi_id: str, reference: str, deadline: float, running: _Running,
               on_progress: ProgressCallback | None) -> PaymentOutcome:
        """Poll the reader until its action for ``pi_id`` ends, honouring cancel."""
        report_progress(on_progress, reference, PaymentStage.WAITING_FOR_CARD,
                       "present the card on the reader")
        self.emit_status(Status.BUSY, reference, group="activity")
        try:
            while True:
                if running.cancel.is_set():
                    return self._report(self._stop(pi_id, reference, "cancelled by the till"),
                                        on_progress)
                if time.monotonic() > deadline:
                    return self._report(self._stop(
                        pi_id, reference, f"no card within {self.card_timeout:g} s"), on_progress)
                try:
                    reader = self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id)
                except _Unreachable:
                    running.cancel.wait(self.poll_interval)
                    continue
                self._note_reader(reader)
                action = _action_for(reader, pi_id)
                if action is not None and action.status == "in_progress":
                    running.cancel.wait(self.poll_interval)
                    continue
                report_progress(on_progress, reference, PaymentStage.PROCESSING, "")
                pi = self._retry_idempotent(deadline + self.request_timeout,
                                            self._stripe.v1.payment_intents.retrieve, pi_id)
                settled = self._settled(pi, reference)
                if settled is None and action is not None and action.status == "failed":
                    settled = self._from_failure(pi, reference, action)
                if settled is None:
                    # The action vanished (cancelled on the dashboard or by another call).
                    settled = self._void_unpaid(pi_id, reference, "the reader action was "
                                                "cancelled outside the till")
                return self._report(settled, on_progress)
        finally:
            self.emit_status(Status.IDLE, reference, group="activity")

    def _stop(self, pi_id: str, reference: str, why: str) -> PaymentOutcome:
        """Cancel the reader action, then tell the truth: if the card was authorised in the
        meantime that is what is reported."""
        try:
            self._api(self._stripe.v1.terminal.readers.cancel_action, self.reader_id)
        except DeviceError as exc:  # nothing in progress any more (it finished first),
            log.info("cancel_action on %s: %s", self.reader_id, exc)  # or no answer
        pi = self._retry_idempotent(time.monotonic() + self.request_timeout,
                                    self._stripe.v1.payment_intents.retrieve, pi_id)
        settled = self._settled(pi, reference)
        if settled is not None:
            return settled
        return self._void_unpaid(pi_id, reference, why)

    def _void_unpaid(self, pi_id: str, reference: str, why: str) -> PaymentOutcome:
        """Cancel a PaymentIntent that holds no money, so it can never be charged later."""
        try:
            pi = self._api(self._stripe.v1.payment_intents.cancel, pi_id,
                           params={"cancellation_reason": "abandoned"},
                           options={"idempotency_key": f"{reference}:void"})
        except DeviceError:
            pi = self._api(self._stripe.v1.payment_intents.retrieve, pi_id)
        settled = self._settled(pi, reference)
        if settled is not None and settled.status is not PaymentStatus.CANCELLED:
            return settled
        return PaymentOutcome(PaymentStatus.CANCELLED, reference, pi_id, int(pi.amount),
                              str(pi.currency), why, captured=False)

    # --- capture, void, refund, recover, cancel (worker thread) ---
    def _capture(self, provider_ref: str, amount: int, reference: str) -> PaymentOutcome:
        self.require_enabled()
        deadline = time.monotonic() + self.request_timeout * 3
        try:
            pi = self._retry_idempotent(deadline, self._stripe.v1.payment_intents.capture,
                                        provider_ref, params={"amount_to_capture": amount},
                                        options={"idempotency_key": f"{reference}:capture"},
                                        reconcile=lambda: self._captured_already(provider_ref))
        except DeviceError as exc:
            if getattr(exc, "stripe_code", None) != "payment_intent_unexpected_state":
                raise
            pi = self._api(self._stripe.v1.payment_intents.retrieve, provider_ref)
        if pi.status == "succeeded":
            return PaymentOutcome(PaymentStatus.APPROVED, reference, provider_ref,
                                  int(pi.amount_received), str(pi.currency), "captured",
                                  captured=True)
        if pi.status == "canceled":
            return PaymentOutcome(PaymentStatus.CANCELLED, reference, provider_ref,
                                  int(pi.amount), str(pi.currency),
                                  "the authorisation was released", captured=False)
        raise IllegalState(f"{provider_ref} cannot be captured: it is {pi.status}",
                           device=self.name)

    def _captured_already(self, provider_ref: str) -> Any:
        pi = self._api(self._stripe.v1.payment_intents.retrieve, provider_ref)
        return pi if pi.status in ("succeeded", "canceled") else None

    def _void(self, provider_ref: str, reference: str) -> PaymentOutcome:
        self.require_enabled()
        pi = self._api(self._stripe.v1.payment_intents.retrieve, provider_ref)
        if pi.status == "succeeded":
            raise IllegalState(f"{provider_ref} is captured: refund it instead",
                               device=self.name)
        if pi.status != "canceled":
            reader = self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id)
            if self._collecting(reader, provider_ref):
                with contextlib.suppress(DeviceError):
                    self._api(self._stripe.v1.terminal.readers.cancel_action, self.reader_id)
            outcome = self._void_unpaid(provider_ref, reference, "authorisation released")
            if outcome.status is not PaymentStatus.CANCELLED:
                raise IllegalState(f"{provider_ref} could not be voided: {outcome.message}",
                                   device=self.name)
            return outcome
        return PaymentOutcome(PaymentStatus.CANCELLED, reference, provider_ref, int(pi.amount),
                              str(pi.currency), "authorisation released", captured=False)

    def _refund(self, provider_ref: str, amount: int, currency: str,
                reference: str) -> PaymentOutcome:
        self.require_enabled()
        params = {"payment_intent": provider_ref, "amount": amount,
                  "metadata": {"pos_reference": reference}}
        try:
            refund = self._retry_idempotent(
                time.monotonic() + self.request_timeout * 3, self._stripe.v1.refunds.create,
                params=params, options={"idempotency_key": f"{reference}:refund"})
        except DeviceError as exc:
            code = getattr(exc, "stripe_code", None)
            if code in ("amount_too_large", "charge_not_refundable", "charge_already_refunded"):
                return PaymentOutcome(PaymentStatus.DECLINED, reference, None, amount, currency,
                                      str(exc), captured=False, extra={"code": code})
            raise
        self._journal.remember(reference, "refund", str(refund.id))
        return PaymentOutcome(PaymentStatus.APPROVED, reference, str(refund.id),
                              int(refund.amount), str(refund.currency), str(refund.status))

    def _recover(self, reference: str, cancel_pending: bool) -> PaymentOutcome:
        self.require_enabled()
        entry = self._journal.recall(reference)
        pi_id = entry.get("payment_intent")
        if pi_id is None:
            return PaymentOutcome(PaymentStatus.UNKNOWN, reference,
                                  message="no PaymentIntent was created for this reference",
                                  captured=False)
        reader = self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id)
        pi = self._api(self._stripe.v1.payment_intents.retrieve, pi_id)  # after the reader
        settled = self._settled(pi, reference)
        if settled is not None:
            return settled
        if self._collecting(reader, pi_id):
            if cancel_pending:
                return self._stop(pi_id, reference, "cancelled during recovery")
            running = _Running()
            return self._watch(pi_id, reference, time.monotonic() + self.card_timeout,
                               running, None)
        action = _action_for(reader, pi_id)
        if action is not None and action.status == "failed":
            return self._from_failure(pi, reference, action)
        if pi.last_payment_error:
            return self._declined(pi, reference, pi.last_payment_error)
        return PaymentOutcome(PaymentStatus.FAILED, reference, pi_id, int(pi.amount),
                              str(pi.currency), "the reader never collected a card for it; "
                              "nothing was charged", captured=False)

    def _cancel_idle(self, reference: str) -> bool:
        self.require_enabled()
        pi_id = self._journal.recall(reference).get("payment_intent")
        if pi_id is None:
            return True
        outcome = self._stop(pi_id, reference, "cancelled") if self._collecting(
            self._api(self._stripe.v1.terminal.readers.retrieve, self.reader_id), pi_id) \
            else self._void_if_unpaid(pi_id, reference)
        return not outcome.approved

    def _void_if_unpaid(self, pi_id: str, reference: str) -> PaymentOutcome:
        pi = self._api(self._stripe.v1.payment_intents.retrieve, pi_id)
        settled = self._settled(pi, reference)
        return settled if settled is not None else self._void_unpaid(pi_id, reference,
                                                                     "cancelled")

    # --- helpers ---
    @property
    def _journal(self) -> TerminalJournal:
        if self.journal is None:
            raise IllegalState("no payment journal configured", device=self.name)
        return self.journal

    def _settled(self, pi: Any, reference: str) -> PaymentOutcome | None:
        """The final answer a PaymentIntent already gives, or None while it is open."""
        status = str(pi.status)
        if status in AUTHORISED:
            captured = status == "succeeded"
            amount = int(pi.amount_received if captured else pi.amount_capturable or pi.amount)
            return PaymentOutcome(PaymentStatus.APPROVED, reference, str(pi.id), amount,
                                  str(pi.currency), "captured" if captured else "authorised",
                                  captured=captured)
        if status == "canceled":
            return PaymentOutcome(PaymentStatus.CANCELLED, reference, str(pi.id),
                                  int(pi.amount), str(pi.currency),
                                  f"cancelled ({pi.cancellation_reason or 'no reason'})",
                                  captured=False)
        return None

    def _from_failure(self, pi: Any, reference: str, action: Any) -> PaymentOutcome:
        code = str(action.failure_code or "")
        if code in ("customer_canceled", "canceled"):
            return PaymentOutcome(PaymentStatus.CANCELLED, reference, str(pi.id),
                                  int(pi.amount), str(pi.currency),
                                  action.failure_message or "cancelled on the reader",
                                  captured=False)
        if pi.last_payment_error:
            return self._declined(pi, reference, pi.last_payment_error)
        return PaymentOutcome(PaymentStatus.DECLINED if code else PaymentStatus.FAILED,
                              reference, str(pi.id), int(pi.amount), str(pi.currency),
                              str(action.failure_message or code or "the reader failed"),
                              captured=False, extra={"failure_code": code})

    def _declined(self, pi: Any, reference: str, error: Any) -> PaymentOutcome:
        extra = {"failure_code": str(_field(error, "code") or ""),
                 "decline_code": str(_field(error, "decline_code") or "")}
        return PaymentOutcome(PaymentStatus.DECLINED, reference, str(pi.id), int(pi.amount),
                              str(pi.currency), str(_field(error, "message") or "declined"),
                              captured=False, extra=extra)

    def _collecting(self, reader: Any, pi_id: str) -> bool:
        action = _action_for(reader, pi_id)
        return action is not None and action.status == "in_progress"

    def _report(self, outcome: PaymentOutcome,
                on_progress: ProgressCallback | None) -> PaymentOutcome:
        stage = {PaymentStatus.APPROVED: PaymentStage.APPROVED,
                 PaymentStatus.DECLINED: PaymentStage.DECLINED,
                 PaymentStatus.CANCELLED: PaymentStage.CANCELLED}.get(outcome.status,
                                                                      PaymentStage.FAILED)
        report_progress(on_progress, outcome.reference, stage, outcome.message)
        return outcome

    def _outcome(self, status: PaymentStatus, reference: str, pi_id: str | None, amount: int,
                 currency: str, message: str,
                 on_progress: ProgressCallback | None) -> PaymentOutcome:
        return self._report(PaymentOutcome(status, reference, pi_id, amount, currency, message,
                                           captured=False), on_progress)

    def _note_reader(self, reader: Any) -> None:
        if str(reader.status) == "offline":
            self.emit_status(Status.OFFLINE, f"reader {self.reader_id} is offline", group="online")
        else:
            self.emit_status(Status.ONLINE, "", group="online")

    def _forget_running(self, reference: str, running: _Running) -> None:
        with self._running_lock:
            if self._running.get(reference) is running:
                del self._running[reference]
        # A start that never ran (deadline passed while queued) still answers its cancels.
        running.resolve(None, DeviceTimeout(f"payment {reference} did not finish; "
                                            "call recover()", device=self.name))

    def _retry_idempotent(self, deadline: float, fn: Callable[..., T], *args: Any,
                          reconcile: Callable[[], Any] | None = None, **kwargs: Any) -> T:
        """Call with a fixed idempotency key (or a read) until answered or the deadline.

        The same key makes a repeat harmless at Stripe; ``reconcile`` reads the state
        first where a repeat could be refused instead of replayed.
        """
        failed = False
        while True:
            try:
                if failed and reconcile is not None:
                    found = reconcile()
                    if found is not None:
                        return found  # type: ignore[no-any-return]
                return self._api(fn, *args, **kwargs)
            except _Unreachable as exc:
                failed = True
                if time.monotonic() > deadline:
                    self.emit_status(Status.OFFLINE, str(exc), group="online")
                    raise DeviceOffline(f"Stripe did not answer: {exc}",
                                        device=self.name) from exc
                log.warning("%s: Stripe did not answer (%s); retrying with the same key",
                            self.name, exc)
                time.sleep(min(self.poll_interval, 1.0))

    def _api(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One SDK call with Stripe's errors turned into device errors."""
        import stripe

        try:
            return fn(*args, **kwargs)
        except stripe.APIConnectionError as exc:
            raise _Unreachable(f"Stripe did not answer: {_describe(exc)}",
                               device=self.name) from exc
        except stripe.APIError as exc:
            if exc.http_status is None or exc.http_status >= 500 or not _code(exc):
                raise _Unreachable(f"Stripe failed: {_describe(exc)}", device=self.name) \
                    from exc
            self._raise_mapped(exc)
        except stripe.AuthenticationError as exc:
            raise DriverNotUsable(f"Stripe refused the API key: {_describe(exc)}",
                                  device=self.name) from exc
        except stripe.IdempotencyError as exc:
            raise IllegalState(f"a reference was reused for a different request: "
                               f"{_describe(exc)}", device=self.name) from exc
        except stripe.RateLimitError as exc:
            raise DeviceBusy(f"Stripe rate limit: {_describe(exc)}", device=self.name) from exc
        except stripe.StripeError as exc:
            self._raise_mapped(exc)

    def _raise_mapped(self, exc: Exception) -> NoReturn:
        """Stripe's error codes as device errors; ``stripe_code`` keeps the original."""
        code = _code(exc)
        err: DeviceError
        if code == "terminal_reader_busy":
            err = DeviceBusy(f"reader {self.reader_id} is busy with another payment",
                             device=self.name)
        elif code == "terminal_reader_timeout":  # the reader may or may not have started
            err = _Unreachable(f"reader {self.reader_id}: {_describe(exc)}", device=self.name)
        elif code == "terminal_reader_offline":
            err = DeviceOffline(f"reader {self.reader_id}: {_describe(exc)}",
                                device=self.name)
        elif code == "resource_missing" and getattr(exc, "param", None) == "reader":
            err = NoHardware(f"no reader {self.reader_id} on this Stripe account",
                             device=self.name)
        else:
            err = DeviceError(_describe(exc), device=self.name)
        err.stripe_code = code  # type: ignore[attr-defined]
        raise err from exc


def _action_for(reader: Any, pi_id: str) -> Any:
    """The reader's process_payment_intent action for ``pi_id``, if it is the current one."""
    action = _field(reader, "action")
    if not action or _field(action, "type") != "process_payment_intent":
        return None
    ppi = _field(action, "process_payment_intent")
    return action if _field(ppi, "payment_intent") == pi_id else None


def _field(obj: Any, name: str) -> Any:
    """A field of a StripeObject (or dict), None when absent."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _code(exc: Exception) -> str | None:
    """The error code, also for errors the SDK files as plain ``APIError`` (e.g. 409)."""
    code = getattr(exc, "code", None)
    if code:
        return str(code)
    body = getattr(exc, "json_body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        found = body["error"].get("code")
        return str(found) if found else None
    return None


def _describe(exc: Exception) -> str:
    message = getattr(exc, "user_message", None) or str(exc)
    code = _code(exc)
    return f"{message} ({code})" if code else str(message)


# --------------------------------------------------------------------------- driver

class StripeTerminalDriver(Driver):
    name = "stripe"
    kinds = frozenset({DeviceKind.TERMINAL})
    transports = frozenset({"stripe"})
    description = "Stripe Terminal smart readers (WisePOS E, S700), server-driven"
    settings_schema = (
        Setting("api_key", "Secret API key", "secret",
                help="fetched from the OS keyring by the app"),
        Setting("api_base", "API base URL", default="",
                help="only for sandboxes and the local fake; the URL's api_base wins"),
        Setting("poll_interval", "Reader poll interval (s)", default="0.5"),
        Setting("timeout", "Wait for the card (s)", "int", default=120),
        Setting("request_timeout", "HTTP timeout per call (s)", "int", default=30),
        Setting("skip_tipping", "Skip tipping on the reader", "bool", default=True),
        Setting("enable_customer_cancellation", "Customer may cancel on the reader", "bool",
                default=True),
        Setting("max_network_retries", "SDK retries per call", "int", default=2),
        Setting("journal", "Payment journal", default="",
                help="JSON file path, or a TerminalJournal object from the app"),
    )

    def is_usable(self) -> tuple[bool, str]:
        try:
            import stripe  # noqa: F401
        except ImportError as exc:
            return False, f"the stripe library is not installed ({exc})"
        return True, ""

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.TERMINAL:
            raise IllegalState(f"driver stripe makes terminals, not {kind.value}")
        return StripeTerminal(url, settings, name,
                              timeout=float(settings.get("request_timeout") or 30) * 3)
