"""Pieces the stock, purchasing and people pages share: touch tabs, a location picker,
a scan-or-type item entry row, quantity parsing and a confirmation dialog.

Nothing here calls a service: the pages do, through ``Page.call``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ValidationError
from ...domain.inventory import Location
from ...domain.quantity import parse_qty
from ..models import Column
from ..till.session import user_message
from ..widgets import button, open_dialog
from .page import FormDialog, Table

R = TypeVar("R")


def parse_quantity(text: str) -> Decimal:
    """A typed quantity ("2", "0,5", "-3"); a comma is a decimal point, as on a keypad."""
    cleaned = text.strip().replace(",", ".").replace("+", "")
    if not cleaned:
        raise ValidationError(QCoreApplication.translate("BackOffice", "Enter a quantity."))
    return parse_qty(cleaned)


class Sections(QWidget):
    """Tabs for fingers: a row of checkable buttons (48 px from the style sheet) over a
    stack; ``changed(key)`` when another one is chosen."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.row = QHBoxLayout()
        self.row.setSpacing(6)
        self.row.addStretch(1)
        layout.addLayout(self.row)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._keys: list[str] = []

    def add(self, key: str, title: str, widget: QWidget) -> Any:
        b = button(title, name=f"section_{key}")
        b.setCheckable(True)
        b.setMinimumWidth(150)
        self.group.addButton(b, len(self._keys))
        self.row.insertWidget(len(self._keys), b)
        self._keys.append(key)
        self.stack.addWidget(widget)
        b.clicked.connect(lambda _=False, k=key: self.show_section(k))
        if len(self._keys) == 1:
            b.setChecked(True)
        return b

    def show_section(self, key: str) -> None:
        i = self._keys.index(key)
        self.group.button(i).setChecked(True)
        if self.stack.currentIndex() != i:
            self.stack.setCurrentIndex(i)
            self.changed.emit(key)

    @property
    def current(self) -> str:
        return self._keys[self.stack.currentIndex()]


class LocationBox(QComboBox):
    """The store's stock locations; keeps the chosen one across reloads."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setMinimumWidth(220)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def set_locations(self, locations: Sequence[Location], prefer: str | None = None) -> None:
        keep = prefer or self.currentData()
        self.blockSignals(True)
        self.clear()
        for loc in locations:
            self.addItem(f"{loc.name} ({loc.code})", loc.id)
        i = self.findData(keep) if keep else -1
        if i < 0:
            i = next((n for n, loc in enumerate(locations) if loc.is_till), 0)
        self.setCurrentIndex(i)
        self.blockSignals(False)

    @property
    def location_id(self) -> str | None:
        data = self.currentData()
        return str(data) if data else None


class EntryEdit(QLineEdit):
    """A field whose Enter means "next field" only: it never reaches the dialog, whose
    default button would otherwise take it as OK."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()


class ItemEntry(QWidget):
    """Scan or type a SKU or barcode, then a quantity (and a unit cost): Enter moves to
    the next field, the last Enter (or the button) submits ``(code, qty, cost)``."""

    submitted = Signal(str, str, str)

    def __init__(self, prefix: str, qty_caption: str, action: str, cost: bool = False,
                 add_box: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.code = EntryEdit()
        self.code.setObjectName(f"{prefix}_code")
        self.code.setPlaceholderText(self.tr("Scan or type SKU / barcode"))
        self.code.setProperty("role", "search")
        row.addWidget(self.code, 3)
        self.qty = EntryEdit()
        self.qty.setObjectName(f"{prefix}_qty")
        self.qty.setPlaceholderText(qty_caption)
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.qty.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.qty.setMaximumWidth(150)
        row.addWidget(self.qty, 1)
        self.cost: QLineEdit | None = None
        if cost:
            self.cost = EntryEdit()
            self.cost.setObjectName(f"{prefix}_cost")
            self.cost.setPlaceholderText(self.tr("Unit cost"))
            self.cost.setToolTip(self.tr("Empty: the item's current cost"))
            self.cost.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.cost.setMaximumWidth(150)
            row.addWidget(self.cost, 1)
        self.add_box: QCheckBox | None = None
        if add_box:
            self.add_box = QCheckBox(add_box)
            self.add_box.setObjectName(f"{prefix}_add_to")
            row.addWidget(self.add_box)
        self.button = button(action, "primary", "plus", clicked=self.submit, name=f"{prefix}_add")
        self.button.setAutoDefault(False)
        row.addWidget(self.button)
        self.code.returnPressed.connect(self.qty.setFocus)
        if self.cost is not None:
            self.qty.returnPressed.connect(self.cost.setFocus)
            self.cost.returnPressed.connect(self.submit)
        else:
            self.qty.returnPressed.connect(self.submit)

    def scanned(self, code: str) -> None:
        """A scanner read while this entry shows: the code, then the quantity to type."""
        self.code.setText(code)
        self.qty.setFocus()
        self.qty.selectAll()

    def submit(self) -> None:
        code = self.code.text().strip()
        if not code:
            self.code.setFocus()
            return
        self.submitted.emit(code, self.qty.text().strip() or "1",
                            self.cost.text().strip() if self.cost is not None else "")

    def next_item(self) -> None:
        """After a line was taken: empty fields, ready for the next scan."""
        self.code.clear()
        self.qty.clear()
        if self.cost is not None:
            self.cost.clear()
        self.code.setFocus()


def multi_select(table: Table[Any]) -> None:
    """Let a table select several rows (shift/ctrl, or drag on a touch screen)."""
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)


