"""The sale screen: cart on the left, finding items on the right, Pay at the bottom.

Everything is reachable by touch and by keyboard: type to search (Enter adds the
code typed, Down moves into the results), + and - change the selected line,
Delete removes it, F4 customer, F8 park, F12 pay.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.catalog import Variant
from ..cart_view import CartView, LineView
from ..i18n import Fmt
from ..models import CartItemDelegate, CartModel
from ..theme import icon, set_role
from ..widgets import Keypad, button, label
from .session import TillSession


class TotalsPanel(QFrame):
    def __init__(self, fmt: Fmt) -> None:
        super().__init__()
        self.fmt = fmt
        set_role(self, "total")
        layout = QGridLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setVerticalSpacing(2)
        self.items = label()
        self.subtotal = label()
        self.discount = label()
        self.taxes = label()
        self.taxes.setStyleSheet("font-size: 13px;")
        self.total_title = label(self.tr("TOTAL"))
        self.total_title.setStyleSheet("font-size: 20px; font-weight: 700;")
        self.total = label("", "total")
        self.total.setObjectName("total")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.subtotal.setObjectName("subtotal")
        self.taxes.setObjectName("tax_lines")
        self.discount.setObjectName("discount_total")
        right = Qt.AlignmentFlag.AlignRight
        layout.addWidget(self.items, 0, 0)
        layout.addWidget(self.subtotal, 0, 1, right)
        layout.addWidget(self.discount, 1, 0, 1, 2, right)
        layout.addWidget(self.taxes, 2, 0, 1, 2, right)
        layout.addWidget(self.total_title, 3, 0)
        layout.addWidget(self.total, 3, 1)

    def set_view(self, view: CartView) -> None:
        f = self.fmt
        self.items.setText(self.tr("%n item(s)", "", int(view.item_count)))
        self.subtotal.setText(self.tr("Subtotal %1").replace("%1", f.money(view.subtotal)))
        self.discount.setText(self.tr("Discounts −%1").replace("%1", f.money(view.discount_total))
                              if view.discount_total else "")
        self.discount.setVisible(bool(view.discount_total))
        word = self.tr("incl. tax") if view.tax_inclusive else self.tr("plus tax")
        on = self.tr("on")  # 19 % on 10.00: 1.60
        self.taxes.setText("\n".join(
            f"{word} {f.percent(t.rate)} {on} {f.money(t.base)}: {f.money(t.tax)}"
            for t in view.taxes))
        self.total.setText(f.money(view.total))


class ItemTiles(QWidget):
    """Big buttons for favourites or a category's items."""

    chosen = Signal(str)  # sku

    def __init__(self, fmt: Fmt, columns: int = 3) -> None:
        super().__init__()
        self.fmt = fmt
        self.columns = columns
        self.grid = QGridLayout(self)
        self.grid.setSpacing(8)
        self.grid.setContentsMargins(6, 6, 6, 6)
        self._tiles: list[QWidget] = []

    def set_items(self, variants: list[Variant]) -> None:
        for t in self._tiles:
            t.deleteLater()
        self._tiles.clear()
        for i, v in enumerate(variants):
            b = button(f"{two_lines(v.name)}\n{self.fmt.money(v.price)}", "tile",
                       name=f"tile_{v.sku}")
            b.setToolTip(f"{v.name} · {v.sku}")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            b.setMinimumHeight(76)
            b.clicked.connect(lambda _=False, sku=v.sku: self.chosen.emit(sku))
            self.grid.addWidget(b, i // self.columns, i % self.columns)
            self._tiles.append(b)
        self.grid.setRowStretch(max(len(variants) // self.columns + 1, 1), 1)


class SaleScreen(QWidget):
    pay_requested = Signal()
    menu_action = Signal(str)

    def __init__(self, session: TillSession, fmt: Fmt) -> None:
        super().__init__()
        self.session, self.fmt = session, fmt
        self.setObjectName("sale_screen")
        root = QHBoxLayout(self)
        root.setContentsMargins(12, 10, 12, 10)
        root.setSpacing(12)

        # ---- left: customer, cart, line actions, totals
        left = QVBoxLayout()
        left.setSpacing(8)
        top = QHBoxLayout()
        self.cashier = label("", "subtitle")
        self.cashier.setObjectName("cashier_name")
        top.addWidget(self.cashier)
        top.addStretch(1)
        self.customer_btn = button(self.tr("Customer"), icon_name="customer",
                                   clicked=lambda: self.menu_action.emit("customer"),
                                   name="customer")
        top.addWidget(self.customer_btn)
        left.addLayout(top)
        self.model = CartModel(fmt, self)
        self.table = QTableView()
        self.table.setObjectName("cart")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(CartModel.ITEM, CartItemDelegate(self.model, self))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(60)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CartModel.ITEM, QHeaderView.ResizeMode.Stretch)
        for col, width in ((CartModel.QTY, 70), (CartModel.PRICE, 100), (CartModel.TOTAL, 110)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(col, width)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left.addWidget(self.table, 1)

        actions = QHBoxLayout()
        actions.setSpacing(6)
        self.minus = button("", icon_name="minus", clicked=lambda: self._step(-1), name="minus")
        self.plus = button("", icon_name="plus", clicked=lambda: self._step(1), name="plus")
        self.minus.setToolTip(self.tr("One less"))
        self.plus.setToolTip(self.tr("One more"))
        self.qty_btn = button(self.tr("Qty"), clicked=lambda: self.menu_action.emit("qty"),
                              name="line_qty")
        self.disc_btn = button(self.tr("Discount"), icon_name="percent",
                               clicked=lambda: self.menu_action.emit("line_discount"),
                               name="line_discount")
        self.price_btn = button(self.tr("Price"), icon_name="tag",
                                clicked=lambda: self.menu_action.emit("line_price"),
                                name="line_price")
        self.remove_btn = button("", icon_name="trash", clicked=self._remove, name="remove_line")
        self.remove_btn.setToolTip(self.tr("Remove the line"))
        for b in (self.minus, self.plus, self.qty_btn, self.disc_btn, self.price_btn,
                  self.remove_btn):
            actions.addWidget(b)
        left.addLayout(actions)
        self.totals = TotalsPanel(fmt)
        left.addWidget(self.totals)
        root.addLayout(left, 11)

        # ---- right: search, tiles/results, keypad, actions, pay
        right = QVBoxLayout()
        right.setSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setProperty("role", "search")
        self.search.setPlaceholderText(self.tr("Scan, or type a name, SKU or barcode"))
        self.search.setClearButtonEnabled(True)
        right.addWidget(self.search)
        self.finder = QStackedWidget()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tile_tabs")
        self.favourites = ItemTiles(fmt)
        self.tabs.addTab(scrolling(self.favourites), icon("star"), self.tr("Favourites"))
        self.category_tiles: dict[str, ItemTiles] = {}
        self.results = QListWidget()
        self.results.setObjectName("results")
        self.results.setUniformItemSizes(True)
        self.results.setSpacing(2)
        self.finder.addWidget(self.tabs)
        self.finder.addWidget(self.results)
        right.addWidget(self.finder, 1)

        lower = QHBoxLayout()
        qty_box = QVBoxLayout()
        self.qty = QLineEdit()
        self.qty.setObjectName("qty_multiplier")
        self.qty.setPlaceholderText(self.tr("Qty ×"))
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.qty.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        qty_box.addWidget(self.qty)
        pad = Keypad()
        pad.attach(self.qty)
        qty_box.addWidget(pad)
        lower.addLayout(qty_box, 3)
        side = QVBoxLayout()
        side.setSpacing(6)
        for key, text, icon_name in (("order_discount", self.tr("Sale discount"), "percent"),
                                     ("park", self.tr("Park"), "park"),
                                     ("resume", self.tr("Resume"), "resume"),
                                     ("return", self.tr("Return"), "return")):
            b = button(text, icon_name=icon_name, name=key)
            b.clicked.connect(lambda _=False, k=key: self.menu_action.emit(k))
            side.addWidget(b)
        self.more = button(self.tr("More"), icon_name="menu", name="more")
        self.more_menu = QMenu(self)
        for key, text in (("price_check", self.tr("Price check")),
                          ("no_sale", self.tr("Open drawer (no sale)")),
                          ("reprint", self.tr("Reprint last receipt")),
                          ("void", self.tr("Void sale")),
                          ("paid_in", self.tr("Paid in")), ("paid_out", self.tr("Paid out")),
                          ("x_report", self.tr("X report")),
                          ("close_shift", self.tr("Close shift (Z report)")),
                          ("back_office", self.tr("Back office")),
                          ("theme", self.tr("Light / dark theme")),
                          ("lock", self.tr("Lock till"))):
            act = self.more_menu.addAction(text)
            act.setObjectName(f"menu_{key}")
            act.triggered.connect(lambda _=False, k=key: self.menu_action.emit(k))
        self.more.setMenu(self.more_menu)
        side.addWidget(self.more)
        lower.addLayout(side, 2)
        right.addLayout(lower)
        self.pay = button(self.tr("Pay"), "pay", icon_name="cash", clicked=self._pay, name="pay")
        right.addWidget(self.pay)
        root.addLayout(right, 9)

        # ---- wiring
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        # a pause in typing before searching: it skips the searches of a burst of keys and
        # leaves time for the search and the paint within the type-ahead target (100 ms
        # from the key press to the results painted; measured by `pos bench --ui`)
        self._search_timer.setInterval(50)
        self._search_timer.timeout.connect(self._run_search)
        self._search_seq = 0
        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._enter)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        self.favourites.chosen.connect(self._add_sku)
        session.cart_changed.connect(self.set_view)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._line_buttons())
        for keys, slot in (("F4", lambda: self.menu_action.emit("customer")),
                           ("F8", lambda: self.menu_action.emit("park")),
                           ("F12", self._pay), ("Ctrl+Return", self._pay),
                           ("Delete", self._remove),
                           ("Ctrl+Up", lambda: self._move(-1)),
                           ("Ctrl+Down", lambda: self._move(1))):
            QShortcut(QKeySequence(keys), self, slot,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.search.installEventFilter(self)
        self._line_buttons()
        self.set_view(session.view)

    # ------------------------------------------------------------------ cart
    def set_view(self, view: CartView) -> None:
        self.model.set_view(view)
        self.totals.set_view(view)
        row = self.model.row_of(view.last_key)
        if row < 0 and view.lines:
            row = len(view.lines) - 1
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(self.model.index(row, 0))
        c = view.customer
        self.customer_btn.setText(self.tr("%1 · %2 points").replace("%1", c.name).replace(
            "%2", str(c.loyalty_points)) if c else self.tr("Customer"))
        self.pay.setEnabled(not view.empty)
        self.pay.setText(self.tr("Pay %1").replace("%1", self.fmt.money(view.total))
                         if not view.empty else self.tr("Pay"))
        self._line_buttons()

    def selected_line(self) -> LineView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.line(rows[0].row()) if rows else None

    def _line_buttons(self) -> None:
        ln = self.selected_line()
        for b in (self.minus, self.plus, self.qty_btn, self.disc_btn, self.price_btn,
                  self.remove_btn):
            b.setEnabled(ln is not None and not ln.is_return)
        if ln is not None and ln.sold_by_weight:
            self.plus.setEnabled(False)
            self.minus.setEnabled(False)

    def _move(self, delta: int) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = (rows[0].row() if rows else -1) + delta
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def _step(self, delta: int) -> None:
        ln = self.selected_line()
        if ln is not None:
            self.session.step_qty(ln.key, delta)

    def _remove(self) -> None:
        ln = self.selected_line()
        if ln is not None:
            self.session.remove_line(ln.key)

    def _pay(self) -> None:
        if self.session.start_payment():
            self.pay_requested.emit()

    # ------------------------------------------------------------------ finding items
    def take_qty(self) -> Decimal | None:
        text = self.qty.text().strip().replace(",", ".")
        self.qty.clear()
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None

    def scan(self, code: str) -> None:
        """A scanner read (wedge or serial): never typed into the search field."""
        self.session.scan(code, self.take_qty())

    def _enter(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        self.search.clear()
        self.session.scan(text, self.take_qty())

    def _add_sku(self, sku: str) -> None:
        self.session.add_sku(sku, self.take_qty())
        self.search.clear()

    def _result_chosen(self, item: QListWidgetItem) -> None:
        self._add_sku(str(item.data(Qt.ItemDataRole.UserRole)))
        self.search.setFocus()

    def _search_changed(self, text: str) -> None:
        if len(text.strip()) >= 2:
            self._search_timer.start()
        else:
            self._search_timer.stop()
            self._search_seq += 1
            self.finder.setCurrentWidget(self.tabs)

    def _run_search(self) -> None:
        self._search_seq += 1
        seq = self._search_seq
        text = self.search.text().strip()
        self.session.search(text, lambda found: self._show_results(seq, found))

    def _show_results(self, seq: int, found: list[Variant]) -> None:
        if seq != self._search_seq:  # the cashier typed on: an older answer
            return
        self.results.clear()
        for v in found:
            item = QListWidgetItem(f"{v.name}    {self.fmt.money(v.price)}\n{v.sku}")
            item.setData(Qt.ItemDataRole.UserRole, v.sku)
            item.setSizeHint(QSize(0, 58))
            self.results.addItem(item)
        if not found:
            self.results.addItem(self.tr("Nothing found for “%1”").replace(
                "%1", self.search.text().strip()))
        self.finder.setCurrentWidget(self.results)
        self.results_painted(seq)

    def results_painted(self, seq: int) -> None:
        """Hook for the benchmark (type-ahead to painted results)."""

    def set_favourites(self, variants: list[Variant]) -> None:
        self.favourites.set_items(variants)

    def set_categories(self, categories: dict[str, list[Variant]]) -> None:
        while self.tabs.count() > 1:
            self.tabs.removeTab(1)
        self.category_tiles.clear()
        for name, variants in categories.items():
            tiles = ItemTiles(self.fmt)
            tiles.set_items(variants)
            tiles.chosen.connect(self._add_sku)
            self.category_tiles[name] = tiles
            self.tabs.addTab(scrolling(tiles), name)

    def eventFilter(self, obj: Any, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down and self.finder.currentWidget() is self.results:
                self.results.setFocus()
                self.results.setCurrentRow(0)
                return True
            if not self.search.text() and key in (Qt.Key.Key_Plus, Qt.Key.Key_Minus):
                self._step(1 if key == Qt.Key.Key_Plus else -1)
                return True
        return False

    def set_cashier(self, name: str) -> None:
        self.cashier.setText(name)

    def focus_search(self) -> None:
        self.search.setFocus()


def scrolling(widget: QWidget) -> QScrollArea:
    """Tiles scroll rather than push the keypad and Pay off a 768-line screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(widget)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area


def two_lines(text: str, width: int = 20) -> str:
    """A tile's name on at most two lines, broken between words, the rest elided."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], (lines[1][: width - 1] + "…")]
    return "\n".join(x if len(x) <= width else x[: width - 1] + "…" for x in lines)


