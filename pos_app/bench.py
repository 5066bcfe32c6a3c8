"""``pos bench``: speed targets measured against physical baselines taken in the same run."""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .app import App, open_app
from .bench_sync import bench_sync
from .demo import build_demo_store
from .domain.errors import StateError
from .paths import db_path

TARGETS_MS = {"lookup": 2.0, "add_reprice": 5.0, "search": 30.0, "z_report": 200.0}
BUILD_TARGET_S = 180.0
COMMIT_FACTOR = 3.0
SYNC_EVENTS_PER_S = 500.0
SYNC_LATENCY_MS = 2000.0
SYNC_CEILING_FRACTION = 0.9
SYNC_MAX_429 = 5  # "a handful at most"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _measure(fn: Callable[[int], Any], n: int, warmup: int = 20) -> dict[str, float]:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return {"n": n, "p50_ms": round(_pct(samples, 0.50), 4),
            "p99_ms": round(_pct(samples, 0.99), 4),
            "mean_ms": round(statistics.fmean(samples), 4)}


def _sample_codes(path: Path, n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """Random barcodes of ordinary items (weighed and price-label items need a label)."""
    con = sqlite3.connect(path)
    try:
        top = con.execute("SELECT MAX(rowid) FROM barcodes").fetchone()[0]
        codes: list[str] = []
        while len(codes) < n:
            picks = ",".join(str(rng.randint(1, top)) for _ in range(n))
            codes.extend(r[0] for r in con.execute(
                "SELECT b.code FROM barcodes b JOIN variants v ON v.id = b.variant_id"
                " JOIN products p ON p.id = v.product_id WHERE v.price > 0 AND v.active"
                f" AND NOT p.sold_by_weight AND b.rowid IN ({picks})"))
        picks = ",".join(str(rng.randint(1, top)) for _ in range(200))
        words = [r[0].split()[0] for r in con.execute(
            f"SELECT name FROM variants WHERE rowid IN ({picks})")]
    finally:
        con.close()
    return codes[:n], words


def _baselines(db: Path, codes: list[str], scratch: Path) -> dict[str, Any]:
    """Raw sqlite3: an indexed lookup and a single-row durable insert (WAL, synchronous=FULL)."""
    con = sqlite3.connect(db)
    lookup = _measure(lambda i: con.execute("SELECT variant_id FROM barcodes WHERE code = ?",
                                            (codes[i % len(codes)],)).fetchone(), 2000)
    con.close()
    scratch.unlink(missing_ok=True)
    w = sqlite3.connect(scratch, isolation_level=None)
    w.execute("PRAGMA journal_mode=WAL")
    w.execute("PRAGMA synchronous=FULL")
    w.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")

    def insert(i: int) -> None:
        w.execute("BEGIN IMMEDIATE")
        w.execute("INSERT INTO t (payload) VALUES (?)", (f"row {i}",))
        w.execute("COMMIT")

    durable = _measure(insert, 300)
    w.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(scratch) + suffix).unlink(missing_ok=True)
    return {"raw_lookup": lookup, "raw_durable_insert": durable}


