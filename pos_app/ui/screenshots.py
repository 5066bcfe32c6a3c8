"""Regenerate the README's screenshots: ``python -m pos_app.ui.screenshots [--out DIR]``.

Offscreen Qt, a fresh demo store with a week of history, every device emulated; the
till is driven the way a cashier and a manager would, and each screen is grabbed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

SIZE = (1280, 800)


def _pump(qapp: Any, until: Callable[[], bool] | None = None, timeout: float = 10.0,
          settle: float = 0.25) -> None:
    """Process events until ``until()`` holds (then a little more for painting)."""
    end = time.monotonic() + timeout
    while until is not None and not until() and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.01)
    if until is not None and not until():
        raise RuntimeError("the till did not get where the screenshot script expected")
    settle_end = time.monotonic() + settle
    while time.monotonic() < settle_end:
        qapp.processEvents()
        time.sleep(0.01)


def take(out: Path, store: Path | None = None) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QLocale, QTranslator
    from PySide6.QtWidgets import QApplication, QDialog

    from ..app import open_app
    from ..demo import CHEESE_ITEM, COFFEE_GTIN, build_demo_store, german_label
    from ..demo_devices import DemoHardware
    from .i18n import install_translator
    from .run import build_window, create_qt_app
    from .theme import apply_theme

    out.mkdir(parents=True, exist_ok=True)
    qapp = create_qt_app()
    work = Path(tempfile.mkdtemp(prefix="pos-shots-"))
    data = store or work / "store"
    if store is None:
        build_demo_store(data, 2000, history_days=7)
        app = open_app(data, terminal=None)
        admin = app.auth.login("admin", "9999")
        app.settings.set(admin, "favourites", ["COF-1KG", "CHEESE-KG", "BREAD-LBL", "P2", "P3",
                                               "P4", "P5", "P6", "P7"])
        app.settings.set(admin, "auto_lock_minutes", 0)
        app.close()
    saved: list[Path] = []

    def shot(widget: Any, name: str) -> None:
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path)

    def dialog(name: str) -> Any:
        found: list[Any] = []

        def visible() -> bool:
            found[:] = [w for w in QApplication.topLevelWidgets()
                        if isinstance(w, QDialog) and w.objectName() == name and w.isVisible()]
            return bool(found)

        _pump(qapp, visible)
        return found[0]

    with DemoHardware(data) as hw:
        app = open_app(data, terminal=hw.terminal_url(), overrides=hw.urls)
        window = build_window(app)
        window.resize(*SIZE)
        window.show()
        s = window.session
        try:
            _pump(qapp, lambda: window.lock_screen.findChild(object, "user_cashier") is not None)
            shot(window, "till-lock")
            window.lock_screen.choose("cashier", "Cashier")
            window.lock_screen.pin.setText("1111")
            window.lock_screen.submit()
            _pump(qapp, lambda: window.screen_name == "sale_screen")
            hw.scale.set_weight(Decimal("0.435"))
            for code in (COFFEE_GTIN, german_label("22", "5678", 349)):
                n = len(s.view.lines)
                window.route_scan(code)
                _pump(qapp, lambda n=n: len(s.view.lines) > n)
            s.add_sku("CHEESE-KG")
            _pump(qapp, lambda: len(s.view.lines) == 3)
            s.add_sku("P4", Decimal(2))
            _pump(qapp, lambda: len(s.view.lines) == 4)
            s.attach_customer("C0007")
            _pump(qapp, lambda: s.view.customer is not None)
            s.line_discount(s.view.lines[0].key, _discount("10"))
            _pump(qapp, lambda: s.view.lines[0].discount > 0)
            window.sale.search.setText("class")
            _pump(qapp, lambda: window.sale.results.count() > 3)
            shot(window, "till-sale")
            window.sale.search.clear()
            _pump(qapp)
            window.resize(1024, 768)
            _pump(qapp)
            shot(window, "till-sale-1024x768")
            window.resize(*SIZE)
            apply_theme(qapp, "dark")
            _pump(qapp)
            shot(window, "till-sale-dark")
            apply_theme(qapp, "light")
            window.sale.pay.click()
            _pump(qapp, lambda: window.screen_name == "pay_screen")
            s.pay_card(2000)
            _pump(qapp, lambda: len(s.view.payments) == 1, timeout=20)
            _pump(qapp, lambda: window.card_dialog is None)
            shot(window, "till-pay")
            window.pay.findChild(object, "quick_5000").click() if window.pay.findChild(
                object, "quick_5000") else s.pay_exact_cash()
            _pump(qapp, lambda: window.screen_name == "done_screen", timeout=20)
            shot(window, "till-change")
            window.done.next_btn.click()
            _pump(qapp)

            window.lock()
            window.lock_screen.choose("admin", "Admin")
            window.lock_screen.pin.setText("9999")
            window.lock_screen.submit()
            _pump(qapp, lambda: window.screen_name == "sale_screen")
            window.open_back_office()
            bo = window.back_office
            products = bo.open_page("products")
            admin = app.auth.login("admin", "9999")
            row = next(r for r in app.catalog_admin.products(admin, "P1-").rows
                       if r.name.endswith(" 1"))
            products.open_product(row.id)
            _pump(qapp, lambda: products.stack.currentWidget() is products.editor
                  and products.editor.variants.rows_model.rows != [])
            shot(window, "backoffice-product")
            products.editor.matrix()
            matrix = dialog("matrix_dialog")
            matrix.sizes.setText(matrix.sizes.text() + ", XXL")
            matrix.preview()
            _pump(qapp, lambda: "3 new" in matrix.summary.text())
            shot(matrix, "backoffice-matrix")
            matrix.reject()
            reports = bo.open_page("reports")
            reports.preset("week")
            _pump(qapp, lambda: reports.kpi_labels["sales"].text() not in ("–", "0")
                  and "sales" in reports.rows)
            shot(window, "backoffice-report")
            reports.tabs.setCurrentIndex(1)
            _pump(qapp, lambda: "items" in reports.rows)
            shot(window, "backoffice-report-items")
            settings = bo.open_page("settings")
            settings.tabs.setCurrentIndex(1)
            _pump(qapp, lambda: "RECEIPT" in settings.preview.toPlainText())
            shot(window, "backoffice-settings-receipt")
            hardware = bo.open_page("hardware")
            _pump(qapp, lambda: hardware.table.rows_model.rows != [])
            hardware.run_test("print")
            _pump(qapp, lambda: "OK." in hardware.log.toPlainText(), timeout=20)
            shot(window, "backoffice-hardware")
            stock = bo.open_page("stock") if _has(bo, "stock") else None
            if stock is not None:
                _pump(qapp, settle=1.0)
                shot(window, "backoffice-stock")
            window.back_office.closed.emit()
            _pump(qapp)

            english = QLocale()
            translator = install_translator(qapp, "de_DE")
            if translator is not None:  # the German screens need a window built afresh
                window.close()
                window.sync_worker.stop()
                if store is None:  # the script's own store: German money and dates too
                    app.settings.set(admin, "locale", "de_DE")
                window = build_window(app, start_background=False)
                window.resize(*SIZE)
                window.show()
                _pump(qapp, lambda: window.lock_screen.findChild(
                    object, "user_cashier") is not None)
                window.lock_screen.choose("cashier", "Cashier")
                window.lock_screen.pin.setText("1111")
                window.lock_screen.submit()
                _pump(qapp, lambda: window.screen_name == "sale_screen")
                s = window.session
                window.route_scan(german_label("28", CHEESE_ITEM, 250))
                _pump(qapp, lambda: len(s.view.lines) == 1)
                shot(window, "till-sale-de")
                for installed in qapp.findChildren(QTranslator):
                    qapp.removeTranslator(installed)
                QLocale.setDefault(english)
        finally:
            window.close()
            window.sync_worker.stop()
            app.close()
    return saved


def _discount(percent: str) -> Any:
    from ..domain.pricing import Discount

    return Discount(percent=Decimal(percent))


def _has(back_office: Any, key: str) -> bool:
    return any(k == key for k, _f, _p in back_office._factories)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pos_app.ui.screenshots", description=__doc__)
    p.add_argument("--out", default="docs/screenshots", help="where the PNG files go")
    ns = p.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("POS_LOG_DIR", tempfile.mkdtemp(prefix="pos-shots-log-"))
    for path in take(Path(ns.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
