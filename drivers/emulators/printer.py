"""An ESC/POS receipt printer in a thread, on loopback TCP, a pty or a fake USB bus.

It decodes what it receives into a journal (text lines in the code page chosen
with ``ESC t``, styles, barcodes, QR data, cuts, drawer kicks, raster images as
PNG), answers ``DLE EOT 1..4`` and ``GS r``, and sends automatic status back
after ``GS a``. Faults can be switched on at any time: paper near end, paper out
(also after N more lines, i.e. mid-job), cover open, offline, silent, dropped
connections, cable pulled. Like a real printer, data that arrives while it
cannot print is lost; real-time commands are still answered.

Use it in tests (``with PrinterEmulator() as emu: emu.tcp_url``) or from the
command line (``pos emulate printer``: see :func:`add_arguments` / :func:`run`).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import select
import signal
import socket
import struct
import sys
import threading
import time
import tty
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

# ESC t n → Python codec, after Epson's table (TM-T88V, TM-T20).
EPSON_CODE_PAGES: dict[int, str] = {
    0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252", 17: "cp866",
    18: "cp852", 19: "cp858", 40: "iso8859_15", 45: "cp1250", 46: "cp1251", 47: "cp1253",
    48: "cp1254", 49: "cp1255", 50: "cp1256", 51: "cp1257", 52: "cp1258",
}
GS_K_NAMES: dict[int, str] = {
    0: "UPCA", 1: "UPCE", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
    65: "UPCA", 66: "UPCE", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF", 71: "CODABAR",
    72: "CODE93", 73: "CODE128", 74: "GS1-128", 75: "GS1-DATABAR", 76: "GS1-DATABAR-TRUNC",
    77: "GS1-DATABAR-LIMITED", 78: "GS1-DATABAR-EXPANDED", 79: "CODE128-AUTO",
}
SIZES = {0x00: "normal", 0x10: "wide", 0x01: "tall", 0x11: "double"}
ALIGNS = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass(frozen=True, slots=True)
class PrintedLine:
    text: str
    align: str = "left"
    bold: bool = False
    underline: bool = False
    size: str = "normal"


@dataclass(frozen=True, slots=True)
class Barcode:
    symbology: str
    data: str


@dataclass(frozen=True, slots=True)
class RasterImage:
    width: int
    height: int
    path: Path | None
    bits: bytes  # GS v 0 raster rows, 1 = black


@dataclass(frozen=True, slots=True)
class Kick:
    pin: int
    on_ms: int
    off_ms: int
    realtime: bool = False  # DLE DC4 rather than ESC p


@dataclass
class Receipt:
    """Everything printed between two cuts."""

    lines: list[PrintedLine] = field(default_factory=list)
    barcodes: list[Barcode] = field(default_factory=list)
    qr: list[str] = field(default_factory=list)
    images: list[RasterImage] = field(default_factory=list)
    cut: str | None = None  # "full" | "partial" once cut

    @property
    def text(self) -> list[str]:
        return [line.text for line in self.lines]


def write_png(path: Path, width: int, height: int, bits: bytes) -> None:
    """A 1-bit raster (1 = black) as an 8-bit greyscale PNG, with zlib and struct only."""
    row_bytes = (width + 7) // 8
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        row = bits[y * row_bytes:(y + 1) * row_bytes]
        for x in range(width):
            black = row[x >> 3] & (0x80 >> (x & 7)) if x >> 3 < len(row) else 0
            raw.append(0 if black else 255)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))


class _Session:
    """One connection: its parse buffer, its ASB subscription and how to answer it."""

    def __init__(self, name: str, send: Callable[[bytes], None]) -> None:
        self.name = name
        self._send = send
        self.buf = bytearray()
        self.asb_mask = 0
        self.last_asb: bytes | None = None

    def send(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the peer is gone; its reader will notice
            self._send(data)


class PrinterEmulator:
    """An emulated ESC/POS printer. Thread-safe; all state changes notify ``wait_for``."""

    def __init__(self, tcp: str | None = "127.0.0.1:0", pty: bool = False,
                 out_dir: str | Path | None = None, columns: int = 42,
                 code_pages: dict[int, str] | None = None, drawer_open_level: str = "high",
                 kick_opens_drawer: bool = True,
                 on_receipt: Callable[[Receipt], None] | None = None,
                 on_event: Callable[[str], None] | None = None) -> None:
        self.columns = columns
        self.code_pages = dict(code_pages or EPSON_CODE_PAGES)
        self.out_dir = Path(out_dir) if out_dir else None
        self.drawer_open_level = drawer_open_level
        self.kick_opens_drawer = kick_opens_drawer
        self.on_receipt = on_receipt
        self.on_event = on_event
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._tcp_bind = _split_host_port(tcp) if tcp else None
        self._want_pty = pty
        self._listener: socket.socket | None = None
        self._tcp_port: int | None = None
        self._conns: dict[socket.socket, _Session] = {}
        self._pty: tuple[int, int, str] | None = None
        self._pty_session: _Session | None = None
        self._sessions: list[_Session] = []
        self._threads: list[threading.Thread] = []
        self._running = False
        # switchable state
        self._paper_near_end = False
        self._paper_out = False
        self._cover_open = False
        self._offline = False
        self._silent = False
        self._drawer_open = False
        self._paper_left: int | None = None
        # Send an ASB frame right before every DLE EOT reply (to a session with ASB on),
        # like a printer whose status changes just as it is asked: tests status framing.
        self.asb_before_replies = False
        # journal
        self.receipts: list[Receipt] = []
        self.current = Receipt()
        self.kicks: list[Kick] = []
        self.events: list[tuple[str, Any]] = []
        self.lost_bytes = 0
        self.connections = 0
        self._reset_printer()

    # --- lifecycle ---
    def start(self) -> PrinterEmulator:
        with self._lock:
            if self._running:
                return self
            self._running = True
        if self._tcp_bind is not None:
            self._listen(*self._tcp_bind)
        if self._want_pty:
            self._open_pty()
        return self

    def stop(self) -> None:
        with self._lock:
            if not self._running:
                return
            self._running = False
        self._close_listener()
        self.drop_connections()
        if self._pty is not None:
            master, slave, _ = self._pty
            self._pty = None
            for fd in (master, slave):
                with contextlib.suppress(OSError):
                    os.close(fd)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(2)
        self._threads.clear()

    def __enter__(self) -> PrinterEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def tcp_url(self) -> str:
        if self._tcp_bind is None or self._tcp_port is None:
            raise RuntimeError("the emulator is not serving TCP")
        host = self._tcp_bind[0] or "127.0.0.1"
        return f"tcp://{host}:{self._tcp_port}"

    @property
    def serial_url(self) -> str:
        if self._pty is None:
            raise RuntimeError("the emulator has no pty (start it with pty=True)")
        return f"serial://{self._pty[2]}"

    # --- TCP ---
    def _listen(self, host: str, port: int) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(8)
        listener.settimeout(0.05)  # lets the accept loop notice unplug/stop
        self._listener = listener
        self._tcp_port = listener.getsockname()[1]
        self._spawn(self._accept_loop, listener, name="printer-emu-accept")

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def _spawn(self, target: Callable[..., None], *args: Any, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while self._running and self._listener is listener:
            try:
                conn, addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            session = _Session(f"tcp:{addr[1]}", conn.sendall)
            with self._lock:
                self._conns[conn] = session
                self._sessions.append(session)
                self.connections += 1
                self._cond.notify_all()
            self._spawn(self._conn_loop, conn, session, name="printer-emu-conn")

    def _conn_loop(self, conn: socket.socket, session: _Session) -> None:
        try:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                self.feed(session, data)
        finally:
            with self._lock:
                self._conns.pop(conn, None)
                if session in self._sessions:
                    self._sessions.remove(session)
                self._cond.notify_all()
            with contextlib.suppress(OSError):
                conn.close()

    def drop_connections(self) -> None:
        """Close every open connection (printer rebooted, idle session closed)."""
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()

    def unplug(self) -> None:
        """Cable pulled: connections drop and new ones are refused until :meth:`plug`."""
        self._close_listener()
        self.drop_connections()

    def plug(self) -> None:
        if self._tcp_bind is not None and self._listener is None and self._running:
            self._listen(self._tcp_bind[0], self._tcp_port or self._tcp_bind[1])

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    # --- pty ---
    def _open_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(master)  # otherwise the line discipline turns CR into LF
        self._pty = (master, slave, os.ttyname(slave))
        session = _Session("pty", lambda data: _write_all(master, data))
        self._pty_session = session
        with self._lock:
            self._sessions.append(session)
        self._spawn(self._pty_loop, master, session, name="printer-emu-pty")

    def _pty_loop(self, master: int, session: _Session) -> None:
        while self._running and self._pty is not None:
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 65536)
            except OSError as exc:
                if exc.errno == errno.EIO:  # no one has the slave open right now
                    time.sleep(0.01)
                    continue
                return
            if data:
                self.feed(session, data)

    # --- USB ---
    def usb_backend(self, vendor: int = 0x04B8, product: int = 0x0202,
                    with_in: bool = True) -> Any:
        """A pyusb backend with this printer as its only device (printer class 7)."""
        return _make_usb_backend(self, vendor, product, with_in)

    # --- switchable state ---
    def _set(self, attr: str, value: bool) -> None:
        with self._lock:
            if getattr(self, attr) == value:
                return
            setattr(self, attr, value)
            self.events.append(("state", (attr.lstrip("_"), value)))
            self._status_changed()
            self._cond.notify_all()

    paper_near_end = property(lambda self: self._paper_near_end,
                              lambda self, v: self._set("_paper_near_end", bool(v)))
    paper_out = property(lambda self: self._paper_out,
                         lambda self, v: self._set("_paper_out", bool(v)))
    cover_open = property(lambda self: self._cover_open,
                          lambda self, v: self._set("_cover_open", bool(v)))
    offline = property(lambda self: self._offline,
                       lambda self, v: self._set("_offline", bool(v)))
    silent = property(lambda self: self._silent, lambda self, v: self._set("_silent", bool(v)))
    drawer_open = property(lambda self: self._drawer_open,
                           lambda self, v: self._set("_drawer_open", bool(v)))

    def paper_out_after(self, lines: int | None) -> None:
        """Run out of paper after ``lines`` more printed lines (None: never)."""
        with self._lock:
            self._paper_left = lines
            if lines is not None and lines <= 0:
                self._paper_left = None
                self.paper_out = True

    def reload_paper(self) -> None:
        with self._lock:
            self._paper_left = None
            self.paper_out = False
            self.paper_near_end = False

    @property
    def can_print(self) -> bool:
        return not (self._paper_out or self._cover_open or self._offline)

    @property
    def pin3_high(self) -> bool:
        return self._drawer_open == (self.drawer_open_level == "high")

    # --- journal access ---
    @property
    def lines(self) -> list[str]:
        """Every printed text line, cut or not."""
        with self._lock:
            return [line.text for r in [*self.receipts, self.current] for line in r.lines]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` holds (checked on every change) or ``timeout``."""
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def clear(self) -> None:
        with self._lock:
            self.receipts.clear()
            self.current = Receipt()
            self.kicks.clear()
            self.events.clear()
            self.lost_bytes = 0

    # --- status bytes ---
    def _rt_reply(self, n: int) -> int:
        stopped = not self.can_print
        if n == 1:
            return 0x12 | (0x04 if self.pin3_high else 0) | (0x08 if stopped else 0)
        if n == 2:
            return 0x12 | (0x04 if self._cover_open else 0) | (0x20 if self._paper_out else 0)
        if n == 4:
            near = self._paper_near_end or self._paper_out
            return 0x12 | (0x0C if near else 0) | (0x60 if self._paper_out else 0)
        return 0x12

    def asb_frame(self) -> bytes:
        b1 = 0x10 | (0x04 if self.pin3_high else 0) | (0x08 if not self.can_print else 0) \
            | (0x20 if self._cover_open else 0)
        near = self._paper_near_end or self._paper_out
        b3 = (0x03 if near else 0) | (0x0C if self._paper_out else 0)
        return bytes((b1, 0x00, b3, 0x00))

    def _status_changed(self) -> None:
        if self._silent:
            return
        frame = self.asb_frame()
        for session in self._sessions:
            if session.asb_mask and session.last_asb != frame:
                session.last_asb = frame
                session.send(frame)

    def _answer(self, session: _Session, data: bytes) -> None:
        if not self._silent:
            session.send(data)

    # --- the ESC/POS decoder ---
    def feed(self, session: _Session, data: bytes) -> None:
        """Process bytes received on ``session`` (a connection, the pty or USB)."""
        with self._lock:
            session.buf += data
            buf = session.buf
            while buf:
                used = self._step(session, buf)
                if used == 0:
                    break  # incomplete command: wait for more bytes
                del buf[:used]
            self._cond.notify_all()

    def _reset_printer(self) -> None:
        self.code_page = 0
        self.align = "left"
        self.bold = False
        self.underline = False
        self.size = "normal"
        self._line: list[str] = []
        self._line_style: PrintedLine | None = None

    def _style(self) -> PrintedLine:
        return PrintedLine("", self.align, self.bold, self.underline, self.size)

    def _text(self, raw: bytes) -> None:
        if not self.can_print:
            self.lost_bytes += len(raw)
            return
        codec = self.code_pages.get(self.code_page, "cp437")
        if self._line_style is None:
            self._line_style = self._style()
        self._line.append(raw.decode(codec, errors="replace"))

    def _newline(self) -> None:
        if not self.can_print:
            self.lost_bytes += 1
            self._line, self._line_style = [], None
            return
        style = self._line_style or self._style()
        line = PrintedLine("".join(self._line), style.align, style.bold, style.underline,
                           style.size)
        self._line, self._line_style = [], None
        self.current.lines.append(line)
        self.events.append(("line", line))
        if self._paper_left is not None:
            self._paper_left -= 1
            if self._paper_left <= 0:
                self._paper_left = None
                self._set("_paper_out", True)

    def _flush_line(self) -> None:
        if self._line:
            self._newline()

    def _cut(self, mode: str) -> None:
        if not self.can_print:
            return
        self._flush_line()
        receipt, self.current = self.current, Receipt()
        receipt.cut = mode
        self.receipts.append(receipt)
        self.events.append(("cut", mode))
        if self.on_receipt is not None:
            self.on_receipt(receipt)

    def _kick(self, kick: Kick) -> None:
        if not kick.realtime and not self.can_print:
            return  # ESC p waits in the buffer of a stopped printer; ours is lost
        self.kicks.append(kick)
        self.events.append(("kick", kick))
        self._note(f"drawer kick: pin {kick.pin}, {kick.on_ms} ms on, {kick.off_ms} ms off")
        if self.kick_opens_drawer:
            self._set("_drawer_open", True)

    def _note(self, text: str) -> None:
        if self.on_event is not None:
            self.on_event(text)

    def _step(self, s: _Session, b: bytearray) -> int:
        c = b[0]
        n = len(b)
        if c == 0x10:  # DLE: real-time commands, answered even when the printer is stopped
            if n < 3:
                return 0
            if b[1] == 0x04:
                if s.asb_mask and self.asb_before_replies:
                    self._answer(s, self.asb_frame())
                self._answer(s, bytes((self._rt_reply(b[2]),)))
                return 3
            if b[1] == 0x14:
                if b[2] == 8:
                    return 10 if n >= 10 else 0
                if n < 5:
                    return 0
                if b[2] == 1:
                    t = b[4] * 100
                    self._kick(Kick(2 if b[3] in (0, 48) else 5, t, t, realtime=True))
                return 5
            return 3 if b[1] == 0x05 else 1
        if c == 0x1B:
            return self._esc(b)
        if c == 0x1D:
            return self._gs(s, b)
        if c == 0x1C:  # FS
            if n < 2:
                return 0
            return {0x2E: 2, 0x26: 2, 0x70: 4, 0x43: 3}.get(b[1], 2) if n >= 4 else \
                (2 if b[1] in (0x2E, 0x26) else 0)
        if c == 0x0A:
            self._newline()
            return 1
        if c == 0x0C:
            self._flush_line()
            return 1
        if c == 0x09:
            self._text(b"    ")
            return 1
        if c < 0x20:
            return 1  # CR and other controls: nothing to print
        end = 1
        while end < n and b[end] >= 0x20:
            end += 1
        self._text(bytes(b[:end]))
        return end

    def _esc(self, b: bytearray) -> int:
        n = len(b)
        if n < 2:
            return 0
        cmd = b[1]
        if cmd == 0x40:  # @
            self._flush_line()
            self._reset_printer()
            self.events.append(("reset", None))
            return 2
        if cmd in (0x32, 0x69, 0x6D, 0x3C):  # ESC 2, ESC i, ESC m, ESC <
            if cmd in (0x69, 0x6D):
                self._cut("full" if cmd == 0x69 else "partial")
            return 2
        if cmd == 0x70:  # p m t1 t2
            if n < 5:
                return 0
            self._kick(Kick(2 if b[2] in (0, 48) else 5, b[3] * 2, b[4] * 2))
            return 5
        if cmd == 0x24:  # $ nL nH
            return 4 if n >= 4 else 0
        if cmd == 0x2A:  # * m nL nH data
            if n < 5:
                return 0
            size = (b[3] + b[4] * 256) * (1 if b[2] in (0, 1) else 3)
            return 5 + size if n >= 5 + size else 0
        if cmd in (0x63,):  # ESC c x n
            return 4 if n >= 4 else 0
        if n < 3:
            return 0
        arg = b[2]
        if cmd == 0x74:  # t
            self._flush_code_page(arg)
        elif cmd == 0x61:
            self._set_style("align", ALIGNS.get(arg, "left"))
        elif cmd == 0x45:
            self._set_style("bold", bool(arg & 1))
        elif cmd == 0x2D:
            self._set_style("underline", bool(arg & 3))
        elif cmd == 0x21:  # ! n: print mode
            self._set_style("bold", bool(arg & 0x08))
            self._set_style("underline", bool(arg & 0x80))
            size = (0x10 if arg & 0x20 else 0) | (0x01 if arg & 0x10 else 0)
            self._set_style("size", SIZES[size])
        elif cmd == 0x64:  # d n: print and feed n lines
            self._flush_line()
            if self.can_print:
                self.events.append(("feed", arg))
        elif cmd == 0x4A:  # J n: feed dots
            self._flush_line()
        return 3

    def _flush_code_page(self, page: int) -> None:
        if page not in self.code_pages:
            self.events.append(("unknown-code-page", page))
        self.code_page = page
        self.events.append(("code_page", page))

    def _set_style(self, name: str, value: Any) -> None:
        if getattr(self, name) != value:
            setattr(self, name, value)
            self.events.append(("style", (name, value)))

    def _gs(self, s: _Session, b: bytearray) -> int:
        n = len(b)
        if n < 2:
            return 0
        cmd = b[1]
        if cmd == 0x56:  # V m [n]
            if n < 3:
                return 0
            m = b[2]
            size = 4 if m in (65, 66, 97, 98, 103, 104) else 3
            if n < size:
                return 0
            self._cut("full" if m in (0, 48, 65, 97, 103) else "partial")
            return size
        if cmd == 0x76:  # v 0 m xL xH yL yH data
            if n < 8:
                return 0
            width_bytes, height = b[4] + b[5] * 256, b[6] + b[7] * 256
            size = 8 + width_bytes * height
            if n < size:
                return 0
            self._image(width_bytes, height, bytes(b[8:size]))
            return size
        if cmd == 0x28:  # ( x pL pH ...
            if n < 5:
                return 0
            size = 5 + b[3] + b[4] * 256
            if n < size:
                return 0
            if b[2] == 0x6B:  # ( k: 2D codes
                self._two_d(bytes(b[5:size]))
            return size
        if cmd == 0x38:  # 8 L p1 p2 p3 p4 ...
            if n < 7:
                return 0
            size = 7 + int.from_bytes(b[3:7], "little")
            return size if n >= size else 0
        if cmd == 0x6B:  # k m ...
            if n < 4:
                return 0
            m = b[2]
            if m <= 6:
                try:
                    end = b.index(0, 3)
                except ValueError:
                    return 0
                self._barcode(m, bytes(b[3:end]))
                return end + 1
            size = 4 + b[3]
            if n < size:
                return 0
            self._barcode(m, bytes(b[4:size]))
            return size
        if cmd in (0x4C, 0x57, 0x50, 0x5C):  # L, W, P, \ with two bytes
            return 4 if n >= 4 else 0
        if n < 3:
            return 0
        arg = b[2]
        if cmd == 0x21:  # ! n: character size
            width, height = (arg >> 4) & 7, arg & 7
            self._set_style("size", SIZES.get(((1 if width else 0) << 4) | (1 if height else 0),
                                              "double"))
        elif cmd == 0x61:  # a n: automatic status back
            s.asb_mask = arg
            s.last_asb = None
            if arg:
                s.last_asb = self.asb_frame()
                self._answer(s, s.last_asb)
        elif cmd == 0x72:  # r n
            if arg in (1, 49):
                near = self._paper_near_end or self._paper_out
                self._answer(s, bytes(((0x03 if near else 0) | (0x0C if self._paper_out else 0),)))
            elif arg in (2, 50):
                self._answer(s, bytes((0x01 if self.pin3_high else 0,)))
        return 3

    def _barcode(self, m: int, data: bytes) -> None:
        if not self.can_print:
            return
        self._flush_line()
        text = data.decode("ascii", errors="replace")
        name = GS_K_NAMES.get(m, f"GS k {m}")
        if name == "CODE128" and text[:2] in ("{A", "{B"):
            text = text[2:].replace("{{", "{")
        self.current.barcodes.append(Barcode(name, text))
        self.events.append(("barcode", Barcode(name, text)))

    def _two_d(self, body: bytes) -> None:
        cn, fn = body[0], body[1]
        if cn != 0x31:
            return
        if fn == 0x50:  # store the data (after m = 48)
            self._qr_store = body[3:].decode("utf-8", errors="replace")
        elif fn == 0x51 and self.can_print:  # print what is stored
            self._flush_line()
            data = getattr(self, "_qr_store", "")
            self.current.qr.append(data)
            self.events.append(("qr", data))

    def _image(self, width_bytes: int, height: int, bits: bytes) -> None:
        if not self.can_print:
            return
        self._flush_line()
        path = None
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            count = sum(len(r.images) for r in self.receipts) + len(self.current.images)
            path = self.out_dir / f"image-{os.getpid()}-{id(self) & 0xFFFF:04x}-{count:04d}.png"
            write_png(path, width_bytes * 8, height, bits)
        image = RasterImage(width_bytes * 8, height, path, bits)
        self.current.images.append(image)
        self.events.append(("image", image))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _split_host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return (host or "127.0.0.1"), int(port or 0)


