"""Sale lines keep the variant's cost at the moment of sale; returns keep the original's."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

from pos_app.domain.cart import Cart
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.users import Permission

from .conftest import COFFEE, Shop


def _events(shop: Shop, sale_id: str) -> dict[str, object]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        row = con.execute("select payload from outbox where aggregate_id=? and type in"
                          " ('sale.completed','refund.completed','exchange.completed')",
                          (sale_id,)).fetchone()
        return json.loads(row[0])  # type: ignore[no-any-return]
    finally:
        con.close()


def test_unit_cost_captured_at_sale_and_carried_into_returns(shop: Shop) -> None:
    app, u = shop.app, shop.cashier
    app.catalog.add_product(shop.manager, NewProduct("Mug", "STD", (
        NewVariant("MUG", 800, cost=325),), "Kitchen"))
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, "MUG", u, Decimal(2))
    co.scan(cart, COFFEE, u)  # no cost recorded (0): unknown, not free
    co.pay_cash(cart, 5000, u)
    sale = co.complete(cart, u)
    assert [ln.unit_cost for ln in sale.lines] == [325, None]
    lines = _events(shop, sale.id)["lines"]
    assert [ln["unit_cost"] for ln in lines] == [{"minor": 325, "text": "3.25"}, None]  # type: ignore[index]

    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    con.execute("update variants set cost = 999 where sku = 'MUG'")
    con.commit()
    con.close()
    assert app.returns.original(sale.receipt_no).lines[0].unit_cost == 325  # stored, not live

    rs = app.returns
    ret = co.new_cart()
    rs.add_return_line(ret, rs.original(sale.receipt_no), 1, Decimal(1), u)
    rs.refund(ret, u)
    refund = co.complete(ret, u)
    assert refund.lines[0].unit_cost == 325  # the original line's cost, not today's 999
    payload = _events(shop, refund.id)
    assert payload["lines"][0]["unit_cost"]["minor"] == 325  # type: ignore[index]

    grant = app.auth.grant_override("manager", "3333", Permission.REFUND_NO_RECEIPT, u)
    ret = co.new_cart()
    rs.add_unreceipted(ret, "MUG", Decimal(1), u, grant)
    rs.refund(ret, u)
    assert co.complete(ret, u).lines[0].unit_cost == 999  # no original: today's cost


def test_parked_cart_keeps_cost_and_old_snapshots_read_as_unknown(shop: Shop) -> None:
    app, u = shop.app, shop.cashier
    app.catalog.add_product(shop.manager, NewProduct("Mug", "STD", (
        NewVariant("MUG", 800, cost=325),)))
    cart = app.checkout.new_cart()
    app.checkout.scan(cart, "MUG", u)
    data = cart.to_dict()
    assert Cart.from_dict(data).lines[0].unit_cost == 325
    del data["lines"][0]["unit_cost"]  # a cart parked by an older version
    assert Cart.from_dict(data).lines[0].unit_cost is None
