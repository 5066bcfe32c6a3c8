"""Checkout scales on a serial port, NCI General Serial Communications Protocol (SCP-01).

``serial:///dev/ttyUSB2`` (defaults 9600 baud, 7 data bits, even parity, 1 stop bit,
as the protocol specifies; override in the URL, ``timeout`` = reply timeout, default 1 s).

Why this protocol: it is the "NCI standard" / "3825" protocol of Weigh-Tronix/Avery
Berkel and NCI checkout scales and the one most scanner-scales and POS scale
interfaces offer besides Toledo 8217; it reports motion, zero, over and under
capacity explicitly, which is what a till must refuse to sell on.

Host → scale (each command ends with CR)::

    W<CR>   request weight
    S<CR>   request status
    Z<CR>   zero the scale

Scale → host::

    weight:  <LF> weight units <CR> <LF> status bytes <CR> <ETX>  ("\\n00.512KG\\r\\n00\\r\\x03")
    status:  <LF> status bytes <CR> <ETX>
    unknown: <LF> ? <CR> <ETX>

The weight field is decimal with units (``KG``, ``G``, ``LB``, ``OZ``, or ``xxLB xx.xOZ``);
while over/under capacity it holds whatever the display shows and is ignored.

Status bytes (bit 7 is parity and is masked off; bits 4-5 always 1)::

    byte 1: bit 0 motion, bit 1 at zero, bit 2 RAM error, bit 3 EEPROM error, bit 6 = 0
    byte 2: bit 0 under capacity, bit 1 over capacity, bit 2 ROM error,
            bit 3 faulty calibration, bit 6 another byte follows
    byte 3 (optional): bits 0-1 range, bit 2 net weight, bit 3 initial zero error

Mapping to ``WeightState``: over capacity → OVERLOAD, under capacity or a negative
weight → UNDERLOAD, motion → UNSTABLE, at zero or 0.000 → ZERO, else STABLE. A
hardware error bit raises ``DeviceOffline``: the weight cannot be trusted.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from .device import Device
from .errors import DeviceError, DeviceOffline, DeviceTimeout
from .interfaces import Scale
from .kinds import DeviceKind, WeightReading, WeightState
from .registry import Setting
from .serialio import SerialDevice, SerialDriver, read_until, reply_timeout
from .url import DeviceUrl

LF, CR, ETX = b"\n", b"\r", b"\x03"
GRAM = Decimal("0.001")
_TO_KG = {"KG": Decimal(1), "G": Decimal("0.001"), "LB": Decimal("0.45359237"),
          "OZ": Decimal("0.028349523125")}
_ERRORS_1 = {0x04: "RAM error", 0x08: "EEPROM error"}
_ERRORS_2 = {0x04: "ROM error", 0x08: "faulty calibration"}


@dataclass(frozen=True, slots=True)
class ScaleStatus:
    motion: bool = False
    at_zero: bool = False
    under: bool = False
    over: bool = False
    errors: tuple[str, ...] = ()


def parse_status(raw: bytes) -> ScaleStatus:
    """The SCP-01 status bytes (two or three)."""
    data = bytes(b & 0x7F for b in raw)
    if len(data) < 2:
        raise DeviceError(f"scale: short status {raw!r}")
    b1, b2 = data[0], data[1]
    errors = [text for bit, text in _ERRORS_1.items() if b1 & bit]
    errors += [text for bit, text in _ERRORS_2.items() if b2 & bit]
    if len(data) > 2 and b2 & 0x40 and data[2] & 0x08:
        errors.append("initial zero error")
    return ScaleStatus(motion=bool(b1 & 0x01), at_zero=bool(b1 & 0x02),
                       under=bool(b2 & 0x01), over=bool(b2 & 0x02), errors=tuple(errors))


def parse_weight(field: str) -> Decimal | None:
    """Kilograms from the weight field (None if it is not a number, e.g. over capacity)."""
    text = field.strip().upper()
    lb_oz = re.fullmatch(r"(-?)\s*(\d+)\s*LB\s+(\d+(?:\.\d+)?)\s*OZ", text)
    try:
        if lb_oz:
            sign = -1 if lb_oz.group(1) else 1
            kg = (Decimal(lb_oz.group(2)) * _TO_KG["LB"]
                  + Decimal(lb_oz.group(3)) * _TO_KG["OZ"]) * sign
        else:
            m = re.fullmatch(r"(-?)\s*(\d*\.?\d+)\s*(KG|G|LB|OZ)?", text)
            if not m:
                return None
            kg = Decimal(m.group(2)) * _TO_KG[m.group(3) or "KG"]
            if m.group(1):
                kg = -kg
    except InvalidOperation:
        return None
    return kg.quantize(GRAM, rounding=ROUND_HALF_UP)


def parse_reply(reply: bytes) -> tuple[Decimal | None, ScaleStatus]:
    """A weight or status reply (everything up to ETX) → (kilograms or None, status)."""
    text = bytes(b & 0x7F for b in reply)
    body = text[: text.rfind(ETX)] if ETX in text else text
    parts = [p.rstrip(CR) for p in body.split(LF) if p.strip(CR)]
    if parts == [b"?"]:
        raise DeviceError("scale did not understand the command")
    if len(parts) == 1:
        return None, parse_status(parts[0])
    if len(parts) == 2:
        return parse_weight(parts[0].decode("ascii", "replace")), parse_status(parts[1])
    raise DeviceError(f"scale: cannot read reply {reply!r}")


def reading_from(kg: Decimal | None, status: ScaleStatus) -> WeightReading:
    if status.errors:
        raise DeviceOffline("scale reports " + ", ".join(status.errors))
    if status.over:
        return WeightReading(WeightState.OVERLOAD)
    if status.under or (kg is not None and kg < 0):
        return WeightReading(WeightState.UNDERLOAD)
    if status.motion:
        return WeightReading(WeightState.UNSTABLE, kg if kg is not None else Decimal(0))
    if status.at_zero or kg == 0:
        return WeightReading(WeightState.ZERO, Decimal("0.000"))
    if kg is None:
        raise DeviceError("scale sent a weight the till cannot read")
    return WeightReading(WeightState.STABLE, kg)


class SerialScale(SerialDevice, Scale):
    serial_defaults: ClassVar[dict[str, Any]] = {"baudrate": 9600, "bytesize": 7,
                                                 "parity": "E", "stopbits": 1}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reply_timeout = reply_timeout(self.url, 1.0)
        self.poll_interval = int(self.settings.get("poll_ms", 100)) / 1000
        self._cancel = threading.Event()

    def _request(self, command: bytes) -> bytes:
        def exchange(port: Any) -> bytes:
            port.reset_input_buffer()  # a late reply to an earlier request is stale
            port.write(command + CR)
            port.flush()
            try:
                return read_until(port, ETX, self.reply_timeout)
            except TimeoutError as exc:
                raise DeviceTimeout(f"{self.name}: no answer to {command.decode()!r} within "
                                    f"{self.reply_timeout:g} s (got {exc.args[0]!r})",
                                    device=self.name) from None

        return self.with_port(exchange)

    def _read(self) -> WeightReading:
        self.require_enabled()
        return reading_from(*parse_reply(self._request(b"W")))

    def read_weight(self) -> Future[WeightReading]:
        return self.submit(self._read, timeout=self.reply_timeout + 2)

    def read_stable_weight(self, timeout: float = 5.0) -> Future[WeightReading]:
        return self.submit(self._read_stable, timeout, timeout=timeout + self.reply_timeout + 2)

    def _read_stable(self, timeout: float) -> WeightReading:
        deadline = time.monotonic() + timeout
        while True:
            reading = self._read()
            if reading.state is WeightState.STABLE and reading.kilograms > 0:
                return reading
            if time.monotonic() + self.poll_interval > deadline:
                raise DeviceTimeout(f"{self.name}: no stable weight within {timeout:g} s "
                                    f"(last: {reading.state.value})", device=self.name)
            self._cancel.wait(self.poll_interval)

    def zero(self) -> Future[WeightReading]:
        """Zero the scale (it refuses in motion; the reply tells)."""
        def run() -> WeightReading:
            self.require_enabled()
            return reading_from(*parse_reply(self._request(b"Z")))

        return self.submit(run, timeout=self.reply_timeout + 2)


class SerialScaleDriver(SerialDriver):
    name = "serial_scale"
    kinds = frozenset({DeviceKind.SCALE})
    probe_kind = DeviceKind.SCALE
    name_words = ('scale', 'weigh', 'toledo', 'bizerba', 'avery')
    name_reason = "named like a scale"
    name_confidence = 0.5
    settings_schema = (
        Setting("poll_ms", "Poll interval while waiting for a stable weight (ms)", "int", 100),
    )
    description = "Checkout scale, NCI SCP-01 serial protocol (W/S/Z)"

    def create(self, kind: DeviceKind, url: DeviceUrl, settings: Mapping[str, Any],
               name: str | None = None) -> Device:
        if kind is not DeviceKind.SCALE:
            raise DeviceError(f"{self.name} drives scales, not {kind.value}")
        return SerialScale(url, settings, name)
