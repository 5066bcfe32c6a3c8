"""The vendure connector and inbound sync against a real Vendure server on loopback
(tests/vendure: npm @vendure/core on the sql.js WASM SQLite driver)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pos_app.app import build_inbound_poller, build_sync_engine, inbound_store, sync_store
from pos_app.cli.main import main
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from sync.inbound import InboundChange
from sync.signing import HEADER, sign

from .conftest import COFFEE, TEA_UPC, Shop, make_shop
from .test_sync import Clock, drain
from .vendure_server import (
    INSTALLED,
    LOCATION,
    NODE,
    PASSWORD,
    USER,
    VendureServer,
    drop_proxy,
    free_port,
)

if not (NODE and INSTALLED) and not os.environ.get("CI"):
    pytest.skip("node or tests/vendure/node_modules missing (.ci/run runs npm ci)",
                allow_module_level=True)

SKUS = ["COF", "TEA", "TS-M", "TS-L"]
TAX = {"COF": "RED", "TEA": "RED", "APL": "RED", "TS-M": "STD", "TS-L": "STD"}
HOOK_SECRET = "vendure-notifications-secret"
LISTEN_PORT = free_port()  # where Vendure sends its change notifications


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


@pytest.fixture(scope="module")
def vendure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VendureServer]:
    work = tmp_path_factory.mktemp("vendure")
    server = VendureServer(work, f"http://127.0.0.1:{LISTEN_PORT}/vend", HOOK_SECRET)
    try:
        template = make_shop(work / "template")  # the demo items, named as the POS names them
        items = inbound_store(template.app).items()
        template.app.close()
        started = time.monotonic()
        server.admin.seed([(i, TAX[i.sku]) for i in items], stock=100)
        print(f"\nVendure answered after {server.boot_s:.1f} s; seeded in "
              f"{time.monotonic() - started:.1f} s")
        yield server
    finally:
        server.stop()


def cli(shop: Shop, *args: str) -> int:
    return main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", *args])


def add_vendure(shop: Shop, url: str, *sets: str, name: str = "vend") -> None:
    extra = [x for s in sets for x in ("--set", s)]
    assert cli(shop, "sync", "connector", "add", "vendure", "--name", name, "--set",
               f"url={url}", "--set", f"username={USER}", "--set", f"password={PASSWORD}",
               "--set", f"location.MAIN={LOCATION}", "--set", "timeout_s=5", *extra) == 0


def trade(shop: Shop) -> dict[str, Decimal]:
    """Sales, refunds (restocked or not), an adjustment and a count; what each SKU moved."""
    app, u = shop.app, shop.cashier
    co, rs = app.checkout, app.returns
    sales = []
    for i in range(8):
        cart = co.new_cart()
        co.scan(cart, COFFEE if i % 2 else TEA_UPC, u, Decimal(1 + i % 3))
        co.scan(cart, "TS-M", u)
        co.pay_cash(cart, co.cash_due(cart) + 100, u)
        sales.append(co.complete(cart, u))
    back = co.new_cart()
    rs.add_return_line(back, sales[1], 1, Decimal(1), u)  # one coffee back on the shelf
    rs.refund(back, u)
    co.complete(back, u)
    app.stock.adjust(shop.admin, "TS-L", Decimal(7), "delivery", MovementKind.RECEIVING)
    app.stock.adjust(shop.admin, "TEA", Decimal(-2), "damaged")
    app.stock.count(shop.admin, "TS-M", Decimal(30))
    return {s: app.stock.on_hand(s) for s in SKUS}


def engine(shop: Shop, clock: Clock):  # type: ignore[no-untyped-def]
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    return eng


def test_sales_refunds_and_adjustments_arrive_once_with_the_right_stock(
        shop: Shop, vendure: VendureServer) -> None:
    before_pos = {s: shop.app.stock.on_hand(s) for s in SKUS}
    before = vendure.admin.stocks(SKUS)
    add_vendure(shop, vendure.url)
    after_pos = trade(shop)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    after = vendure.admin.stocks(SKUS)
    # initial − sold + refunded + received − damaged + counted difference, to the unit
    assert {s: after[s] - before[s] for s in SKUS} == {
        s: int(after_pos[s] - before_pos[s]) for s in SKUS}
    assert after["COF"] - before["COF"] == -(2 + 1 + 3 + 2) + 1  # sold 8, one refunded
    assert after["TS-L"] - before["TS-L"] == 7
    assert after["TS-M"] == before["TS-M"] - 8 + (30 - int(before_pos["TS-M"] - 8))
    [st] = sync_store(shop.app).status()
    assert st.dead == 0 and st.pending == 0 and st.delivered > 0
    # every stock event delivered a second time (a full replay) changes nothing
    store = sync_store(shop.app)
    eng = engine(shop, clock)
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    ids = [r[0] for r in con.execute("select event_id from sync_deliveries")]
    for eid in ids:
        store.requeue(eid, "vend", clock())
    drain(eng, clock)
    eng.close()
    assert vendure.admin.stocks(SKUS) == after
    record = vendure.admin.variant("COF")["customFields"]["posStockEvents"].split()
    assert len(record) == len(set(record)) > 0


def test_lost_answers_after_vendure_committed_do_not_double_a_delta(
        shop: Shop, vendure: VendureServer) -> None:
    before = vendure.admin.stocks(SKUS)
    with drop_proxy(vendure.url) as proxy:
        add_vendure(shop, proxy.url)
        proxy.drop = 5  # the first five stock writes commit at Vendure, their answers are lost
        moved = {s: shop.app.stock.on_hand(s) for s in SKUS}
        trade(shop)
        moved = {s: shop.app.stock.on_hand(s) - moved[s] for s in SKUS}
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        eng.close()
    assert proxy.dropped == 5
    after = vendure.admin.stocks(SKUS)
    assert {s: after[s] - before[s] for s in SKUS} == {s: int(moved[s]) for s in SKUS}
    assert sync_store(shop.app).dead_letters() == []


def test_a_till_that_starts_while_vendure_is_away_syncs_when_it_is_back(
        shop: Shop, vendure: VendureServer) -> None:
    before = vendure.admin.stock("TS-L")
    with drop_proxy(vendure.url) as proxy:
        add_vendure(shop, proxy.url)
        proxy.down = True
        clock = Clock()
        eng = engine(shop, clock)  # the mapping cannot be checked now: it starts anyway
        cart = shop.app.checkout.new_cart()
        shop.app.checkout.scan(cart, "TS-L", shop.cashier, Decimal(2))
        shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
        shop.app.checkout.complete(cart, shop.cashier)
        for _ in range(3):
            eng.run_until_idle()
            clock.advance(60)
        [st] = sync_store(shop.app).status()
        assert st.pending == 1 and "HTTP 503" in (st.last_error or "")  # the stock event
        assert vendure.admin.stock("TS-L") == before
        proxy.down = False
        drain(eng, clock)
        eng.close()
    assert vendure.admin.stock("TS-L") == before - 2


def test_a_crash_between_the_write_and_the_ack_does_not_double_it(
        shop: Shop, vendure: VendureServer) -> None:
    before = vendure.admin.stock("COF")
    add_vendure(shop, vendure.url)
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, COFFEE, shop.cashier, Decimal(3))
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    store = sync_store(shop.app)
    clock = Clock()
    store.enqueue("vend", clock(), 100)
    [stock] = [d for d in store.due("vend", clock(), 100) if d.event.type == "stock.moved"]
    first = build_sync_engine(shop.app)
    first.connectors["vend"].deliver(stock)  # Vendure applied it; the till dies before the ack
    first.close()
    assert vendure.admin.stock("COF") == before - 3
    eng = engine(shop, clock)  # restarted: the same event goes out again
    drain(eng, clock)
    eng.close()
    assert vendure.admin.stock("COF") == before - 3
    assert stock.event.id in vendure.admin.variant("COF")["customFields"]["posStockEvents"]


def test_items_can_be_matched_by_barcode(shop: Shop, vendure: VendureServer,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = vendure.admin.stock("TEA")
    add_vendure(shop, vendure.url, "match=barcode", "unmatched=skip")
    capsys.readouterr()
    assert cli(shop, "sync", "mapping", "vend") == 0
    out = capsys.readouterr().out
    assert "2 POS items matched" in out and "3 POS items not at Vendure: APL, TS-L, TS-M" in out
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, TEA_UPC, shop.cashier, Decimal(2))
    shop.app.checkout.scan(cart, "TS-M", shop.cashier)  # no barcode: skipped, not dead
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    assert vendure.admin.stock("TEA") == before - 2
    assert sync_store(shop.app).dead_letters() == []


def test_a_location_mapped_to_dash_stays_out_of_vendure(shop: Shop, vendure: VendureServer,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    before = vendure.admin.stock("COF")
    assert cli(shop, "sync", "connector", "add", "vendure", "--name", "vend", "--set",
               f"url={vendure.url}", "--set", f"username={USER}", "--set",
               f"password={PASSWORD}", "--set", "location.MAIN=-") == 0
    capsys.readouterr()
    assert cli(shop, "sync", "mapping", "vend") == 0
    assert "location MAIN -> not synced" in capsys.readouterr().out
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, COFFEE, shop.cashier)
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    assert vendure.admin.stock("COF") == before
    [st] = sync_store(shop.app).status()
    assert st.dead == 0 and st.delivered > 0


def test_unmapped_items_and_locations_refuse_to_start_and_are_listed(
        shop: Shop, vendure: VendureServer, capsys: pytest.CaptureFixture[str]) -> None:
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift card", "STD", (
        NewVariant("GIFT-25", 2500),), "Gifts"))
    assert cli(shop, "sync", "connector", "add", "vendure", "--name", "vend", "--set",
               f"url={vendure.url}", "--set", f"username={USER}", "--set",
               f"password={PASSWORD}") == 0  # no location mapping either
    capsys.readouterr()
    assert cli(shop, "sync", "run", "--once") == 1
    err = capsys.readouterr().err
    assert "unmapped values" in err and "location.MAIN" in err and "item GIFT-25" in err
    assert cli(shop, "sync", "mapping", "vend") == 1
    out = capsys.readouterr().out
    assert "5 POS items matched" in out and "GIFT-25" in out
    assert "location MAIN -> UNMAPPED" in out
    assert cli(shop, "sync", "connector", "test", "vend") == 0
    assert "unmapped: location.MAIN, item GIFT-25" in capsys.readouterr().out


def test_an_item_unmapped_at_delivery_is_a_dead_letter_not_a_crash(
        shop: Shop, vendure: VendureServer) -> None:
    before = vendure.admin.stock("COF")
    add_vendure(shop, vendure.url)
    clock = Clock()
    eng = engine(shop, clock)  # the mapping was complete when the engine started
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift card", "STD", (
        NewVariant("GIFT-10", 1000),), "Gifts"))
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, "GIFT-10", shop.cashier)
    shop.app.checkout.scan(cart, COFFEE, shop.cashier)
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    drain(eng, clock)
    [dead] = sync_store(shop.app).dead_letters()
    assert dead.event_type == "stock.moved"
    assert "no Vendure variant for SKU GIFT-10" in dead.error
    assert vendure.admin.stock("COF") == before - 1  # the mapped line went through, once
    sync_store(shop.app).requeue(dead.event_id, "vend", clock())  # retried: still once
    eng.run_until_idle()
    assert vendure.admin.stock("COF") == before - 1
    assert len(sync_store(shop.app).dead_letters()) == 1
    eng.close()
    assert build_sync_engine_fails(shop, "item GIFT-10")  # a restart now lists it


def build_sync_engine_fails(shop: Shop, text: str) -> bool:
    from sync.connectors.base import ConfigError
    try:
        build_sync_engine(shop.app).close()
    except ConfigError as exc:
        return text in str(exc)
    return False


def test_a_price_changed_in_vendure_is_used_by_the_next_scan(
        shop: Shop, vendure: VendureServer) -> None:
    add_vendure(shop, vendure.url, "system_of_record.prices=vendure")
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)  # the till is open and reads the catalog
    assert cart.lines[-1].unit_price == 1299
    vendure.admin.set_price("COF", 1349)
    try:
        # another process pulls (as `pos sync run` would); the open till sees it at once
        r = subprocess.run([sys.executable, "-m", "pos_app.cli.main", "--data-dir",
                            str(shop.data_dir), "sync", "pull"], capture_output=True, text=True,
                           env={**os.environ, "POS_SECRETS": "file"}, timeout=120)
        assert r.returncode == 0, r.stderr
        assert "applied 1" in r.stdout
        cart = co.new_cart()  # the next customer's scan, same till process
        co.scan(cart, COFFEE, shop.cashier)
        assert cart.lines[-1].unit_price == 1349
        con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
        [payload] = [json.loads(p) for (p,) in con.execute(
            "select payload from outbox where type='price.changed'")]
        assert (payload["old"], payload["new"], payload["source"]) == (1299, 1349, "vend")
        # Vendure owns prices: the POS's own price event is not pushed back
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        eng.close()
        assert vendure.admin.variant("COF")["priceWithTax"] == 1349
        assert inbound_store(shop.app).conflicts() == []
    finally:
        vendure.admin.set_price("COF", 1299)


def test_the_pos_owns_prices_by_default_and_a_disagreement_is_a_conflict(
        shop: Shop, vendure: VendureServer, capsys: pytest.CaptureFixture[str]) -> None:
    add_vendure(shop, vendure.url)
    vendure.admin.set_price("TEA", 499)
    try:
        assert cli(shop, "sync", "pull") == 0
        assert shop.app.catalog.variant("TEA").price == 450  # not applied
        [c] = inbound_store(shop.app).conflicts()
        assert (c.sku, c.field, c.pos_value, c.target_value) == ("TEA", "price", "450", "499")
        assert cli(shop, "sync", "pull", "--full") == 0  # read again: still one conflict
        assert len(inbound_store(shop.app).conflicts()) == 1
        capsys.readouterr()
        assert cli(shop, "sync", "conflicts") == 0
        out = capsys.readouterr().out
        assert "TEA" in out and "'450' vs target '499'" in out
        # the POS's own price change is pushed; once both agree the conflict closes
        shop.app.catalog.set_price(shop.admin, "TEA", 475)
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        poller = build_inbound_poller(shop.app, eng)
        poller.poll_until_idle("vend")
        eng.close()
        assert vendure.admin.variant("TEA")["priceWithTax"] == 475
        assert inbound_store(shop.app).conflicts() == []
        [closed] = inbound_store(shop.app).conflicts(include_resolved=True)
        assert closed.resolved and "agree again" in closed.resolved
    finally:
        vendure.admin.set_price("TEA", 450)


def test_notifications_from_vendure_trigger_a_pull_and_bad_signatures_are_refused(
        shop: Shop, vendure: VendureServer) -> None:
    add_vendure(shop, vendure.url, "system_of_record.prices=vendure",
                f"webhook_secret={HOOK_SECRET}", "pull_interval_s=3600")
    assert cli(shop, "sync", "pull") == 0  # caught up: from now on only notifications
    proc = subprocess.Popen([sys.executable, "-m", "pos_app.cli.main", "--data-dir",
                             str(shop.data_dir), "sync", "listen", "--port", str(LISTEN_PORT)],
                            env={**os.environ, "POS_SECRETS": "file"}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{LISTEN_PORT}/vend"
    try:
        assert proc.stdout is not None
        assert "listening on" in proc.stdout.readline()
        body = b'{"type": "variant.updated"}'
        forged = httpx.post(base, content=body, headers={HEADER: sign("wrong", body)})
        assert forged.status_code == 401
        assert httpx.post(base, content=body).status_code == 401  # unsigned
        tampered = httpx.post(base, content=body + b" ", headers={HEADER: sign(HOOK_SECRET,
                                                                                body)})
        assert tampered.status_code == 401
        vendure.admin.set_price("TS-L", 2099)  # Vendure notifies the listener itself
        deadline = time.monotonic() + 30
        while shop.app.catalog.variant("TS-L").price != 2099:
            assert time.monotonic() < deadline, "the notified price never arrived"
            assert proc.poll() is None
            time.sleep(0.05)  # poll the condition
        good = httpx.post(base, content=body, headers={HEADER: sign(HOOK_SECRET, body)})
        assert good.status_code == 202
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        vendure.admin.set_price("TS-L", 1999)
    assert proc.returncode == 0, out


def test_inbound_batches_apply_once_with_their_cursor(shop: Shop) -> None:
    """The store port: a stale cursor applies nothing; stock deltas once per reference;
    counts only where the target owns stock."""
    port = inbound_store(shop.app)
    on_hand = shop.app.stock.on_hand("COF")
    web_sale = InboundChange("stock_delta", "COF", "-2", "order 17 line 1", location="MAIN",
                             authoritative=True)
    r = port.apply_inbound("web", [web_sale], None, "c1")
    assert (r.applied, port.inbound_cursor("web")) == (1, "c1")
    assert port.apply_inbound("web", [web_sale], None, "c2").stale  # another process won
    assert port.apply_inbound("web", [web_sale], "c1", "c2").unchanged == 1  # same reference
    assert shop.app.stock.on_hand("COF") == on_hand - 2
    count = InboundChange("stock_count", "COF", "40", "count 3", location="MAIN")
    r = port.apply_inbound("web", [count], "c2", "c3")  # the POS owns stock: a conflict
    assert r.conflicts == 1 and shop.app.stock.on_hand("COF") == on_hand - 2
    from dataclasses import replace
    r = port.apply_inbound("web", [replace(count, authoritative=True)], "c3", "c4")
    assert r.applied == 1 and shop.app.stock.on_hand("COF") == 40
    assert port.conflicts() == []  # closed: the owner's value was applied
    unknown = InboundChange("price", "NOPE", 100, "x", "EUR", authoritative=True)
    assert port.apply_inbound("web", [unknown], "c4", "c5").unknown == 1


def test_settings_are_checked(shop: Shop, vendure: VendureServer,
                              capsys: pytest.CaptureFixture[str]) -> None:
    add_vendure(shop, vendure.url, "system_of_record.stock=vendure")
    capsys.readouterr()
    assert cli(shop, "sync", "run", "--once") == 1
    assert "vendure cannot own stock" in capsys.readouterr().err
    assert cli(shop, "sync", "connector", "remove", "vend") == 0
    add_vendure(shop, vendure.url, "system_of_record.prices=magento")
    assert cli(shop, "sync", "mapping", "vend") == 1
    assert "use 'pos' or 'vendure'" in capsys.readouterr().err
    secrets = Path(shop.data_dir / "secrets.json").read_text()
    assert PASSWORD in secrets
    for path in (shop.data_dir / "pos.sqlite3", shop.data_dir / "pos.sqlite3-wal"):
        if path.exists():
            assert PASSWORD.encode() not in path.read_bytes()
