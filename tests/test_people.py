"""Customers, users and roles, shift history and past Z reports."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from pos_app.domain.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    StateError,
    ValidationError,
)
from pos_app.domain.users import Role
from pos_app.services.shifts import report_text

from .conftest import COFFEE, Shop


def audit_count(shop: Shop) -> int:
    con = sqlite3.connect(shop.data_dir / "pos.sqlite3")
    try:
        return int(con.execute("select count(*) from audit_log").fetchone()[0])
    finally:
        con.close()


def test_customers_paged_searched_and_edited(shop: Shop) -> None:
    app, u = shop.app, shop.cashier
    for i, name in enumerate(["Zoe", "Ada", "Bob", "Cy", "Dee"]):
        app.customers.add(u, f"C{i}", name, email=f"{name.lower()}@mail.test",
                          phone=f"0170{i}")
    names, after = [], None
    while True:
        page = app.people.customers(u, limit=2, after=after)
        names += [r.name for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert names == ["Ada", "Bob", "Cy", "Dee", "Zoe"]
    assert [r.code for r in app.people.customers(u, "bob@").rows] == ["C2"]
    assert [r.name for r in app.people.customers(u, "01704").rows] == ["Dee"]
    assert app.people.customers(u, "nobody").rows == []
    row = app.people.edit_customer(u, "C1", name="Ada Lovelace", email="ada@engine.test",
                                   phone=None, tax_exempt=True, exemption_ref="CERT-1")
    assert (row.name, row.tax_exempt, row.exemption_ref) == ("Ada Lovelace", True, "CERT-1")
    assert app.customers.get("C1").tax_exempt  # the till sees it: no tax for Ada now
    before = audit_count(shop)
    with pytest.raises(ValidationError, match="certificate"):
        app.people.edit_customer(u, "C1", name="Ada", email=None, phone=None,
                                 tax_exempt=True, exemption_ref="")
    with pytest.raises(ValidationError, match="e-mail"):
        app.people.edit_customer(u, "C1", name="Ada", email="nope", phone=None,
                                 tax_exempt=False, exemption_ref=None)
    with pytest.raises(NotFound):
        app.people.edit_customer(u, "C99", name="X", email=None, phone=None,
                                 tax_exempt=False, exemption_ref=None)
    assert audit_count(shop) == before


def test_users_roles_pins_and_lockout(shop: Shop) -> None:
    app, manager = shop.app, shop.manager
    people = app.people
    assert [u.username for u in people.users(manager)] == [
        "admin", "cashier", "manager", "supervisor"]
    with pytest.raises(PermissionDenied):
        people.users(shop.supervisor)
    ann = people.add_user(manager, "ann", "Ann", Role.CASHIER, "5555")
    assert app.auth.login("ann", "5555").role is Role.CASHIER
    assert people.set_role(manager, "ann", Role.SUPERVISOR).role is Role.SUPERVISOR
    assert app.auth.login("ann", "5555").role is Role.SUPERVISOR
    with pytest.raises(PermissionDenied, match="only an admin can make an admin"):
        people.set_role(manager, ann.id, Role.ADMIN)
    with pytest.raises(PermissionDenied, match="only an admin can change an admin"):
        people.reset_pin(manager, "admin", "1234")

    for _ in range(5):  # locked out after five wrong PINs
        with pytest.raises(AuthenticationFailed):
            app.auth.login("ann", "0000")
    with pytest.raises(AuthenticationFailed, match="locked"):
        app.auth.login("ann", "5555")
    people.reset_pin(manager, "ann", "7777")  # new PIN lifts the lock
    assert app.auth.login("ann", "7777").username == "ann"
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        people.reset_pin(manager, "ann", "12")

    assert not people.set_active(manager, ann.id, False).active
    with pytest.raises(AuthenticationFailed):
        app.auth.login("ann", "7777")
    people.set_active(manager, ann.id, True)
    assert app.auth.login("ann", "7777").active

    before = audit_count(shop)
    with pytest.raises(PermissionDenied):
        people.set_active(manager, "admin", False)
    with pytest.raises(NotFound):
        people.set_role(manager, "nobody", Role.CASHIER)
    assert audit_count(shop) == before  # refusals write nothing


def test_last_admin_cannot_be_demoted_or_deactivated(shop: Shop) -> None:
    people, admin = shop.app.people, shop.admin
    with pytest.raises(StateError, match="yourself"):
        people.set_active(admin, "admin", False)
    with pytest.raises(StateError, match="last admin"):
        people.set_role(admin, "admin", Role.MANAGER)
    people.set_role(admin, "manager", Role.ADMIN)  # a second admin
    second = shop.app.auth.login("manager", "3333")
    assert people.set_role(second, "admin", Role.MANAGER).role is Role.MANAGER
    with pytest.raises(StateError, match="last admin"):
        people.set_role(second, "manager", Role.CASHIER)
    people.set_role(second, "admin", Role.ADMIN)
    assert people.set_active(second, "admin", False).active is False
    with pytest.raises(StateError, match="yourself"):
        people.set_active(second, "manager", False)


def test_shift_history_and_past_z_reports(shop: Shop) -> None:
    app = shop.app
    co = app.checkout
    zs = []
    for n in range(3):
        cart = co.new_cart()
        co.scan(cart, COFFEE, shop.cashier, Decimal(n + 1))
        co.pay_cash(cart, co.cash_due(cart), shop.cashier)
        co.complete(cart, shop.cashier)
        zs.append(app.shifts.close(shop.supervisor, {"cash": 10000 + 1299 * (n + 1) - n}))
        app.shifts.open(shop.cashier, 10000)
    page = app.people.shifts(shop.supervisor, limit=2)
    rest = app.people.shifts(shop.supervisor, limit=2, after=page.next_cursor)
    rows = page.rows + rest.rows
    assert [r.z_no for r in rows] == [3, 2, 1] and rest.next_cursor is None
    assert [(r.sales_count, r.net_sales, r.cash_over_short) for r in rows] == [
        (1, 3897, -2), (1, 2598, -1), (1, 1299, 0)]
    assert [(r.sales_amount, r.refunds_amount) for r in rows] == [(3897, 0), (2598, 0),
                                                                  (1299, 0)]
    z = app.people.z_report(shop.supervisor, rows[1].id)
    assert z == zs[1] and "Z REPORT #2" in report_text(z)
    with pytest.raises(NotFound):
        app.people.z_report(shop.supervisor, app.shifts.require_open().id)  # still open
    with pytest.raises(PermissionDenied):
        app.people.shifts(shop.cashier)
