"""Back-office people and shifts: customers, users and roles, closed shifts and Z reports.

User changes follow the roles in ``domain/users.py``: managers and admins manage
users, only an admin makes or changes an admin, and the store always keeps one
active admin (and nobody deactivates themselves), so it can never be locked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.backoffice import (
    CURSOR_SEP,
    CustomerRow,
    Page,
    ShiftRow,
    UserRow,
    check_limit,
    keyset_cursor,
    make_page,
    offset_cursor,
)
from ..domain.errors import NotFound, PermissionDenied, StateError, ValidationError
from ..domain.store import Customer, TillContext
from ..domain.users import Permission, Role, User
from .auth import AuthService, hash_pin
from .ports import Store, Tx


@dataclass(slots=True)
class PeopleService:
    store: Store
    ctx: TillContext
    auth: AuthService

    # ----- customers --------------------------------------------------------------------
    def customers(self, user: User, search: str | None = None, *, limit: int = 50,
                  after: str | None = None) -> Page[CustomerRow]:
        """By name, a page at a time, with loyalty points and store credit; ``search``
        matches part of the name, code, e-mail or phone."""
        self.auth.require(user, Permission.CUSTOMERS)
        check_limit(limit)
        text = (search or "").strip() or None
        with self.store.tx() as tx:
            if text:
                start = offset_cursor(after)
                rows = tx.customer_rows(text, None, start, limit + 1)
                return make_page(rows, limit, lambda _r: f"#{start + limit}")
            rows = tx.customer_rows(None, keyset_cursor(after), 0, limit + 1)
        return make_page(rows, limit, lambda r: f"{r.name}{CURSOR_SEP}{r.id}")

    def edit_customer(self, user: User, customer: str, *, name: str, email: str | None,
                      phone: str | None, tax_exempt: bool,
                      exemption_ref: str | None) -> CustomerRow:
        """Replace a customer's details (id or code); balances live in their ledgers."""
        self.auth.require(user, Permission.CUSTOMERS)
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationError("a customer name is 1 to 200 characters")
        if tax_exempt and not (exemption_ref or "").strip():
            raise ValidationError("a tax-exempt customer needs an exemption certificate number")
        if email and "@" not in email:
            raise ValidationError("not an e-mail address: {email!r}", email=email)
        with self.store.tx(write=True) as tx:
            old = tx.customer(customer.strip())
            if old is None:
                raise NotFound("no customer {customer!r}", customer=customer)
            new = Customer(old.id, old.code, name, email or None, phone or None, tax_exempt,
                           (exemption_ref or "").strip() or None)
            tx.update_customer(new)
            changed = {k: [getattr(old, k), getattr(new, k)]
                       for k in ("name", "email", "phone", "tax_exempt", "exemption_ref")
                       if getattr(old, k) != getattr(new, k)}
            tx.append_audit(self.ctx.till_id, user.id, "customer_updated", old.code, changed)
            tx.commit()
        return CustomerRow(new.id, new.code, new.name, new.email, new.phone, new.tax_exempt,
                           new.exemption_ref, old.loyalty_points, old.store_credit)

    # ----- users ------------------------------------------------------------------------
    def users(self, user: User) -> list[UserRow]:
        self.auth.require(user, Permission.USERS)
        with self.store.tx() as tx:
            return tx.user_rows()

    def add_user(self, user: User, username: str, display_name: str, role: Role,
                 pin: str) -> UserRow:
        created = self.auth.create_user(user, username, display_name, role, pin)
        return UserRow(created.id, created.username, created.display_name, created.role,
                       True, None)

    def _target(self, tx: Tx, actor: User, user_id: str) -> User:
        self.auth.require(actor, Permission.USERS)
        target = tx.user_by_id(user_id) or tx.user_by_name(user_id)
        if target is None:
            raise NotFound("no user {user_id!r}", user_id=user_id)
        if target.role is Role.ADMIN and actor.role is not Role.ADMIN:
            raise PermissionDenied("only an admin can change an admin", "users")
        return target

    def _row(self, tx: Tx, user_id: str) -> UserRow:
        return next(r for r in tx.user_rows() if r.id == user_id)

    def set_role(self, user: User, target: str, role: Role) -> UserRow:
        """``target``: id or user name. Takes effect at the user's next login."""
        with self.store.tx(write=True) as tx:
            t = self._target(tx, user, target)
            if role is Role.ADMIN and user.role is not Role.ADMIN:
                raise PermissionDenied("only an admin can make an admin", "users")
            if t.role is role:
                return self._row(tx, t.id)
            if t.role is Role.ADMIN and t.active and tx.active_admins() <= 1:
                raise StateError("{username} is the last admin: make another admin first",
                                 username=t.username)
            tx.set_user_role(t.id, role)
            tx.append_audit(self.ctx.till_id, user.id, "user_role_changed", t.username,
                            {"old": t.role.value, "new": role.value})
            row = self._row(tx, t.id)
            tx.commit()
        return row

    def reset_pin(self, user: User, target: str, new_pin: str) -> None:
        """A new PIN (argon2id); also lifts a lockout after wrong PINs."""
        pin_hash = hash_pin(new_pin)
        with self.store.tx(write=True) as tx:
            t = self._target(tx, user, target)
            tx.set_pin_hash(t.id, pin_hash)
            tx.set_login_state(t.id, 0, None)
            tx.append_audit(self.ctx.till_id, user.id, "user_pin_reset", t.username, {})
            tx.commit()

    def set_active(self, user: User, target: str, active: bool) -> UserRow:
        """Deactivate (no more logins; history keeps the name) or reactivate a user."""
        with self.store.tx(write=True) as tx:
            t = self._target(tx, user, target)
            if t.active == active:
                return self._row(tx, t.id)
            if not active:
                if t.id == user.id:
                    raise StateError("you cannot deactivate yourself")
                if t.role is Role.ADMIN and tx.active_admins() <= 1:
                    raise StateError("{username} is the last active admin", username=t.username)
            tx.set_user_active(t.id, active)
            tx.append_audit(self.ctx.till_id, user.id,
                            "user_activated" if active else "user_deactivated", t.username, {})
            row = self._row(tx, t.id)
            tx.commit()
        return row

    # ----- shift history ------------------------------------------------------------------
    def shifts(self, user: User, *, till_id: str | None = None, limit: int = 50,
               after: str | None = None) -> Page[ShiftRow]:
        """Closed shifts, newest first, with the headline figures of their Z reports."""
        self.auth.require(user, Permission.Z_REPORT)
        check_limit(limit)
        with self.store.tx() as tx:
            rows = tx.closed_shifts(till_id, keyset_cursor(after), limit + 1)
        return make_page(rows, limit,
                         lambda r: f"{r.closed_at.isoformat()}{CURSOR_SEP}{r.id}")

    def z_report(self, user: User, shift_id: str) -> dict[str, Any]:
        """A past Z report exactly as frozen at close (``shifts.report_text``/``report_csv``
        print it)."""
        self.auth.require(user, Permission.Z_REPORT)
        with self.store.tx() as tx:
            report = tx.shift_report(shift_id)
        if report is None:
            raise NotFound("no closed shift {shift_id}", shift_id=shift_id)
        return dict(report)
