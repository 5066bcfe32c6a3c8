"""Rows the back office shows: plain, immutable, one per table row, ready for a Qt model.

Lists that can be large come as a ``Page``: at most ``limit`` rows and an opaque
``next_cursor`` to pass back as ``after`` for the next page (keyset paging, so the
millionth row costs what the first does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

from .errors import ValidationError
from .users import Role

T = TypeVar("T")
MAX_PAGE = 500
CURSOR_SEP = "\x1f"  # cannot occur in a name or an id


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None  # None: this was the last page


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError("a page holds 1 to {most} rows", most=MAX_PAGE)
    return limit


def make_page(rows: Sequence[T], limit: int, cursor: Callable[[T], str]) -> Page[T]:
    """``rows`` as fetched with ``limit + 1``: the extra row only says there is more."""
    if len(rows) > limit:
        return Page(list(rows[:limit]), cursor(rows[limit - 1]))
    return Page(list(rows), None)


def offset_cursor(after: str | None) -> int:
    """Search results page by offset (they are short): the cursor is ``#<offset>``."""
    if after is None:
        return 0
    if not after.startswith("#") or not after[1:].isdigit():
        raise ValidationError("this cursor does not belong to a search")
    return int(after[1:])


def keyset_cursor(after: str | None) -> tuple[str, str] | None:
    """Browse lists page by (sort key, id)."""
    if after is None:
        return None
    key, sep, row_id = after.partition(CURSOR_SEP)
    if not sep:
        raise ValidationError("this cursor does not belong to a list")
    return key, row_id


# --- catalog ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProductRow:
    id: str
    name: str
    category: str | None
    tax_code: str
    sold_by_weight: bool
    active: bool
    variants: int
    min_price: int
    max_price: int


@dataclass(frozen=True, slots=True)
class VariantRow:
    id: str
    product_id: str
    sku: str
    name: str
    size: str | None
    colour: str | None
    price: int
    cost: int  # 0: no cost recorded
    reorder_point: Decimal
    active: bool
    barcodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProductDetail:
    id: str
    name: str
    category_id: str | None
    category: str | None
    tax_category_id: str
    tax_code: str
    tax_rate: Decimal
    sold_by_weight: bool
    active: bool
    updated_at: datetime
    variants: tuple[VariantRow, ...]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    id: str
    name: str
    parent_id: str | None
    products: int


@dataclass(frozen=True, slots=True)
class TaxCategoryRow:
    id: str
    code: str
    name: str
    rate: Decimal
    products: int


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One size x colour combination of a matrix plan; ``exists``: it is already a variant."""

    size: str | None
    colour: str | None
    sku: str
    exists: bool


# --- people and shifts -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UserRow:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None


@dataclass(frozen=True, slots=True)
class CustomerRow:
    id: str
    code: str
    name: str
    email: str | None
    phone: str | None
    tax_exempt: bool
    exemption_ref: str | None
    loyalty_points: int
    store_credit: int


@dataclass(frozen=True, slots=True)
class ShiftRow:
    """A closed shift with the headline figures of its frozen Z report."""

    id: str
    till_id: str
    z_no: int
    opened_at: datetime
    closed_at: datetime
    opened_by: str
    closed_by: str | None
    sales_count: int
    refunds_count: int
    net_sales: int
    cash_expected: int
    cash_counted: int | None
    cash_over_short: int | None
    sales_amount: int = 0  # sales total of the Z report
    refunds_amount: int = 0  # refunds total (negative)
