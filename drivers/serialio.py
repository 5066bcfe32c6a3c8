"""Serial ports for drivers: open from a ``serial://`` URL, exclusively, with clear errors.

``serial:///dev/ttyUSB0?baudrate=9600&bytesize=7&parity=E&stopbits=1&rtscts=0&xonxoff=0&timeout=0.5``

The port is opened on *claim* with ``exclusive=True`` (pyserial takes a
``flock``), so a second till process on the same PC gets ``DeviceClaimed``
instead of silently sharing — and garbling — the line. ``SerialDevice`` is the
mixin the serial drivers share: it owns the port, maps pyserial's errors to the
framework's typed ones and reopens a port that vanished (USB unplugged) on the
next call, reporting OFFLINE/ONLINE on the way.
"""

from __future__ import annotations

import errno
import logging
import os
import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from .device import Device, Phase
from .errors import DeviceClaimed, DeviceError, DeviceOffline, IllegalState, NoHardware
from .kinds import DeviceKind
from .registry import Candidate, Driver, Guess
from .status import Status
from .url import DeviceUrl

log = logging.getLogger(__name__)
T = TypeVar("T")

_PARITIES = {"N": "N", "E": "E", "O": "O", "M": "M", "S": "S", "NONE": "N", "EVEN": "E",
             "ODD": "O", "MARK": "M", "SPACE": "S"}
POLL = 0.05  # read granularity: how quickly a reader thread notices it should stop
LINK = "link"  # status group for ONLINE/OFFLINE of the port itself


