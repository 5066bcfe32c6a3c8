"""Sync health in words a cashier understands, and alerts without noise."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pos_app.app import build_sync_engine, sync_admin
from pos_app.cli.main import main
from sync.health import assess, is_offline, summary, sync_health
from sync.model import ConnectorFacts
from sync.receiver import receiver
from sync.signing import verify

from .conftest import Shop
from .test_sync import SECRET, Clock, add_webhook, sell

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def facts(**kw: Any) -> ConnectorFacts:
    owner = {"owner": {"until": (NOW + timedelta(seconds=30)).isoformat()}}
    runtime = {**(owner if kw.pop("running", True) else {}), **kw.pop("runtime", {})}
    base: dict[str, Any] = dict(name="hook", type="webhook", settings={}, pending=0,
                                in_flight=0, dead=0, retrying=0, held=0, unqueued=0,
                                oldest_waiting_at=None, runtime=runtime)
    return ConnectorFacts(**{**base, **kw})


def ago(seconds: float) -> str:
    return (NOW - timedelta(seconds=seconds)).isoformat()


def test_states_and_their_words() -> None:
    ok = assess(facts(pending=3, in_flight=2, oldest_waiting_at=NOW), NOW)
    assert (ok.state, ok.pending, ok.in_flight, ok.running) == ("ok", 3, 2, True)
    retry = assess(facts(pending=5, retrying=5, runtime={
        "failing_since": ago(30), "last_error": "HTTP 503 from http://x/hook",
        "last_error_kind": "server"}), NOW)
    assert retry.state == "retrying" and "problem on its side" in retry.message
    assert retry.detail == "HTTP 503 from http://x/hook" and retry.alerts == ()
    off = assess(facts(pending=40, runtime={
        "failing_since": ago(30), "last_error": "cannot reach http://x/hook: ConnectError",
        "last_error_kind": "unreachable"}), NOW)
    assert off.state == "offline" and "check the internet connection" in off.message
    assert "(40 waiting)" in off.message
    dead = assess(facts(dead=2, runtime={"last_error": "HTTP 400: unknown tax code",
                                         "last_error_kind": "refused"}), NOW)
    assert dead.state == "failing" and dead.alerts == ("dead",)
    assert "a manager must look" in dead.message
    stuck = assess(facts(pending=9, runtime={
        "failing_since": ago(700), "breaker_open_since": ago(650),
        "last_error": "HTTP 500", "last_error_kind": "server"}), NOW)
    assert stuck.state == "failing" and stuck.alerts == ("stuck",)
    assert stuck.since == NOW - timedelta(seconds=700)
    # events waiting with nobody sending them: the sync service is not running
    idle = assess(facts(unqueued=12, oldest_waiting_at=NOW - timedelta(minutes=5),
                        running=False), NOW)
    assert idle.state == "failing" and "no sync process is running" in idle.message
    assert not idle.running and idle.pending == 12
    # a day's summary waiting for the day to end is not a backlog
    held = assess(facts(pending=300, held=300), NOW)
    assert held.state == "ok" and held.oldest_pending_s is None


def test_offline_flag_and_status_line() -> None:
    off = assess(facts(pending=4, runtime={"failing_since": ago(5),
                                           "last_error_kind": "timeout",
                                           "last_error": "no answer"}), NOW)
    books = assess(facts(name="books", type="beancount"), NOW)  # local: nothing waiting
    assert is_offline([off, books]) and "kept safely on this till" in summary([off, books])
    retry = assess(facts(name="b", pending=1, runtime={"failing_since": ago(5),
                                                       "last_error_kind": "server",
                                                       "last_error": "HTTP 502"}), NOW)
    assert not is_offline([off, retry])  # one target answers: not the network
    assert not is_offline([books]) and summary([books]) == "sync: all delivered"


@contextmanager
def alert_sink() -> Iterator[tuple[str, list[dict[str, Any]], threading.Condition]]:
    got: list[dict[str, Any]] = []
    changed = threading.Condition()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            assert verify("alert-key", self.headers.get("X-POS-Signature"), body)
            with changed:
                got.append(json.loads(body))
                changed.notify_all()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/alerts", got, changed
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_alerts_once_per_episode_and_once_when_recovered(shop: Shop,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    port = free_port()  # the target is down
    add_webhook(shop, f"http://127.0.0.1:{port}/hook")
    sell(shop, 6)
    with alert_sink() as (url, alerts, _changed):
        assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999",
                     "sync", "connector", "set", "hook", "--set", f"alert_url={url}", "--set",
                     "alert_secret=alert-key", "--set", "alert_after_s=120", "--set",
                     "breaker_after=3", "--set", "breaker_cooldown_s=20", "--set",
                     "retry_cap_s=30"]) == 0
        clock = Clock()
        eng = build_sync_engine(shop.app)
        eng.clock, eng.sleep = clock, clock.advance

        def rounds(n: int, step: float) -> None:
            for _ in range(n):
                eng.run_until_idle()
                clock.advance(step)

        rounds(5, 15)  # a minute of failures: retries are expected to succeed
        [h] = sync_health(eng.store, clock())
        assert h.state == "offline" and h.running and h.pending > 0
        assert alerts == []  # no noise yet
        rounds(8, 15)  # two minutes of it: one alert
        assert [a["type"] for a in alerts] == ["sync.alert"]
        assert alerts[0]["condition"] == "stuck" and "cannot reach" in alerts[0]["message"]
        rounds(10, 30)  # still down: no second alert for the same episode
        assert len(alerts) == 1
        [h] = sync_health(eng.store, clock())
        assert h.alerts == ("stuck",) and h.state == "offline"
        capsys.readouterr()
        assert main(["--data-dir", str(shop.data_dir), "sync", "status"]) == 0
        out = capsys.readouterr().out
        assert "offline" in out and "in flight    0" in out and "cannot reach" in out
        assert "sync offline: " in out

        with receiver(SECRET, port=port) as rcv:  # the network is back
            rounds(4, 31)
            [h] = sync_health(eng.store, clock())
            assert h.state == "ok" and h.pending == 0 and len(rcv.events) > 0
            assert [a["type"] for a in alerts] == ["sync.alert", "sync.recovered"]
            # a dead letter alerts at once: retries will not fix it
            rcv.fault = lambda e: "400"
            sell(shop, 1)
            eng.run_until_idle()
            assert [a["condition"] for a in alerts][-1] == "dead"
            [h] = sync_health(eng.store, clock())
            assert h.state == "failing" and h.dead == 2  # the sale and its stock movement
            rcv.fault = lambda e: "ok"
            admin = sync_admin(shop.app)
            admin.retry_all(shop.admin, "hook")
            rounds(3, 10)
        eng.close()
    assert [(a["type"], a["condition"]) for a in alerts] == [
        ("sync.alert", "stuck"), ("sync.recovered", "stuck"),
        ("sync.alert", "dead"), ("sync.recovered", "dead")]
