"""Barcode scanners: serial (and CDC-ACM), evdev keyboard-mode, and the wedge classifier.

What the serial and evdev scanners share lives here: turning a character stream
into scans (``ScanFramer``) and a reader thread that survives the scanner being
unplugged (``StreamScanner``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from ..errors import DeviceError
from ..interfaces import Scanner
from ..kinds import ScanData
from ..registry import Setting
from ..serialio import parse_control
from ..status import Status
from . import aim as aim_ids

log = logging.getLogger(__name__)
LINK = "link"
MAX_FRAME = 4096  # a "scan" longer than this is line noise

SCAN_SETTINGS: tuple[Setting, ...] = (
    Setting("prefix", "Prefix", "str", "",
            help="Characters the scanner sends before each code (\\x02, <STX>); stripped."),
    Setting("suffix", "Suffix", "str", "",
            help="Characters that end each code; empty = CR, LF or CR LF."),
    Setting("aim", "AIM symbology identifiers", "bool", True,
            help="Strip ]E0-style identifiers and keep them as the symbology."),
    Setting("debounce_ms", "Double-read window (ms)", "int", 500,
            help="The same code again within this window is ignored."),
)


class ScanFramer:
    """Splits a character stream into scans: suffix framing, prefix strip, AIM decode."""

    def __init__(self, prefix: str = "", suffix: str = "", aim: bool = True,
                 source: str = "") -> None:
        self.prefix = parse_control(prefix)
        self.suffix = parse_control(suffix)
        self.aim = aim
        self.source = source
        self._buf = ""

    def reset(self) -> None:
        self._buf = ""

    def feed(self, text: str) -> list[ScanData]:
        self._buf += text
        frames: list[str] = []
        if self.suffix:
            *frames, self._buf = self._buf.split(self.suffix)
            frames = [f.strip("\r\n") for f in frames]
        else:
            *frames, self._buf = self._buf.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if len(self._buf) > MAX_FRAME:
            log.warning("scanner %s: dropping %d characters without a suffix",
                        self.source, len(self._buf))
            self._buf = ""
        scans = []
        for frame in frames:
            if self.prefix and frame.startswith(self.prefix):
                frame = frame[len(self.prefix):]
            if frame:
                scans.append(aim_ids.decode(frame, aim=self.aim, source=self.source))
        return scans


class SourceLost(Exception):
    """The scanner's port or input device went away (unplugged, hung up)."""


class StreamScanner(Scanner):
    """A scanner read by a thread while enabled; reopens its source after a loss.

    Subclasses implement ``_open_source``, ``_close_source``, ``_source_open`` and
    ``_read_text`` (which returns within about 0.1 s so the thread can stop).
    """

    reopen_interval = 1.0  # seconds between attempts to reopen a vanished scanner

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framer = ScanFramer(str(self.settings.get("prefix", "")),
                                 str(self.settings.get("suffix", "")),
                                 bool(self.settings.get("aim", True)), source=self.name)
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    # --- source hooks ---
    def _open_source(self) -> None:
        raise NotImplementedError

    def _close_source(self) -> None:
        raise NotImplementedError

    def _source_open(self) -> bool:
        raise NotImplementedError

    def _read_text(self) -> str:
        raise NotImplementedError

    # --- lifecycle ---
    def _claim_io(self) -> None:
        self._open_source()
        self.emit_status(Status.ONLINE, group=LINK)

    def _enable_io(self) -> None:
        self._stop.clear()
        self.framer.reset()
        self._reader = threading.Thread(target=self._run, name=f"scanner:{self.name}",
                                        daemon=True)
        self._reader.start()

    def _disable_io(self) -> None:
        self._stop.set()
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None

    def _release_io(self) -> None:
        self._close_source()

    def _close_io(self) -> None:
        self._disable_io()
        self._close_source()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self._source_open():
                try:
                    self._open_source()
                except DeviceError as exc:
                    log.debug("scanner %s still missing: %s", self.name, exc)
                    self._stop.wait(self.reopen_interval)
                    continue
                log.info("scanner %s is back", self.name)
                self.emit_status(Status.ONLINE, group=LINK)
            try:
                text = self._read_text()
            except SourceLost as exc:
                self._close_source()
                self.framer.reset()
                self.emit_status(Status.OFFLINE, str(exc), group=LINK)
                self._stop.wait(self.reopen_interval)
                continue
            for scan in self.framer.feed(text) if text else ():
                try:
                    self.deliver(scan)
                except Exception:
                    log.exception("scanner %s: a scan listener failed", self.name)
