"""Setting devices up: installed drivers, detection, and trying a device out.

Shared by ``pos devices list|detect|test`` and the back office's hardware page, so
both test a printer, drawer, scanner, display, scale or terminal the same way.
Everything here does device I/O: callers run it off the GUI thread.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from drivers import printdoc
from drivers.detect import Found, detect
from drivers.device import Device
from drivers.errors import DeviceError
from drivers.kinds import PaymentProgress
from drivers.registry import DriverEntry, Setting, create_device, load_drivers
from drivers.stripe_terminal import MemoryJournal

from ..domain.errors import PosError
from ..domain.money import format_plain
from .messages import words

# test name -> the device kind (and hardware-profile role) it tries
TESTS = {"print": "printer", "drawer": "drawer", "scan": "scanner", "display": "display",
         "pay": "terminal", "weigh": "scale"}


class DeviceProblem(PosError):
    """A device test failed; the message says what to do, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # library errors may span lines


@dataclass(frozen=True)
class DriverInfo:
    name: str
    kinds: tuple[str, ...]
    transports: tuple[str, ...]
    usable: bool
    note: str  # why not usable, or a partial limitation
    settings: tuple[Setting, ...] = ()


@dataclass
class TestResult:
    ok: bool
    lines: list[str] = field(default_factory=list)


def drivers() -> list[DriverInfo]:
    out = []
    for entry in load_drivers():
        schema = tuple(entry.driver.settings_schema) if entry.driver else ()
        out.append(DriverInfo(entry.name, tuple(entry.kinds), tuple(entry.transports),
                              entry.usable, entry.error or entry.reason, schema))
    return out


def driver_entries() -> list[DriverEntry]:
    return load_drivers()


def detect_devices() -> tuple[list[Found], list[str]]:
    """USB and serial devices with a guess of what each is, and notes (no libusb…)."""
    return detect()


def wait(future: Any, timeout: float, kind: str, url: str) -> Any:
    try:
        return future.result(timeout)
    except FutureTimeout:
        raise DeviceProblem(f"{kind} at {url}: no answer within {timeout:g} s") from None
    except DeviceError as exc:
        raise DeviceProblem(f"{kind} at {url}: {words(exc.code.value)[1]} ({exc})") from None


def open_for_test(kind: str, url: str, settings: dict[str, Any], driver: str | None,
                  timeout: float) -> Device:
    try:
        device = create_device(kind, url, settings, driver, name=kind)
    except DeviceError as exc:
        raise DeviceProblem(f"{kind} at {url}: {exc}") from None
    try:
        wait(device.activate(), timeout, kind, url)
    except BaseException:
        device.close(timeout=2)
        raise
    return device


def test_device(what: str, device: Device, url: str, timeout: float = 10.0, *,
                amount: int = 100, currency: str = "EUR", temporary: bool = True,
                say: Callable[[str], None] = lambda _line: None) -> TestResult:
    """Try ``device`` (already active) the way ``what`` says; lines tell what happened.
    ``temporary``: opened just for this test (a card test then keeps its own journal
    instead of the till's)."""
    kind = TESTS[what]
    result = TestResult(True)

    def out(line: str) -> None:
        result.lines.append(line)
        say(line)

    w = timeout
    if what == "print":
        columns = int(getattr(device, "columns", 42))
        wait(device.print_document(printdoc.test_page(columns)),  # type: ignore[attr-defined]
             w, kind, url)
        out(f"test page printed on {url} ({columns} columns)")
    elif what == "drawer":
        wait(device.open_drawer(), w, kind, url)  # type: ignore[attr-defined]
        state = wait(device.is_open(), w, kind, url)  # type: ignore[attr-defined]
        out("drawer kicked; sensor says " + {True: "open", False: "closed",
                                             None: "nothing (no sensor)"}[state])
    elif what == "display":
        wait(device.show("POS display test", "0123456789 €ÄÖÜé"),  # type: ignore[attr-defined]
             w, kind, url)
        out(f"test lines shown on {url}")
    elif what == "weigh":
        reading = wait(device.read_stable_weight(min(w, 10.0)),  # type: ignore[attr-defined]
                       w + 1, kind, url)
        out(f"{reading.kilograms} kg ({reading.state.value})")
    elif what == "scan":
        got: list[Any] = []
        done = threading.Event()

        def on_scan(scan: Any) -> None:
            got.append(scan)
            done.set()

        device.add_data_listener(on_scan)  # type: ignore[attr-defined]
        out(f"scan a barcode with the scanner at {url} (waiting {w:g} s)...")
        try:
            if not done.wait(w):
                raise DeviceProblem(f"no scan from {url} within {w:g} s")
        finally:
            device.remove_data_listener(on_scan)  # type: ignore[attr-defined]
        out(f"scanned {got[0].data!r} symbology {got[0].symbology or 'not sent'}")
    elif what == "pay":
        if temporary and hasattr(device, "set_journal"):
            device.set_journal(MemoryJournal())

        def progress(p: PaymentProgress) -> None:
            out(f"  terminal: {p.stage.value} {p.message}".rstrip())

        ref = f"devtest-{uuid.uuid4().hex[:12]}"
        outcome = wait(device.start(amount, currency, ref, progress),  # type: ignore
                       w, kind, url)
        out(f"{outcome.status.value}: {format_plain(amount, currency)} {currency} "
            f"{outcome.provider_ref or ''} {outcome.message}".rstrip())
        if outcome.approved and not outcome.captured and outcome.provider_ref:
            wait(device.void(outcome.provider_ref, f"{ref}:void"),  # type: ignore
                 w, kind, url)
            out("authorisation released: nothing was charged")
        result.ok = bool(outcome.approved)
    return result
