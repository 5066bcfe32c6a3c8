"""Find serial ports and USB devices and guess what each is.

Enumeration uses pyserial's ``list_ports`` and pyusb (when libusb is present);
the guesses come from each installed driver's ``probe`` (ids and names only: no
bytes are sent, so detection cannot upset a device or a running till).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .registry import Candidate, DriverEntry, Guess, load_drivers

log = logging.getLogger(__name__)


@dataclass
class Found:
    candidate: Candidate
    guesses: list[Guess] = field(default_factory=list)


def serial_candidates() -> list[Candidate]:
    try:
        from serial.tools import list_ports
    except ImportError:  # pragma: no cover - pyserial is a dependency
        return []
    out = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        if port.vid is None and "ttyS" in port.device:
            continue  # legacy on-board UARTs: listed by the kernel whether wired or not
        out.append(Candidate(
            url=f"serial://{port.device}", description=port.description or port.device,
            vendor_id=port.vid, product_id=port.pid,
            manufacturer=port.manufacturer or "", product=port.product or ""))
    return out


def usb_candidates(backend: object | None = None) -> tuple[list[Candidate], str]:
    """USB devices, and a note when they cannot be listed (no libusb, no permission)."""
    try:
        import usb.core
        import usb.util
    except ImportError:
        return [], "pyusb is not installed"
    try:
        devices = list(usb.core.find(find_all=True, backend=backend) or [])
    except usb.core.NoBackendError:
        return [], "libusb is not installed: USB devices cannot be listed"
    out = []
    for dev in devices:
        classes = {dev.bDeviceClass}
        try:
            for cfg in dev:
                classes |= {intf.bInterfaceClass for intf in cfg}
        except Exception:  # some devices refuse descriptor reads
            pass
        cls = 7 if 7 in classes else 3 if 3 in classes else dev.bDeviceClass
        out.append(Candidate(
            url=f"usb://{dev.idVendor:04x}:{dev.idProduct:04x}",
            description=f"USB {dev.idVendor:04x}:{dev.idProduct:04x}",
            vendor_id=dev.idVendor, product_id=dev.idProduct, usb_class=cls,
            manufacturer=_string(dev, dev.iManufacturer), product=_string(dev, dev.iProduct)))
    return out, ""


def _string(dev: object, index: int) -> str:
    if not index:
        return ""
    try:
        import usb.util
        return str(usb.util.get_string(dev, index) or "")
    except Exception:
        return ""  # needs permission on most systems; the ids are enough to guess


def detect(candidates: list[Candidate] | None = None,
           entries: list[DriverEntry] | None = None) -> tuple[list[Found], list[str]]:
    """Every candidate with the drivers' guesses, best first; plus notes for the user."""
    notes: list[str] = []
    if candidates is None:
        usb, note = usb_candidates()
        if note:
            notes.append(note)
        candidates = serial_candidates() + usb
    entries = load_drivers() if entries is None else entries
    found = []
    for cand in candidates:
        guesses = []
        for entry in entries:
            if entry.driver is None:
                continue
            try:
                guess = entry.driver.probe(cand)
            except Exception as exc:
                log.warning("driver %s probe failed: %s", entry.name, exc)
                continue
            if guess is not None:
                guesses.append(guess)
        found.append(Found(cand, sorted(guesses, key=lambda g: -g.confidence)))
    return found, notes
