"""Returns, exchanges, store credit, loyalty, shifts and X/Z reports on a real store."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from pos_app.domain.errors import PermissionDenied, StateError, ValidationError
from pos_app.domain.pricing import Discount
from pos_app.domain.sale import CompletedSale
from pos_app.domain.users import Permission

from .conftest import COFFEE, Shop


def sell(shop: Shop, *items: tuple[str, int], card: int = 0, customer: str | None = None,
         discount: Discount | None = None) -> CompletedSale:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    for code, qty in items:
        co.scan(cart, code, u, Decimal(qty))
    if customer:
        co.attach_customer(cart, customer, u)
    if discount:
        co.set_order_discount(cart, discount, shop.manager)
    if card:
        co.pay_card(cart, u, card)
    rest = co.remaining(cart)
    if rest > 0:
        co.pay_cash(cart, rest, u)
    return co.complete(cart, u)


def test_partial_returns_never_exceed_what_was_paid(shop: Shop) -> None:
    # 3 coffees with a 10 % order discount: 38.97 - 3.90 = 35.07 for the line
    sale = sell(shop, (COFFEE, 3), discount=Discount(percent=Decimal(10)))
    line = sale.lines[0]
    assert line.total == 3507
    rs, co = shop.app.returns, shop.app.checkout
    refunded = 0
    for _ in range(3):
        cart = co.new_cart()
        rs.add_return_line(cart, rs.original(sale.receipt_no), 1, Decimal(1), shop.cashier)
        rs.refund(cart, shop.cashier)
        refunded -= co.complete(cart, shop.cashier).total
    assert refunded == 3507  # 11.69 + 11.69 + 11.69 = 35.07 exactly, never 35.08
    cart = co.new_cart()
    with pytest.raises(ValidationError, match="can still be returned"):
        rs.add_return_line(cart, rs.original(sale.receipt_no), 1, Decimal(1), shop.cashier)
    assert shop.app.stock.on_hand("COF") == Decimal(50)  # all restocked


def test_refund_goes_back_to_card_first_then_cash(shop: Shop) -> None:
    sale = sell(shop, (COFFEE, 2), card=1000)
    rs, co = shop.app.returns, shop.app.checkout
    cart = co.new_cart()
    rs.add_return_line(cart, rs.original(sale.receipt_no), 1, Decimal(2), shop.cashier,
                       restock=False)
    pays = rs.refund(cart, shop.cashier)
    assert [(p.tender.value, p.amount) for p in pays] == [("card", -1000), ("cash", -1598)]
    refund = co.complete(cart, shop.cashier)
    assert refund.kind == "return"
    assert shop.app.stock.on_hand("COF") == Decimal(48)  # damaged: not restocked
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    types = [r[0] for r in con.execute("select type from outbox where aggregate_id=?",
                                       (refund.id,))]
    assert types == ["refund.completed"]  # nothing restocked, so no stock event
    attempts = con.execute("select amount, status from payment_attempts order by created_at"
                           ).fetchall()
    assert attempts == [(1000, "used"), (-1000, "used")]  # the refund was on record first


def test_return_without_receipt_needs_manager(shop: Shop) -> None:
    rs, co = shop.app.returns, shop.app.checkout
    cart = co.new_cart()
    with pytest.raises(PermissionDenied):
        rs.add_unreceipted(cart, COFFEE, Decimal(1), shop.cashier)
    grant = shop.app.auth.grant_override("manager", "3333", Permission.REFUND_NO_RECEIPT,
                                         shop.cashier)
    rs.add_unreceipted(cart, COFFEE, Decimal(1), shop.cashier, grant)
    rs.refund(cart, shop.cashier)
    sale = co.complete(cart, shop.cashier)
    assert sale.total == -1299 and sale.approved_by == shop.manager.id


def test_exchange_in_one_document(shop: Shop) -> None:
    sale = sell(shop, ("TS-M", 1))
    rs, co = shop.app.returns, shop.app.checkout
    cart = co.new_cart()
    rs.add_return_line(cart, rs.original(sale.receipt_no), 1, Decimal(1), shop.cashier)
    co.scan(cart, "TS-L", shop.cashier)
    co.scan(cart, COFFEE, shop.cashier)
    assert co.remaining(cart) == 1299  # the shirt swaps even, the coffee is paid
    co.pay_cash(cart, 1299, shop.cashier)
    ex = co.complete(cart, shop.cashier)
    assert ex.kind == "exchange"
    assert shop.app.stock.on_hand("TS-M") == Decimal(50)
    assert shop.app.stock.on_hand("TS-L") == Decimal(49)


def test_store_credit_and_loyalty(shop: Shop) -> None:
    app = shop.app
    c = app.customers.add(shop.cashier, "C1", "Ada")
    sale = sell(shop, (COFFEE, 2), customer="C1")
    assert sale.loyalty_earned == 25  # 25.98 paid -> 25 whole euros -> 25 points
    rs, co = app.returns, app.checkout
    cart = co.new_cart()
    rs.add_return_line(cart, rs.original(sale.receipt_no), 1, Decimal(1), shop.cashier)
    rs.refund(cart, shop.cashier, to="store_credit")
    co.complete(cart, shop.cashier)
    assert app.customers.get("C1").store_credit == 1299
    cart = co.new_cart()
    co.scan(cart, "TS-M", shop.cashier)
    co.attach_customer(cart, c.id, shop.cashier)
    co.pay_store_credit(cart, shop.cashier)  # all of it: 12.99
    co.redeem_points(cart, shop.cashier, 25)  # 25 points = 0.25
    with pytest.raises(ValidationError):
        co.redeem_points(cart, shop.cashier, 1)  # no points left
    co.pay_cash(cart, co.remaining(cart), shop.cashier)
    s = co.complete(cart, shop.cashier)
    after = app.customers.get("C1")
    assert after.store_credit == 0 and s.loyalty_redeemed == 25
    assert after.loyalty_points == 25 - 25 + s.loyalty_earned
    assert next(h.receipt_no for h in app.customers.history("C1")) == s.receipt_no


def test_tax_exempt_customer_in_us_store(us_shop: Shop) -> None:
    app = us_shop.app
    app.customers.add(us_shop.cashier, "EX1", "School", tax_exempt=True,
                      exemption_ref="CERT-9")
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, "TS-M", us_shop.cashier)
    assert co.price(cart).total == 1999 + 380  # 19 % added: 379.81 -> 3.80
    co.attach_customer(cart, "EX1", us_shop.cashier)
    assert co.price(cart).total == 1999 and co.price(cart).tax_total == 0
    with pytest.raises(ValidationError, match="certificate"):
        app.customers.add(us_shop.cashier, "EX2", "No cert", tax_exempt=True)


def test_x_and_z_report_figures(shop: Shop) -> None:
    app = shop.app
    sell(shop, (COFFEE, 1))  # 12.99 cash
    sell(shop, ("TS-M", 1), card=1999)
    ret = sell(shop, (COFFEE, 1))
    rs, co = app.returns, app.checkout
    cart = co.new_cart()
    rs.add_return_line(cart, rs.original(ret.receipt_no), 1, Decimal(1), shop.cashier)
    rs.refund(cart, shop.cashier)
    co.complete(cart, shop.cashier)
    app.shifts.cash_movement(shop.supervisor, "paid_out", 500, "window cleaner")
    with pytest.raises(PermissionDenied):
        app.shifts.cash_movement(shop.cashier, "no_sale", 0, "")
    app.shifts.cash_movement(shop.supervisor, "no_sale", 0, "change for a note")
    x = app.shifts.x_report(shop.cashier)
    assert x["sales"] == {"count": 3, "amount": 1299 + 1999 + 1299}
    assert x["refunds"] == {"count": 1, "amount": -1299}
    assert x["cash"]["expected"] == 10000 + 1299 + 1299 - 1299 - 500
    assert x["no_sales"] == 1
    with pytest.raises(PermissionDenied):
        app.shifts.close(shop.cashier, {"cash": 0})
    z = app.shifts.close(shop.supervisor, {"cash": 10790, "card": 1999})
    cash = next(t for t in z["tenders"] if t["tender"] == "cash")
    assert (cash["expected"], cash["counted"], cash["over_short"]) == (10799, 10790, -9)
    taxes = {t["code"]: (t["base"], t["tax"]) for t in z["taxes"]}
    assert taxes["RED"][1] == 85 + 85 - 85 and taxes["STD"][1] == 319
    assert z["z_no"] == 1 and app.shifts.current() is None
    with pytest.raises(StateError):
        app.shifts.x_report(shop.cashier)
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    payload = con.execute("select payload from outbox where type='shift.closed'").fetchone()[0]
    assert json.loads(payload)["z_no"] == 1
    assert app.shifts.last_z() == z


def test_scanning_a_receipt_code_opens_its_return(shop: Shop) -> None:
    app = shop.app
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    co.pay_cash(cart, 2000, shop.cashier)
    sale = co.complete(cart, shop.cashier)
    qr = next(op["data"] for op in app.printing.render(sale) if op["op"] == "qr")
    assert qr == sale.receipt_no and co.is_receipt(qr)  # what the receipt's QR carries
    assert app.returns.original(qr).id == sale.id
    assert not co.is_receipt(COFFEE) and not co.is_receipt("TS-M")


def test_weighed_item_takes_the_scale_reading(shop: Shop) -> None:
    co = shop.app.checkout
    cart = co.new_cart()
    apples, _w, _p = co.lookup("APL")
    line = co.add_weighed(cart, apples, shop.cashier, Decimal("0.750"))
    assert line.qty == Decimal("0.750") and co.price(cart).total == 224  # 0.75 x 2.99
    coffee, _w, _p = co.lookup(COFFEE)
    with pytest.raises(ValidationError, match="by the piece"):
        co.add_weighed(cart, coffee, shop.cashier, Decimal("1"))
    with pytest.raises(ValidationError, match="zero"):
        co.add_weighed(cart, apples, shop.cashier, Decimal("0"))
