"""The till's dialogs: manager override, quantity/discount/price entry, weight, customer,
parked sales, returns, price check, shift and cash movements, reports, card progress.

Dialogs only collect input and show results; the work is done by ``TillSession``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.denominations import denominations
from ...domain.errors import ValidationError
from ...domain.money import parse_minor
from ...domain.pricing import Discount
from ...domain.quantity import parse_qty
from ..i18n import Fmt, refusal_text
from ..widgets import Keypad, MoneyEdit, button, label
from .session import OverrideRequest, PriceInfo, ReturnInfo, TillSession


class TouchDialog(QDialog):
    """A modal dialog with a title, a body and a row of buttons at the bottom."""

    def __init__(self, parent: QWidget | None, title: str, width: int = 560) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.setMinimumWidth(width)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 18)
        outer.setSpacing(12)
        outer.addWidget(label(title, "title"))
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        outer.addLayout(self.body, 1)
        self.error = label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        outer.addLayout(self.buttons)

    def add_button(self, text: str, role: str = "", clicked: Callable[[], None] | None = None,
                   name: str | None = None) -> Any:
        b = button(text, role, clicked=clicked, name=name)
        b.setMinimumWidth(120)
        self.buttons.addWidget(b)
        return b

    def add_cancel(self) -> Any:
        return self.add_button(self.tr("Cancel"), clicked=self.reject, name="cancel")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class OverrideDialog(TouchDialog):
    """A manager approves one refused action with their user name and PIN."""

    def __init__(self, parent: QWidget | None, session: TillSession,
                 request: OverrideRequest) -> None:
        super().__init__(parent, self.tr("Manager approval needed"))
        self.session, self.request = session, request
        why = label(request.message)
        why.setWordWrap(True)
        self.body.addWidget(why)
        self.user = QLineEdit()
        self.user.setObjectName("override_user")
        self.user.setPlaceholderText(self.tr("Manager's user name"))
        self.pin = QLineEdit()
        self.pin.setObjectName("override_pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.body.addWidget(self.user)
        self.body.addWidget(self.pin)
        pad = Keypad(decimal=False, double_zero=False)
        pad.attach(self.pin)
        self.body.addWidget(pad)
        self.add_cancel()
        self.ok = self.add_button(self.tr("Approve"), "primary", self._approve, name="approve")
        self.pin.returnPressed.connect(self._approve)

    def _approve(self) -> None:
        if not self.user.text().strip() or not self.pin.text():
            self.show_error(self.tr("Enter the manager's user name and PIN."))
            return
        self.session.grant(self.request, self.user.text().strip(), self.pin.text())
        self.accept()


class NumberDialog(TouchDialog):
    """One number from the keypad: a quantity, a weight, an amount or a percent."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, start: str = "",
                 decimal: bool = True) -> None:
        super().__init__(parent, title, 420)
        self.body.addWidget(label(prompt, "muted"))
        self.edit = QLineEdit(start)
        self.edit.setObjectName("number")
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.edit.selectAll()
        self.body.addWidget(self.edit)
        pad = Keypad(decimal=decimal)
        pad.attach(self.edit)
        self.body.addWidget(pad)
        self.add_cancel()
        self.add_button(self.tr("OK"), "primary", self._ok, name="ok")
        self.edit.returnPressed.connect(self._ok)
        self.value: str = ""

    def _ok(self) -> None:
        self.value = self.edit.text().strip().replace(",", ".")
        if not self.value:
            self.show_error(self.tr("Enter a number."))
            return
        self.accept()


