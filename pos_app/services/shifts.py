"""Shifts: open with a float, paid-in/out, no-sale, X report (mid-shift) and Z report (close)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..domain.errors import StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.money import format_plain
from ..domain.store import TillContext
from ..domain.tender import Tender
from ..domain.users import Permission, User
from .auth import AuthService, OverrideGrant
from .ports import ShiftFigures, ShiftInfo, Store


def build_report(kind: str, ctx: TillContext, shift: ShiftInfo, f: ShiftFigures,
                 counted: dict[str, int] | None, at: datetime,
                 z_no: int | None = None) -> dict[str, Any]:
    """Figures for X and Z alike; Z adds the count, over/short and its number."""
    cash_sales = f.tenders.get(Tender.CASH.value, 0)
    expected_cash = shift.opening_float + cash_sales + f.paid_in - f.paid_out
    tenders = []
    for tender in sorted(set(f.tenders) | set(counted or {}) | {Tender.CASH.value}):
        expected = expected_cash if tender == Tender.CASH.value else f.tenders.get(tender, 0)
        c = None if counted is None else counted.get(tender)
        tenders.append({"tender": tender, "expected": expected, "counted": c,
                        "over_short": None if c is None else c - expected})
    return {
        "type": kind, "z_no": z_no, "store": ctx.store_code, "till": ctx.till_code,
        "shift_id": shift.id, "currency": ctx.currency,
        "opened_at": shift.opened_at.isoformat(), "at": at.isoformat(),
        "sales": {"count": f.sales_count, "amount": f.sales_total},
        "refunds": {"count": f.returns_count, "amount": f.refunds_total},
        "net_sales": f.sales_total + f.refunds_total,
        "discounts": f.discount_total, "rounding": f.rounding_total,
        "taxes": [{"code": c, "rate": str(r), "base": b, "tax": t} for c, r, b, t in f.taxes],
        "cash": {"float": shift.opening_float, "sales": cash_sales, "paid_in": f.paid_in,
                 "paid_out": f.paid_out, "expected": expected_cash},
        "tenders": tenders,
        "voids": {"sales": f.voids_sale, "lines": f.voids_line, "amount": f.voids_amount},
        "no_sales": f.no_sales,
    }


def _when(iso: str) -> str:
    """A report's times in this till's local time, to the minute (the stored report keeps
    the exact UTC instant)."""
    return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def report_text(r: dict[str, Any]) -> str:
    cur = r["currency"]

    def m(v: int | None) -> str:
        return "-" if v is None else format_plain(v, cur)

    title = f"Z REPORT #{r['z_no']}" if r["type"] == "Z" else "X REPORT (shift still open)"
    out = [title, f"Store {r['store']}  Till {r['till']}  {cur}",
           f"Opened {_when(r['opened_at'])}", f"At     {_when(r['at'])}", "",
           f"Sales    {r['sales']['count']:>5}  {m(r['sales']['amount']):>12}",
           f"Refunds  {r['refunds']['count']:>5}  {m(r['refunds']['amount']):>12}",
           f"Net sales       {m(r['net_sales']):>12}",
           f"Discounts       {m(r['discounts']):>12}",
           f"Cash rounding   {m(r['rounding']):>12}", "", "Tax"]
    out += [f"  {t['code']:<8} {t['rate']:>6}  base {m(t['base']):>12}  tax {m(t['tax']):>10}"
            for t in r["taxes"]]
    c = r["cash"]
    out += ["", "Cash drawer", f"  float    {m(c['float']):>12}", f"  sales    {m(c['sales']):>12}",
            f"  paid in  {m(c['paid_in']):>12}", f"  paid out {m(c['paid_out']):>12}",
            f"  expected {m(c['expected']):>12}", "", "Tenders  expected  counted  over/short"]
    out += [f"  {t['tender']:<12} {m(t['expected']):>10} {m(t['counted']):>10} "
            f"{m(t['over_short']):>10}" for t in r["tenders"]]
    v = r["voids"]
    out += ["", f"Voided sales {v['sales']}  voided lines {v['lines']}  amount {m(v['amount'])}",
            f"No-sale drawer opens {r['no_sales']}"]
    return "\n".join(out) + "\n"


def report_csv(r: dict[str, Any]) -> str:
    """Flat ``section,key,value`` rows: easy for a spreadsheet, stable for scripts."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "key", "value"])
    for k in ("type", "z_no", "store", "till", "shift_id", "currency", "opened_at", "at",
              "net_sales", "discounts", "rounding", "no_sales"):
        w.writerow(["shift", k, r[k]])
    for sec in ("sales", "refunds", "cash", "voids"):
        for k, v in r[sec].items():
            w.writerow([sec, k, v])
    for t in r["taxes"]:
        w.writerow(["tax", f"{t['code']}@{t['rate']}", f"{t['base']}/{t['tax']}"])
    for t in r["tenders"]:
        for k in ("expected", "counted", "over_short"):
            w.writerow(["tender", f"{t['tender']}.{k}", "" if t[k] is None else t[k]])
    return buf.getvalue()


