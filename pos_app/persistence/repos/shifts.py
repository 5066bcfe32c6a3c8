"""Shifts, cash movements and the aggregates behind X and Z reports."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, update

from ...domain.catalog import rate_from_ppm
from ...domain.ids import new_id_str
from ...services.ports import ShiftFigures, ShiftInfo
from .. import models as m
from ..models import UTCDateTime
from .base import RepoBase, dumps, sql, utcnow


def _info(s: m.Shift) -> ShiftInfo:
    return ShiftInfo(s.id, s.till_id, s.opened_by, s.opened_at, s.opening_float, s.closed_at,
                     s.z_no, json.loads(s.report) if s.report else None)


OPEN_SHIFT = sql("SELECT id, till_id, opened_by, opened_at, opening_float FROM shifts"
                 " WHERE till_id = :till AND closed_at IS NULL").columns(opened_at=UTCDateTime())


class ShiftRepo(RepoBase):
    def open_shift(self, till_id: str) -> ShiftInfo | None:
        row = self._exec(OPEN_SHIFT, {"till": till_id}).first()
        return ShiftInfo(row[0], row[1], row[2], row[3], row[4]) if row else None

    def last_closed_shift(self, till_id: str) -> ShiftInfo | None:
        s = self.session.scalar(select(m.Shift).where(m.Shift.till_id == till_id,
                                                      m.Shift.closed_at.is_not(None))
                                .order_by(m.Shift.z_no.desc()).limit(1))
        return _info(s) if s else None

    def add_shift(self, shift: ShiftInfo) -> None:
        self.session.execute(insert(m.Shift).values(
            id=shift.id, till_id=shift.till_id, opened_by=shift.opened_by,
            opened_at=shift.opened_at, opening_float=shift.opening_float))

    def next_z_no(self, till_id: str) -> int:
        return int(self.session.execute(
            update(m.Till).where(m.Till.id == till_id).values(last_z_no=m.Till.last_z_no + 1)
            .returning(m.Till.last_z_no)).scalar_one())

    def close_shift(
        self, shift_id: str, closed_by: str, closed_at: datetime, z_no: int,
        counted: dict[str, int], report: dict[str, Any],
    ) -> None:
        self.session.execute(update(m.Shift).where(m.Shift.id == shift_id).values(
            closed_by=closed_by, closed_at=closed_at, z_no=z_no, counted=dumps(counted),
            report=dumps(report)))

    def add_cash_movement(
        self, shift_id: str, kind: str, amount: int, reason: str | None, user_id: str
    ) -> None:
        self.session.execute(insert(m.CashMovement).values(
            id=new_id_str(), shift_id=shift_id, kind=kind, amount=amount, reason=reason,
            user_id=user_id, created_at=utcnow()))

    def shift_figures(self, shift_id: str) -> ShiftFigures:
        s, f = self.session, ShiftFigures()
        for kind, count, rounding in s.execute(
                select(m.Sale.kind, func.count(), func.sum(m.Sale.rounding))
                .where(m.Sale.shift_id == shift_id).group_by(m.Sale.kind)):
            if kind == "sale":
                f.sales_count += count
            else:
                f.returns_count += count
            f.rounding_total += int(rounding or 0)
        line = m.SaleLine
        pos, neg, disc = s.execute(
            select(func.sum(case((line.qty_milli > 0, line.total), else_=0)),
                   func.sum(case((line.qty_milli < 0, line.total), else_=0)),
                   func.sum(line.promo_discount + line.line_discount + line.order_discount))
            .join(m.Sale, m.Sale.id == line.sale_id).where(m.Sale.shift_id == shift_id)).one()
        f.sales_total, f.refunds_total, f.discount_total = int(pos or 0), int(neg or 0), int(
            disc or 0)
        f.tenders = {t: int(a) for t, a in s.execute(
            select(m.Payment.tender, func.sum(m.Payment.amount))
            .join(m.Sale, m.Sale.id == m.Payment.sale_id).where(m.Sale.shift_id == shift_id)
            .group_by(m.Payment.tender))}
        f.taxes = [(code, rate_from_ppm(rate), int(base), int(tax)) for code, rate, base, tax in
                   s.execute(select(m.SaleTax.tax_code, m.SaleTax.rate_ppm,
                                    func.sum(m.SaleTax.base), func.sum(m.SaleTax.tax))
                             .join(m.Sale, m.Sale.id == m.SaleTax.sale_id)
                             .where(m.Sale.shift_id == shift_id)
                             .group_by(m.SaleTax.tax_code, m.SaleTax.rate_ppm)
                             .order_by(m.SaleTax.rate_ppm))]
        for kind, count, amount in s.execute(
                select(m.VoidRecord.kind, func.count(), func.sum(m.VoidRecord.amount))
                .where(m.VoidRecord.shift_id == shift_id).group_by(m.VoidRecord.kind)):
            if kind == "sale":
                f.voids_sale = count
            else:
                f.voids_line = count
            f.voids_amount += int(amount or 0)
        for kind, count, amount in s.execute(
                select(m.CashMovement.kind, func.count(), func.sum(m.CashMovement.amount))
                .where(m.CashMovement.shift_id == shift_id).group_by(m.CashMovement.kind)):
            if kind == "paid_in":
                f.paid_in = int(amount or 0)
            elif kind == "paid_out":
                f.paid_out = int(amount or 0)
            elif kind == "no_sale":
                f.no_sales = count
        return f