def _bench_app(app: App, codes: list[str], words: list[str], sales: int) -> dict[str, Any]:
    res: dict[str, Any] = {}
    co = app.checkout
    cashier = app.auth.login("cashier", "1111")
    manager = app.auth.login("manager", "3333")
    res["lookup"] = _measure(lambda i: co.lookup(codes[i % len(codes)]), 2000)

    cart = co.new_cart()
    for code in codes[:49]:
        co.scan(cart, code, cashier)
    base = list(cart.lines)

    def add(i: int) -> None:
        cart.lines[:] = base
        co.scan(cart, codes[100 + i % 1000], cashier)
        co.price(cart)

    res["add_reprice"] = _measure(add, 1000)
    res["add_reprice"]["cart_lines"] = 50
    prefixes = [w[:3].lower() for w in words if len(w) >= 3]
    res["search"] = _measure(lambda i: app.catalog.search(prefixes[i % len(prefixes)]), 500)

    if app.shifts.current() is not None:
        app.shifts.close(manager, {})
    app.shifts.open(manager, 10000)

    def sale(i: int) -> None:
        c = co.new_cart()
        for k in range(3):
            co.scan(c, codes[(i * 3 + k) % len(codes)], cashier)
        co.pay_cash(c, co.remaining(c) + 1000, cashier)
        t0 = time.perf_counter()
        co.complete(c, cashier)
        commit_ms.append((time.perf_counter() - t0) * 1000)

    commit_ms: list[float] = []
    for i in range(sales):
        sale(i)
    res["sale_commit"] = {"n": len(commit_ms), "p50_ms": round(_pct(commit_ms, 0.5), 4),
                          "p99_ms": round(_pct(commit_ms, 0.99), 4),
                          "mean_ms": round(statistics.fmean(commit_ms), 4), "lines": 3}
    res["z_report"] = _measure(lambda i: app.shifts.x_report(manager), 30, warmup=3)
    t0 = time.perf_counter()
    z = app.shifts.close(manager, {"cash": 0})
    res["z_report"]["close_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    res["z_report"]["sales_in_shift"] = z["sales"]["count"]
    return res


def run_bench(ns: argparse.Namespace) -> int:
    if getattr(ns, "only_sync", False):
        return _report({"sync": bench_sync(ns.sync_events or 10_000)}, ns)
    skus: int = ns.skus
    directory = Path(ns.data_dir) if ns.data_dir else Path("bench-data") / f"skus-{skus}"
    result: dict[str, Any] = {"skus": skus, "data_dir": str(directory)}
    build_s = None
    if ns.rebuild and directory.exists():
        for f in directory.glob("pos.sqlite3*"):
            f.unlink()
    try:
        app = open_app(directory)
        app.close()
    except StateError:
        t0 = time.perf_counter()
        build_demo_store(directory, skus)
        build_s = round(time.perf_counter() - t0, 2)
    result["build_s"] = build_s
    db = db_path(directory)
    result["db_mb"] = round(db.stat().st_size / 1e6, 1)
    if getattr(ns, "ui", False):
        from .bench_ui import bench_ui

        samples: int = ns.ui_samples
        result["ui"] = bench_ui(directory, starts=ns.ui_starts, scans=samples,
                                searches=max(samples // 2, 1), sale_items=max(samples // 2, 1))
        result["met"] = {} if build_s is None else {"build": build_s <= BUILD_TARGET_S}
        return _report(result, ns)
    rng = random.Random(7)
    codes, words = _sample_codes(db, 2000, rng)
    result["baseline"] = _baselines(db, codes, directory / "bench-scratch.sqlite3")
    app = open_app(directory)
    try:
        result.update(_bench_app(app, codes, words, ns.sales))
    finally:
        app.close()
    if ns.sync_events:
        result["sync"] = bench_sync(ns.sync_events)
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    raw_insert = result["baseline"]["raw_durable_insert"]["p99_ms"]
    checks = {name: result[name]["p99_ms"] <= limit for name, limit in TARGETS_MS.items()}
    checks["sale_commit"] = result["sale_commit"]["p99_ms"] <= COMMIT_FACTOR * raw_insert
    if build_s is not None:
        checks["build"] = build_s <= BUILD_TARGET_S
    result["targets"] = {"p99_ms": TARGETS_MS, "sale_commit_vs_raw_insert": COMMIT_FACTOR,
                         "build_s": BUILD_TARGET_S}
    result["met"] = checks
    return _report(result, ns)


def _sync_checks(s: dict[str, Any]) -> dict[str, bool]:
    limited = s["rate_limited"]
    return {"sync_drain": s["drain_batched"]["events_per_s"] >= SYNC_EVENTS_PER_S,
            "sync_drain_single": s["drain_single"]["events_per_s"] >= SYNC_EVENTS_PER_S,
            "sync_latency": s["latency"]["p99_ms"] <= SYNC_LATENCY_MS,
            "sync_ceiling": limited["fraction_of_ceiling"] >= SYNC_CEILING_FRACTION,
            "sync_429s": limited["throttled_429"] <= SYNC_MAX_429}


def _report(result: dict[str, Any], ns: argparse.Namespace) -> int:
    checks = result.setdefault("met", {})
    if "sync" in result:
        checks.update(_sync_checks(result["sync"]))
        result.setdefault("targets", {})["sync"] = {
            "events_per_s": SYNC_EVENTS_PER_S, "latency_p99_ms": SYNC_LATENCY_MS,
            "fraction_of_ceiling": SYNC_CEILING_FRACTION, "max_429": SYNC_MAX_429}
    if "ui" in result:
        from .bench_ui import UI_TARGETS, ui_checks

        checks.update(ui_checks(result["ui"]))
        result.setdefault("targets", {})["ui"] = UI_TARGETS
    if ns.json:
        print(json.dumps(result, indent=2))
    else:
        print(_table(result))
    return 0 if all(checks.values()) else 1


def _table(r: dict[str, Any]) -> str:
    met = r["met"]
    rows = []
    if "skus" in r:
        rows.append(f"pos bench: {r['skus']:,} variants ({r['db_mb']} MB)"
                    + (f", built in {r['build_s']} s" if r["build_s"] is not None
                       else ", reused"))
        for name in ("lookup", "add_reprice", "search", "sale_commit", "z_report"):
            if name not in r:  # pos bench --ui
                continue
            m = r[name]
            rows.append(f"  {name:<12} p50 {m['p50_ms']:>8.3f} ms  p99 {m['p99_ms']:>8.3f} ms"
                        f"  {'ok' if met[name] else 'MISSED'}")
        for name, m in r.get("baseline", {}).items():
            rows.append(f"  {name:<19} p50 {m['p50_ms']:>8.3f} ms  p99 {m['p99_ms']:>8.3f} ms")
    if "sync" in r:
        s = r["sync"]

        def ok(name: str) -> str:
            return "ok" if met[name] else "MISSED"

        for mode, check in (("single", "sync_drain_single"), ("batched", "sync_drain")):
            d = s[f"drain_{mode}"]
            rows.append(f"  sync drain {mode:<8} {d['events']} events in {d['seconds']} s = "
                        f"{d['events_per_s']}/s ({d['requests']} requests, engine "
                        f"{d['engine_cpu_ms_per_event']} ms CPU/event) {ok(check)}")
        lim = s["rate_limited"]
        rows.append(f"  sync at {lim['published']}: {lim['events']} events in "
                    f"{lim['seconds']} s, {lim['fraction_of_ceiling']:.1%} of the ceiling "
                    f"{ok('sync_ceiling')}, {lim['throttled_429']} x 429 {ok('sync_429s')}")
        lat = s["latency"]
        rows.append(f"  sale-to-target p50 {lat['p50_ms']} ms p99 {lat['p99_ms']} ms "
                    f"{ok('sync_latency')}")
    if "ui" in r:
        from .bench_ui import ui_table

        rows.extend(ui_table(r["ui"], met))
    if "max_rss_mb" in r:
        rows.append(f"  max RSS {r['max_rss_mb']} MB")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_bench(argparse.Namespace(skus=int(sys.argv[1]), data_dir=None, json=True,
                                          rebuild=False, sales=2000)))
