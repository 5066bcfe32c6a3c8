"""Built-in simulated devices (``sim://``) for every kind: the demo and tests use them
where no emulator on a pty or socket is wanted.

``sim://terminal?behaviour=decline``, ``sim://printer?out=/tmp/receipts.txt``,
``sim://drawer``, ``sim://scanner``, ``sim://display``, ``sim://scale``. Each has
test controls (``paper_out``, ``inject``, ``set_weight`` ...) to simulate faults.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path
from typing import Any

from .device import Device
from .errors import CoverOpen, DeviceOffline, DeviceTimeout, PaperOut
from .interfaces import CashDrawer, LineDisplay, ReceiptPrinter, Scale, Scanner
from .kinds import DeviceKind, PrinterStatus, ScanData, WeightReading, WeightState
from .printdoc import check_document, plain_text
from .registry import Candidate, Driver, Guess, Setting
from .status import Status
from .terminal_sim import create_sim_terminal
from .url import DeviceUrl


class SimPrinter(ReceiptPrinter):
    """Keeps every job as text (``printed``), optionally appended to ``out``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = int(self.settings.get("columns") or 42)
        self.printed: list[str] = []
        self.paper_out = self.cover_open = self.offline = self.near_end = False
        out = self.url.param("out") or self.settings.get("out")
        self.out = Path(out) if out else None
        self.kicks: list[tuple[int, int, int]] = []
        self.printed_event = threading.Event()

    def _status(self) -> PrinterStatus:
        return PrinterStatus(online=not self.offline, paper_near_end=self.near_end,
                             paper_out=self.paper_out, cover_open=self.cover_open,
                             drawer_pin3_high=False, error=False)

    def _check(self) -> None:
        status = self._status()
        self.emit_status(Status.PAPER_OUT if status.paper_out else
                         Status.PAPER_NEAR_END if status.paper_near_end else Status.PAPER_OK,
                         group="paper")
        self.emit_status(Status.COVER_OPEN if status.cover_open else Status.COVER_CLOSED,
                         group="cover")
        self.emit_status(Status.OFFLINE if self.offline else Status.ONLINE, group="online")
        if self.offline:
            raise DeviceOffline("simulated printer is offline", device=self.name)
        if status.paper_out:
            raise PaperOut("simulated printer is out of paper", device=self.name)
        if status.cover_open:
            raise CoverOpen("simulated printer cover is open", device=self.name)

    def _enable_io(self) -> None:
        self._check()

    def print_document(self, ops: list[dict[str, Any]]) -> Future[None]:
        def run() -> None:
            self.require_enabled()
            check_document(ops)
            self._check()
            text = plain_text(ops, self.columns)
            self.printed.append(text)
            if self.out is not None:
                with self.out.open("a", encoding="utf-8") as f:
                    f.write(text)
            self.printed_event.set()
        return self.submit(run)

    def check_status(self) -> Future[PrinterStatus]:
        return self.submit(self._status)

    def kick_drawer(self, pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> Future[None]:
        def run() -> None:
            self._check()
            self.kicks.append((pin, on_ms, off_ms))
        return self.submit(run)


class SimDrawer(CashDrawer):
    """Opens when kicked; ``close()`` by hand (``close_drawer``) like a real one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened = 0
        self.open_now = False
        self.auto_close = (self.url.param("auto_close") or "") in ("1", "true", "yes")

    def open_drawer(self) -> Future[None]:
        def run() -> None:
            self.require_enabled()
            self.opened += 1
            self.open_now = not self.auto_close
            self.emit_status(Status.DRAWER_OPEN, group="drawer")
            if self.auto_close:
                self.emit_status(Status.DRAWER_CLOSED, group="drawer")
        return self.submit(run)

    def close_drawer(self) -> None:
        self.open_now = False
        self.emit_status(Status.DRAWER_CLOSED, group="drawer")

    def is_open(self) -> Future[bool | None]:
        return self.submit(lambda: self.open_now)


class SimScanner(Scanner):
    def inject(self, data: str, symbology: str | None = None) -> bool:
        """As if a code were scanned (delivered only while enabled)."""
        self.require_enabled()
        return self.deliver(ScanData(data, symbology, self.name))


class SimDisplay(LineDisplay):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = ("", "")

    def show(self, top: str, bottom: str = "") -> Future[None]:
        def run() -> None:
            self.require_enabled()
            self.lines = (top[:self.columns].ljust(self.columns),
                          bottom[:self.columns].ljust(self.columns))
        return self.submit(run)

    def clear(self) -> Future[None]:
        return self.show("", "")


class SimScale(Scale):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading = WeightReading(WeightState.ZERO)
        self._changed = threading.Condition()

    def set_weight(self, kilograms: Decimal | str, state: WeightState = WeightState.STABLE
                   ) -> None:
        with self._changed:
            self.reading = WeightReading(state, Decimal(kilograms))
            self._changed.notify_all()

    def read_weight(self) -> Future[WeightReading]:
        return self.submit(lambda: self.reading)

    def read_stable_weight(self, timeout: float = 5.0) -> Future[WeightReading]:
        def run() -> WeightReading:
            with self._changed:
                ok = self._changed.wait_for(
                    lambda: self.reading.state is WeightState.STABLE
                    and self.reading.kilograms > 0, timeout)
                if not ok:
                    raise DeviceTimeout(f"no stable weight within {timeout:g} s "
                                        f"({self.reading.state.value})", device=self.name)
                return self.reading
        return self.submit(run, timeout=timeout + 1)


_CLASSES: dict[DeviceKind, type[Device]] = {
    DeviceKind.PRINTER: SimPrinter, DeviceKind.DRAWER: SimDrawer,
    DeviceKind.SCANNER: SimScanner, DeviceKind.DISPLAY: SimDisplay, DeviceKind.SCALE: SimScale,
}


class SimDriver(Driver):
    name = "sim"
    kinds = frozenset(DeviceKind)
    transports = frozenset({"sim"})
    description = "Built-in simulated devices for the demo and tests"
    settings_schema = (
        Setting("columns", "Printer columns", "int", 42),
        Setting("out", "Append printed receipts to this file", default=""),
        Setting("debounce_ms", "Ignore a repeated scan within (ms)", "int", 500),
        Setting("behaviour", "Terminal behaviour", "choice", "approve",
                ("approve", "decline", "timeout", "disconnect", "slow")),
        Setting("state", "Terminal state file", default=""),
    )

    def probe(self, candidate: Candidate) -> Guess | None:
        return None

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is DeviceKind.TERMINAL:
            return create_sim_terminal(url, settings, name)
        return _CLASSES[kind](url, settings, name)
