"""The durable print queue end to end: real SQLite stores, the real ESC/POS driver and
the printer emulator on loopback TCP. A receipt is a row before it is paper; paper
out, an open cover, a pulled cable, a silent printer or an app restart never lose
it, and it always comes out whole, in order. No sleeps: waits are on futures, the
emulator's condition or the print call itself."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.emulators.printer import PrinterEmulator, Receipt
from pos_app.app import open_app
from pos_app.domain.devices import DeviceEntry, JobStatus
from pos_app.domain.errors import StateError
from pos_app.domain.sale import CompletedSale
from pos_app.hardware.messages import WORDS
from pos_app.paths import db_path
from pos_app.services.printing import MERCHANT_COPY, REPRINT, PrintRun

from .conftest import COFFEE, TEA_UPC, Shop, make_shop

HEADER = "Café Müller, Preise in € inkl. MwSt."
FAST = {"status_timeout": "0.5", "job_timeout": "3"}


@pytest.fixture
def emu() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as emulator:
        yield emulator


def _open(shop: Shop, emu: PrinterEmulator, **kw: Any) -> None:
    shop.app = open_app(shop.data_dir, overrides={"printer": emu.tcp_url}, **kw)
    shop.app.devices.started["printer"].result(10)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """One shop built per module; each test gets its own copy of the store."""
    shop = make_shop(tmp_path_factory.mktemp("print") / "store")
    shop.app.settings.set(shop.admin, "receipt_header", HEADER)
    shop.app.close()
    return shop


def copy_shop(template: Shop, where: Path) -> Shop:
    shutil.copytree(template.data_dir, where)
    return dataclasses.replace(template, data_dir=where)


@pytest.fixture
def till(template: Shop, tmp_path: Path, emu: PrinterEmulator) -> Iterator[Shop]:
    """A shop whose till prints on the emulator (given as a URL, like ``--printer``)."""
    shop = copy_shop(template, tmp_path / "store")
    _open(shop, emu)
    yield shop
    shop.app.close()


def cash_sale(shop: Shop, code: str = COFFEE, tendered: int = 2000) -> CompletedSale:
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, code, shop.cashier)
    co.pay_cash(cart, tendered, shop.cashier)
    return co.complete(cart, shop.cashier)


def card_sale(shop: Shop) -> CompletedSale:
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    co.pay_card(cart, shop.cashier)
    return co.complete(cart, shop.cashier)


def expected_lines(shop: Shop, sale: CompletedSale, copy: str | None = None) -> list[str]:
    """The text lines of the receipt as the till renders it (its preview)."""
    return [op["text"] for op in shop.app.printing.render(sale, copy) if op["op"] == "text"]


def cut_receipts(emu: PrinterEmulator, n: int) -> list[Receipt]:
    assert emu.wait_for(lambda: len(emu.receipts) >= n), f"{len(emu.receipts)} receipts"
    return list(emu.receipts)


def audit(shop: Shop, action: str) -> list[tuple[str | None, str | None, dict[str, Any]]]:
    con = sqlite3.connect(db_path(shop.data_dir))
    try:
        rows = con.execute("select actor_id, subject, details from audit_log where action = ?"
                           " order by seq", (action,)).fetchall()
    finally:
        con.close()
    return [(actor, subject, json.loads(details)) for actor, subject, details in rows]


def test_a_german_shop_prints_german_receipts(till: Shop, emu: PrinterEmulator) -> None:
    """receipt_template=de: German words, decimal commas, dd.mm.yyyy, umlauts through the
    code page; a card sale's merchant copy and a reprint marked in German too."""
    from pos_app.app import receipt_template_for

    assert receipt_template_for("de_DE") == "de" and receipt_template_for("fr_FR") == "default"
    till.app.settings.set(till.admin, "receipt_template", "de")
    till.app.settings.set(till.admin, "print_merchant_copy", True)
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    till.app.printing.print_pending()
    (receipt,) = cut_receipts(emu, 1)
    assert receipt.text == expected_lines(till, sale)
    assert receipt.text[2] == "KASSENBON"
    assert receipt.text[3].startswith(f"Bon-Nr. {sale.receipt_no}")
    assert sale.completed_at.astimezone().strftime("%d.%m.%Y") in receipt.text[3]
    total = next(line for line in receipt.lines if line.text.startswith("SUMME"))
    assert total.text.endswith("12,99 EUR") and total.bold
    assert any(t.startswith("Rückgeld") and t.endswith("7,01") for t in receipt.text)
    assert any(t.startswith("Bar ") and t.endswith("20,00") for t in receipt.text)
    assert any(t.startswith("enth. MwSt.") and " auf " in t for t in receipt.text)
    assert "Für Rückgaben an der Kasse scannen" in receipt.text
    assert not {"TOTAL", "Change", "Subtotal", "Cash"} & {t.split()[0] for t in receipt.text}
    card = card_sale(till)
    till.app.printing.queue_receipt(card)
    till.app.printing.reprint(sale.receipt_no, till.cashier)
    till.app.printing.print_pending()
    _, customer, merchant, reprint = cut_receipts(emu, 4)
    assert any(t.startswith("Karte ") for t in customer.text)
    assert "HÄNDLERBELEG" in merchant.text and "HÄNDLERBELEG" not in customer.text
    assert "KOPIE - NACHDRUCK" in reprint.text


