"""Back-office pages against the real services: products (a price saved is the next scan's
price, the size x colour matrix, CSV import with a per-row report), reports (figures,
CSV and PDF exports), settings (live receipt preview, saved footer on the next
receipt, tax rates), hardware tests through the emulated devices, and the sync
monitor's dead letters retried after the target was fixed."""

from __future__ import annotations

import csv
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPlainTextEdit

from pos_app.cli.main import main
from pos_app.demo import COFFEE_GTIN
from sync.receiver import receiver

from .bokit import (
    back_office,
    click,
    enter,
    leave,
    message,
    page,
    rows,
    shared_template,
    type_into,
)
from .uikit import Till, till

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


def sell_coffee(t: Till, n: int = 1) -> None:
    """Typed in and Enter (a scanner would drop the same code read again at once)."""
    from PySide6.QtCore import Qt

    for _ in range(n):
        if t.lines() == []:
            search = t.find("search")
            t.type_keys(search, COFFEE_GTIN)
            t.qtbot.keyClick(search, Qt.Key.Key_Return)
            t.wait(lambda: len(t.lines()) == 1)
        t.click("pay")
        t.click("exact_cash")
        t.wait(lambda: t.screen() == "done_screen")
        t.click("next_sale")


def test_a_price_saved_in_the_back_office_is_the_next_scans_price(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path) as t:
        p = page(t, "products")
        type_into(t, p, "product_search", "coffee")
        t.wait(lambda: [r.name for r in rows(p.table)] == ["Coffee beans 1 kg"])
        p.table.activated_row.emit(rows(p.table)[0])
        editor = p.editor
        t.wait(lambda: rows(editor.variants) and rows(editor.variants)[0].sku == "COF-1KG")
        editor.variants.activated_row.emit(rows(editor.variants)[0])
        dlg = t.dialog("variant_dialog")
        dlg.price.selectAll()
        t.type_keys(dlg.price, "13.49")
        click(t, "ok", dlg)
        t.wait(lambda: rows(editor.variants)[0].price == 1349)
        assert "next scan" in message(p)
        leave(t)
        t.login()
        t.scan(COFFEE_GTIN)
        assert t.lines() == [("COF-1KG", "1", 1349)]
        with t.db() as con:
            assert con.execute("select count(*) from outbox where type='price.changed'"
                               ).fetchone()[0] == 1


def test_the_matrix_adds_only_the_missing_sizes(qtbot: Any, template: Path,
                                                tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path) as t:
        p = page(t, "products")
        manager = t.app.auth.login("manager", "3333")
        product = next(r for r in t.app.catalog_admin.products(manager, "P1-").rows
                       if r.name.endswith(" 1"))  # the first shoe: 4 sizes x 3 colours
        assert product.variants == 12
        p.open_product(product.id)
        editor = p.editor
        t.wait(lambda: len(rows(editor.variants)) == product.variants)
        before = {v.sku for v in rows(editor.variants)}
        click(t, "add_matrix", editor)
        dlg = t.dialog("matrix_dialog")
        dlg.sizes.setText(dlg.sizes.text() + ", XXL")
        click(t, "preview", dlg)
        t.wait(lambda: "3 new variants" in dlg.summary.text())
        click(t, "ok", dlg)
        t.wait(lambda: len(rows(editor.variants)) == product.variants + 3)
        added = {v.sku for v in rows(editor.variants)} - before
        assert len(added) == 3 and all("-XXL-" in sku for sku in added)


