"""The Stock page on a real demo store, driven through its widgets: adjustments the
till's stock service sees, a count whose differences are booked, a transfer that moves
stock to a location added on the page."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from .bokit import (
    back_office,
    cells,
    choose,
    click,
    message,
    page,
    rows,
    select,
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


def on_hand(t: Till, sku: str, location: str | None = None) -> Decimal:
    """What the till's own stock service reports."""
    return t.app.stock.on_hand(sku, location)


def movements(t: Till, kind: str) -> list[tuple[str, int, str]]:
    with t.db() as con:
        return con.execute("select v.sku, m.qty_milli, m.reason from stock_movements m join "
                           "variants v on v.id = m.variant_id where m.kind = ? order by "
                           "m.id", (kind,)).fetchall()


def barcode(t: Till, sku: str) -> str:
    with t.db() as con:
        return str(con.execute("select code from barcodes b join variants v on v.id = "
                               "b.variant_id where v.sku = ?", (sku,)).fetchone()[0])


def test_adjusting_stock_with_a_reason_changes_what_the_till_reports(t: Till) -> None:
    p = page(t, "stock")
    before = on_hand(t, "COF-1KG")
    type_into(t, p, "stock_search", "COF-1KG", enter=True)
    t.wait(lambda: rows(p.table) and all("COF" in r.sku for r in rows(p.table)))
    select_where(t, p.table, lambda r: r.sku == "COF-1KG")
    click(t, "adjust_stock", p)
    dlg = t.dialog("adjust_dialog")
    choose(t, dlg, "field_reason", "damaged")
    type_into(t, dlg, "field_qty", "0")
    type_into(t, dlg, "field_note", "dropped")
    shot(dlg, "stock_adjust_dialog")
    click(t, "ok", dlg)
    t.wait(lambda: "zero" in dlg.error.text())  # refused: nothing written
    type_into(t, dlg, "field_qty", "2", enter=True)  # damaged removes the two
    t.wait(lambda: "on hand now" in message(p))
    assert on_hand(t, "COF-1KG") == before - 2
    assert movements(t, "adjustment")[-1] == ("COF-1KG", -2000, "damaged: dropped")
    t.wait(lambda: any(r.sku == "COF-1KG" and r.on_hand == before - 2 for r in rows(p.table)))

    # found, by keyboard: Enter on the row opens the dialog
    t.qtbot.keyClick(p.table, Qt.Key.Key_Return)
    dlg = t.dialog("adjust_dialog")
    choose(t, dlg, "field_reason", "found")
    type_into(t, dlg, "field_qty", "5", enter=True)
    t.wait(lambda: on_hand(t, "COF-1KG") == before + 3)

    # items at or below their reorder point are highlighted, and can be listed alone
    type_into(t, p, "stock_search", "", enter=True)
    p.below.setChecked(True)
    t.wait(lambda: [r.sku for r in rows(p.table)] == ["P2", "P3"])
    assert cells(p.table, 0)[3:] == ["60", "Reorder"]
    m = p.table.rows_model
    assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None
    shot(t.window, "stock_reorder")