@pytest.mark.parametrize(("toml", "message"), [
    ('[labels]\ntotl = "x"', "unknown label 'totl'"),
    ('[labels]\npoints = "{gained}"', "points label may only use"),
    ('[format]\ndecimal = ";"', "decimal is"),
])
def test_a_template_with_bad_labels_or_format_is_refused(toml: str, message: str) -> None:
    from pos_app.app import receipt_template
    from pos_app.domain.receipt_layout import TemplateError, load_template

    with pytest.raises(TemplateError, match=message):
        load_template(receipt_template("default") + "\n" + toml)


def test_receipt_of_a_sale_prints_whole_with_total_number_and_euro(
        till: Shop, emu: PrinterEmulator) -> None:
    sale = cash_sale(till)
    job_ids = till.app.printing.queue_receipt(sale)
    assert [j.id for j in till.app.printing.pending()] == job_ids  # a row before it is paper
    run = till.app.printing.print_pending()
    assert run.printed == job_ids and run.error is None and run.pending == 0
    (receipt,) = cut_receipts(emu, 1)
    assert receipt.text == expected_lines(till, sale)  # every line, as previewed
    assert HEADER in receipt.text  # € and umlauts decoded right through the code page
    assert f"No {sale.receipt_no}" in receipt.text[3]
    total = next(line for line in receipt.lines if line.text.startswith("TOTAL"))
    assert total.text.endswith("12.99 EUR") and total.bold
    assert any(t.startswith("Change") and t.endswith("7.01") for t in receipt.text)
    assert receipt.qr == [sale.receipt_no] and receipt.cut == "partial"
    assert receipt.lines[0].text == "Test Shop" and receipt.lines[0].size == "double"
    assert till.app.printing.pending() == []
    assert [j.status for j in till.app.printing.jobs()] == [JobStatus.PRINTED]


def test_paper_out_keeps_jobs_and_prints_them_whole_and_in_order_after_reload(
        till: Shop, emu: PrinterEmulator) -> None:
    emu.paper_out = True
    first, second = cash_sale(till), cash_sale(till, TEA_UPC, 500)
    till.app.printing.queue_receipt(first)
    till.app.printing.queue_receipt(second)
    run = till.app.printing.print_pending()
    assert run.printed == [] and run.error_code == "paper_out" and run.pending == 2
    assert "out of paper" in (run.error or "")
    pending = till.app.printing.pending()
    assert [j.title for j in pending] == [f"receipt {first.receipt_no}",
                                          f"receipt {second.receipt_no}"]
    assert "out of paper" in (pending[0].last_error or "") and pending[0].attempts == 1
    assert pending[1].attempts == 0  # stopped at the first failure: order is kept
    assert emu.lines == [] and emu.lost_bytes == 0  # nothing sent to a printer that cannot
    health = till.app.devices.health["printer"]
    assert (health.level, health.message) == ("error", WORDS["paper_out"][1])

    emu.reload_paper()
    run = till.app.printing.print_pending()
    assert run.printed == [j.id for j in pending] and run.pending == 0 and run.error is None
    receipts = cut_receipts(emu, 2)
    assert [r.qr for r in receipts] == [[first.receipt_no], [second.receipt_no]]
    assert receipts[0].text == expected_lines(till, first)
    assert receipts[1].text == expected_lines(till, second)
    assert till.app.devices.health["printer"].level == "ok"