# --- fake USB bus -------------------------------------------------------------

class _Desc:
    """A pyusb descriptor: the fields given, 0 for the rest."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return [] if name == "extra_descriptors" else (() if name == "port_numbers" else 0)


def _make_usb_backend(emu: PrinterEmulator, vendor: int, product: int, with_in: bool) -> Any:
    import usb.backend
    import usb.core

    class EmulatedPrinterBackend(usb.backend.IBackend):  # type: ignore[misc]
        """Just enough of pyusb's IBackend for python-escpos' Usb class."""

        def __init__(self) -> None:
            self.pending = bytearray()
            self.session = _Session("usb", self._queue)
            self.claimed: set[int] = set()
            self.unplugged = False
            self.writes = 0
            with emu._lock:
                emu._sessions.append(self.session)

        def _queue(self, data: bytes) -> None:
            self.pending += data
            emu._cond.notify_all()

        def enumerate_devices(self) -> Iterator[str]:
            if not self.unplugged:
                yield "printer"

        def get_device_descriptor(self, dev: Any) -> _Desc:
            return _Desc(bLength=18, bDescriptorType=1, bcdUSB=0x200, idVendor=vendor,
                         idProduct=product, bMaxPacketSize0=64, bNumConfigurations=1,
                         bus=1, address=2, port_number=1, speed=2)

        def get_configuration_descriptor(self, dev: Any, config: int) -> _Desc:
            return _Desc(bLength=9, bDescriptorType=2, wTotalLength=32, bNumInterfaces=1,
                         bConfigurationValue=1, bmAttributes=0xC0, bMaxPower=50)

        def get_interface_descriptor(self, dev: Any, intf: int, alt: int, config: int) -> _Desc:
            if intf != 0 or alt != 0:
                raise IndexError("no such interface")
            return _Desc(bLength=9, bDescriptorType=4, bInterfaceNumber=0, bAlternateSetting=0,
                         bNumEndpoints=2 if with_in else 1, bInterfaceClass=7,
                         bInterfaceSubClass=1, bInterfaceProtocol=2 if with_in else 1)

        def get_endpoint_descriptor(self, dev: Any, ep: int, intf: int, alt: int,
                                    config: int) -> _Desc:
            addresses = [0x01, 0x82] if with_in else [0x01]
            if ep >= len(addresses):
                raise IndexError("no such endpoint")
            return _Desc(bLength=7, bDescriptorType=5, bEndpointAddress=addresses[ep],
                         bmAttributes=2, wMaxPacketSize=64)

        def open_device(self, dev: Any) -> str:
            if self.unplugged:
                raise usb.core.USBError("No such device", errno=errno.ENODEV)
            return "handle"

        def close_device(self, dev_handle: Any) -> None:
            pass

        def set_configuration(self, dev_handle: Any, config_value: int) -> None:
            pass

        def get_configuration(self, dev_handle: Any) -> int:
            return 1

        def set_interface_altsetting(self, dev_handle: Any, intf: int, alt: int) -> None:
            pass

        def claim_interface(self, dev_handle: Any, intf: int) -> None:
            self.claimed.add(intf)

        def release_interface(self, dev_handle: Any, intf: int) -> None:
            self.claimed.discard(intf)

        def reset_device(self, dev_handle: Any) -> None:
            pass

        def clear_halt(self, dev_handle: Any, ep: int) -> None:
            pass

        def is_kernel_driver_active(self, dev_handle: Any, intf: int) -> bool:
            return False

        def detach_kernel_driver(self, dev_handle: Any, intf: int) -> None:
            pass

        def bulk_write(self, dev_handle: Any, ep: int, intf: int, data: Any,
                       timeout: int) -> int:
            if self.unplugged:
                raise usb.core.USBError("No such device", errno=errno.ENODEV)
            self.writes += 1
            emu.feed(self.session, bytes(data))
            return len(data)

        def bulk_read(self, dev_handle: Any, ep: int, intf: int, buff: Any,
                      timeout: int) -> int:
            if self.unplugged:
                raise usb.core.USBError("No such device", errno=errno.ENODEV)
            with emu._cond:
                if not emu._cond.wait_for(lambda: bool(self.pending), timeout / 1000):
                    raise usb.core.USBTimeoutError("Operation timed out", errno.ETIMEDOUT,
                                                   errno.ETIMEDOUT)
                count = min(len(buff), len(self.pending))
                buff[:count] = type(buff)(buff.typecode, self.pending[:count])
                del self.pending[:count]
                return count

    return EmulatedPrinterBackend()


# --- command line -------------------------------------------------------------

HELP = """commands: paper-out on|off, near-end on|off, cover on|off, offline on|off,
silent on|off, drawer open|closed, paper-out-after N, drop, unplug, plug, status, help, quit"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tcp", metavar="HOST:PORT", default="127.0.0.1:9100",
                        help="serve ESC/POS on this TCP address (default %(default)s; "
                             "port 0 picks a free one)")
    parser.add_argument("--no-tcp", action="store_true", help="do not serve TCP")
    parser.add_argument("--pty", action="store_true",
                        help="also serve on a pseudo-terminal (a serial:// printer)")
    parser.add_argument("--out-dir", metavar="DIR", help="save printed images as PNG here")
    parser.add_argument("--columns", type=int, default=42, help="paper width in characters")
    parser.add_argument("--drawer-open-level", choices=("high", "low"), default="high",
                        help="pin 3 level the emulated drawer shows when open")
    parser.add_argument("--no-stdin", action="store_true",
                        help="ignore standard input (run until SIGINT/SIGTERM)")


