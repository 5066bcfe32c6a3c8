"""Stock per location: levels, adjustments with reasons, count sessions, transfers."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from pos_app.domain.inventory import CountStatus

from .conftest import COFFEE, Shop


def vid(shop: Shop, sku: str) -> str:
    return shop.app.catalog.variant(sku).id


def db_counts(shop: Shop) -> tuple[int, int, int]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        return tuple(con.execute(  # type: ignore[return-value]
            "select (select count(*) from stock_movements), (select count(*) from outbox),"
            " (select sum(on_hand_milli) from stock_levels)").fetchone())
    finally:
        con.close()


def last_stock_event(shop: Shop) -> dict[str, object]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        return json.loads(con.execute("select payload from outbox where type='stock.moved'"
                                      " order by id desc limit 1").fetchone()[0])  # type: ignore[no-any-return]
    finally:
        con.close()


def sell(shop: Shop, code: str, qty: int) -> None:
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, code, shop.cashier, Decimal(qty))
    co.pay_cash(cart, co.cash_due(cart), shop.cashier)
    co.complete(cart, shop.cashier)


def test_locations_and_paged_levels_with_reorder_points(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    assert [(loc.code, loc.is_till) for loc in inv.locations(m)] == [("MAIN", True)]
    back = inv.add_location(m, "back", "Back room")
    assert back.code == "BACK" and len(inv.locations(m)) == 2
    with pytest.raises(ValidationError, match="already exists"):
        inv.add_location(m, "BACK", "Again")
    shop.app.catalog_admin.edit_variant(m, vid(shop, "TEA"), reorder_point=Decimal(60))
    skus, after = [], None
    while True:
        page = inv.stock(m, limit=2, after=after)
        skus += [(r.sku, r.on_hand) for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert skus == [("APL", 0), ("COF", 50), ("TEA", 50), ("TS-L", 50), ("TS-M", 50)]
    low = inv.stock(m, below_reorder=True).rows
    assert [(r.sku, r.reorder_point, r.below_reorder_point) for r in low] == [
        ("TEA", Decimal(60), True)]
    assert [r.sku for r in inv.stock(m, search="shirt").rows] == ["TS-L", "TS-M"]
    assert [r.sku for r in inv.stock(m, search=COFFEE).rows] == ["COF"]
    assert [r.on_hand for r in inv.stock(m, "BACK").rows][:2] == [0, 0]
    with pytest.raises(PermissionDenied):
        inv.stock(shop.cashier)
    with pytest.raises(NotFound):
        inv.stock(m, "NOWHERE")


def test_adjustments_need_a_reason_that_fits_the_sign(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    row = inv.adjust(m, vid(shop, "COF"), Decimal(-2), "damaged", "dropped a box")
    assert row.on_hand == 48
    moved = last_stock_event(shop)["movements"][0]  # type: ignore[index]
    assert (moved["qty"], moved["kind"], moved["reason"]) == (
        "-2.000", "adjustment", "damaged: dropped a box")
    assert inv.adjust(m, vid(shop, "COF"), Decimal(1), "found").on_hand == 49
    assert inv.adjust(m, vid(shop, "APL"), Decimal("1.25"), "correction").on_hand == Decimal(
        "1.25")
    before = db_counts(shop)
    for delta, reason, message in ((Decimal(3), "theft", "give a negative"),
                                   (Decimal(-1), "found", "positive"),
                                   (Decimal(1), "gift", "unknown reason"),
                                   (Decimal(0), "correction", "zero"),
                                   (Decimal("0.5"), "correction", "not whole")):
        with pytest.raises(ValidationError, match=message):
            inv.adjust(m, vid(shop, "COF"), delta, reason)
    assert db_counts(shop) == before


def test_count_session_commits_differences_at_once_and_keeps_later_sales(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    session = inv.start_count(m, note="aisle 1")
    assert session.number == "SC-000001" and session.status is CountStatus.OPEN
    inv.enter_counts(m, session.id, [(vid(shop, "COF"), Decimal(47)),
                                     (vid(shop, "TEA"), Decimal(50))])
    inv.enter_counts(m, session.number, [(vid(shop, "TS-M"), Decimal(20))])
    inv.enter_counts(m, session.id, [(vid(shop, "TS-M"), Decimal(28))], add=True)
    sell(shop, COFFEE, 2)  # sold after counting, before the count is committed
    review = inv.count(m, session.id)
    assert [(ln.sku, ln.counted, ln.expected, ln.difference) for ln in review.lines] == [
        ("COF", 47, 50, -3), ("TEA", 50, 50, 0), ("TS-M", 48, 50, -2)]
    assert shop.app.stock.on_hand("COF") == 48  # nothing posted yet
    done = inv.commit_count(m, session.id)
    assert done.status is CountStatus.COMMITTED and len(done.differences) == 2
    assert shop.app.stock.on_hand("COF") == 45  # 47 counted, then 2 sold
    assert shop.app.stock.on_hand("TS-M") == 48 and shop.app.stock.on_hand("TEA") == 50
    event = last_stock_event(shop)
    assert event["ref"] == "SC-000001"
    assert sorted(mv["qty"] for mv in event["movements"]) == ["-2.000", "-3.000"]  # type: ignore[attr-defined]
    before = db_counts(shop)
    with pytest.raises(StateError, match="committed"):
        inv.enter_counts(m, session.id, [(vid(shop, "COF"), Decimal(1))])
    with pytest.raises(StateError, match="committed"):
        inv.commit_count(m, session.id)
    other = inv.start_count(m)
    with pytest.raises(ValidationError, match="negative"):
        inv.enter_counts(m, other.id, [(vid(shop, "COF"), Decimal(3)),
                                       (vid(shop, "TEA"), Decimal(-1))])
    assert inv.count(m, other.id).lines == ()  # the good line was not kept either
    with pytest.raises(StateError, match="no counted items"):
        inv.commit_count(m, other.id)
    assert inv.cancel_count(m, other.id).status is CountStatus.CANCELLED
    assert db_counts(shop)[0] == before[0]
    assert [s.number for s in inv.count_sessions(m)] == ["SC-000002", "SC-000001"]


def test_transfer_document_moves_out_and_in(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    inv.add_location(m, "WH", "Warehouse")
    doc = inv.transfer(m, "WH", [(vid(shop, "COF"), Decimal(5)), (vid(shop, "TS-L"), Decimal(2))],
                       note="to the warehouse")
    assert doc.number == "TR-000001" and [ln.sku for ln in doc.lines] == ["COF", "TS-L"]
    assert shop.app.stock.on_hand("COF") == 45
    assert inv.level(m, vid(shop, "COF"), "WH").on_hand == 5
    assert inv.level(m, vid(shop, "TS-L"), "WH").on_hand == 2
    moves = last_stock_event(shop)["movements"]
    assert [(mv["qty"], mv["kind"]) for mv in moves] == [  # type: ignore[attr-defined]
        ("-5.000", "transfer"), ("5.000", "transfer"), ("-2.000", "transfer"),
        ("2.000", "transfer")]
    back = inv.transfer(m, "MAIN", [(vid(shop, "COF"), Decimal(5))], from_location="WH")
    assert shop.app.stock.on_hand("COF") == 50
    assert [t.number for t in inv.transfers(m).rows] == [back.number, doc.number]
    page = inv.transfers(m, limit=1)
    assert [t.number for t in inv.transfers(m, limit=1, after=page.next_cursor).rows] == [
        doc.number]
    assert inv.transfer_doc(m, "TR-000001").lines == doc.lines
    before = db_counts(shop)
    with pytest.raises(ValidationError, match="cannot move 3, 2 on hand"):
        inv.transfer(m, "MAIN", [(vid(shop, "TS-L"), Decimal(1)), (vid(shop, "TS-L"),
                                                                  Decimal(2))],
                     from_location="WH")
    with pytest.raises(ValidationError, match="different locations"):
        inv.transfer(m, "MAIN", [(vid(shop, "COF"), Decimal(1))])
    with pytest.raises(ValidationError, match="positive"):
        inv.transfer(m, "WH", [(vid(shop, "COF"), Decimal(0))])
    assert db_counts(shop) == before


def test_weighed_items_count_in_grams(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    shop.app.catalog.add_product(m, NewProduct("Cheese", "RED", (NewVariant("CHZ", 2490),),
                                               sold_by_weight=True))
    session = inv.start_count(m)
    inv.enter_counts(m, session.id, [(vid(shop, "CHZ"), Decimal("2.345"))])
    inv.commit_count(m, session.id)
    assert shop.app.stock.on_hand("CHZ") == Decimal("2.345")


def test_find_names_one_item_by_exact_sku_or_barcode_only(shop: Shop) -> None:
    inv, m = shop.app.inventory, shop.manager
    back = inv.add_location(m, "BACK", "Back room")
    assert inv.find(m, "TEA").sku == "TEA" and inv.find(m, " ts-m ").sku == "TS-M"
    assert inv.find(m, "0" + "036000291452").sku == "TEA"  # UPC-A as GTIN-13
    row = inv.find(m, COFFEE, back.code)
    assert (row.sku, row.location_id, row.on_hand) == ("COF", back.id, 0)
    assert inv.find(m, COFFEE).on_hand == 50
    with pytest.raises(NotFound):
        inv.find(m, "TS")  # a prefix of TS-M and TS-L is no item
    with pytest.raises(PermissionDenied):
        inv.find(shop.cashier, "TEA")