@dataclass(slots=True)
class ShiftService:
    store: Store
    ctx: TillContext
    auth: AuthService
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def current(self) -> ShiftInfo | None:
        with self.store.tx() as tx:
            return tx.open_shift(self.ctx.till_id)

    def require_open(self) -> ShiftInfo:
        shift = self.current()
        if shift is None:
            raise StateError("no open shift on till {till_code}: open one first",
                             till_code=self.ctx.till_code)
        return shift

    def open(self, user: User, opening_float: int) -> ShiftInfo:
        self.auth.require(user, Permission.SHIFT)
        if opening_float < 0:
            raise ValidationError("the float cannot be negative")
        shift = ShiftInfo(new_id_str(), self.ctx.till_id, user.id, self.clock(),
                          opening_float)
        with self.store.tx(write=True) as tx:
            if tx.open_shift(self.ctx.till_id) is not None:
                raise StateError("till {till_code} already has an open shift",
                                 till_code=self.ctx.till_code)
            tx.add_shift(shift)
            tx.append_audit(self.ctx.till_id, user.id, "shift_open", shift.id,
                            {"float": opening_float})
            tx.commit()
        return shift

    def cash_movement(self, user: User, kind: str, amount: int, reason: str,
                      grant: OverrideGrant | None = None) -> None:
        """Paid-in, paid-out or a no-sale drawer open (amount 0)."""
        permission = Permission.NO_SALE if kind == "no_sale" else Permission.PAID_IN_OUT
        approver = self.auth.require(user, permission, grant)
        if kind not in ("paid_in", "paid_out", "no_sale"):
            raise ValidationError("kind is paid_in, paid_out or no_sale")
        if kind != "no_sale" and amount <= 0:
            raise ValidationError("amount must be more than zero")
        if kind != "no_sale" and not reason.strip():
            raise ValidationError("say what the money was for")
        with self.store.tx(write=True) as tx:
            shift = tx.open_shift(self.ctx.till_id)
            if shift is None:
                raise StateError("no open shift on till {till_code}: open one first",
                                 till_code=self.ctx.till_code)
            tx.add_cash_movement(shift.id, kind, amount if kind != "no_sale" else 0, reason,
                                 user.id)
            tx.append_audit(self.ctx.till_id, user.id, kind, shift.id,
                            {"amount": amount, "reason": reason, "approved_by": approver})
            tx.commit()

    def x_report(self, user: User) -> dict[str, Any]:
        self.auth.require(user, Permission.X_REPORT)
        with self.store.tx() as tx:
            shift = tx.open_shift(self.ctx.till_id)
            if shift is None:
                raise StateError("no open shift on till {till_code}", till_code=self.ctx.till_code)
            figures = tx.shift_figures(shift.id)
        return build_report("X", self.ctx, shift, figures, None, self.clock())

    def close(self, user: User, counted: dict[str, int],
              grant: OverrideGrant | None = None) -> dict[str, Any]:
        """Z report: freeze the figures, compare with the count, close the shift; one tx."""
        approver = self.auth.require(user, Permission.Z_REPORT, grant)
        for tender, amount in counted.items():
            if tender not in {t.value for t in Tender} or amount < 0:
                raise ValidationError("bad count for {tender!r}", tender=tender)
        with self.store.tx(write=True) as tx:
            shift = tx.open_shift(self.ctx.till_id)
            if shift is None:
                raise StateError("no open shift on till {till_code}", till_code=self.ctx.till_code)
            now = self.clock()
            z_no = tx.next_z_no(self.ctx.till_id)
            report = build_report("Z", self.ctx, shift, tx.shift_figures(shift.id), counted,
                                  now, z_no)
            tx.close_shift(shift.id, user.id, now, z_no, counted, report)
            tx.add_event("shift.closed", "shift", shift.id, report)
            tx.append_audit(self.ctx.till_id, user.id, "shift_close", shift.id,
                            {"z_no": z_no, "approved_by": approver,
                             "over_short": {t["tender"]: t["over_short"]
                                            for t in report["tenders"]}})
            tx.commit()
        return report

    def last_z(self) -> dict[str, Any] | None:
        with self.store.tx() as tx:
            shift = tx.last_closed_shift(self.ctx.till_id)
        return shift.report if shift else None
