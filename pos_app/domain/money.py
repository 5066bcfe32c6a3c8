"""Money as integer minor units with an ISO-4217 currency.

Floats never appear on a money path: amounts enter as text or Decimal and are
converted once, with an explicit rounding rule, into integers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from .errors import ValidationError

_AMOUNT_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    exponent: int

    @property
    def factor(self) -> int:
        return int(10**self.exponent)


@cache
def currency(code: str) -> Currency:
    """Look up a currency; the exponent comes from CLDR (same as ISO 4217 for trade use)."""
    code = code.upper()
    if code not in _known_currencies():
        raise ValidationError("unknown currency code {code!r}", code=code)
    return Currency(code, get_currency_precision(code))


@lru_cache(maxsize=1)
def _known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def round_half_up(value: Decimal) -> int:
    """Commercial rounding to a whole minor unit (0.5 goes away from zero)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_minor(text: str, code: str) -> int:
    """Parse a decimal amount in major units ("12.5") into minor units, refusing extra digits."""
    cur = currency(code)
    cleaned = text.strip().replace(",", ".") if isinstance(text, str) else str(text)
    if not _AMOUNT_RE.match(cleaned):
        raise ValidationError("not an amount: {text!r}", text=text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - regex guards this
        raise ValidationError("not an amount: {text!r}", text=text) from exc
    scaled = value * cur.factor
    if scaled != scaled.to_integral_value():
        raise ValidationError("{text!r} has more decimals than {code} allows ({exponent})",
                              text=text, code=cur.code, exponent=cur.exponent)
    return int(scaled)


def to_decimal(minor: int, code: str) -> Decimal:
    cur = currency(code)
    return Decimal(minor).scaleb(-cur.exponent)


def format_plain(minor: int, code: str) -> str:
    """Locale-neutral text ("-12.30") for JSON, CSV and scripts."""
    cur = currency(code)
    return f"{to_decimal(minor, code):.{cur.exponent}f}"


def format_money(minor: int, code: str, locale: str = "en_US") -> str:
    """Locale formatting for people (receipts, screens)."""
    return format_currency(to_decimal(minor, code), code, locale=locale)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    minor: int
    currency: str

    @classmethod
    def parse(cls, text: str, code: str) -> Money:
        return cls(parse_minor(text, code), code.upper())

    @classmethod
    def zero(cls, code: str) -> Money:
        return cls(0, code.upper())

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValidationError("cannot mix {currency} and {other}", currency=self.currency,
                                  other=other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __str__(self) -> str:
        return f"{format_plain(self.minor, self.currency)} {self.currency}"

    def plain(self) -> str:
        return format_plain(self.minor, self.currency)

    def format(self, locale: str = "en_US") -> str:
        return format_money(self.minor, self.currency, locale)


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` so the parts sum exactly.

    Largest-remainder method; ties go to the earlier weight. Used to spread an
    order discount or a total-level tax over lines without losing a cent.
    """
    if not weights:
        if total:
            raise ValueError("cannot allocate a non-zero amount over no weights")
        return []
    wsum = sum(weights)
    if wsum == 0:
        parts = [0] * len(weights)
        parts[0] = total
        return parts
    sign = -1 if total < 0 else 1
    mag = abs(total)
    raw = [mag * w for w in weights]
    parts = [r // wsum for r in raw]
    rest = mag - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] % wsum), i))
    for i in order[:rest]:
        parts[i] += 1
    return [sign * p for p in parts]


def cash_round(minor: int, increment: int) -> int:
    """Round an amount due in cash to the smallest coin (e.g. 5 for 0.05); half rounds up."""
    if increment <= 1:
        return minor
    sign = -1 if minor < 0 else 1
    q, r = divmod(abs(minor), increment)
    if r * 2 >= increment:
        q += 1
    return sign * q * increment
