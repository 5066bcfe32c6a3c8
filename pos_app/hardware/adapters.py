"""Adapters from driver devices (futures, typed errors) to the services' ports.

Services call ports synchronously from a worker thread; these adapters wait for
the driver's future with a deadline and turn ``drivers.errors.DeviceError`` into
``DeviceUnavailable`` with the driver's error code.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from drivers import interfaces as itf
from drivers.device import Device, Phase
from drivers.errors import DeviceError, ErrorCode
from drivers.kinds import PaymentOutcome, PaymentProgress

from ..services.ports import DeviceUnavailable, TerminalResult

T = TypeVar("T")


def _line(text: object) -> str:
    """One line: driver and library messages may span several (python-escpos's do), and
    they end up in the print queue's error column and on the cashier's status line."""
    return " ".join(str(text).split())


def wait(future: Future[T], timeout: float, what: str) -> T:
    try:
        return future.result(timeout)
    except FutureTimeout:
        raise DeviceUnavailable(f"{what}: no answer within {timeout:g} s",
                                ErrorCode.TIMEOUT.value) from None
    except DeviceError as exc:
        raise DeviceUnavailable(f"{what}: {_line(exc)}", exc.code.value) from exc
    except OSError as exc:
        raise DeviceUnavailable(f"{what}: {_line(exc)}", ErrorCode.NO_HARDWARE.value) from exc


def ready(device: Device, timeout: float) -> None:
    """Bring a device (back) up before use: one that failed to start (printer off at
    opening time) gets another chance on every call instead of staying dead."""
    if device.phase is not Phase.ENABLED:
        wait(device.activate(), timeout, device.name)


class PrinterAdapter:
    def __init__(self, device: itf.ReceiptPrinter, timeout: float = 30.0) -> None:
        self.device = device
        self.timeout = timeout

    @property
    def columns(self) -> int:
        return int(self.device.columns)

    def print_document(self, ops: list[dict[str, Any]]) -> None:
        ready(self.device, self.timeout)
        wait(self.device.print_document(ops), self.timeout, "receipt printer")


class DrawerAdapter:
    def __init__(self, device: itf.CashDrawer, timeout: float = 5.0) -> None:
        self.device = device
        self.timeout = timeout

    def open_drawer(self) -> None:
        ready(self.device, self.timeout)
        wait(self.device.open_drawer(), self.timeout, "cash drawer")

    def is_open(self) -> bool | None:
        ready(self.device, self.timeout)
        return wait(self.device.is_open(), self.timeout, "cash drawer")


def _result(outcome: PaymentOutcome) -> TerminalResult:
    return TerminalResult(outcome.status.value, outcome.provider_ref, outcome.message,
                          outcome.captured)


class TerminalAdapter:
    """A card terminal device as the checkout's ``PaymentTerminal`` port.

    ``payment_timeout`` bounds a whole card payment (a slow customer included);
    when it passes, the checkout asks the provider what happened (``recover``)."""

    def __init__(self, device: itf.PaymentTerminal, name: str, payment_timeout: float = 180.0,
                 call_timeout: float = 30.0) -> None:
        self.device = device
        self.name = name
        self.payment_timeout = payment_timeout
        self.call_timeout = call_timeout

    def charge(self, amount: int, currency: str, reference: str,
               on_progress: Callable[[str, str], None] | None = None) -> TerminalResult:
        def progress(p: PaymentProgress) -> None:
            if on_progress is not None:
                on_progress(p.stage.value, p.message)

        ready(self.device, self.call_timeout)
        future = self.device.start(amount, currency, reference, progress)
        return _result(wait(future, self.payment_timeout, "card terminal"))

    def cancel(self, reference: str) -> bool:
        return bool(wait(self.device.cancel(reference), self.call_timeout, "card terminal"))

    def capture(self, provider_ref: str, amount: int, reference: str) -> TerminalResult:
        return _result(wait(self.device.capture(provider_ref, amount, reference),
                            self.call_timeout, "card terminal"))

    def void(self, provider_ref: str, reference: str) -> TerminalResult:
        return _result(wait(self.device.void(provider_ref, reference), self.call_timeout,
                            "card terminal"))

    def refund(self, amount: int, currency: str, provider_ref: str,
               reference: str) -> TerminalResult:
        return _result(wait(self.device.refund(provider_ref, amount, currency, reference),
                            self.call_timeout, "card terminal"))

    def recover(self, reference: str) -> TerminalResult:
        return _result(wait(self.device.recover(reference), self.call_timeout,
                            "card terminal"))
