"""Decoding Linux input events from a keyboard-mode scanner into text. Pure: no I/O.

A keyboard-wedge scanner sends *key codes* (positions), not characters. The
kernel's evdev key codes are the same whatever keyboard layout the desktop
uses, so reading ``/dev/input/eventN`` and applying the layout the *scanner* is
configured for gives the right digits on a French or German till without
touching the OS layout.

One event is ``struct input_event``: on 64-bit Linux ``llHHi`` (seconds,
microseconds, type, code, value), 24 bytes. Key events are type ``EV_KEY`` with
value 1 (press), 0 (release) or 2 (auto-repeat).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

EVENT_FORMAT = "llHHi"
EVENT_SIZE = struct.calcsize(EVENT_FORMAT)
EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
MSC_SCAN = 4

KEY_ENTER, KEY_KPENTER, KEY_TAB = 28, 96, 15
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
KEY_LEFTCTRL, KEY_RIGHTCTRL = 29, 97
KEY_LEFTALT, KEY_RIGHTALT = 56, 100  # RIGHTALT is AltGr on European layouts
KEY_CAPSLOCK = 58
_KEYPAD = {71: "7", 72: "8", 73: "9", 74: "-", 75: "4", 76: "5", 77: "6", 78: "+", 79: "1",
           80: "2", 81: "3", 82: "0", 83: ".", 55: "*", 98: "/"}
_KEYPAD_DIGITS = {code: ch for code, ch in _KEYPAD.items() if ch.isdigit()}


@dataclass(frozen=True, slots=True)
class InputEvent:
    sec: int
    usec: int
    type: int
    code: int
    value: int

    @property
    def timestamp(self) -> float:
        return self.sec + self.usec / 1_000_000

    def pack(self) -> bytes:
        return struct.pack(EVENT_FORMAT, self.sec, self.usec, self.type, self.code, self.value)


def parse_events(data: bytes) -> tuple[list[InputEvent], bytes]:
    """Whole events in ``data`` and the incomplete tail to prepend to the next read."""
    whole = len(data) - len(data) % EVENT_SIZE
    events = [InputEvent(*fields) for fields in struct.iter_unpack(EVENT_FORMAT, data[:whole])]
    return events, data[whole:]


# Per layout: key code -> (plain, shifted, AltGr). Rows as on a pc105 keyboard.
def _rows(codes: Iterable[int], plain: str, shifted: str,
          altgr: str | None = None) -> dict[int, tuple[str, str, str]]:
    codes = list(codes)
    alt = altgr if altgr is not None else " " * len(codes)
    if not len(codes) == len(plain) == len(shifted) == len(alt):
        raise ValueError(f"layout row {plain!r} does not match its key codes")
    return {c: (p, s, a.strip()) for c, p, s, a in zip(codes, plain, shifted, alt, strict=True)}


_DIGIT_ROW = [41, *range(2, 14)]
_TOP_ROW = [*range(16, 28)]
_HOME_ROW = [*range(30, 41), 43]
_BOTTOM_ROW = [86, *range(44, 54)]

LAYOUTS: dict[str, dict[int, tuple[str, str, str]]] = {
    "us": {
        **_rows(_DIGIT_ROW, "`1234567890-=", "~!@#$%^&*()_+"),
        **_rows(_TOP_ROW, "qwertyuiop[]", "QWERTYUIOP{}"),
        **_rows(_HOME_ROW, "asdfghjkl;'\\", "ASDFGHJKL:\"|"),
        **_rows(_BOTTOM_ROW, "<zxcvbnm,./", ">ZXCVBNM<>?"),
    },
    "de": {
        **_rows(_DIGIT_ROW, "^1234567890ß´", "°!\"§$%&/()=?`", "  ²³   {[]}\\ "),
        **_rows(_TOP_ROW, "qwertzuiopü+", "QWERTZUIOPÜ*", "@ €        ~"),
        **_rows(_HOME_ROW, "asdfghjklöä#", "ASDFGHJKLÖÄ'"),
        **_rows(_BOTTOM_ROW, "<yxcvbnm,.-", ">YXCVBNM;:_", "|      µ   "),
    },
    "fr": {
        **_rows(_DIGIT_ROW, "²&é\"'(-è_çà)=", "²1234567890°+", "  ~#{[|`\\^@]}"),
        **_rows(_TOP_ROW, "azertyuiop^$", "AZERTYUIOP¨£", "  €        ¤"),
        **_rows(_HOME_ROW, "qsdfghjklmù*", "QSDFGHJKLM%µ"),
        **_rows(_BOTTOM_ROW, "<wxcvbn,;:!", ">WXCVBN?./§", "           "),
    },
}
for _layout in LAYOUTS.values():
    _layout[57] = (" ", " ", "")  # space


def _ctrl_char(ch: str) -> str | None:
    """Ctrl+key → ASCII control character, as scanners send GS (Ctrl+]) in wedge mode."""
    up = ch.upper()
    if len(up) == 1 and "@" <= up <= "_":
        return chr(ord(up) - 64)
    return None


class KeyDecoder:
    """Feeds on events, yields the characters a scanner "typed" (Enter → ``"\\n"``).

    Handles Shift, Caps Lock (letters only), AltGr, Ctrl+key control characters
    (GS as Ctrl+]) and Alt+keypad decimal codes (another common way to send GS:
    Alt+0,2,9) — the two ways scanners smuggle FNC1 through a keyboard interface.
    """

    def __init__(self, layout: str = "us") -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown keyboard layout {layout!r}; use one of "
                             + ", ".join(sorted(LAYOUTS)))
        self.layout = layout
        self.keys = LAYOUTS[layout]
        self.shift = 0
        self.ctrl = 0
        self.alt = False
        self.altgr = False
        self.caps = False
        self._alt_code = ""

    def feed(self, event: InputEvent) -> str:
        """The text produced by one event ("" for most)."""
        if event.type != EV_KEY:
            return ""
        code, value = event.code, event.value
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            self.shift = max(0, self.shift + (1 if value == 1 else -1 if value == 0 else 0))
            return ""
        if code in (KEY_LEFTCTRL, KEY_RIGHTCTRL):
            self.ctrl = max(0, self.ctrl + (1 if value == 1 else -1 if value == 0 else 0))
            return ""
        if code == KEY_RIGHTALT and self.layout != "us":
            self.altgr = value != 0
            return ""
        if code in (KEY_LEFTALT, KEY_RIGHTALT):
            self.alt = value != 0
            if value == 0 and self._alt_code:
                number, self._alt_code = int(self._alt_code), ""
                return chr(number) if number < 256 else ""
            return ""
        if value == 0:
            return ""  # releases produce nothing
        if code == KEY_CAPSLOCK:
            if value == 1:
                self.caps = not self.caps
            return ""
        if code in (KEY_ENTER, KEY_KPENTER):
            return "\n"
        if code == KEY_TAB:
            return "\t"
        if self.alt and code in _KEYPAD_DIGITS:
            self._alt_code += _KEYPAD_DIGITS[code]
            return ""
        if code in _KEYPAD:
            return _KEYPAD[code]
        entry = self.keys.get(code)
        if entry is None:
            return ""
        plain, shifted, altgr = entry
        if self.altgr:
            return altgr
        upper = bool(self.shift)
        if self.caps and plain.isalpha():
            upper = not upper
        ch = shifted if upper else plain
        if self.ctrl:
            return _ctrl_char(plain) or ""
        return ch


def decode_events(events: Iterable[InputEvent], layout: str = "us") -> str:
    decoder = KeyDecoder(layout)
    return "".join(decoder.feed(e) for e in events)


def _reverse(layout: str) -> dict[str, tuple[int, int]]:
    """char → (key code, level 0 plain / 1 shift / 2 AltGr), first match wins."""
    table: dict[str, tuple[int, int]] = {}
    for code, levels in LAYOUTS[layout].items():
        for level, ch in enumerate(levels):
            if ch and ch not in table:
                table[ch] = (code, level)
    return table


def encode_text(text: str, layout: str = "us", start: float = 0.0,
                gap: float = 0.004) -> Iterator[InputEvent]:
    """Events a scanner set to ``layout`` would send for ``text`` (for emulators and tests)."""
    table = _reverse(layout)
    t = start

    def ev(type_: int, code: int, value: int) -> InputEvent:
        return InputEvent(int(t), round((t % 1) * 1_000_000), type_, code, value)

    for ch in text:
        if ch == "\n":
            code, level = KEY_ENTER, 0
        elif ch in table:
            code, level = table[ch]
        else:
            raise ValueError(f"{ch!r} cannot be typed on the {layout} layout")
        modifier = {1: KEY_LEFTSHIFT, 2: KEY_RIGHTALT}.get(level)
        if modifier:
            yield ev(EV_KEY, modifier, 1)
        yield ev(EV_MSC, MSC_SCAN, code)
        yield ev(EV_KEY, code, 1)
        yield ev(EV_SYN, 0, 0)
        yield ev(EV_KEY, code, 0)
        if modifier:
            yield ev(EV_KEY, modifier, 0)
        yield ev(EV_SYN, 0, 0)
        t += gap


def translate_layout(text: str, typed_on: str, meant_for: str) -> str:
    """Undo a layout mismatch: ``text`` came out of the OS layout ``typed_on`` from a
    scanner configured for ``meant_for``. ``translate_layout("&é\\"", "fr", "us")`` is
    ``"123"``; German QWERTZ swaps y/z back. Characters with no key stay as they are."""
    if typed_on == meant_for:
        return text
    received = _reverse(typed_on)
    target = LAYOUTS[meant_for]
    out = []
    for ch in text:
        hit = received.get(ch)
        if hit is None or hit[0] not in target:
            out.append(ch)
            continue
        code, level = hit
        out.append(target[code][level] or ch)
    return "".join(out)
