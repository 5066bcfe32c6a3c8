"""Past trading days for the demo store, rung up through the real checkout.

A back office with nothing in it shows nothing: the demo gets a few days of shifts,
each opened with a float, with sales spread over the day like a real shop's (busy at
lunch and after work), cash and card, some discounts, loyalty customers, a few
returns, and each day closed with a counted drawer and its Z report. Only the clocks
of the checkout and shift services are set back; every sale is a real sale.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from .app import App
from .domain.catalog import Variant
from .domain.errors import PosError
from .domain.pricing import Discount
from .services.checkout import PaymentDeclined

# relative footfall per opening hour, 9:00 to 18:00
HOURS = {9: 3, 10: 5, 11: 8, 12: 10, 13: 8, 14: 5, 15: 5, 16: 7, 17: 9, 18: 4}


def _items(app: App, rng: random.Random) -> list[Variant]:
    found = []
    for sku in ["COF-1KG", *(f"P{n}" for n in rng.sample(range(2, 400), 120))]:
        try:
            v = app.catalog.variant(sku)
        except PosError:
            continue
        if v.active and 0 < v.price <= 4000 and not v.sold_by_weight:  # a corner shop
            found.append(v)
    return found[:40]


def ring_history(app: App, days: int, per_day: int = 30, seed: int = 7,
                 progress: Callable[[int, int], None] | None = None) -> int:
    """Ring up ``days`` closed trading days ending yesterday; returns the sales made.
    Leaves an open shift for today. The store's own open shift is closed first."""
    if days <= 0:
        return 0
    rng = random.Random(seed)
    auth, co, shifts = app.auth, app.checkout, app.shifts
    staff = [auth.login(u, p) for u, p in (("cashier", "1111"), ("supervisor", "2222"),
                                           ("manager", "3333"))]
    boss = auth.login("manager", "3333")
    items = _items(app, rng)
    customers = [f"C{i:04d}" for i in range(1, 40)]
    tz = datetime.now().astimezone().tzinfo
    start_day = date.today() - timedelta(days=days)
    real_checkout, real_shifts = co.clock, shifts.clock
    made, receipts = 0, []
    try:
        if shifts.current() is not None:
            at = datetime.combine(start_day - timedelta(days=1), time(19, 0), tz).astimezone(UTC)
            shifts.clock = lambda: at
            shifts.close(boss, {"cash": _expected_cash(app, boss)})
        for d in range(days):
            day = start_day + timedelta(days=d)
            cashier = staff[d % len(staff)]
            opened = datetime.combine(day, time(8, 45), tz).astimezone(UTC)
            shifts.clock = lambda at=opened: at
            shifts.open(cashier, 15000)
            weights = list(HOURS.values())
            minutes = sorted(rng.choices(list(HOURS), weights, k=per_day))
            for n, hour in enumerate(minutes):
                at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)),
                                      tz).astimezone(UTC)
                co.clock = lambda at=at: at
                receipts.append(_sale(app, rng, cashier, items, customers))
                made += 1
                if receipts and rng.random() < 0.04:
                    _refund(app, rng, cashier, rng.choice(receipts[-20:]))
                if progress:
                    progress(d * per_day + n + 1, days * per_day)
            closed = datetime.combine(day, time(19, 5), tz).astimezone(UTC)
            shifts.clock = lambda at=closed: at
            expected = _expected_cash(app, boss)
            shifts.close(boss, {"cash": expected + rng.choice((0, 0, 0, -50, 20, -200))})
    finally:
        co.clock, shifts.clock = real_checkout, real_shifts
    shifts.open(staff[0], 15000)
    return made


def _expected_cash(app: App, user: object) -> int:
    report = app.shifts.x_report(user)  # type: ignore[arg-type]
    return int(report["cash"]["expected"])


def _sale(app: App, rng: random.Random, cashier: object, items: list[Variant],
          customers: list[str]) -> str:
    co = app.checkout
    cart = co.new_cart()
    for v in rng.sample(items, rng.choice((1, 1, 2, 2, 3, 4))):
        co.add_variant(cart, v, cashier, Decimal(rng.choice((1, 1, 1, 2, 3))))  # type: ignore
    if rng.random() < 0.15:
        co.attach_customer(cart, rng.choice(customers), cashier)  # type: ignore[arg-type]
    if rng.random() < 0.08 and cart.lines:
        co.set_line_discount(cart, cart.lines[0].key, Discount(percent=Decimal(10)),
                             cashier)  # type: ignore[arg-type]
    paid = False
    if rng.random() < 0.55 and co.terminal is not None:
        try:
            co.pay_card(cart, cashier)  # type: ignore[arg-type]
            paid = True
        except PaymentDeclined:  # the simulator declines some amounts: then cash
            pass
    if not paid:
        due = co.cash_due(cart)
        given = rng.choice((due, due, -(-due // 500) * 500, -(-due // 1000) * 1000,
                            -(-due // 2000) * 2000))
        co.pay_cash(cart, max(given, due), cashier)  # type: ignore[arg-type]
    return co.complete(cart, cashier).receipt_no  # type: ignore[arg-type]


def _refund(app: App, rng: random.Random, cashier: object, receipt_no: str) -> None:
    rs, co = app.returns, app.checkout
    sale = rs.original(receipt_no)
    left = rs.returnable(sale)
    lines = [ln for ln in sale.lines if left.get(ln.id, Decimal(0)) >= 1]
    if not lines:
        return
    cart = co.new_cart()
    rs.add_return_line(cart, sale, rng.choice(lines).line_no, Decimal(1), cashier)  # type: ignore
    rs.refund(cart, cashier)  # type: ignore[arg-type]
    co.complete(cart, cashier)  # type: ignore[arg-type]
