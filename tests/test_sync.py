"""The sync engine against a real HTTP receiver on loopback, with faults injected."""

from __future__ import annotations

import json
import os
import random
import socket
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pos_app.app import build_sync_engine, secret_store, sync_store
from pos_app.cli.main import main
from sync.engine import SyncEngine
from sync.model import ConnectorConfig
from sync.receiver import receiver
from sync.retry import CircuitBreaker, RetryPolicy, parse_retry_after
from sync.signing import sign, verify

from .conftest import COFFEE, TEA_UPC, Shop

SECRET = "s3cr3t-shared-with-the-receiver"


class Clock:
    """Engine time that tests move forward instead of sleeping through backoffs."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(minutes=2)  # past the settle window

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")  # no desktop keyring on a CI machine


def sell(shop: Shop, n: int, refund_every: int = 0) -> list[str]:
    co, rs, u = shop.app.checkout, shop.app.returns, shop.cashier
    receipts = []
    for i in range(n):
        cart = co.new_cart()
        co.scan(cart, COFFEE if i % 2 else TEA_UPC, u, Decimal(1 + i % 3))
        co.pay_cash(cart, 10000, u)
        sale = co.complete(cart, u)
        receipts.append(sale.receipt_no)
        if refund_every and i % refund_every == 0:
            back = co.new_cart()
            rs.add_return_line(back, sale, 1, Decimal(1), u)
            rs.refund(back, u)
            co.complete(back, u)
    return receipts


def add_webhook(shop: Shop, url: str, name: str = "hook") -> None:
    """Through the public CLI, as a shop owner would add it."""
    code = main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "webhook", "--name", name, "--set", f"url={url}",
                 "--set", f"secret={SECRET}", "--set", "timeout_s=2", "--from-start"])
    assert code == 0


def engine(shop: Shop, clock: Clock, seed: int = 1) -> SyncEngine:
    eng = build_sync_engine(shop.app)
    eng.clock, eng.rng, eng.sleep = clock, random.Random(seed), clock.advance
    return eng


def drain(eng: SyncEngine, clock: Clock, rounds: int = 200) -> None:
    for _ in range(rounds):
        eng.run_until_idle()
        status = eng.store.status()
        if all(s.pending == 0 for s in status):
            return
        clock.advance(400)  # beyond the longest backoff and the breaker's cool-down
    raise AssertionError(f"not drained: {eng.store.status()}")


def assert_key_order(arrival: list[str], events: dict[str, dict[str, object]]) -> None:
    """Events sharing an ordering key (a sale and its refunds; an item's stock movements)
    arrived in outbox order."""
    from sync.model import OutboxEvent, ordering_keys

    by_id = {e["id"]: e for e in events.values()}
    seen: dict[str, str] = {}
    for eid in arrival:
        e = by_id[eid]
        for key in ordering_keys(OutboxEvent(
                e["id"], e["type"], 1, e["aggregate_type"], e["aggregate_id"],  # type: ignore[arg-type]
                e["payload"], datetime.now(UTC))):  # type: ignore[arg-type]
            assert seen.get(key, "") < eid, f"{eid} ({key}) arrived after a later event"
            seen[key] = eid


def outbox_ids(shop: Shop) -> list[str]:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    return [r[0] for r in con.execute("select id from outbox order by id")]


def test_every_event_arrives_exactly_once_through_faults(shop: Shop) -> None:
    sell(shop, 30, refund_every=4)
    rng = random.Random(5)
    faults = ["500", "503", "429", "drop"]
    with receiver(SECRET, lambda e: rng.choice(faults) if rng.random() < 0.3 else "ok") as rcv:
        add_webhook(shop, rcv.url)
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        eng.close()
    expected = outbox_ids(shop)
    assert sorted(e["id"] for e in rcv.events.values()) == expected  # all, once each
    assert rcv.duplicates > 0  # "drop" made the engine resend what the target had
    assert rcv.bad_signatures == 0
    assert_key_order(rcv.arrival, rcv.events)
    first = {eid: i for i, eid in enumerate(rcv.arrival)}
    for event in rcv.events.values():  # a refund never arrives before its sale
        of = event["payload"].get("return_of_sale_id")
        if event["type"] == "refund.completed" and of:
            sale_event = next(e for e in rcv.events.values()
                              if e["type"] == "sale.completed" and e["aggregate_id"] == of)
            assert first[sale_event["id"]] < first[event["id"]]
    [st] = sync_store(shop.app).status()
    assert (st.pending, st.delivered, st.dead) == (0, len(expected), 0)


def test_a_dead_stock_movement_holds_back_that_item_only(shop: Shop) -> None:
    """Stock keeps its order per item: one item the target refuses must not stop every
    other item's stock from reaching it (nor the sales), and that item's later movements
    wait behind the dead one until it is retried, then arrive in order."""
    receipts = sell(shop, 8)  # tea on the even ones, coffee on the odd ones
    tea = set(receipts[0::2])
    broken = {"on": True}

    def fault(event: dict[str, object]) -> str:
        payload = event["payload"]
        assert isinstance(payload, dict)
        refused = event["type"] == "stock.moved" and payload["ref"] in tea
        return "400" if broken["on"] and refused else "ok"

    def stock_refs() -> list[str]:
        by_id = {e["id"]: e for e in rcv.events.values()}
        refs = [by_id[eid]["payload"]["ref"] for eid in rcv.arrival  # type: ignore[index]
                if by_id[eid]["type"] == "stock.moved"]
        return [r for r in refs if r in receipts]  # not the fixture's opening stock

    with receiver(SECRET, fault) as rcv:
        add_webhook(shop, rcv.url)
        clock = Clock()
        eng = engine(shop, clock)
        for _ in range(3):  # however often it runs, the other tea movements stay behind
            eng.run_until_idle()
            clock.advance(400)
        store = sync_store(shop.app)
        [dead] = store.dead_letters()
        assert dead.event_type == "stock.moved"
        assert stock_refs() == receipts[1::2]  # every coffee movement, in order
        assert sum(e["type"] == "sale.completed" for e in rcv.events.values()) == 8
        [st] = store.status()
        assert (st.pending, st.dead) == (3, 1)  # the later tea movements wait, unsent
        con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
        waiting = con.execute("SELECT attempts FROM sync_deliveries WHERE state = 'pending'")
        assert [a for (a,) in waiting] == [0, 0, 0]  # never attempted: no noise, no overtaking
        con.close()
        broken["on"] = False
        assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999",
                     "sync", "retry", dead.event_id]) == 0
        drain(eng, clock)
        eng.close()
    assert stock_refs()[4:] == receipts[0::2]  # the tea ones after the retry, in order
    assert sorted(e["id"] for e in rcv.events.values()) == outbox_ids(shop)
    assert_key_order(rcv.arrival, rcv.events)


def test_a_stock_delivery_queued_before_item_keys_holds_back_all_stock(shop: Shop) -> None:
    """A delivery queued by a version without per-item keys (no key rows) keeps the old,
    stricter order: behind it wait all later stock movements, whatever their item."""
    [first] = sell(shop, 1)  # tea
    broken = {"on": True}

    def fault(event: dict[str, object]) -> str:
        payload = event["payload"]
        assert isinstance(payload, dict)
        refused = event["type"] == "stock.moved" and payload["ref"] == first
        return "400" if broken["on"] and refused else "ok"

    def sale_stock() -> list[object]:
        return [e for e in rcv.events.values() if e["type"] == "stock.moved"
                and e["payload"]["ref"].startswith("S1-")]  # type: ignore[index]

    with receiver(SECRET, fault) as rcv:
        add_webhook(shop, rcv.url)
        clock = Clock()
        eng = engine(shop, clock)
        eng.run_until_idle()
        [dead] = sync_store(shop.app).dead_letters()
        con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
        with con:
            assert con.execute("DELETE FROM sync_delivery_keys WHERE event_id = ?",
                               (dead.event_id,)).rowcount == 1
        con.close()
        broken["on"] = False
        sell(shop, 2)  # tea and coffee: the same item and another one
        clock.advance(400)
        eng.run_until_idle()
        assert sale_stock() == []
        assert sum(e["type"] == "sale.completed" for e in rcv.events.values()) == 3
        [st] = sync_store(shop.app).status()
        assert (st.pending, st.dead) == (2, 1)
        eng.close()


def test_a_sender_killed_mid_body_is_an_incomplete_request_not_a_bad_signature() -> None:
    """The chaos test SIGKILLs the sender mid-request: the receiver must tell a body cut
    short from a forged one (and apply neither)."""
    with receiver(SECRET) as rcv:
        host, port = rcv.url.split("//")[1].split("/")[0].split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                      b"X-POS-Signature: sha256=00\r\n\r\n{\"id\": \"cut")
        with rcv.changed:
            assert rcv.changed.wait_for(lambda: rcv.incomplete == 1, 10)
        assert rcv.bad_signatures == 0 and not rcv.events


def test_dead_letter_blocks_its_key_until_retried(shop: Shop, capsys) -> None:  # type: ignore[no-untyped-def]
    sell(shop, 6, refund_every=3)  # refunds of sales 1 and 4
    broken = {"on": True}

    def fault(event: dict[str, object]) -> str:
        return "400" if broken["on"] and event["type"] == "refund.completed" else "ok"

    with receiver(SECRET, fault) as rcv:
        add_webhook(shop, rcv.url)
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        store = sync_store(shop.app)
        dead = store.dead_letters()
        assert [d.event_type for d in dead] == ["refund.completed", "refund.completed"]
        assert "unknown tax code RED" in dead[0].error  # the target's own message
        assert {e["type"] for e in rcv.events.values()} >= {"sale.completed", "stock.moved"}
        capsys.readouterr()
        assert main(["--data-dir", str(shop.data_dir), "sync", "status"]) == 0
        assert "dead    2" in capsys.readouterr().out
        broken["on"] = False  # the mapping was fixed at the target
        for d in dead:
            assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999",
                         "sync", "retry", d.event_id]) == 0
        drain(eng, clock)
        eng.close()
    assert sorted(e["id"] for e in rcv.events.values()) == outbox_ids(shop)
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    assert con.execute("select count(*) from audit_log where action='sync_retry'"
                       ).fetchone()[0] == 2


def test_offline_backlog_drains_by_itself_in_order(shop: Shop) -> None:
    with socket.socket() as s:  # a port nobody listens on: the target is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    add_webhook(shop, f"http://127.0.0.1:{port}/hook")
    sell(shop, 12, refund_every=5)
    clock = Clock()
    eng = engine(shop, clock)
    for _ in range(8):  # a day offline: attempts fail, the breaker opens
        eng.run_until_idle()
        clock.advance(60)
    assert eng.breakers["hook"].failures >= 5
    [st] = sync_store(shop.app).status()
    assert st.delivered == 0 and st.pending == len(outbox_ids(shop))
    assert "cannot reach" in (st.last_error or "")
    with receiver(SECRET, port=port) as rcv:  # the network is back
        drain(eng, clock)
    eng.close()
    assert sorted(rcv.arrival) == outbox_ids(shop)  # nothing missing, nothing twice
    assert_key_order(rcv.arrival, rcv.events)


def test_enqueue_never_passes_an_event_that_may_still_commit(shop: Shop) -> None:
    add_webhook(shop, "http://127.0.0.1:9/never")
    store = sync_store(shop.app)
    sell(shop, 2)
    now = datetime.now(UTC)
    assert store.enqueue("hook", now - timedelta(seconds=60), 100) == len(outbox_ids(shop))
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    cursor = con.execute("select cursor from sync_connectors").fetchone()[0]
    assert cursor == ""  # the events are too recent: the cursor stays behind them
    # an event with an older id that committed late (another process's long transaction)
    late = "00000000-0000-7000-8000-000000000001"
    con.execute("insert into outbox values (?, 'price.changed', 1, 'variant', 'v', '{}', ?)",
                (late, now.replace(tzinfo=None).isoformat(" ")))
    con.commit()
    assert store.enqueue("hook", now - timedelta(seconds=60), 100) == 1  # still picked up
    assert store.enqueue("hook", now + timedelta(minutes=5), 100) == 0
    cursor = con.execute("select cursor from sync_connectors").fetchone()[0]
    assert cursor == outbox_ids(shop)[-1]  # settled: the cursor moves past all of them


def test_secrets_stay_out_of_the_database_and_logs(shop: Shop) -> None:
    with receiver(SECRET) as rcv:
        add_webhook(shop, rcv.url)
        assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999",
                     "sync", "connector", "test", "hook"]) == 0
    secrets_file = shop.data_dir / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert json.loads(secrets_file.read_text())["hook"]["secret"] == SECRET
    for path in [shop.data_dir / "pos.sqlite3", shop.data_dir / "pos.sqlite3-wal",
                 Path(os.environ["POS_LOG_DIR"]) / "pos.log"]:
        if path.exists():
            assert SECRET.encode() not in path.read_bytes(), path
    assert secret_store(shop.app).get("hook", "secret") == SECRET
    [cfg] = sync_store(shop.app).connectors()
    assert cfg == ConnectorConfig("hook", "webhook", {"url": rcv.url, "timeout_s": "2"})


def test_connector_add_refuses_bad_settings(shop: Shop, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
            "connector", "add", "webhook", "--name", "x"]
    assert main([*args, "--set", "url=http://127.0.0.1:9/"]) == 1
    assert "missing required setting(s): secret" in capsys.readouterr().err
    assert main([*args, "--set", "url=u", "--set", "secret=s", "--set", "colour=red"]) == 1
    assert "unknown setting(s) colour" in capsys.readouterr().err
    assert main(["--data-dir", str(shop.data_dir), "--user", "cashier", "--pin", "1111",
                 "sync", "connector", "add", "webhook", "--name", "y", "--set", "url=u",
                 "--set", "secret=s"]) == 1
    assert "settings" in capsys.readouterr().err
    assert sync_store(shop.app).connectors() == []


def test_signature_verification() -> None:
    body = b'{"id":"1"}'
    header = sign("k", body, timestamp=1_700_000_000)
    assert verify("k", header, body, now=1_700_000_100)
    assert not verify("other", header, body, now=1_700_000_100)
    assert not verify("k", header, body + b" ", now=1_700_000_100)
    assert not verify("k", header, body, now=1_700_000_000 + 301)  # replayed later
    assert not verify("k", None, body) and not verify("k", "garbage", body)


def test_backoff_retry_after_and_breaker() -> None:
    rng = random.Random(3)
    policy = RetryPolicy(base_s=1, cap_s=300)
    delays = [policy.delay(n, rng) for n in range(12) for _ in range(50)]
    assert all(0 <= d <= 300 for d in delays) and max(delays) > 150  # full jitter up to cap
    assert policy.delay(0, rng, retry_after=30) >= 30
    assert parse_retry_after("120") == 120
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("soon") is None
    breaker = CircuitBreaker(threshold=3, cooldown_s=30)
    for t in range(3):
        assert breaker.allow(t)
        breaker.failure(t)
    assert breaker.open and not breaker.allow(10) and breaker.allow(33)
    breaker.success()
    assert not breaker.open


def test_reconcile_lists_what_a_target_has_not_acknowledged(shop: Shop, capsys) -> None:  # type: ignore[no-untyped-def]
    receipts = sell(shop, 5, refund_every=2)  # 5 sales and 3 refunds today
    today = datetime.now().astimezone().date().isoformat()
    base = ["--data-dir", str(shop.data_dir), "sync", "reconcile", "--date", today]
    with receiver(SECRET, lambda e: "400" if e["type"] == "refund.completed" else "ok") as rcv:
        add_webhook(shop, rcv.url)
        capsys.readouterr()
        assert main(base) == 1  # nothing delivered yet
        assert "8 missing" in capsys.readouterr().out
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        assert main([*base, "--json"]) == 1
        [report] = json.loads(capsys.readouterr().out)
        assert (report["pos_count"], report["acked_count"]) == (8, 5)
        assert {m[2] for m in report["missing"]} == {"dead"}
        assert all("unknown tax code" in m[3] for m in report["missing"])
        assert report["pos_amount"] - report["acked_amount"] == sum(
            m[1] for m in report["missing"])
        for d in sync_store(shop.app).dead_letters():
            sync_store(shop.app).requeue(d.event_id, None, clock())
        rcv.fault = lambda e: "ok"
        drain(eng, clock)
        eng.close()
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "OK" in out and receipts[0] not in out
    yesterday = (datetime.now().astimezone() - timedelta(days=1)).date().isoformat()
    assert main(["--data-dir", str(shop.data_dir), "sync", "reconcile", "--date",
                 yesterday]) == 0  # nothing sold that day, nothing missing
