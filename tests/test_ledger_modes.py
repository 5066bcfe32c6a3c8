"""Ledger connectors: cost of goods sold at the sale's cost, and daily summaries that are
posted once per day and till, survive a crash before the acknowledgement, take late
events as adjustments, and match the Z report to the cent."""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from beancount import loader

from pos_app.app import build_sync_engine, sync_admin, sync_store
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from sync.health import sync_health

from .conftest import COFFEE, Shop
from .test_beancount import BEAN_CHECK, MAPPING, add_ledger, assert_matches_report, trade
from .test_sync import Clock, drain

COST_MAPPING = {**MAPPING, "cogs": "Expenses:COGS", "inventory": "Assets:Inventory",
                "revenue.ZERO": "Income:Sales:Zero", "tax.ZERO": "Liabilities:VAT:Zero"}


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def mugs(shop: Shop) -> None:
    """Mugs at a known cost: 3 sold, one back on the shelf, one back but broken."""
    app, u = shop.app, shop.cashier
    app.catalog.add_product(shop.manager, NewProduct("Mug", "STD", (
        NewVariant("MUG", 800, cost=325),), "Kitchen"))
    app.stock.adjust(shop.admin, "MUG", Decimal(20), "delivery", MovementKind.RECEIVING)
    co, rs = app.checkout, app.returns
    cart = co.new_cart()
    co.scan(cart, "MUG", u, Decimal(3))
    co.scan(cart, COFFEE, u)  # no cost recorded: no cost posting for it
    co.pay_cash(cart, 5000, u)
    sale = co.complete(cart, u)
    for restock in (True, False):
        back = co.new_cart()
        rs.add_return_line(back, sale, 1, Decimal(1), u, restock=restock)
        rs.refund(back, u)
        co.complete(back, u)


def beancount_balances(ledger: Path) -> tuple[dict[str, Decimal], list[Any]]:
    check = subprocess.run([BEAN_CHECK, str(ledger)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    entries, errors, _ = loader.load_file(str(ledger))
    assert errors == []
    txns = [e for e in entries if type(e).__name__ == "Transaction"]
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for txn in txns:
        for p in txn.postings:
            balance[p.account] += p.units.number
    return balance, txns


def test_cost_of_goods_sold_moves_inventory_at_the_sales_cost(shop: Shop,
                                                               tmp_path: Path) -> None:
    trade(shop)
    mugs(shop)
    ledger = tmp_path / "books.beancount"
    assert add_ledger(shop, ledger, COST_MAPPING) == 0
    clock = Clock()
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    drain(eng, clock)
    eng.close()
    balance, txns = beancount_balances(ledger)
    assert len(txns) == 13  # trade's 10 documents, the mug sale and its two returns
    # 3 sold at 3.25, one restocked: 2 x 3.25 left the books' inventory
    assert balance["Expenses:COGS"] == Decimal("6.50")
    assert balance["Assets:Inventory"] == Decimal("-6.50")
    moved = 20 - shop.app.stock.on_hand("MUG")  # the till's own stock agrees
    assert moved == 2 and balance["Assets:Inventory"] == -moved * Decimal("3.25")
    assert_matches_report(balance, shop.app.shifts.x_report(shop.manager))


def test_cost_needs_both_accounts(shop: Shop, tmp_path: Path) -> None:
    half = {**MAPPING, "cogs": "Expenses:COGS"}
    assert add_ledger(shop, tmp_path / "b.beancount", half) == 0
    with pytest.raises(Exception, match="unmapped values: inventory"):
        build_sync_engine(shop.app)


class DiesBeforeAck:
    """The store of an engine process that is killed right after the ledger append,
    before the acknowledgements are recorded."""

    def __init__(self, store: Any) -> None:
        self._store, self.died = store, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def finish(self, *args: Any, **kw: Any) -> None:
        if not self.died:
            self.died = True
            raise SystemExit("killed")
        self._store.finish(*args, **kw)


def test_daily_summary_once_per_day_even_after_a_crash_and_late_events_as_adjustments(
        shop: Shop, tmp_path: Path) -> None:
    ledger = tmp_path / "books.beancount"
    assert add_ledger(shop, ledger, {k: v for k, v in COST_MAPPING.items()
                                     if "ZERO" not in k}) == 0
    assert sync_admin(shop.app).set_connector(shop.admin, "books", {"entries": "daily"})
    clock = Clock()
    first = build_sync_engine(shop.app)  # the service, running all day
    first.clock, first.sleep = clock, clock.advance
    trade(shop)
    mugs(shop)
    # gift wrap at a new zero rate the books have no account for yet
    shop.app.catalog.add_tax_category(shop.admin, "ZERO", "Zero rated", "0")
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift wrap", "ZERO", (
        NewVariant("WRAP", 150, ("2000000000015",)),)))
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, "WRAP", shop.cashier)
    co.pay_cash(cart, 200, shop.cashier)
    co.complete(cart, shop.cashier)
    first.run_until_idle()
    # during the day nothing is posted: the documents wait for the day's summary
    assert not ledger.exists() or "pos_batch" not in ledger.read_text()
    [h] = sync_health(first.store, clock())
    assert h.state == "ok" and h.held == 14 and h.oldest_pending_s is None
    z = shop.app.shifts.close(shop.manager, {"cash": 0})  # the Z report of the day

    # after midnight (and the hour's delay) the day is over: one summary is appended, and
    # the process dies before it records that
    today = datetime.now().astimezone().date()
    clock.now = datetime.combine(today + timedelta(days=1), time(1, 5)).astimezone()
    first.store = DiesBeforeAck(first.store)
    with pytest.raises(SystemExit):
        first.run_until_idle()
    assert ledger.read_text().count("pos_batch:") == 1
    [dead] = sync_store(shop.app).dead_letters()  # recorded before the summary was posted
    assert "unmapped: revenue.ZERO" in dead.error

    # the mapping is fixed (a restart refuses to start without it), then a new engine
    # finds the summary in the ledger: not posted twice, and the refused sale not
    # acknowledged with it
    admin = sync_admin(shop.app)
    admin.set_connector(shop.admin, "books", {"revenue.ZERO": "Income:Sales:Zero",
                                              "tax.ZERO": "Liabilities:VAT:Zero"})
    second = build_sync_engine(shop.app)
    second.clock, second.sleep = clock, clock.advance
    drain(second, clock)
    text = ledger.read_text()
    assert text.count("pos_batch:") == 1 and text.count("POS daily summary") == 1
    assert re.search(r'pos_documents: "13"', text)
    assert [d.event_id for d in sync_store(shop.app).dead_letters()] == [dead.event_id]

    # the late one, retried: posted as an adjustment of that day
    admin.retry(shop.admin, dead.event_id)
    drain(second, clock)
    second.close()
    balance, txns = beancount_balances(ledger)
    assert [t.narration.split(" S1-T1")[0] for t in txns] == ["POS daily summary",
                                                              "POS late entries"]
    assert {t.date for t in txns} == {today}  # both on the day the sales were made
    assert_matches_report(balance, z)
    assert balance["Income:Sales:Zero"] == Decimal("-1.50")
    assert balance["Expenses:COGS"] == Decimal("6.50")
    [st] = sync_store(shop.app).status()
    assert (st.pending, st.dead) == (0, 0)
    assert sync_store(shop.app).reconcile(
        "books", *_day(today)).matches  # every document acknowledged


