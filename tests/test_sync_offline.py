"""A day of sales with every target down (the webhook receiver, the share holding the
beancount ledger, the accountant's hledger-web), then the network returns: the running
service drains the backlog by itself, in order, each document once in each target."""

from __future__ import annotations

import socket
import subprocess
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.app import build_sync_engine, sync_store
from pos_app.cli.main import main
from sync.health import is_offline, summary, sync_health
from sync.receiver import receiver

from .conftest import COFFEE, TEA_UPC, Shop
from .test_beancount import BEAN_CHECK, MAPPING
from .test_hledger import HledgerWeb
from .test_sync import SECRET, assert_key_order, outbox_ids

FAST = ["--set", "retry_base_s=0.05", "--set", "retry_cap_s=0.5", "--set",
        "breaker_cooldown_s=0.5"]


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def a_day(shop: Shop, sales: int, pairs: list[tuple[str, str]] | None = None) -> list[str]:
    """Sales and a refund of every fifth, as the day goes; receipt numbers of documents
    (and in ``pairs`` each refunded sale with its refund)."""
    co, rs, u = shop.app.checkout, shop.app.returns, shop.cashier
    receipts = []
    for i in range(sales):
        cart = co.new_cart()
        co.scan(cart, COFFEE if i % 2 else TEA_UPC, u, Decimal(1 + i % 3))
        co.pay_cash(cart, co.cash_due(cart), u)
        sale = co.complete(cart, u)
        receipts.append(sale.receipt_no)
        if i % 5 == 0:
            back = co.new_cart()
            rs.add_return_line(back, sale, 1, Decimal(1), u)
            rs.refund(back, u)
            receipts.append(co.complete(back, u).receipt_no)
            if pairs is not None:
                pairs.append((sale.receipt_no, receipts[-1]))
    return receipts


def before(text: str, first: str, then: str) -> bool:
    return first in text and then in text and text.index(first) < text.index(then)


def test_a_day_offline_then_the_backlog_drains_by_itself_in_order(shop: Shop,
                                                                  tmp_path: Path) -> None:
    hook_port, hledger_port = free_port(), free_port()
    share = tmp_path / "share"  # not mounted yet
    ledger = share / "books.beancount"
    journal = tmp_path / "shop.journal"
    journal.write_text("commodity 1,000.00 EUR\n")
    admin = ["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999"]
    mapping = [x for k, v in MAPPING.items() for x in ("--set", f"{k}={v}")]
    for args in (["webhook", "--name", "hook", "--set",
                  f"url=http://127.0.0.1:{hook_port}/hook", "--set", f"secret={SECRET}",
                  "--set", "timeout_s=1"],
                 ["beancount", "--name", "books", "--set", f"ledger={ledger}", "--set",
                  "currency=EUR", *mapping],
                 ["hledger", "--name", "hl", "--set", f"url=http://127.0.0.1:{hledger_port}",
                  *mapping]):
        assert main([*admin, "sync", "connector", "add", *args, *FAST, "--from-start"]) == 0

    eng = build_sync_engine(shop.app)  # the till's sync service, running all day
    stop = threading.Event()
    service = threading.Thread(target=eng.run_forever, args=(stop,))
    service.start()
    try:
        pairs: list[tuple[str, str]] = []
        receipts = a_day(shop, 120, pairs)
        store = sync_store(shop.app)

        def all_offline() -> bool:
            healths = sync_health(store)
            return all(h.state == "offline" for h in healths) and is_offline(healths)

        assert eng.wait_until(all_offline, timeout=60)  # the till says so, in plain words
        line = summary(sync_health(store))
        assert line.startswith("sync offline:") and "kept safely on this till" in line
        assert {st.name: st.delivered for st in store.status()}["hook"] == 0
        assert not ledger.exists() and "pos_event" not in journal.read_text()

        # the network is back: nobody touches the till
        with receiver(SECRET, port=hook_port) as rcv:
            share.mkdir()
            hledger = HledgerWeb(journal, hledger_port)
            try:
                def drained() -> bool:
                    return all(h.state == "ok" and h.pending == 0 and h.in_flight == 0
                               for h in sync_health(store))

                assert eng.wait_until(drained, timeout=180)
                stop.set()
                service.join()
            finally:
                hledger.stop()
    finally:
        stop.set()
        service.join()
        eng.close()

    expected = outbox_ids(shop)
    assert sorted(rcv.arrival) == expected  # nothing missing, nothing twice
    assert_key_order(rcv.arrival, rcv.events)  # each sale before its refund, stock in order
    assert not is_offline(sync_health(sync_store(shop.app)))
    # both ledgers: every document once, each sale before its refund (the order the engine
    # keeps; documents of different sales may come in any order after their retries)
    for text in (ledger.read_text(), journal.read_text()):
        assert all(r in text for r in receipts)
        assert text.count("pos_event") == len(receipts)
        assert all(before(text, sale, refund) for sale, refund in pairs)
    assert subprocess.run([BEAN_CHECK, str(ledger)]).returncode == 0
