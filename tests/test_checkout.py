"""Checkout through the services on a real SQLite store."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from pos_app.app import open_app
from pos_app.domain.errors import (
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from pos_app.domain.pricing import Discount
from pos_app.domain.users import Permission
from pos_app.services.checkout import PaymentDeclined

from .conftest import COFFEE, TEA_UPC, Shop


def db(shop: Shop) -> sqlite3.Connection:
    return sqlite3.connect(shop.data_dir / "pos.sqlite3")


def test_scan_by_ean_upc_and_sku(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    co.scan(cart, "0" + TEA_UPC, u)  # EAN-13 form of the UPC-A finds the same item
    co.scan(cart, TEA_UPC, u)  # and UPC-A itself; same item again merges into the line
    co.scan(cart, "TS-M", u)
    assert [(ln.sku, ln.qty) for ln in cart.lines] == [
        ("COF", 1), ("TEA", 2), ("TS-M", 1)]
    with pytest.raises(NotFound):
        co.scan(cart, "4006381333948", u)  # valid GTIN, not in the catalog
    with pytest.raises(ValidationError, match="check digit"):
        co.scan(cart, "4006381333932", u)  # misread: wrong check digit


def test_complete_sale_writes_everything_in_one_document(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u, Decimal(2))
    co.scan(cart, "TS-M", u)
    priced = co.price(cart)
    # 2 x 12.99 at 7 % incl. + 19.99 at 19 % incl.
    assert priced.total == 2598 + 1999
    assert priced.tax_total == 170 + 319
    co.pay_card(cart, u, 1000)
    co.pay_cash(cart, 5000, u)
    sale = co.complete(cart, u)
    assert sale.receipt_no == "S1-T1-000001"
    cash = next(p for p in sale.payments if p.tender == "cash")
    assert (cash.amount, cash.tendered, cash.change) == (3597, 5000, 1403)
    con = db(shop)
    assert con.execute("select count(*) from sale_lines where sale_id=?",
                       (sale.id,)).fetchone()[0] == 2
    events = con.execute("select type, payload from outbox where aggregate_id=? order by id",
                         (sale.id,)).fetchall()
    assert [e[0] for e in events] == ["sale.completed", "stock.moved"]
    assert json.loads(events[0][1])["total"]["minor"] == 4597
    assert shop.app.stock.on_hand("COF") == Decimal(48)
    attempt = con.execute("select status, provider_ref from payment_attempts").fetchone()
    assert attempt[0] == "used" and attempt[1].startswith("sim_pi_")
    # the card number never reaches the store: only the provider's id
    assert "sim_pi_" in json.dumps(sale.to_json())


def test_receipt_numbers_are_gapless_per_till(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    for _ in range(3):
        cart = co.new_cart()
        co.scan(cart, COFFEE, u)
        co.pay_cash(cart, 2000, u)
        co.complete(cart, u)
    failing = co.new_cart()
    co.scan(failing, COFFEE, u)
    co.pay_cash(failing, 100, u)  # not enough
    with pytest.raises(StateError, match="not fully paid"):
        co.complete(failing, u)
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    co.pay_cash(cart, 2000, u)
    assert co.complete(cart, u).receipt_no == "S1-T1-000004"


def test_only_cash_may_be_over_tendered(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    with pytest.raises(ValidationError, match="only cash"):
        co.pay_card(cart, u, 1300)
    co.pay_cash(cart, 10000, u)
    assert co.complete(cart, u).payments[0].change == 10000 - 1299


def test_declined_card_leaves_nothing_charged(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    with pytest.raises(PaymentDeclined):
        co.pay_card(cart, u, 113)  # simulator declines amounts ending in 13
    assert cart.payments == []
    status = db(shop).execute("select status from payment_attempts").fetchone()[0]
    assert status == "declined"


def test_cash_rounding_applies_to_cash_only(shop: Shop) -> None:
    shop.app.settings.set(shop.admin, "cash_increment", 5)
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)  # 12.99
    co.pay_cash(cart, 1300, u)
    sale = co.complete(cart, u)
    assert (sale.total, sale.rounding, sale.amount_due) == (1299, 1, 1300)
    card_cart = co.new_cart()
    co.scan(card_cart, COFFEE, u)
    co.pay_card(card_cart, u)
    card_sale = co.complete(card_cart, u)
    assert card_sale.rounding == 0 and card_sale.payments[0].amount == 1299
    split = co.new_cart()
    co.scan(split, COFFEE, u, Decimal(2))  # 25.98: card 10.00, cash part 15.98 -> 16.00
    co.pay_card(split, u, 1000)
    co.pay_cash(split, 2000, u)
    s = co.complete(split, u)
    assert s.rounding == 2 and next(p for p in s.payments if p.tender == "cash").change == 400


def test_discount_limits_and_manager_override(shop: Shop) -> None:
    app = shop.app
    co, u = app.checkout, shop.cashier
    cart = co.new_cart()
    line = co.scan(cart, "TS-M", u)
    co.set_line_discount(cart, line.key, Discount(percent=Decimal(10)), u)  # within 10 %
    with pytest.raises(PermissionDenied, match="override"):
        co.set_line_discount(cart, line.key, Discount(percent=Decimal(30)), u)
    weak = app.auth.grant_override("supervisor", "2222", Permission.DISCOUNT, u)
    with pytest.raises(PermissionDenied, match="limit"):  # supervisor may give 25 %, not 30
        co.set_line_discount(cart, line.key, Discount(percent=Decimal(30)), u, weak)
    grant = app.auth.grant_override("manager", "3333", Permission.DISCOUNT, u)
    co.set_line_discount(cart, line.key, Discount(percent=Decimal(30)), u, grant)
    assert co.price(cart).total == 1999 - 600
    with pytest.raises(PermissionDenied):  # a grant authorises one action only
        co.set_line_discount(cart, line.key, Discount(percent=Decimal(40)), u, grant)
    actions = [r[0] for r in db(shop).execute("select action from audit_log order by seq")]
    assert actions.count("manager_override") == 2 and "discount" in actions


def test_price_override_needs_permission(shop: Shop) -> None:
    co = shop.app.checkout
    cart = co.new_cart()
    line = co.scan(cart, "TS-M", shop.cashier)
    with pytest.raises(PermissionDenied):
        co.set_price(cart, line.key, 1500, shop.cashier)
    co.set_price(cart, line.key, 1700, shop.supervisor)  # 15 % markdown, limit 20 %
    with pytest.raises(PermissionDenied):
        co.set_price(cart, line.key, 1000, shop.supervisor)
    assert co.price(cart).total == 1700


def test_weighed_item_and_fractional_quantity_rules(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    line = co.scan(cart, "APL", u, Decimal("1.235"))
    assert co.price(cart).by_key[line.key].gross == 369  # 1.235 x 2.99 = 3.69265
    with pytest.raises(ValidationError, match="fractional"):
        co.scan(cart, "COF", u, Decimal("0.5"))
    with pytest.raises(ValidationError):
        co.scan(cart, "APL", u, Decimal("0.0001"))


def test_park_survives_restart_and_resumes_once(shop: Shop) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u, Decimal(3))
    park_id = co.park(cart, u, "lady in red coat")
    shop.app.close()
    app = open_app(shop.data_dir)
    try:
        assert [p[1] for p in app.checkout.parked()] == ["lady in red coat"]
        resumed = app.checkout.resume(park_id, u)
        assert [(ln.sku, ln.qty) for ln in resumed.lines] == [("COF", 3)]
        with pytest.raises(NotFound):
            app.checkout.resume(park_id, u)
    finally:
        app.close()
        shop.app = open_app(shop.data_dir)


def test_void_sale_refunds_card_and_is_counted(shop: Shop) -> None:
    app = shop.app
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    co.pay_card(cart, shop.cashier, 500)
    with pytest.raises(PermissionDenied):
        co.void(cart, shop.cashier)
    grant = app.auth.grant_override("supervisor", "2222", Permission.VOID_SALE, shop.cashier)
    co.void(cart, shop.cashier, grant)
    assert cart.is_empty and cart.payments == []
    report = app.shifts.x_report(shop.manager)
    assert report["voids"] == {"sales": 1, "lines": 0, "amount": 1299}
    actions = [r[0] for r in db(shop).execute("select action from audit_log")]
    assert "payment_reversed" in actions and "void_sale" in actions
    attempts = db(shop).execute("select id, amount, status, provider_ref"
                                " from payment_attempts order by created_at").fetchall()
    # the authorisation was released at the terminal, never captured, nothing to refund
    assert [(a, st) for _, a, st, _ in attempts] == [(500, "reversed")]
    terminal = app.devices.device("terminal")
    assert terminal.charges[attempts[0][0]].status == "cancelled"
    assert terminal.capture_count(attempts[0][3]) == 0


def test_sale_needs_open_shift(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .conftest import make_shop

    shop = make_shop(tmp_path / "s")
    shop.app.shifts.close(shop.manager, {"cash": 10000})
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    co.pay_cash(cart, 2000, shop.cashier)
    with pytest.raises(StateError, match="no open shift"):
        co.complete(cart, shop.cashier)
    shop.app.close()


def test_price_change_is_live_at_once(shop: Shop) -> None:
    shop.app.catalog.set_price(shop.manager, "COF", 1499)
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, COFFEE, shop.cashier)
    assert shop.app.checkout.price(cart).total == 1499
    ev = db(shop).execute("select payload from outbox where type='price.changed'").fetchone()
    assert json.loads(ev[0])["new"] == 1499
    with pytest.raises(PermissionDenied):
        shop.app.catalog.set_price(shop.cashier, "COF", 1)
