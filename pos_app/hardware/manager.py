"""The till's devices: built from its hardware profile, watched, and handed to services.

Devices start in the background (a printer that is off must not delay the till);
their health is kept per role for the status bar, in words from ``messages``.
Listeners are called from device threads: the UI marshals them to its own thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from drivers import interfaces as itf
from drivers.device import Device
from drivers.errors import DeviceError, ErrorCode
from drivers.kinds import DeviceKind, ScanData
from drivers.registry import DriverEntry, find_driver, load_drivers
from drivers.status import Status, StatusEvent
from drivers.url import parse_device_url

from ..domain.devices import DeviceEntry
from .adapters import DrawerAdapter, PrinterAdapter, TerminalAdapter
from .messages import words

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    role: str
    kind: str
    url: str
    level: str  # starting | ok | warning | error | off
    code: str  # last status or error code
    message: str


HealthListener = Callable[[DeviceHealth], None]
ScanListener = Callable[[str, ScanData], None]


class DeviceManager:
    def __init__(self, entries: list[DeviceEntry],
                 secret: Callable[[str, str], str | None] = lambda role, key: None,
                 journal: Any = None) -> None:
        self.entries = {e.role: e for e in entries if e.enabled}
        self._secret = secret
        self._journal = journal
        self.devices: dict[str, Device] = {}
        self.health: dict[str, DeviceHealth] = {}
        self.started: dict[str, Future[None]] = {}  # activation of each device, by role
        self._health_listeners: list[HealthListener] = []
        self._scan_listeners: list[ScanListener] = []
        self._lock = threading.Lock()

    # --- listeners ---
    def on_health(self, listener: HealthListener) -> None:
        self._health_listeners.append(listener)

    def on_scan(self, listener: ScanListener) -> None:
        self._scan_listeners.append(listener)

    def _set_health(self, role: str, level: str, code: str, message: str) -> None:
        entry = self.entries[role]
        health = DeviceHealth(role, entry.kind, entry.url, level, code, message)
        with self._lock:
            if self.health.get(role) == health:
                return
            self.health[role] = health
        for listener in list(self._health_listeners):
            try:
                listener(health)
            except Exception:
                log.exception("health listener failed")

    # --- lifecycle ---
    def start(self) -> dict[str, Future[None]]:
        """Create and activate every device; returns the activation futures by role."""
        started: dict[str, Future[None]] = {}
        drivers = load_drivers() if self.entries else []  # once: each load probes libraries
        for role, entry in self.entries.items():
            try:
                device = self._create(role, entry, drivers)
            except DeviceError as exc:
                log.error("device %s (%s) cannot be set up: %s", role, entry.url, exc)
                self._set_health(role, "error", exc.code.value, words(exc.code.value)[1])
                continue
            except Exception as exc:
                log.exception("device %s (%s) cannot be set up", role, entry.url)
                self._set_health(role, "error", ErrorCode.FAILURE.value, str(exc))
                continue
            self.devices[role] = device
            self._set_health(role, "starting", "starting", "Starting...")
            started[role] = self._watch_activation(role, device.activate())
        self.started = started
        return started

    def _create(self, role: str, entry: DeviceEntry, drivers: list[DriverEntry]) -> Device:
        kind, url = DeviceKind(entry.kind), parse_device_url(entry.url)
        driver = find_driver(kind, url, entry.driver, drivers)
        settings = dict(entry.settings)
        device_secrets = {k: self._secret(f"device:{role}", k) for k in driver.secret_keys()}
        settings.update({k: v for k, v in device_secrets.items() if v})
        device = driver.create(kind, url, driver.settings_for(settings), role)
        if self._journal is not None and hasattr(device, "set_journal"):
            device.set_journal(self._journal)
        device.add_status_listener(lambda event, r=role: self._status(r, event))
        if isinstance(device, itf.Scanner):
            device.add_data_listener(lambda scan, r=role: self._scan(r, scan))
        return device

    def _watch_activation(self, role: str, activation: Future[None]) -> Future[None]:
        """A future that completes after the health is updated, not before: a caller
        waking on the driver's own future could otherwise still read "starting"."""
        done: Future[None] = Future()

        def finish(f: Future[None]) -> None:
            try:
                self._activated(role, f)
            finally:
                exc = f.exception()
                if exc is None:
                    done.set_result(None)
                else:
                    done.set_exception(exc)

        activation.add_done_callback(finish)
        return done

    def _activated(self, role: str, future: Future[None]) -> None:
        exc = future.exception()
        if exc is None:
            device = self.devices[role]
            problems = [s for s in device.last_status.values()
                        if words(s.value)[0] != "ok"]
            if not problems:
                self._set_health(role, "ok", Status.ONLINE.value, words(Status.ONLINE)[1])
            return
        code = exc.code.value if isinstance(exc, DeviceError) else ErrorCode.FAILURE.value
        log.warning("device %s did not start: %s", role, exc)
        self._set_health(role, "error", code, words(code)[1])

    def _status(self, role: str, event: StatusEvent) -> None:
        """Health from everything the device reports now, not just the latest event:
        a cleared condition may leave another one (paper back in, cover still open)."""
        device = self.devices.get(role)
        current = list(device.last_status.values()) if device else []
        worst = _worst([*current, event.status])
        if worst is None:
            shown = event.status
            if shown in (Status.DRAWER_OPEN, Status.DRAWER_CLOSED) and \
                    self.entries[role].kind != DeviceKind.DRAWER.value:
                shown = Status.ONLINE  # the printer carries the drawer's sensor: still "Ready"
            level, message = words(shown.value)
            self._set_health(role, level, shown.value, message)
            return
        level, message = words(worst.value)
        self._set_health(role, level, worst.value, message)

    def _scan(self, role: str, scan: ScanData) -> None:
        for listener in list(self._scan_listeners):
            try:
                listener(role, scan)
            except Exception:
                log.exception("scan listener failed")

    def note_error(self, role: str, code: str) -> None:
        """A service call failed: show it until the device reports it is fine again."""
        if role in self.entries:
            level, message = words(code)
            self._set_health(role, level if level != "ok" else "error", code, message)

    def close(self) -> None:
        for device in self.devices.values():
            device.close(timeout=2.0)
        self.devices.clear()

    # --- what services get ---
    def device(self, role: str) -> Device | None:
        return self.devices.get(role)

    def printer(self) -> PrinterAdapter | None:
        device = self.devices.get("printer")
        return PrinterAdapter(device) if isinstance(device, itf.ReceiptPrinter) else None

    def drawer(self) -> DrawerAdapter | None:
        device = self.devices.get("drawer")
        return DrawerAdapter(device) if isinstance(device, itf.CashDrawer) else None

    def terminal(self) -> TerminalAdapter | None:
        device = self.devices.get("terminal")
        if not isinstance(device, itf.PaymentTerminal):
            return None
        entry = self.entries["terminal"]
        return TerminalAdapter(device, entry.driver or device.url.scheme)

    def display(self) -> itf.LineDisplay | None:
        device = self.devices.get("display")
        return device if isinstance(device, itf.LineDisplay) else None

    def scale(self) -> itf.Scale | None:
        device = self.devices.get("scale")
        return device if isinstance(device, itf.Scale) else None


# A stopped printer also reports itself offline (DLE EOT 1 bit 3); the cashier needs the
# cause (paper, cover) rather than "not answering", so specific conditions come first.
_CAUSES = (Status.PAPER_OUT, Status.COVER_OPEN, Status.POWER_OFF, Status.ERROR, Status.OFFLINE)


def _worst(statuses: list[Status]) -> Status | None:
    """The condition to show: errors (most specific cause first), then warnings."""
    errors = [s for s in statuses if words(s.value)[0] == "error"]
    if errors:
        return min(errors, key=lambda s: _CAUSES.index(s) if s in _CAUSES else len(_CAUSES))
    return next((s for s in statuses if words(s.value)[0] == "warning"), None)
