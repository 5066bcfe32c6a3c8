"""An unfinished sale: lines, discounts, payments; serialisable so parked sales survive restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .ids import new_id_str
from .pricing import Discount, FixedAmounts, LineInput
from .tender import Tender


@dataclass(slots=True)
class CartLine:
    key: str
    variant_id: str
    sku: str
    name: str
    list_price: int
    unit_price: int
    qty: Decimal
    tax_code: str
    tax_rate: Decimal
    sold_by_weight: bool = False
    discount: Discount | None = None
    price_overridden: bool = False
    override_by: str | None = None
    return_of: str | None = None  # original sale line id
    fixed: FixedAmounts | None = None
    restock: bool = True
    unit_cost: int | None = None  # captured when the line is made; a return keeps the original's

    def pricing_input(self) -> LineInput:
        return LineInput(self.key, self.variant_id, self.unit_price, self.qty, self.tax_rate,
                         self.tax_code, self.discount, self.price_overridden, self.fixed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "variant_id": self.variant_id, "sku": self.sku, "name": self.name,
            "list_price": self.list_price, "unit_price": self.unit_price, "qty": str(self.qty),
            "tax_code": self.tax_code, "tax_rate": str(self.tax_rate),
            "sold_by_weight": self.sold_by_weight,
            "discount": self.discount.to_dict() if self.discount else None,
            "price_overridden": self.price_overridden, "override_by": self.override_by,
            "return_of": self.return_of,
            "fixed": [self.fixed.net, self.fixed.tax] if self.fixed else None,
            "restock": self.restock, "unit_cost": self.unit_cost,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CartLine:
        return cls(
            key=d["key"], variant_id=d["variant_id"], sku=d["sku"], name=d["name"],
            list_price=d["list_price"], unit_price=d["unit_price"], qty=Decimal(d["qty"]),
            tax_code=d["tax_code"], tax_rate=Decimal(d["tax_rate"]),
            sold_by_weight=d["sold_by_weight"],
            discount=Discount.from_dict(d["discount"]) if d["discount"] else None,
            price_overridden=d["price_overridden"], override_by=d["override_by"],
            return_of=d["return_of"],
            fixed=FixedAmounts(*d["fixed"]) if d["fixed"] else None, restock=d["restock"],
            unit_cost=d.get("unit_cost"),  # parked before costs were kept: unknown
        )


@dataclass(slots=True)
class CartPayment:
    id: str
    tender: Tender
    amount: int  # applied (card/credit/loyalty) or tendered (cash)
    provider: str | None = None
    provider_ref: str | None = None
    attempt_id: str | None = None
    original_payment_id: str | None = None
    points: int = 0  # loyalty points redeemed
    captured: bool = True  # False: a card authorisation to capture once the sale commits

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "tender": self.tender.value, "amount": self.amount,
                "provider": self.provider, "provider_ref": self.provider_ref,
                "attempt_id": self.attempt_id, "original_payment_id": self.original_payment_id,
                "points": self.points, "captured": self.captured}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CartPayment:
        return cls(d["id"], Tender(d["tender"]), d["amount"], d["provider"], d["provider_ref"],
                   d["attempt_id"], d["original_payment_id"], d.get("points", 0),
                   d.get("captured", True))


@dataclass(slots=True)
class Cart:
    currency: str
    id: str = field(default_factory=new_id_str)
    lines: list[CartLine] = field(default_factory=list)
    payments: list[CartPayment] = field(default_factory=list)
    order_discount: Discount | None = None
    order_discount_by: str | None = None
    customer_id: str | None = None
    tax_exempt: bool = False
    return_of_sale_id: str | None = None
    approved_by: str | None = None  # manager who approved a receipt-less return

    def line(self, key: str) -> CartLine:
        for ln in self.lines:
            if ln.key == key:
                return ln
        from .errors import NotFound

        raise NotFound("no line {key} in this sale", key=key)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "currency": self.currency,
            "lines": [ln.to_dict() for ln in self.lines],
            "payments": [p.to_dict() for p in self.payments],
            "order_discount": self.order_discount.to_dict() if self.order_discount else None,
            "order_discount_by": self.order_discount_by,
            "customer_id": self.customer_id, "tax_exempt": self.tax_exempt,
            "return_of_sale_id": self.return_of_sale_id, "approved_by": self.approved_by,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cart:
        return cls(
            currency=d["currency"], id=d["id"],
            lines=[CartLine.from_dict(x) for x in d["lines"]],
            payments=[CartPayment.from_dict(x) for x in d["payments"]],
            order_discount=Discount.from_dict(d["order_discount"]) if d["order_discount"]
            else None,
            order_discount_by=d["order_discount_by"], customer_id=d["customer_id"],
            tax_exempt=d["tax_exempt"], return_of_sale_id=d["return_of_sale_id"],
            approved_by=d["approved_by"],
        )
