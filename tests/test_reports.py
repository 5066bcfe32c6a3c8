"""Reports over store-local days, checked against sums computed here from the sales made."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pos_app.domain.errors import PermissionDenied, ValidationError
from pos_app.domain.ids import new_id_str
from pos_app.domain.money import round_half_up
from pos_app.domain.pricing import Discount
from pos_app.domain.sale import CompletedSale
from pos_app.domain.users import User

from .conftest import COFFEE, Shop

BERLIN = ZoneInfo("Europe/Berlin")
D1, D2 = date(2026, 3, 28), date(2026, 3, 29)  # D2 is the spring DST change in Berlin


def move(shop: Shop, sale: CompletedSale, local: datetime) -> CompletedSale:
    """Put a sale at a chosen local time (the report only reads completed_at)."""
    at = local.replace(tzinfo=BERLIN).astimezone(UTC)
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    con.execute("update sales set completed_at=? where id=?",
                (at.strftime("%Y-%m-%d %H:%M:%S.%f"), sale.id))
    con.commit()
    con.close()
    return replace(sale, completed_at=at)


def sell(shop: Shop, user: User, items: list[tuple[str, Decimal]], *, card: bool = False,
         discount: Discount | None = None) -> CompletedSale:
    co = shop.app.checkout
    cart = co.new_cart()
    for code, qty in items:
        co.scan(cart, code, user, qty)
    if discount:
        co.set_order_discount(cart, discount, shop.manager)
    if card:
        co.pay_card(cart, user, co.remaining(cart))
    else:
        co.pay_cash(cart, co.cash_due(cart) + 500, user)
    return co.complete(cart, user)


@pytest.fixture
def sales(shop: Shop) -> list[CompletedSale]:
    app = shop.app
    app.settings.set(shop.admin, "timezone", "Europe/Berlin")
    for sku, cost in (("COF", 700), ("TS-M", 812)):
        app.catalog_admin.edit_variant(shop.manager, app.catalog.variant(sku).id, cost=cost)
    rng = random.Random(7)
    made = []
    times = [datetime(2026, 3, 28, 9, 5), datetime(2026, 3, 28, 9, 55),
             datetime(2026, 3, 28, 13, 30), datetime(2026, 3, 28, 23, 59),
             datetime(2026, 3, 29, 0, 1), datetime(2026, 3, 29, 3, 30),  # after the DST jump
             datetime(2026, 3, 29, 18, 45), datetime(2026, 3, 30, 8, 0),  # outside the range
             datetime(2026, 3, 27, 23, 59)]  # outside too
    for i, local in enumerate(times):
        items = [(rng.choice([COFFEE, "TEA", "TS-M", "TS-L"]), Decimal(rng.randint(1, 3)))
                 for _ in range(rng.randint(1, 3))]
        if i % 3 == 0:
            items.append(("APL", Decimal("0.735")))
        user = shop.cashier if i % 2 == 0 else shop.supervisor
        discount = Discount(percent=Decimal(5)) if i in (2, 6) else None
        made.append(move(shop, sell(shop, user, items, card=i % 4 == 1, discount=discount),
                         local))
    rs, co = app.returns, app.checkout
    cart = co.new_cart()  # return one unit of the first line of sale 2, by receipt
    rs.add_return_line(cart, rs.original(made[2].receipt_no), 1, Decimal(1), shop.cashier,
                       restock=False)
    rs.refund(cart, shop.cashier)
    made.append(move(shop, co.complete(cart, shop.cashier), datetime(2026, 3, 29, 10, 0)))
    return made


def in_range(sales: list[CompletedSale]) -> list[CompletedSale]:
    return [s for s in sales if s.completed_at.astimezone(BERLIN).date() in (D1, D2)]


def test_sales_by_day_and_hour_in_store_local_time(shop: Shop,
                                                   sales: list[CompletedSale]) -> None:
    rep = shop.app.reports
    rows = rep.sales_by_day(shop.manager, D1, D2)
    assert [r.period for r in rows] == ["2026-03-28", "2026-03-29"]
    for row in rows:
        docs = [s for s in in_range(sales)
                if s.completed_at.astimezone(BERLIN).date().isoformat() == row.period]
        sold = [ln for s in docs for ln in s.lines if ln.qty > 0]
        back = [ln for s in docs for ln in s.lines if ln.qty < 0]
        assert row.sales == sum(1 for s in docs if s.kind == "sale")
        assert row.returns == sum(1 for s in docs if s.kind == "return")
        assert row.gross == sum(ln.total for ln in sold)
        assert row.refunds == sum(ln.total for ln in back)
        assert row.net == sum(s.total for s in docs)
        assert row.tax == sum(s.tax_total for s in docs)
        assert row.discounts == sum(ln.promo_discount + ln.line_discount + ln.order_discount
                                    for ln in sold)
        assert row.items == sum((ln.qty for s in docs for ln in s.lines), Decimal(0))
        assert row.average_basket == round_half_up(Decimal(row.gross) / row.sales)
    assert rows[0].sales == 4 and rows[1].sales == 3  # 23:59 and 00:01 on their own days
    hours = rep.sales_by_hour(shop.manager, D1, D2)
    assert len(hours) == 24 and hours[9].period == "09:00"
    by_hour: dict[int, int] = defaultdict(int)
    for s in in_range(sales):
        by_hour[s.completed_at.astimezone(BERLIN).hour] += s.total
    assert {int(r.period[:2]): r.net for r in hours if r.net} == dict(by_hour)
    assert hours[2].sales == 0  # 02:00-03:00 did not exist on 29 March in Berlin
    assert sum(r.net for r in hours) == sum(r.net for r in rows)
    assert rep.sales_by_day(shop.manager, date(2026, 1, 1), date(2026, 1, 1))[0].gross == 0
    with pytest.raises(ValidationError, match="before it starts"):
        rep.sales_by_day(shop.manager, D2, D1)
    with pytest.raises(PermissionDenied):
        rep.sales_by_day(shop.supervisor, D1, D2)


def test_items_categories_margin_tenders_taxes(shop: Shop, sales: list[CompletedSale]) -> None:
    rep, m = shop.app.reports, shop.manager
    docs = in_range(sales)
    lines = [ln for s in docs for ln in s.lines]
    items = rep.top_items(m, D1, D2, limit=50)
    assert [r.revenue for r in items] == sorted((r.revenue for r in items), reverse=True)
    for row in items:
        mine = [ln for ln in lines if ln.variant_id == row.key]
        assert row.sku == mine[0].sku and row.qty == sum((ln.qty for ln in mine), Decimal(0))
        assert row.revenue == sum(ln.total for ln in mine)
        assert row.net == sum(ln.total - ln.tax for ln in mine)
        costed = [ln for ln in mine if ln.unit_cost is not None]
        if costed:
            cost = round_half_up(sum((ln.unit_cost * ln.qty for ln in costed  # type: ignore[operator]
                                      ), Decimal(0)))
            assert row.cost == cost
            assert row.margin == sum(ln.total - ln.tax for ln in costed) - cost
        else:
            assert row.cost is None and row.margin is None and row.uncosted_qty == row.qty
    assert {r.sku for r in items if r.cost is not None} <= {"COF", "TS-M"}
    assert sum(r.revenue for r in items) == sum(s.total for s in docs)
    assert len(rep.top_items(m, D1, D2, limit=2)) == 2
    by_qty = rep.top_items(m, D1, D2, by="qty")
    assert [r.qty for r in by_qty] == sorted((r.qty for r in by_qty), reverse=True)
    cats = {r.name: r for r in rep.top_categories(m, D1, D2)}
    assert set(cats) <= {"Food", "Clothing"}
    assert cats["Clothing"].revenue == sum(ln.total for ln in lines if ln.sku.startswith("TS"))
    with pytest.raises(ValidationError, match="rank by"):
        rep.top_items(m, D1, D2, by="colour")

    tenders = {r.tender: r for r in rep.tender_mix(m, D1, D2)}
    for tender, row in tenders.items():
        pays = [p for s in docs for p in s.payments if p.tender == tender]
        assert row.payments == len(pays)
        assert row.net == sum(p.amount for p in pays)
        assert row.refunded == sum(p.amount for p in pays if p.amount < 0)
    assert sum(r.net for r in tenders.values()) == sum(s.amount_due for s in docs)

    taxes = rep.tax_summary(m, D1, D2)
    expect: dict[tuple[str, Decimal], list[int]] = defaultdict(lambda: [0, 0])
    for s in docs:
        for t in s.taxes:
            expect[(t.code, t.rate)][0] += t.base
            expect[(t.code, t.rate)][1] += t.tax
    assert {(t.code, t.rate): [t.base, t.tax] for t in taxes} == dict(expect)


def test_discounts_refunds_cashiers_and_csv(shop: Shop, sales: list[CompletedSale]) -> None:
    app, m = shop.app, shop.manager
    cart = app.checkout.new_cart()  # a voided line and a no-sale by the supervisor (today)
    line = app.checkout.scan(cart, COFFEE, shop.supervisor)
    app.checkout.remove_line(cart, line.key, shop.supervisor)
    app.shifts.cash_movement(shop.supervisor, "no_sale", 0, "change")
    rep = app.reports
    docs = in_range(sales)
    disc = rep.discounts(m, D1, D2)
    assert [(d.kind, d.amount) for d in disc] == [
        ("order", sum(ln.order_discount for s in docs for ln in s.lines))]
    refunds = rep.refunds(m, D1, D2)
    ret = sales[-1]
    assert [(r.receipt_no, r.original_receipt, r.amount, r.items, r.restocked)
            for r in refunds] == [(ret.receipt_no, sales[2].receipt_no, ret.total, 1, 0)]
    people = {r.username: r for r in rep.cashiers(m, D1, D2)}
    for username, user in (("cashier", shop.cashier), ("supervisor", shop.supervisor)):
        mine = [s for s in docs if s.cashier_id == user.id]
        sold = [ln for s in mine for ln in s.lines if ln.qty > 0]
        row = people[username]
        assert row.sales == sum(1 for s in mine if s.kind == "sale")
        assert row.revenue == sum(ln.total for ln in sold)
        assert row.refunded == sum(ln.total for s in mine for ln in s.lines if ln.qty < 0)
        assert row.average_basket == round_half_up(Decimal(row.revenue) / row.sales)
    assert people["cashier"].refunds == 1 and people["supervisor"].voided_lines == 0
    today = datetime.now(BERLIN).date()
    now = {r.username: r for r in rep.cashiers(m, today - timedelta(days=1), today)}
    assert (now["supervisor"].voided_lines, now["supervisor"].voided,
            now["supervisor"].no_sales) == (1, 1299, 1)

    text = rep.export_csv(m, "sales", D1, D2)
    rows = list(csv.DictReader(io.StringIO(text)))
    first = rep.sales_by_day(m, D1, D2)[0]
    assert rows[0]["period"] == "2026-03-28" and rows[0]["gross"] == f"{first.gross / 100:.2f}"
    assert list(rows[0]) == ["period", "sales", "returns", "items", "gross", "discounts",
                             "refunds", "net", "tax", "average_basket"]
    empty = rep.export_csv(m, "refunds", date(2020, 1, 1), date(2020, 1, 2))
    assert empty.startswith("sale_id,receipt_no,") and empty.count("\n") == 1
    items = list(csv.DictReader(io.StringIO(rep.export_csv(m, "items", D1, D2, limit=3))))
    assert len(items) == 3 and items[0]["margin"] in ("", items[0]["margin"])
    with pytest.raises(ValidationError, match="unknown report"):
        rep.export_csv(m, "weather", D1, D2)
    with pytest.raises(ValidationError, match="for timezone"):
        app.settings.set(shop.admin, "timezone", "Mars/Olympus")


def test_reports_over_20000_sales_are_fast(shop: Shop) -> None:
    """Bulk-insert 20,000 sales (two lines each) over 30 days and time every report."""
    app = shop.app
    template = sell(shop, shop.cashier, [(COFFEE, Decimal(2)), ("TS-M", Decimal(1))])
    start = datetime(2026, 2, 1, 7, tzinfo=UTC)
    n = 20_000
    with app.store.tx(write=True) as tx:
        for i in range(n):
            sid = new_id_str()
            tx.add_sale(replace(
                template, id=sid, receipt_no=f"S1-T9-{i:06d}", seq=i + 100, till_id=app.ctx.till_id,
                completed_at=start + timedelta(minutes=i * 2.16),
                lines=tuple(replace(ln, id=new_id_str()) for ln in template.lines),
                payments=tuple(replace(p, id=new_id_str()) for p in template.payments)))
        tx.commit()
    first, last = date(2026, 2, 1), date(2026, 3, 3)
    timings = {}
    for name in ("sales", "hours", "items", "categories", "tenders", "tax", "discounts",
                 "cashiers"):
        t0 = time.perf_counter()
        rows = app.reports.report(shop.manager, name, first, last)
        timings[name] = time.perf_counter() - t0
        assert rows or name == "discounts"  # the sales carry no discounts
    total = sum(r.net for r in app.reports.sales_by_day(shop.manager, first, last))
    assert total == n * template.total
    print("report timings over 20,000 sales (s):",
          {k: round(v, 3) for k, v in timings.items()})
    assert max(timings.values()) < 5.0, timings
