"""Suppliers, purchase orders with partial receiving at cost, and reorder suggestions."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from pos_app.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from pos_app.domain.inventory import POLineInput, POStatus, suggest_reorder

from .conftest import COFFEE, Shop


def vid(shop: Shop, sku: str) -> str:
    return shop.app.catalog.variant(sku).id


def events(shop: Shop, type_: str) -> list[dict[str, object]]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        return [json.loads(r[0]) for r in con.execute(
            "select payload from outbox where type=? order by id", (type_,))]
    finally:
        con.close()


def moves(shop: Shop) -> int:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        return int(con.execute("select count(*) from stock_movements").fetchone()[0])
    finally:
        con.close()


def test_order_lifecycle_with_partial_receipts_at_cost(shop: Shop) -> None:
    pur, m = shop.app.purchasing, shop.manager
    acme = pur.add_supplier(m, "acme", "Acme Wholesale", email="orders@acme.test",
                            lead_time_days=5)
    assert acme.code == "ACME" and [s.code for s in pur.suppliers(m)] == ["ACME"]
    with pytest.raises(ValidationError, match="already exists"):
        pur.add_supplier(m, "ACME", "Again")
    po = pur.create_order(m, "ACME", [POLineInput(vid(shop, "COF"), Decimal(10), 600),
                                      POLineInput(vid(shop, "TEA"), Decimal(4), 199)])
    assert (po.number, po.status, po.total) == ("PO-000001", POStatus.DRAFT, 6000 + 796)
    po = pur.set_lines(m, po.number, [POLineInput(vid(shop, "COF"), Decimal(20), 600),
                                      POLineInput(vid(shop, "TEA"), Decimal(4), 199)])
    assert po.lines[0].qty == 20 and po.total == 12000 + 796
    with pytest.raises(StateError, match="only an ordered"):
        pur.receive(m, po.id)
    po = pur.place_order(m, po.id)
    assert po.status is POStatus.ORDERED and po.ordered_at is not None
    with pytest.raises(StateError, match="only a draft"):
        pur.set_lines(m, po.id, [POLineInput(vid(shop, "COF"), Decimal(1), 1)])

    # coffee: 50 on hand at no recorded cost; 10 arrive at 6.00 -> cost 6.00
    po = pur.receive(m, po.id, [(vid(shop, "COF"), Decimal(10))])
    assert po.status is POStatus.PARTIAL
    assert [(ln.sku, ln.received, ln.outstanding) for ln in po.lines] == [
        ("COF", 10, 10), ("TEA", 0, 4)]
    assert shop.app.stock.on_hand("COF") == 60
    assert shop.app.catalog.variant("COF").cost == 600
    moved = events(shop, "stock.moved")[-1]
    assert moved["ref"] == "PO-000001"
    assert [(mv["qty"], mv["kind"], mv["unit_cost"]) for mv in moved["movements"]] == [  # type: ignore[attr-defined]
        ("10.000", "receiving", 600)]
    # a dearer second delivery: (60 x 6.00 + 10 x 7.00) / 70 = 6.142857 -> 6.14
    po2 = pur.place_order(m, pur.create_order(m, "ACME", [
        POLineInput(vid(shop, "COF"), Decimal(10), 700)]).id)
    pur.receive(m, po2.number)
    assert shop.app.catalog.variant("COF").cost == 614
    assert events(shop, "purchase_order.received")[-1]["lines"] == [  # type: ignore[comparison-overlap]
        {"variant_id": vid(shop, "COF"), "sku": "COF", "qty": "10.000", "unit_cost": 700,
         "cost_before": 600, "cost_after": 614}]

    before = moves(shop)
    with pytest.raises(ValidationError, match="more than the 10 outstanding"):
        pur.receive(m, po.id, [(vid(shop, "COF"), Decimal(6)), (vid(shop, "COF"), Decimal(5))])
    with pytest.raises(ValidationError, match="TS-M is not on PO-000001"):
        pur.receive(m, po.id, [(vid(shop, "TS-M"), Decimal(1))])
    with pytest.raises(ValidationError, match="not whole"):
        pur.receive(m, po.id, [(vid(shop, "TEA"), Decimal("0.5"))])
    assert moves(shop) == before and pur.order(m, po.id).lines[0].received == 10

    po = pur.receive(m, po.id)  # the rest
    assert po.status is POStatus.RECEIVED and all(ln.outstanding == 0 for ln in po.lines)
    assert shop.app.stock.on_hand("TEA") == 54 and shop.app.stock.on_hand("COF") == 80
    with pytest.raises(StateError, match="already received"):
        pur.close_order(m, po.id)
    assert [o.number for o in pur.orders(m).rows] == ["PO-000002", "PO-000001"]
    assert [o.number for o in pur.orders(m, status=POStatus.RECEIVED).rows] == [
        "PO-000002", "PO-000001"]
    first = pur.orders(m, limit=1)
    assert [o.number for o in pur.orders(m, limit=1, after=first.next_cursor).rows] == [
        "PO-000001"]
    assert pur.orders(m).rows[1].total == 12000 + 796


def test_close_early_and_bad_orders(shop: Shop) -> None:
    pur, m = shop.app.purchasing, shop.manager
    pur.add_supplier(m, "ACME", "Acme")
    po = pur.place_order(m, pur.create_order(m, "ACME", [
        POLineInput(vid(shop, "COF"), Decimal(10), 600)]).id)
    pur.receive(m, po.id, [(vid(shop, "COF"), Decimal(4))])
    assert pur.close_order(m, po.id).status is POStatus.CLOSED
    assert shop.app.stock.on_hand("COF") == 54
    draft = pur.create_order(m, "ACME", [POLineInput(vid(shop, "TEA"), Decimal(1), 100)])
    assert pur.close_order(m, draft.id).status is POStatus.CANCELLED
    for lines, message in (([], "at least one line"),
                           ([POLineInput(vid(shop, "TEA"), Decimal(0), 100)], "positive"),
                           ([POLineInput(vid(shop, "TEA"), Decimal(1), -1)], "negative"),
                           ([POLineInput(vid(shop, "TEA"), Decimal(1), 1),
                             POLineInput(vid(shop, "TEA"), Decimal(1), 1)], "twice")):
        with pytest.raises(ValidationError, match=message):
            pur.create_order(m, "ACME", lines)
    with pytest.raises(NotFound):
        pur.create_order(m, "NOPE", [POLineInput(vid(shop, "TEA"), Decimal(1), 1)])
    with pytest.raises(PermissionDenied):
        pur.orders(shop.cashier)
    assert [o.number for o in pur.orders(m).rows] == ["PO-000002", "PO-000001"]


def test_reorder_rule() -> None:
    # 56 sold in 28 days = 2/day; 7 days' lead time -> 14 expected while waiting
    assert suggest_reorder(Decimal(5), Decimal(0), Decimal(10), Decimal(56), 28, 7,
                           True) == (14, 9)  # max(10, 14) - 5
    assert suggest_reorder(Decimal(5), Decimal(6), Decimal(10), Decimal(0), 28, 7,
                           True) == (0, 0)  # 5 on hand + 6 on order cover the point of 10
    assert suggest_reorder(Decimal(1), Decimal(0), Decimal(0), Decimal(10), 28, 7,
                           True) == (3, 2)  # 2.5 -> 3 units expected; 1.5 -> 2 to order
    assert suggest_reorder(Decimal("0.2"), Decimal(0), Decimal(0), Decimal("4.1"), 7, 2,
                           False) == (Decimal("1.172"), Decimal("0.972"))  # weighed: grams


def test_reorder_suggestions_from_points_sales_and_open_orders(shop: Shop) -> None:
    app, m = shop.app, shop.manager
    app.catalog_admin.edit_variant(m, vid(shop, "TEA"), reorder_point=Decimal(60))
    co = app.checkout
    for _ in range(4):  # 40 coffees sold in the window
        cart = co.new_cart()
        co.scan(cart, COFFEE, shop.cashier, Decimal(10))
        co.pay_cash(cart, co.cash_due(cart), shop.cashier)
        co.complete(cart, shop.cashier)
    app.purchasing.add_supplier(m, "SLOW", "Slow boat", lead_time_days=28)
    rows = {r.sku: r for r in app.purchasing.reorder_suggestions(m, days=28, supplier="SLOW")}
    assert set(rows) == {"COF", "TEA"}
    cof = rows["COF"]  # 40 sold / 28 days x 28 days = 40 needed, 10 left
    assert (cof.on_hand, cof.sold, cof.forecast, cof.suggested) == (10, 40, 40, 30)
    assert rows["TEA"].suggested == 10  # reorder point 60, 50 on hand
    app.purchasing.place_order(m, app.purchasing.create_order(m, "SLOW", [
        POLineInput(vid(shop, "TEA"), Decimal(10), 100)]).id)
    rows = {r.sku: r for r in app.purchasing.reorder_suggestions(m, lead_time_days=7)}
    assert "TEA" not in rows  # on order covers it
    assert "COF" not in rows  # a week's lead time: 10 expected, 10 on hand
    with pytest.raises(ValidationError, match="1 to 366"):
        app.purchasing.reorder_suggestions(m, days=0)
