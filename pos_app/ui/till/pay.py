"""Paying: quick cash, exact cash, card, store credit, points, split in any order;
then the change screen with large digits and the receipt choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QListWidget, QVBoxLayout, QWidget

from ...domain.denominations import quick_cash
from ...domain.errors import ValidationError
from ..cart_view import CartView
from ..i18n import Fmt, refusal_text
from ..theme import set_role
from ..widgets import Keypad, MoneyEdit, button, label, panel
from .session import SaleDone, TillSession


class PayScreen(QWidget):
    back = Signal()
    card_requested = Signal(object)  # amount or None (the rest)
    void_requested = Signal()

    def __init__(self, session: TillSession, fmt: Fmt) -> None:
        super().__init__()
        self.session, self.fmt = session, fmt
        self.setObjectName("pay_screen")
        root = QHBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 12)
        root.setSpacing(16)

        left = panel()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(20, 16, 20, 16)
        lv.addWidget(label(self.tr("To pay"), "subtitle"))
        self.due = label("", "big")
        self.due.setObjectName("due")
        lv.addWidget(self.due)
        self.total = label("", "muted")
        self.total.setObjectName("pay_total")
        lv.addWidget(self.total)
        lv.addSpacing(8)
        lv.addWidget(label(self.tr("Payments"), "subtitle"))
        self.payments = QListWidget()
        self.payments.setObjectName("payments")
        lv.addWidget(self.payments, 1)
        self.customer = label("", "muted")
        self.customer.setWordWrap(True)
        lv.addWidget(self.customer)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Back to sale"), icon_name="back", clicked=self._back,
                             name="back_to_sale"))
        row.addWidget(button(self.tr("Void sale"), "danger", clicked=self.void_requested.emit,
                             name="void_sale"))
        lv.addLayout(row)
        root.addWidget(left, 5)

        right = QVBoxLayout()
        right.setSpacing(8)
        self.quick = QHBoxLayout()
        self.quick.setSpacing(6)
        right.addLayout(self.quick)
        self.amount = MoneyEdit(fmt.currency)
        self.amount.setObjectName("tendered")
        self.amount.setPlaceholderText(self.tr("Amount (empty: the rest)"))
        set_role(self.amount, "search")
        right.addWidget(self.amount)
        pad = Keypad()
        pad.attach(self.amount)
        right.addWidget(pad, 1)
        tenders = QGridLayout()
        tenders.setSpacing(8)
        self.cash = button(self.tr("Cash"), "pay", icon_name="cash", clicked=self._cash,
                           name="tender_cash")
        self.card = button(self.tr("Card"), "primary", icon_name="card", clicked=self._card,
                           name="tender_card")
        self.card.setMinimumHeight(64)
        self.credit = button(self.tr("Store credit"), clicked=self._credit, name="tender_credit")
        self.points = button(self.tr("Points"), clicked=self._points, name="tender_points")
        tenders.addWidget(self.cash, 0, 0)
        tenders.addWidget(self.card, 0, 1)
        tenders.addWidget(self.credit, 1, 0)
        tenders.addWidget(self.points, 1, 1)
        right.addLayout(tenders)
        root.addLayout(right, 6)
        self.amount.returnPressed.connect(self._cash)
        session.cart_changed.connect(self.set_view)
        self._quick_buttons: list[QWidget] = []

    def set_view(self, view: CartView) -> None:
        f = self.fmt
        due = view.cash_due if view.cash_due > 0 else max(view.remaining, 0)
        self.due.setText(f.money(due))
        self.total.setText(self.tr("Sale total %1 · paid %2").replace(
            "%1", f.money(view.total)).replace("%2", f.money(view.paid)))
        self.payments.clear()
        names = {"cash": self.tr("Cash"), "card": self.tr("Card"),
                 "store_credit": self.tr("Store credit"), "loyalty": self.tr("Points")}
        for p in view.payments:
            ref = f"  ·  {p.provider_ref[-8:]}" if p.provider_ref else ""
            self.payments.addItem(f"{names.get(p.tender, p.tender)}   {f.money(p.amount)}{ref}")
        c = view.customer
        self.customer.setText(self.tr("%1: %2 points, store credit %3").replace(
            "%1", c.name).replace("%2", str(c.loyalty_points)).replace(
            "%3", f.money(c.store_credit)) if c else "")
        self.credit.setEnabled(bool(c and c.store_credit > 0))
        self.points.setEnabled(bool(c and c.loyalty_points > 0))
        for b in self._quick_buttons:
            b.deleteLater()
        self._quick_buttons.clear()
        if view.cash_due > 0:
            exact = button(self.tr("Exact %1").replace("%1", f.money(view.cash_due)), "primary",
                           clicked=self.session.pay_exact_cash, name="exact_cash")
            self.quick.addWidget(exact)
            self._quick_buttons.append(exact)
            for amount in quick_cash(view.cash_due, f.currency):
                b = button(f.money(amount), clicked=lambda a=amount: self.session.pay_cash(a),
                           name=f"quick_{amount}")
                self.quick.addWidget(b)
                self._quick_buttons.append(b)
        self.amount.clear()

    def _amount(self) -> int | None:
        if not self.amount.text().strip():
            return None
        try:
            return self.amount.minor()
        except ValidationError as exc:
            self.session.error.emit(refusal_text(exc))
            raise

    def _cash(self) -> None:
        try:
            amount = self._amount()
        except ValidationError:
            return
        if amount is None:
            self.session.pay_exact_cash()
        else:
            self.session.pay_cash(amount)

    def _card(self) -> None:
        try:
            amount = self._amount()
        except ValidationError:
            return
        self.card_requested.emit(amount)

    def _credit(self) -> None:
        try:
            self.session.pay_store_credit(self._amount())
        except ValidationError:
            return

    def _points(self) -> None:
        from .dialogs import NumberDialog

        c = self.session.view.customer
        if c is None:
            return
        dlg = NumberDialog(self, self.tr("Redeem points"),
                           self.tr("%1 has %2 points").replace("%1", c.name).replace(
                               "%2", str(c.loyalty_points)), str(c.loyalty_points), False)
        dlg.setObjectName("points_dialog")

        def redeem() -> None:
            try:
                points = int(dlg.value)
            except ValueError:
                self.session.error.emit(self.tr("Enter a whole number of points."))
                return
            self.session.redeem_points(points)

        dlg.accepted.connect(redeem)
        dlg.finished.connect(lambda _c: dlg.deleteLater())
        dlg.open()

    def _back(self) -> None:
        if not self.session.view.payments:
            self.session.back_to_sale()
            self.back.emit()
        else:
            self.session.back_to_sale()  # explains why not


class DoneScreen(QWidget):
    """Change due in large digits, and what to do about the receipt."""

    next_sale = Signal()

    def __init__(self, session: TillSession, fmt: Fmt) -> None:
        super().__init__()
        self.session, self.fmt = session, fmt
        self.setObjectName("done_screen")
        self.done: SaleDone | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(40, 30, 40, 30)
        self.caption = label("", "subtitle")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setObjectName("change_caption")
        root.addStretch(1)
        root.addWidget(self.caption)
        self.change = label("", "change")
        self.change.setObjectName("change")
        self.change.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.change)
        self.receipt = label("", "muted")
        self.receipt.setObjectName("receipt_no")
        self.receipt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.receipt)
        self.note = label("", "muted")
        self.note.setObjectName("receipt_note")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        root.addWidget(self.note)
        root.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.print_btn = button(self.tr("Print receipt"), icon_name="printer",
                                clicked=self._print, name="print_receipt")
        self.none_btn = button(self.tr("No receipt"), clicked=self._no_receipt,
                               name="no_receipt")
        self.reprint_btn = button(self.tr("Reprint"), icon_name="printer",
                                  clicked=self._reprint, name="reprint")
        self.next_btn = button(self.tr("Next sale"), "primary", icon_name="cart",
                               clicked=self.next_sale.emit, name="next_sale")
        for b in (self.print_btn, self.none_btn, self.reprint_btn, self.next_btn):
            b.setMinimumWidth(180)
            b.setMinimumHeight(64)
            row.addWidget(b)
        row.addStretch(1)
        root.addLayout(row)

    def show_done(self, done: SaleDone) -> None:
        self.done = done
        f = self.fmt
        if done.refund:
            self.caption.setText(self.tr("Give back to the customer"))
            self.change.setText(f.money(done.refund))
        elif done.change:
            self.caption.setText(self.tr("Change"))
            self.change.setText(f.money(done.change))
        else:
            self.caption.setText(self.tr("Paid in full"))
            self.change.setText(f.money(0))
        self.receipt.setText(self.tr("Receipt %1").replace("%1", done.sale.receipt_no))
        printed_already = done.print_choice == "always"
        self.note.setText(self.tr("The receipt is printing.") if printed_already else "")
        self.print_btn.setVisible(not printed_already)
        self.none_btn.setVisible(not printed_already)
        self.reprint_btn.setVisible(printed_already)
        self.next_btn.setFocus()

    def _print(self) -> None:
        if self.done is not None:
            self.session.print_receipt(self.done.sale)
            self.note.setText(self.tr("The receipt is printing."))
        self.next_sale.emit()

    def _no_receipt(self) -> None:
        self.next_sale.emit()

    def _reprint(self) -> None:
        if self.done is not None:
            self.session.reprint(self.done.sale.receipt_no)
