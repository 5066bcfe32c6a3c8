"""Back-office catalog editing on a real store: paging, edits, matrix, barcodes, taxes."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal

import pytest

from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.errors import NotFound, PermissionDenied, StateError, ValidationError

from .conftest import COFFEE, TEA_UPC, Shop


def db(shop: Shop) -> sqlite3.Connection:
    return sqlite3.connect(shop.data_dir / "pos.sqlite3")


def outbox(shop: Shop, type_: str) -> list[dict[str, object]]:
    con = db(shop)
    try:
        return [json.loads(r[0]) for r in con.execute(
            "select payload from outbox where type=? order by id", (type_,))]
    finally:
        con.close()


def counts(shop: Shop) -> tuple[int, int, int, int]:
    con = db(shop)
    try:
        return tuple(con.execute(  # type: ignore[return-value]
            "select (select count(*) from outbox), (select count(*) from audit_log),"
            " (select count(*) from variants), (select count(*) from barcodes)").fetchone())
    finally:
        con.close()


def product_id(shop: Shop, sku: str) -> str:
    return shop.app.catalog.variant(sku).product_id


def test_products_page_by_name_and_search_by_word_sku_and_barcode(shop: Shop) -> None:
    admin, ca = shop.manager, shop.app.catalog_admin
    for i in range(7):
        shop.app.catalog.add_product(admin, NewProduct(f"Mug {i}", "STD",
                                                       (NewVariant(f"MUG-{i}", 500 + i),)))
    seen: list[str] = []
    after = None
    while True:
        page = ca.products(admin, limit=3, after=after)
        assert len(page.rows) <= 3
        seen += [r.name for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    names = ["Apples", "Coffee", "Green tea", *(f"Mug {i}" for i in range(7)), "T-shirt"]
    assert seen == names  # every product once, in name order, across 4 pages
    shirt = next(r for r in ca.products(admin, "shirt").rows)
    assert (shirt.variants, shirt.min_price, shirt.max_price, shirt.tax_code) == (
        2, 1999, 1999, "STD")
    assert [r.name for r in ca.products(admin, "mug", limit=5).rows] == names[3:8]
    second = ca.products(admin, "mug", limit=5, after=ca.products(admin, "mug", limit=5)
                         .next_cursor)
    assert [r.name for r in second.rows] == names[8:10] and second.next_cursor is None
    assert [r.name for r in ca.products(admin, "TS-L").rows] == ["T-shirt"]
    assert [r.name for r in ca.products(admin, "0" + TEA_UPC).rows] == ["Green tea"]
    with pytest.raises(PermissionDenied):
        ca.products(shop.cashier)
    with pytest.raises(ValidationError, match="1 to 500"):
        ca.products(admin, limit=0)


def test_product_detail_and_edit_renames_variants_for_the_till(shop: Shop) -> None:
    admin, ca = shop.manager, shop.app.catalog_admin
    pid = product_id(shop, "TS-M")
    detail = ca.product(admin, pid)
    assert [(v.sku, v.size, v.colour, v.price) for v in detail.variants] == [
        ("TS-M", "M", "Red", 1999), ("TS-L", "L", "Red", 1999)]
    assert (detail.tax_code, detail.category, detail.sold_by_weight) == ("STD", "Clothing",
                                                                         False)
    food = next(c for c in ca.categories(admin) if c.name == "Food")
    after = ca.edit_product(admin, pid, name="Polo shirt", category_id=food.id,
                            tax_code="RED", sold_by_weight=False, active=True)
    assert [v.name for v in after.variants] == ["Polo shirt (M / Red)", "Polo shirt (L / Red)"]
    assert after.category == "Food" and after.tax_rate == Decimal("0.07")
    assert [v.name for v in shop.app.checkout.reader.search_variants("polo", 5)] == [
        "Polo shirt (L / Red)", "Polo shirt (M / Red)"]  # the till's index follows
    event = outbox(shop, "product.updated")[-1]
    assert event["changes"] == {"name": {"old": "T-shirt", "new": "Polo shirt"},
                                "category": {"old": "Clothing", "new": "Food"},
                                "tax_code": {"old": "STD", "new": "RED"}}
    before = counts(shop)
    with pytest.raises(ValidationError, match="unknown tax category"):
        ca.edit_product(admin, pid, name="X", category_id=None, tax_code="NOPE",
                        sold_by_weight=False, active=True)
    with pytest.raises(ValidationError, match="1 to 300"):
        ca.edit_product(admin, pid, name="  ", category_id=None, tax_code="STD",
                        sold_by_weight=False, active=True)
    with pytest.raises(NotFound):
        ca.product(admin, "nope")
    assert counts(shop) == before
    ca.edit_product(admin, pid, name="Polo shirt", category_id=food.id, tax_code="RED",
                    sold_by_weight=False, active=False)
    assert not shop.app.checkout.lookup("TS-M")[0].active  # inactive: the till refuses it


def test_variant_matrix_adds_missing_combinations_only(shop: Shop) -> None:
    admin, ca = shop.manager, shop.app.catalog_admin
    pid = product_id(shop, "TS-M")
    plan = ca.plan_matrix(admin, pid, ["M", "L", "XL"], ["Red", "Navy blue"], base_sku="TS")
    assert [(c.size, c.colour, c.sku, c.exists) for c in plan] == [
        ("M", "Red", "TS-M-RED", True), ("M", "Navy blue", "TS-M-NAVYBLUE", False),
        ("L", "Red", "TS-L-RED", True), ("L", "Navy blue", "TS-L-NAVYBLUE", False),
        ("XL", "Red", "TS-XL-RED", False), ("XL", "Navy blue", "TS-XL-NAVYBLUE", False)]
    added = ca.add_matrix(admin, pid, ["M", "L", "XL"], ["Red", "Navy blue"], price=2199,
                          cost=800, reorder_point=Decimal(3), base_sku="TS")
    assert sorted(v.sku for v in added) == ["TS-L-NAVYBLUE", "TS-M-NAVYBLUE",
                                            "TS-XL-NAVYBLUE", "TS-XL-RED"]
    assert {(v.price, v.cost, v.reorder_point) for v in added} == {(2199, 800, Decimal(3))}
    assert len(ca.product(admin, pid).variants) == 6
    assert shop.app.checkout.lookup("TS-XL-NAVYBLUE")[0].name == "T-shirt (XL / Navy blue)"
    event = outbox(shop, "product.updated")[-1]
    assert len(event["variants_added"]) == 4  # type: ignore[arg-type]
    assert ca.add_matrix(admin, pid, ["m", "XL"], ["red"], price=1) == []  # all exist
    before = counts(shop)
    with pytest.raises(ValidationError, match="SKU already exists: COF"):
        ca.add_matrix(admin, pid, ["S"], [], price=100, sku_rule="COF")
    with pytest.raises(ValidationError, match="same SKU"):
        ca.add_matrix(admin, pid, ["S", "XS"], [], price=100, sku_rule="{base}-{colour}")
    with pytest.raises(ValidationError, match="bad SKU rule"):
        ca.add_matrix(admin, pid, ["S"], [], price=100, sku_rule="{base}-{weight}")
    with pytest.raises(ValidationError, match="negative"):
        ca.add_matrix(admin, pid, ["S"], [], price=-1)
    assert counts(shop) == before


def test_price_edit_is_live_for_an_open_till_reader(shop: Shop) -> None:
    app, admin = shop.app, shop.manager
    reader = app.checkout.reader  # the till's long-lived read-only connection
    assert reader.variant_by_sku("COF").price == 1299  # type: ignore[union-attr]
    vid = app.catalog.variant("COF").id
    row = app.catalog_admin.edit_variant(admin, vid, price=1349, cost=700,
                                         reorder_point=Decimal(12))
    assert (row.price, row.cost, row.reorder_point) == (1349, 700, Decimal(12))
    assert reader.variant_by_sku("COF").price == 1349  # type: ignore[union-attr]
    cart = app.checkout.new_cart()
    app.checkout.scan(cart, COFFEE, shop.cashier)
    assert app.checkout.price(cart).total == 1349
    assert outbox(shop, "price.changed")[-1] == {
        "variant_id": vid, "sku": "COF", "currency": "EUR", "old": 1299, "new": 1349}
    changed = outbox(shop, "product.updated")[-1]["variants_changed"]
    assert changed == [{"id": vid, "sku": "COF", "changes": {
        "cost": {"old": 0, "new": 700}, "reorder_point": {"old": "0", "new": "12"}}}]
    before = counts(shop)
    assert app.catalog_admin.edit_variant(admin, vid, price=1349) == row  # nothing changed
    with pytest.raises(PermissionDenied):
        app.catalog_admin.edit_variant(shop.cashier, vid, price=1)
    with pytest.raises(ValidationError, match="more than 3 decimals"):
        app.catalog_admin.edit_variant(admin, vid, reorder_point=Decimal("0.0001"))
    with pytest.raises(ValidationError, match="negative"):
        app.catalog_admin.edit_variant(admin, vid, cost=-5)
    assert counts(shop) == before


def test_barcodes_are_validated_normalised_and_unique(shop: Shop) -> None:
    app, admin, ca = shop.app, shop.manager, shop.app.catalog_admin
    vid = app.catalog.variant("TS-M").id
    assert ca.add_barcode(admin, vid, "4006381333948") == "04006381333948"
    assert app.checkout.lookup("4006381333948")[0].sku == "TS-M"  # scans at once
    assert ca.find_variant(admin, "4006381333948").sku == "TS-M"
    before = counts(shop)
    with pytest.raises(ValidationError, match="wrong check digit"):
        ca.add_barcode(admin, vid, "4006381333949")
    with pytest.raises(ValidationError, match=f"{COFFEE} already belongs to COF"):
        ca.add_barcode(admin, vid, COFFEE)
    with pytest.raises(NotFound, match="has no barcode"):
        ca.remove_barcode(admin, vid, COFFEE)
    assert counts(shop) == before
    ca.remove_barcode(admin, vid, "4006381333948")
    with pytest.raises(NotFound):
        app.checkout.lookup("4006381333948")
    assert ca.find_variant(admin, "TS-M").barcodes == ()


def test_categories_crud(shop: Shop) -> None:
    admin, ca = shop.manager, shop.app.catalog_admin
    drinks = ca.add_category(admin, "Drinks")
    tea = ca.add_category(admin, "Tea", parent_id=drinks.id)
    with pytest.raises(ValidationError, match="already exists"):
        ca.add_category(admin, "drinks")
    with pytest.raises(ValidationError, match="inside itself"):
        ca.edit_category(admin, drinks.id, "Drinks", parent_id=tea.id)
    ca.edit_category(admin, tea.id, "Hot tea", parent_id=drinks.id)
    rows = {c.name: c for c in ca.categories(admin)}
    assert rows["Hot tea"].parent_id == drinks.id and rows["Food"].products == 3
    with pytest.raises(StateError, match="still has 3 products"):
        ca.delete_category(admin, rows["Food"].id)
    with pytest.raises(StateError, match="sub-categories"):
        ca.delete_category(admin, drinks.id)
    ca.delete_category(admin, tea.id)
    ca.delete_category(admin, drinks.id)
    assert "Drinks" not in {c.name for c in ca.categories(admin)}


def test_tax_rate_edit_applies_to_new_sales_only(shop: Shop) -> None:
    app, ca = shop.app, shop.app.catalog_admin
    co, u = app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    co.pay_cash(cart, 1299, u)
    before = co.complete(cart, u)
    assert before.tax_total == 85  # 7 % contained in 12.99
    red = next(t for t in ca.tax_categories(shop.admin) if t.code == "RED")
    assert red.products == 3
    with pytest.raises(PermissionDenied):  # rates are settings: admin only
        ca.edit_tax_category(shop.manager, red.id, "Reduced", "0.10")
    with pytest.raises(ValidationError, match="more than 6 decimals"):
        ca.edit_tax_category(shop.admin, red.id, "Reduced", "0.1234567")
    ca.edit_tax_category(shop.admin, red.id, "Reduced", "0.10")
    cart = co.new_cart()
    co.scan(cart, COFFEE, u)
    co.pay_cash(cart, 1299, u)
    after = co.complete(cart, u)
    assert after.tax_total == 118 and after.lines[0].tax_rate == Decimal("0.1")
    kept = app.returns.original(before.receipt_no)
    assert kept.tax_total == 85 and kept.taxes[0].rate == Decimal("0.07")
    x = app.shifts.x_report(u)
    assert {(t["rate"], t["tax"]) for t in x["taxes"] if t["code"] == "RED"} == {
        ("0.07", 85), ("0.1", 118)}
    assert outbox(shop, "tax_category.changed")[-1]["new_rate"] == "0.10"
    added = ca.add_tax_category(shop.admin, "ZERO", "Zero rated", "0")
    assert added.rate == 0 and "ZERO" in {t.code for t in ca.tax_categories(shop.admin)}
