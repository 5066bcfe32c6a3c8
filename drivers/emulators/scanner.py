"""A serial barcode scanner on a pty: ``scan(code)`` sends what a real one would.

CLI (``pos emulate scanner``): every line typed on stdin is sent as one scan;
a line like ``]C1 0104012345678901`` sends that AIM identifier first (the space
is dropped) and ``\\x1d``/``<GS>`` in a line become a GS separator.
"""

from __future__ import annotations

import argparse

from ..serialio import parse_control
from .pty import PtyEmulator, run_cli


class ScannerEmulator(PtyEmulator):
    label = "scanner"

    def __init__(self, prefix: str = "", suffix: str = "\r\n", encoding: str = "utf-8") -> None:
        super().__init__()
        self.prefix = parse_control(prefix)
        self.suffix = parse_control(suffix)
        self.encoding = encoding
        self.sent: list[str] = []

    def scan(self, code: str, aim: str | None = None) -> bytes:
        """Send one read: prefix, AIM identifier (e.g. ``"]E0"``), code, suffix."""
        frame = f"{self.prefix}{aim or ''}{code}{self.suffix}".encode(self.encoding)
        self.write(frame)
        self.sent.append(code)
        return frame


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--prefix", default="", help="sent before each code, e.g. '<STX>'")
    parser.add_argument("--suffix", default="\\r\\n", help="sent after each code (default CR LF)")
    parser.add_argument("--aim", default=None, help="AIM identifier for every scan, e.g. ]E0")


def run(args: argparse.Namespace) -> int:
    emulator = ScannerEmulator(args.prefix, args.suffix)

    def handle(line: str) -> str:
        aim = args.aim
        if line.startswith("]") and " " in line:
            aim, line = line.split(" ", 1)
        code = parse_control(line)
        emulator.scan(code, aim)
        return f"sent {aim or ''}{line}"

    return run_cli(emulator, handle)
