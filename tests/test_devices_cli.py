"""``pos devices``, ``pos print``, ``pos sale --printer`` and ``pos emulate`` against the
emulators: in-process through ``main`` (output captured), and as a subprocess where
signals matter. Real stores, real drivers, loopback TCP and ptys; no sleeps."""

from __future__ import annotations

import dataclasses
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.emulators.display import DisplayEmulator
from drivers.emulators.printer import PrinterEmulator
from drivers.emulators.scale import ScaleEmulator
from pos_app.cli.main import main
from pos_app.hardware.messages import WORDS

from .conftest import COFFEE, Shop, make_shop

ROOT = Path(__file__).resolve().parent.parent
CASHIER = ["--user", "cashier", "--pin", "1111"]
ADMIN = ["--user", "admin", "--pin", "9999"]
DRIVERS = ("escpos", "stripe", "sim", "serial_scanner", "evdev_scanner", "serial_drawer",
           "cd5220", "serial_scale")


def pos(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def emu() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    shop = make_shop(tmp_path_factory.mktemp("cli") / "store")
    shop.app.close()
    return shop


@pytest.fixture
def store(template: Shop, tmp_path: Path) -> Path:
    shutil.copytree(template.data_dir, tmp_path / "store")
    return dataclasses.replace(template, data_dir=tmp_path / "store").data_dir


def one_line_error(code: int, err: str, *words: str) -> None:
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("pos: "), err
    assert "Traceback" not in err and "internal error" not in err
    for word in words:
        assert word in err, err


# --- device tests without a store ---

def test_print_test_page_needs_no_store_and_decodes_currency_and_accents(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, emu: PrinterEmulator) -> None:
    nowhere = tmp_path / "no-store"
    code, out, err = pos(capsys, nowhere, "devices", "test", "print", "--printer", emu.tcp_url)
    assert code == 0, err
    assert f"test page printed on {emu.tcp_url} (42 columns)" in out
    assert emu.wait_for(lambda: len(emu.receipts) == 1)
    (page,) = emu.receipts
    assert page.lines[0].text == "TEST PAGE" and page.lines[0].size == "double"
    assert "Currency: € 12,50  £ 9.99  $ 5.00" in page.text
    assert "Accents: é è ê à ç ñ ü ö ä ß Å Ø" in page.text
    assert [(b.symbology, b.data) for b in page.barcodes] == [("EAN13", "4006381333931")]
    assert page.qr == ["https://example.com/receipt/TEST"] and page.cut == "partial"
    assert not (nowhere / "pos.sqlite3").exists()


def test_drawer_test_kicks_through_the_printer(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, emu: PrinterEmulator) -> None:
    code, out, err = pos(capsys, tmp_path, "devices", "test", "drawer", "--drawer", emu.tcp_url,
                         "--set", "drawer_pin=5")
    assert code == 0, err
    assert [(k.pin, k.on_ms) for k in emu.kicks] == [(5, 100)]
    assert "drawer kicked; sensor says open" in out


def test_display_test_shows_both_lines_on_the_pole_display(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with DisplayEmulator() as display:
        code, out, err = pos(capsys, tmp_path, "devices", "test", "display",
                             "--display", display.url)
        assert code == 0, err
        assert display.wait_for(lambda: display.lines == (
            "POS display test".ljust(20), "0123456789 €ÄÖÜé".ljust(20)))
        assert f"test lines shown on {display.url}" in out


def test_weigh_test_reads_the_scale(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with ScaleEmulator() as scale:
        scale.set_weight("1.234")
        code, out, err = pos(capsys, tmp_path, "devices", "test", "weigh", "--scale", scale.url)
        assert code == 0, err
        assert "1.234 kg (stable)" in out


def test_pay_test_approves_and_releases_on_the_sim_terminal(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = pos(capsys, tmp_path, "devices", "test", "pay", "--terminal",
                         "sim://terminal", "--amount", "2.50")
    assert code == 0, err
    assert re.search(r"^approved: 2\.50 EUR \S+", out, re.M), out
    assert "authorisation released: nothing was charged" in out
    code, _, err = pos(capsys, tmp_path, "devices", "test", "pay", "--terminal",
                       "sim://terminal", "--amount", "lots")
    one_line_error(code, err, "lots")


def test_devices_list_and_detect(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = pos(capsys, tmp_path / "none", "devices", "list")
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    for name in DRIVERS:
        assert name in rows, out
        assert rows[name].rstrip().endswith("ok") or " ok" in rows[name], rows[name]
        assert "unusable" not in rows[name]
    assert "printer" in rows["escpos"] and "drawer" in rows["escpos"]
    code, out, err = pos(capsys, tmp_path / "none", "devices", "detect")
    assert code == 0, err
    assert out.strip()


def test_device_problems_are_one_clear_line(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, store: Path) -> None:
    code, _, err = pos(capsys, tmp_path, "devices", "test", "print", "--printer",
                       "http://printer.local:9100")
    one_line_error(code, err, "unknown device address", "tcp://")
    code, _, err = pos(capsys, tmp_path, "devices", "test", "print", "--printer",
                       "tcp://127.0.0.1:9100", "--set", "drawer_pin=7")
    one_line_error(code, err, "drawer_pin")
    with PrinterEmulator() as gone:
        dead = gone.tcp_url
    code, _, err = pos(capsys, tmp_path, "devices", "test", "print", "--printer", dead,
                       "--timeout", "5")
    one_line_error(code, err, dead)
    code, _, err = pos(capsys, store, "devices", "set", "printer", "http://x", *ADMIN)
    one_line_error(code, err, "unknown device address")
    code, _, err = pos(capsys, store, "devices", "set", "printer", "tcp://127.0.0.1:9100",
                       "--set", "nonsense", *ADMIN)
    one_line_error(code, err, "KEY=VALUE")
    code, _, err = pos(capsys, store, "devices", "set", "printer", "tcp://127.0.0.1:9100",
                       *CASHIER)
    one_line_error(code, err)
    code, out, _ = pos(capsys, store, "devices", "list")
    assert "no devices in this till's profile" in out


def test_devices_set_then_list_shows_the_profile(capsys: pytest.CaptureFixture[str],
                                                 store: Path, emu: PrinterEmulator) -> None:
    code, out, err = pos(capsys, store, "devices", "set", "printer", emu.tcp_url,
                         "--set", "width_mm=58", *ADMIN)
    assert code == 0, err
    assert f"printer: {emu.tcp_url} via escpos" in out
    code, out, err = pos(capsys, store, "devices", "list")
    assert code == 0, err
    assert re.search(rf"^  printer\s+{re.escape(emu.tcp_url)}\s+escpos\s+width_mm=58$", out,
                     re.M), out
    # the profile is what `pos devices test` and `pos sale --hardware` use
    code, out, err = pos(capsys, store, "devices", "test", "print")
    assert code == 0, err
    assert "(32 columns)" in out and emu.wait_for(lambda: len(emu.receipts) == 1)
    code, out, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                         "--hardware")
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 2)
    assert any("S1-T1-000001" in t for t in emu.receipts[1].text)
    code, out, err = pos(capsys, store, "devices", "remove", "printer", *ADMIN)
    assert code == 0 and "printer removed" in out


# --- selling and the print queue ---

def test_sale_prints_its_receipt_on_the_printer(capsys: pytest.CaptureFixture[str],
                                                store: Path, emu: PrinterEmulator) -> None:
    code, out, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash:20",
                         "--printer", emu.tcp_url)
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 1)
    (receipt,) = emu.receipts
    assert receipt.qr == ["S1-T1-000001"] and receipt.cut == "partial"
    assert any(t.startswith("TOTAL") and t.endswith("12.99 EUR") for t in receipt.text)
    assert any(t.startswith("Change") and t.endswith("7.01") for t in receipt.text)
    for line in receipt.text:  # the receipt shown on screen is the one printed
        assert line.strip() in out
    assert "kept in the print queue" not in out
    code, out, _ = pos(capsys, store, "print", "queue")
    assert code == 0 and "0 job(s) waiting" in out


def test_out_of_paper_sale_keeps_the_receipt_until_retry(capsys: pytest.CaptureFixture[str],
                                                         store: Path,
                                                         emu: PrinterEmulator) -> None:
    emu.paper_out = True
    code, out, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                         "--printer", emu.tcp_url)
    assert code == 1, (out, err)
    assert WORDS["paper_out"][1] in out + err
    assert "1 job(s) kept in the print queue" in out + err
    assert emu.lines == []

    code, out, err = pos(capsys, store, "print", "queue")
    assert code == 0, err
    assert out.splitlines()[-1] == "1 job(s) waiting"
    (job,) = out.splitlines()[:-1]  # one line per job
    assert "receipt S1-T1-000001" in job and "out of paper" in job and "tries 1" in job

    code, out, err = pos(capsys, store, "print", "retry", "--printer", emu.tcp_url)
    assert code == 1 and "kept in the print queue" in out  # still no paper
    emu.reload_paper()
    code, out, err = pos(capsys, store, "print", "retry", "--printer", emu.tcp_url)
    assert code == 0, (out, err)
    assert "printed 1 job(s)" in out
    assert emu.wait_for(lambda: len(emu.receipts) == 1)
    assert emu.receipts[0].qr == ["S1-T1-000001"]
    code, out, _ = pos(capsys, store, "print", "queue")
    assert "0 job(s) waiting" in out