class _Stop(Exception):
    pass


def _control(emu: PrinterEmulator, line: str) -> str:
    words = line.split()
    if not words:
        return ""
    cmd, arg = words[0].lower(), (words[1].lower() if len(words) > 1 else "")
    switches = {"paper-out": "paper_out", "near-end": "paper_near_end", "cover": "cover_open",
                "offline": "offline", "silent": "silent"}
    if cmd in switches and arg in ("on", "off"):
        if cmd == "paper-out" and arg == "off":
            emu.reload_paper()
        else:
            setattr(emu, switches[cmd], arg == "on")
        return f"{cmd} {arg}"
    if cmd == "drawer" and arg in ("open", "closed"):
        emu.drawer_open = arg == "open"
        return f"drawer {arg}"
    if cmd == "paper-out-after" and arg.isdigit():
        emu.paper_out_after(int(arg))
        return f"paper runs out after {arg} lines"
    if cmd == "drop":
        emu.drop_connections()
        return "connections dropped"
    if cmd == "unplug":
        emu.unplug()
        return "cable pulled: connections refused"
    if cmd == "plug":
        emu.plug()
        return "cable plugged in"
    if cmd == "status":
        return (f"paper_out={emu.paper_out} near_end={emu.paper_near_end} "
                f"cover_open={emu.cover_open} offline={emu.offline} silent={emu.silent} "
                f"drawer_open={emu.drawer_open} connections={emu.open_connections}")
    if cmd in ("quit", "exit"):
        raise _Stop
    return HELP


