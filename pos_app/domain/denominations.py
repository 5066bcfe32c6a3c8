"""Notes and coins per currency, in minor units, for counting the drawer and quick cash.

CLDR (Babel) knows a currency's exponent but not its banknotes, so the common
ones are listed here; any other currency gets a generic 1-2-5 series.
"""

from __future__ import annotations

from .money import currency

_TABLE: dict[str, tuple[int, ...]] = {
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "USD": (10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1),
    "GBP": (5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "CHF": (100000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5),
    "CAD": (10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5),
    "AUD": (10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5),
    "SEK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100),
    "NOK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100),
    "DKK": (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50),
    "PLN": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "JPY": (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1),
}


def denominations(code: str) -> tuple[int, ...]:
    """Largest first."""
    found = _TABLE.get(code.upper())
    if found is not None:
        return found
    unit = currency(code).factor
    series = [int(unit * m) for m in (500, 200, 100, 50, 20, 10, 5, 2, 1)]
    if unit >= 100:
        series += [int(unit) // d for d in (2, 5, 10, 20, 100)]
    return tuple(sorted({s for s in series if s >= 1}, reverse=True))


def quick_cash(due: int, code: str, count: int = 4) -> list[int]:
    """Amounts a customer is likely to hand over for ``due``: the next notes above it."""
    if due <= 0:
        return []
    notes = sorted(denominations(code))
    out: list[int] = []
    for note in notes:
        if note < max(due // 4, 1):
            continue
        candidate = -(-due // note) * note  # the smallest multiple of the note covering it
        if candidate > due and candidate not in out:
            out.append(candidate)
    return sorted(out)[:count]
