"""A 2×20 customer display on a pty that understands the CD5220 and Epson command sets.

It decodes what a driver sends (see ``drivers.display_cd5220``) and keeps the two
lines as the customer would see them: ``lines`` → (top, bottom), 20 columns each.
CLI (``pos emulate display``): prints the two lines every time they change.
"""

from __future__ import annotations

import argparse

from .pty import PtyEmulator, run_cli

WIDTH = 20
CODEPAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858", 40: "iso8859-15"}


class DisplayEmulator(PtyEmulator):
    label = "display"

    def __init__(self) -> None:
        super().__init__()
        self._buf = bytearray()
        self._grid = [[" "] * WIDTH for _ in range(2)]
        self.row = self.col = 0
        self.codepage = 0
        self.brightness = 4
        self.resets = 0
        self.unknown: list[bytes] = []

    @property
    def lines(self) -> tuple[str, str]:
        with self.cond:
            return "".join(self._grid[0]), "".join(self._grid[1])

    def on_bytes(self, data: bytes) -> None:
        self._buf += data
        while self._buf:
            used = self._step(bytes(self._buf))
            if used == 0:
                break  # incomplete command: wait for more bytes
            del self._buf[:used]

    # --- decoding ---
    def _decode(self, raw: bytes) -> str:
        return raw.decode(CODEPAGES.get(self.codepage, "cp437"), "replace")

    def _put(self, text: str) -> None:
        for ch in text:
            self._grid[self.row][self.col] = ch
            self.col += 1
            if self.col == WIDTH:
                self.col, self.row = 0, (self.row + 1) % 2

    def _set_line(self, row: int, text: str) -> None:
        self._grid[row] = list(text[:WIDTH].ljust(WIDTH))

    def _step(self, buf: bytes) -> int:
        """Apply the command at the start of ``buf``; bytes used (0 = incomplete)."""
        b = buf[0]
        if b == 0x1B:  # ESC
            if len(buf) < 2:
                return 0
            cmd = buf[1:2]
            if cmd == b"@":
                self._grid = [[" "] * WIDTH for _ in range(2)]
                self.row = self.col = 0
                self.codepage = 0
                self.resets += 1
                return 2
            if cmd in (b"t", b"*"):
                if len(buf) < 3:
                    return 0
                if cmd == b"t":
                    self.codepage = buf[2]
                else:
                    self.brightness = buf[2]
                return 3
            if cmd == b"Q":
                end = buf.find(b"\r", 3)
                if len(buf) < 3 or end < 0:
                    return 0
                row = {b"A": 0, b"B": 1}.get(buf[2:3])
                if row is not None:
                    self._set_line(row, self._decode(buf[3:end]))
                else:
                    self.unknown.append(buf[: end + 1])
                return end + 1
            if cmd == b"l":
                if len(buf) < 4:
                    return 0
                self.col, self.row = min(max(buf[2], 1), WIDTH) - 1, min(max(buf[3], 1), 2) - 1
                return 4
            self.unknown.append(buf[:2])
            return 2
        if b == 0x1F:  # US (Epson)
            if len(buf) < 2:
                return 0
            cmd = buf[1:2]
            if cmd == b"$":
                if len(buf) < 4:
                    return 0
                self.col, self.row = min(max(buf[2], 1), WIDTH) - 1, min(max(buf[3], 1), 2) - 1
                return 4
            if cmd == b"X":
                if len(buf) < 3:
                    return 0
                self.brightness = buf[2]
                return 3
            self.unknown.append(buf[:2])
            return 2
        if b == 0x0C:  # CLR
            self._grid = [[" "] * WIDTH for _ in range(2)]
            self.row = self.col = 0
        elif b == 0x0B:  # home
            self.row = self.col = 0
        elif b == 0x0D:
            self.col = 0
        elif b == 0x0A:
            self.row = (self.row + 1) % 2
        elif b == 0x08:
            self.col = max(0, self.col - 1)
        elif b >= 0x20:
            end = 1
            while end < len(buf) and buf[end] >= 0x20 and buf[end] != 0x7F:
                end += 1
            self._put(self._decode(buf[:end]))
            return end
        else:
            self.unknown.append(buf[:1])
        return 1

    def describe(self) -> str:
        top, bottom = self.lines
        return f"+{'-' * WIDTH}+\n|{top}|\n|{bottom}|\n+{'-' * WIDTH}+"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the display is configured by the commands it receives."""


def run(args: argparse.Namespace) -> int:
    emulator = DisplayEmulator()
    return run_cli(emulator, lambda line: None, emulator.describe)
