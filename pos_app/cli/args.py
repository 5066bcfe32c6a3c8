"""Parsing of the CLI's small languages: amounts, tenders, discounts, counts."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..domain.errors import ValidationError
from ..domain.money import parse_minor
from ..domain.pricing import Discount
from ..domain.quantity import parse_qty


class ScanAction(argparse.Action):
    """``--scan CODE`` appends an item; ``--qty N`` sets the quantity of the last one."""

    def __call__(self, parser: argparse.ArgumentParser, ns: argparse.Namespace, value: Any,
                 option: str | None = None) -> None:
        items = getattr(ns, "items", None) or []
        if option == "--qty":
            if not items:
                parser.error("--qty must follow a --scan")
            items[-1] = (items[-1][0], value)
        else:
            items.append((value, None))
        ns.items = items


@dataclass(frozen=True)
class PaySpec:
    tender: str  # cash | card | credit | points
    amount: int | None  # minor units (points: number of points)


def parse_pay(spec: str, currency: str) -> PaySpec:
    """``cash:20.00``, ``cash`` (exact), ``card``, ``card:5.00``, ``credit[:X]``, ``points:N``."""
    tender, _, amount = spec.partition(":")
    tender = tender.strip().lower()
    if tender not in ("cash", "card", "credit", "points"):
        raise ValidationError(f"unknown tender {tender!r} in --pay {spec!r}: "
                              "use cash, card, credit or points")
    if not amount:
        if tender == "points":
            raise ValidationError("--pay points needs a number of points, e.g. points:500")
        return PaySpec(tender, None)
    if tender == "points":
        if not amount.isdigit():
            raise ValidationError(f"not a number of points: {amount!r}")
        return PaySpec(tender, int(amount))
    value = parse_minor(amount, currency)
    if value <= 0:
        raise ValidationError(f"--pay {spec!r}: amount must be more than zero")
    return PaySpec(tender, value)


def parse_pays(specs: list[str], currency: str) -> list[PaySpec]:
    """Repeated ``--pay`` and the one-argument form ``split:cash:10.00,card``."""
    parts: list[str] = []
    for spec in specs:
        if spec.lower().startswith("split:"):
            parts.extend(p for p in spec[6:].split(",") if p.strip())
        else:
            parts.append(spec)
    if not parts:
        raise ValidationError("--pay split: names no tenders, e.g. split:cash:10.00,card")
    return [parse_pay(p, currency) for p in parts]


def parse_discount(text: str, currency: str) -> Discount:
    text = text.strip()
    if text.endswith("%"):
        try:
            return Discount(percent=Decimal(text[:-1]))
        except ArithmeticError as exc:
            raise ValidationError(f"not a percentage: {text!r}") from exc
    return Discount(amount=parse_minor(text, currency))


def parse_counts(specs: list[str], currency: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for spec in specs:
        tender, sep, amount = spec.partition(":")
        if not sep:
            raise ValidationError(f"--count {spec!r}: use TENDER:AMOUNT, e.g. cash:412.50")
        tender = {"credit": "store_credit"}.get(tender, tender)
        counts[tender] = parse_minor(amount, currency)
    return counts


def parse_line_spec(spec: str) -> tuple[int, Decimal | None]:
    """``3`` (whole line) or ``3:1`` (one unit of line 3)."""
    no, _, qty = spec.partition(":")
    if not no.isdigit():
        raise ValidationError(f"--line {spec!r}: use LINE or LINE:QTY")
    return int(no), parse_qty(qty) if qty else None


def parse_pairs(pairs: list[str]) -> dict[str, str]:
    """``--set KEY=VALUE`` options (connector and device settings)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValidationError(f"--set {pair!r}: use KEY=VALUE")
        out[key.strip()] = value
    return out
