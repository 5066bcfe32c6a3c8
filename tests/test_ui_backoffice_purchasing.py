"""The Purchasing page on a real demo store: a supplier added and edited, a purchase
order drafted, placed and received in two deliveries (stock, cost and state checked in
the store), and reorder suggestions turned into an order for the chosen supplier."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pos_app.domain.inventory import POStatus, moving_average_cost

from .bokit import (
    activate,
    back_office,
    choose,
    click,
    message,
    page,
    rows,
    select_where,
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


def add_line(t: Till, editor: Any, code: str, qty: str, cost: str = "") -> None:
    n = len(editor.lines)
    type_into(t, editor, "po_code", code, enter=True)
    type_into(t, editor, "po_qty", qty, enter=True)
    type_into(t, editor, "po_cost", cost, enter=True)
    t.wait(lambda: len(editor.lines) == n + 1)


def test_a_purchase_order_placed_and_partly_received_changes_stock_and_state(
        t: Till) -> None:
    app = t.app
    cof, p4 = app.stock.on_hand("COF-1KG"), app.stock.on_hand("P4")
    cof_cost = app.catalog.variant("COF-1KG").cost
    p = page(t, "purchasing")
    click(t, "section_suppliers", p)
    click(t, "new_supplier", p)
    dlg = t.dialog("supplier_dialog")
    type_into(t, dlg, "field_code", "acme")
    type_into(t, dlg, "field_name", "Acme Wholesale")
    type_into(t, dlg, "field_email", "orders@acme.test")
    type_into(t, dlg, "field_lead", "five", enter=True)
    t.wait(lambda: "whole number" in dlg.error.text())
    shot(dlg, "purchasing_supplier_dialog")
    type_into(t, dlg, "field_lead", "5", enter=True)
    t.wait(lambda: [s.code for s in rows(p.supplier_table)] == ["ACME"])
    activate(t, p.supplier_table, 0)  # edit: a shorter lead time
    dlg = t.dialog("supplier_dialog")
    type_into(t, dlg, "field_lead", "3", enter=True)
    t.wait(lambda: rows(p.supplier_table)[0].lead_time_days == 3)

    click(t, "section_orders", p)
    click(t, "new_order", p)
    editor = p.editor
    t.wait(editor.isVisible)
    assert editor.supplier.currentText() == "Acme Wholesale (ACME)"
    add_line(t, editor, "COF-1KG", "10", "6.00")
    add_line(t, editor, "P4", "5")  # no cost typed: the item's own cost
    assert [(ln.sku, ln.qty, ln.unit_cost) for ln in editor.lines] == [
        ("COF-1KG", 10, 600), ("P4", 5, app.catalog.variant("P4").cost)]
    shot(t.window, "purchasing_new_order")
    click(t, "save_order", editor)
    t.wait(lambda: "PO-000001 saved as a draft" in message(p))
    assert app.purchasing.order(t.window.session.user, "PO-000001").status is POStatus.DRAFT
    click(t, "place_order", editor)
    t.wait(lambda: editor.po is not None and editor.po.status is POStatus.ORDERED)
    assert "PO-000001 placed with Acme Wholesale" in message(p)
    assert app.stock.on_hand("COF-1KG") == cof  # nothing arrived yet

    # the first delivery: 4 bags of coffee, no vases
    click(t, "receive_order", editor)
    dlg = t.dialog("receive_dialog")
    type_into(t, dlg, "field_receive_COF-1KG", "4")
    type_into(t, dlg, "field_receive_P4", "0")
    shot(dlg, "purchasing_receive")
    click(t, "ok", dlg)
    t.wait(lambda: "is now partly received" in message(p))
    po = app.purchasing.order(t.window.session.user, "PO-000001")
    assert po.status is POStatus.PARTIAL
    assert [(ln.sku, ln.received, ln.outstanding) for ln in po.lines] == [
        ("COF-1KG", 4, 6), ("P4", 0, 5)]
    assert (app.stock.on_hand("COF-1KG"), app.stock.on_hand("P4")) == (cof + 4, p4)
    assert app.catalog.variant("COF-1KG").cost == moving_average_cost(cof, cof_cost,
                                                                      Decimal(4), 600)
    assert [(ln.received, ln.on_hand) for ln in editor.lines] == [(4, cof + 4), (0, p4)]
    assert "Partly received" in editor.title.text()
    shot(t.window, "purchasing_order")

    # the list by status
    click(t, "back_to_orders", editor)
    choose(t, p, "po_status_filter", "partial")
    t.wait(lambda: [o.number for o in rows(p.orders)] == ["PO-000001"])
    choose(t, p, "po_status_filter", "draft")
    t.wait(lambda: rows(p.orders) == [])
    choose(t, p, "po_status_filter", None)
    t.wait(lambda: len(rows(p.orders)) == 1)
    shot(t.window, "purchasing_orders")

    # the rest arrives: the order is received, and cannot be received again
    activate(t, p.orders, 0)
    t.wait(lambda: editor.isVisible() and editor.po is not None)
    click(t, "receive_order", editor)
    click(t, "ok", t.dialog("receive_dialog"))  # everything outstanding, as proposed
    t.wait(lambda: "is now received" in message(p))
    assert (app.stock.on_hand("COF-1KG"), app.stock.on_hand("P4")) == (cof + 10, p4 + 5)
    assert not editor.receive_btn.isVisible() and not editor.close_btn.isVisible()


def test_reorder_suggestions_become_an_order_for_the_chosen_supplier(t: Till) -> None:
    app = t.app
    manager = t.window.session.user
    fresh = app.purchasing.add_supplier(manager, "FRESH", "Fresh Foods", lead_time_days=14)
    p2, p3 = app.stock.on_hand("P2"), app.stock.on_hand("P3")
    p = page(t, "purchasing")
    click(t, "section_reorder", p)
    t.wait(lambda: {"P2", "P3"} <= {r.sku for r in rows(p.reorder)})
    suggested = {r.sku: r.suggested for r in rows(p.reorder)}
    assert (suggested["P2"], suggested["P3"]) == (60 - p2, 50 - p3)  # up to the reorder point
    shot(t.window, "purchasing_reorder")
    click(t, "order_suggestions", p)
    t.wait(lambda: "Choose the supplier" in message(p))

    choose(t, p, "reorder_supplier", fresh.id)
    click(t, "reorder_refresh", p)
    select_where(t, p.reorder, lambda r: r.sku == "P2")
    click(t, "order_suggestions", p)
    editor = p.editor
    t.wait(lambda: editor.isVisible() and editor.po is not None)
    assert "PO-000001 drafted with 1 lines" in message(p)
    po = editor.po
    assert (po.supplier, po.status) == ("Fresh Foods", POStatus.DRAFT)
    assert [(ln.sku, ln.qty, ln.unit_cost) for ln in po.lines] == [
        ("P2", 60 - p2, app.catalog.variant("P2").cost)]
    click(t, "place_order", editor)
    t.wait(lambda: editor.po.status is POStatus.ORDERED)

    # what is on order counts: P2 is covered now, P3 still to order
    click(t, "section_reorder", p)
    t.wait(lambda: "P3" in {r.sku for r in rows(p.reorder)}
           and "P2" not in {r.sku for r in rows(p.reorder)})
