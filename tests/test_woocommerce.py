"""The woocommerce connector against a stateful local fake of the REST API v3 that
validates every request against the community OpenAPI file (tests/fakes/woocommerce_fake.py)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest

from pos_app.app import build_inbound_poller, build_sync_engine, inbound_store, sync_store
from pos_app.cli.main import main
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from sync.inbound import Listener, listening

from .conftest import COFFEE, Shop
from .fakes.woocommerce_fake import BASE, WooFake, serving
from .shopday import SKUS, trading_day
from .test_sync import Clock, drain

KEY, SECRET = "ck_test_0123456789abcdef", "cs_test_fedcba9876543210"
HOOK = "woo-webhook-secret"
TAX = ["--set", "tax_class.STD=standard", "--set", "tax_class.RED=reduced-rate"]


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def seeded(**kw: object) -> WooFake:
    fake = WooFake(KEY, SECRET, **kw)  # type: ignore[arg-type]
    fake.add_simple("Coffee", "COF", "12.99", 50, "reduced-rate")
    fake.add_simple("Green tea", "TEA", "4.50", 50, "reduced-rate")
    fake.add_simple("Apples", "APL", "2.99", 50, "reduced-rate")
    fake.add_variable("T-shirt", [("T-shirt (M / Red)", "TS-M", "19.99", 50),
                                  ("T-shirt (L / Red)", "TS-L", "19.99", 50)])
    return fake


@pytest.fixture
def fake() -> Iterator[WooFake]:
    with serving(seeded()) as f:
        yield f
    assert f.violations == [], f.violations  # the connector kept to the spec


def cli(shop: Shop, *args: str) -> int:
    return main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", *args])


def add_woo(shop: Shop, fake: WooFake, *sets: str, taxes: bool = True) -> None:
    extra = [x for s in sets for x in ("--set", s)] + (TAX if taxes else [])
    assert cli(shop, "sync", "connector", "add", "woocommerce", "--name", "woo", "--set",
               f"url={fake.url}", "--set", f"consumer_key={KEY}", "--set",
               f"consumer_secret={SECRET}", "--set", f"webhook_secret={HOOK}",
               "--set", "timeout_s=5", *extra) == 0


def engine(shop: Shop, clock: Clock):  # type: ignore[no-untyped-def]
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    return eng


def sync_all(shop: Shop) -> None:
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()


def replay_all(shop: Shop) -> None:
    """As if the till had died before recording any acknowledgement."""
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    with con:
        n = con.execute("update sync_deliveries set state = 'pending', attempts = 0, "
                        "next_attempt_at = updated_at where state = 'delivered'").rowcount
    con.close()
    assert n > 0


def test_unmapped_items_and_taxes_refuse_to_start_and_are_listed(
        shop: Shop, fake: WooFake, capsys: pytest.CaptureFixture[str]) -> None:
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift card", "STD", (
        NewVariant("GIFT-25", 2500),), "Gifts"))
    add_woo(shop, fake, taxes=False)
    capsys.readouterr()
    assert cli(shop, "sync", "run", "--once") == 1
    err = capsys.readouterr().err
    assert "tax_class.STD" in err and "tax_class.RED" in err and "item GIFT-25" in err
    assert cli(shop, "sync", "mapping", "woo") == 1
    out = capsys.readouterr().out
    assert "5 POS items matched WooCommerce products" in out
    assert "1 POS items not at WooCommerce: GIFT-25" in out
    assert fake.orders == {}


def test_a_day_as_orders_moves_the_stock_once_through_woocommerce_itself(
        shop: Shop, fake: WooFake) -> None:
    before = fake.stocks(SKUS)
    add_woo(shop, fake)  # push=orders
    day = trading_day(shop)
    sync_all(shop)
    after = fake.stocks(SKUS)
    assert {s: after[s] - before[s] for s in SKUS} == day.moved
    assert sync_store(shop.app).dead_letters() == []
    by_receipt = {o["billing"]["last_name"]: o for o in fake.orders.values()}
    exchange = day.others[2]
    assert sorted(by_receipt) == sorted([s.receipt_no for s in day.sales]
                                        + [exchange.receipt_no])
    for sale in day.sales:  # the POS's amounts, WooCommerce's own tax calculation
        o = by_receipt[sale.receipt_no]
        assert Decimal(o["total"]) * 100 == sale.total, sale.receipt_no
        assert Decimal(o["total_tax"]) * 100 == sale.tax_total
        assert o["status"] == "processing" and o["set_paid"]
    assert sum(Decimal(o["total"]) * 100 for r, o in by_receipt.items()
               if r != exchange.receipt_no) == sum(s.total for s in day.sales)
    refunds = [r for rs in fake.refunds.values() for r in rs]
    assert sorted((r["meta_data"][0]["value"]["part"], r["api_restock"]) for r in refunds) == [
        ("keep", False), ("restock", True), ("restock", True)]
    assert sum(Decimal(r["amount"]) * 100 for r in refunds) == -sum(
        ln.total for s in day.others for ln in s.lines if ln.qty < 0)
    # the sale's and refund's own stock events were not applied on top: only the
    # delivery, the write-off and the count went out as quantities
    writes = [h for h in fake.hits if h.method == "POST" and h.path.endswith("/batch")]
    assert 1 <= len(writes) <= 3
    # a full replay creates nothing and moves nothing
    orders, refunds_n = len(fake.orders), len(refunds)
    replay_all(shop)
    sync_all(shop)
    assert fake.stocks(SKUS) == after and len(fake.orders) == orders
    assert sum(len(rs) for rs in fake.refunds.values()) == refunds_n


def test_a_web_order_between_the_connectors_read_and_write_is_not_lost(
        shop: Shop, fake: WooFake) -> None:
    before = fake.stock("COF")
    add_woo(shop, fake)
    cart = shop.app.checkout.new_cart()
    shop.app.checkout.scan(cart, COFFEE, shop.cashier, Decimal(3))
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    clock = Clock()
    eng = engine(shop, clock)
    # a shopper's order commits right after the connector looked its order up, before it
    # creates it: WooCommerce's own decrement and the POS order's add up
    fake.race = lambda: fake.web_order("COF", 2)
    drain(eng, clock)
    assert fake.race is None  # it ran
    assert fake.stock("COF") == before - 2 - 3
    # a delivery (no order to move it) is read and written by the single writer; a web
    # order between two rounds is read with it, never overwritten
    shop.app.stock.adjust(shop.admin, "COF", Decimal(10), "delivery", MovementKind.RECEIVING)
    fake.web_order("COF", 1)
    drain(eng, clock)
    eng.close()
    assert fake.stock("COF") == before - 2 - 3 - 1 + 10


def test_push_stock_writes_quantities_in_batches_of_at_most_100(
        shop: Shop, fake: WooFake) -> None:
    for i in range(120):
        sku = f"X-{i:03d}"
        shop.app.catalog.add_product(shop.admin, NewProduct(f"Extra {i}", "STD", (
            NewVariant(sku, 100),), "Extras"))
        fake.add_simple(f"Extra {i}", sku, "1.00", 0)
    before = fake.stocks(SKUS)
    add_woo(shop, fake, "push=stock", "batch_size=100")
    day = trading_day(shop)
    for i in range(120):
        shop.app.stock.adjust(shop.admin, f"X-{i:03d}", Decimal(i + 1), "delivery",
                              MovementKind.RECEIVING)
    sync_all(shop)
    after = fake.stocks(SKUS)
    assert {s: after[s] - before[s] for s in SKUS} == day.moved
    assert [fake.stock(f"X-{i:03d}") for i in range(120)] == list(range(1, 121))
    assert fake.orders == {}  # push=stock: no orders, so nothing moves stock twice
    writes = [h for h in fake.hits if h.method == "POST" and h.path.endswith("/batch")]
    events = len(day.sales) + len(day.others) + 3 + 120
    assert len(writes) < events / 10  # several events per request
    assert all(h.status == 200 for h in writes)  # none over WooCommerce's 100 (413)
    replay_all(shop)
    sync_all(shop)
    assert fake.stocks(SKUS) == after  # every event found in the products' records


def test_answers_lost_after_woocommerce_committed_cause_no_duplicate(
        shop: Shop, fake: WooFake) -> None:
    before = fake.stocks(SKUS)
    add_woo(shop, fake)
    fake.drop = {"POST /orders": 3, "POST /orders/N/refunds": 2, "POST /products/batch": 1}
    day = trading_day(shop)
    sync_all(shop)
    assert fake.dropped == 6
    after = fake.stocks(SKUS)
    assert {s: after[s] - before[s] for s in SKUS} == day.moved
    names = sorted(o["billing"]["last_name"] for o in fake.orders.values())
    assert names == sorted({*(s.receipt_no for s in day.sales), day.others[2].receipt_no})
    assert sum(len(rs) for rs in fake.refunds.values()) == 3
    assert sync_store(shop.app).dead_letters() == []


def test_the_shops_rate_limit_is_obeyed(shop: Shop) -> None:
    limit = 3  # requests per one-second window
    with serving(seeded(limit=limit, window_s=1.0)) as fake:
        before = fake.stocks(SKUS)
        add_woo(shop, fake, "push=stock")
        day = trading_day(shop)
        eng = build_sync_engine(shop.app)  # the real clock: the window is real time
        stats = eng.run_until_idle()
        # another client spent the window: 429 with Retry-After, then it waits
        shop.app.stock.adjust(shop.admin, "TEA", Decimal(4), "found")
        with fake.lock:
            fake._window_start, fake._used = fake.clock(), limit
        stop = threading.Event()
        service = threading.Thread(target=eng.run_forever, args=(stop, 0.05))
        service.start()
        try:
            assert eng.wait_until(lambda: fake.stock("TEA") == before["TEA"] +
                                  day.moved["TEA"] + 4, 20)
        finally:
            stop.set()
            service.join()
            eng.close()
        assert stats.dead == 0 and fake.violations == []
        limited = [h for h in fake.hits if h.status == 429]
        assert len(limited) <= 2  # the blind first try after the window was spent
        # at most `limit` requests a window were let through: any 2 × limit + 1 of them in a
        # row span three windows, so more than one second
        served = sorted(h.at for h in fake.hits if h.status != 429)
        assert len(served) > 2 * limit + 1
        assert all(b - a > 1.0 for a, b in zip(served, served[2 * limit:], strict=False))


def test_webhooks_are_verified_and_trigger_a_pull(shop: Shop, fake: WooFake) -> None:
    add_woo(shop, fake, "system_of_record.prices=woocommerce", "pull_interval_s=3600")
    eng = build_sync_engine(shop.app)
    poller = build_inbound_poller(shop.app, eng)
    poller.poll_until_idle("woo")
    woken: list[str] = []
    listener = Listener({}, woken.append, hooks={
        "woo": eng.connectors["woo"].webhook})  # type: ignore[attr-defined]
    with listening(listener) as lst:
        url = f"{lst.url}/woo"
        fake.set_price("TEA", "4.75")
        body = {"id": 102, "sku": "TEA", "price": "4.75"}
        assert fake.send_webhook(url, "product.updated", body,
                                 secret="wrong").status_code == 401
        assert woken == []
        assert fake.send_webhook(url, "product.updated", body, delivery=9).status_code == 202
        again = fake.send_webhook(url, "product.updated", body, delivery=9)
        assert again.status_code == 200 and again.text == "duplicate"
        assert woken == ["woo"]
    r = poller.poll_until_idle("woo")
    eng.close()
    assert r.applied == 1 and shop.app.catalog.variant("TEA").price == 475


def test_pull_pages_through_products_and_variations(shop: Shop, fake: WooFake) -> None:
    for i in range(130):
        fake.add_simple(f"Extra {i}", f"X-{i:03d}", "1.00", 0)
    add_woo(shop, fake)
    fake.set_price("TS-L", "21.99")  # a variation
    assert cli(shop, "sync", "pull") == 0
    [c] = inbound_store(shop.app).conflicts()  # the POS owns prices
    assert (c.sku, c.field, c.pos_value, c.target_value) == ("TS-L", "price", "1999", "2199")
    pages = [h for h in fake.hits if h.method == "GET" and h.path == f"{BASE}/products"]
    assert len(pages) >= 2 * 2  # the mapping's index and the pull: two pages each
    assert inbound_store(shop.app).inbound_cursor("woo")


def test_a_refund_of_a_sale_woocommerce_never_had_is_a_dead_letter_that_says_so(
        shop: Shop, fake: WooFake) -> None:
    co, u = shop.app.checkout, shop.cashier
    cart = co.new_cart()
    co.scan(cart, COFFEE, u, Decimal(2))
    co.pay_cash(cart, 5000, u)
    sale = co.complete(cart, u)  # sold before the connector was added
    add_woo(shop, fake)
    back = co.new_cart()
    shop.app.returns.add_return_line(back, sale, 1, Decimal(1), u)
    shop.app.returns.refund(back, u)
    co.complete(back, u)
    before = fake.stock("COF")
    sync_all(shop)
    [dead] = sync_store(shop.app).dead_letters()
    assert dead.event_type == "refund.completed"
    assert "the original sale is not at WooCommerce as an order" in dead.error
    assert fake.stock("COF") == before and fake.refunds == {}  # nothing guessed
