"""Completed sales, payment attempts, voids and parked carts."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update

from ...domain.catalog import rate_from_ppm, rate_to_ppm
from ...domain.devices import AttemptStatus, PaymentAttempt
from ...domain.ids import new_id_str
from ...domain.quantity import from_milli, to_milli
from ...domain.sale import CompletedSale, SaleLine, SalePayment, SaleTax
from .. import models as m
from .base import RepoBase, dumps, sql, utcnow

NEXT_RECEIPT = sql("UPDATE tills SET last_receipt_no = last_receipt_no + 1 WHERE id = :id"
                   " RETURNING last_receipt_no")
INSERT_SALE = sql(
    "INSERT INTO sales (id, till_id, shift_id, receipt_no, seq, kind, customer_id, cashier_id,"
    " currency, tax_mode, subtotal, discount_total, tax_total, total, rounding, order_discount,"
    " loyalty_earned, loyalty_redeemed, approved_by, completed_at) VALUES (:id, :till_id,"
    " :shift_id, :receipt_no, :seq, :kind, :customer_id, :cashier_id, :currency, :tax_mode,"
    " :subtotal, :discount_total, :tax_total, :total, :rounding, :order_discount,"
    " :loyalty_earned, :loyalty_redeemed, :approved_by, :completed_at)", "completed_at")
INSERT_LINE = sql(
    "INSERT INTO sale_lines (id, sale_id, line_no, variant_id, sku, name, qty_milli, unit_price,"
    " list_price, gross, promo_discount, line_discount, order_discount, net, tax, total,"
    " tax_code, tax_rate_ppm, return_of_line_id, restock, promo_codes, override_by, unit_cost)"
    " VALUES"
    " (:id, :sale_id, :line_no, :variant_id, :sku, :name, :qty_milli, :unit_price, :list_price,"
    " :gross, :promo_discount, :line_discount, :order_discount, :net, :tax, :total, :tax_code,"
    " :tax_rate_ppm, :return_of_line_id, :restock, :promo_codes, :override_by, :unit_cost)")
INSERT_TAX = sql("INSERT INTO sale_taxes (sale_id, tax_code, rate_ppm, base, tax)"
                 " VALUES (:sale_id, :tax_code, :rate_ppm, :base, :tax)")
INSERT_PAYMENT = sql(
    "INSERT INTO payments (id, sale_id, tender, amount, tendered, change, provider,"
    " provider_ref, original_payment_id) VALUES (:id, :sale_id, :tender, :amount, :tendered,"
    " :change, :provider, :provider_ref, :original_payment_id)")
UPDATE_ATTEMPT = sql(
    "UPDATE payment_attempts SET status = :status, provider_ref = :ref, message = :msg,"
    " updated_at = :at WHERE id = :id", "at")


def _attempt(row: m.PaymentAttempt) -> PaymentAttempt:
    return PaymentAttempt(row.id, row.cart_id, row.amount, row.currency,
                          AttemptStatus(row.status), row.provider, row.provider_ref, row.message,
                          row.user_id, row.cart_json, json.loads(row.provider_state or "{}"),
                          row.captured_at, row.created_at)


class SalesRepo(RepoBase):
    def next_receipt_seq(self, till_id: str) -> int:
        """Gapless: the counter moves in the sale's own transaction and rolls back with it."""
        return int(self._exec(NEXT_RECEIPT, {"id": till_id}).scalar_one())

    def add_sale(self, sale: CompletedSale) -> None:
        self._exec(INSERT_SALE, {
            "id": sale.id, "till_id": sale.till_id, "shift_id": sale.shift_id,
            "receipt_no": sale.receipt_no, "seq": sale.seq, "kind": sale.kind,
            "customer_id": sale.customer_id, "cashier_id": sale.cashier_id,
            "currency": sale.currency, "tax_mode": sale.tax_mode, "subtotal": sale.subtotal,
            "discount_total": sale.discount_total, "tax_total": sale.tax_total,
            "total": sale.total, "rounding": sale.rounding,
            "order_discount": dumps(sale.order_discount) if sale.order_discount else None,
            "loyalty_earned": sale.loyalty_earned, "loyalty_redeemed": sale.loyalty_redeemed,
            "approved_by": sale.approved_by, "completed_at": sale.completed_at})
        self._exec(INSERT_LINE, [
            {"id": ln.id, "sale_id": sale.id, "line_no": ln.line_no, "variant_id": ln.variant_id,
             "sku": ln.sku, "name": ln.name, "qty_milli": to_milli(ln.qty),
             "unit_price": ln.unit_price, "list_price": ln.list_price, "gross": ln.gross,
             "promo_discount": ln.promo_discount, "line_discount": ln.line_discount,
             "order_discount": ln.order_discount, "net": ln.net, "tax": ln.tax,
             "total": ln.total, "tax_code": ln.tax_code,
             "tax_rate_ppm": rate_to_ppm(ln.tax_rate), "return_of_line_id": ln.return_of_line_id,
             "restock": ln.restock, "promo_codes": ",".join(ln.promo_codes) or None,
             "override_by": ln.override_by, "unit_cost": ln.unit_cost}
            for ln in sale.lines])
        if sale.taxes:
            self._exec(INSERT_TAX, [
                {"sale_id": sale.id, "tax_code": t.code, "rate_ppm": rate_to_ppm(t.rate),
                 "base": t.base, "tax": t.tax} for t in sale.taxes])
        if sale.payments:
            self._exec(INSERT_PAYMENT, [
                {"id": p.id, "sale_id": sale.id, "tender": p.tender, "amount": p.amount,
                 "tendered": p.tendered, "change": p.change, "provider": p.provider,
                 "provider_ref": p.provider_ref, "original_payment_id": p.original_payment_id}
                for p in sale.payments])

    def _load_sale(self, row: m.Sale) -> CompletedSale:
        lines = self.session.scalars(select(m.SaleLine).where(m.SaleLine.sale_id == row.id)
                                     .order_by(m.SaleLine.line_no))
        taxes = self.session.scalars(select(m.SaleTax).where(m.SaleTax.sale_id == row.id)
                                     .order_by(m.SaleTax.rate_ppm, m.SaleTax.tax_code))
        pays = self.session.scalars(select(m.Payment).where(m.Payment.sale_id == row.id)
                                    .order_by(m.Payment.id))
        return CompletedSale(
            id=row.id, receipt_no=row.receipt_no, seq=row.seq, kind=row.kind,
            till_id=row.till_id, shift_id=row.shift_id, cashier_id=row.cashier_id,
            customer_id=row.customer_id, currency=row.currency, tax_mode=row.tax_mode,
            subtotal=row.subtotal, discount_total=row.discount_total, tax_total=row.tax_total,
            total=row.total, rounding=row.rounding, completed_at=row.completed_at,
            lines=tuple(SaleLine(
                ln.id, ln.line_no, ln.variant_id, ln.sku, ln.name, from_milli(ln.qty_milli),
                ln.unit_price, ln.list_price, ln.gross, ln.promo_discount, ln.line_discount,
                ln.order_discount, ln.net, ln.tax, ln.total, ln.tax_code,
                rate_from_ppm(ln.tax_rate_ppm), ln.return_of_line_id, ln.restock,
                tuple(ln.promo_codes.split(",")) if ln.promo_codes else (), ln.override_by,
                ln.unit_cost)
                for ln in lines),
            taxes=tuple(SaleTax(t.tax_code, rate_from_ppm(t.rate_ppm), t.base, t.tax)
                        for t in taxes),
            payments=tuple(SalePayment(p.id, p.tender, p.amount, p.tendered, p.change,
                                       p.provider, p.provider_ref, p.original_payment_id)
                           for p in pays),
            loyalty_earned=row.loyalty_earned, loyalty_redeemed=row.loyalty_redeemed,
            approved_by=row.approved_by,
            order_discount=json.loads(row.order_discount) if row.order_discount else None,
        )

    def sale_by_receipt(self, receipt_no: str) -> CompletedSale | None:
        row = self.session.scalar(select(m.Sale).where(m.Sale.receipt_no == receipt_no))
        return self._load_sale(row) if row else None

    def sale_by_line(self, line_id: str) -> CompletedSale | None:
        row = self.session.scalar(select(m.Sale).join(m.SaleLine, m.SaleLine.sale_id == m.Sale.id)
                                  .where(m.SaleLine.id == line_id))
        return self._load_sale(row) if row else None

    def customer_sales(self, customer_id: str, limit: int) -> list[CompletedSale]:
        rows = self.session.scalars(select(m.Sale).where(m.Sale.customer_id == customer_id)
                                    .order_by(m.Sale.completed_at.desc()).limit(limit))
        return [self._load_sale(r) for r in rows]

    def returned_by_line(self, line_ids: list[str]) -> dict[str, tuple[Decimal, int, int]]:
        if not line_ids:
            return {}
        rows = self.session.execute(
            select(m.SaleLine.return_of_line_id, func.sum(m.SaleLine.qty_milli),
                   func.sum(m.SaleLine.net), func.sum(m.SaleLine.tax))
            .where(m.SaleLine.return_of_line_id.in_(line_ids))
            .group_by(m.SaleLine.return_of_line_id))
        return {r[0]: (from_milli(-int(r[1])), -int(r[2]), -int(r[3])) for r in rows}

    def refunded_by_payment(self, payment_ids: list[str]) -> dict[str, int]:
        if not payment_ids:
            return {}
        rows = self.session.execute(
            select(m.Payment.original_payment_id, func.sum(m.Payment.amount))
            .where(m.Payment.original_payment_id.in_(payment_ids))
            .group_by(m.Payment.original_payment_id))
        return {r[0]: -int(r[1]) for r in rows}

    def add_payment_attempt(
        self, attempt_id: str, till_id: str, cart_id: str, amount: int, currency: str,
        provider: str, user_id: str | None = None, cart_json: str | None = None,
    ) -> None:
        now = utcnow()
        self.session.execute(insert(m.PaymentAttempt).values(
            id=attempt_id, till_id=till_id, cart_id=cart_id, amount=amount, currency=currency,
            status="pending", provider=provider, created_at=now, updated_at=now,
            user_id=user_id, cart_json=cart_json))

    def payment_attempt(self, attempt_id: str) -> PaymentAttempt | None:
        row = self.session.get(m.PaymentAttempt, attempt_id)
        return None if row is None else _attempt(row)

    def payment_attempts(self, till_id: str, statuses: list[str]) -> list[PaymentAttempt]:
        rows = self.session.execute(select(m.PaymentAttempt).where(
            m.PaymentAttempt.till_id == till_id, m.PaymentAttempt.status.in_(statuses))
            .order_by(m.PaymentAttempt.created_at, m.PaymentAttempt.id)).scalars()
        return [_attempt(r) for r in rows]

    def uncaptured_attempts(self, till_id: str) -> list[PaymentAttempt]:
        """Charges in completed sales whose capture has not been confirmed yet."""
        rows = self.session.execute(select(m.PaymentAttempt).where(
            m.PaymentAttempt.till_id == till_id, m.PaymentAttempt.status == "used",
            m.PaymentAttempt.amount > 0, m.PaymentAttempt.captured_at.is_(None))
            .order_by(m.PaymentAttempt.created_at)).scalars()
        return [_attempt(r) for r in rows]

    def remember_provider_state(self, attempt_id: str, key: str, value: str) -> None:
        row = self.session.get(m.PaymentAttempt, attempt_id, with_for_update=True)
        if row is None:
            raise KeyError(attempt_id)
        state = json.loads(row.provider_state or "{}")
        state[key] = value
        row.provider_state = dumps(state)
        row.updated_at = utcnow()

    def mark_captured(self, attempt_id: str) -> None:
        self.session.execute(update(m.PaymentAttempt).where(
            m.PaymentAttempt.id == attempt_id).values(captured_at=utcnow(), updated_at=utcnow()))

    def update_payment_attempt(
        self, attempt_id: str, status: str, provider_ref: str | None, message: str | None
    ) -> None:
        self._exec(UPDATE_ATTEMPT, {"status": status, "ref": provider_ref, "msg": message,
                                    "at": utcnow(), "id": attempt_id})

    def add_void(
        self, shift_id: str | None, kind: str, user_id: str, amount: int, lines: int
    ) -> None:
        self.session.execute(insert(m.VoidRecord).values(
            id=new_id_str(), shift_id=shift_id, kind=kind, user_id=user_id, amount=amount,
            lines=lines, created_at=utcnow()))

    def park(self, park_id: str, till_id: str, user_id: str, label: str, cart: str) -> None:
        self.session.execute(insert(m.ParkedSale).values(
            id=park_id, till_id=till_id, user_id=user_id, label=label, cart=cart,
            created_at=utcnow()))

    def parked(self, till_id: str) -> list[tuple[str, str, datetime]]:
        rows = self.session.execute(select(m.ParkedSale.id, m.ParkedSale.label,
                                           m.ParkedSale.created_at)
                                    .where(m.ParkedSale.till_id == till_id)
                                    .order_by(m.ParkedSale.created_at))
        return [(r[0], r[1], r[2]) for r in rows]

    def take_parked(self, park_id: str) -> str | None:
        row = self.session.get(m.ParkedSale, park_id)
        if row is None:
            return None
        cart = row.cart
        self.session.execute(delete(m.ParkedSale).where(m.ParkedSale.id == park_id))
        return cart
