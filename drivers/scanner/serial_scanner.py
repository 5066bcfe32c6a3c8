"""Barcode scanners on a serial port or in USB CDC-ACM ("USB COM port") mode.

``serial:///dev/serial/by-id/usb-Honeywell_…-if00?baudrate=115200``

Serial mode beats keyboard-wedge mode at a till: the codes never pass through a
keyboard layout, GS separators in GS1 codes survive, and the scanner cannot
type into whatever window has the focus. The user needs the ``dialout`` group;
ModemManager may probe a new ttyACM with AT commands unless a udev rule sets
``ENV{ID_MM_DEVICE_IGNORE}="1"``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..device import Device
from ..errors import DeviceError
from ..kinds import DeviceKind
from ..registry import Candidate, Guess
from ..serialio import SerialDriver, close_quietly, map_serial_error, open_serial
from ..url import DeviceUrl
from . import SCAN_SETTINGS, SourceLost, StreamScanner

log = logging.getLogger(__name__)

# USB vendor ids of scanner makers whose devices offer a CDC-ACM (serial) mode.
SCANNER_VENDORS: dict[int, str] = {
    0x0C2E: "Honeywell (Metrologic/Hand Held Products)",
    0x0536: "Honeywell (Hand Held Products)",
    0x05E0: "Zebra (Symbol)",
    0x05F9: "Datalogic",
    0x1EAB: "Newland",
    0x065A: "Opticon",
    0x0D2A: "Code Corporation",
    0x0EB0: "Socket Mobile",
}


def _decode(data: bytes) -> str:
    """UTF-8 if it is (QR codes), else Latin-1 so every byte survives as one character."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class SerialScanner(StreamScanner):
    """A serial scanner: the port is held exclusively from claim to release."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.port: Any = None
        self._pending = b""

    def _open_io(self) -> None:
        from ..serialio import port_options

        port_options(self.url)  # reject a bad URL before claim

    def _open_source(self) -> None:
        self.port = open_serial(self.url, device=self.name)
        self._pending = b""

    def _close_source(self) -> None:
        port, self.port = self.port, None
        close_quietly(port, self.name)

    def _source_open(self) -> bool:
        return self.port is not None

    def _read_text(self) -> str:
        import serial

        try:
            data = self.port.read(max(1, self.port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            raise SourceLost(str(map_serial_error(exc, self.url.path, self.name))) from exc
        if not data:
            return ""
        data = self._pending + data
        # keep an incomplete UTF-8 sequence for the next read
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0xC0:  # start of a multi-byte sequence
                need = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4
                if back < need:
                    cut = len(data) - back
                break
            if byte & 0x80 == 0:
                break
        self._pending = data[cut:]
        return _decode(data[:cut])


class SerialScannerDriver(SerialDriver):
    name = "serial_scanner"
    kinds = frozenset({DeviceKind.SCANNER})
    settings_schema = SCAN_SETTINGS
    name_words = ("scanner", "barcode", "imager")
    name_reason = "named like a barcode scanner"
    name_confidence = 0.6
    description = "Barcode scanner in serial / USB CDC-ACM mode (AIM identifiers, GS1)"

    def probe(self, candidate: Candidate) -> Guess | None:
        if not candidate.url.startswith("serial:"):
            return None
        maker = SCANNER_VENDORS.get(candidate.vendor_id or -1)
        if maker:
            return Guess(self.name, DeviceKind.SCANNER, 0.8, f"{maker} USB serial device")
        return super().probe(candidate)

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.SCANNER:
            raise DeviceError(f"{self.name} drives scanners, not {kind.value}")
        return SerialScanner(url, settings, name)
