"""A whole shop day through the Qt till: open the shift with a float, sell, paid-in and
no-sale with a supervisor's approval, refund, X report printed, close with a cash
count and the Z report. Also card payments with live progress and cancel, and the
offline banner while the sync target is down."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction

from pos_app.app import open_app
from pos_app.cli.main import main
from pos_app.demo import COFFEE_GTIN, german_label
from sync.receiver import receiver

from .uikit import Till, build_template, till

pytestmark = pytest.mark.usefixtures("qapp")
SECRET = "till-offline-test-secret"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("day") / "store")


@pytest.fixture
def closed_store(template: Path, tmp_path: Path) -> Path:
    """The demo store with yesterday's shift closed: the day starts with no open shift."""
    store = tmp_path / "store"
    shutil.copytree(template, store)
    app = open_app(store, terminal=None)
    try:
        admin = app.auth.login("admin", "9999")
        app.shifts.close(admin, {"cash": 10000})
    finally:
        app.close()
    return store


def menu(t: Till, key: str) -> None:
    action = t.window.sale.more_menu.findChild(QAction, f"menu_{key}")
    assert action is not None, key
    action.trigger()


def approve(t: Till, user: str = "supervisor", pin: str = "2222") -> None:
    dlg = t.dialog("override_dialog")
    t.type_keys(dlg.user, user)
    t.type_keys(dlg.pin, pin)
    t.click("approve", dlg)


def amount(t: Till, dialog: str, text: str, reason: str = "") -> None:
    dlg = t.dialog(dialog)
    t.type_keys(dlg.edit, text)
    if reason:
        t.type_keys(dlg.reason, reason)
    t.click("ok", dlg)


def test_a_whole_shop_day(qtbot: Any, closed_store: Path) -> None:
    with till(qtbot, closed_store, closed_store.parent) as t:
        t.login("cashier", "1111")
        amount(t, "open_shift_dialog", "100")  # no shift yet: count the float first
        t.wait(lambda: t.app.shifts.current() is not None)
        assert t.app.shifts.current().opening_float == 10000

        t.scan(COFFEE_GTIN)
        t.click("pay")
        t.click("exact_cash")
        t.wait(lambda: t.screen() == "done_screen")
        receipt = t.window.session.last_sale.receipt_no
        t.click("next_sale")

        kicks = len(t.hw.printer.kicks)
        menu(t, "paid_in")  # a cashier may not: a supervisor approves
        amount(t, "cash_movement_dialog", "20", "change from the bank")
        approve(t)
        menu(t, "no_sale")
        approve(t)
        t.wait(lambda: len(t.hw.printer.kicks) == kicks + 1)  # the drawer, after approval

        t.hw.scanner.scan(receipt, aim="]Q1")
        ret = t.dialog("return_dialog")
        t.click("refund", ret)
        t.wait(lambda: t.screen() == "done_screen")
        assert t.find("change").text() == "€12.99"
        t.wait(lambda: [r.text[2] for r in t.hw.printer.receipts if r.cut] == [
            "RECEIPT", "REFUND"])  # both printed by the background print queue
        t.click("next_sale")

        menu(t, "x_report")
        report = t.dialog("report_dialog")
        text = report.findChild(object, "report_text").toPlainText()
        assert "X REPORT" in text
        assert "Sales        1" in text and "Refunds      1" in text
        assert "paid in         20.00" in text and "No-sale drawer opens 1" in text
        printed = len(t.hw.printer.receipts)
        t.click("print", report)
        t.wait(lambda: len(t.hw.printer.receipts) == printed + 1)
        assert "X REPORT (shift still open)" in "\n".join(t.hw.printer.receipts[-1].text)
        t.click("close", report)

        menu(t, "close_shift")
        count = t.dialog("cash_count_dialog")
        count.counts[10000].setValue(1)  # one 100 note and one 20 note: 120.00 expected
        count.counts[2000].setValue(1)
        assert "€120.00" in t.find("count_total").text()
        t.click("close_shift", count)
        approve(t)  # the Z report needs a supervisor
        z = t.dialog("report_dialog")
        ztext = z.findChild(object, "report_text").toPlainText()
        assert "Z REPORT #2" in ztext
        cash_line = next(ln for ln in ztext.splitlines() if ln.strip().startswith("cash "))
        assert cash_line.split()[1:] == ["120.00", "120.00", "0.00"]
        t.click("close", z)
        assert t.app.shifts.current() is None
        with t.db() as con:
            (payload,) = con.execute("select payload from outbox where type='shift.closed' "
                                     "order by id desc limit 1").fetchone()
        assert json.loads(payload)["z_no"] == 2


def test_card_payment_shows_progress_and_can_be_cancelled(qtbot: Any, template: Path,
                                                          tmp_path: Path) -> None:
    with till(qtbot, template, tmp_path, "&behaviour=slow&slow_seconds=0") as t:
        t.login()
        t.scan(COFFEE_GTIN)
        t.click("pay")
        t.click("tender_card")
        card = t.dialog("card_dialog")
        stage = card.findChild(object, "card_stage")
        t.wait(lambda: "insert, tap or swipe" in stage.text())
        t.click("cancel_card", card)
        t.wait(lambda: t.window.card_dialog is None)  # closed (and deleted)
        assert t.window.session.view.payments == ()
        assert t.screen() == "pay_screen"

        t.click("tender_card")  # try again; this time the customer taps
        card = t.dialog("card_dialog")
        terminal = t.app.devices.device("terminal")
        t.wait(lambda: terminal.waiting.is_set())
        terminal.present_card()
        t.wait(lambda: t.screen() == "done_screen")
        sale = t.window.session.last_sale
        assert [p.tender for p in sale.payments] == ["card"]
        ref = sale.payments[0].provider_ref
        t.wait(lambda: terminal.capture_count(ref) == 1)  # captured once, after the commit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_banner_while_the_sync_target_is_down(
        qtbot: Any, template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")
    store = tmp_path / "store"
    shutil.copytree(template, store)
    port = free_port()
    assert main(["--data-dir", str(store), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "webhook", "--name", "hq", "--set",
                 f"url=http://127.0.0.1:{port}/hook", "--set", f"secret={SECRET}",
                 "--set", "timeout_s=2"]) == 0
    with till(qtbot, store, tmp_path) as t:
        t.wait(lambda: t.window.sync_worker._thread is not None)  # sync runs inside the till
        t.login()
        t.scan(german_label("22", "5678", 250))
        t.click("pay")
        t.click("exact_cash")
        t.wait(lambda: t.screen() == "done_screen")
        banner = t.window.banner

        def polled(condition: Any) -> bool:
            t.window.status.poll()
            return bool(condition())

        t.wait(lambda: polled(lambda: banner.isVisible() and "Offline" in banner.text.text()))
        assert t.find("chip_sync").level in ("warning", "error")
        t.click("next_sale")
        t.scan(COFFEE_GTIN)  # selling goes on while offline
        with receiver(SECRET, port=port) as rcv:  # the network is back
            assert rcv.wait_for(1, timeout=30)
            t.wait(lambda: polled(lambda: not banner.isVisible()))
        types = [e["type"] for e in rcv.events.values()]
        assert types.count("sale.completed") == 1 and "stock.moved" in types
    assert os.path.exists(store / "secrets.json")
