"""What each kind of device offers the till. Drivers subclass one of these.

Every method returns a ``Future`` resolved on the device's worker thread; errors
arrive as ``drivers.errors.DeviceError`` subclasses on that future.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from .device import Device
from .kinds import (
    DeviceKind,
    PaymentOutcome,
    PaymentProgress,
    PaymentStage,
    PrinterStatus,
    ScanData,
)
from .kinds import WeightReading as WeightReading

ProgressCallback = Callable[[PaymentProgress], None]
T = TypeVar("T")
log = logging.getLogger(__name__)


def done(value: T) -> Future[T]:
    """A future that already holds its answer (nothing to wait for on the device)."""
    future: Future[T] = Future()
    future.set_result(value)
    return future


def failed(exc: BaseException) -> Future[Any]:
    """A future that already failed (refused before it reached the device)."""
    future: Future[Any] = Future()
    future.set_exception(exc)
    return future


def report_progress(callback: ProgressCallback | None, reference: str, stage: PaymentStage,
                    message: str) -> None:
    """Tell the till how a payment is going; a failing listener never stops the payment."""
    if callback is None:
        return
    try:
        callback(PaymentProgress(reference, stage, message))
    except Exception:
        log.exception("payment progress listener failed for %s", reference)


class ReceiptPrinter(Device):
    kind = DeviceKind.PRINTER
    columns: int = 42

    def print_document(self, ops: list[dict[str, Any]]) -> Future[None]:
        """Print one job (see ``drivers.printdoc`` for the ops). Fails with ``PaperOut``,
        ``CoverOpen``, ``DeviceOffline``, ``NoHardware`` or ``DeviceTimeout`` when the
        receipt may not be complete: the caller keeps the job and prints it again."""
        raise NotImplementedError

    def check_status(self) -> Future[PrinterStatus]:
        raise NotImplementedError

    def kick_drawer(self, pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> Future[None]:
        raise NotImplementedError


class CashDrawer(Device):
    kind = DeviceKind.DRAWER

    def open_drawer(self) -> Future[None]:
        raise NotImplementedError

    def is_open(self) -> Future[bool | None]:
        """True/False from the sensor (polarity from settings); None without a sensor."""
        raise NotImplementedError


class Scanner(Device):
    """Scans arrive as data events; repeats of the same code within the debounce
    window (``debounce_ms`` setting, 500 ms default) are dropped."""

    kind = DeviceKind.SCANNER

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._data_listeners: list[Callable[[ScanData], None]] = []
        self._last: tuple[str, float] | None = None
        self._debounce_lock = threading.Lock()

    def add_data_listener(self, listener: Callable[[ScanData], None]) -> None:
        self._data_listeners.append(listener)

    def remove_data_listener(self, listener: Callable[[ScanData], None]) -> None:
        if listener in self._data_listeners:
            self._data_listeners.remove(listener)

    def deliver(self, scan: ScanData) -> bool:
        """Hand a scan to the listeners unless it is a double read; True if delivered."""
        window = float(self.settings.get("debounce_ms", 500)) / 1000
        now = time.monotonic()
        with self._debounce_lock:
            if self._last and self._last[0] == scan.data and now - self._last[1] < window:
                self._last = (scan.data, now)
                return False
            self._last = (scan.data, now)
        for listener in list(self._data_listeners):
            listener(scan)
        return True


class LineDisplay(Device):
    kind = DeviceKind.DISPLAY
    columns: int = 20
    rows: int = 2

    def show(self, top: str, bottom: str = "") -> Future[None]:
        raise NotImplementedError

    def clear(self) -> Future[None]:
        raise NotImplementedError


class Scale(Device):
    kind = DeviceKind.SCALE

    def read_weight(self) -> Future[WeightReading]:
        """One reading, whatever its state."""
        raise NotImplementedError

    def read_stable_weight(self, timeout: float = 5.0) -> Future[WeightReading]:
        """Wait for a stable, positive weight; fails with DeviceTimeout if it never settles."""
        raise NotImplementedError


class PaymentTerminal(Device):
    """A card terminal. ``reference`` is the till's payment-attempt id, persisted
    before any call, and doubles as the idempotency key at the provider."""

    kind = DeviceKind.TERMINAL

    def start(self, amount: int, currency: str, reference: str,
              on_progress: ProgressCallback | None = None) -> Future[PaymentOutcome]:
        """Take a card payment (authorise; capture follows with ``capture``)."""
        raise NotImplementedError

    def cancel(self, reference: str) -> Future[bool]:
        """Stop a running charge; True if it was stopped before any money moved.
        Runs beside a running ``start``, not behind it."""
        raise NotImplementedError

    def capture(self, provider_ref: str, amount: int, reference: str) -> Future[PaymentOutcome]:
        raise NotImplementedError

    def void(self, provider_ref: str, reference: str) -> Future[PaymentOutcome]:
        """Release an authorisation that was never captured (sale abandoned)."""
        raise NotImplementedError

    def refund(self, provider_ref: str, amount: int, currency: str,
               reference: str) -> Future[PaymentOutcome]:
        raise NotImplementedError

    def recover(self, reference: str) -> Future[PaymentOutcome]:
        """After a crash or timeout: what happened to the attempt with this reference
        (``UNKNOWN`` if the provider never saw it). Nothing is charged by asking."""
        raise NotImplementedError
