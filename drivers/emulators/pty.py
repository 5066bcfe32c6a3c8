"""Shared base for serial-device emulators on a pseudo-terminal.

The emulator holds the pty master (set raw, or the line discipline turns CR
into LF) and the driver opens the slave path through pyserial exactly as it
would open ``/dev/ttyUSB0``. The emulator also keeps the slave open itself so
the tty is not hung up between two opens by the driver; ``stop()`` closes
both, which to the driver looks like the USB cable being pulled.

Tests synchronise through ``wait_for(predicate, timeout)`` (a Condition that is
notified whenever the emulator's state changes) instead of sleeping.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import threading
import time
import tty
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Self, TypeVar

T = TypeVar("T")


class PtyEmulator:
    """A device on a pty: ``start()``, ``url``, ``write()``, ``wait_for()``, ``stop()``."""

    label = "device"

    def __init__(self) -> None:
        self.path = ""
        self._master = -1
        self._slave = -1
        self._wake_r = -1
        self._wake_w = -1
        self._thread: threading.Thread | None = None
        self._running = False
        self.cond = threading.Condition()
        self.received = bytearray()  # everything the driver sent, for tests
        self.on_change: Callable[[], None] | None = None  # CLI hook, called on state changes

    # --- lifecycle ---
    def start(self) -> Self:
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        self.path = os.ttyname(self._slave)
        self._wake_r, self._wake_w = os.pipe()
        self._running = True
        self._thread = threading.Thread(target=self._run, name=f"emulator:{self.label}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the pty: the driver sees its port vanish."""
        if not self._running:
            return
        self._running = False
        os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(5)
        for fd in (self._master, self._slave, self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = self._wake_r = self._wake_w = -1
        self.changed()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"serial://{self.path}"

    @property
    def running(self) -> bool:
        return self._running

    # --- I/O ---
    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._master, view)
            view = view[n:]

    def _run(self) -> None:
        while self._running:
            try:
                ready, _, _ = select.select([self._master, self._wake_r], [], [])
            except (OSError, ValueError):
                return
            if self._wake_r in ready or not self._running:
                return
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            if not data:
                return
            with self.cond:
                self.received += data
                self.on_bytes(data)
                self.cond.notify_all()
            if self.on_change is not None:
                self.on_change()

    def on_bytes(self, data: bytes) -> None:
        """Handle bytes from the driver (called with ``cond`` held)."""

    # --- synchronisation ---
    def changed(self) -> None:
        """Wake ``wait_for`` callers after a state change made outside the reader thread."""
        with self.cond:
            self.cond.notify_all()
        if self.on_change is not None:
            self.on_change()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """The predicate's first truthy value; TimeoutError if it stays falsy."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self.label} emulator: condition not met in {timeout} s")
                self.cond.wait(remaining)


def run_cli(emulator: PtyEmulator, handle_line: Callable[[str], str | None],
            describe: Callable[[], str] | None = None) -> int:
    """The `pos emulate …` loop: print the URL, feed stdin lines, stop on EOF or a signal."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    if describe is not None:
        last: list[str] = [""]

        def show() -> None:
            text = describe()
            if text != last[0]:
                last[0] = text
                print(text, flush=True)

        emulator.on_change = show
    emulator.start()
    try:
        print(f"{emulator.label} on {emulator.url}", flush=True)

        def read_stdin() -> None:
            for line in sys.stdin:
                if stop.is_set():
                    break
                line = line.strip()
                if not line:
                    continue
                try:
                    reply = handle_line(line)
                except ValueError as exc:
                    reply = f"error: {exc}"
                if reply:
                    print(reply, flush=True)
            stop.set()

        threading.Thread(target=read_stdin, name="emulator-stdin", daemon=True).start()
        while not stop.wait(0.2):
            pass
    finally:
        emulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0