def format_receipt(receipt: Receipt, columns: int) -> str:
    """A cut receipt as the cashier would see it."""
    out = ["+" + "-" * columns + "+"]
    for line in receipt.lines:
        text = line.text
        if line.size in ("wide", "double"):
            text = " ".join(text)
        if line.align == "center":
            text = text.center(columns)
        elif line.align == "right":
            text = text.rjust(columns)
        out.append("|" + text[:columns].ljust(columns) + "|")
    for code in receipt.barcodes:
        out.append("|" + f"[{code.symbology} {code.data}]".center(columns)[:columns] + "|")
    for data in receipt.qr:
        out.append("|" + f"[QR {data}]".center(columns)[:columns] + "|")
    for image in receipt.images:
        name = image.path.name if image.path else f"{image.width}x{image.height}"
        out.append("|" + f"[image {name}]".center(columns)[:columns] + "|")
    out.append("+" + ("- " * columns)[:columns] + "+" if receipt.cut == "partial"
               else "+" + "=" * columns + "+")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """``pos emulate printer``: serve until SIGINT/SIGTERM, ``quit`` or end of input."""
    def show(text: str) -> None:
        print(text, flush=True)

    emu = PrinterEmulator(tcp=None if args.no_tcp else args.tcp, pty=args.pty,
                          out_dir=args.out_dir, columns=args.columns,
                          drawer_open_level=args.drawer_open_level,
                          on_receipt=lambda r: show(format_receipt(r, args.columns)),
                          on_event=show)
    if args.no_tcp and not args.pty:
        print("nothing to serve: give --tcp or --pty", file=sys.stderr)
        return 2
    try:
        emu.start()
    except OSError as exc:
        print(f"cannot start the printer emulator: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        raise _Stop

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        if not args.no_tcp:
            show(f"printer listening on {emu.tcp_url}")
        if args.pty:
            show(f"printer serial port {emu.serial_url}")
        show(HELP)
        if args.no_stdin:
            while not stop.wait(3600):
                pass
        else:
            for line in sys.stdin:
                reply = _control(emu, line)
                if reply:
                    show(reply)
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for sig_no, handler in previous.items():
            signal.signal(sig_no, handler)
        emu.stop()
        show("printer emulator stopped")
    return 0
