"""A checkout scale on a pty speaking NCI SCP-01 (see ``drivers.scale_serial``).

In-process: ``set_weight(kg)`` puts a settled weight on the platter,
``set_state("unstable" | "overload" | "underload" | "zero" | "stable")`` forces a
condition, ``silent = True`` stops answering (for timeouts).
CLI (``pos emulate scale``): ``w 0.512``, ``unstable``, ``stable``, ``overload``,
``underload``, ``zero``, ``silent``/``answer`` on stdin.
"""

from __future__ import annotations

import argparse
from decimal import Decimal

from .pty import PtyEmulator, run_cli

STATES = ("stable", "unstable", "overload", "underload", "zero")


class ScaleEmulator(PtyEmulator):
    label = "scale"

    def __init__(self, units: str = "KG") -> None:
        super().__init__()
        self.units = units
        self.weight = Decimal("0.000")
        self.state = "zero"
        self.silent = False
        self.requests: list[str] = []
        self._line = bytearray()

    def set_weight(self, kg: Decimal | float | str) -> None:
        """A settled weight (0 means an empty platter)."""
        try:
            weight = Decimal(str(kg)).quantize(Decimal("0.001"))
        except ArithmeticError:
            raise ValueError(f"not a weight: {kg!r}") from None
        with self.cond:
            self.weight = weight
            self.state = "zero" if self.weight == 0 else "stable"
        self.changed()

    def set_state(self, state: str) -> None:
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}")
        with self.cond:
            self.state = state
            if state == "zero":
                self.weight = Decimal("0.000")
        self.changed()

    # --- protocol ---
    def status_bytes(self) -> bytes:
        b1, b2 = 0x30, 0x30
        if self.state == "unstable":
            b1 |= 0x01
        if self.state == "zero":
            b1 |= 0x02
        if self.state == "underload":
            b2 |= 0x01
        if self.state == "overload":
            b2 |= 0x02
        return bytes([b1, b2])

    def weight_field(self) -> str:
        if self.state == "overload":
            return "^^^^^^" + self.units
        if self.state == "underload":
            return "------" + self.units
        per_unit = {"KG": Decimal(1), "G": Decimal("0.001"), "LB": Decimal("0.45359237")}
        value = self.weight / per_unit[self.units]
        return f"{value:06.3f}{self.units}"

    def on_bytes(self, data: bytes) -> None:
        for byte in data:
            if byte in (0x0D, 0x0A, 0x03):
                if self._line:
                    self._command(self._line.decode("ascii", "replace"))
                    self._line.clear()
            else:
                self._line.append(byte)

    def _command(self, command: str) -> None:
        self.requests.append(command)
        if self.silent:
            return
        cmd = command[:1].upper()
        if cmd == "W":
            reply = b"\n" + self.weight_field().encode() + b"\r\n" + self.status_bytes() + b"\r\x03"
        elif cmd == "S":
            reply = b"\n" + self.status_bytes() + b"\r\x03"
        elif cmd == "Z":
            if self.state != "unstable":
                self.state, self.weight = "zero", Decimal("0.000")
            reply = b"\n" + self.status_bytes() + b"\r\x03"
        else:
            reply = b"\n?\r\x03"
        self.write(reply)

    def describe(self) -> str:
        return f"scale: {self.state} {self.weight} kg"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--units", default="KG", choices=("KG", "LB", "G"),
                        help="units the scale reports")


def run(args: argparse.Namespace) -> int:
    emulator = ScaleEmulator(args.units)

    def handle(line: str) -> str:
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in ("w", "weight"):
            emulator.set_weight(rest.strip())
        elif word in ("silent", "answer"):
            emulator.silent = word == "silent"
        else:
            emulator.set_state(word)
        return emulator.describe()

    return run_cli(emulator, handle)