def _day(day: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min).astimezone()
    return start, start + timedelta(days=1)


def test_hledger_daily_summary_with_cost_matches_the_z_report(shop: Shop,
                                                               tmp_path: Path) -> None:
    from .test_hledger import HledgerWeb, add_hledger

    journal = tmp_path / "shop.journal"
    journal.write_text("commodity 1,000.00 EUR\n")
    server = HledgerWeb(journal)
    try:
        trade(shop)
        mugs(shop)
        z = shop.app.shifts.close(shop.manager, {"cash": 0})
        add_hledger(shop, server.url, {k: v for k, v in COST_MAPPING.items()
                                       if "ZERO" not in k})
        sync_admin(shop.app).set_connector(shop.admin, "hl", {"entries": "daily"})
        clock = Clock()
        eng = build_sync_engine(shop.app)
        eng.clock, eng.sleep = clock, clock.advance
        eng.run_until_idle()
        assert "pos_batch" not in journal.read_text()  # the day is not over yet
        today = datetime.now().astimezone().date()
        clock.now = datetime.combine(today + timedelta(days=2), time.min).astimezone()
        drain(eng, clock)
        eng.close()
        server.stop()
        again = HledgerWeb(journal)  # what hledger itself reads back from its file
        try:
            balance = again.balances()
            tags = [tag for t in httpx.get(f"{again.url}/transactions").json()
                    for tag in t["ttags"]]
        finally:
            again.stop()
    finally:
        server.stop()
    assert journal.read_text().count("pos_batch:") == 1
    # hledger reads the summary's reference back as a tag: the lookup before a re-post
    assert [v for n, v in tags if n == "pos_summary"] == [f"S1-T1/{today.isoformat()}"]
    assert_matches_report(balance, z)
    assert balance["Expenses:COGS"] == Decimal("6.50")
    assert balance["Assets:Inventory"] == Decimal("-6.50")
