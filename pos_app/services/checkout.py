"""Checkout: build a cart, price it, take payments and complete it in one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ..domain.barcodes import ScanKind, parse_scan
from ..domain.cart import Cart, CartLine, CartPayment
from ..domain.catalog import Variant
from ..domain.devices import AttemptStatus, PaymentAttempt
from ..domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.money import cash_round, currency
from ..domain.pricing import HUNDRED, Discount, PricedCart, price_cart
from ..domain.quantity import ONE, parse_qty
from ..domain.sale import CompletedSale, SaleLine, SalePayment, SaleTax
from ..domain.stock import MovementKind, StockMove
from ..domain.store import Customer, TillContext, is_receipt_no
from ..domain.tender import Tender, settle
from ..domain.users import POLICIES, Permission, User
from .auth import AuthService, OverrideGrant
from .card_payments import CardPayments, PaymentDeclined, PaymentUncertain, attempt_payment
from .ports import CatalogReader, PaymentTerminal, Store, TerminalResult, Tx
from .settings import SettingsService

log = logging.getLogger(__name__)
__all__ = ["CheckoutService", "PaymentDeclined", "PaymentUncertain", "RecoveryReport", "known_cost"]


def known_cost(variant: Variant) -> int | None:
    """A cost of 0 is what an item without a recorded cost has: unknown, not free."""
    return variant.cost if variant.cost > 0 else None


def _pct(part: int, whole: int) -> Decimal:
    return Decimal(0) if whole <= 0 else Decimal(part) * HUNDRED / Decimal(whole)


def _discount_pct(discount: Discount, amount: int, base: int) -> Decimal:
    """The percent judged against a role's limit: as asked for, not as rounded."""
    return discount.percent if discount.percent is not None else _pct(amount, base)


