"""Stock: on hand per location with reorder points, adjustments with a reason, stock
counts (start, count by scan or typing, review, commit or cancel), transfers between
locations, and new locations.

Every change goes through ``InventoryService`` (one transaction with its stock
movements, outbox event and audit entry), so the till sees it at the next scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.errors import ValidationError
from ...domain.inventory import (
    AdjustReason,
    CountSession,
    CountStatus,
    Location,
    StockRow,
    Transfer,
    TransferLine,
)
from ..i18n import refusal_text
from ..models import RIGHT, Column
from ..widgets import button, label, open_dialog
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
    keep_selection,
    multi_select,
    newest_first,
    parse_quantity,
    selected,
)

_REMOVES = {AdjustReason.DAMAGED, AdjustReason.THEFT, AdjustReason.EXPIRED,
            AdjustReason.INTERNAL_USE, AdjustReason.RETURNED_TO_SUPPLIER}


@dataclass(frozen=True)
class SheetRow:
    """One line of a count sheet: counted (None: not yet), expected and difference."""

    variant_id: str
    sku: str
    name: str
    counted: Decimal | None
    expected: Decimal

    @property
    def difference(self) -> Decimal | None:
        return None if self.counted is None else self.counted - self.expected


class StockPage(Page):
    title = QT_TRANSLATE_NOOP("StockPage", "Stock")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("stock_page")
        self.heading.setText(self.tr("Stock"))
        self.inv = ctx.app.inventory
        self.locations: dict[str, Location] = {}
        self.planned: dict[str, list[StockRow]] = {}  # count id -> items chosen to count
        self.header.insertWidget(2, label(self.tr("Location"), "muted"))
        self.location = LocationBox("stock_location")
        self.location.currentIndexChanged.connect(lambda _i: self._location_changed())
        self.header.insertWidget(3, self.location)
        self.add_action(self.tr("Add location"), self.add_location, "add_location",
                        icon_name="plus")
        self.sections = Sections()
        self.root.addWidget(self.sections, 1)
        self.sections.add("on_hand", self.tr("On hand"), self._build_on_hand())
        self.sections.add("counts", self.tr("Stock counts"), self._build_counts())
        self.sections.add("transfers", self.tr("Transfers"), self._build_transfers())
        self.sections.changed.connect(lambda _k: self._reload_section())
        self.finish()

    # ------------------------------------------------------------------ building
    def _build_on_hand(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.search = self.search_box(self.tr("Name, SKU or barcode"),
                                      lambda _t: self.reload_stock(), "stock_search")
        row.addWidget(self.search, 3)
        self.below = QCheckBox(self.tr("Only at or below the reorder point"))
        self.below.setObjectName("below_reorder")
        self.below.toggled.connect(lambda _c: self.reload_stock())
        row.addWidget(self.below)
        row.addWidget(button(self.tr("Adjust stock"), icon_name="edit",
                             clicked=self.adjust_current, name="adjust_stock"))
        row.addWidget(button(self.tr("Count selected"), icon_name="check",
                             clicked=lambda: self.start_count(True), name="count_selected"))
        v.addLayout(row)
        f = self.fmt
        self.table: Table[StockRow] = ItemTable([
            Column(self.tr("SKU"), lambda r: r.sku),
            Column(self.tr("Item"), lambda r: r.name),
            Column(self.tr("On hand"), lambda r: f.qty(r.on_hand), RIGHT, lambda r: r.on_hand),
            Column(self.tr("Reorder at"), lambda r: f.qty(r.reorder_point) if r.reorder_point
                   else "–", RIGHT, lambda r: r.reorder_point),
            Column(self.tr("Status"), lambda r: self.tr("Reorder") if r.below_reorder_point
                   else ("" if r.active else self.tr("not for sale"))),
        ], "stock_table")
        self.table.rows_model.tone = lambda r: "warn_bg" if r.below_reorder_point else None
        multi_select(self.table)
        keep_selection(self.table, lambda r: r.variant_id)
        self.table.activated_row.connect(self.adjust)
        v.addWidget(self.table, 1)
        self.paged: Paged[StockRow] = Paged(self, self.table, self._fetch_stock, "stock_more")
        v.addWidget(self.paged.more)
        return w

    def _build_counts(self) -> QWidget:
        self.count_stack = QStackedWidget()
        listing = QWidget()
        v = QVBoxLayout(listing)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("Open a count to go on counting, or start a new one."),
                            "muted"), 1)
        row.addWidget(button(self.tr("Start count"), "primary", "plus",
                             clicked=lambda: self.start_count(False), name="start_count"))
        v.addLayout(row)
        self.counts: Table[CountSession] = ItemTable([
            Column(self.tr("Count"), lambda s: s.number),
            Column(self.tr("Location"), lambda s: self._loc_name(s.location_id)),
            Column(self.tr("Status"), lambda s: self._count_status(s.status)),
            Column(self.tr("Started"), lambda s: self.fmt.datetime(s.started_at), RIGHT,
                   lambda s: s.started_at),
            Column(self.tr("Finished"), lambda s: self.fmt.datetime(s.finished_at)
                   if s.finished_at else "", RIGHT, lambda s: s.finished_at or s.started_at),
            Column(self.tr("Note"), lambda s: s.note or ""),
        ], "counts_table", stretch=5)
        newest_first(self.counts, 3)
        self.counts.rows_model.tone = lambda s: "warn_bg" if s.status is CountStatus.OPEN \
            else None
        self.counts.activated_row.connect(lambda s: self.open_count(s.id))
        v.addWidget(self.counts, 1)
        self.count_stack.addWidget(listing)
        self.count_list = listing
        self.sheet = CountSheet(self)
        self.count_stack.addWidget(self.sheet)
        return self.count_stack

    def _build_transfers(self) -> QWidget:
        w = QWidget()
        v = QVBoxLayout(w)
        v.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(label(self.tr("Stock moved between locations, newest first."), "muted"),
                      1)
        row.addWidget(button(self.tr("New transfer"), "primary", "truck",
                             clicked=self.new_transfer, name="new_transfer"))
        v.addLayout(row)
        self.transfers: Table[Transfer] = ItemTable([
            Column(self.tr("Transfer"), lambda t: t.number),
            Column(self.tr("Date"), lambda t: self.fmt.datetime(t.created_at), RIGHT,
                   lambda t: t.created_at),
            Column(self.tr("From"), lambda t: self._loc_name(t.from_location_id)),
            Column(self.tr("To"), lambda t: self._loc_name(t.to_location_id)),
            Column(self.tr("Lines"), lambda t: str(len(t.lines)), RIGHT, lambda t: len(t.lines)),
            Column(self.tr("Items"), lambda t: ", ".join(
                f"{ln.sku} × {self.fmt.qty(ln.qty)}" for ln in t.lines)),
            Column(self.tr("Note"), lambda t: t.note or ""),
        ], "transfers_table", stretch=5)
        newest_first(self.transfers, 1)
        self.transfers.activated_row.connect(self.show_transfer)
        v.addWidget(self.transfers, 1)
        self.transfers_paged: Paged[Transfer] = Paged(
            self, self.transfers, lambda cursor: self.inv.transfers(self.user, after=cursor),
            "transfers_more")
        v.addWidget(self.transfers_paged.more)
        return w

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.call(self.inv.locations, done=self._show_locations)

    def _show_locations(self, locations: list[Location], prefer: str | None = None) -> None:
        self.locations = {loc.id: loc for loc in locations}
        self.location.set_locations(locations, prefer)
        self._reload_section()

    def _location_changed(self) -> None:
        self._reload_section()

    def _reload_section(self) -> None:
        if self.sections.current == "on_hand":
            self.reload_stock()
        elif self.sections.current == "counts":
            if self.count_stack.currentWidget() is self.sheet and self.sheet.session:
                self.open_count(self.sheet.session.id)
            else:
                self.reload_counts()
        else:
            self.transfers_paged.reload()

    def reload_stock(self) -> None:
        # what to list is read here, on the GUI thread; the worker only gets the values
        self._query = (self.location.location_id, self.search.text().strip() or None,
                       self.below.isChecked())
        self.paged.reload()

    def _fetch_stock(self, cursor: str | None) -> Any:
        location, search, below = self._query
        return self.inv.stock(self.user, location, search, below_reorder=below, after=cursor)

    def reload_counts(self) -> None:
        self.count_stack.setCurrentWidget(self.count_list)
        self.call(self.inv.count_sessions, done=self.counts.set_rows)

    def _loc_name(self, location_id: str) -> str:
        loc = self.locations.get(location_id)
        return loc.name if loc else location_id[:8]

    def _count_status(self, status: CountStatus) -> str:
        return {CountStatus.OPEN: self.tr("open"), CountStatus.COMMITTED: self.tr("committed"),
                CountStatus.CANCELLED: self.tr("cancelled")}[status]

    # ------------------------------------------------------------------ locations
    def add_location(self) -> None:
        dlg = FormDialog(self, self.tr("Add a stock location"))
        dlg.text("code", self.tr("Code"), placeholder=self.tr("e.g. BACK"))
        dlg.text("name", self.tr("Name"), placeholder=self.tr("e.g. Back room"))

        def save() -> None:
            def added(loc: Location) -> None:
                accept(dlg)
                self.show_info(self.tr("Location %1 added.").replace("%1", loc.code))
                self.call(self.inv.locations,
                          done=lambda rows: self._show_locations(rows, self.location.location_id))

            self.call(self.inv.add_location, dlg.value("code"), dlg.value("name"), done=added,
                      failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Add location"), save))
        open_dialog(dlg, name="location_dialog")

    # ------------------------------------------------------------------ adjustments
    def adjust_current(self) -> None:
        row = self.table.current()
        if row is None:
            self.show_error(self.tr("Choose an item in the list first."))
            return
        self.adjust(row)

    def adjust(self, row: StockRow) -> None:
        dlg = AdjustDialog(self, row, self._loc_name(row.location_id))

        def save() -> None:
            try:
                delta = dlg.delta()
            except ValidationError as exc:
                dlg.show_error(refusal_text(exc))
                return

            def done(after: StockRow) -> None:
                accept(dlg)
                self.show_info(self.tr("%1: on hand now %2 (was %3).").replace("%1", row.sku)
                               .replace("%2", self.fmt.qty(after.on_hand))
                               .replace("%3", self.fmt.qty(row.on_hand)))
                self.reload_stock()

            self.call(self.inv.adjust, row.variant_id, delta, dlg.value("reason"),
                      dlg.value("note"), row.location_id, done=done,
                      failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Adjust"), save))
        open_dialog(dlg, name="adjust_dialog")

    # ------------------------------------------------------------------ counts
    def start_count(self, from_selection: bool) -> None:
        chosen = selected(self.table) if self.sections.current == "on_hand" else []
        if from_selection and not chosen:
            self.show_error(self.tr("Select the items to count in the list first."))
            return
        dlg = FormDialog(self, self.tr("Start a stock count"))
        where = LocationBox("count_location")
        where.set_locations(list(self.locations.values()), self.location.location_id)
        dlg.form.addRow(self.tr("Location"), where)
        whole = QRadioButton(self.tr("The whole location: count everything there"))
        whole.setObjectName("scope_all")
        some = QRadioButton(self.tr("The %1 selected items").replace("%1", str(len(chosen))))
        some.setObjectName("scope_selected")
        some.setEnabled(bool(chosen))
        (some if from_selection else whole).setChecked(True)
        dlg.form.addRow(whole)
        dlg.form.addRow(some)
        dlg.note(self.tr("Items you do not count keep the stock they have. A sale while you "
                         "count is not lost: each item is compared with the stock when it "
                         "was counted."))
        dlg.text("note", self.tr("Note"), placeholder=self.tr("optional, e.g. aisle 3"))

        def start() -> None:
            loc = where.location_id
            if some.isChecked() and any(r.location_id != loc for r in chosen):
                dlg.show_error(self.tr("The selected items are from another location: choose "
                                       "that location or the whole location."))
                return

            def started(session: CountSession) -> None:
                accept(dlg)
                if some.isChecked():
                    self.planned[session.id] = chosen
                self.sections.show_section("counts")
                self.open_count(session.id)

            self.call(self.inv.start_count, loc, dlg.value("note"), done=started,
                      failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Start count"), start))
        open_dialog(dlg, name="start_count_dialog")

    def open_count(self, count_id: str) -> None:
        self.call(self.inv.count, count_id, done=self._show_count)

    def _show_count(self, session: CountSession) -> None:
        self.sheet.show_session(session, self.planned.get(session.id, []))
        self.count_stack.setCurrentWidget(self.sheet)
        if session.status is CountStatus.OPEN:
            self.sheet.entry.code.setFocus()

    # ------------------------------------------------------------------ transfers
    def new_transfer(self) -> None:
        if len(self.locations) < 2:
            self.show_error(self.tr("A transfer needs a second location: add one first."))
            return
        dlg = TransferDialog(self)

        def done(doc: Transfer) -> None:
            accept(dlg)
            self.show_info(self.tr("%1: %2 lines moved from %3 to %4.")
                           .replace("%1", doc.number).replace("%2", str(len(doc.lines)))
                           .replace("%3", self._loc_name(doc.from_location_id))
                           .replace("%4", self._loc_name(doc.to_location_id)))
            self.transfers_paged.reload()

        def send() -> None:
            if not dlg.lines:
                dlg.show_error(self.tr("Add at least one item."))
                return
            self.call(self.inv.transfer, dlg.to.location_id,
                      [(ln.variant_id, ln.qty) for ln in dlg.lines],
                      from_location=dlg.source.location_id, note=dlg.value("note"), done=done,
                      failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Transfer"), send))
        open_dialog(dlg, name="transfer_dialog")

    def show_transfer(self, doc: Transfer) -> None:
        dlg = FormDialog(self, self.tr("Transfer %1").replace("%1", doc.number), 640)
        dlg.note(self.tr("%1 from %2 to %3").replace("%1", self.fmt.datetime(doc.created_at))
                 .replace("%2", self._loc_name(doc.from_location_id))
                 .replace("%3", self._loc_name(doc.to_location_id))
                 + (f" · {doc.note}" if doc.note else ""))
        lines: Table[TransferLine] = ItemTable([
            Column(self.tr("SKU"), lambda ln: ln.sku),
            Column(self.tr("Item"), lambda ln: ln.name),
            Column(self.tr("Quantity"), lambda ln: self.fmt.qty(ln.qty), RIGHT,
                   lambda ln: ln.qty),
        ], "transfer_lines")
        lines.set_rows(list(doc.lines))
        lines.setMinimumHeight(240)
        dlg.body.addWidget(lines)
        dlg.add_button(self.tr("Close"), "primary", dlg.accept, name="close")
        open_dialog(dlg, name="transfer_detail")


class AdjustDialog(FormDialog):
    """Reason and quantity: reasons that remove stock take the quantity removed."""

    def __init__(self, page: StockPage, row: StockRow, where: str) -> None:
        super().__init__(page, QCoreApplication.translate("AdjustDialog", "Adjust stock: %1")
                         .replace("%1", row.name))
        self.row = row
        self.note(self.tr("%1 · on hand at %2: %3").replace("%1", row.sku)
                  .replace("%2", where).replace("%3", page.fmt.qty(row.on_hand)))
        names = {
            AdjustReason.DAMAGED: self.tr("Damaged (removes stock)"),
            AdjustReason.THEFT: self.tr("Theft (removes stock)"),
            AdjustReason.EXPIRED: self.tr("Expired (removes stock)"),
            AdjustReason.INTERNAL_USE: self.tr("Internal use (removes stock)"),
            AdjustReason.RETURNED_TO_SUPPLIER: self.tr("Returned to supplier (removes stock)"),
            AdjustReason.FOUND: self.tr("Found (adds stock)"),
            AdjustReason.CORRECTION: self.tr("Correction (adds, or removes with −)"),
        }
        self.reason = self.choice("reason", self.tr("Reason"),
                                  [(names[r], r.value) for r in AdjustReason])
        self.qty = self.text("qty", self.tr("Quantity"), placeholder="1")
        self.qty.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.text("note", self.tr("Note"), placeholder=self.tr("optional"))

    def delta(self) -> Decimal:
        """The signed change: removing reasons remove what was typed."""
        qty = parse_quantity(self.qty.text())
        reason = AdjustReason(self.reason.currentData())
        return -abs(qty) if reason in _REMOVES else (
            abs(qty) if reason is AdjustReason.FOUND else qty)


class CountSheet(QWidget):
    """One count: scan or type what is on the shelf, see counted against expected, then
    review and commit the differences (or cancel the count)."""

    def __init__(self, page: StockPage) -> None:
        super().__init__()
        self.page, self.fmt = page, page.fmt
        self.setObjectName("count_sheet")
        self.session: CountSession | None = None
        self.rows: list[SheetRow] = []
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(button(self.tr("All counts"), icon_name="back",
                             clicked=page.reload_counts, name="back_to_counts"))
        self.title = label("", "subtitle")
        self.title.setObjectName("count_title")
        top.addWidget(self.title, 1)
        self.cancel = button(self.tr("Cancel count"), "danger", "close",
                             clicked=self.cancel_count, name="cancel_count")
        top.addWidget(self.cancel)
        self.review = button(self.tr("Review and commit"), "primary", "check",
                             clicked=self.review_count, name="review_count")
        top.addWidget(self.review)
        v.addLayout(top)
        self.entry = ItemEntry("count", self.tr("Counted"), self.tr("Record"),
                               add_box=self.tr("Add to what was counted"))
        self.entry.submitted.connect(self.record)
        v.addWidget(self.entry)
        f = self.fmt
        self.table: Table[SheetRow] = ItemTable([
            Column(self.tr("SKU"), lambda r: r.sku),
            Column(self.tr("Item"), lambda r: r.name),
            Column(self.tr("Counted"), lambda r: "–" if r.counted is None else f.qty(r.counted),
                   RIGHT, lambda r: r.counted if r.counted is not None else Decimal(-1)),
            Column(self.tr("Expected"), lambda r: f.qty(r.expected), RIGHT, lambda r: r.expected),
            Column(self.tr("Difference"), lambda r: _signed(f, r.difference), RIGHT,
                   lambda r: r.difference or Decimal(0)),
        ], "count_table")
        self.table.rows_model.tone = lambda r: "warn_bg" if r.difference else None
        v.addWidget(self.table, 1)
        self.summary = label("", "muted")
        self.summary.setObjectName("count_summary")
        v.addWidget(self.summary)

    def show_session(self, session: CountSession, planned: list[StockRow]) -> None:
        self.session = session
        is_open = session.status is CountStatus.OPEN
        self.title.setText(self.tr("%1 · %2 · %3").replace("%1", session.number)
                           .replace("%2", self.page._loc_name(session.location_id))
                           .replace("%3", self.page._count_status(session.status)))
        for w in (self.entry, self.cancel, self.review):
            w.setVisible(is_open)
        counted = {ln.variant_id for ln in session.lines}
        self.rows = [SheetRow(ln.variant_id, ln.sku, ln.name, ln.counted, ln.expected)
                     for ln in session.lines]
        if is_open:
            self.rows += [SheetRow(r.variant_id, r.sku, r.name, None, r.on_hand)
                          for r in planned if r.variant_id not in counted]
        self.table.set_rows(self.rows)
        todo = sum(1 for r in self.rows if r.counted is None)
        text = self.tr("%1 items counted, %2 with a difference.").replace(
            "%1", str(len(session.lines))).replace("%2", str(len(session.differences)))
        if todo:
            text += " " + self.tr("%1 still to count.").replace("%1", str(todo))
        self.summary.setText(text)

    def record(self, code: str, qty_text: str, _cost: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            qty = parse_quantity(qty_text)
        except ValidationError as exc:
            self.page.show_error(refusal_text(exc))
            return
        add = bool(self.entry.add_box and self.entry.add_box.isChecked())
        inv = self.page.inv

        def work(user: Any) -> CountSession:
            item = inv.find(user, code, session.location_id)
            return inv.enter_counts(user, session.id, [(item.variant_id, qty)], add=add)

        def done(result: CountSession) -> None:
            self.page.message.hide()
            self.show_session(result, self.page.planned.get(result.id, []))
            self.entry.next_item()

        self.page.call(work, done=done)

    def review_count(self) -> None:
        session = self.session
        if session is None:
            return
        if not session.lines:
            self.page.show_error(self.tr("Nothing counted yet."))
            return
        diffs = [r for r in self.rows if r.difference]
        dlg = FormDialog(self, self.tr("Commit %1").replace("%1", session.number), 680)
        dlg.note(self.tr("%1 items counted. Committing books these %2 differences at once; "
                         "items not counted keep their stock.")
                 .replace("%1", str(len(session.lines))).replace("%2", str(len(diffs))))
        review: Table[SheetRow] = ItemTable(self.table.rows_model.columns, "review_table")
        review.rows_model.tone = self.table.rows_model.tone
        review.set_rows(diffs)
        review.setMinimumHeight(260)
        dlg.body.addWidget(review)

        def commit() -> None:
            def done(result: CountSession) -> None:
                accept(dlg)
                self.page.planned.pop(result.id, None)
                self.show_session(result, [])
                self.page.show_info(self.tr("%1 committed: %2 differences booked.")
                                    .replace("%1", result.number)
                                    .replace("%2", str(len(result.differences))))
                self.page.reload_stock()

            self.page.call(self.page.inv.commit_count, session.id, done=done,
                           failed=error_in(dlg, self))

        dlg.add_button(self.tr("Go on counting"), clicked=dlg.reject, name="cancel")
        default_button(dlg, dlg.add_button(self.tr("Commit"), "primary", commit, name="ok"))
        open_dialog(dlg, name="count_review")

    def cancel_count(self) -> None:
        session = self.session
        if session is None:
            return

        def cancel() -> None:
            def done(result: CountSession) -> None:
                self.page.planned.pop(result.id, None)
                self.show_session(result, [])
                self.page.show_info(self.tr("%1 cancelled; no stock changed.")
                                    .replace("%1", result.number))

            self.page.call(self.page.inv.cancel_count, session.id, done=done)

        confirm(self, self.tr("Cancel %1?").replace("%1", session.number),
                self.tr("The counted quantities are dropped and no stock changes."),
                self.tr("Cancel the count"), cancel, "cancel_count_dialog", "danger")


@dataclass(frozen=True)
class DraftLine:
    variant_id: str
    sku: str
    name: str
    qty: Decimal
    on_hand: Decimal


class TransferDialog(FormDialog):
    """A transfer document: from, to, and lines added by scanning or typing."""

    def __init__(self, page: StockPage) -> None:
        super().__init__(page, QCoreApplication.translate("TransferDialog", "New transfer"),
                         760)
        self.page = page
        self.lines: list[DraftLine] = []
        locations = list(page.locations.values())
        self.source = LocationBox("transfer_from")
        self.source.set_locations(locations, page.location.location_id)
        self.form.addRow(self.tr("From"), self.source)
        self.to = LocationBox("transfer_to")
        other = next((loc.id for loc in locations if loc.id != self.source.location_id), None)
        self.to.set_locations(locations, other)
        self.form.addRow(self.tr("To"), self.to)
        self.text("note", self.tr("Note"), placeholder=self.tr("optional"))
        self.entry = ItemEntry("transfer", self.tr("Quantity"), self.tr("Add"))
        self.entry.submitted.connect(self.add_line)
        self.body.addWidget(self.entry)
        f = page.fmt
        self.table: Table[DraftLine] = ItemTable([
            Column(self.tr("SKU"), lambda ln: ln.sku),
            Column(self.tr("Item"), lambda ln: ln.name),
            Column(self.tr("Quantity"), lambda ln: f.qty(ln.qty), RIGHT, lambda ln: ln.qty),
            Column(self.tr("On hand at source"), lambda ln: f.qty(ln.on_hand), RIGHT,
                   lambda ln: ln.on_hand),
        ], "transfer_lines")
        self.table.rows_model.tone = lambda ln: "warn_bg" if ln.qty > ln.on_hand else None
        self.table.setMinimumHeight(220)
        self.body.addWidget(self.table)
        remove = button(self.tr("Remove line"), icon_name="trash", clicked=self.remove_line,
                        name="remove_line")
        self.body.addWidget(remove, 0, Qt.AlignmentFlag.AlignLeft)
        self.source.currentIndexChanged.connect(lambda _i: self._clear())

    def _clear(self) -> None:
        self.lines.clear()
        self.table.set_rows([])

    def add_line(self, code: str, qty_text: str, _cost: str) -> None:
        try:
            qty = parse_quantity(qty_text)
        except ValidationError as exc:
            self.show_error(refusal_text(exc))
            return

        def done(row: StockRow) -> None:
            self.error.hide()
            self.lines.append(DraftLine(row.variant_id, row.sku, row.name, qty, row.on_hand))
            self.table.set_rows(self.lines)
            self.entry.next_item()

        self.page.call(self.page.inv.find, code, self.source.location_id, done=done,
                       failed=error_in(self, self.page))

    def remove_line(self) -> None:
        ln = self.table.current()
        if ln is not None:
            self.lines.remove(ln)
            self.table.set_rows(self.lines)


def _signed(fmt: Any, value: Decimal | None) -> str:
    if value is None:
        return ""
    return ("+" if value > 0 else "") + fmt.qty(value)