class DiscountDialog(TouchDialog):
    """A percent or an amount off a line or the whole sale."""

    def __init__(self, parent: QWidget | None, title: str, currency: str) -> None:
        super().__init__(parent, title, 460)
        self.currency = currency
        row = QHBoxLayout()
        self.percent = button(self.tr("Percent %"), name="mode_percent")
        self.amount = button(self.tr("Amount"), name="mode_amount")
        for b in (self.percent, self.amount):
            b.setCheckable(True)
            row.addWidget(b)
        self.percent.setChecked(True)
        self.percent.clicked.connect(lambda: self.amount.setChecked(False))
        self.amount.clicked.connect(lambda: self.percent.setChecked(False))
        self.body.addLayout(row)
        quick = QHBoxLayout()
        for pct in ("5", "10", "15", "20", "50"):
            b = button(f"{pct}%", name=f"quick_{pct}")
            b.clicked.connect(lambda _=False, p=pct: self._quick(p))
            quick.addWidget(b)
        self.body.addLayout(quick)
        self.edit = QLineEdit()
        self.edit.setObjectName("discount_value")
        self.edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.body.addWidget(self.edit)
        pad = Keypad()
        pad.attach(self.edit)
        self.body.addWidget(pad)
        self.add_button(self.tr("Remove discount"), clicked=self._remove, name="remove")
        self.add_cancel()
        self.add_button(self.tr("Apply"), "primary", self._ok, name="apply")
        self.edit.returnPressed.connect(self._ok)
        self.discount: Discount | None = None

    def _quick(self, pct: str) -> None:
        self.percent.setChecked(True)
        self.amount.setChecked(False)
        self.edit.setText(pct)
        self._ok()

    def _remove(self) -> None:
        self.discount = None
        self.accept()

    def _ok(self) -> None:
        text = self.edit.text().strip().replace(",", ".")
        try:
            if self.percent.isChecked():
                self.discount = Discount(percent=Decimal(text))
            else:
                self.discount = Discount(amount=parse_minor(text, self.currency))
        except (ValidationError, InvalidOperation, ValueError) as exc:
            self.show_error(refusal_text(exc) if isinstance(exc, ValidationError)
                            else self.tr("Enter a number."))
            return
        self.accept()


class PriceDialog(TouchDialog):
    def __init__(self, parent: QWidget | None, fmt: Fmt, name: str, current: int) -> None:
        super().__init__(parent, self.tr("Change price"), 420)
        self.body.addWidget(label(name, "subtitle"))
        self.body.addWidget(label(self.tr("Now %1").replace("%1", fmt.money(current)), "muted"))
        self.edit = MoneyEdit(fmt.currency)
        self.edit.setObjectName("price_value")
        self.edit.set_minor(current)
        self.edit.selectAll()
        self.body.addWidget(self.edit)
        pad = Keypad()
        pad.attach(self.edit)
        self.body.addWidget(pad)
        self.add_cancel()
        self.add_button(self.tr("Set price"), "primary", self._ok, name="ok")
        self.edit.returnPressed.connect(self._ok)
        self.price = current

    def _ok(self) -> None:
        try:
            self.price = self.edit.minor()
        except ValidationError as exc:
            self.show_error(refusal_text(exc))
            return
        self.accept()


class CustomerDialog(TouchDialog):
    """Find a customer by code, name, e-mail or phone and attach them to the sale."""

    def __init__(self, parent: QWidget | None, session: TillSession, fmt: Fmt) -> None:
        super().__init__(parent, self.tr("Customer"), 620)
        self.session, self.fmt = session, fmt
        self.search = QLineEdit()
        self.search.setObjectName("customer_search")
        self.search.setPlaceholderText(self.tr("Code, name, e-mail or phone"))
        self.body.addWidget(self.search)
        self.list = QListWidget()
        self.list.setObjectName("customer_list")
        self.list.setMinimumHeight(260)
        self.body.addWidget(self.list)
        self.add_button(self.tr("No customer"), clicked=self._detach, name="detach")
        self.add_cancel()
        self.add_button(self.tr("Attach"), "primary", self._attach, name="attach")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._find)
        self.search.textChanged.connect(lambda _: self._timer.start())
        self.search.returnPressed.connect(self._attach)
        self.list.itemDoubleClicked.connect(lambda _: self._attach())
        self._find()

    def _find(self) -> None:
        self.session.customers(self.search.text().strip(), self._show)

    def _show(self, customers: list[Any]) -> None:
        self.list.clear()
        for c in customers:
            item = QListWidgetItem(self.tr("%1 · %2 · %3 points · credit %4")
                                   .replace("%1", c.name).replace("%2", c.code)
                                   .replace("%3", str(c.loyalty_points))
                                   .replace("%4", self.fmt.money(c.store_credit)))
            item.setData(Qt.ItemDataRole.UserRole, c.code)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _attach(self) -> None:
        item = self.list.currentItem()
        code = item.data(Qt.ItemDataRole.UserRole) if item else self.search.text().strip()
        if not code:
            self.show_error(self.tr("Choose a customer."))
            return
        self.session.attach_customer(str(code))
        self.accept()

    def _detach(self) -> None:
        self.session.detach_customer()
        self.accept()


