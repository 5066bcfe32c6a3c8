"""More of the till through its screens: a loyalty customer earns points, a return
to store credit is spent on the next sale, price check by scanning, the receipt
choice when the shop asks each time, auto-lock after idle time, and categories
managed in the back office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from pos_app.demo import COFFEE_GTIN, german_label

from .bokit import click, enter, page
from .uikit import Till, build_template, till

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("more") / "store")


@pytest.fixture
def t(qtbot: Any, template: Path, tmp_path: Path) -> Any:
    with till(qtbot, template, tmp_path) as running:
        yield running


def attach(t: Till, code: str) -> None:
    t.click("customer")
    dlg = t.dialog("customer_dialog")
    t.type_keys(dlg.search, code)
    t.wait(lambda: dlg.list.count() == 1 and code in dlg.list.item(0).text())
    t.click("attach", dlg)
    t.wait(lambda: t.window.session.view.customer is not None)


def test_loyalty_points_then_store_credit_from_a_return_pays_the_next_sale(t: Till) -> None:
    t.login()
    t.scan(COFFEE_GTIN)
    attach(t, "C0003")
    assert "Customer 3 · 0 points" in t.find("customer").text()
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    sale = t.window.session.last_sale
    assert sale.loyalty_earned == 12  # a point per whole euro paid (12.99)
    t.click("next_sale")

    t.hw.scanner.scan(sale.receipt_no, aim="]Q1")
    ret = t.dialog("return_dialog")
    ret.to.setCurrentIndex(ret.to.findData("store_credit"))
    t.click("refund", ret)
    t.wait(lambda: t.screen() == "done_screen")
    t.click("next_sale")
    assert t.app.customers.get("C0003").store_credit == 1299

    t.scan(german_label("22", "5678", 800))  # 8.00 of bread
    attach(t, "C0003")
    t.click("pay")
    t.wait(lambda: t.find("tender_credit").isEnabled())
    t.click("tender_credit")
    t.wait(lambda: t.screen() == "done_screen")
    paid = t.window.session.last_sale.payments
    assert [(p.tender, p.amount) for p in paid] == [("store_credit", 800)]
    assert t.app.customers.get("C0003").store_credit == 499


def test_price_check_by_scanning(t: Till) -> None:
    t.login()
    t.window.menu("price_check")
    dlg = t.dialog("price_check_dialog")
    t.hw.scanner.scan(COFFEE_GTIN, aim="]E0")  # routed to the open price check
    t.wait(lambda: dlg.price.text() == "€12.99")
    assert dlg.name.text() == "Coffee beans 1 kg"
    assert "in stock" in dlg.stock.text()
    assert t.lines() == []  # nothing was rung up


def test_the_receipt_choice_when_the_shop_asks_each_time(t: Till) -> None:
    t.app.settings.set(t.app.auth.login("admin", "9999"), "print_receipts", "ask")
    t.login()
    t.scan(COFFEE_GTIN)
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    t.click("no_receipt")
    t.wait(lambda: t.screen() == "sale_screen")
    t.scan(german_label("22", "5678", 250))
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    receipt = t.window.session.last_sale.receipt_no
    t.click("print_receipt")
    t.wait(lambda: any(r.cut for r in t.hw.printer.receipts))
    printed = [r for r in t.hw.printer.receipts if r.cut]
    assert len(printed) == 1 and any(receipt in line for line in printed[0].text)


def test_the_till_locks_itself_when_left_alone_but_never_while_paying(t: Till) -> None:
    t.login()
    t.window.set_auto_lock(1)
    t.window.idle.setInterval(300)  # a test cannot wait minutes; the mechanism is the same
    t.window.idle.start()
    t.wait(lambda: t.screen() == "lock_screen")
    t.login()
    t.scan(COFFEE_GTIN)
    t.click("pay")  # mid-payment: the customer is standing there
    t.window.idle.start()
    t.qtbot.waitUntil(lambda: not t.window.idle.isActive(), timeout=5000)
    assert t.screen() == "pay_screen"
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    t.window.idle.start()
    t.qtbot.keyClick(t.window, Qt.Key.Key_Shift)  # any key press starts the wait again
    assert t.window.idle.remainingTime() > 200
    t.wait(lambda: t.screen() == "lock_screen")


def test_categories_are_added_renamed_and_only_empty_ones_deleted(t: Till) -> None:
    enter(t)
    p = page(t, "products")
    click(t, "edit_categories", p)
    dlg = t.dialog("categories_dialog")
    t.wait(lambda: dlg.list.count() == 9)
    dlg.name.setText("Seasonal")  # (choosing a category fills it in, for renaming)
    click(t, "add_category", dlg)
    t.wait(lambda: dlg.list.count() == 10)
    names = [dlg.list.item(i).text() for i in range(dlg.list.count())]
    row = next(i for i, n in enumerate(names) if n.startswith("Seasonal"))
    dlg.list.setCurrentRow(row)
    dlg.name.setText("Christmas")
    click(t, "rename_category", dlg)
    t.wait(lambda: any(dlg.list.item(i).text().startswith("Christmas")
                       for i in range(dlg.list.count())))
    books = next(i for i in range(dlg.list.count())
                 if dlg.list.item(i).text().startswith("Books"))
    dlg.list.setCurrentRow(books)
    click(t, "delete_category", dlg)
    t.wait(lambda: "still has" in dlg.error.text())
    christmas = next(i for i in range(dlg.list.count())
                     if dlg.list.item(i).text().startswith("Christmas"))
    dlg.list.setCurrentRow(christmas)
    click(t, "delete_category", dlg)
    t.wait(lambda: dlg.list.count() == 9)


def test_a_keyboard_wedge_scan_lands_in_the_cart_not_in_the_focused_field(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    import shutil

    from pos_app.app import open_app

    store = tmp_path / "store"
    shutil.copytree(template, store)
    app = open_app(store, terminal=None)
    app.settings.set(app.auth.login("admin", "9999"), "scanner_wedge", "enter")
    app.close()
    with till(qtbot, store, tmp_path) as t:
        assert t.window.wedge is not None
        t.login()
        search = t.find("search")
        search.setFocus()
        t.qtbot.keyClicks(search, COFFEE_GTIN)  # a scanner types a burst, then Enter
        t.qtbot.keyClick(search, Qt.Key.Key_Return)
        t.wait(lambda: t.lines() == [("COF-1KG", "1", 1299)])
        assert search.text() == ""  # the digits never landed in the search field
        t.qtbot.keyClicks(search, "mountain", delay=60)  # a person types, slowly
        t.wait(lambda: search.text() == "mountain")
        t.wait(lambda: t.find("results").count() > 0)
        assert t.lines() == [("COF-1KG", "1", 1299)]


def test_scans_in_the_back_office_go_to_the_count_not_the_cart(t: Till) -> None:
    from .bokit import click as bo_click
    from .bokit import rows, select

    enter(t)
    p = page(t, "stock")
    t.wait(lambda: rows(p.table) != [])
    select(t, p.table, 0)
    bo_click(t, "count_selected", p)
    bo_click(t, "ok", t.dialog("start_count_dialog"))
    sheet = p.sheet
    t.wait(lambda: sheet.isVisible() and sheet.entry.isVisible())
    t.hw.scanner.scan(COFFEE_GTIN, aim="]E0")  # the serial scanner, while counting
    t.wait(lambda: sheet.entry.code.text() == COFFEE_GTIN)
    assert t.window.session.view.lines == ()  # nothing was rung up


def test_a_supervisor_opens_the_back_office_for_customers_and_shifts(t: Till) -> None:
    bo = enter(t, "supervisor", "2222")
    visible = [bo.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(bo.nav.count())
               if not bo.nav.item(i).isHidden()]
    assert visible == ["customers", "shifts"]  # a cashier cannot open it at all


def test_icons_are_redrawn_for_the_dark_theme(t: Till) -> None:
    from PySide6.QtWidgets import QApplication

    from pos_app.ui.theme import apply_theme, palette_colours

    t.login()
    park = t.find("park")

    def darkest() -> int:
        image = park.icon().pixmap(32, 32).toImage()
        return min(image.pixelColor(x, y).lightness() for x in range(32) for y in range(32)
                   if image.pixelColor(x, y).alpha() > 200)

    light = darkest()
    app = QApplication.instance()
    apply_theme(app, "dark")
    try:
        dark = darkest()
    finally:
        apply_theme(app, "light")
    assert light < 80 < dark  # dark strokes on light buttons, light strokes on dark ones
    assert palette_colours("dark")["icon"] != palette_colours("light")["icon"]


def test_the_demo_devices_window_scans_weighs_and_shows_display_and_receipt(
        t: Till) -> None:
    from pos_app.ui.demo_panel import DemoPanel

    panel = DemoPanel(t.hw, t.window)
    t.qtbot.addWidget(panel)
    panel.show()
    t.login()
    panel.code.setText(COFFEE_GTIN)
    t.qtbot.mouseClick(panel.findChild(object, "demo_scan"), Qt.MouseButton.LeftButton)
    t.wait(lambda: t.lines() == [("COF-1KG", "1", 1299)])  # through the pty scanner
    t.wait(lambda: "Coffee" in panel.display.text())  # the pole display's two lines
    panel.weight.setText("0.250")
    panel._weigh()
    t.window.session.add_sku("CHEESE-KG")  # weighed on the emulated scale
    t.wait(lambda: len(t.lines()) == 2 and t.lines()[1][1] == "0.25")
    t.click("pay")
    t.click("exact_cash")
    t.wait(lambda: t.screen() == "done_screen")
    t.wait(lambda: "Mountain cheese" in panel.receipt.toPlainText())
    assert t.hw.printer.kicks  # cash: the drawer was kicked through the printer
    t.wait(lambda: panel.drawer.text() == ("Drawer: open" if t.hw.printer.drawer_open
                                           else "Drawer: closed"))
