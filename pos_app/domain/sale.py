"""A completed sale, return or exchange: the immutable document written in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from .money import format_plain
from .quantity import fmt_qty


@dataclass(frozen=True, slots=True)
class SaleLine:
    id: str
    line_no: int
    variant_id: str
    sku: str
    name: str
    qty: Decimal  # negative on return lines
    unit_price: int
    list_price: int
    gross: int
    promo_discount: int
    line_discount: int
    order_discount: int
    net: int
    tax: int
    total: int
    tax_code: str
    tax_rate: Decimal
    return_of_line_id: str | None = None
    restock: bool = True
    promo_codes: tuple[str, ...] = ()
    override_by: str | None = None
    unit_cost: int | None = None  # the variant's cost when sold; None: not known


@dataclass(frozen=True, slots=True)
class SalePayment:
    id: str
    tender: str
    amount: int
    tendered: int
    change: int = 0
    provider: str | None = None
    provider_ref: str | None = None
    original_payment_id: str | None = None


@dataclass(frozen=True, slots=True)
class SaleTax:
    code: str
    rate: Decimal
    base: int
    tax: int


@dataclass(frozen=True, slots=True)
class CompletedSale:
    id: str
    receipt_no: str
    seq: int
    kind: str  # sale | return | exchange
    till_id: str
    shift_id: str
    cashier_id: str
    customer_id: str | None
    currency: str
    tax_mode: str
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    rounding: int
    completed_at: datetime
    lines: tuple[SaleLine, ...]
    taxes: tuple[SaleTax, ...]
    payments: tuple[SalePayment, ...]
    loyalty_earned: int = 0
    loyalty_redeemed: int = 0
    approved_by: str | None = None
    order_discount: dict[str, Any] | None = field(default=None)

    @property
    def amount_due(self) -> int:
        """Total after cash rounding: what the tenders settled."""
        return self.total + self.rounding

    def to_json(self) -> dict[str, Any]:
        """Event and ``--json`` representation: money as minor-unit integers plus plain text."""
        cur = self.currency

        def m(v: int) -> dict[str, Any]:
            return {"minor": v, "text": format_plain(v, cur)}

        return {
            "id": self.id, "receipt_no": self.receipt_no, "kind": self.kind,
            "till_id": self.till_id, "shift_id": self.shift_id, "cashier_id": self.cashier_id,
            "customer_id": self.customer_id, "currency": cur, "tax_mode": self.tax_mode,
            "completed_at": self.completed_at.isoformat(),
            "subtotal": m(self.subtotal), "discount_total": m(self.discount_total),
            "tax_total": m(self.tax_total), "total": m(self.total),
            "rounding": m(self.rounding), "amount_due": m(self.amount_due),
            "loyalty_earned": self.loyalty_earned, "loyalty_redeemed": self.loyalty_redeemed,
            "lines": [
                {"id": ln.id, "line_no": ln.line_no, "variant_id": ln.variant_id, "sku": ln.sku,
                 "name": ln.name, "qty": fmt_qty(ln.qty), "unit_price": m(ln.unit_price),
                 "gross": m(ln.gross), "discount": m(ln.promo_discount + ln.line_discount
                                                      + ln.order_discount),
                 "net": m(ln.net), "tax": m(ln.tax), "total": m(ln.total),
                 "tax_code": ln.tax_code, "tax_rate": str(ln.tax_rate),
                 "return_of_line_id": ln.return_of_line_id, "restock": ln.restock,
                 "promotions": list(ln.promo_codes),
                 "unit_cost": None if ln.unit_cost is None else m(ln.unit_cost)}
                for ln in self.lines
            ],
            "taxes": [{"code": t.code, "rate": str(t.rate), "base": m(t.base), "tax": m(t.tax)}
                      for t in self.taxes],
            "payments": [{"id": p.id, "tender": p.tender, "amount": m(p.amount),
                          "tendered": m(p.tendered), "change": m(p.change),
                          "provider": p.provider, "provider_ref": p.provider_ref}
                         for p in self.payments],
        }
