"""Back-office reports over store-local days (setting ``timezone``).

Each report returns plain rows (``domain/reports.py`` says what every figure means)
and ``export_csv`` turns any of them into CSV. The database sums per quarter hour,
item or tender through the index on ``sales.completed_at``; days and hours are then
the store's local ones, daylight-saving changes included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.errors import ValidationError
from ..domain.reports import (
    BUCKET_SECONDS,
    BucketFigures,
    CashierRow,
    DateRange,
    DiscountRow,
    ItemSalesRow,
    RefundRow,
    SalesPeriodRow,
    TaxRow,
    TenderRow,
    date_range,
    item_row,
    period_rows,
    rows_csv,
)
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import Store
from .settings import SettingsService

RANKINGS = ("revenue", "qty", "margin")


@dataclass(slots=True)
class ReportService:
    store: Store
    ctx: TillContext
    auth: AuthService
    settings: SettingsService

    def range(self, start: date, end: date) -> DateRange:
        """The days ``start``..``end`` (both included) in the store's time zone."""
        return date_range(start, end, self.settings.all().get("timezone"))

    def _buckets(self, user: User, start: date, end: date
                 ) -> tuple[DateRange, list[BucketFigures]]:
        self.auth.require(user, Permission.REPORTS)
        r = self.range(start, end)
        with self.store.tx() as tx:
            return r, tx.report_buckets(*r.utc_bounds(), BUCKET_SECONDS)

    def sales_by_day(self, user: User, start: date, end: date) -> list[SalesPeriodRow]:
        """One row per local day of the range, days without sales included."""
        r, buckets = self._buckets(user, start, end)
        grouped: dict[str, list[BucketFigures]] = {}
        for b in buckets:
            grouped.setdefault(r.local(b.start).date().isoformat(), []).append(b)
        return period_rows([d.isoformat() for d in r.days()], grouped)

    def sales_by_hour(self, user: User, start: date, end: date) -> list[SalesPeriodRow]:
        """24 rows, 00:00 to 23:00 local, summed over the days of the range."""
        r, buckets = self._buckets(user, start, end)
        grouped: dict[str, list[BucketFigures]] = {}
        for b in buckets:
            grouped.setdefault(f"{r.local(b.start).hour:02d}:00", []).append(b)
        return period_rows([f"{h:02d}:00" for h in range(24)], grouped)

    def _items(self, user: User, start: date, end: date, by_category: bool, limit: int,
               by: str) -> list[ItemSalesRow]:
        self.auth.require(user, Permission.REPORTS)
        if by not in RANKINGS:
            raise ValidationError("rank by one of: {rankings}", rankings=", ".join(RANKINGS))
        if not 1 <= limit <= 1000:
            raise ValidationError("show 1 to 1000 rows")
        r = self.range(start, end)
        with self.store.tx() as tx:
            figures = tx.report_items(*r.utc_bounds(), by_category, by, limit)
        return [item_row(f) for f in figures]

    def top_items(self, user: User, start: date, end: date, *, limit: int = 20,
                  by: str = "revenue") -> list[ItemSalesRow]:
        """Items ranked by revenue, quantity or margin; returns are netted off."""
        return self._items(user, start, end, False, limit, by)

    def top_categories(self, user: User, start: date, end: date, *, limit: int = 20,
                       by: str = "revenue") -> list[ItemSalesRow]:
        """The same per category (the product's category now; None: uncategorised)."""
        return self._items(user, start, end, True, limit, by)

    def tender_mix(self, user: User, start: date, end: date) -> list[TenderRow]:
        """Per tender: payments, amount taken, refunded and net (cash after change)."""
        self.auth.require(user, Permission.REPORTS)
        r = self.range(start, end)
        with self.store.tx() as tx:
            return tx.report_tenders(*r.utc_bounds())

    def tax_summary(self, user: User, start: date, end: date) -> list[TaxRow]:
        """Per tax code and rate (a changed rate shows as two rows): base and tax."""
        self.auth.require(user, Permission.REPORTS)
        r = self.range(start, end)
        with self.store.tx() as tx:
            return tx.report_taxes(*r.utc_bounds())

    def discounts(self, user: User, start: date, end: date) -> list[DiscountRow]:
        """Promotions per code, then line and order discounts: lines and amount."""
        self.auth.require(user, Permission.REPORTS)
        r = self.range(start, end)
        with self.store.tx() as tx:
            return tx.report_discounts(*r.utc_bounds())

    def refunds(self, user: User, start: date, end: date, *,
                limit: int = 500) -> list[RefundRow]:
        """Each return or exchange, oldest first: original receipt, approver, amount."""
        self.auth.require(user, Permission.REPORTS)
        if not 1 <= limit <= 10000:
            raise ValidationError("show 1 to 10000 rows")
        r = self.range(start, end)
        with self.store.tx() as tx:
            return tx.report_refunds(*r.utc_bounds(), limit)

    def cashiers(self, user: User, start: date, end: date) -> list[CashierRow]:
        """Per cashier: sales, revenue, average basket, refunds, voids and no-sales."""
        self.auth.require(user, Permission.REPORTS)
        r = self.range(start, end)
        with self.store.tx() as tx:
            return [f.row() for f in tx.report_cashiers(*r.utc_bounds())]

    def report(self, user: User, name: str, start: date, end: date,
               **options: Any) -> list[Any]:
        """Any report by its name in ``REPORTS`` (the CLI's and the exports' entry)."""
        if name not in REPORTS:
            raise ValidationError("unknown report {name!r}; reports: {reports}", name=name,
                                  reports=", ".join(REPORTS))
        fn = REPORTS[name][0]
        rows: list[Any] = fn(self, user, start, end, **options)
        return rows

    def export_csv(self, user: User, name: str, start: date, end: date,
                   **options: Any) -> str:
        """The report as CSV: a header of field names, money as plain decimals."""
        rows = self.report(user, name, start, end, **options)
        return rows_csv(rows, self.ctx.currency, REPORTS[name][1])


REPORTS: dict[str, tuple[Callable[..., list[Any]], type]] = {
    "sales": (ReportService.sales_by_day, SalesPeriodRow),
    "hours": (ReportService.sales_by_hour, SalesPeriodRow),
    "items": (ReportService.top_items, ItemSalesRow),
    "categories": (ReportService.top_categories, ItemSalesRow),
    "tenders": (ReportService.tender_mix, TenderRow),
    "tax": (ReportService.tax_summary, TaxRow),
    "discounts": (ReportService.discounts, DiscountRow),
    "refunds": (ReportService.refunds, RefundRow),
    "cashiers": (ReportService.cashiers, CashierRow),
}
