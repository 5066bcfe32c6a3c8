"""What the till shows on a 2×20 customer display, as (top, bottom) line pairs. Pure.

Kept apart from the display drivers so every driver (pole display, a second
screen, the emulator) shows the same texts; amounts arrive already formatted
by the till (``"€ 12.99"``) because currency formatting is the till's business.
"""

from __future__ import annotations

import textwrap
import unicodedata

WIDTH = 20


def fit(text: str, width: int = WIDTH) -> str:
    """One display line: control characters out, cut or padded to ``width``."""
    clean = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return clean[:width].ljust(width)


def _split(label: str, value: str, width: int = WIDTH) -> str:
    """``label`` left, ``value`` right; the label gives way when both do not fit."""
    value = value.strip()[:width]
    room = width - len(value) - 1
    if room <= 0:
        return value.rjust(width)
    return label.strip()[:room].ljust(width - len(value)) + value


def item_lines(name: str, price_text: str, quantity_text: str = "") -> tuple[str, str]:
    """The item just scanned: name on top, price (after an optional "2 x") below."""
    bottom = _split(quantity_text, price_text) if quantity_text else price_text.strip().rjust(
        WIDTH)[-WIDTH:]
    return fit(name), fit(bottom)


def total_lines(total_text: str, label: str = "TOTAL") -> tuple[str, str]:
    return fit(label), fit(total_text.strip().rjust(WIDTH)[-WIDTH:])


def change_lines(change_text: str, paid_text: str = "", label: str = "CHANGE",
                 paid_label: str = "PAID") -> tuple[str, str]:
    """Change due below; the amount paid on top when given."""
    top = _split(paid_label, paid_text) if paid_text else label
    return fit(top), fit(_split(label if paid_text else "", change_text))


def thank_you_lines(text: str = "Thank you!") -> tuple[str, str]:
    """Centred, wrapped over both lines when longer than one."""
    wrapped = textwrap.wrap(text, WIDTH) or [""]
    lines = [line.center(WIDTH) for line in wrapped[:2]]
    return fit(lines[0]), fit(lines[1] if len(lines) > 1 else "")