class ParkedDialog(TouchDialog):
    def __init__(self, parent: QWidget | None, session: TillSession, fmt: Fmt) -> None:
        super().__init__(parent, self.tr("Parked sales"), 560)
        self.session, self.fmt = session, fmt
        self.list = QListWidget()
        self.list.setObjectName("parked_list")
        self.list.setMinimumHeight(260)
        self.body.addWidget(self.list)
        self.add_cancel()
        self.add_button(self.tr("Resume"), "primary", self._resume, name="resume")
        self.list.itemDoubleClicked.connect(lambda _: self._resume())
        session.parked(self._show)

    def _show(self, parked: list[tuple[str, str, Any]]) -> None:
        self.list.clear()
        for park_id, label_text, when in parked:
            item = QListWidgetItem(f"{self.fmt.datetime(when)} · {label_text}")
            item.setData(Qt.ItemDataRole.UserRole, park_id)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.show_error(self.tr("No parked sales on this till."))

    def _resume(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.session.resume(str(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()


class ReturnDialog(TouchDialog):
    """The lines of a scanned receipt with how many of each to take back."""

    def __init__(self, parent: QWidget | None, session: TillSession, fmt: Fmt,
                 info: ReturnInfo) -> None:
        sale = info.sale
        super().__init__(parent, self.tr("Return from receipt %1").replace("%1", sale.receipt_no),
                         760)
        self.session, self.fmt, self.info = session, fmt, info
        self.body.addWidget(label(self.tr("Sold %1 · total %2").replace(
            "%1", fmt.datetime(sale.completed_at)).replace("%2", fmt.money(sale.total)), "muted"))
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("return_lines")
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Sold"),
                                              self.tr("Returnable"), self.tr("Return")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(52)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.spins: dict[int, QSpinBox | QLineEdit] = {}
        for ln in sale.lines:
            if ln.qty <= 0:
                continue
            left = info.returnable.get(ln.id, Decimal(0))
            r = self.table.rowCount()
            self.table.insertRow(r)
            self.table.setItem(r, 0, QTableWidgetItem(f"{ln.line_no}. {ln.name}"))
            self.table.setItem(r, 1, QTableWidgetItem(fmt.qty(ln.qty)))
            self.table.setItem(r, 2, QTableWidgetItem(fmt.qty(left)))
            if ln.qty != ln.qty.to_integral_value():
                edit = QLineEdit(str(left.normalize()) if left > 0 else "0")
                edit.setObjectName(f"return_qty_{ln.line_no}")
                self.spins[ln.line_no] = edit
                self.table.setCellWidget(r, 3, edit)
            else:
                spin = QSpinBox()
                spin.setObjectName(f"return_qty_{ln.line_no}")
                spin.setRange(0, int(left))
                spin.setValue(int(left))
                spin.setMinimumHeight(44)
                self.spins[ln.line_no] = spin
                self.table.setCellWidget(r, 3, spin)
        self.table.setMinimumHeight(240)
        self.body.addWidget(self.table)
        self.restock = QCheckBox(self.tr("Put the items back into stock"))
        self.restock.setChecked(True)
        self.body.addWidget(self.restock)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("Refund to"), "muted"))
        self.to = QComboBox()
        self.to.setObjectName("refund_to")
        self.to.addItem(self.tr("How it was paid"), "original")
        if sale.customer_id:
            self.to.addItem(self.tr("Store credit"), "store_credit")
        row.addWidget(self.to, 1)
        self.body.addLayout(row)
        self.add_cancel()
        self.add_button(self.tr("Refund"), "primary", self._refund, name="refund")

    def chosen(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for line_no, w in self.spins.items():
            try:
                qty = Decimal(w.value()) if isinstance(w, QSpinBox) else parse_qty(
                    w.text().strip() or "0")
            except (ValidationError, InvalidOperation):
                continue
            if qty > 0:
                out[line_no] = qty
        return out

    def _refund(self) -> None:
        lines = self.chosen()
        if not lines:
            self.show_error(self.tr("Choose at least one item to return."))
            return
        self.session.refund(self.info.sale, lines, str(self.to.currentData()),
                            self.restock.isChecked())
        self.accept()


class PriceCheckDialog(TouchDialog):
    def __init__(self, parent: QWidget | None, session: TillSession, fmt: Fmt) -> None:
        super().__init__(parent, self.tr("Price check"), 520)
        self.session, self.fmt = session, fmt
        self.code = QLineEdit()
        self.code.setObjectName("price_check_code")
        self.code.setPlaceholderText(self.tr("Scan or type a barcode or SKU"))
        self.body.addWidget(self.code)
        self.name = label("", "subtitle")
        self.name.setObjectName("price_check_name")
        self.price = label("", "big")
        self.price.setObjectName("price_check_price")
        self.stock = label("", "muted")
        self.stock.setObjectName("price_check_stock")
        for w in (self.name, self.price, self.stock):
            self.body.addWidget(w)
        self.add_button(self.tr("Close"), "primary", self.accept, name="close")
        self.code.returnPressed.connect(self.check)

    def check(self, code: str | None = None) -> None:
        if code:
            self.code.setText(code)
        text = self.code.text().strip()
        if text:
            self.session.price_check(text, self._show)

    def _show(self, info: PriceInfo) -> None:
        self.name.setText(info.variant.name)
        self.price.setText(self.fmt.money(info.variant.price))
        self.stock.setText(self.tr("%1 in stock").replace("%1", self.fmt.qty(info.on_hand))
                           if info.on_hand is not None else "")
        self.code.selectAll()


class AmountDialog(TouchDialog):
    """An amount and a reason: opening float, paid-in, paid-out."""

    def __init__(self, parent: QWidget | None, title: str, currency: str,
                 reason: bool = True, start: int | None = None) -> None:
        super().__init__(parent, title, 440)
        self.edit = MoneyEdit(currency)
        self.edit.setObjectName("amount")
        if start is not None:
            self.edit.set_minor(start)
            self.edit.selectAll()  # typing or the keypad replaces it
        self.body.addWidget(self.edit)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(self.tr("What is it for?"))
        if reason:
            self.body.addWidget(self.reason)
        pad = Keypad()
        pad.attach(self.edit)
        self.body.addWidget(pad)
        self.add_cancel()
        self.add_button(self.tr("OK"), "primary", self._ok, name="ok")
        self.needs_reason = reason
        self.amount = 0

    def _ok(self) -> None:
        try:
            self.amount = self.edit.minor()
        except ValidationError as exc:
            self.show_error(refusal_text(exc))
            return
        if self.needs_reason and not self.reason.text().strip():
            self.show_error(self.tr("Say what the money is for."))
            return
        self.accept()


class CashCountDialog(TouchDialog):
    """Close the shift: count the drawer by denomination; other tenders as totals."""

    def __init__(self, parent: QWidget | None, fmt: Fmt, expected: dict[str, int] | None = None,
                 tenders: tuple[str, ...] = ("card",)) -> None:
        super().__init__(parent, self.tr("Count the drawer"), 640)
        self.fmt = fmt
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        self.counts: dict[int, QSpinBox] = {}
        denoms = denominations(fmt.currency)
        half = (len(denoms) + 1) // 2
        for i, value in enumerate(denoms):
            spin = QSpinBox()
            spin.setObjectName(f"count_{value}")
            spin.setRange(0, 100000)
            spin.setMinimumHeight(44)
            spin.valueChanged.connect(self._update)
            self.counts[value] = spin
            r, c = (i, 0) if i < half else (i - half, 2)
            grid.addWidget(label(fmt.money(value)), r, c)
            grid.addWidget(spin, r, c + 1)
        self.body.addLayout(grid)
        self.total = label("", "subtitle")
        self.total.setObjectName("count_total")
        self.body.addWidget(self.total)
        self.others: dict[str, MoneyEdit] = {}
        for tender in tenders:
            row = QHBoxLayout()
            row.addWidget(label(self.tr("Card slips total") if tender == "card" else tender))
            edit = MoneyEdit(fmt.currency)
            edit.setObjectName(f"count_{tender}")
            if expected and tender in expected:
                edit.set_minor(expected[tender])
            self.others[tender] = edit
            row.addWidget(edit, 1)
            self.body.addLayout(row)
        self.add_cancel()
        self.add_button(self.tr("Close shift"), "danger", self._ok, name="close_shift")
        self.counted: dict[str, int] = {}
        self._update()

    def cash(self) -> int:
        return sum(value * spin.value() for value, spin in self.counts.items())

    def _update(self) -> None:
        self.total.setText(self.tr("Cash counted: %1").replace("%1", self.fmt.money(self.cash())))

    def _ok(self) -> None:
        counted = {"cash": self.cash()}
        try:
            for tender, edit in self.others.items():
                if edit.text().strip():
                    counted[tender] = edit.minor()
        except ValidationError as exc:
            self.show_error(refusal_text(exc))
            return
        self.counted = counted
        self.accept()


class ReportDialog(TouchDialog):
    """An X or Z report as the printer would print it, with a print button."""

    print_requested = Signal()

    def __init__(self, parent: QWidget | None, title: str, text: str) -> None:
        super().__init__(parent, title, 620)
        view = QPlainTextEdit(text)
        view.setObjectName("report_text")
        view.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSize(12)
        view.setFont(mono)
        view.setMinimumHeight(420)
        self.body.addWidget(view)
        self.add_button(self.tr("Print"), clicked=self.print_requested.emit, name="print")
        self.add_button(self.tr("Close"), "primary", self.accept, name="close")


class CardDialog(TouchDialog):
    """Live progress of a card payment; Cancel asks the terminal to stop."""

    cancel_requested = Signal()

    STAGES: ClassVar[dict[str, int]] = {"waiting_for_card": 25, "processing": 60, "approved": 100}

    def __init__(self, parent: QWidget | None, amount_text: str) -> None:
        super().__init__(parent, self.tr("Card payment"), 480)
        amount = label(amount_text, "big")
        amount.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(amount)
        self.stage = label(self.tr("Starting the terminal..."), "subtitle")
        self.stage.setObjectName("card_stage")
        self.stage.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.addWidget(self.stage)
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.setValue(5)
        self.bar.setTextVisible(False)
        self.body.addWidget(self.bar)
        self.cancel = self.add_button(self.tr("Cancel payment"), "danger",
                                      self.cancel_requested.emit, name="cancel_card")

    def progress(self, stage: str, message: str) -> None:
        words = {
            "waiting_for_card": self.tr("Ask the customer to insert, tap or swipe the card."),
            "processing": self.tr("Processing... keep the card in the terminal."),
            "approved": self.tr("Approved."),
            "declined": self.tr("Declined."),
            "cancelled": self.tr("Cancelled."),
        }
        self.stage.setText(words.get(stage, message or stage))
        self.bar.setValue(self.STAGES.get(stage, self.bar.value()))

    def reject(self) -> None:  # Esc cancels the payment rather than hiding the dialog
        self.cancel_requested.emit()