def test_paper_running_out_mid_job_keeps_it_and_prints_it_whole_after_reload(
        till: Shop, emu: PrinterEmulator) -> None:
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    emu.paper_out_after(5)
    run = till.app.printing.print_pending()
    assert run.error_code == "paper_out" and run.pending == 1 and not run.printed
    assert "during the job" in (run.error or "")  # the printer stopped part way
    assert len(emu.current.lines) == 5 and emu.receipts == []  # a torn, uncut stub
    (job,) = till.app.printing.pending()
    assert "incomplete" in (job.last_error or "")

    emu.reload_paper()
    stub = list(emu.current.text)
    run = till.app.printing.print_pending()
    assert run.printed == [job.id] and run.pending == 0
    (receipt,) = cut_receipts(emu, 1)
    assert receipt.text == stub + expected_lines(till, sale)  # the whole receipt again
    assert receipt.qr == [sale.receipt_no]


def test_open_cover_keeps_the_job_until_it_is_closed(till: Shop, emu: PrinterEmulator) -> None:
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    emu.cover_open = True
    run = till.app.printing.print_pending()
    assert run.error_code == "cover_open" and run.pending == 1 and emu.lines == []
    assert till.app.devices.health["printer"].message == WORDS["cover_open"][1]
    emu.cover_open = False
    assert till.app.printing.print_pending().pending == 0
    assert cut_receipts(emu, 1)[0].text == expected_lines(till, sale)
    assert till.app.devices.health["printer"].level == "ok"


def test_pulled_cable_keeps_the_job_until_it_is_plugged_back(
        till: Shop, emu: PrinterEmulator) -> None:
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    emu.unplug()
    run = till.app.printing.print_pending()
    assert run.pending == 1 and not run.printed and run.error
    assert till.app.devices.health["printer"].level == "error"
    (job,) = till.app.printing.pending()
    assert job.last_error == run.error
    emu.plug()
    run = till.app.printing.print_pending()
    assert run.printed == [job.id] and run.pending == 0
    assert cut_receipts(emu, 1)[0].text == expected_lines(till, sale)


def test_printer_that_dropped_the_connection_between_jobs_prints_the_next_one(
        till: Shop, emu: PrinterEmulator) -> None:
    till.app.printing.queue_receipt(cash_sale(till))
    assert till.app.printing.print_pending().pending == 0
    emu.drop_connections()  # printer rebooted, or closed an idle session
    assert emu.wait_for(lambda: emu.open_connections == 0)
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    assert till.app.printing.print_pending().pending == 0
    assert cut_receipts(emu, 2)[1].text == expected_lines(till, sale)


def test_silent_printer_never_hangs_the_till_and_the_job_is_kept(
        template: Shop, tmp_path: Path, emu: PrinterEmulator) -> None:
    shop = copy_shop(template, tmp_path / "store")
    shop.app = open_app(shop.data_dir, terminal=None)
    # the profile's settings stay with a --printer override of the same kind of address
    shop.app.hardware.set_device(shop.admin, DeviceEntry("printer", "", "tcp://192.0.2.1:9100",
                                                         None, FAST))
    shop.app.close()
    _open(shop, emu, hardware=True)
    assert shop.app.devices.device("printer").config.status_timeout == 0.5  # type: ignore
    try:
        sale = cash_sale(shop)
        shop.app.printing.queue_receipt(sale)
        shop.app.printing.queue_receipt(cash_sale(shop))
        emu.silent = True  # takes bytes, answers nothing
        started = time.monotonic()
        run = shop.app.printing.print_pending()
        took = time.monotonic() - started
        print(f"silent printer: print_pending returned after {took:.2f} s")
        assert took < 3.0, f"print_pending took {took:.1f} s with a silent printer"
        assert run.error_code == "timeout" and run.pending == 2 and not run.printed
        assert shop.app.devices.health["printer"].level == "error"
        emu.silent = False
        run = shop.app.printing.print_pending()
        assert len(run.printed) == 2 and run.pending == 0
        assert cut_receipts(emu, 1)[0].text[-len(expected_lines(shop, sale)):] \
            == expected_lines(shop, sale)
    finally:
        shop.app.close()


def test_reprint_of_a_past_receipt_is_marked_as_a_copy_and_audited(
        till: Shop, emu: PrinterEmulator) -> None:
    sale = cash_sale(till)
    till.app.printing.queue_receipt(sale)
    till.app.printing.print_pending()
    job_id = till.app.printing.reprint(sale.receipt_no, till.cashier)
    assert till.app.printing.print_pending().printed == [job_id]
    original, copy = cut_receipts(emu, 2)
    assert REPRINT not in original.text and REPRINT in copy.text
    assert copy.text == expected_lines(till, sale, REPRINT)
    assert [t for t in copy.text if t != REPRINT] == original.text  # same sale, same lines
    assert audit(till, "receipt_reprint") == [(till.cashier.id, sale.receipt_no, {})]
    with pytest.raises(Exception, match="no receipt"):
        till.app.printing.reprint("S1-T1-999999", till.cashier)


