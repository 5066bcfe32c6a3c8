"""Property-based tests: money arithmetic, cart pricing, refunds and the stock ledger.

The refund and stock properties run against a real SQLite store made with
``init_store``. Hypothesis does not mix with function-scoped fixtures, so each
such test builds its store once, in a temporary directory, and runs an inner
``@given`` function against it (every example uses its own sale or items).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pos_app.app import App, init_store
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.errors import ValidationError
from pos_app.domain.money import (
    allocate,
    cash_round,
    currency,
    format_plain,
    parse_minor,
    round_half_up,
)
from pos_app.domain.pricing import (
    HUNDRED,
    BuyXGetY,
    Discount,
    LineInput,
    PricedCart,
    PricingPolicy,
    Promotion,
    QuantityPrice,
    TaxMode,
    TaxRounding,
    price_cart,
)
from pos_app.domain.quantity import to_milli
from pos_app.domain.stock import MovementKind
from pos_app.domain.tender import Tender
from pos_app.domain.users import User
from pos_app.paths import db_path

# --- money -------------------------------------------------------------------------------

weights_st = st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(-10**9, 10**9), weights=weights_st)
def test_allocate_sums_exactly_and_stays_near_the_exact_share(
        total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    wsum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(total * w, wsum)
        assert abs(part - exact) < 1
        if w == 0:
            assert part == 0
    assert allocate(total, list(weights)) == parts  # deterministic


@settings(max_examples=100, deadline=None)
@given(total=st.integers(-10**6, 10**6), n=st.integers(1, 8))
def test_allocate_over_zero_weights_keeps_the_total(total: int, n: int) -> None:
    parts = allocate(total, [0] * n)
    assert sum(parts) == total


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(["JPY", "EUR", "KWD"]), minor=st.integers(-10**12, 10**12))
def test_parse_minor_round_trips_format_plain(code: str, minor: int) -> None:
    text = format_plain(minor, code)
    exponent = currency(code).exponent
    if exponent:
        assert len(text.split(".")[1]) == exponent
    else:
        assert "." not in text
    assert parse_minor(text, code) == minor


@settings(max_examples=100, deadline=None)
@given(code=st.sampled_from(["JPY", "EUR", "KWD"]), minor=st.integers(0, 10**9))
def test_parse_minor_refuses_an_extra_digit(code: str, minor: int) -> None:
    text = format_plain(minor, code)
    text = text + "1" if "." in text else text + ".1"
    with pytest.raises(ValidationError):
        parse_minor(text, code)


@settings(max_examples=300, deadline=None)
@given(minor=st.integers(-10**9, 10**9), increment=st.sampled_from([1, 2, 5, 10, 25, 50, 100]))
def test_cash_round_is_a_multiple_within_half_an_increment(minor: int, increment: int) -> None:
    rounded = cash_round(minor, increment)
    assert rounded % increment == 0
    assert 2 * abs(rounded - minor) <= increment
    if 2 * abs(rounded - minor) == increment:  # halves go away from zero
        assert abs(rounded) > abs(minor)
    assert cash_round(-minor, increment) == -rounded


# --- pricing -----------------------------------------------------------------------------

RATES = {"ZERO": Decimal(0), "RED": Decimal("0.07"), "STD": Decimal("0.19"),
         "NYC": Decimal("0.08875"), "GST": Decimal("0.15")}
VARIANTS = ["v1", "v2", "v3", "v4", "v5"]


def _exact_tax(amount: int, rate: Decimal, mode: TaxMode) -> Decimal:
    # Independent of the module's helper on purpose.
    return Decimal(amount) * rate if mode is TaxMode.EXCLUSIVE else \
        Decimal(amount) * rate / (1 + rate)


# Strategies are built once at module level: building them inside a composite on every
# draw costs more than the pricing itself.
qty_st = st.one_of(
    st.integers(1, 12).map(Decimal),
    st.integers(1, 25_000).map(lambda n: Decimal(n) / 1000),  # a weight, 0.001 - 25 kg
)
# 0.00 - 100.00 %; from integers, which Hypothesis generates much faster than decimals
percent_st = st.integers(0, 10_000).map(lambda n: Decimal(n) / 100)
# a line discount: a percent, or thousandths of what is left after promotions
line_discount_st = st.none() | st.tuples(st.just("percent"), percent_st) \
    | st.tuples(st.just("amount"), st.integers(0, 1000))
raw_line_st = st.tuples(
    st.sampled_from(sorted(RATES)), st.sampled_from(VARIANTS), st.integers(0, 100_000), qty_st,
    st.sampled_from([False, False, False, True]),  # price overridden, now and then
    line_discount_st)
lines_st = st.lists(raw_line_st, min_size=1, max_size=8)
mode_st = st.sampled_from(list(TaxMode))
rounding_st = st.sampled_from(list(TaxRounding))
order_kind_st = st.sampled_from(["none", "percent", "amount"])


def _line(idx: int, raw: tuple[str, str, int, Decimal, bool, Any]
          ) -> tuple[LineInput, tuple[str, Any] | None]:
    code, variant, price, qty, overridden, discount = raw
    return LineInput(f"L{idx}", variant, price, qty, RATES[code], code,
                     price_overridden=overridden), discount


promotion_st = st.one_of(
    st.builds(QuantityPrice, code=st.sampled_from(["QP-A", "QP-B"]),
              variant_ids=st.frozensets(st.sampled_from(VARIANTS), min_size=1),
              quantity=st.integers(2, 4), price=st.integers(0, 200_000)),
    st.builds(BuyXGetY, code=st.sampled_from(["BXGY-A", "BXGY-B"]),
              variant_ids=st.frozensets(st.sampled_from(VARIANTS), min_size=1),
              buy=st.integers(1, 3), get=st.integers(1, 2),
              percent_off=st.sampled_from([HUNDRED, Decimal(50), Decimal("33.33")])),
)
promotions_st = st.lists(promotion_st, max_size=2)


@dataclass
class CartCase:
    lines: list[LineInput]
    policy: PricingPolicy
    order_discount: Discount | None
    promotions: list[Promotion]
    exempt: bool


@st.composite
def cart_case_st(draw: st.DrawFn) -> CartCase:
    drawn = [_line(i, raw) for i, raw in enumerate(draw(lines_st))]
    policy = PricingPolicy("EUR", draw(mode_st), draw(rounding_st))
    promotions = draw(promotions_st)
    exempt = draw(st.booleans())
    # Amount discounts must fit what is left after promotions: price once to learn it.
    plain = price_cart([ln for ln, _ in drawn], policy, promotions=promotions)
    lines = []
    for ln, spec in drawn:
        discount = None
        if spec is not None:
            kind, value = spec
            if kind == "percent":
                discount = Discount(percent=value)
            else:
                p = plain.by_key[ln.key]
                # ``value`` thousandths of what is left after promotions
                discount = Discount(amount=(p.gross - p.promo_discount) * value // 1000)
        lines.append(LineInput(ln.key, ln.variant_id, ln.unit_price, ln.qty, ln.tax_rate,
                               ln.tax_code, discount, ln.price_overridden))
    order_discount = None
    kind = draw(order_kind_st)
    if kind == "percent":
        order_discount = Discount(percent=draw(percent_st))
    elif kind == "amount":
        before = price_cart(lines, policy, promotions=promotions)
        base = sum(p.net for p in before.lines if p.net > 0)
        order_discount = Discount(amount=draw(st.integers(0, base)))
    return CartCase(lines, policy, order_discount, promotions, exempt)


def _price(case: CartCase) -> PricedCart:
    return price_cart(case.lines, case.policy, order_discount=case.order_discount,
                      promotions=case.promotions, tax_exempt=case.exempt)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cart_case_st())
def test_priced_cart_reconciles(case: CartCase) -> None:
    cart = _price(case)
    mode = case.policy.tax_mode
    assert len(cart.lines) == len(case.lines)
    assert cart.total == sum(p.total for p in cart.lines)
    assert cart.tax_total == sum(t.tax for t in cart.taxes) == sum(p.tax for p in cart.lines)
    assert sum(t.base for t in cart.taxes) == sum(p.taxable for p in cart.lines)
    assert cart.subtotal == sum(p.gross for p in cart.lines)
    assert cart.discount_total == sum(
        p.promo_discount + p.line_discount + p.order_discount for p in cart.lines)

    for ln, p in zip(case.lines, cart.lines, strict=True):
        assert p.gross == round_half_up(Decimal(ln.unit_price) * ln.qty)
        assert min(p.promo_discount, p.line_discount, p.order_discount) >= 0
        assert p.discount <= p.gross
        assert p.net == p.gross - p.discount
        assert p.total >= 0
        assert p.tax >= 0
        if case.exempt:
            assert p.tax == 0
        if mode is TaxMode.EXCLUSIVE:
            assert p.total == p.net + p.tax
        elif not case.exempt:
            assert p.total == p.net
        if ln.price_overridden or ln.qty != ln.qty.to_integral_value():
            assert p.promo_discount == 0
        if ln.discount is not None and ln.discount.amount is not None:
            assert p.line_discount == ln.discount.amount

    if mode is TaxMode.EXCLUSIVE:
        assert cart.total == sum(p.net for p in cart.lines) + cart.tax_total
    elif not case.exempt:
        assert cart.total == sum(p.net for p in cart.lines)

    # The order discount is the whole requested amount, spread in proportion to what each
    # line was worth before it (within one minor unit): never lumped on one line.
    if case.order_discount is not None:
        before = price_cart(case.lines, case.policy, promotions=case.promotions)
        bases = {p.key: p.net for p in before.lines if p.net > 0}
        base = sum(bases.values())
        amount = case.order_discount.of(base)
        assert sum(p.order_discount for p in cart.lines) == amount
        for p in cart.lines:
            share = Fraction(amount * bases.get(p.key, 0), base) if base else Fraction(0)
            assert abs(p.order_discount - share) < 1

    # Tax is computed on the discounted net: per line, or per rate then spread.
    if not case.exempt:
        if case.policy.tax_rounding is TaxRounding.LINE:
            for p in cart.lines:
                assert p.tax == round_half_up(_exact_tax(p.net, p.tax_rate, mode))
        else:
            for t in cart.taxes:
                summed = t.base if mode is TaxMode.EXCLUSIVE else t.base + t.tax
                assert t.tax == round_half_up(_exact_tax(summed, t.rate, mode))
                lines = [p for p in cart.lines if p.tax_code == t.code]
                assert summed == sum(p.net for p in lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cart_case_st())
def test_exemption_removes_exactly_the_tax(case: CartCase) -> None:
    case.exempt = False
    taxed = _price(case)
    case.exempt = True
    exempt = _price(case)
    for t, e in zip(taxed.lines, exempt.lines, strict=True):
        assert (e.gross, e.discount, e.tax) == (t.gross, t.discount, 0)
        assert e.total == t.total - t.tax
    assert exempt.total == taxed.total - taxed.tax_total


# --- a real store ------------------------------------------------------------------------

@dataclass
class StoreHandle:
    app: App
    admin: User
    db: str


@contextmanager
def real_store(tax_mode: str) -> Iterator[StoreHandle]:
    directory = tempfile.mkdtemp(prefix="pos-props-")
    app = init_store(directory, store_name="Props", store_code="S1", till_code="T1",
                     currency="EUR", tax_mode=tax_mode, admin_user="admin", admin_pin="9999",
                     taxes=[(c, c, str(r)) for c, r in RATES.items()])
    try:
        admin = app.auth.login("admin", "9999")  # argon2: once per store
        app.shifts.open(admin, 0)
        yield StoreHandle(app, admin, str(db_path(app.data_dir)))
    finally:
        app.close()
        shutil.rmtree(directory, ignore_errors=True)


# (sku, price, tax code, weighed)
PRODUCTS = [("A", 199, "STD", False), ("B", 1299, "RED", True), ("C", 4999, "STD", False),
            ("D", 35, "ZERO", False), ("E", 87_654, "NYC", False), ("F", 777, "GST", True)]


def _add_products(store: StoreHandle, prefix: str = "") -> None:
    for sku, price, code, weighed in PRODUCTS:
        store.app.catalog.add_product(store.admin, NewProduct(
            f"Item {prefix}{sku}", code, (NewVariant(f"{prefix}{sku}", price),), "test",
            sold_by_weight=weighed))


def _qty_for(sku: str, data: st.DataObject, low: int = 1) -> Decimal:
    weighed = next(w for s, _p, _c, w in PRODUCTS if s == sku[-1])
    if weighed:
        return Decimal(data.draw(st.integers(low * 10, 5_000))) / 1000
    return Decimal(data.draw(st.integers(low, 6)))


# --- refunds -----------------------------------------------------------------------------

@pytest.mark.parametrize("tax_mode", ["inclusive", "exclusive"])
def test_partial_returns_never_refund_more_than_was_paid(tax_mode: str) -> None:
    with real_store(tax_mode) as store:
        app, admin = store.app, store.admin
        _add_products(store)
        app.catalog.add_promotion(admin, QuantityPrice(
            "A3", frozenset({app.catalog.variant("A").id}), 3, 500))
        app.customers.add(admin, "EXEMPT", "Embassy", tax_exempt=True, exemption_ref="X-1")
        co, rs = app.checkout, app.returns

        @settings(max_examples=15, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            app.settings.set(admin, "tax_rounding",
                             data.draw(st.sampled_from(["line", "total"])))
            # --- the sale
            cart = co.new_cart()
            if data.draw(st.booleans()):  # exempt customers in both tax modes
                co.attach_customer(cart, "EXEMPT", admin)
            skus = data.draw(st.lists(st.sampled_from([p[0] for p in PRODUCTS]),
                                      min_size=1, max_size=5))
            for sku in skus:
                line = co.scan(cart, sku, admin, _qty_for(sku, data))
                if data.draw(st.booleans()):
                    co.set_line_discount(cart, line.key, Discount(
                        percent=Decimal(data.draw(st.integers(0, 200))) / 10), admin)
            if data.draw(st.booleans()):
                co.set_order_discount(cart, Discount(
                    percent=Decimal(data.draw(st.integers(0, 1500))) / 100), admin)
            total = co.price(cart).total
            card = data.draw(st.integers(0, total))
            if card and card % 100 not in (13, 51):  # the simulator declines those
                co.pay_card(cart, admin, card)
            if co.remaining(cart):
                co.pay_cash(cart, co.remaining(cart), admin)
            sale = co.complete(cart, admin)
            assert sale.total == sum(ln.total for ln in sale.lines)
            paid_card = sum(p.amount for p in sale.payments if p.tender == Tender.CARD.value)

            # --- returns
            left = {ln.line_no: ln.qty for ln in sale.lines}
            refunded: dict[int, int] = defaultdict(int)
            refunded_net: dict[int, int] = defaultdict(int)
            refunded_tax: dict[int, int] = defaultdict(int)
            card_back = 0
            by_id = {ln.id: ln for ln in sale.lines}
            steps = data.draw(st.integers(1, 4))
            for step in range(steps):
                # the last step returns whatever is left, unless the draw says to stop early
                final = step == steps - 1 and data.draw(st.integers(0, 3)) > 0
                rcart = co.new_cart()
                for line_no, remaining in sorted(left.items()):
                    if remaining == 0:
                        continue
                    if final:
                        qty = remaining
                    elif data.draw(st.booleans()):
                        milli = data.draw(st.integers(1, to_milli(remaining)))
                        if sale.lines[line_no - 1].qty == sale.lines[line_no - 1].qty \
                                .to_integral_value():
                            milli = max(1000, milli - milli % 1000)
                        qty = Decimal(milli) / 1000
                    else:
                        continue
                    rs.add_return_line(rcart, sale, line_no, qty, admin,
                                       restock=data.draw(st.booleans()))
                    left[line_no] -= qty
                    # a gram more than is left (counting this cart) is refused
                    with pytest.raises(ValidationError):
                        rs.add_return_line(rcart, sale, line_no,
                                           left[line_no] + Decimal("0.001"), admin)
                if rcart.is_empty:
                    continue
                owed = -co.price(rcart).total
                if owed > 0:
                    payments = rs.refund(rcart, admin)
                    assert sum(p.amount for p in payments) == -owed
                ret = co.complete(rcart, admin)
                assert ret.kind == "return"
                assert ret.total == -owed
                for rl in ret.lines:
                    orig = by_id[rl.return_of_line_id or ""]
                    refunded[orig.line_no] -= rl.total
                    refunded_net[orig.line_no] -= rl.net
                    refunded_tax[orig.line_no] -= rl.tax
                    assert 0 <= refunded[orig.line_no] <= orig.total, (orig, refunded)
                card_back -= sum(p.amount for p in ret.payments
                                 if p.tender == Tender.CARD.value)
                assert card_back <= paid_card
            event(f"{len(sale.lines)} lines, "
                  + ("all returned" if all(q == 0 for q in left.values()) else "partly returned"))
            if all(q == 0 for q in left.values()):
                for ln in sale.lines:
                    assert refunded[ln.line_no] == ln.total
                    # what was paid, in the store's convention (see ReturnService)
                    paid = ln.total if tax_mode == "inclusive" else ln.total - ln.tax
                    assert (refunded_net[ln.line_no], refunded_tax[ln.line_no]) == (
                        paid, ln.tax)
                assert sum(refunded.values()) == sale.total
                # every line is used up: nothing more can be returned
                for ln in sale.lines:
                    with pytest.raises(ValidationError):
                        rs.add_return_line(co.new_cart(), sale, ln.line_no,
                                           Decimal("0.001"), admin)
            assert rs.returnable(sale) == {ln.id: left[ln.line_no] for ln in sale.lines}

        run()


# --- stock ledger ------------------------------------------------------------------------

def _ledger(db: str) -> tuple[dict[str, int], dict[str, int]]:
    con = sqlite3.connect(db)
    try:
        levels = dict(con.execute(
            "SELECT variant_id || '@' || location_id, on_hand_milli FROM stock_levels"))
        moves = dict(con.execute(
            "SELECT variant_id || '@' || location_id, SUM(qty_milli) FROM stock_movements "
            "GROUP BY variant_id, location_id"))
    finally:
        con.close()
    return levels, moves


stock_op_st = st.tuples(st.sampled_from(["sale", "return", "adjust", "receive", "count"]),
                        st.sampled_from([p[0] for p in PRODUCTS]))


def test_stock_levels_always_equal_the_ledger_sum() -> None:
    with real_store("inclusive") as store:
        app, admin, co = store.app, store.admin, store.app.checkout
        prefixes = (f"P{i}-" for i in count())

        @settings(max_examples=15, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(ops=st.lists(stock_op_st, min_size=1, max_size=10), data=st.data())
        def run(ops: list[tuple[str, str]], data: st.DataObject) -> None:
            prefix = next(prefixes)  # fresh items: each example starts from zero stock
            _add_products(store, prefix)
            expected: dict[str, Decimal] = defaultdict(Decimal)
            sales = []
            for op, base_sku in ops:
                sku = prefix + base_sku
                if op == "sale":
                    cart = co.new_cart()
                    qty = _qty_for(sku, data)
                    co.scan(cart, sku, admin, qty)
                    co.pay_cash(cart, co.remaining(cart), admin)
                    sales.append(co.complete(cart, admin))
                    expected[sku] -= qty
                elif op == "return":
                    candidates = [(s, ln) for s in sales for ln in s.lines
                                  if app.returns.returnable(s)[ln.id] > 0]
                    if not candidates:
                        continue
                    sale, line = data.draw(st.sampled_from(candidates))
                    left = app.returns.returnable(sale)[line.id]
                    qty = Decimal(data.draw(st.integers(1, to_milli(left)))) / 1000
                    if line.qty == line.qty.to_integral_value():
                        qty = max(Decimal(1), qty.to_integral_value(rounding="ROUND_FLOOR"))
                    restock = data.draw(st.booleans())
                    rcart = co.new_cart()
                    app.returns.add_return_line(rcart, sale, line.line_no, qty, admin,
                                                restock=restock)
                    if co.remaining(rcart):
                        app.returns.refund(rcart, admin)
                    co.complete(rcart, admin)
                    if restock:
                        expected[line.sku] += qty
                elif op in ("adjust", "receive"):
                    delta = Decimal(data.draw(st.integers(-50_000, 50_000).filter(bool))) / 1000
                    if op == "receive":
                        delta = abs(delta)
                    kind = MovementKind.RECEIVING if op == "receive" else \
                        MovementKind.ADJUSTMENT
                    app.stock.adjust(admin, sku, delta, "test", kind)
                    expected[sku] += delta
                else:
                    counted = Decimal(data.draw(st.integers(0, 50_000))) / 1000
                    before = app.stock.on_hand(sku)
                    diff = app.stock.count(admin, sku, counted)
                    assert diff == counted - before
                    assert app.stock.on_hand(sku) == counted
                    expected[sku] = counted
                assert app.stock.on_hand(sku) == expected[sku]

            for base_sku, *_rest in PRODUCTS:
                assert app.stock.on_hand(prefix + base_sku) == expected[prefix + base_sku]
            levels, moves = _ledger(store.db)
            assert levels == moves  # the cache is exactly the ledger sum, for every item

        run()

