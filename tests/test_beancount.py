"""The beancount connector: a ledger that bean-check accepts and that matches the
till's own report to the cent."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader

from pos_app.app import build_sync_engine, sync_store
from pos_app.cli.main import main
from sync.connectors.base import ConfigError

from .conftest import COFFEE, TEA_UPC, Shop
from .test_sync import Clock, drain

BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")
MAPPING = {
    "revenue.STD": "Income:Sales:Standard", "revenue.RED": "Income:Sales:Reduced",
    "tax.STD": "Liabilities:VAT:Standard", "tax.RED": "Liabilities:VAT:Reduced",
    "tender.cash": "Assets:Cash", "tender.card": "Assets:CardClearing",
    "tender.store_credit": "Liabilities:StoreCredit", "tender.loyalty": "Expenses:Loyalty",
    "rounding": "Income:CashRounding",
}


NAMES = {"STD": "Standard", "RED": "Reduced", "ZERO": "Zero"}
CENT = Decimal("0.01")


def assert_matches_report(balance: dict[str, Decimal], report: dict[str, Any]) -> None:
    """Ledger balances against the till's own X or Z report, to the cent."""
    assert balance["Assets:Cash"] == Decimal(report["cash"]["sales"]) * CENT
    card = next((t["expected"] for t in report["tenders"] if t["tender"] == "card"), 0)
    assert balance["Assets:CardClearing"] == Decimal(card) * CENT
    for t in report["taxes"]:
        assert balance[f"Liabilities:VAT:{NAMES[t['code']]}"] == -Decimal(t["tax"]) * CENT
        assert balance[f"Income:Sales:{NAMES[t['code']]}"] == -Decimal(t["base"]) * CENT
    assert balance["Income:CashRounding"] == -Decimal(report["rounding"]) * CENT
    assert sum(balance.values()) == 0


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def trade(shop: Shop) -> None:
    """A day's mix: cash with rounding, split card, refunds to card and store credit,
    an exchange, and a sale paid with store credit."""
    app, u = shop.app, shop.cashier
    app.settings.set(shop.admin, "cash_increment", 5)
    co, rs = app.checkout, app.returns
    app.customers.add(u, "C1", "Ada")
    sales = []
    for i in range(6):
        cart = co.new_cart()
        co.scan(cart, COFFEE if i % 2 else TEA_UPC, u, Decimal(1 + i % 3))
        co.scan(cart, "TS-M", u)
        if i % 3 == 0:
            co.pay_card(cart, u, 1000)
        co.pay_cash(cart, co.cash_due(cart) + 100, u)
        sales.append(co.complete(cart, u))
    back = co.new_cart()
    rs.add_return_line(back, sales[0], 1, Decimal(1), u)
    rs.refund(back, u)  # card first
    co.complete(back, u)
    credit = co.new_cart()
    co.attach_customer(credit, "C1", u)
    rs.add_return_line(credit, sales[1], 2, Decimal(1), u)
    rs.refund(credit, u, to="store_credit")
    co.complete(credit, u)
    swap = co.new_cart()
    rs.add_return_line(swap, sales[2], 2, Decimal(1), u)
    co.scan(swap, "TS-L", u)
    co.scan(swap, COFFEE, u)
    co.pay_cash(swap, co.cash_due(swap), u)
    co.complete(swap, u)
    spend = co.new_cart()
    co.attach_customer(spend, "C1", u)
    co.scan(spend, TEA_UPC, u)
    co.pay_store_credit(spend, u, 450)
    co.complete(spend, u)


def add_ledger(shop: Shop, ledger: Path, mapping: dict[str, str]) -> int:
    sets = [x for k, v in mapping.items() for x in ("--set", f"{k}={v}")]
    return main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "beancount", "--name", "books", "--set",
                 f"ledger={ledger}", "--set", "currency=EUR", *sets, "--from-start"])


