"""Quantities are Decimal with at most three places (grams for weighed goods).

Stored as integer thousandths ("milli") so SQLite and PostgreSQL agree exactly.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import ValidationError

QTY_PLACES = Decimal("0.001")
ONE = Decimal(1)


def parse_qty(text: str | int | Decimal) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise ValidationError("not a quantity: {text!r}", text=text) from exc
    if not value.is_finite():
        raise ValidationError("not a quantity: {text!r}", text=text)
    if value != value.quantize(QTY_PLACES):
        raise ValidationError("quantity {text!r} has more than 3 decimals", text=text)
    return value.quantize(QTY_PLACES)


def to_milli(q: Decimal) -> int:
    scaled = q * 1000
    if scaled != scaled.to_integral_value():
        raise ValidationError("quantity {q} has more than 3 decimals", q=q)
    return int(scaled)


def from_milli(m: int) -> Decimal:
    return (Decimal(m) / 1000).quantize(QTY_PLACES)


def fmt_qty(q: Decimal) -> str:
    """Shortest faithful text: 2, 0.5, 1.235."""
    text = format(q.normalize(), "f")
    return text
