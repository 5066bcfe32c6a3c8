"""``pos bench``, sync part: drain, rate-limited drain and sale-to-target latency.

Every measure runs against the reference receiver (``python -m sync.receiver``) in its
own process on the same machine, so the receiver's work shares the cores with the
engine's, as a local n8n or in-house service would:

* **drain**: a fresh store with N/2 cash sales (N outbox events plus the set-up's); one
  webhook connector per mode drains all of them: one event per request (the first
  part's engine and the baseline of this run) and batch mode (``batch_size``);
* **rate-limited drain**: a receiver enforcing a published limit (token bucket, e.g.
  100 requests/s with bursts of 20) and a connector configured with those figures; the
  achieved rate as a fraction of the ceiling, ``admitted / (burst + rate * seconds)``
  over the admitted requests, and the number of 429s;
* **latency**: with the engine running as a service, sales are made and the time from
  each event's commit to its arrival at the receiver is taken.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.model import ConnectorConfig

from .app import App, build_sync_engine, init_store, secret_store, sync_store
from .domain.catalog import NewProduct, NewVariant
from .paths import db_path

SECRET = "bench"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def _receiver(*args: str) -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
    proc = subprocess.Popen([sys.executable, "-m", "sync.receiver", "--secret", SECRET, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    result: dict[str, Any] = {}

    def finish() -> dict[str, Any]:
        if not result:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.close()
            result.update(json.loads(proc.stdout.read()))
        return result

    try:
        yield proc.stdout.readline().strip(), finish
    finally:
        proc.kill()
        proc.wait()


def _add(app: App, name: str, url: str, from_start: bool, **settings: str) -> None:
    secret_store(app).set(name, "secret", SECRET)
    sync_store(app).add_connector(ConnectorConfig(name, "webhook", {"url": url, **settings}),
                                  from_start=from_start)


def _drain(app: App, name: str) -> dict[str, Any]:
    engine = build_sync_engine(app, name)
    t0, cpu0 = time.perf_counter(), time.process_time()
    stats = engine.run_until_idle()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    engine.close()
    return {"events": stats.delivered, "seconds": round(seconds, 2),
            "events_per_s": round(stats.delivered / seconds, 1),
            "engine_cpu_ms_per_event": round(cpu * 1000 / stats.delivered, 3)}


def bench_sync(events: int = 10_000, batch: int = 100, limited: int = 1500,
               rate: float = 100.0, burst: int = 20, live: int = 100) -> dict[str, Any]:
    os.environ["POS_SECRETS"] = "file"  # never touch a desktop keyring from a benchmark
    limited, live = min(limited, events), min(live, max(1, events // 2))
    res: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = init_store(Path(tmp) / "store", store_name="Bench", store_code="B1",
                         till_code="T1", currency="EUR", tax_mode="inclusive",
                         admin_user="admin", admin_pin="9999",
                         taxes=[("STD", "Standard", "0.19")])
        try:
            admin = app.auth.login("admin", "9999")
            app.catalog.add_product(admin, NewProduct("Item", "STD", (
                NewVariant("ITEM", 499, ("4006381333931",)),)))
            app.shifts.open(admin, 0)
            co = app.checkout

            def sell() -> None:
                cart = co.new_cart()
                co.scan(cart, "4006381333931", admin)
                co.pay_cash(cart, 500, admin)
                co.complete(cart, admin)

            t0 = time.perf_counter()
            for _ in range(events // 2):  # each sale: sale.completed + stock.moved
                sell()
            res["sales"] = {"count": events // 2,
                            "per_s": round(events // 2 / (time.perf_counter() - t0), 1)}
            for mode, settings in (("single", {}), ("batched", {"batch_size": str(batch)})):
                with _receiver() as (url, finish):
                    _add(app, mode, url, True, **settings)
                    drained = _drain(app, mode)
                    got = finish()
                drained.update(received=got["events"], duplicates=got["duplicates"],
                               requests=got["requests"])
                res[f"drain_{mode}"] = drained
            res["drain_batched"]["batch_size"] = batch
            res["latency"] = _latency(app, sell, live)
            res["rate_limited"] = _limited(app, sell, limited, rate, burst)
        finally:
            app.close()
    return res


def _latency(app: App, sell: Callable[[], None], n: int) -> dict[str, Any]:
    with _receiver() as (url, finish):
        _add(app, "live", url, False)
        engine = build_sync_engine(app, "live")
        stop = threading.Event()
        service = threading.Thread(target=engine.run_forever, args=(stop,))
        service.start()
        con = sqlite3.connect(db_path(app.data_dir))
        before = con.execute("SELECT MAX(id) FROM outbox").fetchone()[0]
        for _ in range(n):
            sell()
        while {s.name: s for s in sync_store(app).status()}["live"].delivered < 2 * n:
            time.sleep(0.05)  # a benchmark waiting for the service, not a test
        stop.set()
        service.join()
        engine.close()
        got = finish()
    latency = []
    for eid, created in con.execute("SELECT id, created_at FROM outbox WHERE id > ?",
                                    (before,)):
        at = datetime.fromisoformat(created).replace(tzinfo=UTC).timestamp()
        latency.append((got["arrived_at"][eid] - at) * 1000)
    con.close()
    return {"events": len(latency), "p50_ms": round(_pct(latency, 0.5), 1),
            "p99_ms": round(_pct(latency, 0.99), 1), "duplicates": got["duplicates"]}


def _limited(app: App, sell: Callable[[], None], events: int, rate: float,
             burst: int) -> dict[str, Any]:
    with _receiver("--rate", str(rate), "--burst", str(burst)) as (url, finish):
        _add(app, "limited", url, False, rate_limit=f"{rate:g}/s", burst=str(burst))
        for _ in range(events // 2):
            sell()
        drained = _drain(app, "limited")
        got = finish()
    limit = got["limit"]
    return {**drained, "published": f"{rate:g}/s, burst {burst}",
            "admitted": limit["admitted"], "ceiling": round(limit["ceiling"], 1),
            "fraction_of_ceiling": round(limit["admitted"] / limit["ceiling"], 3),
            "throttled_429": got["throttled"], "received": got["events"]}


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(bench_sync(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000), indent=2))
