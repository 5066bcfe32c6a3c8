"""Cart pricing: promotions, discounts, taxes and totals that reconcile to the minor unit.

Order of application (documented in docs/checkout-rules.md):
1. gross = unit price x quantity, rounded half-up once per line;
2. promotions on list-priced lines (quantity price, buy X get Y);
3. the line's manual discount on what is left;
4. the order discount, spread over lines in proportion to their net (largest remainder);
5. tax per line (line rounding) or per rate (total rounding, then spread over the lines).
Return lines carry fixed amounts taken from the original sale and are never re-priced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .errors import ValidationError
from .money import allocate, round_half_up

HUNDRED = Decimal(100)


class TaxMode(StrEnum):
    INCLUSIVE = "inclusive"  # VAT/GST: shelf prices include tax
    EXCLUSIVE = "exclusive"  # US sales tax: tax added at the till


class TaxRounding(StrEnum):
    LINE = "line"
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class Discount:
    """Exactly one of ``percent`` (0-100) or ``amount`` (minor units, >= 0)."""

    percent: Decimal | None = None
    amount: int | None = None

    def __post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValidationError("a discount is either a percent or an amount")
        if self.percent is not None and not (0 <= self.percent <= HUNDRED):
            raise ValidationError("a percent discount must be between 0 and 100")
        if self.amount is not None and self.amount < 0:
            raise ValidationError("a discount amount cannot be negative")

    def of(self, base: int) -> int:
        """Discount in minor units on ``base``; never more than the base."""
        if self.percent is not None:
            return min(base, round_half_up(Decimal(base) * self.percent / HUNDRED))
        assert self.amount is not None
        if self.amount > base:
            raise ValidationError("the discount is larger than the amount it applies to")
        return self.amount

    def to_dict(self) -> dict[str, str | int]:
        return {"percent": str(self.percent)} if self.percent is not None else {
            "amount": int(self.amount or 0)
        }

    @classmethod
    def from_dict(cls, d: dict[str, str | int]) -> Discount:
        if "percent" in d:
            return cls(percent=Decimal(str(d["percent"])))
        return cls(amount=int(d["amount"]))


@dataclass(frozen=True, slots=True)
class PricingPolicy:
    currency: str
    tax_mode: TaxMode = TaxMode.INCLUSIVE
    tax_rounding: TaxRounding = TaxRounding.LINE
    cash_increment: int = 1  # smallest coin in minor units (5 = round cash to 0.05)


@dataclass(frozen=True, slots=True)
class QuantityPrice:
    """``quantity`` units of any listed variant for ``price`` (e.g. 3 for 5.00)."""

    code: str
    variant_ids: frozenset[str]
    quantity: int
    price: int


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """Of every ``buy + get`` qualifying units, the ``get`` cheapest are ``percent_off`` off."""

    code: str
    variant_ids: frozenset[str]
    buy: int
    get: int
    percent_off: Decimal = HUNDRED


Promotion = QuantityPrice | BuyXGetY


@dataclass(frozen=True, slots=True)
class FixedAmounts:
    """Amounts copied from an original sale line (returns): net and tax, signed."""

    net: int
    tax: int


@dataclass(frozen=True, slots=True)
class LineInput:
    key: str
    variant_id: str
    unit_price: int
    qty: Decimal
    tax_rate: Decimal
    tax_code: str
    discount: Discount | None = None
    price_overridden: bool = False
    fixed: FixedAmounts | None = None


@dataclass(frozen=True, slots=True)
class PricedLine:
    key: str
    gross: int
    promo_discount: int
    line_discount: int
    order_discount: int
    net: int  # gross - discounts, in the store's price convention
    tax: int
    total: int  # what the customer pays for the line
    tax_code: str
    tax_rate: Decimal
    promo_codes: tuple[str, ...] = ()

    @property
    def discount(self) -> int:
        return self.promo_discount + self.line_discount + self.order_discount

    @property
    def taxable(self) -> int:
        """Amount excluding tax (the tax base)."""
        return self.total - self.tax


@dataclass(frozen=True, slots=True)
class TaxLine:
    code: str
    rate: Decimal
    base: int
    tax: int


@dataclass(frozen=True, slots=True)
class PricedCart:
    currency: str
    lines: tuple[PricedLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    by_key: dict[str, PricedLine] = field(default_factory=dict, compare=False)


def _exact_tax(amount: int, rate: Decimal, mode: TaxMode) -> Decimal:
    if mode is TaxMode.EXCLUSIVE:
        return Decimal(amount) * rate
    return Decimal(amount) * rate / (1 + rate)


def _promotion_discounts(
    lines: Sequence[LineInput], gross: dict[str, int], promotions: Sequence[Promotion]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    disc: dict[str, int] = defaultdict(int)
    codes: dict[str, list[str]] = defaultdict(list)
    eligible = [
        ln
        for ln in lines
        if ln.fixed is None and not ln.price_overridden and ln.qty > 0
        and ln.qty == ln.qty.to_integral_value()
    ]
    for promo in promotions:
        # Each unit: (unit price, line key). Units already consumed by an earlier
        # promotion are not re-used: one promotion per unit.
        units: list[tuple[int, str]] = []
        for ln in eligible:
            if ln.variant_id in promo.variant_ids and ln.key not in codes:
                units.extend([(ln.unit_price, ln.key)] * int(ln.qty))
        if not units:
            continue
        share: dict[str, int] = defaultdict(int)
        if isinstance(promo, QuantityPrice):
            groups = len(units) // promo.quantity
            if groups == 0:
                continue
            grouped = units[: groups * promo.quantity]
            regular = sum(p for p, _ in grouped)
            saving = regular - groups * promo.price
            if saving <= 0:
                continue
            keys = sorted({k for _, k in grouped})
            weights = [sum(p for p, k in grouped if k == key) for key in keys]
            for key, part in zip(keys, allocate(saving, weights), strict=True):
                share[key] += part
        else:
            block = promo.buy + promo.get
            free_count = (len(units) // block) * promo.get
            if free_count == 0:
                continue
            cheapest = sorted(units, key=lambda u: u[0])[:free_count]
            for price, key in cheapest:
                share[key] += round_half_up(Decimal(price) * promo.percent_off / HUNDRED)
        for key, amount in share.items():
            amount = min(amount, gross[key] - disc[key])
            if amount > 0:
                disc[key] += amount
                codes[key].append(promo.code)
    return disc, codes


def price_cart(
    lines: Sequence[LineInput],
    policy: PricingPolicy,
    *,
    order_discount: Discount | None = None,
    promotions: Sequence[Promotion] = (),
    tax_exempt: bool = False,
) -> PricedCart:
    gross = {ln.key: round_half_up(Decimal(ln.unit_price) * ln.qty) for ln in lines}
    promo, promo_codes = _promotion_discounts(lines, gross, promotions)

    after_line: dict[str, int] = {}
    line_disc: dict[str, int] = {}
    for ln in lines:
        if ln.fixed is not None:
            continue
        base = gross[ln.key] - promo[ln.key]
        if ln.discount is not None:
            if base < 0:
                raise ValidationError("a discount cannot apply to a negative line")
            line_disc[ln.key] = ln.discount.of(base)
        else:
            line_disc[ln.key] = 0
        after_line[ln.key] = base - line_disc[ln.key]

    order_disc: dict[str, int] = defaultdict(int)
    if order_discount is not None:
        keys = [k for k, v in after_line.items() if v > 0]
        base = sum(after_line[k] for k in keys)
        amount = order_discount.of(base)
        for key, part in zip(keys, allocate(amount, [after_line[k] for k in keys]), strict=True):
            order_disc[key] = part

    nets = {k: v - order_disc[k] for k, v in after_line.items()}

    # Tax per line, either rounded per line or per rate group and spread back.
    line_tax: dict[str, int] = {}
    if policy.tax_rounding is TaxRounding.LINE:
        for ln in lines:
            if ln.fixed is None:
                line_tax[ln.key] = round_half_up(
                    _exact_tax(nets[ln.key], ln.tax_rate, policy.tax_mode)
                )
    else:
        groups: dict[tuple[str, Decimal], list[str]] = defaultdict(list)
        for ln in lines:
            if ln.fixed is None:
                groups[(ln.tax_code, ln.tax_rate)].append(ln.key)
        for (_code, rate), keys in groups.items():
            total_tax = round_half_up(
                _exact_tax(sum(nets[k] for k in keys), rate, policy.tax_mode)
            )
            weights = [max(nets[k], 0) for k in keys]
            for key, part in zip(keys, allocate(total_tax, weights), strict=True):
                line_tax[key] = part

    priced: list[PricedLine] = []
    for ln in lines:
        if ln.fixed is not None:
            tax = 0 if tax_exempt and ln.fixed.tax == 0 else ln.fixed.tax
            total = ln.fixed.net + tax if policy.tax_mode is TaxMode.EXCLUSIVE else ln.fixed.net
            priced.append(PricedLine(ln.key, ln.fixed.net, 0, 0, 0, ln.fixed.net, tax, total,
                                     ln.tax_code, ln.tax_rate))
            continue
        net = nets[ln.key]
        tax = line_tax[ln.key]
        if policy.tax_mode is TaxMode.EXCLUSIVE:
            if tax_exempt:
                tax = 0
            total = net + tax
        else:
            total = net
            if tax_exempt:
                total, tax = net - tax, 0
        priced.append(
            PricedLine(
                key=ln.key,
                gross=gross[ln.key],
                promo_discount=promo[ln.key],
                line_discount=line_disc[ln.key],
                order_discount=order_disc[ln.key],
                net=net,
                tax=tax,
                total=total,
                tax_code=ln.tax_code,
                tax_rate=ln.tax_rate,
                promo_codes=tuple(promo_codes.get(ln.key, ())),
            )
        )

    tax_groups: dict[tuple[str, Decimal], list[PricedLine]] = defaultdict(list)
    for pl in priced:
        tax_groups[(pl.tax_code, pl.tax_rate)].append(pl)
    taxes = tuple(
        TaxLine(code, rate, sum(p.taxable for p in pls), sum(p.tax for p in pls))
        for (code, rate), pls in sorted(tax_groups.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    )
    return PricedCart(
        currency=policy.currency,
        lines=tuple(priced),
        taxes=taxes,
        subtotal=sum(p.gross for p in priced),
        discount_total=sum(p.discount for p in priced),
        tax_total=sum(p.tax for p in priced),
        total=sum(p.total for p in priced),
        by_key={p.key: p for p in priced},
    )
