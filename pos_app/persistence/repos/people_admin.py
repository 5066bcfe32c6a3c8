"""Back-office lists of customers (paged, with balances), users and closed shifts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, tuple_, update

from ...domain.backoffice import CustomerRow, ShiftRow, UserRow
from ...domain.store import Customer
from ...domain.users import Role
from .. import models as m
from .base import RepoBase


def _customer_query() -> Any:
    points = (select(func.coalesce(func.sum(m.LoyaltyEntry.points), 0))
              .where(m.LoyaltyEntry.customer_id == m.Customer.id).scalar_subquery())
    credit = (select(func.coalesce(func.sum(m.StoreCreditEntry.amount), 0))
              .where(m.StoreCreditEntry.customer_id == m.Customer.id).scalar_subquery())
    return select(m.Customer, points, credit)


class PeopleAdminRepo(RepoBase):
    def customer_rows(self, search: str | None, after: tuple[str, str] | None, offset: int,
                      limit: int) -> list[CustomerRow]:
        stmt = _customer_query()
        if search:
            pattern = f"%{search.lower()}%"
            stmt = stmt.where(or_(func.lower(m.Customer.name).like(pattern),
                                  func.lower(m.Customer.code).like(pattern),
                                  func.lower(m.Customer.email).like(pattern),
                                  m.Customer.phone.like(pattern)))
        if after is not None:
            stmt = stmt.where(tuple_(m.Customer.name, m.Customer.id) > tuple_(*after))
        stmt = stmt.order_by(m.Customer.name, m.Customer.id).offset(offset).limit(limit)
        return [CustomerRow(c.id, c.code, c.name, c.email, c.phone, c.tax_exempt,
                            c.exemption_ref, int(p or 0), int(s or 0))
                for c, p, s in self.session.execute(stmt)]

    def update_customer(self, customer: Customer) -> None:
        self.session.execute(update(m.Customer).where(m.Customer.id == customer.id).values(
            name=customer.name, email=customer.email, phone=customer.phone,
            tax_exempt=customer.tax_exempt, exemption_ref=customer.exemption_ref))

    def user_rows(self) -> list[UserRow]:
        return [UserRow(u.id, u.username, u.display_name, Role(u.role), u.active,
                        u.locked_until)
                for u in self.session.scalars(select(m.User).order_by(m.User.username))]

    def set_user_role(self, user_id: str, role: Role) -> None:
        self.session.execute(update(m.User).where(m.User.id == user_id).values(role=role.value))

    def set_user_active(self, user_id: str, active: bool) -> None:
        self.session.execute(update(m.User).where(m.User.id == user_id).values(active=active))

    def active_admins(self) -> int:
        return int(self.session.scalar(select(func.count()).where(
            m.User.role == Role.ADMIN.value, m.User.active.is_(True))) or 0)

    def closed_shifts(self, till_id: str | None, after: tuple[str, str] | None,
                      limit: int) -> list[ShiftRow]:
        s = m.Shift
        stmt = select(s).where(s.closed_at.is_not(None))
        if till_id is not None:
            stmt = stmt.where(s.till_id == till_id)
        if after is not None:
            at = datetime.fromisoformat(after[0])
            stmt = stmt.where(or_(s.closed_at < at, (s.closed_at == at) & (s.id < after[1])))
        rows = []
        for sh in self.session.scalars(stmt.order_by(s.closed_at.desc(), s.id.desc())
                                       .limit(limit)):
            r = json.loads(sh.report or "{}")
            cash = next((t for t in r.get("tenders", []) if t["tender"] == "cash"), {})
            rows.append(ShiftRow(
                sh.id, sh.till_id, sh.z_no or 0, sh.opened_at, sh.closed_at, sh.opened_by,
                sh.closed_by, r.get("sales", {}).get("count", 0),
                r.get("refunds", {}).get("count", 0), r.get("net_sales", 0),
                cash.get("expected", 0), cash.get("counted"), cash.get("over_short"),
                r.get("sales", {}).get("amount", 0), r.get("refunds", {}).get("amount", 0)))
        return rows

    def shift_report(self, shift_id: str) -> dict[str, object] | None:
        report = self.session.scalar(select(m.Shift.report).where(m.Shift.id == shift_id))
        return json.loads(report) if report else None
