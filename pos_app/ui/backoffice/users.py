"""Users: who may log in, with which role; add users, change roles, reset PINs (which
also lifts a lockout), deactivate and reactivate.

The rules are the service's (``PeopleService``): only an admin makes or changes an
admin, the last admin stays, nobody deactivates themselves. The page offers only
the roles the logged-in user may give and shows the service's refusals as they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import QLineEdit

from ...domain.backoffice import UserRow
from ...domain.users import Role
from ..models import Column
from ..widgets import label, open_dialog
from .page import FormDialog, Page, PageContext, Table
from .parts import ItemTable, accept, confirm, default_button, error_in, keep_selection


class UsersPage(Page):
    title = QT_TRANSLATE_NOOP("UsersPage", "Users")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("users_page")
        self.heading.setText(self.tr("Users"))
        self.people = ctx.app.people
        self.add_action(self.tr("Change role"), self.change_role, "change_role",
                        icon_name="users")
        self.add_action(self.tr("Reset PIN"), self.reset_pin, "reset_pin", icon_name="lock")
        self.active_btn = self.add_action(self.tr("Deactivate"), self.toggle_active,
                                          "toggle_active", icon_name="close")
        self.add_action(self.tr("New user"), self.new_user, "new_user", "primary", "plus")
        self.table: Table[UserRow] = ItemTable([
            Column(self.tr("User name"), lambda u: u.username),
            Column(self.tr("Name"), lambda u: u.display_name),
            Column(self.tr("Role"), lambda u: self.role_name(u.role)),
            Column(self.tr("State"), self.state),
        ], "users_table")
        self.table.rows_model.tone = lambda u: None if u.active and not self.locked(u) \
            else "warn_bg"
        keep_selection(self.table, lambda u: u.id)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selected())
        self.table.activated_row.connect(lambda _u: self.change_role())
        self.root.addWidget(self.table, 1)
        self.note = self.tr("A new role applies from the user's next login.")
        self.root.addWidget(label(self.note, "muted"))
        self.finish()

    # ------------------------------------------------------------------ showing
    def role_name(self, role: Role) -> str:
        return {Role.CASHIER: self.tr("Cashier"), Role.SUPERVISOR: self.tr("Supervisor"),
                Role.MANAGER: self.tr("Manager"), Role.ADMIN: self.tr("Admin")}[role]

    @staticmethod
    def locked(u: UserRow) -> bool:
        return u.locked_until is not None and u.locked_until > datetime.now(UTC)

    def state(self, u: UserRow) -> str:
        if not u.active:
            return self.tr("Inactive: cannot log in")
        if self.locked(u) and u.locked_until is not None:
            return self.tr("Locked until %1 (wrong PINs)").replace(
                "%1", self.fmt.time(u.locked_until))
        return self.tr("Active")

    def refresh(self) -> None:
        self.call(self.people.users, done=self._show)

    def _show(self, users: list[UserRow]) -> None:
        self.table.set_rows(users)
        self._selected()

    def _selected(self) -> None:
        u = self.table.current()
        self.active_btn.setText(self.tr("Reactivate") if u is not None and not u.active
                                else self.tr("Deactivate"))

    def roles(self) -> list[tuple[str, Role]]:
        """The roles this user may give: only an admin gives the admin role."""
        mine = self.user.role
        return [(self.role_name(r), r) for r in Role if r is not Role.ADMIN or
                mine is Role.ADMIN]

    def _chosen(self) -> UserRow | None:
        u = self.table.current()
        if u is None:
            self.show_error(self.tr("Choose a user in the list first."))
        return u

    def _done(self, text: str) -> Any:
        def done(_result: Any) -> None:
            self.show_info(text)
            self.refresh()

        return done

    # ------------------------------------------------------------------ actions
    def new_user(self) -> None:
        dlg = FormDialog(self, self.tr("New user"))
        dlg.text("username", self.tr("User name"), placeholder=self.tr("for logging in, e.g. "
                                                                        "anna"))
        dlg.text("display", self.tr("Name"), placeholder=self.tr("shown on the till"))
        dlg.choice("role", self.tr("Role"), self.roles(), Role.CASHIER)
        pin, again = _pin_fields(dlg)

        def save() -> None:
            if pin.text() != again.text():
                dlg.show_error(self.tr("The two PINs differ: type the same PIN twice."))
                return

            def added(row: UserRow) -> None:
                accept(dlg)
                self.show_info(self.tr("%1 can log in now.").replace("%1", row.display_name))
                self.refresh()

            self.call(self.people.add_user, dlg.value("username"), dlg.value("display"),
                      Role(dlg.value("role")), pin.text(), done=added, failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Add user"), save))
        open_dialog(dlg, name="user_dialog")

    def change_role(self) -> None:
        u = self._chosen()
        if u is None:
            return
        dlg = FormDialog(self, self.tr("Role of %1").replace("%1", u.display_name))
        dlg.choice("role", self.tr("Role"), self.roles(), u.role)
        dlg.note(self.note)

        def save() -> None:
            role = Role(dlg.value("role"))  # a combo box keeps the text of the enum

            def done(row: UserRow) -> None:
                accept(dlg)
                self._done(self.tr("%1 is now %2.").replace("%1", row.display_name)
                           .replace("%2", self.role_name(row.role).lower()))(row)

            self.call(self.people.set_role, u.id, role, done=done, failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Save"), save))
        open_dialog(dlg, name="role_dialog")

    def reset_pin(self) -> None:
        u = self._chosen()
        if u is None:
            return
        dlg = FormDialog(self, self.tr("New PIN for %1").replace("%1", u.display_name))
        if self.locked(u):
            dlg.note(self.tr("This also lifts the lockout after wrong PINs."))
        pin, again = _pin_fields(dlg)

        def save() -> None:
            if pin.text() != again.text():
                dlg.show_error(self.tr("The two PINs differ: type the same PIN twice."))
                return

            def done(_r: Any) -> None:
                accept(dlg)
                self._done(self.tr("%1 has a new PIN.").replace("%1", u.display_name))(None)

            self.call(self.people.reset_pin, u.id, pin.text(), done=done,
                      failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Set PIN"), save))
        open_dialog(dlg, name="pin_dialog")

    def toggle_active(self) -> None:
        u = self._chosen()
        if u is None:
            return
        if not u.active:
            self.call(self.people.set_active, u.id, True, done=self._done(
                self.tr("%1 can log in again.").replace("%1", u.display_name)))
            return
        confirm(self, self.tr("Deactivate %1?").replace("%1", u.display_name),
                self.tr("%1 can no longer log in. Their name stays on past sales and "
                        "reports; you can reactivate them later.").replace("%1", u.display_name),
                self.tr("Deactivate"), lambda: self.call(
                    self.people.set_active, u.id, False, done=self._done(
                        self.tr("%1 is deactivated.").replace("%1", u.display_name))),
                "deactivate_dialog", "danger")


def _pin_fields(dlg: FormDialog) -> tuple[QLineEdit, QLineEdit]:
    pin = dlg.text("pin", QCoreApplication.translate("UsersPage", "PIN"), password=True,
                   placeholder=QCoreApplication.translate("UsersPage", "4 to 8 digits"))
    again = dlg.text("pin_again", QCoreApplication.translate("UsersPage", "PIN again"),
                     password=True)
    for edit in (pin, again):
        edit.setMaxLength(8)
        edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return pin, again
