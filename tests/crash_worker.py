"""Crash-test worker: rings up sales and SIGKILLs itself at a chosen point inside ``complete()``.

usage: crash_worker.py DATA_DIR KILL_AT N_SALES [--pre P] [--seed S] [--split]
       crash_worker.py --serve

* ``--pre P`` sales are completed first with the kill counter off (after an earlier crash,
  they show the store still takes sales); then ``N_SALES`` counted sales follow.
* Inside a counted ``CheckoutService.complete`` call every statement boundary is a kill
  point: before and after each statement (BEGIN included), just before COMMIT and just
  after it. ``KILL_AT=n`` (n >= 1) SIGKILLs this process at the n-th such point, counted
  across the counted sales; ``KILL_AT=0`` never kills.
* ``--split`` breaks the app on purpose: the sale row is committed in a transaction of
  its own, before the rest of the sale, and ``SPLIT <kill point>`` names the kill point
  just after that premature COMMIT. The crash test uses it to show that its checks catch
  a sale that is not written atomically.

stdout, one flushed line each:
  ``SALE <receipt_no> <sale_id>``        a sale whose ``complete()`` returned
  ``POINTS <statements> <kill points>``  after each counted ``complete()``
  ``DONE``                               every sale finished

``--serve`` saves the interpreter start and imports (seconds on a busy machine) for each
of the crash test's many runs: it reads one JSON argument list per stdin line, forks a
child that does exactly what the command line above does (stdout shared, stderr to the
file named by ``--stderr``), prints ``PID <pid>`` before the child starts, waits for it
and prints ``EXIT <code>`` (negative: killed by that signal, as ``subprocess`` reports).
The child opens the store itself; the server never touches it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import traceback
from decimal import Decimal
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from pos_app.app import App, open_app
from pos_app.domain.cart import Cart
from pos_app.domain.money import cash_round
from pos_app.domain.users import User
from pos_app.persistence.store import SqlTx

ADMIN, PIN = "admin", "9999"
# (sku, barcode) per tax code: the crash test creates these products
PRODUCTS = {
    "STD": [("COF-1", "4000000000013"), ("CHO-1", "4000000000020"), ("TEA-1", "4000000000037")],
    "RED": [("MLK-1", "4000000000044"), ("BRD-1", "4000000000051"), ("APL-1", "4000000000068")],
}
# (distinct lines, how it is paid); sale i of a run has shape (seed + i) % len(SHAPES)
SHAPES = [
    (2, "cash"),
    (4, "split"),  # card for part, cash (change, cash rounding) for the rest
    (3, "card"),
    (2, "split"),
    (4, "cash"),
    (3, "split"),
]


class KillSwitch:
    """Counts kill points while ``active``; SIGKILLs the process at point ``kill_at``."""

    def __init__(self, kill_at: int) -> None:
        self.kill_at = kill_at
        self.active = False
        self.points = 0
        self.statements = 0

    def point(self) -> None:
        if not self.active:
            return
        self.points += 1
        if self.points == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def install(self, app: App) -> None:
        def before(*_: Any) -> None:
            if self.active:
                self.statements += 1
            self.point()

        event.listen(app.engine, "before_cursor_execute", before)
        event.listen(app.engine, "after_cursor_execute", lambda *_: self.point())
        event.listen(app.engine, "commit", lambda *_: self.point())  # before COMMIT runs
        event.listen(Session, "after_commit", lambda *_: self.point())  # after it returned


def split_commits(switch: KillSwitch) -> None:
    """The deliberate bug: commit the sale row before the rest of the sale is written."""
    original = SqlTx.add_sale

    def add_sale(self: SqlTx, sale: Any) -> None:
        original(self, sale)
        self.commit()  # the rest autobegins a second transaction
        if switch.active:
            print(f"SPLIT {switch.points}", flush=True)

    SqlTx.add_sale = add_sale  # type: ignore[method-assign,assignment]


def card_amount(amount: int) -> int:
    """The simulated terminal declines amounts ending in 13 or 51; step around them."""
    while amount % 100 in (13, 51):
        amount -= 1
    return amount


def build_cart(app: App, user: User, rng: random.Random, lines: int, pay: str) -> Cart:
    """``lines`` distinct items at both tax rates, scanned by barcode, then paid."""
    checkout = app.checkout
    cart = checkout.new_cart()
    picks = [rng.choice(PRODUCTS["STD"]), rng.choice(PRODUCTS["RED"])]
    rest = [p for tax in ("STD", "RED") for p in PRODUCTS[tax] if p not in picks]
    picks += rng.sample(rest, lines - 2)
    rng.shuffle(picks)
    for _sku, barcode in picks:
        checkout.scan(cart, barcode, user, Decimal(rng.randint(1, 3)))
    due = checkout.remaining(cart)
    if pay in ("card", "split"):  # through the built-in simulated terminal
        checkout.pay_card(cart, user,
                          card_amount(due if pay == "card" else rng.randint(2, due - 1)))
    due = checkout.remaining(cart)
    if due > 0:  # the cashier asks for the amount rounded to the smallest coin
        coin = app.settings.policy().cash_increment
        tendered = cash_round(due, coin) + rng.choice([0, 0, 5, 50, 500])
        checkout.pay_cash(cart, max(tendered, coin), user)
    return cart


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("kill_at", type=int)
    parser.add_argument("n_sales", type=int)
    parser.add_argument("--pre", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", action="store_true")
    parser.add_argument("--stderr")  # --serve only
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> None:
    app = open_app(args.data_dir, terminal="sim")
    switch = KillSwitch(args.kill_at)
    switch.install(app)
    if args.split:
        split_commits(switch)
    with app.store.tx() as tx:  # no PIN login: argon2 would only slow the crash loop down
        user = tx.user_by_name(ADMIN)
    assert user is not None
    for i in range(args.pre + args.n_sales):
        lines, pay = SHAPES[(args.seed + i) % len(SHAPES)]
        cart = build_cart(app, user, random.Random(f"{args.seed}:{i}"), lines, pay)
        counted = i >= args.pre
        statements, points = switch.statements, switch.points
        switch.active = counted
        try:
            sale = app.checkout.commit_sale(cart, user)  # the atomic part of complete()
        finally:
            switch.active = False
        print(f"SALE {sale.receipt_no} {sale.id}", flush=True)
        if counted:
            print(f"POINTS {switch.statements - statements} {switch.points - points}",
                  flush=True)
    app.close()
    print("DONE", flush=True)


def serve() -> None:
    for line in sys.stdin:
        args = parse(json.loads(line))
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: one worker run, then gone without the server's cleanup
            code = 1
            try:
                os.close(go_w)
                os.read(go_r, 1)  # until the server has announced the pid
                if args.stderr:
                    with open(args.stderr, "a") as err:
                        os.dup2(err.fileno(), 2)
                run(args)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        os.close(go_r)
        print(f"PID {pid}", flush=True)
        os.write(go_w, b"g")
        os.close(go_w)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        run(parse(sys.argv[1:]))