def test_merchant_copy_for_card_sales_when_set_never_for_cash(
        till: Shop, emu: PrinterEmulator) -> None:
    till.app.settings.set(till.admin, "print_merchant_copy", True)
    cash = cash_sale(till)
    assert len(till.app.printing.queue_receipt(cash)) == 1
    card = card_sale(till)
    customer_job, merchant_job = till.app.printing.queue_receipt(card)
    assert till.app.printing.print_pending().printed[1:] == [customer_job, merchant_job]
    cash_receipt, customer, merchant = cut_receipts(emu, 3)
    assert MERCHANT_COPY not in cash_receipt.text and MERCHANT_COPY not in customer.text
    assert MERCHANT_COPY in merchant.text
    assert merchant.text == expected_lines(till, card, MERCHANT_COPY)
    assert any(t.startswith("Card") for t in merchant.text)
    till.app.settings.set(till.admin, "print_merchant_copy", False)
    assert len(till.app.printing.queue_receipt(card_sale(till))) == 1


def test_cancelling_a_pending_job_is_audited_and_it_never_prints(
        till: Shop, emu: PrinterEmulator) -> None:
    emu.paper_out = True
    dropped, kept = cash_sale(till), cash_sale(till)
    (dropped_job,) = till.app.printing.queue_receipt(dropped)
    (kept_job,) = till.app.printing.queue_receipt(kept)
    till.app.printing.print_pending()
    till.app.printing.cancel(dropped_job, till.cashier)
    assert [j.id for j in till.app.printing.pending()] == [kept_job]
    assert audit(till, "print_cancel") == [
        (till.cashier.id, dropped_job, {"title": f"receipt {dropped.receipt_no}"})]
    with pytest.raises(StateError):
        till.app.printing.cancel(dropped_job, till.cashier)  # once only
    emu.reload_paper()
    assert till.app.printing.print_pending().printed == [kept_job]
    (receipt,) = cut_receipts(emu, 1)
    assert receipt.qr == [kept.receipt_no]
    till.app.printing.reprint(dropped.receipt_no, till.cashier)  # still reprintable
    assert till.app.printing.print_pending().pending == 0


def test_a_kept_job_survives_an_app_restart(till: Shop, emu: PrinterEmulator) -> None:
    emu.paper_out = True
    sale = cash_sale(till)
    (job_id,) = till.app.printing.queue_receipt(sale)
    assert till.app.printing.print_pending().pending == 1
    till.app.close()  # the till is switched off with the receipt still waiting
    emu.reload_paper()
    _open(till, emu)
    (job,) = till.app.printing.pending()
    assert job.id == job_id and "out of paper" in (job.last_error or "")
    assert till.app.printing.print_pending().printed == [job_id]
    assert cut_receipts(emu, 1)[0].text == expected_lines(till, sale)


def test_two_runs_at_once_print_a_pending_receipt_once(till: Shop, emu: PrinterEmulator) -> None:
    """The background print worker and a cashier's "retry" may run together."""
    (job_id,) = till.app.printing.queue_receipt(cash_sale(till))
    start = threading.Barrier(2)
    runs: list[PrintRun] = []

    def run() -> None:
        start.wait(5)
        runs.append(till.app.printing.print_pending())

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(job for r in runs for job in r.printed) == [job_id]
    assert len(emu.receipts) == 1  # both runs are over: nothing more is on its way


def test_report_lines_wider_than_the_paper_continue_below_and_lose_nothing() -> None:
    from pos_app.domain.receipt_layout import fit_line, report_ops

    line = "  cash             125.98     125.48      -0.50"  # 47 characters
    assert fit_line(line, 42) == ["  cash             125.98     125.48",
                                  " " * 37 + "-0.50"]
    assert fit_line("x" * 50, 42) == ["x" * 42, " " * 34 + "x" * 8]
    assert fit_line("fits", 42) == ["fits"]
    texts = [op["text"] for op in report_ops("Z", f"A\n{line}", 42) if op["op"] == "text"]
    assert texts == ["Z", "A", "  cash             125.98     125.48", " " * 37 + "-0.50"]