def test_a_count_of_selected_items_books_the_differences(t: Till) -> None:
    p = page(t, "stock")
    p2, p3, cof = on_hand(t, "P2"), on_hand(t, "P3"), on_hand(t, "COF-1KG")
    p.below.setChecked(True)
    t.wait(lambda: [r.sku for r in rows(p.table)] == ["P2", "P3"])
    select(t, p.table, 0, 1)
    click(t, "count_selected", p)
    dlg = t.dialog("start_count_dialog")
    assert dlg.findChild(object, "scope_selected").isChecked()
    shot(dlg, "stock_start_count")
    click(t, "ok", dlg)
    sheet = p.sheet
    t.wait(lambda: sheet.isVisible() and len(rows(sheet.table)) == 2)
    assert [(r.sku, r.counted, r.expected) for r in rows(sheet.table)] == [
        ("P2", None, p2), ("P3", None, p3)]
    assert "2 still to count" in sheet.summary.text()

    type_into(t, sheet, "count_code", "P2", enter=True)  # Enter moves on to the quantity
    type_into(t, sheet, "count_qty", "20", enter=True)
    t.wait(lambda: any(r.sku == "P2" and r.counted == 20 for r in rows(sheet.table)))
    type_into(t, sheet, "count_code", barcode(t, "P3"))  # as a wedge scanner types it
    type_into(t, sheet, "count_qty", str(p3), enter=True)
    type_into(t, sheet, "count_code", "COF-1KG")  # not on the list: counted as well
    type_into(t, sheet, "count_qty", "3", enter=True)
    t.wait(lambda: len([r for r in rows(sheet.table) if r.counted is not None]) == 3)
    sheet.entry.add_box.setChecked(True)  # two more on another shelf
    type_into(t, sheet, "count_code", "COF-1KG")
    type_into(t, sheet, "count_qty", "2", enter=True)
    t.wait(lambda: any(r.sku == "COF-1KG" and r.counted == 5 for r in rows(sheet.table)))
    table = {r.sku: (r.counted, r.expected, r.difference) for r in rows(sheet.table)}
    assert table == {"P2": (20, p2, 20 - p2), "P3": (p3, p3, 0),
                     "COF-1KG": (5, cof, 5 - cof)}
    assert "3 items counted, 2 with a difference" in sheet.summary.text()
    shot(t.window, "stock_count_sheet")

    click(t, "review_count", sheet)
    review = t.dialog("count_review")
    assert sorted(r.sku for r in rows(review.findChild(object, "review_table"))) == [
        "COF-1KG", "P2"]
    shot(review, "stock_count_review")
    click(t, "ok", review)
    t.wait(lambda: "committed" in message(p))
    assert (on_hand(t, "P2"), on_hand(t, "P3"), on_hand(t, "COF-1KG")) == (20, p3, 5)
    assert sorted((sku, qty) for sku, qty, _r in movements(t, "count")) == [
        ("COF-1KG", int((5 - cof) * 1000)), ("P2", int((20 - p2) * 1000))]
    assert not sheet.entry.isVisible()  # a committed count is read-only

    # a whole-location count, cancelled: nothing changes
    click(t, "back_to_counts", sheet)
    t.wait(lambda: len(rows(p.counts)) == 1)
    click(t, "start_count", p)
    dlg = t.dialog("start_count_dialog")
    assert dlg.findChild(object, "scope_all").isChecked()
    click(t, "ok", dlg)
    t.wait(lambda: sheet.isVisible() and sheet.entry.isVisible())
    type_into(t, sheet, "count_code", "P2")
    type_into(t, sheet, "count_qty", "1", enter=True)
    t.wait(lambda: len(rows(sheet.table)) == 1)
    click(t, "cancel_count", sheet)
    click(t, "ok", t.dialog("cancel_count_dialog"))
    t.wait(lambda: "cancelled" in message(p))
    assert on_hand(t, "P2") == 20 and len(movements(t, "count")) == 2
    click(t, "back_to_counts", sheet)
    t.wait(lambda: [s.status.value for s in rows(p.counts)] == ["cancelled", "committed"])


def test_a_transfer_moves_stock_to_a_location_added_here(t: Till) -> None:
    p = page(t, "stock")
    cof, p4 = on_hand(t, "COF-1KG"), on_hand(t, "P4")
    click(t, "add_location", p)
    dlg = t.dialog("location_dialog")
    type_into(t, dlg, "field_code", "back")
    type_into(t, dlg, "field_name", "Back room")
    click(t, "ok", dlg)
    t.wait(lambda: "Location BACK added" in message(p))
    t.wait(lambda: p.location.count() == 2)
    back = next(loc for loc in t.app.inventory.locations(t.window.session.user)
                if loc.code == "BACK")

    click(t, "section_transfers", p)
    click(t, "new_transfer", p)
    dlg = t.dialog("transfer_dialog")
    assert dlg.to.location_id == back.id  # the other location
    for code, qty in (("COF-1KG", "2"), ("P4", "10"), ("P6", "500")):
        n = len(dlg.lines)
        type_into(t, dlg, "transfer_code", code, enter=True)
        type_into(t, dlg, "transfer_qty", qty, enter=True)
        t.wait(lambda n=n: len(dlg.lines) == n + 1)
    type_into(t, dlg, "field_note", "for the window display")
    shot(dlg, "stock_transfer_dialog")
    click(t, "ok", dlg)
    t.wait(lambda: "cannot move 500" in dlg.error.text())  # more than on hand: refused
    assert on_hand(t, "COF-1KG") == cof
    select(t, dlg.table, 2)
    click(t, "remove_line", dlg)
    t.wait(lambda: len(dlg.lines) == 2)
    click(t, "ok", dlg)
    t.wait(lambda: "TR-000001: 2 lines moved" in message(p))
    assert (on_hand(t, "COF-1KG"), on_hand(t, "COF-1KG", back.id)) == (cof - 2, 2)
    assert (on_hand(t, "P4"), on_hand(t, "P4", back.id)) == (p4 - 10, 10)
    t.wait(lambda: [r.number for r in rows(p.transfers)] == ["TR-000001"])
    assert cells(p.transfers, 0)[2:5] == ["Demo Store shop floor", "Back room", "2"]
    shot(t.window, "stock_transfers")

    # the back room's stock, on the page
    click(t, "section_on_hand", p)
    choose(t, p, "stock_location", back.id)
    t.wait(lambda: any(r.sku == "COF-1KG" and r.on_hand == 2 and r.location_id == back.id
                       for r in rows(p.table)))
    type_into(t, p, "stock_search", "P4", enter=True)
    t.wait(lambda: [(r.sku, r.on_hand) for r in rows(p.table)][:1] == [("P4", 10)])
