"""The Qt till end to end: real store, emulated devices through the real drivers,
the real window under offscreen Qt, driven by clicks, key presses and scans."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit, QPushButton

from pos_app.demo import CHEESE_ITEM, COFFEE_GTIN, german_label

from .uikit import Till, build_template, till

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("ui") / "store")


@pytest.fixture
def t(qtbot: Any, template: Path, tmp_path: Path) -> Any:
    with till(qtbot, template, tmp_path) as running:
        yield running


def outbox_sales(t: Till) -> list[dict[str, Any]]:
    with t.db() as con:
        rows = con.execute("select payload from outbox where type='sale.completed' "
                           "order by id").fetchall()
    return [json.loads(r[0]) for r in rows]


def test_a_sale_with_weighed_and_labelled_items_a_manager_discount_and_split_tender(
        t: Till) -> None:
    t.login("cashier", "1111")
    assert t.find("cashier_name").text() == "Cashier"

    t.scan(COFFEE_GTIN)  # EAN-13 through the serial scanner driver
    t.scan(german_label("22", "5678", 349))  # bread: the price is on the label
    t.hw.scale.set_weight(Decimal("0.435"))
    search = t.find("search", QLineEdit)
    t.type_keys(search, "cheese")
    results = t.find("results")
    t.wait(lambda: results.count() > 0 and "CHEESE-KG" in results.item(0).text())
    t.click_row(results, 0)
    t.wait(lambda: len(t.lines()) == 3)  # weighed on the emulated scale
    assert t.lines() == [("COF-1KG", "1", 1299), ("BREAD-LBL", "1", 349),
                         ("CHEESE-KG", "0.435", 1083)]

    # 20% off the coffee: beyond a cashier's 10%, so a manager approves with their PIN
    t.window.sale.table.selectRow(0)
    t.click("line_discount")
    dlg = t.dialog("discount_dialog")
    t.click("quick_20", dlg)
    override = t.dialog("override_dialog")
    t.type_keys(override.user, "manager")
    t.type_keys(override.pin, "3333")
    t.click("approve", override)
    t.wait(lambda: t.lines()[0][2] == 1039)  # 12.99 - 2.60
    total = t.window.session.view.total
    assert total == 1039 + 349 + 1083
    assert t.find("total").text() == "€24.71"

    # split: 10.00 on the card, the rest in cash
    t.click("pay")
    t.wait(lambda: t.screen() == "pay_screen")
    t.type_keys(t.find("tendered"), "10")
    t.click("tender_card")
    t.wait(lambda: [p.tender for p in t.window.session.view.payments] == ["card"])
    t.click("quick_2000")  # the customer hands over 20.00 for the remaining 14.71
    t.wait(lambda: t.screen() == "done_screen")
    assert t.find("change").text() == "€5.29"

    # the receipt, as the ESC/POS emulator decoded the printer driver's bytes
    t.wait(lambda: any(r.cut for r in t.hw.printer.receipts))
    text = "\n".join(t.hw.printer.receipts[-1].text)
    (sale,) = outbox_sales(t)
    assert sale["receipt_no"] in t.find("receipt_no").text()
    for line in sale["lines"]:
        assert line["name"] in text
    assert "24.71" in text and "Card" in text and "10.00" in text and "5.29" in text
    assert t.hw.printer.kicks, "the drawer was not kicked for a cash sale"
    assert sale["total"]["minor"] == total
    assert [p["tender"] for p in sale["payments"]] == ["card", "cash"]
    assert sale["lines"][0]["discount"]["minor"] == 260
    # the manager's approval is in the audit log
    with t.db() as con:
        assert con.execute("select count(*) from audit_log where action='manager_override'"
                           ).fetchone()[0] == 1
    assert "CHANGE" in t.hw.display.lines[0] or "Thank" in "".join(t.hw.display.lines)


def test_a_wrong_pin_three_times_locks_the_user(t: Till) -> None:
    lock = t.window.lock_screen
    t.wait(lambda: lock.findChild(QPushButton, "user_cashier") is not None)
    t.click("user_cashier", lock)
    message = t.find("login_error")
    for _ in range(3):
        for digit in "0000":
            t.click(f"key_{digit}", lock)
        t.click("key_enter", lock)
        t.wait(lambda: "wrong" in message.text().lower())
        message.setText("")
    for digit in "1111":  # the right PIN, too late
        t.click(f"key_{digit}", lock)
    t.click("key_enter", lock)
    t.wait(lambda: "locked" in message.text())
    assert t.screen() == "lock_screen"


def test_a_return_by_scanning_the_receipts_code(t: Till) -> None:
    t.login()
    t.scan(COFFEE_GTIN)
    t.click("plus")  # a second one (a second read of the same code is a double read)
    t.wait(lambda: t.lines() == [("COF-1KG", "2", 2598)])
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    receipt_no = t.window.session.last_sale.receipt_no
    t.click("next_sale")
    t.hw.scanner.scan(receipt_no, aim="]Q1")  # the QR code printed on the receipt
    dlg = t.dialog("return_dialog")
    spin = dlg.findChild(object, "return_qty_1")
    spin.setValue(1)
    t.click("refund", dlg)
    t.wait(lambda: t.screen() == "done_screen")
    assert t.find("change").text() == "€12.99"
    assert "Give back" in t.find("change_caption").text()
    with t.db() as con:
        kinds = con.execute("select kind, total from sales order by seq").fetchall()
    assert kinds[-1] == ("return", -1299)


def test_park_and_resume_across_a_restart(qtbot: Any, template: Path, tmp_path: Path) -> None:
    with till(qtbot, template, tmp_path) as t:
        t.login()
        t.scan(COFFEE_GTIN)
        t.scan(german_label("28", CHEESE_ITEM, 250))  # 250 g on the label
        parked = t.lines()
        t.click("park")
        t.wait(lambda: t.lines() == [])
    with till(qtbot, template, tmp_path) as t:  # the same store, a new process state
        t.login()
        t.click("resume")
        dlg = t.dialog("parked_dialog")
        t.wait(lambda: dlg.list.count() == 1)
        t.click("resume", dlg)
        t.wait(lambda: t.lines() == parked)
        t.click("pay")
        t.click("exact_cash")
        t.wait(lambda: t.screen() == "done_screen")


def test_paper_out_during_the_receipt_keeps_the_till_selling_and_prints_after(
        t: Till) -> None:
    t.login()
    t.hw.printer.paper_out = True
    t.scan(COFFEE_GTIN)
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    printer_chip = t.find("chip_printer")
    t.wait(lambda: printer_chip.level == "error")
    assert "paper" in printer_chip.detail.lower()
    t.window.status.poll()
    t.wait(lambda: t.find("chip_print_queue").isVisible())
    t.click("next_sale")
    t.scan(german_label("22", "5678", 199))  # the till goes on selling meanwhile
    assert t.hw.printer.receipts == []
    t.hw.printer.reload_paper()
    t.wait(lambda: len([r for r in t.hw.printer.receipts if r.cut]) == 1)
    t.wait(lambda: printer_chip.level == "ok")
