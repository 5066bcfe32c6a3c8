"""Roles, permissions and per-role limits, enforced by the services (not only the UI)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    ADMIN = "admin"


class Permission(StrEnum):
    SELL = "sell"
    DISCOUNT = "discount"
    PRICE_OVERRIDE = "price_override"
    VOID_LINE = "void_line"
    VOID_SALE = "void_sale"
    REFUND = "refund"
    REFUND_NO_RECEIPT = "refund_no_receipt"
    NO_SALE = "no_sale"
    PAID_IN_OUT = "paid_in_out"
    SHIFT = "shift"
    X_REPORT = "x_report"
    Z_REPORT = "z_report"
    OVERRIDE = "override"  # may authorise another user's action with their PIN
    CATALOG = "catalog"
    STOCK = "stock"
    CUSTOMERS = "customers"
    REPORTS = "reports"
    USERS = "users"
    SETTINGS = "settings"
    AUDIT = "audit"
    KIOSK_EXIT = "kiosk_exit"  # leave the full-screen kiosk till (a manager's PIN)


@dataclass(frozen=True, slots=True)
class RolePolicy:
    permissions: frozenset[Permission]
    max_discount_pct: Decimal  # line or order discount, as percent of the amount
    max_markdown_pct: Decimal  # price override below list price, as percent of list


_CASHIER = frozenset({
    Permission.SELL, Permission.DISCOUNT, Permission.VOID_LINE, Permission.REFUND,
    Permission.SHIFT, Permission.X_REPORT, Permission.CUSTOMERS,
})
_SUPERVISOR = _CASHIER | {
    Permission.VOID_SALE, Permission.PRICE_OVERRIDE, Permission.REFUND_NO_RECEIPT,
    Permission.NO_SALE, Permission.PAID_IN_OUT, Permission.Z_REPORT, Permission.OVERRIDE,
}
_MANAGER = _SUPERVISOR | {
    Permission.CATALOG, Permission.STOCK, Permission.REPORTS, Permission.USERS,
    Permission.KIOSK_EXIT,
}
_ADMIN = frozenset(Permission)

POLICIES: dict[Role, RolePolicy] = {
    Role.CASHIER: RolePolicy(_CASHIER, Decimal(10), Decimal(0)),
    Role.SUPERVISOR: RolePolicy(frozenset(_SUPERVISOR), Decimal(25), Decimal(20)),
    Role.MANAGER: RolePolicy(frozenset(_MANAGER), Decimal(100), Decimal(100)),
    Role.ADMIN: RolePolicy(_ADMIN, Decimal(100), Decimal(100)),
}


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool = True
    failed_attempts: int = 0
    locked_until: datetime | None = None

    @property
    def policy(self) -> RolePolicy:
        return POLICIES[self.role]

    def can(self, permission: Permission) -> bool:
        return self.active and permission in self.policy.permissions
