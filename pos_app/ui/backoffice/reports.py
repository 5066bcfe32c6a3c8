"""Reports with charts over a date range: sales by day and hour, top items and
categories, tender mix, tax, discounts and refunds, per-cashier figures; each one
exported as CSV (the service's own export) or PDF (chart and table, as shown)."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QBuffer, QByteArray, QDate, QIODevice, QMarginsF
from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..charts import BarChart
from ..models import RIGHT, Column
from ..widgets import button, label, panel
from .page import Page, PageContext, Table


@dataclass(frozen=True)
class ReportTab:
    key: str  # the service's report name (REPORTS in services/reports.py)
    title: str
    columns: list[Column[Any]]
    chart: Callable[[list[Any]], tuple[list[str], list[int], str]] | None = None
    horizontal: bool = False
    options: dict[str, Any] | None = None


class ReportsPage(Page):
    title = QT_TRANSLATE_NOOP("ReportsPage", "Reports")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("reports_page")
        self.heading.setText(self.tr("Reports"))
        self.add_action(self.tr("Export CSV"), self.export_csv, "export_report_csv",
                        icon_name="export")
        self.add_action(self.tr("Export PDF"), self.export_pdf, "export_report_pdf",
                        icon_name="report")
        bar = QHBoxLayout()
        today = date.today()
        self.start = QDateEdit(QDate(today.year, today.month, today.day))
        self.end = QDateEdit(QDate(today.year, today.month, today.day))
        for edit, name in ((self.start, "report_from"), (self.end, "report_to")):
            edit.setCalendarPopup(True)
            edit.setObjectName(name)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.refresh())
        bar.addWidget(label(self.tr("From"), "muted"))
        bar.addWidget(self.start)
        bar.addWidget(label(self.tr("to"), "muted"))
        bar.addWidget(self.end)
        for key, text in (("today", self.tr("Today")), ("yesterday", self.tr("Yesterday")),
                          ("week", self.tr("Last 7 days")), ("month", self.tr("This month")),
                          ("30", self.tr("Last 30 days"))):
            bar.addWidget(button(text, clicked=lambda k=key: self.preset(k), name=f"range_{key}"))
        bar.addStretch(1)
        self.root.addLayout(bar)

        self.kpis = panel()
        self.kpi_grid = QGridLayout(self.kpis)
        self.kpi_grid.setContentsMargins(16, 8, 16, 8)
        self.kpi_labels: dict[str, Any] = {}
        for i, (key, text) in enumerate((("sales", self.tr("Sales")),
                                         ("gross", self.tr("Revenue")),
                                         ("net", self.tr("Net of refunds")),
                                         ("basket", self.tr("Average basket")),
                                         ("refunds", self.tr("Refunds")),
                                         ("discounts", self.tr("Discounts")))):
            self.kpi_grid.addWidget(label(text, "muted"), 0, i)
            value = label("–", "subtitle")
            value.setObjectName(f"kpi_{key}")
            self.kpi_grid.addWidget(value, 1, i)
            self.kpi_labels[key] = value
        self.root.addWidget(self.kpis)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("report_tabs")
        self.root.addWidget(self.tabs, 1)
        self.tab_specs = self._specs()
        self.tables: dict[str, Table[Any]] = {}
        self.charts: dict[str, BarChart] = {}
        self.hour_chart = BarChart(self.tr("Sales by hour of day"), fmt_value=self._money_short)
        self.hour_chart.setObjectName("chart_hours")
        for spec in self.tab_specs:
            tab = QWidget()
            layout = QVBoxLayout(tab)
            layout.setContentsMargins(6, 6, 6, 6)
            splitter = QSplitter()
            if spec.chart is not None:
                charts = QWidget()
                cl = QVBoxLayout(charts)
                cl.setContentsMargins(0, 0, 0, 0)
                chart = BarChart(spec.title, spec.horizontal, self._money_short)
                chart.setObjectName(f"chart_{spec.key}")
                cl.addWidget(chart)
                if spec.key == "sales":
                    cl.addWidget(self.hour_chart)
                self.charts[spec.key] = chart
                splitter.addWidget(charts)
            table: Table[Any] = Table(spec.columns, f"report_{spec.key}")
            table.setSortingEnabled(False)
            self.tables[spec.key] = table
            splitter.addWidget(table)
            layout.addWidget(splitter)
            self.tabs.addTab(tab, spec.title)
        self.tabs.currentChanged.connect(lambda _i: self._load_tab())
        self.finish()
        self.rows: dict[str, list[Any]] = {}

    # --- figures and columns
    def _money_short(self, minor: int) -> str:
        return self.fmt.money(minor)

    def _specs(self) -> list[ReportTab]:
        f = self.fmt
        m = f.money

        def money_col(title: str, get: Callable[[Any], int | None]) -> Column[Any]:
            return Column(title, lambda r: "–" if get(r) is None else m(get(r) or 0), RIGHT)

        def by_day(rows: list[Any]) -> tuple[list[str], list[int], str]:
            return [r.period[5:] for r in rows], [r.gross for r in rows], self.tr("Sales by day")

        def ranked(title: str) -> Callable[[list[Any]], tuple[list[str], list[int], str]]:
            return lambda rows: ([r.name or self.tr("(no category)") for r in rows[:12]],
                                 [r.revenue for r in rows[:12]], title)

        period = [Column(self.tr("Day"), lambda r: r.period),
                  Column(self.tr("Sales"), lambda r: str(r.sales), RIGHT),
                  Column(self.tr("Items"), lambda r: f.qty(r.items), RIGHT),
                  money_col(self.tr("Revenue"), lambda r: r.gross),
                  money_col(self.tr("Discounts"), lambda r: r.discounts),
                  money_col(self.tr("Refunds"), lambda r: r.refunds),
                  money_col(self.tr("Net"), lambda r: r.net),
                  money_col(self.tr("Tax"), lambda r: r.tax),
                  money_col(self.tr("Avg basket"), lambda r: r.average_basket)]
        items = [Column(self.tr("Item"), lambda r: r.name or self.tr("(no category)")),
                 Column(self.tr("SKU"), lambda r: r.sku or ""),
                 Column(self.tr("Qty"), lambda r: f.qty(r.qty), RIGHT),
                 money_col(self.tr("Revenue"), lambda r: r.revenue),
                 money_col(self.tr("Net"), lambda r: r.net),
                 money_col(self.tr("Cost"), lambda r: r.cost),
                 money_col(self.tr("Margin"), lambda r: r.margin),
                 Column(self.tr("Margin %"), lambda r: "–" if r.margin_pct is None
                        else f"{r.margin_pct}%", RIGHT)]
        return [
            ReportTab("sales", self.tr("Sales"), period, by_day),
            ReportTab("items", self.tr("Top items"), items,
                      ranked(self.tr("Top items by revenue")), True),
            ReportTab("categories", self.tr("Categories"), items[:1] + items[2:],
                      ranked(self.tr("Categories by revenue")), True),
            ReportTab("tenders", self.tr("Tenders"), [
                Column(self.tr("Tender"), lambda r: r.tender),
                Column(self.tr("Payments"), lambda r: str(r.payments), RIGHT),
                money_col(self.tr("Taken"), lambda r: r.taken),
                money_col(self.tr("Refunded"), lambda r: r.refunded),
                money_col(self.tr("Net"), lambda r: r.net)],
                lambda rows: ([r.tender for r in rows], [r.net for r in rows],
                              self.tr("Tender mix")),
                True),
            ReportTab("tax", self.tr("Tax"), [
                Column(self.tr("Code"), lambda r: r.code),
                Column(self.tr("Rate"), lambda r: f.percent(r.rate), RIGHT),
                money_col(self.tr("Base"), lambda r: r.base),
                money_col(self.tr("Tax"), lambda r: r.tax)]),
            ReportTab("discounts", self.tr("Discounts"), [
                Column(self.tr("Kind"), lambda r: r.kind),
                Column(self.tr("Code"), lambda r: r.code or ""),
                Column(self.tr("Lines"), lambda r: str(r.lines), RIGHT),
                money_col(self.tr("Amount"), lambda r: r.amount)]),
            ReportTab("refunds", self.tr("Refunds"), [
                Column(self.tr("When"), lambda r: f.datetime(r.completed_at)),
                Column(self.tr("Receipt"), lambda r: r.receipt_no),
                Column(self.tr("Original"), lambda r: r.original_receipt or self.tr("no receipt")),
                Column(self.tr("Cashier"), lambda r: r.cashier),
                Column(self.tr("Approved by"), lambda r: r.approved_by or ""),
                Column(self.tr("Items"), lambda r: f.qty(r.items), RIGHT),
                money_col(self.tr("Amount"), lambda r: r.amount)]),
            ReportTab("cashiers", self.tr("Cashiers"), [
                Column(self.tr("Cashier"), lambda r: r.name),
                Column(self.tr("Sales"), lambda r: str(r.sales), RIGHT),
                money_col(self.tr("Revenue"), lambda r: r.revenue),
                money_col(self.tr("Avg basket"), lambda r: r.average_basket),
                money_col(self.tr("Discounts"), lambda r: r.discounts),
                Column(self.tr("Refunds"), lambda r: str(r.refunds), RIGHT),
                money_col(self.tr("Refunded"), lambda r: r.refunded),
                Column(self.tr("Voided sales"), lambda r: str(r.voided_sales), RIGHT),
                Column(self.tr("Voided lines"), lambda r: str(r.voided_lines), RIGHT),
                Column(self.tr("No-sales"), lambda r: str(r.no_sales), RIGHT)],
                lambda rows: ([r.name for r in rows], [r.revenue for r in rows],
                              self.tr("Revenue per cashier")), True),
        ]

    # --- loading
    def range(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()

    def preset(self, key: str) -> None:
        today = date.today()
        start, end = {
            "today": (today, today), "yesterday": (today - timedelta(1), today - timedelta(1)),
            "week": (today - timedelta(6), today), "month": (today.replace(day=1), today),
            "30": (today - timedelta(29), today)}[key]
        for edit, d in ((self.start, start), (self.end, end)):
            edit.blockSignals(True)
            edit.setDate(QDate(d.year, d.month, d.day))
            edit.blockSignals(False)
        self.refresh()

    @property
    def current(self) -> ReportTab:
        return self.tab_specs[max(self.tabs.currentIndex(), 0)]

    def refresh(self) -> None:
        start, end = self.range()
        if end < start:
            self.show_error(self.tr("The end date is before the start date."))
            return
        self.message.hide()
        self.rows.clear()
        reports = self.ctx.app.reports
        self.call(lambda user: (reports.sales_by_day(user, start, end),
                                reports.sales_by_hour(user, start, end)),
                  done=lambda result: self._kpis(result, (start, end)))
        self._load_tab()

    def _kpis(self, result: tuple[list[Any], list[Any]], asked: tuple[date, date]) -> None:
        if asked != self.range():  # a late answer for the range before: its own will come
            return
        days, hours = result
        sales = sum(r.sales for r in days)
        gross = sum(r.gross for r in days)
        m = self.fmt.money
        values = {"sales": str(sales), "gross": m(gross), "net": m(sum(r.net for r in days)),
                  "basket": m(gross // sales if sales else 0),
                  "refunds": m(sum(r.refunds for r in days)),
                  "discounts": m(sum(r.discounts for r in days))}
        for key, value in values.items():
            self.kpi_labels[key].setText(value)
        self.hour_chart.set_data([r.period[:2] for r in hours], [r.gross for r in hours])

    def _load_tab(self) -> None:
        spec = self.current
        if spec.key in self.rows:
            return
        start, end = self.range()
        self.call(self.ctx.app.reports.report, spec.key, start, end,
                  done=lambda rows, key=spec.key: self._show(key, rows, (start, end)))

    def _show(self, key: str, rows: list[Any], asked: tuple[date, date]) -> None:
        if asked != self.range():  # for the range before
            return
        self.rows[key] = rows
        spec = next(s for s in self.tab_specs if s.key == key)
        self.tables[key].set_rows(rows)
        if spec.chart is not None:
            labels, values, title = spec.chart(rows)
            self.charts[key].set_data(labels, values, title)

    # --- export
    def export_csv(self, path: str | None = None) -> None:
        spec, (start, end) = self.current, self.range()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export report"), f"{spec.key}-{start}-{end}.csv",
                self.tr("CSV files (*.csv)"))
        if not path:
            return
        target = Path(path)

        def write(user: Any) -> Path:
            target.write_text(self.ctx.app.reports.export_csv(user, spec.key, start, end),
                              encoding="utf-8")
            return target

        self.call(write, done=lambda p: self.show_info(self.tr("Saved %1.").replace(
            "%1", str(p))))

    def export_pdf(self, path: str | None = None) -> None:
        """The report as shown: title, range, chart and table (rendered on this thread:
        Qt's text document and painter belong to it; a page takes milliseconds)."""
        spec, (start, end) = self.current, self.range()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export report"), f"{spec.key}-{start}-{end}.pdf",
                self.tr("PDF files (*.pdf)"))
        if not path:
            return
        rows = self.rows.get(spec.key)
        if rows is None:
            self.show_error(self.tr("The report is still loading; try again in a moment."))
            return
        write_pdf(Path(path), self.ctx.app.ctx.store_name, spec, rows, start, end,
                  self.charts.get(spec.key))
        self.show_info(self.tr("Saved %1.").replace("%1", path))


def _png_base64(widget: QWidget) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buffer, "PNG")
    return base64.b64encode(bytes(data.data())).decode()


def write_pdf(path: Path, store: str, spec: ReportTab, rows: list[Any], start: date, end: date,
              chart: BarChart | None) -> None:
    head = "".join(f"<th align='{'right' if c.align == RIGHT else 'left'}'>"
                   f"{html.escape(c.title)}</th>" for c in spec.columns)
    body = "".join("<tr>" + "".join(
        f"<td align='{'right' if c.align == RIGHT else 'left'}'>{html.escape(c.text(r))}</td>"
        for c in spec.columns) + "</tr>" for r in rows)
    image = ""
    if chart is not None and chart.values:
        image = f"<p><img src='data:image/png;base64,{_png_base64(chart)}' width='640'></p>"
    doc = QTextDocument()
    doc.setHtml(f"<h2>{html.escape(spec.title)}</h2><p>{html.escape(store)} · {start} – {end}"
                f"</p>{image}<table border='0' cellspacing='0' cellpadding='4' width='100%'>"
                f"<tr>{head}</tr>{body}</table>")
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15))
    writer.setTitle(f"{spec.title} {start} – {end}")
    doc.print_(writer)
