"""Keyboard-mode (HID keyboard) scanners read directly from ``/dev/input`` on Linux.

``file:///dev/input/by-id/usb-Datalogic_…-event-kbd``

Reading the evdev node instead of waiting for key presses in the GUI means the
scan arrives even when no text field has the focus, is decoded with the
*scanner's* layout (evdev key codes ignore the OS layout), and — with the
exclusive grab (EVIOCGRAB) taken on claim — never types into another window.
The user needs read access to the node (the ``input`` group or a udev rule).
No python-evdev dependency: the event struct is decoded by ``evdev_keys``.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import sys
from collections.abc import Mapping
from typing import Any

from ..device import Device
from ..errors import DeviceClaimed, DeviceError, NoHardware
from ..kinds import DeviceKind
from ..registry import Candidate, Driver, Guess, Setting
from ..url import DeviceUrl
from . import SCAN_SETTINGS, SourceLost, StreamScanner
from .evdev_keys import LAYOUTS, KeyDecoder, parse_events

log = logging.getLogger(__name__)

EVIOCGRAB = 0x40044590  # _IOW('E', 0x90, int)
POLL = 0.05


class EvdevScanner(StreamScanner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fd: int | None = None
        self.grabbed = False
        self._tail = b""
        self.decoder = KeyDecoder(str(self.settings.get("layout", "us")))

    def _open_io(self) -> None:
        if not os.path.exists(self.url.path):
            raise NoHardware(f"{self.url.path}: no such input device (unplugged?)",
                             device=self.name)

    def _open_source(self) -> None:
        path = self.url.path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError as exc:
            raise NoHardware(f"{path}: no such input device (unplugged?)",
                             device=self.name) from exc
        except PermissionError as exc:
            raise DeviceError(f"{path}: permission denied; add the till user to the 'input' "
                              "group or install a udev rule for the scanner", device=self.name
                              ) from exc
        if self.settings.get("grab", True):
            import fcntl  # POSIX only: imported here so the driver still loads elsewhere

            try:
                fcntl.ioctl(fd, EVIOCGRAB, 1)
            except OSError as exc:
                os.close(fd)
                if exc.errno == errno.EBUSY:
                    raise DeviceClaimed(f"{path} is grabbed by another program",
                                        device=self.name) from exc
                raise DeviceError(
                    f"{path}: cannot grab the input device exclusively ({exc.strerror}); "
                    "is it an evdev node? Set grab=false to read it without a grab "
                    "(the scanner then also types into the focused window)",
                    device=self.name) from exc
            self.grabbed = True
        else:
            log.info("scanner %s: reading %s without an exclusive grab", self.name, path)
        self.fd = fd
        self._tail = b""
        self.decoder = KeyDecoder(self.decoder.layout)

    def _close_source(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if self.grabbed:
            import fcntl

            with contextlib.suppress(OSError):
                fcntl.ioctl(fd, EVIOCGRAB, 0)
            self.grabbed = False
        os.close(fd)

    def _source_open(self) -> bool:
        return self.fd is not None

    def _read_text(self) -> str:
        assert self.fd is not None
        ready, _, _ = select.select([self.fd], [], [], POLL)
        if not ready:
            return ""
        try:
            data = os.read(self.fd, 64 * 24)
        except BlockingIOError:
            return ""
        except OSError as exc:  # ENODEV when the scanner is unplugged
            raise SourceLost(f"{self.url.path}: {exc.strerror}") from exc
        if not data:
            raise SourceLost(f"{self.url.path}: end of input")
        events, self._tail = parse_events(self._tail + data)
        return "".join(self.decoder.feed(e) for e in events)


class EvdevScannerDriver(Driver):
    name = "evdev_scanner"
    kinds = frozenset({DeviceKind.SCANNER})
    transports = frozenset({"file"})
    settings_schema = (
        Setting("layout", "Scanner keyboard layout", "choice", "us", tuple(sorted(LAYOUTS)),
                help="The layout the scanner is configured for (not the till's)."),
        Setting("grab", "Exclusive grab", "bool", True,
                help="Keep the scanner's keys away from other windows (EVIOCGRAB)."),
        *SCAN_SETTINGS,
    )
    description = "Keyboard-mode barcode scanner read from /dev/input (Linux evdev)"

    def is_usable(self) -> tuple[bool, str]:
        if not sys.platform.startswith("linux"):
            return False, "evdev input devices exist only on Linux"
        return True, ""

    def probe(self, candidate: Candidate) -> Guess | None:
        if not candidate.url.startswith("file:") or "/dev/input/" not in candidate.url:
            return None
        text = f"{candidate.url} {candidate.description} {candidate.product}".lower()
        if any(word in text for word in ("scanner", "barcode", "imager")):
            return Guess(self.name, DeviceKind.SCANNER, 0.7, "input device named like a scanner")
        from .serial_scanner import SCANNER_VENDORS

        if candidate.vendor_id in SCANNER_VENDORS:
            return Guess(self.name, DeviceKind.SCANNER, 0.7,
                         f"{SCANNER_VENDORS[candidate.vendor_id]} keyboard-mode device")
        return None

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.SCANNER:
            raise DeviceError(f"{self.name} drives scanners, not {kind.value}")
        return EvdevScanner(url, settings, name)
