"""Customers: create, look up, purchase history (loyalty and credit live in ledgers)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import NotFound, ValidationError
from ..domain.ids import new_id_str
from ..domain.sale import CompletedSale
from ..domain.store import Customer, TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import Store


@dataclass(slots=True)
class CustomerService:
    store: Store
    ctx: TillContext
    auth: AuthService

    def add(self, user: User, code: str, name: str, email: str | None = None,
            phone: str | None = None, tax_exempt: bool = False,
            exemption_ref: str | None = None) -> Customer:
        self.auth.require(user, Permission.CUSTOMERS)
        if not code.strip() or not name.strip():
            raise ValidationError("a customer needs a code and a name")
        if tax_exempt and not (exemption_ref or "").strip():
            raise ValidationError("a tax-exempt customer needs an exemption certificate number")
        customer = Customer(new_id_str(), code.strip(), name.strip(), email, phone, tax_exempt,
                            exemption_ref)
        with self.store.tx(write=True) as tx:
            if tx.customer(customer.code) is not None:
                raise ValidationError("customer {code!r} already exists", code=code)
            tx.add_customer(customer)
            tx.append_audit(self.ctx.till_id, user.id, "customer_created", customer.code,
                            {"tax_exempt": tax_exempt})
            tx.commit()
        return customer

    def get(self, id_or_code: str) -> Customer:
        with self.store.tx() as tx:
            c = tx.customer(id_or_code)
        if c is None:
            raise NotFound("no customer {id_or_code!r}", id_or_code=id_or_code)
        return c

    def history(self, id_or_code: str, limit: int = 50) -> list[CompletedSale]:
        c = self.get(id_or_code)
        with self.store.tx() as tx:
            return tx.customer_sales(c.id, limit)
