"""The till as a shop PC runs it: the kiosk window that only a manager can close, and
the first-run wizard from an empty data directory to a sale printed on the emulated
printer. Real Qt widgets (offscreen), real SQLite stores, emulated devices."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget, QWizard

from pos_app.app import open_app
from pos_app.demo_devices import DemoHardware
from pos_app.paths import db_path
from pos_app.persistence.backups import has_store
from pos_app.ui.run import build_window
from pos_app.ui.wizard import FirstRunWizard

from .uikit import Till, build_template

ROOT = Path(__file__).resolve().parent.parent
KIOSK_UNIT = ROOT / "packaging" / "linux" / "pos-till-kiosk.service"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("kiosk") / "template", skus=60)


@pytest.fixture
def kiosk(qtbot: Any, template: Path, tmp_path: Path) -> Iterator[Till]:
    data_dir = tmp_path / "store"
    shutil.copytree(template, data_dir)
    with DemoHardware(data_dir) as hw:
        t = Till(qtbot, data_dir, hw)
        t.app = open_app(data_dir, terminal=hw.terminal_url(), overrides=hw.urls)
        t.window = build_window(t.app, kiosk=True)
        qtbot.addWidget(t.window, before_close_func=lambda w: w.allow_close())
        t.window.showFullScreen()
        try:
            yield t
        finally:
            t.window.allow_close()
            t.close()


def _ctrl_q(t: Till) -> None:
    t.window.activateWindow()  # keys go to the active window
    t.wait(t.window.isActiveWindow)
    t.qtbot.keyClick(t.window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)


def _approve(t: Till, user: str, pin: str) -> None:
    dlg = t.dialog("kiosk_exit_dialog")
    t.type_keys(dlg.user, user)
    t.type_keys(dlg.pin, pin)
    t.click("approve", dlg)


def test_a_kiosk_till_closes_only_for_a_managers_pin(kiosk: Till) -> None:
    t = kiosk
    assert t.window.isFullScreen()
    t.login("cashier", "1111")
    assert t.window.close() is False  # the window's close button, Alt+F4
    assert t.window.isVisible()
    _approve(t, "cashier", "1111")  # a cashier cannot let themselves out
    t.wait(lambda: t.window.toast is not None and "may not authorise kiosk exit"
           in t.window.toast.text.text())
    assert t.window.isVisible()
    _ctrl_q(t)
    _approve(t, "manager", "0000")  # a wrong PIN
    t.wait(lambda: "wrong user name or pin" in t.window.toast.text.text().lower())  # type: ignore[union-attr]
    assert t.window.isVisible()
    _ctrl_q(t)
    _approve(t, "manager", "3333")
    t.wait(lambda: not t.window.isVisible())
    with sqlite3.connect(db_path(t.data_dir)) as con:
        rows = con.execute("select details from audit_log where action='manager_override' "
                           "and details like '%kiosk_exit%'").fetchall()
    assert len(rows) == 1


def test_a_kiosk_till_at_the_lock_screen_still_asks(kiosk: Till) -> None:
    t = kiosk
    t.wait(lambda: t.screen() == "lock_screen")
    t.window.close()
    _approve(t, "manager", "3333")
    t.wait(lambda: not t.window.isVisible())


def test_the_kiosk_unit_restarts_a_crashed_till_and_not_a_closed_one() -> None:
    unit = KIOSK_UNIT.read_text()
    lines = {ln.split("=", 1)[0]: ln.split("=", 1)[1] for ln in unit.splitlines()
             if "=" in ln and not ln.startswith("#")}
    assert lines["ExecStart"].split()[-2:] == ["till", "--kiosk"]
    assert lines["Restart"] == "on-failure"  # a crash or a kill: again; a manager: no
    assert int(lines["RestartSec"]) <= 5
    assert lines["KillSignal"] == "SIGTERM"  # which the till takes as a clean close


CATALOG = """product,sku,price,tax,barcodes
Espresso beans,ESP-1KG,14.90,RED,4006381333931
Mug,MUG,8.00,STD,
"""


@pytest.fixture
def german_goes_again() -> Iterator[None]:
    """The wizard's shop speaks German: the till installs that translator on the one
    QApplication; take it off again so later tests see English."""
    default = QLocale()
    yield
    qapp = QApplication.instance()
    for translator in qapp.findChildren(QTranslator):  # type: ignore[union-attr]
        qapp.removeTranslator(translator)  # type: ignore[union-attr]
        translator.deleteLater()
    QLocale.setDefault(default)


def test_the_first_run_wizard_to_the_first_printed_sale(
        qtbot: Any, tmp_path: Path, german_goes_again: None) -> None:
    data_dir = tmp_path / "new-shop"
    csv = tmp_path / "products.csv"
    csv.write_text(CATALOG, encoding="utf-8")
    with DemoHardware(tmp_path / "devices") as hw:
        wizard = FirstRunWizard(data_dir)
        qtbot.addWidget(wizard)
        wizard.show()

        def next_page() -> None:
            before = wizard.currentId()
            qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton),
                             Qt.MouseButton.LeftButton)
            assert wizard.currentId() == before + 1, wizard.currentPage().error.text()

        def field(name: str) -> Any:
            found = wizard.findChild(QLineEdit, name) or wizard.findChild(QWidget, name)
            assert found is not None, name
            return found

        # the shop
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton),
                         Qt.MouseButton.LeftButton)
        assert wizard.currentId() == 0 and "name" in wizard.shop.error.text()
        qtbot.keyClicks(field("wizard_store_name"), "Kaffee Eck")
        wizard.shop.locale.setCurrentIndex(wizard.shop.locale.findData("de_DE"))
        next_page()
        # money: EUR, prices with tax, two rates
        wizard.money.taxes.item(0, 2).setText("19")
        qtbot.mouseClick(wizard.findChild(QWidget, "wizard_add_tax"), Qt.MouseButton.LeftButton)
        for col, text in enumerate(("RED", "Reduced", "7")):
            wizard.money.taxes.item(1, col).setText(text)
        next_page()
        # the admin, PIN twice (a typo first)
        qtbot.keyClicks(field("wizard_admin_pin"), "4711")
        qtbot.keyClicks(field("wizard_admin_pin2"), "4712")
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton),
                         Qt.MouseButton.LeftButton)
        assert "differ" in wizard.admin.error.text()
        qtbot.keyClicks(field("wizard_admin_pin2"), "4711")
        next_page()
        # devices: the printer on the network, tested, then the serial scanner
        page = wizard.hardware
        qtbot.mouseClick(wizard.findChild(QWidget, "wizard_detect"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "USB" in page.log.toPlainText() and
                        page.log.toPlainText().count("\n") >= 1, timeout=15_000)
        page.role.setCurrentIndex(page.role.findData("printer"))
        page.url.setText(hw.printer.tcp_url)
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "test page printed" in page.log.toPlainText(), timeout=15_000)
        assert "OK." in page.log.toPlainText()
        assert any(r.cut for r in hw.printer.receipts)  # the emulator got the test page
        qtbot.mouseClick(wizard.findChild(QWidget, "wizard_add_device"), Qt.MouseButton.LeftButton)
        page.role.setCurrentIndex(page.role.findData("scanner"))
        page.url.setText(hw.scanner.url)
        qtbot.mouseClick(wizard.findChild(QWidget, "wizard_add_device"), Qt.MouseButton.LeftButton)
        assert [e.role for e in page.chosen] == ["printer", "scanner"]
        next_page()
        # products and a webhook
        qtbot.keyClicks(field("wizard_catalog_csv"), str(csv))
        wizard.extras.webhook.setChecked(True)
        qtbot.keyClicks(field("wizard_webhook_url"), "http://127.0.0.1:9/pos")
        qtbot.keyClicks(field("wizard_webhook_secret"), "s3cret-s3cret")
        next_page()
        summary = wizard.final.summary.toPlainText()
        assert "Kaffee Eck" in summary and "RED Reduced 7 %" in summary
        finish = wizard.button(QWizard.WizardButton.FinishButton)
        assert not finish.isEnabled()  # nothing written yet
        assert not has_store(db_path(data_dir))
        qtbot.mouseClick(wizard.final.create_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: wizard.created is not None, timeout=30_000)
        assert wizard.created is not None and wizard.created.problems == []
        assert finish.isEnabled()
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not wizard.isVisible())

        # the till opens on the new store with the profile the wizard saved
        app = open_app(data_dir, terminal=None, hardware=True)
        t = Till(qtbot, data_dir, hw)
        t.app = app
        t.window = build_window(app)
        qtbot.addWidget(t.window)
        t.window.show()
        try:
            assert sorted(app.devices.entries) == ["printer", "scanner"]
            assert app.settings.all()["locale"] == "de_DE"
            assert app.settings.all()["receipt_template"] == "de"  # German receipts too
            t.login("admin", "4711")
            float_dialog = t.dialog("open_shift_dialog")  # a new store: open the shift
            t.type_keys(float_dialog.edit, "100")
            t.click("ok", float_dialog)
            t.wait(lambda: t.window.session.view is not None)
            t.wait(lambda: app.shifts.current() is not None)
            t.wait(lambda: all(f.done() for f in app.devices.started.values()))
            t.scan("4006381333931")  # through the serial scanner the wizard added
            assert t.lines() == [("ESP-1KG", "1", 1490)]
            t.click("pay")
            t.wait(lambda: t.screen() == "pay_screen")
            t.click("exact_cash")
            t.wait(lambda: t.screen() == "done_screen")
            t.wait(lambda: len([r for r in hw.printer.receipts if r.cut]) == 2)
            receipt = "\n".join(hw.printer.receipts[-1].text)
            assert "Kaffee Eck" in receipt and "Espresso beans" in receipt
            assert "14,90" in receipt or "14.90" in receipt
            with sqlite3.connect(db_path(data_dir)) as con:
                assert con.execute("select receipt_no from sales").fetchall() == [
                    ("S1-T1-000001",)]
                assert con.execute("select type from sync_connectors").fetchall() == [
                    ("webhook",)]
        finally:
            t.close()
    QApplication.processEvents()
