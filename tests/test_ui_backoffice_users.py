"""The Users page on a real demo store: a user added here logs in at the lock screen
with that PIN and, once deactivated, cannot; roles only as the service allows (its
refusals shown as they are); a PIN reset lifts a lockout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from pos_app.domain.errors import AuthenticationFailed
from pos_app.domain.users import Role

from .bokit import (
    back_office,
    choose,
    click,
    enter,
    leave,
    message,
    page,
    rows,
    select_where,
    shared_template,
    shot,
    type_into,
)

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


def state(p: Any, username: str) -> str:
    u = next((u for u in rows(p.table) if u.username == username), None)
    return "" if u is None else str(p.state(u))


def test_a_user_added_here_logs_in_and_once_deactivated_cannot(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path) as t:
        p = page(t, "users")
        t.wait(lambda: {"admin", "manager", "cashier"} <= {u.username for u in rows(p.table)})
        click(t, "new_user", p)
        dlg = t.dialog("user_dialog")
        role = dlg.findChild(object, "field_role")
        assert role.findData(Role.ADMIN) == -1  # a manager cannot make an admin
        type_into(t, dlg, "field_username", "anna")
        type_into(t, dlg, "field_display", "Anna")
        choose(t, dlg, "field_role", Role.SUPERVISOR)
        type_into(t, dlg, "field_pin", "4321")
        type_into(t, dlg, "field_pin_again", "4322", enter=True)
        t.wait(lambda: "differ" in dlg.error.text())
        shot(dlg, "users_new_user")
        type_into(t, dlg, "field_pin_again", "4321", enter=True)
        t.wait(lambda: "Anna can log in now" in message(p))
        t.wait(lambda: state(p, "anna") == "Active")

        # the manager may not change the admin: the service says so
        select_where(t, p.table, lambda u: u.username == "admin")
        click(t, "change_role", p)
        dlg = t.dialog("role_dialog")
        choose(t, dlg, "field_role", Role.MANAGER)
        click(t, "ok", dlg)
        t.wait(lambda: "Only an admin can change an admin" in dlg.error.text())
        click(t, "cancel", dlg)

        leave(t)
        t.login("anna", "4321")  # her tile on the lock screen, her PIN
        assert t.find("cashier_name").text() == "Anna"
        assert t.window.session.user.role is Role.SUPERVISOR
        t.window.lock()

        enter(t)
        p = page(t, "users")
        select_where(t, p.table, lambda u: u.username == "anna")
        t.wait(lambda: p.active_btn.text() == "Deactivate")
        click(t, "toggle_active", p)
        click(t, "ok", t.dialog("deactivate_dialog"))
        t.wait(lambda: "Anna is deactivated" in message(p))
        t.wait(lambda: state(p, "anna").startswith("Inactive"))
        assert p.active_btn.text() == "Reactivate"  # the row stays selected
        shot(t.window, "users")

        leave(t)
        lock = t.window.lock_screen
        t.wait(lambda: lock.findChild(QPushButton, "user_cashier") is not None
               and lock.findChild(QPushButton, "user_anna") is None)  # no tile any more
        t.type_keys(lock.username, "anna")  # typing her name does not help either
        for digit in "4321":
            t.click(f"key_{digit}", lock)
        t.click("key_enter", lock)
        t.wait(lambda: "wrong user name or pin" in t.find("login_error").text().lower())
        assert t.screen() == "lock_screen"
        with pytest.raises(AuthenticationFailed):
            t.app.auth.login("anna", "4321")


def test_the_last_admin_stays_and_a_pin_reset_lifts_a_lockout(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path, "admin", "9999") as t:
        for _ in range(3):  # the cashier is locked out after three wrong PINs
            with pytest.raises(AuthenticationFailed):
                t.app.auth.login("cashier", "0000")
        p = page(t, "users")
        t.wait(lambda: state(p, "cashier").startswith("Locked until"))

        select_where(t, p.table, lambda u: u.username == "admin")
        click(t, "change_role", p)
        dlg = t.dialog("role_dialog")
        assert dlg.findChild(object, "field_role").findData(Role.ADMIN) >= 0
        choose(t, dlg, "field_role", Role.MANAGER)
        click(t, "ok", dlg)
        t.wait(lambda: "Admin is the last admin: make another admin first" in dlg.error.text())
        shot(dlg, "users_last_admin")
        click(t, "cancel", dlg)
        click(t, "toggle_active", p)
        click(t, "ok", t.dialog("deactivate_dialog"))
        t.wait(lambda: "You cannot deactivate yourself" in message(p))
        assert state(p, "admin") == "Active"

        select_where(t, p.table, lambda u: u.username == "cashier")
        click(t, "reset_pin", p)
        dlg = t.dialog("pin_dialog")
        type_into(t, dlg, "field_pin", "5555")
        type_into(t, dlg, "field_pin_again", "5555", enter=True)
        t.wait(lambda: "Cashier has a new PIN" in message(p))
        t.wait(lambda: state(p, "cashier") == "Active")
        leave(t)
        t.login("cashier", "5555")
        t.wait(lambda: t.screen() == "sale_screen")
