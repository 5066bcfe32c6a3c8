"""Qt item models over the snapshots and rows that services return.

``RowsModel`` is the one table model of the back office: a list of plain rows and
a list of ``Column``s saying how to show each. ``CartModel`` is the till's cart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from .cart_view import CartView, LineView
from .i18n import Fmt
from .theme import colour

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    align: Qt.AlignmentFlag = LEFT
    sort_key: Callable[[R], Any] | None = None


class RowsModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[R] = []
        # a row's background as a palette key ("warn_bg": needs attention), or None
        self.tone: Callable[[R], str | None] | None = None

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> R:
        return self.rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.text(self.rows[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align)
        if role == Qt.ItemDataRole.UserRole:
            return self.rows[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole and self.tone is not None:
            key = self.tone(self.rows[index.row()])
            return QColor(colour(key)) if key else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self.columns[section].align)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        col = self.columns[column]
        key = col.sort_key or col.text
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class CartModel(QAbstractTableModel):
    """The cart as four columns: item (with a detail line), quantity, price, total."""

    ITEM, QTY, PRICE, TOTAL = range(4)

    def __init__(self, fmt: Fmt, parent: Any = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.view: CartView | None = None
        self.titles = [self.tr("Item"), self.tr("Qty"), self.tr("Price"), self.tr("Total")]

    def set_view(self, view: CartView) -> None:
        old = self.view.lines if self.view else ()
        new = view.lines
        if len(new) == len(old) + 1 and tuple(ln.key for ln in old) == tuple(
                ln.key for ln in new[:-1]) and all(a == b for a, b in zip(old, new, strict=False)):
            # one line added (the common scan): insert a row rather than reset the view
            self.beginInsertRows(QModelIndex(), len(old), len(old))
            self.view = view
            self.endInsertRows()
            return
        if [ln.key for ln in old] == [ln.key for ln in new]:
            self.view = view
            if new:
                self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, 3))
            return
        self.beginResetModel()
        self.view = view
        self.endResetModel()

    def line(self, row: int) -> LineView | None:
        if self.view is None or not 0 <= row < len(self.view.lines):
            return None
        return self.view.lines[row]

    def row_of(self, key: str | None) -> int:
        if self.view is None or key is None:
            return -1
        return next((i for i, ln in enumerate(self.view.lines) if ln.key == key), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.view is None else len(self.view.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def detail(self, ln: LineView) -> str:
        parts = [ln.sku]
        if ln.sold_by_weight:
            parts.append(self.tr("%1 kg × %2").replace("%1", self.fmt.qty(ln.qty)).replace(
                "%2", self.fmt.money(ln.unit_price)))
        if ln.price_overridden and ln.list_price == 0:
            parts.append(self.tr("price from the label"))
        elif ln.price_overridden and ln.unit_price != ln.list_price:
            parts.append(self.tr("price changed from %1").replace(
                "%1", self.fmt.money(ln.list_price)))
        if ln.discount:
            parts.append(self.tr("discount %1").replace("%1", self.fmt.money(ln.discount)))
        if ln.promo_codes:
            parts.append(", ".join(ln.promo_codes))
        if ln.is_return:
            parts.append(self.tr("return"))
        return " · ".join(parts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        ln = self.line(index.row()) if index.isValid() else None
        if ln is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.ITEM:
                return ln.name
            if col == self.QTY:
                return self.fmt.qty(ln.qty)
            if col == self.PRICE:
                return self.fmt.amount(ln.unit_price)
            return self.fmt.amount(ln.total)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.ITEM:
            return self.detail(ln)
        if role == Qt.ItemDataRole.UserRole:
            return ln
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(LEFT if col == self.ITEM else RIGHT)
        if role == Qt.ItemDataRole.ForegroundRole and ln.is_return:
            return QColor(colour("danger"))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.titles[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(LEFT if section == self.ITEM else RIGHT)
        return None


class CartItemDelegate(QStyledItemDelegate):
    """The item column: the name in bold and the detail line (SKU, discount) below it."""

    def __init__(self, model: CartModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        ln = self.model.line(index.row())
        if ln is None:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(10, 6, -6, -6)  # type: ignore[attr-defined]
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        painter.save()
        name_font = QFont(opt.font)  # type: ignore[attr-defined]
        name_font.setBold(True)
        if name_font.pixelSize() > 0:  # the style sheet sets sizes in pixels
            name_font.setPixelSize(round(name_font.pixelSize() * 1.1))
        else:
            name_font.setPointSizeF(max(name_font.pointSizeF(), 9.0) * 1.1)
        painter.setFont(name_font)
        fg = colour("selection_text") if selected else (
            colour("danger") if ln.is_return else colour("text"))
        painter.setPen(QColor(fg))
        top = rect.adjusted(0, 0, 0, -rect.height() // 2)
        painter.drawText(top, int(LEFT), painter.fontMetrics().elidedText(
            ln.name, Qt.TextElideMode.ElideRight, top.width()))
        detail_font = QFont(opt.font)  # type: ignore[attr-defined]
        painter.setFont(detail_font)
        painter.setPen(QColor(colour("selection_text") if selected else colour("muted")))
        bottom = rect.adjusted(0, rect.height() // 2, 0, 0)
        painter.drawText(bottom, int(LEFT), painter.fontMetrics().elidedText(
            self.model.detail(ln), Qt.TextElideMode.ElideRight, bottom.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(240, 60)
