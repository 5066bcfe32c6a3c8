"""Edit-the-mapping-then-retry and bulk retry, through the ``pos`` command."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.app import build_sync_engine, sync_store
from pos_app.cli.main import main
from pos_app.domain.catalog import NewProduct, NewVariant
from sync.receiver import receiver

from .conftest import COFFEE, Shop
from .test_beancount import BEAN_CHECK, MAPPING, add_ledger
from .test_sync import SECRET, Clock, drain, outbox_ids

ADMIN = ["--user", "admin", "--pin", "9999"]


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def pos(shop: Shop, *args: str) -> int:
    return main(["--data-dir", str(shop.data_dir), *args])


def sell(shop: Shop, code: str, qty: int = 1) -> str:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, code, u, Decimal(qty))
    co.pay_cash(cart, 100000, u)
    return co.complete(cart, u).receipt_no


def audit(shop: Shop, action: str) -> list[dict[str, object]]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    return [json.loads(r[0]) for r in con.execute(
        "select details from audit_log where action = ? order by seq", (action,))]


def test_a_dead_letter_is_fixed_by_editing_the_mapping_then_retried(
        shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "books.beancount"
    assert add_ledger(shop, ledger, MAPPING) == 0
    clock = Clock()
    eng = build_sync_engine(shop.app)  # the service, running all along
    eng.clock, eng.sleep = clock, clock.advance
    sell(shop, COFFEE)
    # the shop starts selling gift wrap at a new tax rate the ledger has no account for
    app = shop.app
    app.catalog.add_tax_category(shop.admin, "ZERO", "Zero rated", "0")
    app.catalog.add_product(shop.admin, NewProduct("Gift wrap", "ZERO", (
        NewVariant("WRAP", 150, ("2000000000015",)),)))
    wrap_receipt = sell(shop, "WRAP")
    drain(eng, clock)
    [dead] = sync_store(app).dead_letters("books")
    assert "unmapped: revenue.ZERO " in dead.error  # zero rated: no tax posting
    capsys.readouterr()
    assert pos(shop, "sync", "status") == 0
    out = capsys.readouterr().out
    assert "failing" in out and "dead    1" in out and "a manager must look" in out

    # half a fix is refused, naming what is still missing; nothing is stored
    assert pos(shop, *ADMIN, "sync", "connector", "set", "books", "--set",
               "revenue.ZERO=Income:Sales:Zero") == 1
    assert "tax.ZERO" in capsys.readouterr().err
    assert "revenue.ZERO" not in sync_store(app).connectors()[0].settings
    assert pos(shop, *ADMIN, "sync", "connector", "set", "books", "--set", "colour=red") == 1
    assert "unknown setting(s) colour" in capsys.readouterr().err
    assert pos(shop, "--user", "cashier", "--pin", "1111", "sync", "connector", "set", "books",
               "--set", "revenue.ZERO=Income:Sales:Zero", "--set",
               "tax.ZERO=Liabilities:VAT:Zero") == 1  # not a cashier's job

    assert pos(shop, *ADMIN, "sync", "connector", "set", "books", "--set",
               "revenue.ZERO=Income:Sales:Zero", "--set", "tax.ZERO=Liabilities:VAT:Zero") == 0
    [changed] = audit(shop, "connector_changed")
    assert changed["changed"] == {"revenue.ZERO": "Income:Sales:Zero",
                                  "tax.ZERO": "Liabilities:VAT:Zero"}
    assert pos(shop, *ADMIN, "sync", "retry", dead.event_id) == 0
    drain(eng, clock)  # the running engine picked the new settings up by itself
    eng.close()
    assert sync_store(app).dead_letters() == []
    text = ledger.read_text()
    assert f'"{wrap_receipt}"' in text and "Income:Sales:Zero  -1.50 EUR" in text
    assert subprocess.run([BEAN_CHECK, str(ledger)]).returncode == 0
    assert [a["connector"] for a in audit(shop, "sync_retry")] == [None]


def test_bulk_retry_after_fixing_a_secret(shop: Shop, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    with receiver(SECRET) as rcv:
        assert pos(shop, *ADMIN, "sync", "connector", "add", "webhook", "--name", "hook",
                   "--set", f"url={rcv.url}", "--set", "secret=a-typo", "--from-start") == 0
        for _ in range(5):
            sell(shop, COFFEE)
        clock = Clock()
        eng = build_sync_engine(shop.app)
        eng.clock, eng.sleep = clock, clock.advance
        eng.run_until_idle()  # later stock movements wait behind the first dead one
        dead = sync_store(shop.app).dead_letters("hook")
        assert dead and all("HTTP 401" in d.error for d in dead)  # signatures do not match
        assert rcv.bad_signatures > 0 and not rcv.events
        capsys.readouterr()
        assert pos(shop, *ADMIN, "sync", "retry") == 1  # neither an id nor --all
        assert pos(shop, *ADMIN, "sync", "connector", "set", "hook", "--set",
                   f"secret={SECRET}") == 0
        assert pos(shop, *ADMIN, "sync", "retry", "--all", "--connector", "hook") == 0
        assert f"retry: {len(dead)} delivery(ies)" in capsys.readouterr().out
        drain(eng, clock)
        eng.close()
    assert sorted(e["id"] for e in rcv.events.values()) == outbox_ids(shop)
    # the new secret went to the keyring file, never into the database or the audit
    db = (shop.data_dir / "pos.sqlite3").read_bytes()
    assert SECRET.encode() not in db
    assert json.loads((shop.data_dir / "secrets.json").read_text())["hook"]["secret"] == SECRET
    [changed] = audit(shop, "connector_changed")
    assert changed["changed"] == {"secret": "***"}
    assert audit(shop, "sync_retry_all") == [{"count": len(dead)}]


def test_the_service_follows_connectors_added_and_removed_while_it_runs(shop: Shop) -> None:
    import threading

    with receiver(SECRET) as first, receiver(SECRET) as second:
        assert pos(shop, *ADMIN, "sync", "connector", "add", "webhook", "--name", "a",
                   "--set", f"url={first.url}", "--set", f"secret={SECRET}",
                   "--from-start") == 0
        eng = build_sync_engine(shop.app)
        stop = threading.Event()
        service = threading.Thread(target=eng.run_forever, args=(stop,))
        service.start()
        try:
            sell(shop, COFFEE)
            n = len(outbox_ids(shop))
            assert first.wait_for(n, timeout=30)
            # a second target added while the service runs gets everything from the start
            assert pos(shop, *ADMIN, "sync", "connector", "add", "webhook", "--name", "b",
                       "--set", f"url={second.url}", "--set", f"secret={SECRET}",
                       "--from-start") == 0
            assert second.wait_for(n, timeout=30)
            assert pos(shop, *ADMIN, "sync", "connector", "remove", "a") == 0
            assert eng.wait_until(lambda: "a" not in eng.connectors, timeout=30)
            sell(shop, COFFEE)
            assert second.wait_for(n + 2, timeout=30)
        finally:
            stop.set()
            service.join()
            eng.close()
    assert len(first.events) == n  # nothing went to the removed one after it was removed
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    assert con.execute("select count(*) from settings where key like 'sync.runtime.a'"
                       ).fetchone()[0] == 0  # and it left nothing behind
