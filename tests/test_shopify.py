"""The shopify connector against a stateful local fake of the Admin GraphQL API that
validates every request against Shopify's own schema (tests/fakes/shopify_fake.py)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from pos_app.app import build_inbound_poller, build_sync_engine, inbound_store, sync_store
from pos_app.cli.main import main
from pos_app.domain.catalog import NewProduct, NewVariant
from sync.inbound import Listener, listening

from .conftest import Shop
from .fakes.shopify_fake import PATH, ShopifyFake, serving
from .shopday import SKUS, trading_day
from .test_sync import Clock, drain

TOKEN = "shpat_test_0123456789"
SECRET = "shopify-client-secret"
FLOOR = "Shop floor"


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def seeded(**kw: object) -> ShopifyFake:
    fake = ShopifyFake(TOKEN, SECRET, **kw)  # type: ignore[arg-type]
    fake.add_location(FLOOR)
    fake.add_location("Warehouse")
    for title, sku, barcode, price in (("Coffee", "COF", "4006381333931", "12.99"),
                                       ("Green tea", "TEA", "0036000291452", "4.50"),
                                       ("T-shirt (M / Red)", "TS-M", None, "19.99"),
                                       ("T-shirt (L / Red)", "TS-L", None, "19.99"),
                                       ("Apples", "APL", None, "2.99")):
        fake.add_product(title, [(sku, barcode, price)], {FLOOR: 50, "Warehouse": 5})
    return fake


@pytest.fixture
def fake() -> Iterator[ShopifyFake]:
    with serving(seeded(bucket=2000, restore_rate=1000)) as f:
        yield f
    assert f.violations == [], f.violations  # the connector never left Shopify's schema


def cli(shop: Shop, *args: str) -> int:
    return main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", *args])


def add_shopify(shop: Shop, fake: ShopifyFake, *sets: str, url: str | None = None,
                locations: bool = True) -> None:
    extra = [x for s in sets for x in ("--set", s)]
    if locations:
        extra += ["--set", f"location.MAIN={FLOOR}"]
    assert cli(shop, "sync", "connector", "add", "shopify", "--name", "shop", "--set",
               f"url={url or fake.url + PATH}", "--set", f"access_token={TOKEN}",
               "--set", f"webhook_secret={SECRET}", "--set", "timeout_s=5", *extra) == 0


def replay_all(shop: Shop) -> None:
    """As if the till had died before recording any acknowledgement: every delivery is
    pending again and goes out a second time with its idempotency key."""
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    with con:
        n = con.execute("update sync_deliveries set state = 'pending', attempts = 0, "
                        "next_attempt_at = updated_at where state = 'delivered'").rowcount
    con.close()
    assert n > 0


def engine(shop: Shop, clock: Clock):  # type: ignore[no-untyped-def]
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    return eng


def test_unmapped_items_and_locations_refuse_to_start_and_are_listed(
        shop: Shop, fake: ShopifyFake, capsys: pytest.CaptureFixture[str]) -> None:
    shop.app.catalog.add_product(shop.admin, NewProduct("Gift card", "STD", (
        NewVariant("GIFT-25", 2500),), "Gifts"))
    add_shopify(shop, fake, locations=False)
    capsys.readouterr()
    assert cli(shop, "sync", "run", "--once") == 1
    err = capsys.readouterr().err
    assert "unmapped values" in err and "location.MAIN" in err and "item GIFT-25" in err
    assert cli(shop, "sync", "mapping", "shop") == 1
    out = capsys.readouterr().out
    assert "5 POS items matched Shopify variants" in out
    assert "1 POS items not at Shopify: GIFT-25" in out
    assert "location MAIN -> UNMAPPED" in out
    assert fake.groups == [] and fake.orders == []  # nothing was sent


def test_a_day_of_trading_moves_the_stock_once_and_records_each_sale_as_an_order(
        shop: Shop, fake: ShopifyFake) -> None:
    before = fake.stocks(SKUS, FLOOR)
    add_shopify(shop, fake, "orders=yes")
    day = trading_day(shop)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    after = fake.stocks(SKUS, FLOOR)
    assert {s: after[s] - before[s] for s in SKUS} == day.moved
    assert after["COF"] == 30  # the count, set absolutely (the compare held)
    assert fake.stocks(SKUS, "Warehouse") == dict.fromkeys(SKUS, 5)  # not mapped: untouched
    assert sync_store(shop.app).dead_letters() == []
    # one order per sale, the POS's amounts to the cent, none moving stock itself
    orders = {o["sourceIdentifier"]: o for o in fake.orders}
    assert sorted(orders) == sorted(s.receipt_no for s in day.sales)
    for sale in day.sales:
        o = orders[sale.receipt_no]
        assert Decimal(o["totalPriceSet"]["shopMoney"]["amount"]) * 100 == sale.total
        assert Decimal(o["totalTaxSet"]["shopMoney"]["amount"]) * 100 == sale.tax_total
        assert Decimal(o["totalDiscountsSet"]["shopMoney"]["amount"]) * 100 == \
            sale.discount_total
        paid = sum(Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in o["_transactions"])
        assert paid * 100 == sum(p.amount for p in sale.payments)
        assert {t["gateway"] for t in o["_transactions"]} == {p.tender for p in sale.payments}
        assert o["_behaviour"] == "BYPASS" and o["displayFinancialStatus"] == "PAID"
    assert sum(Decimal(o["totalPriceSet"]["shopMoney"]["amount"]) * 100
               for o in fake.orders) == sum(s.total for s in day.sales)
    # the two refunds as refunds of their sales' orders, money per tender, nothing
    # restocked by Shopify (the refunds' stock events did that, once); the exchange is not
    refunds = [(o["sourceIdentifier"], r) for o in fake.orders for r in o["_refunds"]]
    refunded = day.others[:2]
    assert sorted(r["note"] for _, r in refunds) == sorted(
        f"POS refund {s.receipt_no}" for s in refunded)
    assert sum(r["amount"] for _, r in refunds) * 100 == -sum(
        p.amount for s in refunded for p in s.payments)
    assert all(li["restockType"] == "NO_RESTOCK" for _, r in refunds for li in r["lines"])
    assert sorted(li["quantity"] for _, r in refunds for li in r["lines"]) == [1, 1]
    assert any(s.discount_total for s in day.sales)
    assert {ln.tax_code for s in day.sales for ln in s.lines} == {"RED", "STD"}
    # every delta names the POS transaction it came from
    sale_groups = [g for g in fake.groups if "/Sale/" in (g["referenceDocumentUri"] or "")]
    assert {g["referenceDocumentUri"].rsplit("/", 1)[1] for g in sale_groups} == {
        s.receipt_no for s in day.sales + day.others
        if any(ln.qty > 0 or ln.restock for ln in s.lines)}
    assert all(c["ledgerDocumentUri"].startswith("gid://pos-app/StockEvent/")
               for g in fake.groups for c in g["changes"] if c["ledgerDocumentUri"])
    # a full replay of every event changes nothing: Shopify replays each @idempotent key,
    # and orders are found by their receipt before anything is created
    replay_all(shop)
    groups = len(fake.groups)
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    assert fake.stocks(SKUS, FLOOR) == after and len(fake.orders) == len(day.sales)
    assert len(fake.groups) == groups and fake.replays > 0
    assert sum(len(o["_refunds"]) for o in fake.orders) == 2


def test_answers_lost_after_shopify_committed_cause_no_duplicate(
        shop: Shop, fake: ShopifyFake) -> None:
    before = fake.stocks(SKUS, FLOOR)
    add_shopify(shop, fake, "orders=yes")
    fake.drop = {"inventoryAdjustQuantities": 4, "orderCreate": 3, "inventorySetQuantities": 1,
                 "refundCreate": 1}
    day = trading_day(shop)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    assert fake.dropped == 9
    after = fake.stocks(SKUS, FLOOR)
    assert {s: after[s] - before[s] for s in SKUS} == day.moved
    assert sorted(o["sourceIdentifier"] for o in fake.orders) == sorted(
        s.receipt_no for s in day.sales)  # each once, though three answers were lost
    assert sum(len(o["_refunds"]) for o in fake.orders) == 2  # one answer lost, once each
    assert fake.replays >= 5  # the inventory retries were answered from the first result
    assert sync_store(shop.app).dead_letters() == []


def test_a_stale_count_is_reported_not_forced(shop: Shop, fake: ShopifyFake) -> None:
    add_shopify(shop, fake)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)  # nothing yet: the till and Shopify both hold 50 coffees
    fake.web_sale("COF", FLOOR, 3)  # a web order at Shopify the till does not know of
    shop.app.stock.count(shop.admin, "COF", Decimal(45))
    drain(eng, clock)
    [dead] = sync_store(shop.app).dead_letters()
    assert "CHANGE_FROM_QUANTITY_STALE" in dead.error
    assert "COF: Shopify holds 47, the till held 50 before it counted 45" in dead.error
    assert fake.available("COF", FLOOR) == 47  # not overwritten
    # a later count compares with what the till then holds and goes through
    shop.app.stock.count(shop.admin, "TEA", Decimal(44))
    sync_store(shop.app).skip(dead.event_id, "shop")
    drain(eng, clock)
    eng.close()
    assert fake.available("TEA", FLOOR) == 44


def test_a_count_session_is_set_as_of_its_commit_and_one_already_there_is_left_out(
        shop: Shop, fake: ShopifyFake) -> None:
    add_shopify(shop, fake)
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    fake.web_sale("TS-M", FLOOR, 1)  # Shopify holds 49: what the till will count
    inv, m = shop.app.inventory, shop.manager
    session = inv.start_count(m)
    inv.enter_counts(m, session.id, [(shop.app.catalog.variant("COF").id, Decimal(47)),
                                     (shop.app.catalog.variant("TS-M").id, Decimal(49))])
    cart = shop.app.checkout.new_cart()  # sold after counting, before the count is posted
    shop.app.checkout.scan(cart, "4006381333931", shop.cashier, Decimal(2))
    shop.app.checkout.pay_cash(cart, 5000, shop.cashier)
    shop.app.checkout.complete(cart, shop.cashier)
    inv.commit_count(m, session.id)
    assert shop.app.stock.on_hand("COF") == 45
    drain(eng, clock)
    eng.close()
    assert sync_store(shop.app).dead_letters() == []
    # the set compared with what the till held when the count was posted (48, after the
    # sale), not when it was counted (50); TS-M, stale but at its counted quantity
    # already, was left out and the rest sent again
    assert fake.available("COF", FLOOR) == 45 and fake.available("TS-M", FLOOR) == 49
    assert [r.fields for r in fake.requests].count(("inventorySetQuantities",)) == 2


def test_the_cost_bucket_is_respected_and_a_throttle_is_waited_out(shop: Shop) -> None:
    # a small bucket: the day's requests need more than twice what it holds
    with serving(seeded(bucket=200, restore_rate=100)) as fake:
        before = fake.stocks(SKUS, FLOOR)
        add_shopify(shop, fake, "orders=yes")
        day = trading_day(shop)
        eng = build_sync_engine(shop.app)  # the real clock: the bucket refills in real time
        stats = eng.run_until_idle()
        waited = eng._served["shop"].limiter.waited_s
        eng.close()
        spent = sum(r.requested for r in fake.requests if r.ran)
        assert spent > 2 * fake.maximum  # it could not all go at once
        assert waited > 0.5  # the connector held requests back itself
        assert fake.throttled == 0  # and never sent one the bucket could not pay for
        assert all(r.requested <= r.available for r in fake.requests if r.ran)
        assert stats.dead == 0 and len(fake.orders) == len(day.sales)
        after = fake.stocks(SKUS, FLOOR)
        assert {s: after[s] - before[s] for s in SKUS} == day.moved
        # another app of the shop empties the bucket: the next request is "Throttled"
        # (nothing runs), the connector waits (cost - available) / restore rate, then it goes
        store = sync_store(shop.app)
        shop.app.stock.adjust(shop.admin, "TS-L", Decimal(1), "found")
        eng = build_sync_engine(shop.app)
        fake.drain()
        stop = threading.Event()
        service = threading.Thread(target=eng.run_forever, args=(stop, 0.05))
        service.start()
        try:
            assert eng.wait_until(lambda: fake.available("TS-L", FLOOR) == after["TS-L"] + 1
                                  and all(s.pending == 0 for s in store.status()), 20)
        finally:
            stop.set()
            service.join()
            eng.close()
        assert store.dead_letters() == []
        assert fake.throttled == 1  # the one sent blind; after it the connector waited
        assert all(r.requested <= r.available for r in fake.requests if r.ran)


def test_webhooks_are_verified_deduplicated_and_trigger_a_pull(
        shop: Shop, fake: ShopifyFake) -> None:
    add_shopify(shop, fake, "system_of_record.prices=shopify", "pull_interval_s=3600")
    eng = build_sync_engine(shop.app)
    poller = build_inbound_poller(shop.app, eng)
    poller.poll_until_idle("shop")  # caught up
    woken: list[str] = []
    hook = eng.connectors["shop"].webhook  # type: ignore[attr-defined]
    listener = Listener({}, woken.append, hooks={"shop": hook})
    with listening(listener) as lst:
        url = f"{lst.url}/shop"
        fake.set_price("COF", "13.49")
        body = {"id": 1, "title": "Coffee", "updated_at": "2026-12-01T10:00:00Z"}
        forged = fake.send_webhook("products/update", body, secret="not-the-secret", url=url)
        assert forged.status_code == 401 and woken == []
        tampered = httpx.post(url, content=b'{"id": 2}', headers={
            "X-Shopify-Hmac-Sha256": fake.sign(b'{"id": 1}'), "X-Shopify-Event-Id": "e-x",
            "X-Shopify-Topic": "products/update"})
        assert tampered.status_code == 401 and woken == []
        good = fake.send_webhook("products/update", body, event_id="evt-77", url=url)
        assert good.status_code == 202 and woken == ["shop"]
        again = fake.send_webhook("products/update", body, event_id="evt-77", url=url)
        assert again.status_code == 200 and again.text == "duplicate" and woken == ["shop"]
        level = fake.send_webhook("inventory_levels/update", {"available": 3}, url=url)
        assert level.status_code == 202 and woken == ["shop", "shop"]
    assert (listener.refused, listener.duplicates, listener.accepted) == (2, 1, 2)
    r = poller.poll_until_idle("shop")  # what the listener's wake-up runs
    eng.close()
    assert r.applied == 1 and shop.app.catalog.variant("COF").price == 1349


def test_pull_pages_through_the_catalog_and_a_disagreement_is_a_conflict(
        shop: Shop, fake: ShopifyFake) -> None:
    for i in range(130):  # more than a page of variants at Shopify
        fake.add_product(f"Extra {i}", [(f"X-{i:03d}", None, "1.00")])
    add_shopify(shop, fake)
    fake.set_price("TEA", "4.99")
    assert cli(shop, "sync", "pull") == 0
    assert shop.app.catalog.variant("TEA").price == 450  # the POS owns prices
    [c] = inbound_store(shop.app).conflicts()
    assert (c.sku, c.field, c.pos_value, c.target_value) == ("TEA", "price", "450", "499")
    pages = [r for r in fake.requests if r.fields == ("productVariants",)]
    assert len(pages) >= 2 * 2  # the mapping's index and the pull, each paged
    cursor = json.loads(inbound_store(shop.app).inbound_cursor("shop") or "{}")
    assert cursor["variants"]  # the next pull asks only for what changed after it
    assert cli(shop, "sync", "pull") == 0
    assert len(inbound_store(shop.app).conflicts()) == 1


def test_a_wrong_token_is_an_error_that_names_the_fix(
        shop: Shop, fake: ShopifyFake, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(shop, "sync", "connector", "add", "shopify", "--name", "shop", "--set",
               f"url={fake.url}{PATH}", "--set", "access_token=wrong",
               "--set", f"location.MAIN={FLOOR}") == 0
    capsys.readouterr()
    assert cli(shop, "sync", "connector", "test", "shop") != 0
    err = capsys.readouterr()
    assert "refused the access token" in err.out + err.err
    secrets = (shop.data_dir / "secrets.json").read_text()
    assert "wrong" in secrets
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    assert not [r for r in con.execute("select settings from sync_connectors")
                if "access_token" in str(r[0]) and "wrong" in str(r[0])]


def test_where_shopify_owns_stock_its_levels_update_the_till(
        shop: Shop, fake: ShopifyFake) -> None:
    add_shopify(shop, fake, "system_of_record.stock=shopify")
    assert cli(shop, "sync", "pull") == 0  # caught up: both hold 50
    assert shop.app.stock.on_hand("TEA") == 50
    fake.web_sale("TEA", FLOOR, 4)  # sold online
    fake.web_sale("COF", "Warehouse", 2)  # at a location the till does not map
    assert cli(shop, "sync", "pull") == 0
    assert shop.app.stock.on_hand("TEA") == 46 and shop.app.stock.on_hand("COF") == 50
    # the change came from Shopify: it is not sent back as a delta
    clock = Clock()
    eng = engine(shop, clock)
    drain(eng, clock)
    eng.close()
    assert fake.available("TEA", FLOOR) == 46
    levels = [r for r in fake.requests if r.fields == ("location",)]
    assert levels  # read through the location's inventory levels, by updated_at
