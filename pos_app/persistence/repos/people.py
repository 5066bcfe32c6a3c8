"""Users and customers (with their loyalty and store-credit ledgers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select, update

from ...domain.ids import new_id_str
from ...domain.store import Customer
from ...domain.users import Role, User
from .. import models as m
from .base import RepoBase, utcnow


def _user(u: m.User) -> User:
    return User(u.id, u.username, u.display_name, Role(u.role), u.active, u.failed_attempts,
                u.locked_until)


class PeopleRepo(RepoBase):
    def user_by_name(self, username: str) -> User | None:
        u = self.session.scalar(select(m.User).where(m.User.username == username))
        return _user(u) if u else None

    def user_by_id(self, user_id: str) -> User | None:
        u = self.session.get(m.User, user_id)
        return _user(u) if u else None

    def active_users(self) -> list[User]:
        rows = self.session.scalars(select(m.User).where(m.User.active.is_(True))
                                    .order_by(m.User.display_name))
        return [_user(u) for u in rows]

    def pin_hash(self, user_id: str) -> str:
        return self.session.scalar(select(m.User.pin_hash).where(m.User.id == user_id)) or ""

    def add_user(self, user: User, pin_hash: str) -> None:
        self.session.execute(insert(m.User).values(
            id=user.id, username=user.username, display_name=user.display_name,
            role=user.role.value, pin_hash=pin_hash, active=user.active, failed_attempts=0))

    def set_login_state(
        self, user_id: str, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        self.session.execute(update(m.User).where(m.User.id == user_id).values(
            failed_attempts=failed_attempts, locked_until=locked_until))

    def set_pin_hash(self, user_id: str, pin_hash: str) -> None:
        self.session.execute(update(m.User).where(m.User.id == user_id).values(pin_hash=pin_hash))

    def customer(self, id_or_code: str) -> Customer | None:
        c = self.session.scalar(select(m.Customer).where(
            or_(m.Customer.id == id_or_code, m.Customer.code == id_or_code)))
        if c is None:
            return None
        points = self.session.scalar(select(func.coalesce(func.sum(m.LoyaltyEntry.points), 0))
                                     .where(m.LoyaltyEntry.customer_id == c.id))
        credit = self.session.scalar(
            select(func.coalesce(func.sum(m.StoreCreditEntry.amount), 0))
            .where(m.StoreCreditEntry.customer_id == c.id))
        return Customer(c.id, c.code, c.name, c.email, c.phone, c.tax_exempt, c.exemption_ref,
                        int(points or 0), int(credit or 0))

    def add_customer(self, customer: Customer) -> None:
        self.session.execute(insert(m.Customer).values(
            id=customer.id, code=customer.code, name=customer.name, email=customer.email,
            phone=customer.phone, tax_exempt=customer.tax_exempt,
            exemption_ref=customer.exemption_ref, created_at=utcnow()))

    def add_loyalty(self, customer_id: str, points: int, sale_id: str | None) -> None:
        self.session.execute(insert(m.LoyaltyEntry).values(
            id=new_id_str(), customer_id=customer_id, points=points, sale_id=sale_id,
            created_at=utcnow()))

    def add_store_credit(
        self, customer_id: str, amount: int, currency: str, sale_id: str | None
    ) -> None:
        self.session.execute(insert(m.StoreCreditEntry).values(
            id=new_id_str(), customer_id=customer_id, amount=amount, currency=currency,
            sale_id=sale_id, created_at=utcnow()))