def test_ledger_passes_bean_check_and_matches_the_x_report(shop: Shop, tmp_path: Path) -> None:
    trade(shop)
    ledger = tmp_path / "books.beancount"
    assert add_ledger(shop, ledger, MAPPING) == 0
    clock = Clock()
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    drain(eng, clock)
    eng.close()
    check = subprocess.run([BEAN_CHECK, str(ledger)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    entries, errors, _ = loader.load_file(str(ledger))
    assert errors == []
    balance: dict[str, Decimal] = defaultdict(Decimal)
    txns = [e for e in entries if type(e).__name__ == "Transaction"]
    for txn in txns:
        for p in txn.postings:
            balance[p.account] += p.units.number
    assert len(txns) == 10  # 6 sales, 2 refunds, 1 exchange, 1 store-credit sale
    x = shop.app.shifts.x_report(shop.manager)
    cents = Decimal("0.01")
    assert balance["Assets:Cash"] == Decimal(x["cash"]["sales"]) * cents
    card = next(t for t in x["tenders"] if t["tender"] == "card")["expected"]
    assert balance["Assets:CardClearing"] == Decimal(card) * cents
    for t in x["taxes"]:
        name = {"STD": "Standard", "RED": "Reduced"}[t["code"]]
        assert balance[f"Liabilities:VAT:{name}"] == -Decimal(t["tax"]) * cents
        assert balance[f"Income:Sales:{name}"] == -Decimal(t["base"]) * cents
    assert balance["Income:CashRounding"] == -Decimal(x["rounding"]) * cents
    # the liability is what the customer can still spend: 19.99 credited, 4.50 spent
    owed = shop.app.customers.get("C1").store_credit
    assert owed == 1549 and balance["Liabilities:StoreCredit"] == -Decimal(owed) * cents
    # and the Z report that closes the shift says the same, to the cent
    assert_matches_report(balance, shop.app.shifts.close(shop.manager, {"cash": 0}))


def test_unmapped_values_refuse_to_start_and_are_listed(shop: Shop, tmp_path: Path,
                                                         capsys) -> None:  # type: ignore[no-untyped-def]
    partial = {k: v for k, v in MAPPING.items() if k not in ("tax.RED", "tender.card")}
    assert add_ledger(shop, tmp_path / "b.beancount", partial) == 0
    with pytest.raises(ConfigError, match=r"unmapped values: tax\.RED, tender\.card"):
        build_sync_engine(shop.app)
    capsys.readouterr()
    assert main(["--data-dir", str(shop.data_dir), "sync", "run", "--once"]) == 1
    assert "tax.RED, tender.card" in capsys.readouterr().err
    assert not (tmp_path / "b.beancount").exists()  # nothing was written


def test_no_double_entry_after_a_crash_before_the_acknowledgement(shop: Shop,
                                                                  tmp_path: Path) -> None:
    trade(shop)
    ledger = tmp_path / "books.beancount"
    assert add_ledger(shop, ledger, MAPPING) == 0
    store = sync_store(shop.app)
    clock = Clock()
    store.enqueue("books", clock(), 1000)
    [first] = [d for d in store.due("books", clock(), 100)
               if d.event.type == "sale.completed"][:1]
    eng = build_sync_engine(shop.app)
    eng.connectors["books"].deliver(first)  # appended; the process "dies" before the ack
    size = ledger.stat().st_size
    eng = build_sync_engine(shop.app)  # a restarted engine reads the ledger again
    eng.clock = clock
    drain(eng, clock)
    text = ledger.read_text()
    assert text.count(f'pos_event: "{first.event.id}"') == 1
    assert ledger.stat().st_size > size
    assert subprocess.run([BEAN_CHECK, str(ledger)]).returncode == 0


def test_setting_names_are_checked(shop: Shop, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert add_ledger(shop, tmp_path / "x.beancount", {"revenue": "Income:X"}) == 1
    assert "unknown setting(s) revenue" in capsys.readouterr().err
    assert sync_store(shop.app).connectors() == []


def test_a_torn_append_is_cut_off_and_written_again(shop: Shop, tmp_path: Path) -> None:
    trade(shop)
    ledger = tmp_path / "books.beancount"
    ledger.write_text('option "operating_currency" "EUR"\n\n; the accountant\'s own\n'
                      "2000-01-01 open Equity:Opening\n\n")
    assert add_ledger(shop, ledger, MAPPING) == 0
    store = sync_store(shop.app)
    clock = Clock()
    store.enqueue("books", clock(), 1000)
    sales = [d for d in store.due("books", clock(), 100) if d.event.type == "sale.completed"]
    eng = build_sync_engine(shop.app)
    eng.connectors["books"].deliver(sales[0])
    whole = ledger.read_bytes()
    eng.connectors["books"].deliver(sales[1])
    # the process is killed while the second append is being written: half of it is there
    torn = ledger.read_bytes()[:len(whole) + (len(ledger.read_bytes()) - len(whole)) // 2]
    ledger.write_bytes(torn)
    assert subprocess.run([BEAN_CHECK, str(ledger)], capture_output=True).returncode != 0
    eng = build_sync_engine(shop.app)  # the restarted engine repairs the file first
    assert ledger.read_bytes() == whole
    eng.clock = clock
    drain(eng, clock)
    eng.close()
    text = ledger.read_text()
    assert "the accountant's own" in text and "Equity:Opening" in text  # never touched
    assert text.count(f'pos_event: "{sales[1].event.id}"') == 1
    assert text.count("pos_event:") == 10
    assert subprocess.run([BEAN_CHECK, str(ledger)]).returncode == 0
