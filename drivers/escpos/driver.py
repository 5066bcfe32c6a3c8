"""The ESC/POS driver: receipt printers and the cash drawer on their kick connector.

Every job starts with ``ESC @`` and an explicit ``ESC t`` code page, and is
wrapped in real-time status checks (``DLE EOT 1..4``): nothing is sent to a
printer that is out of paper, open or offline, and a printer that stopped during
a job fails the job so the till prints it again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from ..device import Device
from ..errors import DeviceError, DriverNotUsable, IllegalState
from ..interfaces import CashDrawer, ReceiptPrinter
from ..kinds import DeviceKind, PrinterStatus
from ..registry import Candidate, Driver, Guess, Setting
from ..status import Status
from ..url import DeviceUrl
from . import _lib, link
from .render import CodePage, Layout, code_page, drawer_kick, get_profile, render
from .transport import find_usb_backend

log = logging.getLogger(__name__)

# USB vendors whose receipt printers speak ESC/POS.
VENDORS: dict[int, str] = {
    0x04B8: "Epson", 0x0519: "Star Micronics", 0x1504: "Bixolon", 0x1D90: "Citizen",
    0x2730: "Citizen", 0x0DD4: "Custom", 0x0416: "Winbond (Xprinter/generic)",
    0x0483: "STMicro (generic POS printer)", 0x0FE6: "ICS Advent (generic POS printer)",
    0x154F: "SNBC", 0x20D1: "Rongta", 0x0B00: "Ingenico/Sewoo", 0x0525: "Netchip (Sewoo)",
    0x28E9: "GD32 (Xprinter)", 0x1FC9: "NXP (generic POS printer)", 0x6868: "Hoin/generic",
}
USB_CLASS_PRINTER = 7

SETTINGS: tuple[Setting, ...] = (
    Setting("profile", "Printer model (python-escpos profile)", "str", "TM-T88V",
            help="Capability profile: code page table, paper width, cutter."),
    Setting("columns", "Characters per line", "int", 0, help="0 = from the profile and width"),
    Setting("width_mm", "Paper width (mm)", "choice", "80", ("58", "80")),
    Setting("code_page", "Code page", "str", "CP858",
            help="Selected with ESC t on every job; CP858 has € and the Western European "
                 "letters. Characters it lacks print as ?."),
    Setting("asb", "Automatic status back", "bool", False,
            help="Ask the printer to report changes by itself (GS a)."),
    Setting("status_timeout", "Status timeout (s)", "str", "2",
            help="How long to wait for a status reply before calling the printer silent."),
    Setting("job_timeout", "Job timeout (s)", "str", "30",
            help="The longest a job may take; the till never waits longer."),
    Setting("drawer_pin", "Drawer kick pin", "choice", "2", ("2", "5")),
    Setting("drawer_on_ms", "Drawer pulse on (ms)", "int", 100),
    Setting("drawer_off_ms", "Drawer pulse off (ms)", "int", 100),
    Setting("drawer_open_level", "Drawer open when pin 3 is", "choice", "high",
            ("high", "low"), help="Depends on the drawer model; check with the drawer open."),
)


@dataclass(frozen=True, slots=True)
class EscPosConfig:
    layout: Layout
    status_timeout: float
    job_timeout: float
    asb: bool
    drawer_pin: int
    drawer_on_ms: int
    drawer_off_ms: int
    drawer_open_high: bool


def _seconds(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise IllegalState(f"setting {key}: {value!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise IllegalState(f"setting {key}: {seconds:g} s is out of range")
    return seconds


def parse_config(settings: Mapping[str, Any]) -> EscPosConfig:
    """Check the settings against the profile (unknown code page, bad pin …) up front."""
    profile = get_profile(str(settings.get("profile") or "TM-T88V"))
    page: CodePage = code_page(profile, str(settings.get("code_page") or "CP858"))
    width_mm = int(settings.get("width_mm") or 80)
    if width_mm not in (58, 80):
        raise IllegalState(f"setting width_mm: {width_mm} is not 58 or 80")
    media = profile.profile_data.get("media", {}).get("width", {})
    pixels = media.get("pixels")
    width_px = pixels if isinstance(pixels, int) else (576 if width_mm == 80 else 384)
    columns = int(settings.get("columns") or 0)
    if columns <= 0:
        fonts = profile.profile_data.get("fonts", {})
        columns = int(fonts.get("0", {}).get("columns", 42)) if width_mm == 80 else 32
    if width_mm == 58:
        width_px = min(width_px, 384)
    pin = int(settings.get("drawer_pin") or 2)
    if pin not in (2, 5):
        raise IllegalState(f"setting drawer_pin: {pin} is not 2 or 5")
    level = str(settings.get("drawer_open_level") or "high")
    if level not in ("high", "low"):
        raise IllegalState(f"setting drawer_open_level: {level!r} is not high or low")
    features = profile.profile_data.get("features", {})
    layout = Layout(page, columns, width_px,
                    partial_cut=bool(features.get("paperPartCut", True)),
                    full_cut=bool(features.get("paperFullCut", True)))
    return EscPosConfig(layout, _seconds(settings, "status_timeout", 2.0),
                        _seconds(settings, "job_timeout", 30.0), bool(settings.get("asb")),
                        pin, int(settings.get("drawer_on_ms") or 100),
                        int(settings.get("drawer_off_ms") or 100), level == "high")


def _answered(status: PrinterStatus) -> bool:
    """A real status reply, not just "the link is gone" (which carries only ``online``)."""
    return any(v is not None for v in (status.paper_near_end, status.paper_out,
                                       status.cover_open, status.drawer_pin3_high,
                                       status.error))


class _EscPosCommon(Device):
    """Lifecycle shared by the printer and the drawer: both ride on one PrinterLink."""

    config: EscPosConfig

    def _init_escpos(self, config: EscPosConfig, usb_backend: Any | None) -> None:
        self.config = config
        self._usb_backend = usb_backend
        self._link: link.PrinterLink | None = None

    def _link_key(self) -> str:
        return self.url.raw.split("?", 1)[0]

    def _open_io(self) -> None:
        if self.url.scheme == "usb":
            find_usb_backend(self._usb_backend)  # DriverNotUsable without libusb

    def _claim_io(self) -> None:
        cfg = link.LinkConfig(self.config.status_timeout, self.config.job_timeout,
                              self.config.asb, self._usb_backend)
        self._link = link.acquire(self._link_key(), self.url, cfg)
        self._link.add_listener(self._on_status)

    def _enable_io(self) -> None:
        """Check the printer; an unreachable or offline one is reported, not refused, so
        the till can start while the printer is still off and print once it is back."""
        try:
            self.link.status()
        except DriverNotUsable:
            raise
        except DeviceError as exc:
            log.warning("%s: not ready at enable: %s", self.name, exc)
            self.emit_status(Status.OFFLINE, str(exc), group="online")

    def _release_io(self) -> None:
        held, self._link = self._link, None
        if held is not None:
            held.remove_listener(self._on_status)
            link.release(held)

    def _close_io(self) -> None:
        self._release_io()

    @property
    def link(self) -> link.PrinterLink:
        if self._link is None:
            raise IllegalState(f"{self.name} is not claimed", device=self.name)
        return self._link

    def _on_status(self, status: PrinterStatus, detail: str) -> None:
        online = status.online
        if self.kind is DeviceKind.DRAWER and _answered(status):
            # the printer answered, so its drawer port works even while the printer is
            # stopped (paper out): the kick then goes out as a real-time pulse
            online = True
        if online is not None:
            self.emit_status(Status.ONLINE if online else Status.OFFLINE, detail,
                             group="online")
        if status.drawer_pin3_high is not None:
            opened = status.drawer_pin3_high == self.config.drawer_open_high
            self.emit_status(Status.DRAWER_OPEN if opened else Status.DRAWER_CLOSED, detail,
                             group="drawer")

    def _kick(self, pin: int, on_ms: int, off_ms: int) -> None:
        """ESC p when the printer is ready; when it is stopped (paper out) ESC p would wait
        in its buffer and pop the drawer open later, so use the real-time DLE DC4 pulse."""
        self.require_enabled()
        with self.link.lock:
            status = self.link.status()
            if status is not None and not status.ready:
                t = max(1, min(8, round(on_ms / 100)))
                data = b"\x10\x14\x01" + bytes((0 if pin == 2 else 1, t))
            else:
                data = drawer_kick(pin, on_ms, off_ms)
            self.link.send(data, check_before=False, check_after=False)
        log.info("%s: drawer kicked on pin %d", self.name, pin)

    def _drawer_open(self) -> bool | None:
        self.require_enabled()
        status = self.link.status()
        if status is None or status.drawer_pin3_high is None:
            return None
        return status.drawer_pin3_high == self.config.drawer_open_high


class EscPosPrinter(_EscPosCommon, ReceiptPrinter):
    def __init__(self, url: DeviceUrl, settings: Mapping[str, Any] | None = None,
                 name: str | None = None, *, usb_backend: Any | None = None) -> None:
        config = parse_config(settings or {})
        super().__init__(url, settings, name, timeout=config.job_timeout)
        self._init_escpos(config, usb_backend)
        self.columns = config.layout.columns

    def _on_status(self, status: PrinterStatus, detail: str) -> None:
        super()._on_status(status, detail)
        if status.paper_out is not None or status.paper_near_end is not None:
            paper = (Status.PAPER_OUT if status.paper_out else
                     Status.PAPER_NEAR_END if status.paper_near_end else Status.PAPER_OK)
            self.emit_status(paper, detail, group="paper")
        if status.cover_open is not None:
            self.emit_status(Status.COVER_OPEN if status.cover_open else Status.COVER_CLOSED,
                             detail, group="cover")

    def render(self, ops: list[dict[str, Any]]) -> bytes:
        """The bytes a job becomes (no I/O): for previews of the raw stream and tests."""
        return render(ops, self.config.layout)

    def print_document(self, ops: list[dict[str, Any]]) -> Future[None]:
        def run() -> None:
            self.require_enabled()
            data = render(ops, self.config.layout)  # a bad barcode fails before any I/O
            self.link.send(data)
        return self.submit(run)

    def check_status(self) -> Future[PrinterStatus]:
        def run() -> PrinterStatus:
            self.require_enabled()
            return self.link.status() or PrinterStatus()
        return self.submit(run)

    def kick_drawer(self, pin: int = 2, on_ms: int = 100, off_ms: int = 100) -> Future[None]:
        return self.submit(self._kick, pin, on_ms, off_ms)


class EscPosDrawer(_EscPosCommon, CashDrawer):
    """A drawer on the printer's kick connector (RJ11/RJ12 behind the printer)."""

    def __init__(self, url: DeviceUrl, settings: Mapping[str, Any] | None = None,
                 name: str | None = None, *, usb_backend: Any | None = None) -> None:
        config = parse_config(settings or {})
        super().__init__(url, settings, name, timeout=config.job_timeout)
        self._init_escpos(config, usb_backend)

    def claim_key(self) -> str:
        # The printer at the same address is a different device; two drawers are not.
        return super().claim_key() + "#drawer"

    def open_drawer(self) -> Future[None]:
        cfg = self.config
        return self.submit(self._kick, cfg.drawer_pin, cfg.drawer_on_ms, cfg.drawer_off_ms)

    def is_open(self) -> Future[bool | None]:
        return self.submit(self._drawer_open)


