"""Report aggregates over completed sales in [start, end): all sums done by the database,
through the index on ``sales.completed_at``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, case, cast, func, literal, select
from sqlalchemy.orm import aliased

from ...domain.catalog import rate_from_ppm
from ...domain.quantity import from_milli
from ...domain.reports import (
    BucketFigures,
    CashierFigures,
    DiscountRow,
    ItemFigures,
    RefundRow,
    TaxRow,
    TenderRow,
)
from .. import models as m
from .base import RepoBase

SOLD = ("sale", "exchange")
RETURNED = ("return", "exchange")


def _n(value: Any) -> int:
    return int(value or 0)


class ReportsRepo(RepoBase):
    def _in_range(self, start: datetime, end: datetime) -> Any:
        return (m.Sale.completed_at >= start) & (m.Sale.completed_at < end)

    def _bucket(self, seconds: int) -> Any:
        if self.session.get_bind().dialect.name == "sqlite":
            epoch = cast(func.strftime("%s", m.Sale.completed_at), Integer)
        else:
            epoch = cast(func.floor(func.extract("epoch", m.Sale.completed_at)), BigInteger)
        return (epoch // seconds).label("bucket")

    def report_buckets(self, start: datetime, end: datetime,
                       bucket_seconds: int) -> list[BucketFigures]:
        bucket = self._bucket(bucket_seconds)
        out: dict[int, BucketFigures] = {}

        def get(b: int) -> BucketFigures:
            if b not in out:
                out[b] = BucketFigures(datetime.fromtimestamp(b * bucket_seconds, UTC))
            return out[b]

        for b, sold, returned in self.session.execute(
                select(bucket, func.sum(case((m.Sale.kind.in_(SOLD), 1), else_=0)),
                       func.sum(case((m.Sale.kind.in_(RETURNED), 1), else_=0)))
                .where(self._in_range(start, end)).group_by(bucket)):
            f = get(int(b))
            f.sales, f.returns = _n(sold), _n(returned)
        line = m.SaleLine
        pos = line.qty_milli > 0
        for b, qty, gross, disc, refunds, tax in self.session.execute(
                select(bucket, func.sum(line.qty_milli),
                       func.sum(case((pos, line.total), else_=0)),
                       func.sum(case((pos, line.promo_discount + line.line_discount
                                      + line.order_discount), else_=0)),
                       func.sum(case((pos, 0), else_=line.total)), func.sum(line.tax))
                .join(m.Sale, m.Sale.id == line.sale_id)
                .where(self._in_range(start, end)).group_by(bucket)):
            f = get(int(b))
            f.items, f.gross, f.discounts = from_milli(_n(qty)), _n(gross), _n(disc)
            f.refunds, f.tax = _n(refunds), _n(tax)
        return [out[b] for b in sorted(out)]

    def report_items(self, start: datetime, end: datetime, by_category: bool, order: str,
                     limit: int) -> list[ItemFigures]:
        line = m.SaleLine
        costed = line.unit_cost.is_not(None)
        revenue = func.sum(line.total)
        qty = func.sum(line.qty_milli)
        costed_net = func.sum(case((costed, line.total - line.tax), else_=0))
        cost_milli = func.sum(case((costed, line.unit_cost * line.qty_milli), else_=0))
        cols = [qty, revenue, func.sum(line.tax), costed_net, cost_milli,
                func.sum(case((costed, 0), else_=line.qty_milli))]
        if by_category:
            key, label, sku = m.Category.id, func.max(m.Category.name), literal(None)
            stmt = (select(key, label, sku, *cols).join(m.Sale, m.Sale.id == line.sale_id)
                    .join(m.Variant, m.Variant.id == line.variant_id)
                    .join(m.Product, m.Product.id == m.Variant.product_id)
                    .outerjoin(m.Category, m.Category.id == m.Product.category_id)
                    .group_by(m.Category.id))
        else:
            key, label, sku = line.variant_id, func.max(line.name), func.max(line.sku)
            stmt = (select(key, label, sku, *cols).join(m.Sale, m.Sale.id == line.sale_id)
                    .group_by(line.variant_id))
        rank = {"qty": qty, "revenue": revenue,
                "margin": costed_net * 1000 - cost_milli}[order]
        stmt = stmt.where(self._in_range(start, end)).order_by(rank.desc(), key).limit(limit)
        return [ItemFigures(r[0], r[1] or "(no category)", r[2], from_milli(_n(r[3])),
                            _n(r[4]), _n(r[5]), _n(r[6]), _n(r[7]), from_milli(_n(r[8])))
                for r in self.session.execute(stmt)]

    def report_tenders(self, start: datetime, end: datetime) -> list[TenderRow]:
        p = m.Payment
        rows = self.session.execute(
            select(p.tender, func.count(), func.sum(case((p.amount > 0, p.amount), else_=0)),
                   func.sum(case((p.amount < 0, p.amount), else_=0)), func.sum(p.amount))
            .join(m.Sale, m.Sale.id == p.sale_id).where(self._in_range(start, end))
            .group_by(p.tender).order_by(func.sum(p.amount).desc(), p.tender))
        return [TenderRow(r[0], _n(r[1]), _n(r[2]), _n(r[3]), _n(r[4])) for r in rows]

    def report_taxes(self, start: datetime, end: datetime) -> list[TaxRow]:
        t = m.SaleTax
        rows = self.session.execute(
            select(t.tax_code, t.rate_ppm, func.sum(t.base), func.sum(t.tax))
            .join(m.Sale, m.Sale.id == t.sale_id).where(self._in_range(start, end))
            .group_by(t.tax_code, t.rate_ppm).order_by(t.tax_code, t.rate_ppm))
        return [TaxRow(r[0], rate_from_ppm(r[1]), _n(r[2]), _n(r[3])) for r in rows]

    def report_discounts(self, start: datetime, end: datetime) -> list[DiscountRow]:
        line = m.SaleLine

        def lines(*cols: Any) -> Any:
            return (select(*cols).select_from(line).join(m.Sale, m.Sale.id == line.sale_id)
                    .where(self._in_range(start, end)))

        rows = [DiscountRow("promotion", code, _n(n), _n(amount))
                for code, n, amount in self.session.execute(
                    lines(line.promo_codes, func.count(), func.sum(line.promo_discount))
                    .where(line.promo_discount != 0)
                    .group_by(line.promo_codes).order_by(line.promo_codes))]
        for kind, column in (("line", line.line_discount), ("order", line.order_discount)):
            n, amount = self.session.execute(
                lines(func.count(), func.sum(column)).where(column != 0)).one()
            if n:
                rows.append(DiscountRow(kind, None, _n(n), _n(amount)))
        return rows

    def report_refunds(self, start: datetime, end: datetime, limit: int) -> list[RefundRow]:
        line = m.SaleLine
        neg = line.qty_milli < 0
        orig_line, orig_sale = aliased(m.SaleLine), aliased(m.Sale)
        approver = aliased(m.User)
        original = (select(func.max(orig_sale.receipt_no))
                    .join(orig_line, orig_line.sale_id == orig_sale.id)
                    .join(m.SaleLine, m.SaleLine.return_of_line_id == orig_line.id)
                    .where(m.SaleLine.sale_id == m.Sale.id).correlate(m.Sale)
                    .scalar_subquery())
        figures = (select(line.sale_id.label("sale_id"),
                          func.sum(case((neg, -line.qty_milli), else_=0)).label("units"),
                          func.sum(case((neg & line.restock, -line.qty_milli), else_=0))
                          .label("restocked"),
                          func.sum(case((neg, line.total), else_=0)).label("amount"))
                   .join(m.Sale, m.Sale.id == line.sale_id)
                   .where(self._in_range(start, end), m.Sale.kind.in_(RETURNED))
                   .group_by(line.sale_id).subquery())
        rows = self.session.execute(
            select(m.Sale.id, m.Sale.receipt_no, m.Sale.completed_at, m.Sale.kind,
                   m.User.username, original, approver.username, figures.c.units,
                   figures.c.restocked, figures.c.amount)
            .join(figures, figures.c.sale_id == m.Sale.id)
            .join(m.User, m.User.id == m.Sale.cashier_id)
            .outerjoin(approver, approver.id == m.Sale.approved_by)
            .order_by(m.Sale.completed_at, m.Sale.id).limit(limit))
        return [RefundRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], from_milli(_n(r[7])),
                          from_milli(_n(r[8])), _n(r[9])) for r in rows]

    def report_cashiers(self, start: datetime, end: datetime) -> list[CashierFigures]:
        line = m.SaleLine
        pos = line.qty_milli > 0
        people: dict[str, CashierFigures] = {}
        users = {u.id: u for u in self.session.scalars(select(m.User))}

        def get(user_id: str) -> CashierFigures:
            if user_id not in people:
                u = users.get(user_id)
                people[user_id] = CashierFigures(user_id, u.username if u else user_id,
                                                 u.display_name if u else user_id)
            return people[user_id]

        for uid, sold, returned in self.session.execute(
                select(m.Sale.cashier_id, func.sum(case((m.Sale.kind.in_(SOLD), 1), else_=0)),
                       func.sum(case((m.Sale.kind.in_(RETURNED), 1), else_=0)))
                .where(self._in_range(start, end)).group_by(m.Sale.cashier_id)):
            f = get(uid)
            f.sales, f.refunds = _n(sold), _n(returned)
        for uid, qty, revenue, disc, refunded in self.session.execute(
                select(m.Sale.cashier_id, func.sum(line.qty_milli),
                       func.sum(case((pos, line.total), else_=0)),
                       func.sum(case((pos, line.promo_discount + line.line_discount
                                      + line.order_discount), else_=0)),
                       func.sum(case((pos, 0), else_=line.total)))
                .join(m.Sale, m.Sale.id == line.sale_id)
                .where(self._in_range(start, end)).group_by(m.Sale.cashier_id)):
            f = get(uid)
            f.items, f.revenue = from_milli(_n(qty)), _n(revenue)
            f.discounts, f.refunded = _n(disc), _n(refunded)
        v = m.VoidRecord
        for uid, kind, n, amount in self.session.execute(
                select(v.user_id, v.kind, func.count(), func.sum(v.amount))
                .where(v.created_at >= start, v.created_at < end)
                .group_by(v.user_id, v.kind)):
            f = get(uid)
            if kind == "sale":
                f.voided_sales += _n(n)
            else:
                f.voided_lines += _n(n)
            f.voided += _n(amount)
        c = m.CashMovement
        for uid, n in self.session.execute(
                select(c.user_id, func.count())
                .where(c.created_at >= start, c.created_at < end, c.kind == "no_sale")
                .group_by(c.user_id)):
            get(uid).no_sales = _n(n)
        return sorted(people.values(), key=lambda f: (-f.revenue, f.username))

