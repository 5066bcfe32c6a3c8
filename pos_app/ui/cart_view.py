"""What the sale screen shows of a cart: an immutable snapshot built on the till lane.

The cart itself is only touched by the lane thread; the screens get these
snapshots through signals, so painting never races a scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.cart import Cart
from ..domain.store import Customer
from ..domain.tender import Tender
from ..services.checkout import CheckoutService


@dataclass(frozen=True, slots=True)
class LineView:
    key: str
    sku: str
    name: str
    qty: Decimal
    unit_price: int
    list_price: int
    discount: int  # promotions + line + share of order discount
    total: int
    sold_by_weight: bool
    is_return: bool
    price_overridden: bool
    promo_codes: tuple[str, ...] = ()
    line_discount_text: str = ""  # "10%" or an amount in minor units as text


@dataclass(frozen=True, slots=True)
class TaxView:
    code: str
    rate: Decimal
    base: int
    tax: int


@dataclass(frozen=True, slots=True)
class PaymentView:
    id: str
    tender: str
    amount: int
    provider_ref: str | None


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: str
    code: str
    name: str
    loyalty_points: int
    store_credit: int
    tax_exempt: bool


@dataclass(frozen=True, slots=True)
class CartView:
    cart_id: str
    currency: str
    lines: tuple[LineView, ...] = ()
    subtotal: int = 0
    discount_total: int = 0
    tax_total: int = 0
    total: int = 0
    taxes: tuple[TaxView, ...] = ()
    payments: tuple[PaymentView, ...] = ()
    remaining: int = 0  # due before cash rounding (what a card would pay)
    cash_due: int = 0  # due in cash after rounding; negative = change to give
    customer: CustomerView | None = None
    is_return: bool = False
    order_discount: bool = False
    last_key: str | None = None  # the line the last action touched (select and scroll to it)
    tax_inclusive: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def paid(self) -> int:
        return sum(p.amount for p in self.payments)

    @property
    def item_count(self) -> Decimal:
        """Pieces, with a weighed line counted as one item (0.435 kg of cheese is one)."""
        return sum((Decimal(1) if ln.sold_by_weight else ln.qty for ln in self.lines),
                   Decimal(0))


def customer_view(customer: Customer | None) -> CustomerView | None:
    if customer is None:
        return None
    return CustomerView(customer.id, customer.code, customer.name, customer.loyalty_points,
                        customer.store_credit, customer.tax_exempt)


def build_view(co: CheckoutService, cart: Cart, customer: Customer | None,
               last_key: str | None = None) -> CartView:
    """Price the cart and copy out what the screens need (runs on the lane thread)."""
    priced = co.price(cart)
    lines = []
    for ln in cart.lines:
        p = priced.by_key[ln.key]
        ld = ""
        if ln.discount is not None:
            ld = (f"{ln.discount.percent.normalize()}%" if ln.discount.percent is not None
                  else str(ln.discount.amount))
        lines.append(LineView(ln.key, ln.sku, ln.name, ln.qty, ln.unit_price, ln.list_price,
                              p.discount, p.total, ln.sold_by_weight, ln.return_of is not None
                              or ln.qty < 0, ln.price_overridden, p.promo_codes, ld))
    payments = tuple(PaymentView(p.id, p.tender.value, p.amount, p.provider_ref)
                     for p in cart.payments)
    cash_due = co.cash_due(cart) if cart.lines else 0
    return CartView(
        cart.id, cart.currency, tuple(lines), priced.subtotal, priced.discount_total,
        priced.tax_total, priced.total,
        tuple(TaxView(t.code, t.rate, t.base, t.tax) for t in priced.taxes), payments,
        priced.total - sum(p.amount for p in cart.payments), cash_due,
        customer_view(customer), any(ln.return_of is not None or ln.qty < 0
                                     for ln in cart.lines),
        cart.order_discount is not None, last_key,
        co.settings.policy().tax_mode.value == "inclusive")


def cash_paid(view: CartView) -> int:
    return sum(p.amount for p in view.payments if p.tender == Tender.CASH.value)