def test_reprint_from_the_command_line_is_a_marked_copy(capsys: pytest.CaptureFixture[str],
                                                        store: Path,
                                                        emu: PrinterEmulator) -> None:
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                       "--no-receipt")
    assert code == 0, err
    code, out, err = pos(capsys, store, "print", "reprint", "S1-T1-000001", *CASHIER,
                         "--printer", emu.tcp_url)
    assert code == 0, err
    assert "printed 1 job(s)" in out
    assert emu.wait_for(lambda: len(emu.receipts) == 1)
    assert "COPY - REPRINT" in emu.receipts[0].text
    assert emu.receipts[0].qr == ["S1-T1-000001"]
    code, _, err = pos(capsys, store, "print", "reprint", "S1-T1-000099", *CASHIER,
                       "--printer", emu.tcp_url)
    one_line_error(code, err, "S1-T1-000099")


# --- the emulator as its own process ---

class Lines:
    """A subprocess's stdout read straight from the pipe (no hidden buffer for select)."""

    def __init__(self, proc: subprocess.Popen[bytes], timeout: float) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.deadline = time.monotonic() + timeout
        self.text = ""

    def until(self, wanted: str) -> str:
        while wanted not in self.text:
            left = self.deadline - time.monotonic()
            assert left > 0, f"{wanted!r} not seen in time; got {self.text!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 65536)
                assert chunk, f"the process ended; got {self.text!r}"
                self.text += chunk.decode()
        return self.text


