"""Catalog records as the till sees them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

PPM = Decimal(1_000_000)


def rate_from_ppm(ppm: int) -> Decimal:
    return (Decimal(ppm) / PPM).normalize()


def rate_to_ppm(rate: Decimal) -> int:
    return int(rate * PPM)


@dataclass(frozen=True, slots=True)
class TaxCategory:
    id: str
    code: str
    name: str
    rate: Decimal  # fraction: 0.19 for 19 %


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    product_id: str
    sku: str
    name: str
    price: int
    cost: int
    tax_code: str
    tax_rate: Decimal
    sold_by_weight: bool
    active: bool
    category: str | None = None
    size: str | None = None
    colour: str | None = None
    reorder_point: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class NewVariant:
    sku: str
    price: int
    barcodes: tuple[str, ...] = ()
    size: str | None = None
    colour: str | None = None
    cost: int = 0
    reorder_point: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class NewProduct:
    name: str
    tax_code: str
    variants: tuple[NewVariant, ...]
    category: str | None = None
    sold_by_weight: bool = False
    active: bool = True


def variant_label(product_name: str, size: str | None, colour: str | None) -> str:
    extras = " / ".join(x for x in (size, colour) if x)
    return f"{product_name} ({extras})" if extras else product_name
