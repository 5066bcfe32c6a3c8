"""A day of trading at the till shared by the web-shop connector tests: sales with line
and order discounts on two tax rates, split card and cash, a restocked refund, a refund
without restocking, an exchange, a delivery, a write-off and a count."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_app.domain.pricing import Discount
from pos_app.domain.sale import CompletedSale
from pos_app.domain.stock import MovementKind

from .conftest import COFFEE, TEA_UPC, Shop

SKUS = ["COF", "TEA", "TS-M", "TS-L"]


@dataclass
class Day:
    sales: list[CompletedSale]  # kind "sale"
    others: list[CompletedSale]  # refunds and the exchange
    moved: dict[str, int]  # POS on-hand change per SKU at MAIN


def trading_day(shop: Shop, *, count: bool = True) -> Day:
    app, u, m = shop.app, shop.cashier, shop.manager
    co, rs = app.checkout, app.returns
    before = {s: app.stock.on_hand(s) for s in SKUS}
    sales = []
    for i in range(8):
        cart = co.new_cart()
        co.scan(cart, COFFEE if i % 2 else TEA_UPC, u, Decimal(1 + i % 3))
        co.scan(cart, "TS-M", u)
        if i % 4 == 1:
            co.set_line_discount(cart, cart.lines[-1].key, Discount(percent=Decimal(10)), m)
        if i % 4 == 2:
            co.set_order_discount(cart, Discount(amount=150), m)
        if i % 3 == 0:
            co.pay_card(cart, u, 1000)  # split tender: card first, the rest in cash
        co.pay_cash(cart, co.cash_due(cart) + 100, u)
        sales.append(co.complete(cart, u))
    others = []
    back = co.new_cart()
    rs.add_return_line(back, sales[1], 1, Decimal(1), u)  # a coffee back on the shelf
    rs.refund(back, u)
    others.append(co.complete(back, u))
    spoilt = co.new_cart()
    rs.add_return_line(spoilt, sales[3], 2, Decimal(1), u, restock=False)  # thrown away
    rs.refund(spoilt, u)
    others.append(co.complete(spoilt, u))
    swap = co.new_cart()
    rs.add_return_line(swap, sales[2], 2, Decimal(1), u)  # a T-shirt M for an L
    co.scan(swap, "TS-L", u)
    co.pay_cash(swap, max(0, co.cash_due(swap)), u)
    others.append(co.complete(swap, u))
    app.stock.adjust(shop.admin, "TS-L", Decimal(7), "delivery", MovementKind.RECEIVING)
    app.stock.adjust(shop.admin, "TEA", Decimal(-2), "damaged")
    if count:
        app.stock.count(shop.admin, "COF", Decimal(30))
    after = {s: app.stock.on_hand(s) for s in SKUS}
    return Day(sales, others, {s: int(after[s] - before[s]) for s in SKUS})
