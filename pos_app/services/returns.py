"""Returns, refunds and exchanges.

A return is a cart with negative lines whose amounts are copied from the original
sale line pro rata, with cumulative rounding so that all partial returns of a line
together give back exactly what was paid for it and never more.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.cart import Cart, CartLine, CartPayment
from ..domain.errors import NotFound, StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.money import cash_round, round_half_up
from ..domain.pricing import FixedAmounts, TaxMode
from ..domain.quantity import parse_qty
from ..domain.sale import CompletedSale
from ..domain.tender import Tender
from ..domain.users import Permission, User
from .auth import AuthService, OverrideGrant
from .checkout import CheckoutService, PaymentDeclined, known_cost
from .ports import Store


def _pro_rata(amount: int, part: Decimal, whole: Decimal) -> int:
    return round_half_up(Decimal(amount) * part / whole)


@dataclass(slots=True)
class ReturnService:
    store: Store
    auth: AuthService
    checkout: CheckoutService

    def original(self, receipt_no: str) -> CompletedSale:
        with self.store.tx() as tx:
            sale = tx.sale_by_receipt(receipt_no.strip())
        if sale is None:
            raise NotFound("no sale with receipt number {receipt_no!r}", receipt_no=receipt_no)
        return sale

    def returnable(self, sale: CompletedSale) -> dict[str, Decimal]:
        """Quantity still returnable per original line id."""
        ids = [ln.id for ln in sale.lines if ln.qty > 0]
        with self.store.tx() as tx:
            done = tx.returned_by_line(ids)
        return {ln.id: ln.qty - done.get(ln.id, (Decimal(0), 0, 0))[0]
                for ln in sale.lines if ln.qty > 0}

    def add_return_line(self, cart: Cart, sale: CompletedSale, line_no: int, qty: Decimal,
                        user: User, restock: bool = True) -> CartLine:
        self.auth.require(user, Permission.REFUND)
        if cart.return_of_sale_id not in (None, sale.id):
            raise StateError("one return at a time: this cart already returns another sale")
        if sale.currency != cart.currency:
            raise ValidationError("the original sale was in another currency")
        orig = next((ln for ln in sale.lines if ln.line_no == line_no and ln.qty > 0), None)
        if orig is None:
            raise NotFound("receipt {receipt_no} has no sold line {line_no}",
                           receipt_no=sale.receipt_no, line_no=line_no)
        qty = parse_qty(qty)
        if qty <= 0:
            raise ValidationError("return a positive quantity")
        with self.store.tx() as tx:
            variant = tx.variant_by_id(orig.variant_id)
            done_qty, done_net, done_tax = tx.returned_by_line([orig.id]).get(
                orig.id, (Decimal(0), 0, 0))
        weighed = variant.sold_by_weight if variant else orig.qty != orig.qty.to_integral_value()
        if not weighed and qty != qty.to_integral_value():
            raise ValidationError("only weighed items can be returned in fractions")
        in_cart = [ln for ln in cart.lines if ln.return_of == orig.id]
        done_qty += sum((-ln.qty for ln in in_cart), Decimal(0))
        done_net += sum(-ln.fixed.net for ln in in_cart if ln.fixed)
        done_tax += sum(-ln.fixed.tax for ln in in_cart if ln.fixed)
        if done_qty + qty > orig.qty:
            raise ValidationError("only {qty} of line {line_no} ({sku}) can still be returned",
                                  qty=orig.qty - done_qty, line_no=line_no, sku=orig.sku)
        after = done_qty + qty
        # What was paid, in the store's convention: the line total (tax included) in an
        # inclusive store, the amount before tax in an exclusive one. Pro-rating ``net``
        # would refund the VAT an exempt customer never paid.
        paid = orig.total if sale.tax_mode == TaxMode.INCLUSIVE else orig.total - orig.tax
        net = _pro_rata(paid, after, orig.qty) - done_net
        tax = _pro_rata(orig.tax, after, orig.qty) - done_tax
        line = CartLine(
            key=new_id_str(), variant_id=orig.variant_id, sku=orig.sku, name=orig.name,
            list_price=orig.list_price, unit_price=orig.unit_price, qty=-qty,
            tax_code=orig.tax_code, tax_rate=orig.tax_rate, return_of=orig.id,
            fixed=FixedAmounts(-net, -tax), restock=restock, unit_cost=orig.unit_cost)
        cart.lines.append(line)
        cart.return_of_sale_id = sale.id
        if cart.customer_id is None and sale.customer_id is not None:
            cart.customer_id = sale.customer_id
        return line

    def add_unreceipted(self, cart: Cart, code: str, qty: Decimal, user: User,
                        grant: OverrideGrant | None = None, restock: bool = True) -> CartLine:
        """A return without a receipt, at today's price; needs a manager's approval."""
        approver = self.auth.require(user, Permission.REFUND_NO_RECEIPT, grant)
        variant, _w, _p = self.checkout.lookup(code)
        qty = parse_qty(qty)
        if qty <= 0:
            raise ValidationError("return a positive quantity")
        policy = self.checkout.settings.policy()
        gross = round_half_up(Decimal(variant.price) * qty)
        if policy.tax_mode is TaxMode.INCLUSIVE:
            tax = round_half_up(Decimal(gross) * variant.tax_rate / (1 + variant.tax_rate))
        else:
            tax = round_half_up(Decimal(gross) * variant.tax_rate)
        line = CartLine(
            key=new_id_str(), variant_id=variant.id, sku=variant.sku, name=variant.name,
            list_price=variant.price, unit_price=variant.price, qty=-qty,
            tax_code=variant.tax_code, tax_rate=variant.tax_rate, return_of=None,
            fixed=FixedAmounts(-gross, -tax), restock=restock, unit_cost=known_cost(variant))
        cart.lines.append(line)
        cart.approved_by = approver or user.id
        return line

    def refund(self, cart: Cart, user: User, to: str = "original") -> list[CartPayment]:
        """Pay out what the cart owes the customer: to the original tenders or as store credit.

        Original tenders are refunded card first (to the same card, up to what it paid
        less earlier refunds), then store credit, then cash for the rest.
        """
        self.auth.require(user, Permission.REFUND)
        owed = -self.checkout.remaining(cart)
        if owed <= 0:
            raise StateError("nothing to refund: the customer owes the shop")
        if to == "store_credit":
            if cart.customer_id is None:
                raise StateError("store credit needs a customer: attach one first")
            payment = CartPayment(new_id_str(), Tender.STORE_CREDIT, -owed)
            cart.payments.append(payment)
            return [payment]
        if to != "original":
            raise ValidationError("refund to 'original' or 'store_credit'")
        made: list[CartPayment] = []
        if cart.return_of_sale_id is not None:
            sale = self._sale_by_id(cart)
            with self.store.tx() as tx:
                refunded = tx.refunded_by_payment([p.id for p in sale.payments])
            order = {Tender.CARD.value: 0, Tender.STORE_CREDIT.value: 1}
            for p in sorted(sale.payments, key=lambda p: order.get(p.tender, 9)):
                if owed <= 0 or p.tender not in order or p.amount <= 0:
                    continue
                available = p.amount - refunded.get(p.id, 0)
                amount = min(owed, available)
                if amount <= 0:
                    continue
                made.append(self._refund_payment(cart, user, p.tender, amount, p.id,
                                                 p.provider_ref))
                owed -= amount
        if owed > 0:
            increment = self.checkout.settings.policy().cash_increment
            payment = CartPayment(new_id_str(), Tender.CASH, cash_round(-owed, increment))
            cart.payments.append(payment)
            made.append(payment)
        return made

    def _refund_payment(self, cart: Cart, user: User, tender: str, amount: int, original_id: str,
                        provider_ref: str | None) -> CartPayment:
        payment = CartPayment(new_id_str(), Tender(tender), -amount,
                              original_payment_id=original_id)
        if tender == Tender.CARD.value:
            if provider_ref is None:
                raise StateError("the original card payment has no provider reference")
            original = provider_ref
            result = self.checkout.cards.run(
                cart, user, payment,
                lambda t, key: t.refund(amount, cart.currency, original, key))
            if not result.approved:
                raise PaymentDeclined("card refund failed: {message}", message=result.message)
        cart.payments.append(payment)
        return payment

    def _sale_by_id(self, cart: Cart) -> CompletedSale:
        # Returns know their original by id; look the receipt up through the lines.
        with self.store.tx() as tx:
            for ln in cart.lines:
                if ln.return_of:
                    sale = tx.sale_by_line(ln.return_of)
                    if sale is not None:
                        return sale
        raise NotFound("original sale not found")