def test_emulate_printer_process_listens_prints_and_stops_on_sigterm(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "pos_app.cli.main", "emulate", "printer",
                             "--tcp", "127.0.0.1:0", "--no-stdin"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out = Lines(proc, 20)
        match = re.search(r"printer listening on (tcp://127\.0\.0\.1:\d+)\n",
                          out.until("\n"))
        assert match, out.text
        url = match.group(1)
        code, _, err = pos(capsys, tmp_path, "devices", "test", "print", "--printer", url)
        assert code == 0, err
        out.until("Accents: é è ê à ç ñ ü ö ä ß Å Ø")  # the receipt as the emulator decoded it
        proc.send_signal(signal.SIGTERM)
        rest, errors = proc.communicate(timeout=10)
        assert proc.returncode == 0, errors
        assert "printer emulator stopped" in rest.decode()
        assert b"Traceback" not in errors
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cash_sale_refund_and_no_sale_open_the_drawer_through_the_printer(
        capsys: pytest.CaptureFixture[str], store: Path, emu: PrinterEmulator) -> None:
    devices = ["--printer", emu.tcp_url, "--drawer", emu.tcp_url]
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                       *devices)
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 1 and len(emu.kicks) == 1)
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "card",
                       *devices)
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 2) and len(emu.kicks) == 1  # card: shut
    code, _, err = pos(capsys, store, "refund", *CASHIER, "--receipt", "S1-T1-000001",
                       *devices)
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 3 and len(emu.kicks) == 2)
    assert "REFUND" in emu.receipts[2].text  # cash went back out of the drawer

    code, _, err = pos(capsys, store, "shift", "no-sale", *CASHIER, "--drawer", emu.tcp_url)
    one_line_error(code, err, "no sale")
    code, out, err = pos(capsys, store, "shift", "no-sale", "--user", "supervisor", "--pin",
                         "2222", "--reason", "change", "--drawer", emu.tcp_url)
    assert code == 0, err
    assert "no-sale recorded; drawer opened" in out
    assert emu.wait_for(lambda: len(emu.kicks) == 3)


def test_a_mistyped_device_address_is_refused_before_anything_is_sold(
        capsys: pytest.CaptureFixture[str], store: Path) -> None:
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                       "--printer", "http://10.0.0.5")
    one_line_error(code, err, "http://10.0.0.5")
    code, out, _ = pos(capsys, store, "report", "x", *CASHIER, "--format", "json")
    assert '"count": 0' in out  # nothing was sold without its receipt


def test_drawer_left_open_stops_the_next_sale_when_the_shop_requires_it(
        capsys: pytest.CaptureFixture[str], store: Path, emu: PrinterEmulator) -> None:
    assert pos(capsys, store, "settings", "set", "require_drawer_closed", "true", *ADMIN)[0] == 0
    devices = ["--printer", emu.tcp_url, "--drawer", emu.tcp_url]
    emu.drawer_open = True
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                       *devices)
    one_line_error(code, err, "close the cash drawer")
    assert emu.receipts == [] and emu.kicks == []
    emu.drawer_open = False
    code, _, err = pos(capsys, store, "sale", *CASHIER, "--scan", COFFEE, "--pay", "cash",
                       *devices)
    assert code == 0, err
    assert emu.wait_for(lambda: len(emu.receipts) == 1 and len(emu.kicks) == 1)
