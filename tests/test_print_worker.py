"""The till's print queue prints by itself once the printer is back."""

from __future__ import annotations

import threading
from pathlib import Path

from drivers.emulators.printer import PrinterEmulator, write_png
from pos_app.app import open_app
from pos_app.services.printing import PrintRun

from .conftest import COFFEE, make_shop


def test_receipt_waits_for_paper_and_prints_without_anyone_pressing_retry(
        tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "store")
    shop.app.close()
    with PrinterEmulator() as printer:
        printer.paper_out = True
        app = open_app(shop.data_dir, overrides={"printer": printer.tcp_url})
        runs: list[PrintRun] = []
        failed, printed = threading.Event(), threading.Event()

        def seen(run: PrintRun) -> None:
            runs.append(run)
            (printed if run.printed else failed).set()

        app.print_worker.on_run = seen
        app.print_worker.first_retry = 0.05
        try:
            co = app.checkout
            cart = co.new_cart()
            co.scan(cart, COFFEE, shop.cashier)
            co.pay_cash(cart, 2000, shop.cashier)
            sale = co.complete(cart, shop.cashier)
            app.printing.queue_receipt(sale)
            app.print_worker.start()
            assert failed.wait(10)
            assert runs[0].error_code == "paper_out" and runs[0].pending == 1
            assert [j.title for j in app.printing.pending()] == [f"receipt {sale.receipt_no}"]
            assert not any(r.cut for r in printer.receipts)  # nothing printed meanwhile
            printer.paper_out = False  # a new roll; nobody touches the till
            assert printed.wait(10)  # the worker's own retry printed it
            text = "\n".join(printer.receipts[-1].text)
            assert sale.receipt_no in text and "12.99" in text
            assert app.printing.pending() == [] and runs[-1].pending == 0
        finally:
            app.close()


def test_store_logo_prints_as_a_raster_image(tmp_path: Path) -> None:
    shop = make_shop(tmp_path / "store")
    shop.app.close()
    logo = tmp_path / "logo.png"
    write_png(logo, 64, 16, bytes([0xF0, 0x0F] * 4 * 16))  # stripes, 1 bit per pixel
    with PrinterEmulator(out_dir=tmp_path / "printed") as printer:
        app = open_app(shop.data_dir, overrides={"printer": printer.tcp_url})
        try:
            app.settings.set(shop.admin, "receipt_logo", str(logo))
            co = app.checkout
            cart = co.new_cart()
            co.scan(cart, COFFEE, shop.cashier)
            co.pay_cash(cart, 2000, shop.cashier)
            sale = co.complete(cart, shop.cashier)
            ops = app.printing.render(sale)
            assert ops[0]["op"] == "image"  # the template's first block
            app.printing.queue_receipt(sale)
            assert app.printing.print_pending().printed
            (image,) = printer.receipts[-1].images
            assert image.width >= 64 and image.height == 16
            app.settings.set(shop.admin, "receipt_logo", str(tmp_path / "missing.png"))
            assert app.printing.render(sale)[0]["op"] == "text"  # no logo, still a receipt
        finally:
            app.close()
