"""The till's state and every cashier action, run on the lane, reported by signals.

The screens never call a service themselves: they call a method here, which
queues the work on ``Tasks.lane`` (one thread, in order) and answers with a
signal on the GUI thread. The cart lives here and is only touched on the lane.

Actions a role may not do raise ``PermissionDenied``; the session then emits
``override_needed`` with an ``OverrideRequest`` whose ``grant(user, pin)`` runs
the same action again with a manager's one-time approval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from drivers.display_text import change_lines, item_lines, thank_you_lines, total_lines

from ...app import App
from ...domain.cart import Cart
from ...domain.catalog import Variant
from ...domain.errors import PermissionDenied, StateError, ValidationError
from ...domain.money import format_plain
from ...domain.pricing import Discount
from ...domain.sale import CompletedSale
from ...domain.store import Customer
from ...domain.users import Permission, User
from ...hardware.adapters import wait
from ...services.auth import OverrideGrant
from ..cart_view import CartView, build_view
from ..i18n import refusal_text
from ..tasks import Tasks

log = logging.getLogger(__name__)


@dataclass
class OverrideRequest:
    """A refused action waiting for a manager: ``grant`` re-runs it with approval."""

    permission: str
    message: str
    run: Callable[[OverrideGrant], None]


@dataclass(frozen=True)
class SaleDone:
    sale: CompletedSale
    change: int
    refund: int  # cash given back on a return
    drawer_opened: bool
    print_choice: str  # always | ask | never


@dataclass(frozen=True)
class ReturnInfo:
    sale: CompletedSale
    returnable: dict[str, Decimal]  # original line id -> quantity still returnable


@dataclass(frozen=True)
class PriceInfo:
    variant: Variant
    on_hand: Decimal | None


class TillSession(QObject):
    user_changed = Signal(object)  # User | None
    cart_changed = Signal(object)  # CartView
    error = Signal(str)
    info = Signal(str)
    override_needed = Signal(object)  # OverrideRequest
    weight_needed = Signal(object)  # Variant without a scale reading
    sale_completed = Signal(object)  # SaleDone
    card_progress = Signal(str, str)  # stage, message
    card_finished = Signal(bool)  # approved
    return_opened = Signal(object)  # ReturnInfo
    shift_changed = Signal(object)  # ShiftInfo | None
    printed = Signal(object)  # PrintRun

    def __init__(self, app: App, tasks: Tasks) -> None:
        super().__init__()
        self.app = app
        self.tasks = tasks
        self.user: User | None = None
        self._cart: Cart = app.checkout.new_cart()  # lane only
        self._customer: Customer | None = None  # lane only
        self.view: CartView = CartView(self._cart.id, app.ctx.currency)
        self.paying = False
        self.last_sale: CompletedSale | None = None
        self.cart_changed.connect(self._keep_view)

    # ------------------------------------------------------------------ helpers
    def _keep_view(self, view: CartView) -> None:
        self.view = view

    def _emit_view(self, last_key: str | None = None) -> CartView:
        """Lane only: price the cart and send the snapshot to the screens."""
        view = build_view(self.app.checkout, self._cart, self._customer, last_key)
        self.tasks.to_gui(self.cart_changed.emit, view)
        return view

    def _me(self) -> User:
        if self.user is None:
            raise StateError("log in first")
        return self.user

    def _fail(self, exc: BaseException) -> None:
        self.error.emit(user_message(exc))

    def _guarded(self, action: Callable[[OverrideGrant | None], Any],
                 done: Callable[[Any], None] | None = None) -> None:
        """Run ``action`` on the lane; a permission refusal asks for a manager."""

        def failed(exc: BaseException) -> None:
            if isinstance(exc, PermissionDenied) and exc.permission:
                self.override_needed.emit(OverrideRequest(
                    exc.permission, refusal_text(exc),
                    lambda grant: self.tasks.lane(action, grant, done=done)))
            else:
                self._fail(exc)

        self.tasks.lane(action, None, done=done, failed=failed)

    def grant(self, request: OverrideRequest, approver: str, pin: str) -> None:
        """A manager typed their PIN for ``request``: get the grant, then re-run."""
        def get() -> OverrideGrant:
            return self.app.auth.grant_override(approver, pin, Permission(request.permission),
                                                self.user, request.message[:80])

        self.tasks.lane(get, done=request.run)

    def _show(self, lines: tuple[str, str]) -> None:
        """Customer display: fire and forget (its own driver thread does the I/O)."""
        display = self.app.devices.display()
        if display is not None:
            display.show(*lines)

    def _money(self, minor: int) -> str:
        return f"{format_plain(minor, self.app.ctx.currency)} {self.app.ctx.currency}"

    # ------------------------------------------------------------------ login
    def login(self, username: str, pin: str, done: Callable[[User], None] | None = None,
              failed: Callable[[BaseException], None] | None = None) -> None:
        def work() -> User:
            user = self.app.auth.login(username, pin)
            self.user = user
            return user

        def ok(user: User) -> None:
            self.user_changed.emit(user)
            self.refresh_shift()
            if done:
                done(user)

        self.tasks.lane(work, done=ok, failed=failed or self._fail)

    def lock(self) -> None:
        self.user = None
        self.user_changed.emit(None)

    def users(self, done: Callable[[list[User]], None]) -> None:
        self.tasks.run(self.app.auth.login_choices, done=done)

    # ------------------------------------------------------------------ shift
    def refresh_shift(self) -> None:
        self.tasks.lane(self.app.shifts.current, done=self.shift_changed.emit)

    def open_shift(self, opening_float: int) -> None:
        def work() -> Any:
            return self.app.shifts.open(self._me(), opening_float)

        self.tasks.lane(work, done=self.shift_changed.emit, failed=self._fail)

    def cash_movement(self, kind: str, amount: int, reason: str) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.shifts.cash_movement(self._me(), kind, amount, reason, grant)

        self._guarded(work, lambda _: self.info.emit(kind))

    def x_report(self, done: Callable[[dict[str, Any]], None]) -> None:
        self.tasks.lane(lambda: self.app.shifts.x_report(self._me()), done=done,
                        failed=self._fail)

    def close_shift(self, counted: dict[str, int],
                    done: Callable[[dict[str, Any]], None]) -> None:
        def work(grant: OverrideGrant | None) -> dict[str, Any]:
            report = self.app.shifts.close(self._me(), counted, grant)
            self.tasks.to_gui(self.shift_changed.emit, None)
            return report

        self._guarded(work, done)

    def print_report(self, report: dict[str, Any]) -> None:
        from ...services.shifts import report_text

        def work() -> Any:
            title = f"{report['type']} report"
            self.app.printing.queue_report(title, report_text(report))
            return self.app.printing.print_pending()

        self.tasks.run(work, done=self.printed.emit, failed=self._fail)

    # ------------------------------------------------------------------ the cart
    def scan(self, code: str, qty: Decimal | None = None) -> None:
        """A scanner read or an entered code: an item, a weighed label, or a receipt."""
        code = code.strip()
        if not code:
            return
        if self.paying:
            self.error.emit(self.tr("Finish the payment first."))
            return

        def work() -> Any:
            user = self._me()
            co = self.app.checkout
            if co.is_receipt(code):
                return self._open_return(code)
            variant, weight, _price = co.lookup(code)
            if variant.sold_by_weight and weight is None:
                return self._weigh(variant)
            line = co.scan(self._cart, code, user, qty)
            view = self._emit_view(line.key)
            lv = next(x for x in view.lines if x.key == line.key)
            self._show(item_lines(lv.name, self._money(lv.total)))
            return None

        self.tasks.lane(work, failed=self._fail)

    def add_sku(self, sku: str, qty: Decimal | None = None) -> None:
        """From a search result, favourite or category tile."""
        def work() -> Any:
            co = self.app.checkout
            variant, _w, _p = co.lookup(sku)
            if variant.sold_by_weight and qty is None:
                return self._weigh(variant)
            line = co.add_variant(self._cart, variant, self._me(), qty or Decimal(1))
            view = self._emit_view(line.key)
            lv = next(x for x in view.lines if x.key == line.key)
            self._show(item_lines(lv.name, self._money(lv.total)))
            return None

        self.tasks.lane(work, failed=self._fail)

    def _weigh(self, variant: Variant) -> None:
        """Lane: take a stable reading from the scale, or ask the cashier for the weight."""
        scale = self.app.devices.scale()
        if scale is None:
            self.tasks.to_gui(self.weight_needed.emit, variant)
            return
        try:
            reading = wait(scale.read_stable_weight(5), 8, "scale")
        except Exception as exc:
            log.info("scale reading failed: %s", exc)
            self.tasks.to_gui(self.weight_needed.emit, variant)
            return
        line = self.app.checkout.add_weighed(self._cart, variant, self._me(), reading.kilograms)
        view = self._emit_view(line.key)
        lv = next(x for x in view.lines if x.key == line.key)
        self._show(item_lines(lv.name, self._money(lv.total), f"{reading.kilograms} kg"))

    def add_weighed(self, sku: str, kilograms: Decimal) -> None:
        def work() -> None:
            variant, _w, _p = self.app.checkout.lookup(sku)
            line = self.app.checkout.add_weighed(self._cart, variant, self._me(), kilograms)
            self._emit_view(line.key)

        self.tasks.lane(work, failed=self._fail)

    def set_qty(self, key: str, qty: Decimal) -> None:
        def work() -> None:
            self.app.checkout.set_qty(self._cart, key, qty, self._me())
            self._emit_view(key)

        self.tasks.lane(work, failed=self._fail)

    def step_qty(self, key: str, delta: int) -> None:
        def work(grant: OverrideGrant | None) -> None:
            line = self._cart.line(key)
            qty = line.qty + delta
            if qty <= 0:
                self.app.checkout.remove_line(self._cart, key, self._me(), grant)
                self._emit_view()
                return
            self.app.checkout.set_qty(self._cart, key, qty, self._me())
            self._emit_view(key)

        self._guarded(work)

    def remove_line(self, key: str) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.checkout.remove_line(self._cart, key, self._me(), grant)
            self._emit_view()

        self._guarded(work)

    def line_discount(self, key: str, discount: Discount | None) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.checkout.set_line_discount(self._cart, key, discount, self._me(), grant)
            self._emit_view(key)

        self._guarded(work)

    def order_discount(self, discount: Discount | None) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.checkout.set_order_discount(self._cart, discount, self._me(), grant)
            self._emit_view()

        self._guarded(work)

    def override_price(self, key: str, unit_price: int) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.checkout.set_price(self._cart, key, unit_price, self._me(), grant)
            self._emit_view(key)

        self._guarded(work)

    def attach_customer(self, code: str) -> None:
        def work() -> None:
            self._customer = self.app.checkout.attach_customer(self._cart, code, self._me())
            self._emit_view()

        self.tasks.lane(work, failed=self._fail)

    def detach_customer(self) -> None:
        def work() -> None:
            if self._cart.payments:
                raise StateError("the customer cannot change once payments are taken")
            self._cart.customer_id, self._cart.tax_exempt = None, False
            self._customer = None
            self._emit_view()

        self.tasks.lane(work, failed=self._fail)

    def void_sale(self) -> None:
        def work(grant: OverrideGrant | None) -> None:
            self.app.checkout.void(self._cart, self._me(), grant)
            self._new_cart()

        self._guarded(work)

    def _new_cart(self) -> None:
        """Lane: start the next sale."""
        self._cart = self.app.checkout.new_cart()
        self._customer = None
        self.paying = False
        self._emit_view()

    def new_sale(self) -> None:
        self.tasks.lane(self._new_cart)

    # ------------------------------------------------------------------ parking
    def park(self, label: str = "") -> None:
        def work() -> None:
            self.app.checkout.park(self._cart, self._me(), label)
            self._new_cart()

        self.tasks.lane(work, done=lambda _: self.info.emit(self.tr("Sale parked.")),
                        failed=self._fail)

    def parked(self, done: Callable[[list[tuple[str, str, Any]]], None]) -> None:
        self.tasks.run(self.app.checkout.parked, done=done, failed=self._fail)

    def resume(self, park_id: str) -> None:
        def work() -> None:
            if not self._cart.is_empty or self._cart.payments:
                raise StateError("finish or park the current sale first")
            self._cart = self.app.checkout.resume(park_id, self._me())
            self._customer = (self.app.customers.get(self._cart.customer_id)
                              if self._cart.customer_id else None)
            self._emit_view()

        self.tasks.lane(work, failed=self._fail)

    # ------------------------------------------------------------------ paying
    def start_payment(self) -> bool:
        if self.view.empty:
            self.error.emit(self.tr("Scan an item first."))
            return False
        self.paying = True
        self._show(total_lines(self._money(self.view.cash_due if self.view.cash_due > 0
                                           else self.view.remaining)))
        return True

    def back_to_sale(self) -> None:
        if self.view.payments:
            self.error.emit(self.tr("Payments are taken: finish the sale or void it."))
            return
        self.paying = False

    def _pay(self, take: Callable[[User], Any],
             failed: Callable[[BaseException], None] | None = None) -> None:
        """Take one payment on the lane, then complete the sale if it is paid in full.
        The shift is checked first: money must never be taken for a sale that cannot
        be recorded."""
        def work() -> SaleDone | None:
            self.app.shifts.require_open()
            take(self._me())
            return self._after_payment()

        self.tasks.lane(work, done=self._maybe_done, failed=failed or self._pay_failed)

    def _pay_failed(self, exc: BaseException) -> None:
        self._fail(exc)
        self.tasks.lane(self._emit_view)

    def pay_cash(self, tendered: int) -> None:
        self._pay(lambda user: self.app.checkout.pay_cash(self._cart, tendered, user))

    def pay_exact_cash(self) -> None:
        def take(user: User) -> None:
            due = max(self.app.checkout.cash_due(self._cart), 0)
            self.app.checkout.pay_cash(self._cart, due, user)

        self._pay(take)

    def pay_card(self, amount: int | None = None) -> None:
        def progress(stage: str, message: str) -> None:
            self.tasks.to_gui(lambda _: self.card_progress.emit(stage, message))

        def take(user: User) -> None:
            self.app.checkout.pay_card(self._cart, user, amount, progress)
            self.tasks.to_gui(lambda _: self.card_finished.emit(True))

        def failed(exc: BaseException) -> None:
            self.card_finished.emit(False)
            self._pay_failed(exc)

        self._pay(take, failed)

    def cancel_card(self) -> None:
        """Ask the terminal to stop waiting for the card (on the pool: the lane waits)."""
        terminal = self.app.checkout.terminal
        if terminal is None:
            return

        def work() -> bool:
            from ...domain.devices import AttemptStatus

            with self.app.store.tx() as tx:
                attempts = tx.payment_attempts(self.app.ctx.till_id,
                                               [AttemptStatus.PENDING.value])
            return any(terminal.cancel(a.id) for a in attempts)

        self.tasks.run(work, failed=self._fail)

    def pay_store_credit(self, amount: int | None = None) -> None:
        self._pay(lambda user: self.app.checkout.pay_store_credit(self._cart, user, amount))

    def redeem_points(self, points: int) -> None:
        self._pay(lambda user: self.app.checkout.redeem_points(self._cart, user, points))

    def _after_payment(self) -> SaleDone | None:
        """Lane: complete the sale as soon as it is paid; else show what is left."""
        view = self._emit_view()
        if view.cash_due > 0:
            self._show(total_lines(self._money(view.cash_due)))
            return None
        return self._complete()

    def _complete(self) -> SaleDone:
        co, user = self.app.checkout, self._me()
        try:
            sale = co.complete(self._cart, user)
        except Exception:
            log.exception("sale could not be completed; giving card payments back")
            co.reverse_payments(self._cart, user, "sale could not be completed")
            self._emit_view()
            raise
        self.last_sale = sale
        change = sum(p.change for p in sale.payments)
        refund = -sum(p.amount for p in sale.payments if p.tender == "cash" and p.amount < 0)
        opened = self.app.drawer.open_for_sale(sale)
        self._show(change_lines(self._money(change)) if change else thank_you_lines())
        choice = str(self.app.settings.all()["print_receipts"])
        if choice == "always":
            self.app.printing.queue_receipt(sale)
            self.app.print_worker.notify()
        self._new_cart()
        return SaleDone(sale, change, refund, opened, choice)

    def _maybe_done(self, done: SaleDone | None) -> None:
        if done is not None:
            self.paying = False
            self.sale_completed.emit(done)

    def print_receipt(self, sale: CompletedSale) -> None:
        def work() -> None:
            self.app.printing.queue_receipt(sale)
            self.app.print_worker.notify()

        self.tasks.run(work, failed=self._fail)

    def reprint(self, receipt_no: str) -> None:
        def work() -> None:
            self.app.printing.reprint(receipt_no, self._me())
            self.app.print_worker.notify()

        self.tasks.run(work, done=lambda _: self.info.emit(self.tr("Copy sent to the printer.")),
                       failed=self._fail)

    # ------------------------------------------------------------------ returns
    def open_return(self, receipt_no: str) -> None:
        self.tasks.lane(lambda: self._open_return(receipt_no), failed=self._fail)

    def _open_return(self, receipt_no: str) -> None:
        if not self._cart.is_empty:
            raise StateError("finish or park the current sale before a return")
        rs = self.app.returns
        sale = rs.original(receipt_no)
        self.tasks.to_gui(self.return_opened.emit, ReturnInfo(sale, rs.returnable(sale)))

    def refund(self, sale: CompletedSale, lines: dict[int, Decimal], to: str = "original",
               restock: bool = True) -> None:
        """Return ``lines`` (line number -> quantity) of ``sale`` and pay the money back."""
        def work() -> SaleDone:
            user = self._me()
            self.app.shifts.require_open()
            cart = self.app.checkout.new_cart()
            try:
                for line_no, qty in lines.items():
                    self.app.returns.add_return_line(cart, sale, line_no, qty, user,
                                                     restock=restock)
                if not cart.lines:
                    raise ValidationError("choose at least one item to return")
                self._cart = cart
                self.app.returns.refund(cart, user, to)
                return self._complete()
            except Exception:
                self._new_cart()
                raise

        self.tasks.lane(work, done=self._maybe_done, failed=self._fail)

    # ------------------------------------------------------------------ drawer, lookup
    def no_sale(self, reason: str = "") -> None:
        def work(grant: OverrideGrant | None) -> bool:
            return self.app.drawer.no_sale(self._me(), reason, grant)

        self._guarded(work, lambda opened: self.info.emit(
            self.tr("Drawer opened.") if opened else self.tr("No drawer answered.")))

    def price_check(self, code: str, done: Callable[[PriceInfo], None]) -> None:
        def work() -> PriceInfo:
            variant, _w, _p = self.app.checkout.lookup(code)
            try:
                on_hand: Decimal | None = self.app.stock.on_hand(variant.sku)
            except Exception:
                on_hand = None
            return PriceInfo(variant, on_hand)

        self.tasks.run(work, done=done, failed=self._fail)

    def search(self, text: str, done: Callable[[list[Variant]], None], limit: int = 30) -> None:
        self.tasks.run(self.app.checkout.reader.search_variants, text, limit, done=done,
                       failed=self._fail)

    def customers(self, text: str, done: Callable[[list[Customer]], None]) -> None:
        self.tasks.run(lambda: self.app.people.customers(self._me(), text or None).rows,
                       done=done, failed=self._fail)


def user_message(exc: BaseException) -> str:
    """One sentence for the cashier; the traceback went to the log."""
    from ...domain.errors import PosError
    from ...services.ports import DeviceUnavailable

    if isinstance(exc, (PosError, DeviceUnavailable)):
        text = refusal_text(exc)
        return text[:1].upper() + text[1:] if text else type(exc).__name__
    return QCoreApplication.translate(
        "TillSession", "Something went wrong. Nothing was lost; the details are in the log.")
