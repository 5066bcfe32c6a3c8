"""Customers: find them (name, code, e-mail or phone), see their loyalty points and store
credit, add and edit them, including tax exemption with its certificate number.

Edits go through ``PeopleService.edit_customer``; the till reads customers afresh at
each lookup, so a change is what the cashier finds next.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QHBoxLayout

from ...domain.backoffice import CustomerRow
from ..models import RIGHT, Column
from ..widgets import open_dialog
from .page import FormDialog, Page, PageContext, Paged, Table
from .parts import ItemTable, accept, default_button, error_in, keep_selection


class CustomersPage(Page):
    title = QT_TRANSLATE_NOOP("CustomersPage", "Customers")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("customers_page")
        self.heading.setText(self.tr("Customers"))
        self.add_action(self.tr("Edit customer"), self.edit_current, "edit_customer",
                        icon_name="edit")
        self.add_action(self.tr("New customer"), lambda: self.edit(None), "new_customer",
                        "primary", "plus")
        row = QHBoxLayout()
        self.search = self.search_box(self.tr("Name, code, e-mail or phone"),
                                      lambda _t: self.refresh(), "customer_search")
        row.addWidget(self.search)
        self.root.addLayout(row)
        f = self.fmt
        self.table: Table[CustomerRow] = ItemTable([
            Column(self.tr("Code"), lambda c: c.code),
            Column(self.tr("Name"), lambda c: c.name),
            Column(self.tr("E-mail"), lambda c: c.email or ""),
            Column(self.tr("Phone"), lambda c: c.phone or ""),
            Column(self.tr("Tax exempt"), lambda c: (c.exemption_ref or self.tr("yes"))
                   if c.tax_exempt else ""),
            Column(self.tr("Points"), lambda c: f.qty(Decimal(c.loyalty_points)), RIGHT,
                   lambda c: c.loyalty_points),
            Column(self.tr("Store credit"), lambda c: f.money(c.store_credit), RIGHT,
                   lambda c: c.store_credit),
        ], "customers_table")
        keep_selection(self.table, lambda c: c.id)
        self.table.activated_row.connect(self.edit)
        self.root.addWidget(self.table, 1)
        self.paged: Paged[CustomerRow] = Paged(self, self.table, self._fetch, "customers_more")
        self.root.addWidget(self.paged.more)
        self.finish()
        self._query: str | None = None

    def refresh(self) -> None:
        self._query = self.search.text().strip() or None  # read here, on the GUI thread
        self.paged.reload()

    def _fetch(self, cursor: str | None) -> Any:
        return self.ctx.app.people.customers(self.user, self._query, after=cursor)

    def edit_current(self) -> None:
        c = self.table.current()
        if c is None:
            self.show_error(self.tr("Choose a customer in the list first."))
            return
        self.edit(c)

    def edit(self, c: CustomerRow | None) -> None:
        dlg = FormDialog(self, self.tr("New customer") if c is None else c.name)
        if c is None:
            dlg.text("code", self.tr("Customer number"), placeholder=self.tr("e.g. C0051"))
        else:
            dlg.note(self.tr("%1 · %2 points · store credit %3").replace("%1", c.code)
                     .replace("%2", self.fmt.qty(Decimal(c.loyalty_points)))
                     .replace("%3", self.fmt.money(c.store_credit)))
        dlg.text("name", self.tr("Name"), c.name if c else "")
        dlg.text("email", self.tr("E-mail"), (c.email or "") if c else "")
        dlg.text("phone", self.tr("Phone"), (c.phone or "") if c else "")
        exempt = QCheckBox(self.tr("Tax exempt (no tax on their purchases)"))
        exempt.setObjectName("field_tax_exempt")
        exempt.setChecked(bool(c and c.tax_exempt))
        dlg.form.addRow(exempt)
        ref = dlg.text("exemption_ref", self.tr("Exemption certificate"),
                       (c.exemption_ref or "") if c else "",
                       self.tr("needed when tax exempt"))
        ref.setEnabled(exempt.isChecked())
        exempt.toggled.connect(ref.setEnabled)

        def save() -> None:
            values = {"email": dlg.value("email") or None, "phone": dlg.value("phone") or None,
                      "tax_exempt": exempt.isChecked(),
                      "exemption_ref": dlg.value("exemption_ref") if exempt.isChecked()
                      else None}

            def saved(result: Any) -> None:
                accept(dlg)
                self.show_info(self.tr("Customer %1 saved.").replace("%1", result.name))
                self.refresh()

            if c is None:
                self.call(self.ctx.app.customers.add, dlg.value("code"), dlg.value("name"),
                          **values, done=saved, failed=error_in(dlg, self))
            else:
                self.call(self.ctx.app.people.edit_customer, c.id, name=dlg.value("name"),
                          **values, done=saved, failed=error_in(dlg, self))

        default_button(dlg, dlg.ok_button(self.tr("Save"), save))
        open_dialog(dlg, name="customer_edit_dialog")
