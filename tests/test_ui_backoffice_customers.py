"""The Customers page on a real demo store: loyalty points and store credit in the list,
a customer added (tax exempt needs its certificate) and one edited, and the till's
customer search finding them as edited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .bokit import (
    activate,
    back_office,
    cells,
    click,
    leave,
    message,
    page,
    rows,
    shared_template,
    shot,
    type_into,
)
from .uikit import Till

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


@pytest.fixture
def t(qtbot: Any, template: Path, tmp_path: Path) -> Any:
    with back_office(qtbot, template, tmp_path) as running:
        yield running


def buy_as(t: Till, code: str) -> int:
    """A coffee sold to customer ``code`` at the till (service level); the points earned."""
    co, user = t.app.checkout, t.window.session.user
    cart = co.new_cart()
    co.attach_customer(cart, code, user)
    co.scan(cart, "COF-1KG", user)
    co.pay_cash(cart, co.cash_due(cart), user)
    return co.complete(cart, user).loyalty_earned


def test_customers_added_and_edited_are_what_the_till_finds(t: Till) -> None:
    earned = buy_as(t, "C0001")
    assert earned > 0
    p = page(t, "customers")
    type_into(t, p, "customer_search", "C0001", enter=True)
    t.wait(lambda: [c.code for c in rows(p.table)] == ["C0001"])
    assert cells(p.table, 0)[5:] == [str(earned), "€0.00"]  # points and store credit

    # edit: a new name and phone, found by the till's customer search
    activate(t, p.table, 0)
    dlg = t.dialog("customer_edit_dialog")
    type_into(t, dlg, "field_name", "Ada Lovelace")
    type_into(t, dlg, "field_phone", "0170 555 0101", enter=True)
    t.wait(lambda: "Customer Ada Lovelace saved" in message(p))
    t.wait(lambda: [c.name for c in rows(p.table)] == ["Ada Lovelace"])

    # new: tax exempt needs the certificate; nothing is written without it
    click(t, "new_customer", p)
    dlg = t.dialog("customer_edit_dialog")
    type_into(t, dlg, "field_code", "C0100")
    type_into(t, dlg, "field_name", "Grace Hopper")
    type_into(t, dlg, "field_email", "grace@navy.test")
    dlg.findChild(object, "field_tax_exempt").setChecked(True)
    click(t, "ok", dlg)
    t.wait(lambda: "certificate" in dlg.error.text())
    shot(dlg, "customer_dialog")
    type_into(t, dlg, "field_exemption_ref", "EX-1906", enter=True)
    t.wait(lambda: "Customer Grace Hopper saved" in message(p))
    type_into(t, p, "customer_search", "navy", enter=True)
    t.wait(lambda: [c.code for c in rows(p.table)] == ["C0100"])
    assert cells(p.table, 0)[4] == "EX-1906"
    shot(t.window, "customers")

    # at the till: the customer button, a search, attach
    leave(t)
    t.login("cashier", "1111")
    for text, code, name, exempt in (("lovelace", "C0001", "Ada Lovelace", False),
                                     ("grace@", "C0100", "Grace Hopper", True)):
        t.click("customer")
        dlg = t.dialog("customer_dialog")
        t.type_keys(dlg.search, text)
        t.wait(lambda dlg=dlg: dlg.list.count() == 1)
        assert dlg.list.item(0).text().startswith(f"{name} · {code}")
        t.click("attach", dlg)
        t.wait(lambda name=name: t.window.session.view.customer is not None
               and t.window.session.view.customer.name == name)
        assert t.window.session.view.customer.tax_exempt is exempt
    with t.db() as con:
        assert con.execute("select name, phone from customers where code='C0001'"
                           ).fetchone() == ("Ada Lovelace", "0170 555 0101")