def test_a_csv_import_with_bad_rows_imports_nothing_and_lists_them(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    good = tmp_path / "good.csv"
    head = ["product", "sku", "price", "tax", "barcodes", "category"]
    with bad.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerow(["Tea tin", "TEA-TIN", "4.50", "RED", "", "Groceries"])
        w.writerow(["Bad price", "BAD-1", "four", "RED", "", "Groceries"])
        w.writerow(["Bad code", "BAD-2", "1.00", "RED", "4006381333932", "Groceries"])
    with good.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerow(["Tea tin", "TEA-TIN", "4.50", "RED", "", "Groceries"])
    with back_office(qtbot, template, tmp_path) as t:
        p = page(t, "products")
        p.import_csv(str(bad))
        report = t.dialog("import_report")
        text = report.findChild(QPlainTextEdit, "import_errors").toPlainText()
        assert "row 3" in text and "price" in text and "row 4" in text
        click(t, "close", report)
        assert t.app.catalog.search("tea tin") == []  # nothing was written
        p.import_csv(str(good))
        t.wait(lambda: "Imported 1 products" in message(p))
        assert [v.sku for v in t.app.catalog.search("tea tin")] == ["TEA-TIN"]


def test_reports_show_the_days_figures_and_export_csv_and_pdf(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    with till(qtbot, template, tmp_path) as t:
        t.login()
        sell_coffee(t, 3)
        t.window.lock()
        enter(t)
        p = page(t, "reports")
        t.wait(lambda: p.kpi_labels["sales"].text() == "3")
        assert p.kpi_labels["gross"].text() == "€38.97"
        p.tabs.setCurrentIndex(1)  # top items
        t.wait(lambda: "items" in p.rows)
        assert [(r.sku, r.revenue) for r in p.rows["items"]] == [("COF-1KG", 3897)]
        assert p.charts["items"].values == [3897]
        out_csv = tmp_path / "items.csv"
        p.export_csv(str(out_csv))
        t.wait(lambda: out_csv.exists() and "Saved" in message(p))
        today = date.today()
        assert out_csv.read_text() == t.app.reports.export_csv(
            t.app.auth.login("manager", "3333"), "items", today, today)
        out_pdf = tmp_path / "items.pdf"
        p.export_pdf(str(out_pdf))
        data = out_pdf.read_bytes()
        assert data.startswith(b"%PDF") and b"/Page" in data and len(data) > 5000


def test_a_late_answer_for_the_range_before_leaves_the_report_alone(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    """The pool may answer out of order: today's figures arriving after the switch to
    yesterday must not show under yesterday's dates."""
    with till(qtbot, template, tmp_path) as t:
        t.login()
        sell_coffee(t, 2)
        t.window.lock()
        enter(t)
        p = page(t, "reports")
        t.wait(lambda: p.kpi_labels["sales"].text() == "2" and "sales" in p.rows)
        manager, today = t.app.auth.login("manager", "3333"), date.today()
        late = (t.app.reports.sales_by_day(manager, today, today),
                t.app.reports.sales_by_hour(manager, today, today))
        late_rows = p.rows["sales"]
        p.preset("yesterday")
        yesterday = p.range()[0]
        assert p.range() == (yesterday, yesterday) != (today, today)
        shown = str(sum(r.sales for r in t.app.reports.sales_by_day(manager, yesterday,
                                                                     yesterday)))
        t.wait(lambda: "sales" in p.rows and p.kpi_labels["sales"].text() == shown)
        rows = p.rows["sales"]
        p._kpis(late, (today, today))  # what the pool hands back late
        p._show("sales", late_rows, (today, today))
        assert p.kpi_labels["sales"].text() == shown
        assert p.rows["sales"] is rows
        assert all(r.period.startswith(yesterday.isoformat()) for r in rows)


def test_settings_preview_live_then_saved_footer_prints_on_the_next_receipt(
        qtbot: Any, template: Path, tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path, "admin", "9999") as t:
        p = page(t, "settings")
        footer = p.widgets["receipt_footer"]
        t.wait(lambda: footer.toPlainText() == "Thank you!")
        p.tabs.setCurrentIndex(1)
        footer.setPlainText("See you soon at the market")
        t.wait(lambda: "See you soon at the market" in p.preview.toPlainText())
        assert t.app.settings.all()["receipt_footer"] == "Thank you!"  # not saved yet
        p.template.setPlainText("[[block]]\ntype = 'nonsense'\n")
        t.wait(lambda: "unknown type" in p.preview_error.text())
        click(t, "default_template", p)
        t.wait(lambda: p.preview_error.text() == "")
        click(t, "save_settings", p)
        t.wait(lambda: t.app.settings.all()["receipt_footer"] == "See you soon at the market")
        p.tabs.setCurrentIndex(2)
        t.wait(lambda: rows(p.taxes))
        p.taxes.selectRow([r.code for r in rows(p.taxes)].index("RED"))
        click(t, "edit_tax", p)
        dlg = t.dialog("tax_dialog")
        dlg.fields["rate"].setText("0.05")
        click(t, "ok", dlg)
        t.wait(lambda: {r.code: str(r.rate) for r in rows(p.taxes)}.get("RED") == "0.05")
        leave(t)
        t.login()
        sell_coffee(t)
        t.wait(lambda: any(r.cut for r in t.hw.printer.receipts))
        text = "\n".join(t.hw.printer.receipts[-1].text)
        assert "See you soon at the market" in text and "5.00%" in text


def test_hardware_tests_run_through_the_emulated_devices(qtbot: Any, template: Path,
                                                        tmp_path: Path) -> None:
    with back_office(qtbot, template, tmp_path, "admin", "9999") as t:
        p = page(t, "hardware")
        t.wait(lambda: {e.role for e in rows(p.table)} >= {"printer", "drawer", "scale"})
        printed = len(t.hw.printer.receipts)
        click(t, "test_print", p)
        t.wait(lambda: len(t.hw.printer.receipts) == printed + 1)
        assert any("test" in line.lower() for line in t.hw.printer.receipts[-1].text)
        kicks = len(t.hw.printer.kicks)
        click(t, "test_drawer", p)
        t.wait(lambda: len(t.hw.printer.kicks) == kicks + 1)
        t.hw.scale.set_weight("1.250")
        click(t, "test_weigh", p)
        t.wait(lambda: "1.250 kg" in p.log.toPlainText())
        click(t, "add_device", p)
        dlg = t.dialog("device_dialog")
        dlg.role.setCurrentIndex(dlg.role.findData("display"))
        dlg.url.setText("serial:///dev/ttyUSB7?baudrate=9600")
        t.wait(lambda: dlg.driver.findData("cd5220") >= 0)
        dlg.driver.setCurrentIndex(dlg.driver.findData("cd5220"))
        click(t, "ok", dlg)
        t.wait(lambda: t.app.hardware.entry("display") is not None)
        assert t.app.hardware.entry("display").driver == "cd5220"


def test_a_dead_letter_is_retried_from_the_sync_page_once_the_target_accepts(
        qtbot: Any, template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")
    store = tmp_path / "store"
    shutil.copytree(template, store)
    verdict = {"answer": "400"}
    with receiver("bo-secret", lambda event: verdict["answer"]) as rcv:
        assert main(["--data-dir", str(store), "--user", "admin", "--pin", "9999", "sync",
                     "connector", "add", "webhook", "--name", "hq", "--set",
                     f"url={rcv.url}", "--set", "secret=bo-secret"]) == 0
        with till(qtbot, store, tmp_path) as t:
            t.login()
            sell_coffee(t)
            t.window.lock()
            enter(t, "admin", "9999")
            p = page(t, "sync")
            t.wait(lambda: (p.refresh(), rows(p.dead))[1] != [])  # refused by the target
            assert "400" in rows(p.dead)[0].error or rows(p.dead)[0].error
            verdict["answer"] = "ok"  # the target is fixed
            first = rows(p.dead)[0]
            p.dead.selectRow(0)
            click(t, "retry_dead", p)  # one by one...
            t.wait(lambda: "Sent again" in message(p))
            click(t, "sync_retry_all", p)  # ... or all that wait
            t.wait(lambda: first.event_id in {e["id"] for e in rcv.events.values()})
            t.wait(lambda: (p.refresh(), rows(p.dead))[1] == [])
            with t.db() as con:
                assert con.execute("select count(*) from audit_log where action='sync_retry'"
                                   ).fetchone()[0] >= 1
    assert os.path.exists(store / "secrets.json")
