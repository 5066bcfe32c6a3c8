"""Chaos for the sync engine: 10,000 sales go to a signed webhook and a beancount ledger
while the real ``pos sync run`` service is SIGKILLed at random moments and the receiver
fails a fifth of the requests (timeouts after it committed, 5xx, 429 with Retry-After,
connection resets, answers dropped after committing). In the end each target holds
every sale exactly once and exactly the till's stock, and nothing is left waiting."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader

from pos_app.app import sync_store
from pos_app.cli.main import main
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from sync.health import sync_health
from sync.receiver import receiver

from .conftest import Shop
from .test_beancount import BEAN_CHECK, MAPPING

SECRET = "chaos-secret"
POS = str(Path(sys.executable).parent / "pos")
SALES = 10_000
ITEMS = {"CUP": ("2000000000022", 350, 120), "PLATE": ("2000000000039", 1290, 515),
         "BOWL": ("2000000000046", 875, 333)}  # sku: barcode, price, unit cost
FAST = ["--set", "retry_base_s=0.05", "--set", "retry_cap_s=1", "--set", "breaker_after=8",
        "--set", "breaker_cooldown_s=1"]


def make_sales(shop: Shop, n: int) -> float:
    """n cash sales through the real checkout (one durable transaction each); sales/s."""
    app, u = shop.app, shop.cashier
    for sku, (code, price, cost) in ITEMS.items():
        app.catalog.add_product(shop.manager, NewProduct(sku.title(), "STD", (
            NewVariant(sku, price, (code,), cost=cost),), "Kitchen"))
        app.stock.adjust(shop.admin, sku, Decimal(40_000), "delivery", MovementKind.RECEIVING)
    co, rng = app.checkout, random.Random(1)
    codes = [code for code, _, _ in ITEMS.values()]
    t0 = time.perf_counter()
    for i in range(n):
        cart = co.new_cart()
        for _ in range(1 + i % 2):
            co.scan(cart, rng.choice(codes), u, Decimal(1 + rng.randrange(2)))
        co.pay_cash(cart, co.cash_due(cart), u)
        co.complete(cart, u)
    return n / (time.perf_counter() - t0)


def states(con: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {(c, s): n for c, s, n in con.execute(
        "select connector, state, count(*) from sync_deliveries group by connector, state")}


@pytest.mark.slow
def test_10000_sales_survive_kills_and_faults_exactly_once(
        shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    monkeypatch.setenv("POS_SECRETS", "file")
    per_s = make_sales(shop, SALES)
    made = time.perf_counter()
    print(f"\n{SALES} sales through the checkout at {per_s:.0f}/s")
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    expected = [r[0] for r in con.execute("select id from outbox order by id")]
    ledger = tmp_path / "books.beancount"
    admin = ["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999"]
    books = [x for k, v in {**MAPPING, "cogs": "Expenses:COGS",
                            "inventory": "Assets:Inventory"}.items()
             for x in ("--set", f"{k}={v}")]
    assert main([*admin, "sync", "connector", "add", "beancount", "--name", "books",
                 "--set", f"ledger={ledger}", "--set", "currency=EUR", *books, *FAST,
                 "--from-start"]) == 0

    requests, events = random.Random(21), random.Random(22)

    def request_fault(batch: list[dict[str, object]]) -> str:
        r = requests.random()
        for limit, action in ((0.05, "timeout"), (0.08, "500"), (0.10, "503"), (0.13, "429"),
                              (0.17, "reset"), (0.20, "drop")):
            if r < limit:
                return action
        return "ok"

    def event_fault(event: dict[str, object]) -> str:  # inside batches that went through
        return "503" if events.random() < 0.01 else "ok"

    env = {**os.environ, "POS_DATA_DIR": str(shop.data_dir), "POS_SECRETS": "file"}
    rng = random.Random(11)
    errors = tmp_path / "service.err"
    with receiver(SECRET, event_fault, request_fault=request_fault, stall_s=1.0,
                  retry_after=1) as rcv, open(errors, "w") as err:
        assert main([*admin, "sync", "connector", "add", "webhook", "--name", "hook", "--set",
                     f"url={rcv.url}", "--set", f"secret={SECRET}", "--set", "timeout_s=0.5",
                     "--set", "batch_size=50", *FAST, "--from-start"]) == 0
        kills = 0
        while len(rcv.events) < len(expected) * 0.85:
            service = subprocess.Popen([POS, "sync", "run"], env=env,
                                       stdout=subprocess.DEVNULL, stderr=err)
            target = min(len(expected), len(rcv.events) + rng.randint(300, 3000))
            rcv.wait_for(target, timeout=120)
            with contextlib.suppress(subprocess.TimeoutExpired):  # a little later still,
                service.wait(timeout=rng.uniform(0, 0.4))  # to land anywhere in a round
            service.send_signal(signal.SIGKILL)
            service.wait()
            assert service.returncode == -signal.SIGKILL
            kills += 1
        # the last run, left alone (the faults go on): everything drains
        final = subprocess.Popen([POS, "sync", "run"], env=env, stdout=subprocess.DEVNULL,
                                 stderr=err)
        assert rcv.wait_for(len(expected), timeout=300)
        final.send_signal(signal.SIGTERM)  # a clean stop this time
        assert final.wait(timeout=60) == 0, errors.read_text()[-2000:]
    if states(con).get(("books", "pending")):  # the ledger's last round, if the stop cut it
        assert main(["--data-dir", str(shop.data_dir), "sync", "run", "--until-idle",
                     "--connector", "books"]) == 0

    assert kills >= 5
    # the webhook: every event exactly once (resends after kills and lost answers were
    # recognised by their keys), 10,000 sales, and the till's stock to the unit
    assert sorted(e["id"] for e in rcv.events.values()) == expected
    assert rcv.duplicates > 0 and rcv.bad_signatures == 0
    assert sum(e["type"] == "sale.completed" for e in rcv.events.values()) == SALES
    stock: dict[str, Decimal] = defaultdict(Decimal)
    for e in rcv.events.values():
        if e["type"] == "stock.moved":
            for mv in e["payload"]["movements"]:  # type: ignore[index]
                stock[mv["variant_id"]] += Decimal(mv["qty"])
    variants = dict(con.execute("select sku, id from variants"))
    for sku in ITEMS:
        assert stock[variants[sku]] == shop.app.stock.on_hand(sku)
    # the ledger: bean-check accepts it, each sale once, cash and inventory to the cent
    check = subprocess.run([BEAN_CHECK, str(ledger)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:]
    entries, load_errors, _ = loader.load_file(str(ledger))
    assert load_errors == []
    txns = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(txns) == len({t.meta["pos_event"] for t in txns}) == SALES
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for txn in txns:
        for p in txn.postings:
            balance[p.account] += p.units.number
    x = shop.app.shifts.x_report(shop.manager)
    assert balance["Assets:Cash"] == Decimal(x["cash"]["sales"]) / 100
    sold_at_cost = sum((40_000 - shop.app.stock.on_hand(sku)) * cost
                       for sku, (_, _, cost) in ITEMS.items())
    assert balance["Assets:Inventory"] == -Decimal(sold_at_cost) / 100
    # nothing stuck: every delivery of both connectors is delivered, health says so
    n = len(expected)
    assert states(con) == {("books", "delivered"): n, ("hook", "delivered"): n}
    healths = sync_health(sync_store(shop.app))
    assert [(h.name, h.pending, h.dead, h.in_flight) for h in healths] == [
        ("books", 0, 0, 0), ("hook", 0, 0, 0)]
    print(f"chaos: {kills} kills, {rcv.requests} requests, {rcv.duplicates} duplicates "
          f"recognised; sales {made - started:.0f} s, delivery {time.perf_counter() - made:.0f} s")
