"""Shifts: closed shifts with the headline figures of their Z reports, newest first;
open one to read its Z report exactly as it was frozen at close, and print it again.

Needs the ``z_report`` permission, as ``PeopleService.shifts`` does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ...domain.backoffice import ShiftRow
from ...services.shifts import report_text
from ..models import LEFT, RIGHT, Column
from ..till.dialogs import ReportDialog
from ..widgets import label, open_dialog
from .page import Page, PageContext, Paged, Table
from .parts import ItemTable, keep_selection, newest_first


class ShiftsPage(Page):
    title = QT_TRANSLATE_NOOP("ShiftsPage", "Shifts")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("shifts_page")
        self.heading.setText(self.tr("Shifts"))
        self.add_action(self.tr("Show Z report"), self.open_current, "show_z", "primary",
                        "report")
        self.root.addWidget(label(self.tr("Closed shifts, newest first. Open one to see and "
                                          "print its Z report."), "muted"))
        f = self.fmt
        self.table: Table[ShiftRow] = ItemTable([
            Column(self.tr("Closed"), lambda s: f.datetime(s.closed_at), LEFT,
                   lambda s: s.closed_at),
            Column(self.tr("Z no."), lambda s: str(s.z_no), RIGHT, lambda s: s.z_no),
            Column(self.tr("Sales"), lambda s: f"{f.money(s.sales_amount)} ({s.sales_count})",
                   RIGHT, lambda s: s.sales_amount),
            Column(self.tr("Refunds"), lambda s: f"{f.money(s.refunds_amount)} "
                   f"({s.refunds_count})", RIGHT, lambda s: s.refunds_amount),
            Column(self.tr("Net sales"), lambda s: f.money(s.net_sales), RIGHT,
                   lambda s: s.net_sales),
            Column(self.tr("Cash due"), lambda s: f.money(s.cash_expected), RIGHT,
                   lambda s: s.cash_expected),
            Column(self.tr("Counted"), lambda s: "–" if s.cash_counted is None
                   else f.money(s.cash_counted), RIGHT, lambda s: s.cash_counted or 0),
            Column(self.tr("Over/short"), lambda s: "–" if s.cash_over_short is None
                   else _signed_money(f, s.cash_over_short), RIGHT,
                   lambda s: s.cash_over_short or 0),
        ], "shifts_table", stretch=0)  # the report itself says when it opened
        newest_first(self.table, 0)
        self.table.rows_model.tone = lambda s: "warn_bg" if s.cash_over_short else None
        keep_selection(self.table, lambda s: s.id)
        self.table.activated_row.connect(self.open_report)
        self.root.addWidget(self.table, 1)
        self.paged: Paged[ShiftRow] = Paged(
            self, self.table, lambda cursor: ctx.app.people.shifts(self.user, after=cursor),
            "shifts_more")
        self.root.addWidget(self.paged.more)
        self.finish()

    def refresh(self) -> None:
        self.paged.reload()

    def open_current(self) -> None:
        s = self.table.current()
        if s is None:
            self.show_error(self.tr("Choose a shift in the list first."))
            return
        self.open_report(s)

    def open_report(self, s: ShiftRow) -> None:
        self.call(self.ctx.app.people.z_report, s.id, done=self._show)

    def _show(self, report: dict[str, Any]) -> None:
        dlg = ReportDialog(self, self.tr("Z report #%1").replace("%1", str(report["z_no"])),
                           report_text(report))
        dlg.print_requested.connect(lambda: self.print_report(report))
        dlg.setMinimumHeight(600)  # the whole report, not a slit of it
        open_dialog(dlg, name="report_dialog")

    def print_report(self, report: dict[str, Any]) -> None:
        """Into the durable print queue, then wake the print worker (both on the pool)."""
        app = self.ctx.app
        title = f"Z report #{report['z_no']}"  # printed, like the report text, as is

        def work(_user: Any) -> str:
            job = str(app.printing.queue_report(title, report_text(report)))
            app.print_worker.notify()
            return job

        self.call(work, done=lambda _job: self.show_info(
            self.tr("Z report #%1 sent to the printer.").replace("%1", str(report["z_no"]))))


def _signed_money(fmt: Any, minor: int) -> str:
    return ("+" if minor > 0 else "") + str(fmt.money(minor))
