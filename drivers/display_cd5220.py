"""2×20 customer pole displays (VFD/LCD) on a serial port: CD5220 and Epson command sets.

``serial:///dev/ttyUSB1?baudrate=9600`` with settings ``command_set`` = ``cd5220``
(default) or ``epson``.

Commands used (both sets share ESC @, ESC t and CLR):

=================  =========================  ===========================
                   cd5220                     epson (ESC/POS DM-D)
=================  =========================  ===========================
initialise         ``ESC @``                  ``ESC @``
code page          ``ESC t n``                ``ESC t n``
clear              ``CLR`` (0x0C)             ``CLR`` (0x0C)
upper line         ``ESC Q A`` text ``CR``    ``US $ 1 1`` text
lower line         ``ESC Q B`` text ``CR``    ``US $ 1 2`` text
brightness 1-4     ``ESC * n``                ``US X n``
=================  =========================  ===========================

Code page: default ``ESC t 19`` with text encoded as CP858 — PC850 plus the euro
sign (0xD5), which covers the accented letters of Western Europe. Displays whose
table numbering differs take the ``codepage``/``encoding`` settings (e.g. 16 +
cp1252). Characters the page lacks lose their accents, then become ``?``; lines
are always written padded to 20 columns, so no stale text survives.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from .device import Device
from .display_text import WIDTH, fit
from .errors import DeviceError, IllegalState
from .interfaces import LineDisplay
from .kinds import DeviceKind
from .registry import Setting
from .serialio import SerialDevice, SerialDriver
from .url import DeviceUrl

ESC, US, CLR, CR = b"\x1b", b"\x1f", b"\x0c", b"\r"


def encode_line(text: str, encoding: str = "cp858") -> bytes:
    """20 display bytes: accents dropped only where the code page has no such letter."""
    out = bytearray()
    for ch in fit(text):
        try:
            out += ch.encode(encoding)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore")
            out += base[:1] or b"?"
    return bytes(out)


def commands(top: str, bottom: str, command_set: str = "cd5220",
             encoding: str = "cp858") -> bytes:
    """The bytes that put ``top`` and ``bottom`` on the display."""
    a, b = encode_line(top, encoding), encode_line(bottom, encoding)
    if command_set == "epson":
        return US + b"$\x01\x01" + a + US + b"$\x01\x02" + b
    return ESC + b"QA" + a + CR + ESC + b"QB" + b + CR


class Cd5220Display(SerialDevice, LineDisplay):
    columns = WIDTH
    rows = 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_set = str(self.settings.get("command_set", "cd5220"))
        self.encoding = str(self.settings.get("encoding", "cp858"))
        try:
            "€".encode(self.encoding, "replace")
        except LookupError:
            raise IllegalState(f"{self.name}: unknown encoding {self.encoding!r}") from None

    def port_ready(self, port: Any) -> None:
        """Reset, select the code page and brightness, blank the screen."""
        setup = ESC + b"@" + ESC + b"t" + bytes([int(self.settings.get("codepage", 19))])
        level = int(self.settings.get("brightness", 0))
        if level:
            setup += (US + b"X" if self.command_set == "epson" else ESC + b"*") + bytes([level])
        port.write(setup + CLR)
        port.flush()

    def show(self, top: str, bottom: str = "") -> Future[None]:
        data = commands(top, bottom, self.command_set, self.encoding)
        return self.submit(self._write, data)

    def clear(self) -> Future[None]:
        return self.submit(self._write, CLR)

    def _write(self, data: bytes) -> None:
        self.require_enabled()

        def send(port: Any) -> None:
            port.write(data)
            port.flush()

        self.with_port(send)


class Cd5220Driver(SerialDriver):
    name = "cd5220"
    kinds = frozenset({DeviceKind.DISPLAY})
    probe_kind = DeviceKind.DISPLAY
    name_words = ('display', 'vfd', 'pole', 'cd5220')
    name_reason = "named like a customer display"
    name_confidence = 0.6
    settings_schema = (
        Setting("command_set", "Command set", "choice", "cd5220", ("cd5220", "epson"),
                help="cd5220: ESC Q A/B lines; epson: ESC/POS US $ cursor moves."),
        Setting("codepage", "Code page number (ESC t n)", "int", 19,
                help="19 = PC858 with € on Epson-compatible displays."),
        Setting("encoding", "Text encoding", "str", "cp858",
                help="Python codec matching the code page, e.g. cp858, cp1252, cp437."),
        Setting("brightness", "Brightness 1-4 (0 = leave as is)", "int", 0),
    )
    description = "2×20 customer pole display (CD5220 / Epson ESC/POS command set)"

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.DISPLAY:
            raise DeviceError(f"{self.name} drives customer displays, not {kind.value}")
        level = int(settings.get("brightness", 0))
        if not 0 <= level <= 4:
            raise IllegalState(f"{self.name}: brightness must be 0-4, not {level}")
        return Cd5220Display(url, settings, name)
