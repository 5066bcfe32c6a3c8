"""Example-based pricing, rounding and tender tests with hand-computed expected amounts.

Every expected number is worked out in a comment next to it, in minor units, so a
reviewer can check the arithmetic without running anything.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from pos_app.app import App, init_store
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.errors import StateError, ValidationError
from pos_app.domain.money import allocate, cash_round, round_half_up
from pos_app.domain.pricing import (
    BuyXGetY,
    Discount,
    LineInput,
    PricedCart,
    PricingPolicy,
    QuantityPrice,
    TaxLine,
    TaxMode,
    TaxRounding,
    price_cart,
)
from pos_app.domain.tender import Settlement, Tender, settle
from pos_app.domain.users import User

VAT19 = Decimal("0.19")
VAT7 = Decimal("0.07")
NYC = Decimal("0.08875")

INCL_LINE = PricingPolicy("EUR", TaxMode.INCLUSIVE, TaxRounding.LINE)
INCL_TOTAL = PricingPolicy("EUR", TaxMode.INCLUSIVE, TaxRounding.TOTAL)
EXCL_LINE = PricingPolicy("USD", TaxMode.EXCLUSIVE, TaxRounding.LINE)
EXCL_TOTAL = PricingPolicy("USD", TaxMode.EXCLUSIVE, TaxRounding.TOTAL)

_CODES = {VAT19: "STD", VAT7: "RED", NYC: "NYC", Decimal("0.10"): "T10",
          Decimal("0.05"): "T05"}


def ln(key: str, price: int, qty: str = "1", rate: Decimal = VAT19, *,
       variant: str | None = None, discount: Discount | None = None,
       overridden: bool = False) -> LineInput:
    return LineInput(key, variant or f"v-{key}", price, Decimal(qty), rate, _CODES[rate],
                     discount, overridden)


def amounts(cart: PricedCart, attr: str) -> list[int]:
    return [getattr(p, attr) for p in cart.lines]


# --- rounding primitives -----------------------------------------------------------------

def test_round_half_up_goes_away_from_zero_on_halves() -> None:
    assert round_half_up(Decimal("648.5")) == 649  # banker's rounding would give 648
    assert round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Decimal("-2.5")) == -3
    assert round_half_up(Decimal("2.4999")) == 2


def test_allocate_largest_remainder_ties_to_earlier() -> None:
    # 100 over 333/333/334: exact 33.3, 33.3, 33.4 -> floors 33+33+33 = 99, one cent left;
    # the largest remainder is the third (0.4) -> [33, 33, 34].
    assert allocate(100, [333, 333, 334]) == [33, 33, 34]
    # 2 over three equal weights: remainders tie, the earlier weights win.
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(-2, [1, 1, 1]) == [-1, -1, 0]
    assert allocate(7, [0, 0]) == [7, 0]
    assert allocate(0, []) == []
    with pytest.raises(ValueError):
        allocate(1, [])


def test_cash_round_examples() -> None:
    assert cash_round(1002, 5) == 1000  # remainder 2: 2*2 < 5 -> down
    assert cash_round(1003, 5) == 1005  # remainder 3: 3*2 >= 5 -> up
    assert cash_round(15, 10) == 20  # exactly half -> up
    assert cash_round(-1003, 5) == -1005  # refunds round symmetrically
    assert cash_round(1003, 1) == 1003


# --- inclusive VAT: line vs total rounding -----------------------------------------------

def test_inclusive_vat_line_rounding_three_lines_of_0_99() -> None:
    cart = price_cart([ln("a", 99), ln("b", 99), ln("c", 99)], INCL_LINE)
    # per line: 99 * 0.19 / 1.19 = 15.806... -> 16; three lines -> 48
    assert amounts(cart, "tax") == [16, 16, 16]
    assert cart.tax_total == 48
    assert cart.total == 297  # inclusive: the shelf prices are what the customer pays
    assert cart.taxes == (TaxLine("STD", VAT19, 297 - 48, 48),)


def test_inclusive_vat_total_rounding_three_lines_of_0_99() -> None:
    cart = price_cart([ln("a", 99), ln("b", 99), ln("c", 99)], INCL_TOTAL)
    # once on the sum: 297 * 0.19 / 1.19 = 47.420... -> 47 (one cent less than line rounding);
    # spread over equal weights: 15 each = 45, 2 left -> first two get one more.
    assert amounts(cart, "tax") == [16, 16, 15]
    assert cart.tax_total == 47
    assert cart.total == 297
    assert cart.taxes == (TaxLine("STD", VAT19, 250, 47),)


# --- exclusive US sales tax --------------------------------------------------------------

def test_exclusive_sales_tax_line_rounding() -> None:
    cart = price_cart([ln("a", 1999, rate=NYC), ln("b", 499, rate=NYC),
                       ln("c", 350, rate=NYC)], EXCL_LINE)
    # 1999 * 0.08875 = 177.41125 -> 177
    #  499 * 0.08875 =  44.28625 ->  44
    #  350 * 0.08875 =  31.0625  ->  31          sum 252
    assert amounts(cart, "tax") == [177, 44, 31]
    assert amounts(cart, "total") == [2176, 543, 381]
    assert cart.subtotal == 2848
    assert cart.tax_total == 252
    assert cart.total == 2848 + 252
    assert cart.taxes == (TaxLine("NYC", NYC, 2848, 252),)


def test_exclusive_sales_tax_total_rounding() -> None:
    cart = price_cart([ln("a", 1999, rate=NYC), ln("b", 499, rate=NYC),
                       ln("c", 350, rate=NYC)], EXCL_TOTAL)
    # once on the sum: 2848 * 0.08875 = 252.76 -> 253 (line rounding gave 252)
    # spread 253 over 1999/499/350: exact 177.57, 44.33, 31.09 -> floors 177+44+31 = 252,
    # 1 left -> largest remainder (0.57) -> first line
    assert amounts(cart, "tax") == [178, 44, 31]
    assert cart.tax_total == 253
    assert cart.total == 2848 + 253
    assert cart.taxes == (TaxLine("NYC", NYC, 2848, 253),)


# --- mixed rates --------------------------------------------------------------------------

def test_mixed_rates_inclusive_tax_lines_per_rate() -> None:
    cart = price_cart([ln("a", 999), ln("b", 250, rate=VAT7), ln("c", 1190)], INCL_LINE)
    # a: 999 * 0.19/1.19 = 159.504 -> 160 ; b: 250 * 0.07/1.07 = 16.355 -> 16
    # c: 1190 * 0.19/1.19 = 190 exactly
    assert amounts(cart, "tax") == [160, 16, 190]
    assert cart.total == 999 + 250 + 1190
    # tax lines sorted by rate: RED (7 %) then STD (19 %); base = total - tax
    assert cart.taxes == (TaxLine("RED", VAT7, 234, 16),
                          TaxLine("STD", VAT19, 999 + 1190 - 350, 350))
    assert cart.tax_total == 366


def test_mixed_rates_total_rounding_rounds_each_rate_separately() -> None:
    lines = [ln("a", 99), ln("b", 99, rate=VAT7), ln("c", 99), ln("d", 99, rate=VAT7)]
    cart = price_cart(lines, INCL_TOTAL)
    # STD: 198 * 0.19/1.19 = 31.613 -> 32, split 16/16
    # RED: 198 * 0.07/1.07 = 12.953 -> 13, split 7/6 (tie -> earlier line)
    assert amounts(cart, "tax") == [16, 7, 16, 6]
    assert cart.taxes == (TaxLine("RED", VAT7, 198 - 13, 13),
                          TaxLine("STD", VAT19, 198 - 32, 32))


# --- line discounts -------------------------------------------------------------------------

def test_line_percent_discount_rounds_half_up() -> None:
    cart = price_cart([ln("a", 1999, discount=Discount(percent=Decimal(10)))], INCL_LINE)
    # 10 % of 1999 = 199.9 -> 200; net 1799; tax 1799 * 0.19/1.19 = 287.235 -> 287
    line = cart.lines[0]
    assert (line.gross, line.line_discount, line.net, line.tax, line.total) == (
        1999, 200, 1799, 287, 1799)
    assert cart.discount_total == 200


def test_line_amount_discount_on_quantity() -> None:
    cart = price_cart([ln("a", 1250, "2", rate=NYC, discount=Discount(amount=500))],
                      EXCL_LINE)
    # gross 2 x 1250 = 2500; -500 -> net 2000; tax 2000 * 0.08875 = 177.5 -> 178 (half up)
    line = cart.lines[0]
    assert (line.gross, line.line_discount, line.net, line.tax, line.total) == (
        2500, 500, 2000, 178, 2178)


def test_line_discount_limits() -> None:
    with pytest.raises(ValidationError):
        price_cart([ln("a", 100, discount=Discount(amount=101))], INCL_LINE)
    with pytest.raises(ValidationError):
        Discount(percent=Decimal("100.01"))
    with pytest.raises(ValidationError):
        Discount(amount=-1)
    with pytest.raises(ValidationError):
        Discount(percent=Decimal(5), amount=5)
    full = price_cart([ln("a", 100, discount=Discount(percent=Decimal(100)))], INCL_LINE)
    assert (full.lines[0].net, full.lines[0].tax, full.total) == (0, 0, 0)


# --- order discount -----------------------------------------------------------------------

def test_order_discount_is_spread_in_proportion_and_taxed_per_line_inclusive() -> None:
    lines = [ln("a", 1000), ln("b", 3000, rate=VAT7)]
    cart = price_cart(lines, INCL_LINE, order_discount=Discount(percent=Decimal(10)))
    # 10 % of 4000 = 400, spread 1000:3000 -> 100 / 300 (not 400 on the first line)
    assert amounts(cart, "order_discount") == [100, 300]
    assert amounts(cart, "net") == [900, 2700]
    # tax on the discounted net, per line and rate:
    # a: 900 * 0.19/1.19 = 143.697 -> 144 ; b: 2700 * 0.07/1.07 = 176.636 -> 177
    # (on the undiscounted amounts it would be 160 + 196 = 356, not 321)
    assert amounts(cart, "tax") == [144, 177]
    assert cart.total == 3600
    assert cart.discount_total == 400
    assert cart.taxes == (TaxLine("RED", VAT7, 2523, 177), TaxLine("STD", VAT19, 756, 144))


def test_order_discount_exclusive_tax_is_on_discounted_net() -> None:
    ten, five = Decimal("0.10"), Decimal("0.05")
    lines = [ln("a", 1000, rate=ten), ln("b", 3000, rate=five)]
    cart = price_cart(lines, EXCL_LINE, order_discount=Discount(amount=400))
    # 400 over 1000:3000 -> 100 / 300 ; tax 900*0.10 = 90 ; 2700*0.05 = 135
    # total = 3600 + 225 = 3825 (discounting the gross total after tax would give 3850)
    assert amounts(cart, "order_discount") == [100, 300]
    assert amounts(cart, "tax") == [90, 135]
    assert amounts(cart, "total") == [990, 2835]
    assert cart.total == 3825


def test_order_discount_remainder_goes_to_largest_fraction_not_first_line() -> None:
    lines = [ln("a", 333), ln("b", 333), ln("c", 334)]
    cart = price_cart(lines, INCL_LINE, order_discount=Discount(amount=100))
    # exact shares 33.3 / 33.3 / 33.4 -> 33 / 33 / 34 (sum exactly 100)
    assert amounts(cart, "order_discount") == [33, 33, 34]
    assert amounts(cart, "net") == [300, 300, 300]
    # each line: 300 * 0.19/1.19 = 47.899 -> 48
    assert amounts(cart, "tax") == [48, 48, 48]
    assert cart.total == 900


def test_order_discount_after_line_discount_and_larger_than_base_rejected() -> None:
    lines = [ln("a", 2000, discount=Discount(amount=1000)), ln("b", 1000)]
    cart = price_cart(lines, INCL_LINE, order_discount=Discount(percent=Decimal(50)))
    # after line discount 1000 + 1000 = 2000; 50 % -> 1000 split 500 / 500
    assert amounts(cart, "line_discount") == [1000, 0]
    assert amounts(cart, "order_discount") == [500, 500]
    assert cart.total == 1000
    with pytest.raises(ValidationError):
        price_cart(lines, INCL_LINE, order_discount=Discount(amount=2001))


# --- promotions ---------------------------------------------------------------------------

THREE_FOR_5 = QuantityPrice("3FOR5", frozenset({"apple", "pear"}), 3, 500)
B2G1 = BuyXGetY("B2G1", frozenset({"x", "y", "z"}), 2, 1)


def test_quantity_price_three_for_five() -> None:
    cart = price_cart([ln("a", 199, "4", variant="apple")], INCL_LINE, promotions=[THREE_FOR_5])
    # 4 x 1.99 = 796; one group of 3: regular 597 - 500 = 97 off; 4th unit full price
    line = cart.lines[0]
    assert (line.gross, line.promo_discount, line.net) == (796, 97, 699)
    assert line.promo_codes == ("3FOR5",)

    six = price_cart([ln("a", 199, "6", variant="apple")], INCL_LINE, promotions=[THREE_FOR_5])
    assert six.total == 1000  # two groups: 2 x 5.00


def test_quantity_price_saving_spread_across_lines() -> None:
    lines = [ln("a", 199, "2", variant="apple"), ln("b", 249, variant="pear")]
    cart = price_cart(lines, INCL_LINE, promotions=[THREE_FOR_5])
    # regular 398 + 249 = 647; saving 147 split 398:249:
    # exact 90.43 / 56.57 -> floors 90 + 56 = 146, 1 left to the larger remainder (b)
    assert amounts(cart, "promo_discount") == [90, 57]
    assert cart.total == 500
    assert cart.discount_total == 147


def test_buy_two_get_one_free_cheapest_is_free() -> None:
    lines = [ln("a", 500, variant="x"), ln("b", 300, variant="y"), ln("c", 200, variant="z")]
    cart = price_cart(lines, INCL_LINE, promotions=[B2G1])
    assert amounts(cart, "promo_discount") == [0, 0, 200]
    assert cart.total == 800
    assert cart.by_key["c"].promo_codes == ("B2G1",)

    # 6 units -> 2 free: the two cheapest units (both 200s)
    lines6 = [ln("a", 500, "3", variant="x"), ln("c", 200, "3", variant="z")]
    cart6 = price_cart(lines6, INCL_LINE, promotions=[B2G1])
    assert amounts(cart6, "promo_discount") == [0, 400]
    # 5 units -> still only one free
    lines5 = [ln("a", 500, "3", variant="x"), ln("c", 200, "2", variant="z")]
    assert amounts(price_cart(lines5, INCL_LINE, promotions=[B2G1]),
                  "promo_discount") == [0, 200]


def test_buy_x_get_y_percent_off() -> None:
    half = BuyXGetY("B1G1HALF", frozenset({"x"}), 1, 1, Decimal(50))
    cart = price_cart([ln("a", 999, "2", variant="x")], INCL_LINE, promotions=[half])
    # one of two units at 50 % off: 999 * 0.5 = 499.5 -> 500
    assert cart.lines[0].promo_discount == 500
    assert cart.total == 1498


def test_promotion_not_applied_to_price_overridden_lines() -> None:
    # overridden to 1.90: 3 x 190 = 570 would save 70 under "3 for 5.00" if it applied
    lines = [ln("a", 190, "3", variant="apple", overridden=True)]
    cart = price_cart(lines, INCL_LINE, promotions=[THREE_FOR_5])
    assert cart.lines[0].promo_discount == 0
    assert cart.total == 570
    # the overridden units do not count towards a group with list-priced units either
    # (2 x 190 + 199 = 579 would save 79)
    mixed = [ln("a", 190, "2", variant="apple", overridden=True),
             ln("b", 199, "1", variant="apple")]
    assert amounts(price_cart(mixed, INCL_LINE, promotions=[THREE_FOR_5]),
                   "promo_discount") == [0, 0]


def test_promotion_not_applied_to_weighed_quantities() -> None:
    cart = price_cart([ln("a", 199, "3.5", variant="apple")], INCL_LINE,
                      promotions=[THREE_FOR_5])
    assert cart.lines[0].promo_discount == 0


# --- tax exemption ------------------------------------------------------------------------

def test_tax_exempt_inclusive_pays_price_less_vat() -> None:
    cart = price_cart([ln("a", 1190), ln("b", 99)], INCL_LINE, tax_exempt=True)
    # a: VAT in 1190 is 190 -> pays 1000 ; b: VAT in 99 is 15.8 -> 16 -> pays 83
    assert amounts(cart, "tax") == [0, 0]
    assert amounts(cart, "total") == [1000, 83]
    assert cart.tax_total == 0
    assert cart.total == 1083
    assert cart.taxes == (TaxLine("STD", VAT19, 1083, 0),)


def test_tax_exempt_exclusive_pays_shelf_price() -> None:
    cart = price_cart([ln("a", 1999, rate=NYC), ln("b", 350, rate=NYC)], EXCL_TOTAL,
                      tax_exempt=True)
    assert amounts(cart, "tax") == [0, 0]
    assert cart.total == 2349
    assert cart.taxes == (TaxLine("NYC", NYC, 2349, 0),)


# --- weighed items ------------------------------------------------------------------------

def test_weighed_item_rounds_half_up_once_per_line() -> None:
    cart = price_cart([ln("a", 1299, "1.235", rate=VAT7)], INCL_LINE)
    # 1.235 kg x 12.99/kg = 16.04265 -> 1604 ; VAT 7 %: 1604 * 0.07/1.07 = 104.93 -> 105
    assert (cart.lines[0].gross, cart.lines[0].tax, cart.total) == (1604, 105, 1604)
    half = price_cart([ln("a", 1297, "0.5", rate=VAT7)], INCL_LINE)
    # 0.5 x 1297 = 648.5 -> 649 (half up, not half even)
    assert half.total == 649


# --- tenders ------------------------------------------------------------------------------

def test_settle_card_only_is_exact_even_with_cash_rounding() -> None:
    assert settle(1003, 1003, 0, 5) == Settlement(0, 0, 0)
    with pytest.raises(StateError):
        settle(1003, 1000, 0, 5)  # 3 cents short: cards are never rounded


def test_settle_rounds_only_the_cash_part() -> None:
    # card 500 of 1003: cash part 503 -> 505 (+2), tendered 1000 -> change 495
    assert settle(1003, 500, 1000, 5) == Settlement(2, 505, 495)
    # card 500 of 1002: cash part 502 -> 500 (-2)
    assert settle(1002, 500, 500, 5) == Settlement(-2, 500, 0)
    # card 502 of 1003: cash part 501 -> 500 (-1); rounding the whole total instead
    # (1005 - 502 = 503) would be wrong
    assert settle(1003, 502, 600, 5) == Settlement(-1, 500, 100)
    # all cash: 1002 -> 1000
    assert settle(1002, 0, 2000, 5) == Settlement(-2, 1000, 1000)
    with pytest.raises(StateError):
        settle(1003, 500, 504, 5)  # 505 due in cash


def test_settle_only_cash_may_exceed_the_total() -> None:
    assert settle(1000, 0, 5000, 1) == Settlement(0, 1000, 4000)
    with pytest.raises(StateError):
        settle(1000, 1200, 0, 1)  # card 200 more than due
    with pytest.raises(StateError):
        settle(1000, 1200, 100, 1)


def test_settle_cash_refund_must_be_exact_and_rounded() -> None:
    # refund 1003 in cash with 0.05 coins: pay out 1005
    assert settle(-1003, 0, -1005, 5) == Settlement(-2, -1005, 0)
    with pytest.raises(StateError):
        settle(-1003, 0, -1003, 5)


# --- the same rules through the services and a real store ---------------------------------

@dataclass
class TillShop:
    app: App
    admin: User


@pytest.fixture(scope="module")
def till() -> Iterator[TillShop]:
    directory = tempfile.mkdtemp(prefix="pos-pricing-")
    app = init_store(directory, store_name="Test", store_code="S1", till_code="T1",
                     currency="EUR", tax_mode="inclusive", admin_user="admin",
                     admin_pin="9999", taxes=[("STD", "Standard", "0.19")])
    try:
        admin = app.auth.login("admin", "9999")
        app.settings.set(admin, "cash_increment", 5)
        app.shifts.open(admin, 0)
        app.catalog.add_product(admin, NewProduct("Widget", "STD",
                                                  (NewVariant("W1", 1003),), "misc"))
        yield TillShop(app, admin)
    finally:
        app.close()
        shutil.rmtree(directory, ignore_errors=True)


def test_service_card_only_sale_is_not_cash_rounded(till: TillShop) -> None:
    co = till.app.checkout
    cart = co.new_cart()
    co.scan(cart, "W1", till.admin)
    co.pay_card(cart, till.admin)
    sale = co.complete(cart, till.admin)
    assert (sale.total, sale.rounding, sale.amount_due) == (1003, 0, 1003)
    assert [(p.tender, p.amount) for p in sale.payments] == [(Tender.CARD.value, 1003)]


@pytest.mark.parametrize(("card", "rounding", "cash_due"), [
    (500, 2, 505),  # cash part 503 -> 505
    (502, -1, 500),  # cash part 501 -> 500
])
def test_service_card_plus_cash_rounds_only_cash(till: TillShop, card: int, rounding: int,
                                                 cash_due: int) -> None:
    co = till.app.checkout
    cart = co.new_cart()
    co.scan(cart, "W1", till.admin)
    co.pay_card(cart, till.admin, card)
    co.pay_cash(cart, 1000, till.admin)
    sale = co.complete(cart, till.admin)
    assert (sale.total, sale.rounding, sale.amount_due) == (1003, rounding, 1003 + rounding)
    cash = next(p for p in sale.payments if p.tender == Tender.CASH.value)
    assert (cash.amount, cash.tendered, cash.change) == (cash_due, 1000, 1000 - cash_due)


def test_service_refuses_card_over_tender(till: TillShop) -> None:
    co = till.app.checkout
    cart = co.new_cart()
    co.scan(cart, "W1", till.admin)
    with pytest.raises(ValidationError):
        co.pay_card(cart, till.admin, 1004)
    assert cart.payments == []
    co.pay_card(cart, till.admin, 600)
    with pytest.raises(ValidationError):
        co.pay_card(cart, till.admin, 404)  # only 403 left
    with pytest.raises(ValidationError):
        co.pay_card(cart, till.admin, 0)
    co.pay_cash(cart, 500, till.admin)  # cash may exceed: 403 -> 405 due, change 95
    sale = co.complete(cart, till.admin)
    assert sale.rounding == 2
    assert next(p for p in sale.payments if p.tender == Tender.CASH.value).change == 95


# --- regressions for bugs found by these tests -------------------------------------------

def test_exempt_return_in_inclusive_mode_refunds_what_was_paid(till: TillShop) -> None:
    app, admin, co = till.app, till.admin, till.app.checkout
    app.catalog.add_product(admin, NewProduct("Exempt widget", "STD", (NewVariant("EX1", 1190),)))
    app.customers.add(admin, "EMBASSY", "Embassy", tax_exempt=True, exemption_ref="X-1")
    cart = co.new_cart()
    co.attach_customer(cart, "EMBASSY", admin)
    co.scan(cart, "EX1", admin)
    co.pay_cash(cart, co.remaining(cart), admin)
    sale = co.complete(cart, admin)
    assert sale.total == 1000  # 1190 less its 19 % VAT (190)
    rcart = co.new_cart()
    app.returns.add_return_line(rcart, sale, 1, Decimal(1), admin)
    assert co.price(rcart).total == -1000  # not -1190: the VAT was never paid


def test_replacing_an_order_discount_uses_the_undiscounted_base(till: TillShop) -> None:
    co = till.app.checkout
    cart = co.new_cart()
    co.scan(cart, "W1", till.admin)  # 1003
    co.set_order_discount(cart, Discount(amount=600), till.admin)
    co.set_order_discount(cart, Discount(amount=500), till.admin)  # base seen: 403
    assert co.price(cart).total == 503


def test_return_of_half_a_counted_item_is_refused(till: TillShop) -> None:
    co = till.app.checkout
    cart = co.new_cart()
    co.scan(cart, "W1", till.admin)
    co.pay_card(cart, till.admin)
    sale = co.complete(cart, till.admin)
    with pytest.raises(ValidationError):
        till.app.returns.add_return_line(co.new_cart(), sale, 1, Decimal("0.5"), till.admin)
