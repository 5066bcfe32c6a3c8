"""Standalone cash drawers with their own serial interface (not kicked by a printer).

``serial:///dev/ttyUSB3?baudrate=9600``

Protocol (the default settings; every byte string is configurable because serial
drawer interfaces differ by maker): the ESC/POS drawer subset that printer-style
drawer controllers and "printer-less" drawer boxes accept —

* open: ``open_command`` = ``ESC p 0 25 250`` (``1b 70 00 19 fa``): pulse pin 2
  for 50 ms. Interfaces that open on any single byte take e.g. ``07`` (BEL).
* sensor: ``status_command`` = ``DLE EOT 1`` (``10 04 01``); the interface answers
  one byte shaped ``0xx1xx10`` whose bit 2 (``status_bit``) is the level of the
  drawer switch on pin 3 (1 = high). Which level means *open* depends on the
  drawer: ``open_level`` = ``high`` or ``low``.

Drawers that wire the switch to a modem line instead take ``sensor`` = ``dsr`` or
``cts`` (real ports only: a pty has no modem lines); ``none`` for no sensor.
While enabled, the sensor is polled every ``poll_ms`` and DRAWER_OPEN /
DRAWER_CLOSED status events are sent on each change.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from .device import Device
from .errors import DeviceError, DeviceTimeout, IllegalState
from .interfaces import CashDrawer
from .kinds import DeviceKind
from .registry import Setting
from .serialio import SerialDevice, SerialDriver, parse_bytes, reply_timeout
from .status import Status
from .url import DeviceUrl

log = logging.getLogger(__name__)
DLE_EOT = b"\x10\x04"


class SerialDrawer(SerialDevice, CashDrawer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        s = self.settings
        self.open_command = parse_bytes(str(s.get("open_command", "1b 70 00 19 fa")))
        self.status_command = parse_bytes(str(s.get("status_command", "10 04 01")))
        self.status_bit = int(s.get("status_bit", 2))
        self.open_level_high = str(s.get("open_level", "high")) == "high"
        self.sensor = str(s.get("sensor", "query"))
        self.poll_interval = int(s.get("poll_ms", 500)) / 1000
        self.reply_timeout = reply_timeout(self.url, 1.0)
        if not self.open_command:
            raise IllegalState(f"{self.name}: open_command is empty")
        if not 0 <= self.status_bit <= 7:
            raise IllegalState(f"{self.name}: status_bit must be 0-7")
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    # --- the till's calls ---
    def open_drawer(self) -> Future[None]:
        def run() -> None:
            self.require_enabled()

            def send(port: Any) -> None:
                port.write(self.open_command)
                port.flush()

            self.with_port(send)

        return self.submit(run)

    def is_open(self) -> Future[bool | None]:
        return self.submit(self._is_open, timeout=self.reply_timeout + 2)

    def _is_open(self) -> bool | None:
        self.require_claimed()
        if self.sensor == "none":
            return None
        high = self.with_port(self._read_level)
        state = high == self.open_level_high
        self.emit_status(Status.DRAWER_OPEN if state else Status.DRAWER_CLOSED, group="drawer")
        return state

    def _read_level(self, port: Any) -> bool:
        if self.sensor in ("dsr", "cts"):
            try:
                return bool(port.dsr if self.sensor == "dsr" else port.cts)
            except OSError as exc:
                if exc.errno in (errno.ENOTTY, errno.EINVAL):
                    raise DeviceError(f"{self.url.path} has no modem status lines; "
                                      "use sensor=query or none", device=self.name) from exc
                raise
        port.reset_input_buffer()
        port.write(self.status_command)
        port.flush()
        deadline = time.monotonic() + self.reply_timeout
        while time.monotonic() < deadline:
            reply = port.read(1)
            if not reply:
                continue
            byte = reply[0]
            if self.status_command.startswith(DLE_EOT) and byte & 0x93 != 0x12:
                log.debug("%s: skipping byte %#04x that is not a status reply", self.name, byte)
                continue
            return bool(byte & (1 << self.status_bit))
        raise DeviceTimeout(f"{self.name}: no drawer status within {self.reply_timeout:g} s",
                            device=self.name)

    # --- status polling while enabled ---
    def _enable_io(self) -> None:
        if self.poll_interval > 0 and self.sensor != "none":
            self._stop.clear()
            self._poller = threading.Thread(target=self._poll, name=f"drawer:{self.name}",
                                            daemon=True)
            self._poller.start()

    def _disable_io(self) -> None:
        # No join: the poller may be waiting for a call queued behind this one.
        self._stop.set()
        self._poller = None

    def _close_io(self) -> None:
        self._disable_io()
        super()._close_io()

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.is_open().result(self.reply_timeout + 3)
            except Exception as exc:  # reported as OFFLINE by the port; keep polling
                log.debug("%s: drawer poll failed: %s", self.name, exc)


class SerialDrawerDriver(SerialDriver):
    name = "serial_drawer"
    kinds = frozenset({DeviceKind.DRAWER})
    probe_kind = DeviceKind.DRAWER
    name_words = ('drawer', 'apg')
    name_reason = "named like a cash drawer"
    name_confidence = 0.5
    settings_schema = (
        Setting("open_command", "Open command (hex or \\x escapes)", "str", "1b 70 00 19 fa",
                help="Default ESC p 0 25 250; single-byte interfaces often use 07."),
        Setting("sensor", "Drawer sensor", "choice", "query", ("query", "dsr", "cts", "none")),
        Setting("status_command", "Status query (hex)", "str", "10 04 01",
                help="Default DLE EOT 1; the reply's status_bit is the switch level."),
        Setting("status_bit", "Sensor bit in the status reply", "int", 2),
        Setting("open_level", "Switch level when open", "choice", "high", ("high", "low")),
        Setting("poll_ms", "Sensor poll interval (ms, 0 = off)", "int", 500),
    )
    description = "Cash drawer with its own serial interface"

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.DRAWER:
            raise DeviceError(f"{self.name} drives cash drawers, not {kind.value}")
        return SerialDrawer(url, settings, name)