def _flag(url: DeviceUrl, name: str, default: bool) -> bool:
    value = url.param(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise IllegalState(f"{url.raw}: {name}={value!r} is not a yes/no value")


def port_options(url: DeviceUrl, **defaults: Any) -> dict[str, Any]:
    """pyserial keyword arguments from the URL query, over the driver's ``defaults``.

    ``timeout`` in the URL is not a pyserial read timeout (reads poll every
    ``POLL`` seconds so threads can stop): see ``reply_timeout``.
    """
    if url.scheme != "serial":
        raise IllegalState(f"{url.raw}: expected a serial:// address")
    opts: dict[str, Any] = {"baudrate": 9600, "bytesize": 8, "parity": "N", "stopbits": 1,
                            "rtscts": False, "xonxoff": False}
    opts.update(defaults)
    opts["baudrate"] = url.int_param("baudrate", int(opts["baudrate"]))
    opts["bytesize"] = url.int_param("bytesize", int(opts["bytesize"]))
    if opts["bytesize"] not in (5, 6, 7, 8):
        raise IllegalState(f"{url.raw}: bytesize must be 5, 6, 7 or 8")
    parity = (url.param("parity") or str(opts["parity"])).upper()
    if parity not in _PARITIES:
        raise IllegalState(f"{url.raw}: parity must be N, E, O, M or S")
    opts["parity"] = _PARITIES[parity]
    stopbits = url.float_param("stopbits", float(opts["stopbits"]))
    if stopbits not in (1, 1.5, 2):
        raise IllegalState(f"{url.raw}: stopbits must be 1, 1.5 or 2")
    opts["stopbits"] = int(stopbits) if stopbits.is_integer() else stopbits
    opts["rtscts"] = _flag(url, "rtscts", bool(opts["rtscts"]))
    opts["xonxoff"] = _flag(url, "xonxoff", bool(opts["xonxoff"]))
    return opts


def reply_timeout(url: DeviceUrl, default: float = 1.0) -> float:
    """How long a request/response device may take to answer (``timeout`` in the URL)."""
    return url.float_param("timeout", default)


def map_serial_error(exc: BaseException, path: str, device: str | None = None) -> DeviceError:
    """Turn pyserial's SerialException/OSError into the error the cashier can act on."""
    if isinstance(exc, DeviceError):
        return exc
    code = getattr(exc, "errno", None)
    if code is None and exc.args and isinstance(exc.args[0], int):
        code = exc.args[0]
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return NoHardware(f"{path}: no such serial port (unplugged?): {exc}", device=device)
    if code in (errno.EACCES, errno.EPERM):
        return DeviceError(f"{path}: permission denied; add the till user to the 'dialout' "
                           f"group (sudo usermod -aG dialout $USER, then log in again): {exc}",
                           device=device)
    if code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "lock" in str(exc).lower():
        return DeviceClaimed(f"{path} is in use by another program: {exc}", device=device)
    return DeviceOffline(f"{path}: {exc}", device=device)


def open_serial(url: DeviceUrl, *, exclusive: bool = True, device: str | None = None,
                **defaults: Any) -> Any:
    """An open ``serial.Serial`` for ``url`` (typed ``Any``: pyserial has no stubs)."""
    import serial  # imported late so a till without pyserial still starts

    opts = port_options(url, **defaults)
    if not os.path.exists(url.path):
        raise NoHardware(f"{url.path}: no such serial port (unplugged?)", device=device)
    try:
        return serial.Serial(url.path, exclusive=exclusive, timeout=POLL, write_timeout=2.0,
                             **opts)
    except (serial.SerialException, OSError) as exc:
        raise map_serial_error(exc, url.path, device) from exc


_ESCAPES = {"CR": "\r", "LF": "\n", "TAB": "\t", "HT": "\t", "STX": "\x02", "ETX": "\x03",
            "EOT": "\x04", "ENQ": "\x05", "ACK": "\x06", "BEL": "\x07", "ESC": "\x1b",
            "GS": "\x1d", "RS": "\x1e", "US": "\x1f", "FS": "\x1c", "DLE": "\x10", "NUL": "\0"}


def parse_control(text: str) -> str:
    """Settings spell control characters as ``\\r\\n``, ``\\x02`` or ``<CR><LF>``/``<STX>``."""
    def named(m: re.Match[str]) -> str:
        return _ESCAPES.get(m.group(1).upper(), m.group(0))

    text = re.sub(r"<([A-Za-z]{2,3})>", named, text)
    text = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return (text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
            .replace("\\e", "\x1b"))


def parse_bytes(text: str) -> bytes:
    """A command setting: hex pairs (``"1b 70 00 19 fa"``) or escaped text (``"\\x07"``)."""
    compact = text.replace(" ", "")
    if compact and len(compact) % 2 == 0 and re.fullmatch(r"[0-9a-fA-F]+", compact):
        return bytes.fromhex(compact)
    return parse_control(text).encode("latin-1")


def close_quietly(port: Any, name: str) -> None:
    """Close a port that may already be gone (unplugged); never raises."""
    if port is not None:
        try:
            port.close()
        except Exception:
            log.debug("%s: error closing port", name, exc_info=True)


class SerialDevice(Device):
    """Mixin base for serial drivers: port opened on claim, reopened after it vanished.

    Put it first in the bases (``class X(SerialDevice, Scale)``). ``serial_defaults``
    are the line settings the protocol needs; the URL query overrides them.
    """

    serial_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.port: Any = None

    def _open_io(self) -> None:
        port_options(self.url, **self.serial_defaults)  # a typo in the URL fails here
        if not os.path.exists(self.url.path):
            raise NoHardware(f"{self.url.path}: no such serial port (unplugged?)",
                             device=self.name)

    def _claim_io(self) -> None:
        self.port = open_serial(self.url, device=self.name, **self.serial_defaults)
        self._opened_port()

    def _opened_port(self) -> None:
        """After every (re)open: set the device up (a replugged device starts from scratch)."""
        import serial

        try:
            self.port_ready(self.port)
        except (serial.SerialException, OSError) as exc:
            raise self.port_lost(exc) from exc
        except BaseException:
            self._drop_port()
            raise
        self.emit_status(Status.ONLINE, group=LINK)

    def port_ready(self, port: Any) -> None:
        """Hook: initialise the device on a freshly opened port (runs on the worker)."""

    def _release_io(self) -> None:
        self._drop_port()

    def _close_io(self) -> None:
        self._drop_port()

    def _drop_port(self) -> None:
        port, self.port = self.port, None
        close_quietly(port, self.name)

    def _ensure_port(self) -> Any:
        """The open port, reopened if it was lost; raises while the device is missing."""
        self.require_claimed()
        if self.port is None:
            try:
                self.port = open_serial(self.url, device=self.name, **self.serial_defaults)
            except DeviceError as exc:
                self.emit_status(Status.OFFLINE, str(exc), group=LINK)
                raise
            log.info("%s: port reopened", self.name)
            self._opened_port()
        return self.port

    def port_lost(self, exc: BaseException) -> DeviceError:
        """Close the broken port, report OFFLINE; the error to raise to the caller."""
        self._drop_port()
        error = map_serial_error(exc, self.url.path, self.name)
        if isinstance(error, DeviceClaimed | NoHardware):
            error = DeviceOffline(str(error), device=self.name)
        self.emit_status(Status.OFFLINE, str(exc), group=LINK)
        return error

    def with_port(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(port)`` (on the worker); a port error becomes OFFLINE + DeviceOffline."""
        import serial

        port = self._ensure_port()
        try:
            return fn(port)
        except (serial.SerialException, OSError) as exc:
            raise self.port_lost(exc) from exc

    def require_claimed(self) -> None:
        if self.phase not in (Phase.CLAIMED, Phase.ENABLED):
            raise IllegalState(f"{self.name} is not claimed (it is {self.phase})",
                               device=self.name)


def read_until(port: Any, terminator: bytes, timeout: float) -> bytes:
    """Bytes up to and including ``terminator``; raises TimeoutError with what came so far."""
    import time

    deadline = time.monotonic() + timeout
    buf = bytearray()
    while terminator not in buf:
        if time.monotonic() > deadline:
            raise TimeoutError(bytes(buf))
        buf += port.read(max(1, port.in_waiting))
    return bytes(buf)


class SerialDriver(Driver):
    """What the serial drivers share: usable with pyserial, and a guess from the port's
    names (``name_words``) for ``pos devices detect``."""

    transports = frozenset({"serial"})
    probe_kind: DeviceKind = DeviceKind.SCANNER
    name_words: tuple[str, ...] = ()
    name_reason = ""
    name_confidence = 0.5

    def is_usable(self) -> tuple[bool, str]:
        try:
            import serial  # noqa: F401
        except ImportError:
            return False, "pyserial is not installed"
        return True, ""

    def probe(self, candidate: Candidate) -> Guess | None:
        if not candidate.url.startswith("serial:"):
            return None
        text = f"{candidate.description} {candidate.product} {candidate.manufacturer}".lower()
        if any(word in text for word in self.name_words):
            return Guess(self.name, self.probe_kind, self.name_confidence, self.name_reason)
        return None