def _usb_note_for(backend: Any) -> str:
    try:
        find_usb_backend(backend)
    except DriverNotUsable as exc:
        return f"tcp, serial and file work; {exc}"
    return ""


@functools.lru_cache(maxsize=1)
def _usb_note() -> str:
    """Looking for libusb takes a while and does not change while the till runs."""
    return _usb_note_for(None)


class EscPosDriver(Driver):
    name = "escpos"
    kinds = frozenset({DeviceKind.PRINTER, DeviceKind.DRAWER})
    transports = frozenset({"tcp", "serial", "usb", "file"})
    settings_schema = SETTINGS
    description = ("ESC/POS receipt printers (Epson, Star in ESC/POS mode, Bixolon, Citizen, "
                   "Xprinter …) and the cash drawer on their kick connector")

    def __init__(self, usb_backend: Any | None = None) -> None:
        self.usb_backend = usb_backend

    def is_usable(self) -> tuple[bool, str]:
        try:
            _lib.load()
        except ImportError as exc:
            return False, str(exc)
        note = _usb_note() if self.usb_backend is None else _usb_note_for(self.usb_backend)
        return True, note

    def probe(self, candidate: Candidate) -> Guess | None:
        vendor = VENDORS.get(candidate.vendor_id) if candidate.vendor_id is not None else None
        is_printer_class = candidate.usb_class == USB_CLASS_PRINTER
        if vendor and is_printer_class:
            return Guess(self.name, DeviceKind.PRINTER, 0.95,
                         f"{vendor} USB printer-class device")
        if vendor:
            return Guess(self.name, DeviceKind.PRINTER, 0.7,
                         f"USB vendor {vendor} makes ESC/POS receipt printers")
        if is_printer_class:
            return Guess(self.name, DeviceKind.PRINTER, 0.5,
                         "USB printer class: may be an ESC/POS receipt printer")
        text = f"{candidate.manufacturer} {candidate.product} {candidate.description}".lower()
        if any(word in text for word in ("receipt", "thermal", "tm-t", "pos printer", "pos-80",
                                         "pos-58")):
            return Guess(self.name, DeviceKind.PRINTER, 0.4, "the name looks like a POS printer")
        return None

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        try:
            _lib.load()
        except ImportError as exc:
            raise DriverNotUsable(str(exc)) from None
        if url.scheme not in self.transports:
            raise IllegalState(f"the escpos driver cannot reach {url.raw}")
        full = self.settings_for(settings)
        if kind is DeviceKind.PRINTER:
            return EscPosPrinter(url, full, name, usb_backend=self.usb_backend)
        if kind is DeviceKind.DRAWER:
            return EscPosDrawer(url, full, name, usb_backend=self.usb_backend)
        raise IllegalState(f"the escpos driver has no {kind.value} devices")
