"""Crash safety of sale completion.

A worker process (``crash_worker.py``) rings up sales on a real store and is SIGKILLed
at every statement boundary of a sale's commit (before and after each statement, just
before and just after COMMIT), and also at random moments from the outside. After each
kill the same database file is checked with a fresh connection:

(a) every sale is whole or absent: lines, tax lines, payments, stock movements,
    payment attempts marked used, and no orphan rows of a missing sale;
(b) the stock ledger sums equal the on-hand cache for every item and location;
(c) exactly one ``sale.completed`` outbox event per sale (and one ``stock.moved``);
(d) receipt numbers are gapless: 1..n, and the till's counter equals n;
(e) the audit chain verifies, with one ``sale`` entry per sale;
(f) every sale the worker reported as completed survived the kill;
(g) the next process completes sales normally (the store is not wedged).

The checker is shown not to be vacuous: a worker that commits a sale in two
transactions, killed between them, and hand-made corruptions of a good store fail it.

Interpreter start and imports cost seconds per process on a busy machine, so the many
kill runs are forked from a pre-imported ``crash_worker.py --serve``; each run is still
its own process that opens the store, is SIGKILLed, and leaves recovery to the next one.
The measuring run and the last run of the boundary test start the worker cold.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_app.app import init_store, open_app
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from pos_app.paths import db_path
from tests.crash_worker import ADMIN, PIN, PRODUCTS

WORKER = Path(__file__).with_name("crash_worker.py")
PRICES = {"COF-1": 1299, "CHO-1": 229, "TEA-1": 499, "MLK-1": 119, "BRD-1": 349, "APL-1": 87}
OPENING_STOCK = Decimal(1000)
KILLED = -signal.SIGKILL


# ----- the store and the worker ---------------------------------------------------------
def make_store(directory: Path) -> Path:
    app = init_store(directory, store_name="Crash", store_code="S1", till_code="T1",
                     currency="EUR", tax_mode="inclusive", admin_user=ADMIN, admin_pin=PIN,
                     taxes=[("STD", "Standard", "0.19"), ("RED", "Reduced", "0.07")])
    try:
        admin = app.auth.login(ADMIN, PIN)
        app.settings.set(admin, "cash_increment", 5)  # cash rounding shows up in payments
        for tax_code, items in PRODUCTS.items():
            for sku, barcode in items:
                app.catalog.add_product(admin, NewProduct(
                    f"Item {sku}", tax_code, (NewVariant(sku, PRICES[sku], (barcode,)),)))
                app.stock.adjust(admin, sku, OPENING_STOCK, "opening", MovementKind.RECEIVING)
        app.shifts.open(admin, 10000)
    finally:
        app.close()
    return directory


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return make_store(tmp_path / "store")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    receipts: list[str] = field(default_factory=list)  # sales the worker reported complete
    points: list[tuple[int, int]] = field(default_factory=list)  # (statements, kill points)
    split_at: int | None = None

    @classmethod
    def parse(cls, returncode: int, stdout: str, stderr: str) -> Run:
        run = cls(returncode, stdout, stderr)
        for line in stdout.splitlines():
            if not line.strip():
                continue
            word, *rest = line.split()
            if word == "SALE":
                run.receipts.append(rest[0])
            elif word == "POINTS":
                run.points.append((int(rest[0]), int(rest[1])))
            elif word == "SPLIT":
                run.split_at = int(rest[0])
        return run

    def describe(self) -> str:
        return f"exit {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def worker_args(data_dir: Path, kill_at: int, n_sales: int, pre: int = 0, seed: int = 0,
                split: bool = False) -> list[str]:
    return [str(data_dir), str(kill_at), str(n_sales), "--pre", str(pre), "--seed", str(seed),
            *(["--split"] if split else [])]


def run_cold(data_dir: Path, kill_at: int, n_sales: int, pre: int = 0, seed: int = 0) -> Run:
    """The worker as its own fresh interpreter."""
    proc = subprocess.run([sys.executable, str(WORKER),
                           *worker_args(data_dir, kill_at, n_sales, pre, seed)],
                          capture_output=True, text=True, timeout=300)
    return Run.parse(proc.returncode, proc.stdout, proc.stderr)


class WorkerServer:
    """``crash_worker.py --serve``: each run is a forked child of a pre-imported worker."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.runs = 0
        self.stderr = scratch / "run-0.err"  # the current run's stderr file
        self.proc = subprocess.Popen([sys.executable, str(WORKER), "--serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def lines(self, args: list[str]) -> Iterator[str]:
        """Start one run; yield its stdout lines up to and including ``EXIT <code>``."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.runs += 1
        self.stderr = self.scratch / f"run-{self.runs}.err"
        self.proc.stdin.write(json.dumps([*args, "--stderr", str(self.stderr)]) + "\n")
        self.proc.stdin.flush()
        while line := self.proc.stdout.readline():
            yield line
            if line.startswith("EXIT "):
                return
        raise RuntimeError(f"worker server died: exit {self.proc.wait()}")

    def finish(self, out: list[str]) -> Run:
        stderr = self.stderr.read_text() if self.stderr.exists() else ""
        return Run.parse(int(out[-1].split()[1]), "".join(out), stderr)

    def run(self, *args: Any, **kwargs: Any) -> Run:
        return self.finish(list(self.lines(worker_args(*args, **kwargs))))

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # the server ends after its current run
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerServer]:
    srv = WorkerServer(tmp_path_factory.mktemp("worker-stderr"))
    yield srv
    srv.close()


# ----- the invariants ---------------------------------------------------------------
def check_store(data_dir: Path, reported: Iterable[str] = ()) -> tuple[list[str], int]:
    """Every invariant on the database file as a fresh process would see it.

    Returns (problems, number of sales); no problems means the store is consistent.
    """
    problems: list[str] = []
    con = sqlite3.connect(db_path(data_dir))
    try:
        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        def compare(what: str, got: dict[Any, Any], want: dict[Any, Any]) -> None:
            for key in sorted(set(got) | set(want), key=repr):
                if got.get(key) != want.get(key):
                    problems.append(f"{what} {key}: {got.get(key)!r}, expected "
                                    f"{want.get(key)!r}")

        if (ok := rows("PRAGMA quick_check")) != [("ok",)]:
            problems.append(f"database damaged: {ok}")
        if fk := rows("PRAGMA foreign_key_check"):
            problems.append(f"foreign keys broken: {fk}")

        sales = {r[0]: r[1:] for r in rows(
            "SELECT id, receipt_no, seq, total, tax_total, rounding, till_id FROM sales")}
        receipts = {r[0]: sid for sid, r in sales.items()}

        # (a) whole or absent: every part of a sale is there and adds up ...
        lines = {r[0]: r[1:] for r in rows(
            "SELECT sale_id, COUNT(*), SUM(total) FROM sale_lines GROUP BY sale_id")}
        taxes = {r[0]: r[1:] for r in rows(
            "SELECT sale_id, COUNT(*), SUM(tax) FROM sale_taxes GROUP BY sale_id")}
        pays = {r[0]: r[1:] for r in rows(
            "SELECT sale_id, COUNT(*), SUM(amount) FROM payments GROUP BY sale_id")}
        for sid, (receipt, _seq, total, tax_total, rounding, _till) in sales.items():
            n, line_sum = lines.get(sid, (0, None))
            if n == 0 or line_sum != total:
                problems.append(f"sale {receipt}: {n} lines summing to {line_sum}, total {total}")
            n, tax_sum = taxes.get(sid, (0, None))
            if n == 0 or tax_sum != tax_total:
                problems.append(f"sale {receipt}: {n} tax lines summing to {tax_sum}, "
                                f"tax total {tax_total}")
            n, paid = pays.get(sid, (0, None))
            if n == 0 or paid != total + rounding:
                problems.append(f"sale {receipt}: {n} payments summing to {paid}, due "
                                f"{total + rounding}")
        # ... and nothing of a missing sale is left behind
        for table, column, where in (("sale_lines", "sale_id", ""),
                                     ("sale_taxes", "sale_id", ""),
                                     ("payments", "sale_id", ""),
                                     ("stock_movements", "ref_id", "kind IN ('sale', 'return')"),
                                     ("payment_attempts", "message", "status = 'used'"),
                                     ("outbox", "aggregate_id", "aggregate_type = 'sale'")):
            orphans = rows(f"SELECT DISTINCT {column} FROM {table} WHERE "
                           f"{where or '1'} AND {column} NOT IN (SELECT id FROM sales)")
            if orphans:
                problems.append(f"{table} rows of missing sales: {orphans}")
        compare("stock moved by sale/variant", {
            (r[0], r[1]): r[2] for r in rows(
                "SELECT ref_id, variant_id, SUM(qty_milli) FROM stock_movements "
                "WHERE kind = 'sale' GROUP BY ref_id, variant_id")}, {
            (r[0], r[1]): r[2] for r in rows(
                "SELECT sale_id, variant_id, -SUM(qty_milli) FROM sale_lines "
                "GROUP BY sale_id, variant_id")})
        compare("card payment attempts used by sale", dict(rows(
            "SELECT message, COUNT(*) FROM payment_attempts WHERE status = 'used' "
            "GROUP BY message")), dict(rows(
                "SELECT sale_id, COUNT(*) FROM payments WHERE tender = 'card' GROUP BY sale_id")))

        # (b) the stock ledger sums equal the on-hand cache, and every ledger item has one
        ledger = {(r[0], r[1]): r[2] for r in rows(
            "SELECT variant_id, location_id, SUM(qty_milli) FROM stock_movements "
            "GROUP BY variant_id, location_id")}
        levels = {(r[0], r[1]): r[2] for r in rows(
            "SELECT variant_id, location_id, on_hand_milli FROM stock_levels")}
        compare("on hand (variant, location)", levels, ledger)

        # (c) exactly one sale.completed event per sale (and one stock.moved), matching it
        for etype in ("sale.completed", "stock.moved"):
            compare(f"{etype} events for sale", dict(rows(
                f"SELECT aggregate_id, COUNT(*) FROM outbox WHERE type = '{etype}' "
                "AND aggregate_type = 'sale' GROUP BY aggregate_id")),
                {sid: 1 for sid in sales})
        for aggregate_id, payload in rows(
                "SELECT aggregate_id, payload FROM outbox WHERE type = 'sale.completed'"):
            event = json.loads(payload)
            sale = sales.get(aggregate_id)
            if sale is not None and (event["id"], event["receipt_no"], event["total"]["minor"],
                                     len(event["lines"])) != (aggregate_id, sale[0], sale[2],
                                                              lines[aggregate_id][0]):
                problems.append(f"sale.completed event does not match sale {sale[0]}")

        # (d) gapless receipt numbers per till, and the till counter at the last one
        for till_id, till_code, last, store_code in rows(
                "SELECT t.id, t.code, t.last_receipt_no, s.code FROM tills t "
                "JOIN stores s ON s.id = t.store_id"):
            seqs = sorted(r[1] for r in sales.values() if r[5] == till_id)
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"till {till_code} receipt numbers not gapless: {seqs}")
            if last != (seqs[-1] if seqs else 0):
                problems.append(f"till {till_code} counter {last}, last receipt "
                                f"{seqs[-1] if seqs else 0}")
            for receipt, seq, *_ in sales.values():
                if receipt != f"{store_code}-{till_code}-{seq:06d}":
                    problems.append(f"receipt number {receipt} does not match seq {seq}")

        # (e) one sale audit entry per sale (the chain itself is verified below)
        audited = Counter(r[0] for r in rows("SELECT subject FROM audit_log "
                                             "WHERE action = 'sale'"))
        compare("sale audit entries for receipt", dict(audited), dict.fromkeys(receipts, 1))

        # (f) a sale reported complete survived the kill
        if lost := sorted(set(reported) - set(receipts)):
            problems.append(f"sales reported complete but missing: {lost}")
    finally:
        con.close()

    app = open_app(data_dir, terminal=None)  # a fresh start, migrations check included
    try:
        checked, audit_problems = app.audit.verify()
    finally:
        app.close()
    problems += [f"audit {p.kind} at {p.seq}: {p.message}" for p in audit_problems]
    if checked == 0:
        problems.append("audit log is empty")
    return problems, len(sales)


def assert_consistent(data_dir: Path, reported: Iterable[str] = (), context: str = "") -> int:
    problems, n_sales = check_store(data_dir, reported)
    assert not problems, f"{context}\n" + "\n".join(problems)
    return n_sales


# ----- the tests --------------------------------------------------------------------
@pytest.mark.slow
def test_sigkill_at_every_statement_boundary_of_a_sale(store_dir: Path,
                                                       server: WorkerServer) -> None:
    # A clean run (a fresh interpreter, as the till runs) to learn the kill points of one
    # counted sale: seed 0, sale index 1 has four lines at both tax rates and is paid part
    # by card, part in cash.
    clean = run_cold(store_dir, 0, 1, pre=1)
    assert clean.returncode == 0, clean.describe()
    assert len(clean.receipts) == 2 and len(clean.points) == 1, clean.describe()
    statements, k = clean.points[0]
    assert statements >= 10  # BEGIN, receipt counter, sale, lines, stock, events, audit...
    assert k == 2 * statements + 2  # before/after each statement, before/after COMMIT
    print(f"\none sale commit: {statements} statements, {k} kill points")
    reported = set(clean.receipts)
    n_sales = assert_consistent(store_dir, reported, "after the clean run")
    assert n_sales == 2

    # Kill points 1..k fall inside the first counted sale; k+1 and k+2 inside the second
    # (after the first one completed and was reported).
    for kill_at in range(1, k + 3):
        run = server.run(store_dir, kill_at, 2, pre=1)
        context = f"kill point {kill_at} of {k}\n{run.describe()}"
        assert run.returncode == KILLED, context
        # (g) the first sale of a process started after a crash completes normally
        assert len(run.receipts) == (1 if kill_at <= k else 2), context
        for point_counts in run.points:
            assert point_counts == (statements, k), context  # the same sale shape
        reported |= set(run.receipts)
        # Until COMMIT has returned the sale is absent; from then on it is there, even
        # when the kill came before the worker could report it (kill point k).
        n_sales += 1 + (1 if kill_at >= k else 0)
        assert assert_consistent(store_dir, reported, context) == n_sales, context

    final = run_cold(store_dir, 0, 2)
    assert final.returncode == 0, final.describe()
    reported |= set(final.receipts)
    assert assert_consistent(store_dir, reported, "after the final run") == n_sales + 2


@pytest.mark.slow
def test_sigkill_at_random_moments(store_dir: Path, server: WorkerServer) -> None:
    """Killed from outside after a random number of reported sales, wherever it is then."""
    n_sales, reported = 0, set[str]()
    for seed in range(5):
        kill_after = random.Random(seed).randint(1, 20)
        out: list[str] = []
        pid, seen = 0, 0
        for line in server.lines(worker_args(store_dir, 0, 500, seed=seed)):
            out.append(line)
            if line.startswith("PID "):
                pid = int(line.split()[1])
            elif line.startswith("SALE "):
                seen += 1
                if seen == kill_after:
                    assert pid > 0, out
                    os.kill(pid, signal.SIGKILL)  # the child is not reaped before EXIT
        run = server.finish(out)
        context = f"seed {seed}, killed after sale {kill_after}\n{run.describe()}"
        assert run.returncode == KILLED, context
        assert len(run.receipts) >= kill_after, context
        reported |= set(run.receipts)
        before = n_sales
        n_sales = assert_consistent(store_dir, reported, context)
        # every reported sale is there, plus at most the one in flight at the kill
        assert n_sales - before - len(run.receipts) in (0, 1), context

    final = server.run(store_dir, 0, 1)
    assert final.returncode == 0, final.describe()
    assert assert_consistent(store_dir, reported | set(final.receipts)) == n_sales + 1


def test_checker_detects_split_commit(store_dir: Path, server: WorkerServer) -> None:
    """A sale committed in two transactions and killed in between must fail the checks."""
    clean = server.run(store_dir, 0, 1, pre=1, split=True)
    assert clean.returncode == 0 and clean.split_at is not None, clean.describe()
    assert_consistent(store_dir, clean.receipts)  # split but not interrupted: still fine
    statements, k = clean.points[0]
    assert k == 2 * statements + 4, clean.describe()  # two COMMITs, each with two points

    run = server.run(store_dir, clean.split_at, 1, pre=1, split=True)
    assert run.returncode == KILLED, run.describe()
    assert len(run.receipts) == 1, run.describe()  # only the sale before the split one
    problems, n_sales = check_store(store_dir, clean.receipts + run.receipts)
    assert n_sales == 4  # the half-written sale is there ...
    text = "\n".join(problems)
    # ... without its stock movements, events, audit entry and payment attempt update
    for expected in ("stock moved by sale/variant", "sale.completed events for sale",
                     "stock.moved events for sale", "sale audit entries for receipt",
                     "card payment attempts used"):
        assert expected in text, text


Corruption = Callable[[sqlite3.Connection], object]
CORRUPTIONS: dict[str, tuple[Corruption, str]] = {
    "line deleted": (lambda c: c.execute(
        "DELETE FROM sale_lines WHERE rowid = (SELECT MIN(rowid) FROM sale_lines)"),
        "lines summing"),
    "tax line deleted": (lambda c: c.execute(
        "DELETE FROM sale_taxes WHERE rowid = (SELECT MIN(rowid) FROM sale_taxes)"),
        "tax lines summing"),
    "payment changed": (lambda c: c.execute(
        "UPDATE payments SET amount = amount + 1 WHERE rowid = 1"), "payments summing"),
    "on hand changed": (lambda c: c.execute(
        "UPDATE stock_levels SET on_hand_milli = on_hand_milli - 1000 WHERE rowid = 1"),
        "on hand"),
    "on-hand row missing": (lambda c: c.execute(
        "DELETE FROM stock_levels WHERE rowid = 1"), "on hand"),
    "sale event duplicated": (lambda c: c.execute(
        "INSERT INTO outbox SELECT id || 'x', type, schema_version, aggregate_type, "
        "aggregate_id, payload, created_at FROM outbox WHERE type = 'sale.completed' "
        "LIMIT 1"), "sale.completed events"),
    "receipt counter skipped": (lambda c: c.execute(
        "UPDATE tills SET last_receipt_no = last_receipt_no + 1"), "counter"),
    "sale deleted whole": (lambda c: c.executescript(
        "PRAGMA foreign_keys=OFF; DELETE FROM sales WHERE seq = 1;"), "missing sales"),
    "audit entry edited": (lambda c: c.execute(
        "UPDATE audit_log SET details = '{}' WHERE action = 'sale'"), "audit edited"),
}


@pytest.fixture(scope="module")
def sold_store(tmp_path_factory: pytest.TempPathFactory,
               server: WorkerServer) -> tuple[Path, set[str]]:
    directory = make_store(tmp_path_factory.mktemp("sold") / "store")
    run = server.run(directory, 0, 3)
    assert run.returncode == 0, run.describe()
    assert assert_consistent(directory, run.receipts) == 3
    return directory, set(run.receipts)


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_checker_detects_corruption(name: str, sold_store: tuple[Path, set[str]],
                                    tmp_path: Path) -> None:
    source, reported = sold_store
    directory = tmp_path / "copy"
    shutil.copytree(source, directory)
    corrupt, expected = CORRUPTIONS[name]
    con = sqlite3.connect(db_path(directory), isolation_level=None)
    try:
        corrupt(con)
    finally:
        con.close()
    problems, _ = check_store(directory, reported)
    assert any(expected in p for p in problems), problems
