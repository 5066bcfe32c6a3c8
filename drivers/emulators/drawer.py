"""A serial cash-drawer interface on a pty (protocol in ``drivers.drawer_serial``).

It springs open on the open command, answers the status query with one byte
``0001x010`` whose bit 2 is the switch level, and ``open_level`` says which
level this drawer's switch has when open (to test both polarities).
In-process: ``opens`` (count), ``set_open(bool)``, ``is_open``.
CLI (``pos emulate drawer``): prints ``drawer opened``; type ``close``/``open`` on stdin.
"""

from __future__ import annotations

import argparse

from ..serialio import parse_bytes
from .pty import PtyEmulator, run_cli


class DrawerEmulator(PtyEmulator):
    label = "drawer"

    def __init__(self, open_command: str = "1b 70 00 19 fa", status_command: str = "10 04 01",
                 open_level: str = "high") -> None:
        super().__init__()
        self.open_command = parse_bytes(open_command)
        self.status_command = parse_bytes(status_command)
        self.open_level_high = open_level == "high"
        self.is_open = False
        self.opens = 0
        self.status_queries = 0
        self.unknown = bytearray()
        self._buf = bytearray()

    def set_open(self, is_open: bool) -> None:
        with self.cond:
            self.is_open = is_open
        self.changed()

    def status_byte(self) -> int:
        high = self.is_open == self.open_level_high
        return 0x12 | (0x04 if high else 0)

    def on_bytes(self, data: bytes) -> None:
        self._buf += data
        while self._buf:
            buf = bytes(self._buf)
            if buf.startswith(self.open_command):
                del self._buf[: len(self.open_command)]
                self.opens += 1
                self.is_open = True
            elif buf.startswith(self.status_command):
                del self._buf[: len(self.status_command)]
                self.status_queries += 1
                self.write(bytes([self.status_byte()]))
            elif self.open_command.startswith(buf) or self.status_command.startswith(buf):
                return  # a command still arriving
            else:
                self.unknown.append(self._buf.pop(0))

    def describe(self) -> str:
        return f"drawer {'opened' if self.is_open else 'closed'} (opens: {self.opens})"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--open-command", default="1b 70 00 19 fa",
                        help="bytes that open the drawer (hex)")
    parser.add_argument("--status-command", default="10 04 01",
                        help="bytes that ask for the sensor (hex)")
    parser.add_argument("--open-level", choices=("high", "low"), default="high",
                        help="switch level reported while the drawer is open")


def run(args: argparse.Namespace) -> int:
    emulator = DrawerEmulator(args.open_command, args.status_command, args.open_level)

    def handle(line: str) -> None:
        word = line.lower()
        if word not in ("open", "close"):
            raise ValueError("type 'open' or 'close'")
        emulator.set_open(word == "open")  # printed by the change hook

    return run_cli(emulator, handle, emulator.describe)