def selected(table: Table[Any]) -> list[Any]:
    rows = sorted(i.row() for i in table.selectionModel().selectedRows())
    return [table.rows_model.row(r) for r in rows]


class ItemTable(Table[R]):
    """A Table whose ``stretch`` column (the item's name) takes the spare width, not the
    last number column."""

    def __init__(self, columns: Sequence[Column[R]], name: str, stretch: int = 1) -> None:
        super().__init__(columns, name)
        self.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().setStretchLastSection(False)

    def set_rows(self, rows: Sequence[R], append: bool = False) -> None:
        super().set_rows(rows, append)
        self.horizontalHeader().setStretchLastSection(False)


def newest_first(table: Table[Any], column: int) -> Table[Any]:
    """Say in the header what the service already did: newest first by ``column``."""
    table.horizontalHeader().setSortIndicator(column, Qt.SortOrder.DescendingOrder)
    return table


def keep_selection(table: Table[Any], key: Callable[[Any], Any]) -> None:
    """Rows stay selected across a reload (after an adjustment, a search, a new page)."""
    kept: list[Any] = []

    def remember() -> None:
        kept[:] = [key(r) for r in selected(table)]

    def restore() -> None:
        want = set(kept)
        model, sel = table.rows_model, table.selectionModel()
        for i, r in enumerate(model.rows):
            if key(r) in want:
                sel.select(model.index(i, 0), QItemSelectionModel.SelectionFlag.Select
                           | QItemSelectionModel.SelectionFlag.Rows)
        remember()

    table.selectionModel().selectionChanged.connect(lambda *_a: remember())
    table.rows_model.modelReset.connect(restore)


def default_button(dlg: QWidget, ok: QPushButton) -> QPushButton:
    """Enter in a field of the dialog means ``ok`` (never Cancel, never another button)."""
    for b in dlg.findChildren(QPushButton):
        b.setAutoDefault(False)
        b.setDefault(False)
    ok.setDefault(True)
    return ok


def alive(widget: QWidget) -> bool:
    """False once Qt deleted it (a dialog closed before the worker answered)."""
    import shiboken6

    return bool(shiboken6.isValid(widget))


def accept(dlg: FormDialog) -> None:
    if alive(dlg):
        dlg.accept()


def error_in(dlg: FormDialog, fallback: Any) -> Callable[[BaseException], None]:
    """A refusal shown in the dialog, or on the page if the dialog is gone."""
    def show(exc: BaseException) -> None:
        if alive(dlg) and dlg.isVisible():
            dlg.show_error(user_message(exc))
        else:
            fallback.show_error(exc)

    return show


def confirm(parent: QWidget, title: str, text: str, ok_text: str,
            on_ok: Callable[[], None], name: str, role: str = "primary") -> FormDialog:
    """A question with Cancel and one answer; ``on_ok`` after the answer."""
    dlg = FormDialog(parent, title, 520)
    dlg.note(text)
    dlg.add_cancel()
    default_button(dlg, dlg.add_button(ok_text, role, dlg.accept, name="ok"))
    open_dialog(dlg, lambda _d: on_ok(), name)
    return dlg
