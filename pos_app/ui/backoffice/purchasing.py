"""Purchasing: suppliers, purchase orders (draft → ordered → partly received →
received, or closed), receiving deliveries into stock, and reorder suggestions that
become a purchase order for the chosen supplier.

Receiving goes through ``PurchasingService.receive``: the goods are booked at the
order's location and cost in one transaction, and the page shows the new stock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ValidationError
from ...domain.inventory import (
    Location,
    POLineInput,
    POStatus,
    PurchaseOrder,
    ReorderRow,
    Supplier,
)
from ...domain.money import parse_minor
from ..i18n import refusal_text
from ..models import RIGHT, Column
from ..widgets import button, label, open_dialog, panel
from .page import FormDialog, Page, PageContext, Paged, Table
from .parts import (
    ItemEntry,
    ItemTable,
    LocationBox,
    Sections,
    accept,
    confirm,
    default_button,
    error_in,
    multi_select,
    newest_first,
    parse_quantity,
    selected,
)


@dataclass(frozen=True)
class EditLine:
    """A line of the order being edited or received."""

    variant_id: str
    sku: str
    name: str
    qty: Decimal
    unit_cost: int
    received: Decimal = Decimal(0)
    on_hand: Decimal | None = None  # at the order's location, after the last receipt

    @property
    def outstanding(self) -> Decimal:
        return max(self.qty - self.received, Decimal(0))

    @property
    def total(self) -> int:
        return int((self.qty * self.unit_cost).to_integral_value())


class PurchasingPage(Page):
    title = QT_TRANSLATE_NOOP("PurchasingPage", "Purchasing")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("purchasing_page")
        self.heading.setText(self.tr("Purchasing"))
        self.buy = ctx.app.purchasing
        self.suppliers: list[Supplier] = []
        self.locations: dict[str, Location] = {}
        self.sections = Sections()
        self.root.addWidget(self.sections, 1)
        self.sections.add("orders", self.tr("Purchase orders"), self._build_orders())
        self.sections.add("reorder", self.tr("Reorder suggestions"), self._build_reorder())
        self.sections.add("suppliers", self.tr("Suppliers"), self._build_suppliers())
        self.sections.changed.connect(lambda _k: self._reload_section())
        self.finish()

    # ------------------------------------------------------------------ building
    def _build_orders(self) -> QWidget:
        self.order_stack = QStackedWidget()
        listing = QWidget()
        v = QVBoxLayout(listing)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("Status"), "muted"))
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("po_status_filter")
        self.status_filter.addItem(self.tr("All orders"), None)
        for s in POStatus:
            self.status_filter.addItem(status_text(self, s), s.value)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.reload_orders())
        row.addWidget(self.status_filter)
        row.addStretch(1)
        row.addWidget(button(self.tr("New order"), "primary", "plus", clicked=self.new_order,
                             name="new_order"))
        v.addLayout(row)
        f = self.fmt
        self.orders: Table[PurchaseOrder] = ItemTable([
            Column(self.tr("Order"), lambda o: o.number),
            Column(self.tr("Supplier"), lambda o: o.supplier),
            Column(self.tr("Status"), lambda o: status_text(self, o.status)),
            Column(self.tr("Created"), lambda o: f.date(o.created_at), RIGHT,
                   lambda o: o.created_at),
            Column(self.tr("Ordered"), lambda o: f.date(o.ordered_at) if o.ordered_at else "",
                   RIGHT, lambda o: o.ordered_at or o.created_at),
            Column(self.tr("Total"), lambda o: f.money(o.total), RIGHT, lambda o: o.total),
        ], "orders_table")
        newest_first(self.orders, 0)
        self.orders.rows_model.tone = lambda o: "warn_bg" if o.status is POStatus.PARTIAL \
            else None
        self.orders.activated_row.connect(lambda o: self.open_order(o.id))
        v.addWidget(self.orders, 1)
        self.orders_paged: Paged[PurchaseOrder] = Paged(self, self.orders, self._fetch_orders,
                                                        "orders_more")
        v.addWidget(self.orders_paged.more)
        self.order_list = listing
        self.order_stack.addWidget(listing)
        self.editor = OrderEditor(self)
        self.order_stack.addWidget(self.editor)
        return self.order_stack

    def _build_suppliers(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("The lead time is how many days an order takes to "
                                    "arrive; reorder suggestions plan for it."), "muted"), 1)
        row.addWidget(button(self.tr("Edit supplier"), icon_name="edit",
                             clicked=self.edit_current_supplier, name="edit_supplier"))
        row.addWidget(button(self.tr("New supplier"), "primary", "plus",
                             clicked=lambda: self.edit_supplier(None), name="new_supplier"))
        v.addLayout(row)
        self.supplier_table: Table[Supplier] = ItemTable([
            Column(self.tr("Code"), lambda s: s.code),
            Column(self.tr("Name"), lambda s: s.name),
            Column(self.tr("E-mail"), lambda s: s.email or ""),
            Column(self.tr("Phone"), lambda s: s.phone or ""),
            Column(self.tr("Lead time"), lambda s: self.tr("%1 days").replace(
                "%1", str(s.lead_time_days)), RIGHT, lambda s: s.lead_time_days),
            Column(self.tr("Active"), lambda s: self.tr("yes") if s.active else self.tr("no")),
        ], "suppliers_table")
        self.supplier_table.activated_row.connect(self.edit_supplier)
        v.addWidget(self.supplier_table, 1)
        return w

    def _build_reorder(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.reorder_location = LocationBox("reorder_location")
        row.addWidget(self.reorder_location)
        self.reorder_supplier = QComboBox()
        self.reorder_supplier.setObjectName("reorder_supplier")
        self.reorder_supplier.setMinimumWidth(240)
        self.reorder_supplier.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(self.reorder_supplier)
        self.reorder_days = QComboBox()
        self.reorder_days.setObjectName("reorder_days")
        for days in (7, 14, 28, 56, 91):
            self.reorder_days.addItem(self.tr("Sales of the last %1 days").replace(
                "%1", str(days)), days)
        self.reorder_days.setCurrentIndex(2)
        row.addWidget(self.reorder_days)
        row.addWidget(button(self.tr("Show"), icon_name="refresh",
                             clicked=self.reload_reorder, name="reorder_refresh"))
        row.addStretch(1)
        v.addLayout(row)
        f = self.fmt
        self.reorder: Table[ReorderRow] = ItemTable([
            Column(self.tr("SKU"), lambda r: r.sku),
            Column(self.tr("Item"), lambda r: r.name),
            Column(self.tr("On hand"), lambda r: f.qty(r.on_hand), RIGHT, lambda r: r.on_hand),
            Column(self.tr("On order"), lambda r: f.qty(r.on_order), RIGHT,
                   lambda r: r.on_order),
            Column(self.tr("Reorder at"), lambda r: f.qty(r.reorder_point), RIGHT,
                   lambda r: r.reorder_point),
            Column(self.tr("Sold"), lambda r: f.qty(r.sold), RIGHT, lambda r: r.sold),
            Column(self.tr("Sales in lead time"), lambda r: f.qty(r.forecast), RIGHT,
                   lambda r: r.forecast),
            Column(self.tr("Order", "quantity to order"), lambda r: f.qty(r.suggested), RIGHT,
                   lambda r: r.suggested),
        ], "reorder_table")
        multi_select(self.reorder)
        v.addWidget(self.reorder, 1)
        bottom = QHBoxLayout()
        self.reorder_note = label("", "muted")
        self.reorder_note.setObjectName("reorder_note")
        self.reorder_note.setWordWrap(True)
        bottom.addWidget(self.reorder_note, 1)
        bottom.addWidget(button(self.tr("Create purchase order from these"), "primary", "truck",
                                clicked=self.order_suggestions, name="order_suggestions"))
        v.addLayout(bottom)
        return w

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        def work(user: Any) -> tuple[list[Location], list[Supplier]]:
            return (self.ctx.app.inventory.locations(user),
                    self.buy.suppliers(user, include_inactive=True))

        self.call(work, done=self._loaded)

    def _loaded(self, result: tuple[list[Location], list[Supplier]]) -> None:
        locations, suppliers = result
        self.locations = {loc.id: loc for loc in locations}
        self.reorder_location.set_locations(locations)
        self._show_suppliers(suppliers)
        self._reload_section()

    def _show_suppliers(self, suppliers: list[Supplier]) -> None:
        self.suppliers = suppliers
        self.supplier_table.set_rows(suppliers)
        keep = self.reorder_supplier.currentData()
        self.reorder_supplier.blockSignals(True)
        self.reorder_supplier.clear()
        self.reorder_supplier.addItem(self.tr("Any supplier (7-day lead time)"), None)
        for s in suppliers:
            if s.active:
                self.reorder_supplier.addItem(self.tr("%1 (%2-day lead time)").replace(
                    "%1", s.name).replace("%2", str(s.lead_time_days)), s.id)
        self.reorder_supplier.setCurrentIndex(max(self.reorder_supplier.findData(keep), 0))
        self.reorder_supplier.blockSignals(False)

    def _reload_section(self) -> None:
        key = self.sections.current
        if key == "orders":
            if self.order_stack.currentWidget() is self.editor and self.editor.po is not None:
                self.open_order(self.editor.po.id)
            elif self.order_stack.currentWidget() is not self.editor:
                self.reload_orders()
        elif key == "reorder":
            self.reload_reorder()
        else:
            self.call(self.buy.suppliers, True, done=self._show_suppliers)

    def reload_orders(self) -> None:
        self.order_stack.setCurrentWidget(self.order_list)
        self._status = self.status_filter.currentData()
        self.orders_paged.reload()

    def _fetch_orders(self, cursor: str | None) -> Any:
        status = POStatus(self._status) if self._status else None
        return self.buy.orders(self.user, status, after=cursor)

    def loc_name(self, location_id: str) -> str:
        loc = self.locations.get(location_id)
        return loc.name if loc else location_id[:8]

    # ------------------------------------------------------------------ suppliers
    def edit_current_supplier(self) -> None:
        s = self.supplier_table.current()
        if s is None:
            self.show_error(self.tr("Choose a supplier in the list first."))
            return
        self.edit_supplier(s)

    def edit_supplier(self, s: Supplier | None) -> None:
        new = s is None
        dlg = FormDialog(self, self.tr("New supplier") if s is None else s.name)
        if new:
            dlg.text("code", self.tr("Code"), placeholder=self.tr("e.g. ACME"))
        dlg.text("name", self.tr("Name"), s.name if s else "")
        dlg.text("email", self.tr("E-mail"), (s.email or "") if s else "")
        dlg.text("phone", self.tr("Phone"), (s.phone or "") if s else "")
        dlg.text("lead", self.tr("Lead time (days)"), str(s.lead_time_days) if s else "7")
        active = QCheckBox(self.tr("Active: new orders may go to this supplier"))
        active.setObjectName("field_active")
        active.setChecked(s.active if s else True)
        if s is not None:
            dlg.form.addRow(active)

        def save() -> None:
            lead = dlg.value("lead")
            if not lead.isdigit():
                dlg.show_error(self.tr("Enter the lead time as a whole number of days."))
                return

            def saved(_s: Supplier) -> None:
                accept(dlg)
                self.show_info(self.tr("Supplier %1 saved.").replace("%1", _s.name))
                self.call(self.buy.suppliers, True, done=self._show_suppliers)

            if s is None:
                self.call(self.buy.add_supplier, dlg.value("code"), dlg.value("name"),
                          email=dlg.value("email") or None, phone=dlg.value("phone") or None,
                          lead_time_days=int(lead), done=saved, failed=error_in(dlg, self))
            else:
                self.call(self.buy.edit_supplier, s.id, name=dlg.value("name"),
                          email=dlg.value("email") or None, phone=dlg.value("phone") or None,
                          lead_time_days=int(lead), active=active.isChecked(), done=saved,
                          failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Save"), save))
        open_dialog(dlg, name="supplier_dialog")

    # ------------------------------------------------------------------ orders
    def new_order(self) -> None:
        active = [s for s in self.suppliers if s.active]
        if not active:
            self.show_error(self.tr("Add a supplier first."))
            self.sections.show_section("suppliers")
            return
        self.editor.start_new(active, list(self.locations.values()))
        self.order_stack.setCurrentWidget(self.editor)

    def open_order(self, po_id: str) -> None:
        self.call(self.buy.order, po_id, done=self.show_order)

    def show_order(self, po: PurchaseOrder, levels: dict[str, Decimal] | None = None) -> None:
        self.sections.show_section("orders")
        self.editor.show_order(po, levels or {})
        self.order_stack.setCurrentWidget(self.editor)

    # ------------------------------------------------------------------ suggestions
    def reload_reorder(self) -> None:
        loc = self.reorder_location.location_id
        supplier = self.reorder_supplier.currentData()
        days = int(self.reorder_days.currentData())
        self.call(self.buy.reorder_suggestions, loc, days=days, supplier=supplier,
                  done=self._show_reorder)

    def _show_reorder(self, rows: list[ReorderRow]) -> None:
        self.reorder.set_rows(rows)
        if rows:
            self.reorder_note.setText(self.tr(
                "%1 items to order: enough for the reorder point and the sales expected "
                "during the lead time, less what is on hand and on order. Select some, or "
                "order them all.").replace("%1", str(len(rows))))
        else:
            self.reorder_note.setText(self.tr("Nothing to order at this location."))

    def order_suggestions(self) -> None:
        supplier = self.reorder_supplier.currentData()
        if supplier is None:
            self.show_error(self.tr("Choose the supplier to order from (above the list)."))
            return
        chosen = selected(self.reorder) or list(self.reorder.rows_model.rows)
        if not chosen:
            self.show_error(self.tr("Nothing to order."))
            return
        loc = self.reorder_location.location_id
        catalog, buy, note = self.ctx.app.catalog, self.buy, self.tr("from reorder suggestions")

        def work(user: Any) -> PurchaseOrder:  # on the pool: only values from here on
            lines = [POLineInput(r.variant_id, r.suggested, catalog.variant(r.sku).cost)
                     for r in chosen]
            return buy.create_order(user, supplier, lines, location=loc, note=note)

        def done(po: PurchaseOrder) -> None:
            self.show_info(self.tr("%1 drafted with %2 lines: check it and place the order.")
                           .replace("%1", po.number).replace("%2", str(len(po.lines))))
            self.show_order(po)

        self.call(work, done=done)


def status_text(_w: QWidget, status: POStatus) -> str:
    names = {POStatus.DRAFT: QT_TRANSLATE_NOOP("PurchasingPage", "Draft"),
             POStatus.ORDERED: QT_TRANSLATE_NOOP("PurchasingPage", "Ordered"),
             POStatus.PARTIAL: QT_TRANSLATE_NOOP("PurchasingPage", "Partly received"),
             POStatus.RECEIVED: QT_TRANSLATE_NOOP("PurchasingPage", "Received"),
             POStatus.CLOSED: QT_TRANSLATE_NOOP("PurchasingPage", "Closed"),
             POStatus.CANCELLED: QT_TRANSLATE_NOOP("PurchasingPage", "Cancelled")}
    return QCoreApplication.translate("PurchasingPage", names[status])


class OrderEditor(QWidget):
    """One purchase order: a draft's supplier and lines, then placing, receiving and
    closing it. A new order exists only here until it is saved (it needs a line)."""

    def __init__(self, page: PurchasingPage) -> None:
        super().__init__()
        self.page, self.fmt = page, page.fmt
        self.setObjectName("order_editor")
        self.po: PurchaseOrder | None = None
        self.lines: list[EditLine] = []
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(button(self.tr("All orders"), icon_name="back",
                             clicked=page.reload_orders, name="back_to_orders"))
        self.title = label("", "subtitle")
        self.title.setObjectName("order_title")
        top.addWidget(self.title, 1)
        self.close_btn = button(self.tr("Close order"), clicked=self.close_order,
                                name="close_order")
        top.addWidget(self.close_btn)
        self.save_btn = button(self.tr("Save draft"), clicked=self.save, name="save_order")
        top.addWidget(self.save_btn)
        self.place_btn = button(self.tr("Place order"), "primary", "truck",
                                clicked=self.place, name="place_order")
        top.addWidget(self.place_btn)
        self.receive_btn = button(self.tr("Receive delivery"), "primary", "box",
                                  clicked=self.receive, name="receive_order")
        top.addWidget(self.receive_btn)
        v.addLayout(top)
        self.head = panel()
        h = QHBoxLayout(self.head)
        h.setContentsMargins(12, 8, 12, 8)
        h.addWidget(label(self.tr("Supplier"), "muted"))
        self.supplier = QComboBox()
        self.supplier.setObjectName("order_supplier")
        self.supplier.setMinimumWidth(220)
        h.addWidget(self.supplier)
        h.addWidget(label(self.tr("Deliver to"), "muted"))
        self.location = LocationBox("order_location")
        h.addWidget(self.location)
        self.note = QLineEdit()
        self.note.setObjectName("order_note")
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        h.addWidget(self.note, 1)
        v.addWidget(self.head)
        self.info = label("", "muted")
        self.info.setObjectName("order_info")
        v.addWidget(self.info)
        self.entry = ItemEntry("po", self.tr("Quantity"), self.tr("Add line"), cost=True)
        self.entry.submitted.connect(self.add_line)
        v.addWidget(self.entry)
        f = self.fmt
        self.table: Table[EditLine] = ItemTable([
            Column(self.tr("SKU"), lambda ln: ln.sku),
            Column(self.tr("Item"), lambda ln: ln.name),
            Column(self.tr("Ordered"), lambda ln: f.qty(ln.qty), RIGHT, lambda ln: ln.qty),
            Column(self.tr("Unit cost"), lambda ln: f.money(ln.unit_cost), RIGHT,
                   lambda ln: ln.unit_cost),
            Column(self.tr("Total"), lambda ln: f.money(ln.total), RIGHT, lambda ln: ln.total),
            Column(self.tr("Received"), lambda ln: f.qty(ln.received), RIGHT,
                   lambda ln: ln.received),
            Column(self.tr("Outstanding"), lambda ln: f.qty(ln.outstanding), RIGHT,
                   lambda ln: ln.outstanding),
            Column(self.tr("On hand now"), lambda ln: "" if ln.on_hand is None
                   else f.qty(ln.on_hand), RIGHT, lambda ln: ln.on_hand or Decimal(0)),
        ], "order_lines")
        self.table.rows_model.tone = self._tone
        v.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.remove_btn = button(self.tr("Remove line"), icon_name="trash",
                                 clicked=self.remove_line, name="remove_po_line")
        bottom.addWidget(self.remove_btn)
        bottom.addStretch(1)
        self.total = label("", "subtitle")
        self.total.setObjectName("order_total")
        bottom.addWidget(self.total)
        v.addLayout(bottom)

    def _tone(self, ln: EditLine) -> str | None:
        if self.po is not None and self.po.status is POStatus.PARTIAL and ln.outstanding:
            return "warn_bg"
        return None

    # ------------------------------------------------------------------ showing
    @property
    def editable(self) -> bool:
        return self.po is None or self.po.status is POStatus.DRAFT

    def start_new(self, suppliers: list[Supplier], locations: list[Location]) -> None:
        self.po = None
        self.lines = []
        self.supplier.clear()
        for s in suppliers:
            self.supplier.addItem(f"{s.name} ({s.code})", s.id)
        self.location.set_locations(locations)
        self.note.clear()
        self._update()
        self.entry.code.setFocus()

    def show_order(self, po: PurchaseOrder, levels: dict[str, Decimal]) -> None:
        self.po = po
        self.lines = [EditLine(ln.variant_id, ln.sku, ln.name, ln.qty, ln.unit_cost,
                               ln.received, levels.get(ln.variant_id)) for ln in po.lines]
        self.supplier.clear()
        self.supplier.addItem(po.supplier, po.supplier_id)
        self.location.set_locations(list(self.page.locations.values()), po.location_id)
        self.note.setText(po.note or "")
        self._update()

    def _update(self) -> None:
        po, edit = self.po, self.editable
        if po is None:
            self.title.setText(self.tr("New purchase order"))
        else:
            self.title.setText(self.tr("%1 · %2 · %3").replace("%1", po.number)
                               .replace("%2", po.supplier)
                               .replace("%3", status_text(self, po.status)))
        self.supplier.setEnabled(po is None)
        self.location.setEnabled(po is None)
        self.note.setEnabled(po is None)
        for w in (self.entry, self.save_btn, self.place_btn, self.remove_btn):
            w.setVisible(edit)
        self.receive_btn.setVisible(po is not None and po.status.receivable)
        self.close_btn.setVisible(po is not None and not po.status.finished)
        self.close_btn.setText(self.tr("Cancel order") if po is not None and po.status in (
            POStatus.DRAFT, POStatus.ORDERED) else self.tr("Close order"))
        if po is None:
            self.info.setText(self.tr("Add the lines, then save the draft or place the order."))
        elif po.status is POStatus.DRAFT:
            self.info.setText(self.tr("Draft: the lines can still change."))
        elif po.status.receivable:
            self.info.setText(self.tr("Ordered %1 for %2. Receive each delivery as it comes.")
                              .replace("%1", self.fmt.date(po.ordered_at or po.created_at))
                              .replace("%2", self.page.loc_name(po.location_id)))
        else:
            self.info.setText(self.tr("Finished: %1.").replace("%1", status_text(self, po.status)))
        self.table.set_rows(self.lines)
        total = sum(ln.total for ln in self.lines)
        self.total.setText(self.tr("Total %1").replace("%1", self.fmt.money(total)))

    # ------------------------------------------------------------------ draft lines
    def add_line(self, code: str, qty_text: str, cost_text: str) -> None:
        try:
            qty = parse_quantity(qty_text)
            cost = parse_minor(cost_text, self.fmt.currency) if cost_text else None
        except ValidationError as exc:
            self.page.show_error(refusal_text(exc))
            return
        page, loc = self.page, self.location.location_id

        def work(user: Any) -> EditLine:
            row = page.ctx.app.inventory.find(user, code, loc)
            unit = cost if cost is not None else page.ctx.app.catalog.variant(row.sku).cost
            return EditLine(row.variant_id, row.sku, row.name, qty, unit, on_hand=row.on_hand)

        def done(line: EditLine) -> None:
            page.message.hide()
            same = next((i for i, ln in enumerate(self.lines)
                         if ln.variant_id == line.variant_id), None)
            if same is None:
                self.lines.append(line)
            else:  # the same item again: one line with both quantities
                old = self.lines[same]
                self.lines[same] = replace(old, qty=old.qty + line.qty,
                                           unit_cost=line.unit_cost)
            self._update()
            self.entry.next_item()

        page.call(work, done=done)

    def remove_line(self) -> None:
        ln = self.table.current()
        if ln is not None:
            self.lines.remove(ln)
            self._update()

    def _inputs(self) -> list[POLineInput]:
        return [POLineInput(ln.variant_id, ln.qty, ln.unit_cost) for ln in self.lines]

    def _save_work(self) -> Any:
        """The service calls that save what is on screen (create or replace the lines)."""
        buy, po, lines = self.page.buy, self.po, self._inputs()
        supplier, loc, note = (self.supplier.currentData(), self.location.location_id,
                               self.note.text())

        def work(user: Any) -> PurchaseOrder:
            if po is None:
                return buy.create_order(user, supplier, lines, location=loc, note=note)
            return buy.set_lines(user, po.id, lines)

        return work

    def save(self) -> None:
        save = self._save_work()
        self.page.call(save, done=lambda po: (
            self.show_order(po, {}), self.page.show_info(
                self.tr("%1 saved as a draft.").replace("%1", po.number))))

    def place(self) -> None:
        save, buy = self._save_work(), self.page.buy

        def work(user: Any) -> PurchaseOrder:
            return buy.place_order(user, save(user).id)

        self.page.call(work, done=lambda po: (
            self.show_order(po, {}), self.page.show_info(
                self.tr("%1 placed with %2.").replace("%1", po.number)
                .replace("%2", po.supplier))))

    # ------------------------------------------------------------------ receiving
    def receive(self) -> None:
        po = self.po
        if po is None:
            return
        dlg = FormDialog(self, self.tr("Receive %1").replace("%1", po.number), 640)
        dlg.note(self.tr("Enter what arrived of each line; leave 0 for what did not come. "
                         "The rest stays outstanding."))
        edits: dict[str, QLineEdit] = {}
        for ln in self.lines:
            if not ln.outstanding:
                continue
            edit = dlg.text(f"receive_{ln.sku}", self.tr("%1 · %2 (%3 outstanding)")
                            .replace("%1", ln.sku).replace("%2", ln.name)
                            .replace("%3", self.fmt.qty(ln.outstanding)),
                            format(ln.outstanding.normalize(), "f"))
            edits[ln.variant_id] = edit
        buy, inv = self.page.buy, self.page.ctx.app.inventory

        def book() -> None:
            try:
                got = [(vid, parse_quantity(e.text() or "0")) for vid, e in edits.items()]
            except ValidationError as exc:
                dlg.show_error(refusal_text(exc))
                return
            got = [(vid, q) for vid, q in got if q != 0]
            if not got:
                dlg.show_error(self.tr("Enter at least one quantity received."))
                return

            def work(user: Any) -> tuple[PurchaseOrder, dict[str, Decimal]]:
                after = buy.receive(user, po.id, got)
                return after, {ln.variant_id: inv.level(user, ln.variant_id,
                                                        after.location_id).on_hand
                               for ln in after.lines}

            def done(result: tuple[PurchaseOrder, dict[str, Decimal]]) -> None:
                after, levels = result
                accept(dlg)
                self.show_order(after, levels)
                units = sum((q for _v, q in got), Decimal(0))
                self.page.show_info(self.tr("Received %1 units into %2. %3 is now %4.")
                                    .replace("%1", self.fmt.qty(units))
                                    .replace("%2", self.page.loc_name(after.location_id))
                                    .replace("%3", after.number)
                                    .replace("%4", status_text(self, after.status).lower()))

            self.page.call(work, done=done, failed=error_in(dlg, self.page))

        default_button(dlg, dlg.ok_button(self.tr("Book into stock"), book))
        open_dialog(dlg, name="receive_dialog")

    def close_order(self) -> None:
        po = self.po
        if po is None:
            return
        outstanding = sum((ln.outstanding for ln in self.lines), Decimal(0))

        def close() -> None:
            self.page.call(self.page.buy.close_order, po.id, done=lambda after: (
                self.show_order(after, {}), self.page.show_info(
                    self.tr("%1 is %2.").replace("%1", after.number)
                    .replace("%2", status_text(self, after.status).lower()))))

        confirm(self, self.tr("No more deliveries for %1?").replace("%1", po.number),
                self.tr("%1 units are still outstanding; they will not be received.")
                .replace("%1", self.fmt.qty(outstanding)),
                self.close_btn.text(), close, "close_order_dialog", "danger")
