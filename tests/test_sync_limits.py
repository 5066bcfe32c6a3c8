"""Batched webhooks and rate limits, against the reference receiver on loopback."""

from __future__ import annotations

import random

import pytest

from pos_app.app import build_sync_engine, sync_store
from pos_app.cli.main import main
from sync.receiver import receiver

from .conftest import Shop
from .test_sync import SECRET, Clock, assert_key_order, drain, engine, outbox_ids, sell


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def add_hook(shop: Shop, url: str, *settings: str) -> None:
    sets = [x for s in settings for x in ("--set", s)]
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "webhook", "--name", "hook", "--set", f"url={url}",
                 "--set", f"secret={SECRET}", "--set", "timeout_s=2", *sets,
                 "--from-start"]) == 0


def test_batches_are_acknowledged_per_event_through_faults(shop: Shop) -> None:
    sell(shop, 40, refund_every=3)
    per_event, per_request = random.Random(3), random.Random(4)

    def event_fault(e: dict[str, object]) -> str:
        if e["type"] == "refund.completed" and e["id"] == first_refund:
            return "400"  # refused for good: a dead letter with the receiver's words
        return per_event.choice(["500", "429"]) if per_event.random() < 0.1 else "ok"

    def request_fault(events: list[dict[str, object]]) -> str:
        return per_request.choice(["drop", "reset", "503"]) if per_request.random() < 0.2 \
            else "ok"

    ids = outbox_ids(shop)
    first_refund = next(i for i in ids if i in refund_ids(shop))
    with receiver(SECRET, event_fault, request_fault=request_fault) as rcv:
        add_hook(shop, rcv.url, "batch_size=12")
        clock = Clock()
        eng = engine(shop, clock)
        drain(eng, clock)
        eng.close()
    [dead] = sync_store(shop.app).dead_letters()
    assert dead.event_id == first_refund and "unknown tax code RED" in dead.error
    got = sorted(e["id"] for e in rcv.events.values())
    assert got == [i for i in ids if i != first_refund]  # everything else, once each
    assert rcv.batches > 0 and rcv.requests < len(ids)  # several events per request
    assert rcv.duplicates > 0  # drops after the receiver committed: resent, recognised
    assert_key_order(rcv.arrival, rcv.events)  # a failure never let a refund overtake


def refund_ids(shop: Shop) -> set[str]:
    import sqlite3

    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    return {r[0] for r in con.execute("select id from outbox where type='refund.completed'")}


def test_a_published_rate_limit_is_kept_without_429s(shop: Shop) -> None:
    sell(shop, 40)  # 80 events
    with receiver(SECRET, rate=25, burst=5) as rcv:
        add_hook(shop, rcv.url, "rate_limit=25/s", "burst=5")
        eng = build_sync_engine(shop.app)  # the real clock: the limit is real time
        stats = eng.run_until_idle()
        eng.close()
        limit = rcv.stats()["limit"]
    assert stats.delivered == len(outbox_ids(shop)) == len(rcv.events)
    assert rcv.throttled <= 1  # paced below the ceiling instead of bouncing off it
    assert limit["admitted"] <= limit["ceiling"] + 0.001
    # 80 requests at 25/s after a burst of 5 cannot take less than 3 s
    assert limit["seconds"] >= (80 - 5) / 25 - 0.05


def test_the_receivers_own_quota_headers_are_obeyed(shop: Shop) -> None:
    sell(shop, 30)
    # no client-side ceiling configured: the engine learns the limit from the answers
    with receiver(SECRET, rate=30, burst=3) as rcv:
        add_hook(shop, rcv.url, "concurrency=1")
        eng = build_sync_engine(shop.app)
        stats = eng.run_until_idle()
        waited = eng._served["hook"].limiter.waited_s
        eng.close()
    assert stats.delivered == len(outbox_ids(shop)) == len(rcv.events)
    assert waited > 1.0  # it waited for the quota's resets
    assert rcv.throttled <= 3


def test_429_with_retry_after_pauses_the_connector(shop: Shop) -> None:
    sell(shop, 3)
    answers = iter(["429"] + ["ok"] * 100)
    with receiver(SECRET, lambda e: next(answers)) as rcv:
        add_hook(shop, rcv.url, "concurrency=1")
        clock = Clock()
        eng = engine(shop, clock)
        eng.run_until_idle()  # the engine's clock moves only by its own waits
        limiter = eng._served["hook"].limiter
        eng.close()
    n = len(outbox_ids(shop))
    assert len(rcv.events) == n and rcv.requests == n + 1
    # the receiver said "Retry-After: 2": the connector waited that long before going on
    assert limiter.throttled == 1 and limiter.waited_s >= 2
    assert eng.breakers["hook"].failures == 0  # being told to slow down is not a failure