@dataclass(slots=True)
class CheckoutService:
    store: Store
    ctx: TillContext
    auth: AuthService
    settings: SettingsService
    reader: CatalogReader
    terminal: PaymentTerminal | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # sale time

    # ----- building the cart -------------------------------------------------
    def new_cart(self) -> Cart:
        return Cart(currency=self.ctx.currency)

    def lookup(self, code: str) -> tuple[Variant, Decimal | None, int | None]:
        """Scan or SKU -> (variant, embedded weight, embedded price)."""
        parsed = parse_scan(code, currency_code=self.ctx.currency,
                            rcn_region=self.settings.all()["rcn_region"])
        variant = self.reader.variant_by_barcode(parsed.lookup_key)
        if variant is None and parsed.kind is ScanKind.OTHER:
            variant = self.reader.variant_by_sku(parsed.lookup_key)
        if variant is None:
            raise NotFound("no item with barcode or SKU {code!r}", code=code.strip())
        return variant, parsed.weight_kg, parsed.price_minor

    def is_receipt(self, code: str) -> bool:
        """A receipt's own barcode/QR was scanned: the till opens the return for it
        (``ReturnService.original``) instead of looking up an item."""
        code = code.strip()
        return is_receipt_no(code) and self.reader.variant_by_sku(code) is None

    def add_weighed(self, cart: Cart, variant: Variant, user: User,
                    kilograms: Decimal) -> CartLine:
        """A sold-by-weight item with the weight from the scale (a stable reading)."""
        if not variant.sold_by_weight:
            raise ValidationError("{name} is sold by the piece, not weighed", name=variant.name)
        if kilograms <= 0:
            raise ValidationError("put the item on the scale: the weight is zero")
        return self.add_variant(cart, variant, user, kilograms)

    def scan(self, cart: Cart, code: str, user: User, qty: Decimal | None = None) -> CartLine:
        variant, weight, price = self.lookup(code)
        if weight is not None:
            if qty is not None and qty != ONE:
                raise ValidationError("a weighed label already carries its quantity")
            qty = weight
        return self.add_variant(cart, variant, user, qty if qty is not None else ONE,
                                embedded_price=price)

    def add_variant(self, cart: Cart, variant: Variant, user: User, qty: Decimal = ONE,
                    embedded_price: int | None = None) -> CartLine:
        self.auth.require(user, Permission.SELL)
        if not variant.active:
            raise ValidationError("{name} is not for sale (inactive)", name=variant.name)
        qty = self._check_qty(variant.sold_by_weight or embedded_price is not None, qty)
        if embedded_price is not None:
            qty = ONE
        last = cart.lines[-1] if cart.lines else None
        if (last is not None and embedded_price is None and not variant.sold_by_weight
                and last.variant_id == variant.id and last.return_of is None
                and last.discount is None and not last.price_overridden):
            last.qty += qty
            return last
        line = CartLine(
            key=new_id_str(), variant_id=variant.id, sku=variant.sku, name=variant.name,
            list_price=variant.price,
            unit_price=embedded_price if embedded_price is not None else variant.price,
            qty=qty, tax_code=variant.tax_code, tax_rate=variant.tax_rate,
            sold_by_weight=variant.sold_by_weight,
            price_overridden=embedded_price is not None, unit_cost=known_cost(variant))
        cart.lines.append(line)
        return line

    @staticmethod
    def _check_qty(weighed: bool, qty: Decimal) -> Decimal:
        qty = parse_qty(qty)
        if qty <= 0:
            raise ValidationError("quantity must be more than zero")
        if not weighed and qty != qty.to_integral_value():
            raise ValidationError("only weighed items can have a fractional quantity")
        if qty > 100000:
            raise ValidationError("quantity is implausibly large")
        return qty

    def set_qty(self, cart: Cart, key: str, qty: Decimal, user: User) -> None:
        self.auth.require(user, Permission.SELL)
        line = cart.line(key)
        if line.return_of is not None:
            raise StateError("change a return line through the return, not the sale")
        line.qty = self._check_qty(line.sold_by_weight, qty)

    def remove_line(self, cart: Cart, key: str, user: User,
                    grant: OverrideGrant | None = None) -> None:
        approver = self.auth.require(user, Permission.VOID_LINE, grant)
        line = cart.line(key)
        amount = self.price(cart).by_key[key].total
        cart.lines.remove(line)
        with self.store.tx(write=True) as tx:
            shift = tx.open_shift(self.ctx.till_id)
            tx.add_void(shift.id if shift else None, "line", user.id, amount, 1)
            tx.append_audit(self.ctx.till_id, user.id, "void_line", line.sku,
                            {"cart": cart.id, "qty": str(line.qty), "amount": amount,
                             "approved_by": approver})
            tx.commit()

    def _approve_limit(self, user: User, permission: Permission, pct: Decimal,
                       limit_of: str, grant: OverrideGrant | None) -> str | None:
        """Within the role's limit: fine. Beyond it: a grant from someone whose limit covers it."""
        if user.can(permission) and pct <= getattr(user.policy, limit_of):
            return None
        approver_id = self.auth.use_grant(user, permission, grant)
        with self.store.tx() as tx:
            approver = tx.user_by_id(approver_id)
        if approver is None or pct > getattr(POLICIES[approver.role], limit_of):
            raise PermissionDenied("{pct}% is beyond the approver's limit", permission.value,
                                   pct=f"{pct:.2f}")
        return approver_id

    def set_line_discount(self, cart: Cart, key: str, discount: Discount | None, user: User,
                          grant: OverrideGrant | None = None) -> None:
        line = cart.line(key)
        if line.return_of is not None:
            raise StateError("return lines cannot be discounted")
        if discount is None:
            line.discount = None
            return
        priced = self.price(cart).by_key[key]
        base = priced.gross - priced.promo_discount
        amount = discount.of(base)
        approver = self._approve_limit(user, Permission.DISCOUNT,
                                       _discount_pct(discount, amount, base),
                                       "max_discount_pct", grant)
        line.discount = discount
        self._audit(user, "discount", line.sku, {"cart": cart.id, "scope": "line",
                                                 "discount": discount.to_dict(),
                                                 "amount": amount, "approved_by": approver})

    def set_order_discount(self, cart: Cart, discount: Discount | None, user: User,
                           grant: OverrideGrant | None = None) -> None:
        if discount is None:
            cart.order_discount = None
            return
        priced = self.price(cart)  # the base excludes any order discount being replaced
        base = sum(p.net + p.order_discount for p in priced.lines
                   if p.net + p.order_discount > 0)
        amount = discount.of(base)
        approver = self._approve_limit(user, Permission.DISCOUNT,
                                       _discount_pct(discount, amount, base),
                                       "max_discount_pct", grant)
        cart.order_discount, cart.order_discount_by = discount, approver or user.id
        self._audit(user, "discount", None, {"cart": cart.id, "scope": "order",
                                             "discount": discount.to_dict(), "amount": amount,
                                             "approved_by": approver})

    def set_price(self, cart: Cart, key: str, unit_price: int, user: User,
                  grant: OverrideGrant | None = None) -> None:
        line = cart.line(key)
        if unit_price < 0:
            raise ValidationError("a price cannot be negative")
        if line.return_of is not None:
            raise StateError("return lines keep the price that was paid")
        markdown = _pct(max(line.list_price - unit_price, 0), line.list_price)
        approver = self._approve_limit(user, Permission.PRICE_OVERRIDE, markdown,
                                       "max_markdown_pct", grant)
        old = line.unit_price
        line.unit_price, line.price_overridden = unit_price, True
        line.override_by = approver or user.id
        self._audit(user, "price_override", line.sku, {"cart": cart.id, "old": old,
                                                       "new": unit_price,
                                                       "approved_by": approver})

    def attach_customer(self, cart: Cart, id_or_code: str, user: User) -> Customer:
        self.auth.require(user, Permission.SELL)
        with self.store.tx() as tx:
            customer = tx.customer(id_or_code)
        if customer is None:
            raise NotFound("no customer {id_or_code!r}", id_or_code=id_or_code)
        cart.customer_id, cart.tax_exempt = customer.id, customer.tax_exempt
        return customer

    # ----- pricing and payments -----------------------------------------------
    def price(self, cart: Cart) -> PricedCart:
        ids = {ln.variant_id for ln in cart.lines if ln.return_of is None}
        promotions = self.reader.promotions_for(ids)
        return price_cart([ln.pricing_input() for ln in cart.lines], self.settings.policy(),
                          order_discount=cart.order_discount, promotions=promotions,
                          tax_exempt=cart.tax_exempt)

    def remaining(self, cart: Cart) -> int:
        """Still due before cash rounding (what a card or store credit would have to pay)."""
        return self.price(cart).total - sum(p.amount for p in cart.payments)

    def cash_due(self, cart: Cart) -> int:
        """Still due if the rest is paid in cash: rounded to the smallest coin."""
        paid_non_cash = sum(p.amount for p in cart.payments if p.tender is not Tender.CASH)
        cash = sum(p.amount for p in cart.payments if p.tender is Tender.CASH)
        due = cash_round(self.price(cart).total - paid_non_cash,
                         self.settings.policy().cash_increment)
        return due - cash

    def pay_cash(self, cart: Cart, tendered: int, user: User) -> CartPayment:
        """Cash in. Zero is accepted only when the rest rounds away (a 0.02 rest, 0.05 coins)."""
        self.auth.require(user, Permission.SELL)
        if tendered < 0 or (tendered == 0 and not (
                self.cash_due(cart) == 0 and self.remaining(cart) > 0)):
            raise ValidationError("cash tendered must be more than zero")
        payment = CartPayment(new_id_str(), Tender.CASH, tendered)
        cart.payments.append(payment)
        return payment

    def _check_non_cash(self, cart: Cart, amount: int) -> None:
        remaining = self.remaining(cart)
        if amount <= 0:
            raise ValidationError("amount must be more than zero")
        if amount > remaining:
            raise ValidationError("only cash may exceed the amount due ({remaining} minor units "
                                  "left)", remaining=remaining)

    @property
    def cards(self) -> CardPayments:
        return CardPayments(self.store, self.ctx, self.terminal)

    def pay_card(self, cart: Cart, user: User, amount: int | None = None,
                 on_progress: Callable[[str, str], None] | None = None) -> CartPayment:
        """Charge through the terminal; the attempt is committed before the terminal is asked."""
        self.auth.require(user, Permission.SELL)
        cards = self.cards
        cards.require_terminal()
        for settled in cards.settle_pending(cart):  # an earlier call got through after all
            if amount is None or settled.amount == amount:
                return settled
        amount = self.remaining(cart) if amount is None else amount
        self._check_non_cash(cart, amount)
        payment = CartPayment(new_id_str(), Tender.CARD, amount)
        result = cards.run(cart, user, payment, lambda t, ref: t.charge(
            amount, self.ctx.currency, ref, on_progress), on_progress)
        if not result.approved:
            raise PaymentDeclined("card {status}: {reason}", status=result.status,
                                  reason=result.message or "no reason given")
        cart.payments.append(payment)
        return payment

    def pay_store_credit(self, cart: Cart, user: User, amount: int | None = None) -> CartPayment:
        self.auth.require(user, Permission.SELL)
        customer = self._customer(cart)
        used = sum(p.amount for p in cart.payments if p.tender is Tender.STORE_CREDIT)
        amount = min(self.remaining(cart), customer.store_credit - used) if amount is None \
            else amount
        self._check_non_cash(cart, amount)
        if amount > customer.store_credit - used:
            raise ValidationError("{name} has only {credit} minor units of store credit",
                                  name=customer.name, credit=customer.store_credit - used)
        payment = CartPayment(new_id_str(), Tender.STORE_CREDIT, amount)
        cart.payments.append(payment)
        return payment

    def redeem_points(self, cart: Cart, user: User, points: int) -> CartPayment:
        self.auth.require(user, Permission.SELL)
        customer = self._customer(cart)
        used = sum(p.points for p in cart.payments if p.tender is Tender.LOYALTY)
        if points <= 0 or points > customer.loyalty_points - used:
            raise ValidationError("{name} has {points} points", name=customer.name,
                                  points=customer.loyalty_points - used)
        amount = points * int(self.settings.all()["loyalty_point_value"])
        self._check_non_cash(cart, amount)
        payment = CartPayment(new_id_str(), Tender.LOYALTY, amount, points=points)
        cart.payments.append(payment)
        return payment

    def _customer(self, cart: Cart) -> Customer:
        if cart.customer_id is None:
            raise StateError("attach a customer first")
        with self.store.tx() as tx:
            customer = tx.customer(cart.customer_id)
        if customer is None:  # pragma: no cover - attached customers exist
            raise NotFound("customer no longer exists")
        return customer

    # ----- completing, voiding, parking ---------------------------------------------
    def complete(self, cart: Cart, user: User) -> CompletedSale:
        """Commit the sale, then capture its card authorisations (a failed capture is
        retried later: the sale stands either way)."""
        sale = self.commit_sale(cart, user)
        if any(not p.captured for p in cart.payments):
            self.cards.capture(cart.payments)
        return sale

    def commit_sale(self, cart: Cart, user: User) -> CompletedSale:
        """Write the whole sale in one transaction: all of it or none of it."""
        self.auth.require(user, Permission.SELL)
        if cart.is_empty:
            raise StateError("nothing to sell: the sale has no lines")
        settings = self.settings.all()
        policy = self.settings.policy()
        with self.store.tx(write=True) as tx:
            shift = tx.open_shift(self.ctx.till_id)
            if shift is None:
                raise StateError("no open shift on till {till_code}: open one first",
                                 till_code=self.ctx.till_code)
            priced = self.price(cart)
            cash = sum(p.amount for p in cart.payments if p.tender is Tender.CASH)
            non_cash = sum(p.amount for p in cart.payments if p.tender is not Tender.CASH)
            has_cash = any(p.tender is Tender.CASH for p in cart.payments)
            st = settle(priced.total, non_cash, cash, policy.cash_increment, has_cash)
            seq = tx.next_receipt_seq(self.ctx.till_id)
            sale_id = new_id_str()
            lines = tuple(self._sale_line(i, ln, priced) for i, ln in enumerate(cart.lines, 1))
            kind = _kind(lines)
            payments = [SalePayment(p.id, p.tender.value, p.amount, p.amount, 0, p.provider,
                                    p.provider_ref, p.original_payment_id)
                        for p in cart.payments if p.tender is not Tender.CASH]
            if has_cash:
                first_cash = next(p for p in cart.payments if p.tender is Tender.CASH)
                payments.append(SalePayment(first_cash.id, Tender.CASH.value, st.cash_applied,
                                            cash, st.change, None, None,
                                            first_cash.original_payment_id))
            redeemed = sum(p.points for p in cart.payments if p.tender is Tender.LOYALTY)
            earned = self._points_earned(payments, settings) if cart.customer_id else 0
            sale = CompletedSale(
                id=sale_id, receipt_no=self.ctx.receipt_no(seq), seq=seq, kind=kind,
                till_id=self.ctx.till_id, shift_id=shift.id, cashier_id=user.id,
                customer_id=cart.customer_id, currency=self.ctx.currency,
                tax_mode=policy.tax_mode.value, subtotal=priced.subtotal,
                discount_total=priced.discount_total, tax_total=priced.tax_total,
                total=priced.total, rounding=st.rounding,
                completed_at=self.clock(), lines=lines,
                taxes=tuple(SaleTax(t.code, t.rate, t.base, t.tax) for t in priced.taxes),
                payments=tuple(payments), loyalty_earned=earned, loyalty_redeemed=redeemed,
                approved_by=cart.approved_by,
                order_discount=cart.order_discount.to_dict() if cart.order_discount else None)
            tx.add_sale(sale)
            moves = self._stock_moves(sale, user)
            tx.add_stock_moves(moves)
            self._ledgers(tx, cart, sale)
            for p in cart.payments:
                if p.attempt_id:
                    tx.update_payment_attempt(p.attempt_id, "used", p.provider_ref, sale_id)
            event = {"sale": "sale.completed", "return": "refund.completed",
                     "exchange": "exchange.completed"}[kind]
            payload = sale.to_json()
            payload["return_of_sale_id"] = cart.return_of_sale_id  # orders a refund after it
            tx.add_event(event, "sale", sale_id, payload)
            if moves:
                tx.add_event("stock.moved", "sale", sale_id, _moves_payload(moves, sale))
            tx.append_audit(self.ctx.till_id, user.id, "refund" if kind != "sale" else "sale",
                            sale.receipt_no, {"sale_id": sale_id, "total": sale.total,
                                              "approved_by": cart.approved_by})
            tx.commit()
        return sale

    @staticmethod
    def _sale_line(no: int, ln: CartLine, priced: PricedCart) -> SaleLine:
        p = priced.by_key[ln.key]
        return SaleLine(
            id=ln.key, line_no=no, variant_id=ln.variant_id, sku=ln.sku, name=ln.name,
            qty=ln.qty, unit_price=ln.unit_price, list_price=ln.list_price, gross=p.gross,
            promo_discount=p.promo_discount, line_discount=p.line_discount,
            order_discount=p.order_discount, net=p.net, tax=p.tax, total=p.total,
            tax_code=ln.tax_code, tax_rate=ln.tax_rate, return_of_line_id=ln.return_of,
            restock=ln.restock, promo_codes=p.promo_codes, override_by=ln.override_by,
            unit_cost=ln.unit_cost)

    def _stock_moves(self, sale: CompletedSale, user: User) -> list[StockMove]:
        moves = []
        for ln in sale.lines:
            if ln.qty > 0:
                moves.append(StockMove(new_id_str(), ln.variant_id, self.ctx.location_id,
                                       -ln.qty, MovementKind.SALE, None, sale.id, user.id))
            elif ln.restock:
                moves.append(StockMove(new_id_str(), ln.variant_id, self.ctx.location_id,
                                       -ln.qty, MovementKind.RETURN, None, sale.id, user.id))
        return moves

    def _points_earned(self, payments: list[SalePayment], settings: dict[str, Any]) -> int:
        paid = sum(p.amount for p in payments if p.tender in (Tender.CASH, Tender.CARD))
        whole = abs(paid) // currency(self.ctx.currency).factor
        points = whole * int(settings["loyalty_points_per_unit"])
        return points if paid >= 0 else -points

    def _ledgers(self, tx: Tx, cart: Cart, sale: CompletedSale) -> None:
        if cart.customer_id is None:
            if any(p.tender in (Tender.STORE_CREDIT, Tender.LOYALTY) for p in cart.payments):
                raise StateError("store credit and points need a customer")
            return
        for p in cart.payments:
            if p.tender is Tender.STORE_CREDIT:
                tx.add_store_credit(cart.customer_id, -p.amount, sale.currency, sale.id)
            elif p.tender is Tender.LOYALTY:
                tx.add_loyalty(cart.customer_id, -p.points, sale.id)
        if sale.loyalty_earned:
            tx.add_loyalty(cart.customer_id, sale.loyalty_earned, sale.id)

    def void(self, cart: Cart, user: User, grant: OverrideGrant | None = None) -> None:
        """Abandon an unfinished sale; card charges already taken are refunded first."""
        if cart.is_empty and not cart.payments:
            return
        approver = self.auth.require(user, Permission.VOID_SALE, grant)
        self.reverse_payments(cart, user, "sale voided")
        amount = self.price(cart).total
        with self.store.tx(write=True) as tx:
            shift = tx.open_shift(self.ctx.till_id)
            tx.add_void(shift.id if shift else None, "sale", user.id, amount, len(cart.lines))
            tx.append_audit(self.ctx.till_id, user.id, "void_sale", None,
                            {"cart": cart.id, "lines": len(cart.lines), "amount": amount,
                             "approved_by": approver})
            tx.commit()
        cart.lines.clear()
        cart.order_discount = None

    def reverse_payments(self, cart: Cart, user: User, reason: str) -> None:
        """Give back card charges taken for a cart that will not complete; audited.

        Needs no extra permission: it only undoes this cart's own uncommitted payments.
        """
        for p in list(cart.payments):
            if p.tender is Tender.CARD and p.provider_ref and p.amount > 0:
                self.cards.give_back(cart, p, user, reason)
            cart.payments.remove(p)

    def recover_payments(self) -> RecoveryReport:
        """Finish what a crash or a lost connection interrupted, before the till sells again.

        For each cart with an approved attempt or one whose outcome is unknown, the
        terminal is asked (never charged); a cart that is then fully paid completes
        (once: the attempts turn ``used`` in the sale's own transaction), any other
        cart with money on it goes back to the cashier as a parked sale. Captures
        that failed earlier are retried.
        """
        report = RecoveryReport()
        if self.terminal is None:
            return report
        terminal = self.terminal
        with self.store.tx() as tx:
            open_attempts = tx.payment_attempts(self.ctx.till_id, ["pending", "approved"])
        carts: dict[str, list[PaymentAttempt]] = {}
        for attempt in open_attempts:
            carts.setdefault(attempt.cart_id, []).append(attempt)
        for cart_id, attempts in carts.items():
            try:
                outcomes = {a.id: (terminal.recover(a.id) if a.status is AttemptStatus.PENDING
                                   else None) for a in attempts}
            except Exception as exc:
                log.warning("cannot recover cart %s yet: %s", cart_id, exc)
                report.unresolved.append(cart_id)
                continue
            self._recover_cart(attempts, outcomes, report)
        report.capture_failures = self.cards.capture_pending()
        return report

    def _recover_cart(self, attempts: list[PaymentAttempt],
                      outcomes: dict[str, TerminalResult | None],
                      report: RecoveryReport) -> None:
        approved: list[CartPayment] = []
        for a in attempts:
            outcome = outcomes[a.id]
            if outcome is not None:
                if outcome.status == "unknown":
                    outcome = TerminalResult("failed", None, "never reached the provider")
                self.cards.record(a.id, outcome)
                if outcome.approved:
                    payment = attempt_payment(a, outcome.provider_ref)
                    payment.captured = outcome.captured
                    approved.append(payment)
            else:
                approved.append(attempt_payment(a, a.provider_ref))
        last = attempts[-1]
        snapshot = json.loads(last.cart_json or "{}")
        with self.store.tx() as tx:
            user = tx.user_by_id(last.user_id) if last.user_id else None
        if not snapshot or user is None:
            report.unresolved.append(last.cart_id)
            return
        cart = Cart.from_dict(snapshot["cart"])
        known = {p.attempt_id for p in cart.payments}
        cart.payments.extend(p for p in approved if p.attempt_id not in known)
        if not approved:
            report.not_charged.append(cart.id)
            return
        try:
            sale = self.complete(cart, user)
        except (StateError, ValidationError) as exc:
            park_id = new_id_str()
            with self.store.tx(write=True) as tx:
                tx.park(park_id, self.ctx.till_id, user.id,
                        f"recovered: {len(cart.lines)} lines, paid by card",
                        json.dumps(cart.to_dict()))
                for p in approved:
                    if p.attempt_id:
                        tx.update_payment_attempt(p.attempt_id, AttemptStatus.RECOVERED.value,
                                                  p.provider_ref, f"parked {park_id}")
                tx.append_audit(self.ctx.till_id, None, "payment_recovered", cart.id,
                                {"parked": park_id, "reason": str(exc)})
                tx.commit()
            report.parked.append(park_id)
            return
        report.completed.append(sale.receipt_no)

    def park(self, cart: Cart, user: User, label: str = "") -> str:
        self.auth.require(user, Permission.SELL)
        if cart.payments:
            raise StateError("a sale with payments cannot be parked; complete or void it")
        if cart.is_empty:
            raise StateError("nothing to park")
        park_id = new_id_str()
        with self.store.tx(write=True) as tx:
            tx.park(park_id, self.ctx.till_id, user.id, label or f"{len(cart.lines)} lines",
                    json.dumps(cart.to_dict()))
            tx.commit()
        return park_id

    def parked(self) -> list[tuple[str, str, Any]]:
        with self.store.tx() as tx:
            return tx.parked(self.ctx.till_id)

    def resume(self, park_id: str, user: User) -> Cart:
        self.auth.require(user, Permission.SELL)
        with self.store.tx(write=True) as tx:
            data = tx.take_parked(park_id)
            if data is None:
                raise NotFound("no parked sale {park_id}", park_id=park_id)
            tx.commit()
        return Cart.from_dict(json.loads(data))

    def _audit(self, user: User, action: str, subject: str | None,
               details: dict[str, Any]) -> None:
        with self.store.tx(write=True) as tx:
            tx.append_audit(self.ctx.till_id, user.id, action, subject, details)
            tx.commit()


@dataclass(slots=True)
class RecoveryReport:
    completed: list[str] = field(default_factory=list)  # receipt numbers
    parked: list[str] = field(default_factory=list)  # parked-sale ids with card money on them
    not_charged: list[str] = field(default_factory=list)  # cart ids: nothing was taken
    unresolved: list[str] = field(default_factory=list)  # cart ids: provider unreachable
    capture_failures: list[str] = field(default_factory=list)  # attempt ids to retry


def _kind(lines: tuple[SaleLine, ...]) -> str:
    has_sale = any(ln.qty > 0 for ln in lines)
    has_return = any(ln.qty < 0 for ln in lines)
    if has_sale and has_return:
        return "exchange"
    return "return" if has_return else "sale"


def _moves_payload(moves: list[StockMove], sale: CompletedSale) -> dict[str, Any]:
    return {"ref": sale.receipt_no, "sale_id": sale.id, "movements": [
        {"id": mv.id, "variant_id": mv.variant_id, "location_id": mv.location_id,
         "qty": str(mv.qty), "kind": mv.kind.value} for mv in moves]}
