"""Telling a keyboard-wedge scanner from a person typing, by timing. Pure: no Qt.

A wedge scanner "types" a whole code in a burst — a few milliseconds between
keys — usually ending with Enter; a person is an order of magnitude slower. The
GUI feeds every printable key press with its timestamp to ``WedgeClassifier``
and holds the keys back while the burst may still be a scan. The classifier
answers with decisions: keep holding (``Hold``), give the keys back because a
person typed them (``Replay``), or it was a scan (``Scanned``).

Layout mismatch: a scanner set up for US while the OS uses AZERTY "types"
``&é"'(-è_çà`` for ``1234567890``; with ``os_layout="fr"`` the scan data is
translated back (typed keys are never translated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..kinds import ScanData
from ..serialio import parse_control
from . import aim as aim_ids
from .evdev_keys import translate_layout

ENTER = ("\r", "\n")


@dataclass(frozen=True, slots=True)
class WedgeConfig:
    max_gap_ms: float = 30.0  # keys closer than this belong to one burst
    min_length: int = 6  # shorter bursts are typing (data characters, without prefix/suffix)
    prefix: str = ""  # if set, a scan must start with it (and typing is never delayed)
    suffix: str = ""  # if set, a scan must end with it; if empty, Enter or a pause ends it
    aim: bool = True
    os_layout: str | None = None  # the till's keyboard layout, e.g. "fr"; None: no translation
    scanner_layout: str = "us"  # the layout the scanner is configured for

    @property
    def max_gap(self) -> float:
        return self.max_gap_ms / 1000


@dataclass(frozen=True, slots=True)
class Hold:
    """Keep the keys; call ``flush`` when ``deadline`` passes without another key."""

    deadline: float


@dataclass(frozen=True, slots=True)
class Replay:
    """A person typed these: deliver them, in order, as ordinary key presses."""

    keys: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Scanned:
    scan: ScanData
    keys: tuple[Any, ...] = ()  # the swallowed key presses


Decision = Hold | Replay | Scanned


@dataclass
class _Burst:
    chars: list[str] = field(default_factory=list)
    keys: list[Any] = field(default_factory=list)
    last: float = 0.0


class WedgeClassifier:
    """Feed ``(char, timestamp, key)``; act on the returned decisions in order.

    ``key`` is opaque (the GUI's event copy) and comes back in ``Replay``/``Scanned``.
    """

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self.prefix = parse_control(self.config.prefix)
        self.suffix = parse_control(self.config.suffix)
        self._burst = _Burst()

    @property
    def pending(self) -> bool:
        return bool(self._burst.chars)

    def feed(self, char: str, t: float, key: Any = None) -> list[Decision]:
        """One printable key press (Enter as ``"\\r"``); ``t`` in seconds."""
        out: list[Decision] = []
        burst = self._burst
        if burst.chars and t - burst.last > self.config.max_gap:
            out.append(self._finish())  # the previous burst ended with a pause
            burst = self._burst
        if not burst.chars and not self._may_start(char):
            out.append(Replay((key,)))
            return out
        burst.chars.append(char)
        burst.keys.append(key)
        burst.last = t
        if self.prefix and not self._prefix_ok():
            out.append(self._replay())
            return out
        text = "".join(burst.chars)
        if (self.suffix and text.endswith(self.suffix)) or (not self.suffix and char in ENTER):
            out.append(self._finish())
        else:
            out.append(Hold(t + self.config.max_gap))
        return out

    def flush(self) -> list[Decision]:
        """The pause timer fired: decide on the burst held so far."""
        return [self._finish()] if self._burst.chars else []

    def interrupt(self) -> list[Decision]:
        """A non-printable key (arrow, Ctrl+…) arrived: what is held was typing."""
        return [self._replay()] if self._burst.chars else []

    # --- internals ---
    def _may_start(self, char: str) -> bool:
        if char in ENTER:
            return False  # a lone Enter is never the start of a scan
        return not self.prefix or char == self.prefix[0]

    def _prefix_ok(self) -> bool:
        held = "".join(self._burst.chars)
        return held.startswith(self.prefix) or self.prefix.startswith(held)

    def _replay(self) -> Replay:
        keys = tuple(self._burst.keys)
        self._burst = _Burst()
        return Replay(keys)

    def _finish(self) -> Decision:
        text = "".join(self._burst.chars)
        data = text
        if self.prefix:
            if not data.startswith(self.prefix):
                return self._replay()
            data = data[len(self.prefix):]
        if self.suffix:
            if not data.endswith(self.suffix):
                return self._replay()
            data = data[: -len(self.suffix)]
        elif data.endswith(ENTER):
            data = data[:-1]
        if len(data) < self.config.min_length:
            return self._replay()
        if self.config.os_layout:
            data = translate_layout(data, self.config.os_layout, self.config.scanner_layout)
        keys = tuple(self._burst.keys)
        self._burst = _Burst()
        return Scanned(aim_ids.decode(data, aim=self.config.aim, source="wedge"), keys)


def classify(keys: Sequence[tuple[str, float]], config: WedgeConfig | None = None
             ) -> list[Decision]:
    """Run a whole recorded key sequence through a classifier (ends with a flush)."""
    clf = WedgeClassifier(config)
    out: list[Decision] = []
    for char, t in keys:
        out.extend(d for d in clf.feed(char, t, char) if not isinstance(d, Hold))
    out.extend(clf.flush())
    return out
