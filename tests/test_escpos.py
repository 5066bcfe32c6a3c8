"""ESC/POS driver against the printer emulator: real python-escpos transports over
loopback TCP, a pty (pyserial), a fake pyusb backend and a file; no sleeps."""

from __future__ import annotations

import base64
import io
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers import printdoc
from drivers.device import Device
from drivers.emulators.printer import Kick, PrinterEmulator, _Session
from drivers.errors import (
    CoverOpen,
    DeviceClaimed,
    DeviceOffline,
    DeviceTimeout,
    DriverNotUsable,
    IllegalState,
    NoHardware,
    PaperOut,
)
from drivers.escpos import transport as escpos_transport
from drivers.escpos.driver import EscPosDrawer, EscPosDriver, EscPosPrinter
from drivers.escpos.render import Layout, check_barcode, code_page, get_profile, render
from drivers.escpos.status import (
    StatusSorter,
    is_asb_header,
    is_rt_reply,
    status_from_asb,
    status_from_realtime,
)
from drivers.kinds import DeviceKind, PrinterStatus
from drivers.printdoc import check_document
from drivers.registry import Candidate, create_device, load_drivers
from drivers.status import Status, StatusEvent
from drivers.url import parse_device_url

ROOT = Path(__file__).resolve().parent.parent
FAST = {"status_timeout": "0.5", "job_timeout": "3"}
SPECIAL = "Café € 3,50 £ 2.00 Müller Straße"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(pty=True, out_dir=tmp_path / "out") as emulator:
        yield emulator


@pytest.fixture
def devices() -> Iterator[list[Device]]:
    made: list[Device] = []
    yield made
    for device in made:
        device.close(timeout=1)


@pytest.fixture
def make(devices: list[Device]) -> Callable[..., Any]:
    """Create a device, activate it and close it after the test."""
    def build(url: str, kind: str = "printer", usb_backend: Any = None, activate: bool = True,
              **settings: Any) -> Any:
        driver = EscPosDriver(usb_backend=usb_backend)
        full = driver.settings_for({**FAST, **settings})
        device = driver.create(DeviceKind(kind), parse_device_url(url), full)
        devices.append(device)
        if activate:
            device.activate().result(5)
        return device
    return build


def receipt(*lines: str) -> list[dict[str, Any]]:
    return [{"op": "text", "text": line} for line in lines] + [{"op": "cut", "partial": True}]


def events_of(device: Device) -> list[StatusEvent]:
    seen: list[StatusEvent] = []
    device.add_status_listener(seen.append)
    return seen


def png_b64(width: int = 16, height: int = 8) -> str:
    from PIL import Image

    img = Image.new("1", (width, height), 1)
    for x in range(width):
        img.putpixel((x, 0), 0)  # a black top row
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


# --- status framing (pure) ----------------------------------------------------

def test_sorter_keeps_asb_bytes_out_of_dle_eot_replies() -> None:
    asb = bytes((0x14, 0x00, 0x03, 0x00))  # drawer pin high, paper near end
    reply = 0x12 | 0x08  # DLE EOT 1: offline
    sorter = StatusSorter()
    sorter.feed(asb[:2])  # a frame split across reads, then the reply, then XOFF
    sorter.feed(asb[2:] + bytes((reply, 0x13)))
    assert list(sorter.rt_replies) == [reply]
    assert list(sorter.asb_frames) == [asb]
    assert sorter.xoff and not sorter.gs_r_replies
    # A naive read(16) would have taken the ASB header as the reply: its shape differs.
    assert is_asb_header(asb[0]) and not is_rt_reply(asb[0]) and is_rt_reply(reply)


def test_sorter_reply_inside_asb_frame_and_gs_r_outside() -> None:
    sorter = StatusSorter()
    sorter.feed(bytes((0x10, 0x00, 0x16, 0x0C, 0x00, 0x03)))
    assert list(sorter.rt_replies) == [0x16]
    assert list(sorter.asb_frames) == [bytes((0x10, 0x00, 0x0C, 0x00))]
    assert list(sorter.gs_r_replies) == [0x03]


def test_status_bits() -> None:
    ok = status_from_realtime({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12})
    assert ok.ready and ok.online and not ok.paper_near_end and not ok.drawer_pin3_high
    out = status_from_realtime({1: 0x1E, 2: 0x32, 3: 0x12, 4: 0x7E})
    assert out.paper_out and out.paper_near_end and out.online is False and out.drawer_pin3_high
    assert not out.ready
    cover = status_from_realtime({1: 0x1A, 2: 0x16})
    assert cover.cover_open and cover.paper_near_end is None
    asb = status_from_asb(bytes((0x3C, 0x00, 0x0F, 0x00)))
    assert asb.cover_open and asb.paper_out and asb.online is False and asb.drawer_pin3_high
    with pytest.raises(ValueError):
        status_from_asb(bytes((0x12, 0, 0, 0)))


# --- rendering (pure) ----------------------------------------------------------

def layout(page: str = "CP858", profile: str = "TM-T88V") -> Layout:
    return Layout(code_page(get_profile(profile), page))


def test_every_job_starts_with_reset_and_explicit_code_page() -> None:
    data = render(receipt("€ é ✓ 漢"), layout())
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC @, ESC t 19 (PC858 on Epson)
    assert "€ é ? ?\n".encode("cp858") in data  # no GB18030 switch, unknowns become ?
    assert render(receipt("x"), layout("CP1252")).startswith(b"\x1b@\x1bt\x10")
    star = layout("CP858", "TSP600")
    assert star.code_page.number == 4 and render(receipt("x"), star).startswith(b"\x1b@\x1bt\x04")
    with pytest.raises(IllegalState, match="no code page"):
        code_page(get_profile("TM-T88V"), "KOI8")


def test_text_cannot_smuggle_commands() -> None:
    data = render([{"op": "text", "text": "Tea\x1bp\x00\x19\xfa"}], layout())
    assert b"\x1bp" not in data


def test_barcode_check_digits() -> None:
    assert check_barcode("EAN13", "4006381333931") == (67, "4006381333931")
    assert check_barcode("EAN13", "400638133393") == (67, "4006381333931")  # digit added
    assert check_barcode("UPC-A", "036000291452") == (65, "036000291452")
    assert check_barcode("UPCE", "04252614") == (66, "04252614")
    assert check_barcode("EAN8", "96385074") == (68, "96385074")
    assert check_barcode("CODE128", "A{1")[1] == "{BA{{1"
    for sym, bad in (("EAN13", "4006381333932"), ("EAN8", "96385075"), ("UPCA", "036000291453"),
                     ("EAN13", "40063813339x1"), ("UPCE", "04252615"), ("ITF", "123")):
        with pytest.raises(IllegalState):
            check_barcode(sym, bad)


def test_test_page_is_a_valid_job() -> None:
    ops = printdoc.test_page(32)
    check_document(ops)
    kinds = {op["op"] for op in ops}
    assert {"text", "barcode", "qr", "cut"} <= kinds
    assert any("€" in op.get("text", "") and "£" in op.get("text", "") for op in ops)


# --- printing through the emulator ---------------------------------------------

@pytest.mark.parametrize("transport", ["tcp", "serial", "usb"])
def test_special_characters_round_trip(transport: str, emu: PrinterEmulator,
                                       make: Callable[..., Any]) -> None:
    backend = emu.usb_backend() if transport == "usb" else None
    url = {"tcp": emu.tcp_url, "serial": emu.serial_url,
           "usb": "usb://04b8:0202?in_ep=0x82&out_ep=0x01&interface=0"}[transport]
    printer = make(url, usb_backend=backend)
    printer.print_document(receipt(SPECIAL, "Crème brûlée ¿Qué?")).result(5)
    assert emu.wait_for(lambda: len(emu.receipts) == 1, 2)
    assert emu.receipts[0].text == [SPECIAL, "Crème brûlée ¿Qué?"]
    assert emu.receipts[0].cut == "partial"
    assert ("code_page", 19) in emu.events
    if transport == "usb":
        assert backend.claimed == {0}


def test_full_receipt_round_trips(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    ops = [
        {"op": "text", "text": "Corner Shop", "align": "center", "size": "double", "bold": True},
        {"op": "text", "text": "Coffee        12,99 €\nTea            4,50 €"},
        {"op": "text", "text": "TOTAL         17,49 €", "bold": True, "size": "wide",
         "underline": True, "align": "right"},
        {"op": "feed", "lines": 2},
        {"op": "barcode", "data": "4006381333931", "symbology": "EAN13"},
        {"op": "qr", "data": "https://example.com/r/T1-0042?ü=1", "size": 5},
        {"op": "image", "png": png_b64()},
        {"op": "text", "text": "Danke!", "align": "center"},
        {"op": "cut", "partial": False},
    ]
    printer.print_document(ops).result(5)
    assert emu.wait_for(lambda: len(emu.receipts) == 1, 2)
    got = emu.receipts[0]
    assert got.text == ["Corner Shop", "Coffee        12,99 €", "Tea            4,50 €",
                        "TOTAL         17,49 €", "Danke!"]
    head, total = got.lines[0], got.lines[3]
    assert (head.align, head.size, head.bold, head.underline) == ("center", "double", True, False)
    assert (total.align, total.size, total.bold, total.underline) == ("right", "wide", True, True)
    assert got.lines[1].size == "normal" and not got.lines[1].bold
    assert [(b.symbology, b.data) for b in got.barcodes] == [("EAN13", "4006381333931")]
    assert got.qr == ["https://example.com/r/T1-0042?ü=1"]
    assert got.cut == "full"
    [image] = got.images
    assert (image.width, image.height) == (16, 8) and image.path is not None
    from PIL import Image

    with Image.open(image.path) as png:
        assert png.size == (16, 8)
        assert png.getpixel((3, 0)) == 0 and png.getpixel((3, 5)) == 255


def test_bad_barcode_is_refused_before_anything_is_sent(emu: PrinterEmulator,
                                                        make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    emu.clear()
    bad = [{"op": "text", "text": "x"}, {"op": "barcode", "data": "4006381333932",
                                         "symbology": "EAN13"}]
    with pytest.raises(IllegalState, match="check digit"):
        printer.print_document(bad).result(5)
    assert emu.lines == [] and not [e for e in emu.events if e[0] == "reset"]


# --- faults ----------------------------------------------------------------------

def test_paper_out_before_a_job_sends_nothing(emu: PrinterEmulator,
                                              make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    seen = events_of(printer)
    emu.paper_out = True
    emu.clear()
    with pytest.raises(PaperOut):
        printer.print_document(receipt("lost?")).result(5)
    assert emu.lines == [] and emu.lost_bytes == 0
    assert not [e for e in emu.events if e[0] == "reset"]  # not even ESC @ went out
    assert Status.PAPER_OUT in [e.status for e in seen]
    assert Status.OFFLINE in [e.status for e in seen]


def test_paper_runs_out_mid_job_then_reprint_is_complete(emu: PrinterEmulator,
                                                         make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    seen = events_of(printer)
    job = receipt(*[f"line {i}" for i in range(8)])
    emu.paper_out_after(3)
    with pytest.raises(PaperOut, match="during the job"):
        printer.print_document(job).result(5)
    assert emu.lines == ["line 0", "line 1", "line 2"] and emu.lost_bytes > 0
    assert emu.receipts == []  # the cut was lost too
    emu.reload_paper()
    emu.clear()
    printer.print_document(job).result(5)
    assert emu.wait_for(lambda: len(emu.receipts) == 1, 2)
    assert emu.receipts[0].text == [f"line {i}" for i in range(8)]
    statuses = [e.status for e in seen]
    assert statuses.index(Status.PAPER_OUT) < statuses.index(Status.PAPER_OK)


def test_cover_open_and_offline(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    seen = events_of(printer)
    emu.cover_open = True
    with pytest.raises(CoverOpen):
        printer.print_document(receipt("a")).result(5)
    emu.cover_open = False
    emu.offline = True
    with pytest.raises(DeviceOffline) as offline:
        printer.print_document(receipt("b")).result(5)
    assert type(offline.value) is DeviceOffline
    emu.offline = False
    printer.print_document(receipt("c")).result(5)
    assert emu.lines == ["c"]
    statuses = [e.status for e in seen]
    assert Status.COVER_OPEN in statuses and Status.COVER_CLOSED in statuses


def test_paper_near_end_is_only_reported(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    seen = events_of(printer)
    emu.paper_near_end = True
    printer.print_document(receipt("still fine")).result(5)
    assert emu.lines == ["still fine"]
    assert [e.status for e in seen].count(Status.PAPER_NEAR_END) == 1  # dedup per group
    status = printer.check_status().result(5)
    assert status.paper_near_end and not status.paper_out and status.ready


def test_cable_pulled_fails_fast_and_reconnects(emu: PrinterEmulator,
                                                make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url, status_timeout="3")
    printer.print_document(receipt("one")).result(5)
    emu.unplug()
    start = time.monotonic()
    with pytest.raises(NoHardware):
        printer.print_document(receipt("two")).result(5)
    assert time.monotonic() - start < 1.0  # not the 3 s status timeout
    assert printer.last_status["online"] is Status.OFFLINE
    emu.plug()
    printer.print_document(receipt("three")).result(5)
    assert emu.lines == ["one", "three"]
    assert printer.last_status["online"] is Status.ONLINE


def test_dropped_connection_is_reopened_transparently(emu: PrinterEmulator,
                                                      make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    assert emu.connections == 1
    emu.drop_connections()
    assert emu.wait_for(lambda: emu.open_connections == 0, 2)
    printer.print_document(receipt("after reboot")).result(5)
    assert emu.lines == ["after reboot"] and emu.connections == 2


def test_silent_printer_times_out(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url, status_timeout="0.3")
    emu.silent = True
    start = time.monotonic()
    with pytest.raises(DeviceTimeout):
        printer.print_document(receipt("x")).result(5)
    assert 0.25 < time.monotonic() - start < 1.5
    assert emu.lines == []  # nothing printed without a status answer
    emu.silent = False
    printer.print_document(receipt("back")).result(5)
    assert emu.lines == ["back"]


def test_caller_is_freed_at_the_deadline_while_the_worker_is_stuck(
        emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url, status_timeout="3", job_timeout="0.4")
    emu.silent = True
    start = time.monotonic()
    future = printer.print_document(receipt("x"))
    with pytest.raises(DeviceTimeout):
        future.result(5)
    elapsed = time.monotonic() - start
    assert elapsed < 1.5  # the worker waits up to 3 s for the status reply
    assert printer._worker.hung


def test_file_transport_writes_the_job_without_status(tmp_path: Path,
                                                      make: Callable[..., Any]) -> None:
    target = tmp_path / "lp0"
    printer = make(f"file://{target}")
    printer.print_document(receipt("€uro")).result(5)
    printer.kick_drawer(5, 60, 120).result(5)
    assert printer.check_status().result(5) == PrinterStatus()
    data = target.read_bytes()
    assert data.startswith(b"\x1b@\x1bt\x13\x1ba")
    assert b"\xd5uro\n" in data and b"\x10\x04" not in data
    assert data.endswith(b"\x1bp\x01\x1e\x3c")


def test_usb_without_in_endpoint_prints_blind(emu: PrinterEmulator,
                                              make: Callable[..., Any]) -> None:
    backend = emu.usb_backend(with_in=False)
    printer = make("usb://04b8:0202", usb_backend=backend)
    emu.paper_near_end = True  # cannot be seen without an IN endpoint
    printer.print_document(receipt("blind")).result(5)
    assert emu.lines == ["blind"]
    assert printer.check_status().result(5) == PrinterStatus()


def test_usb_without_libusb_is_not_usable(monkeypatch: pytest.MonkeyPatch,
                                          make: Callable[..., Any]) -> None:
    import usb.backend.libusb0
    import usb.backend.libusb1

    monkeypatch.setattr(usb.backend.libusb1, "get_backend", lambda *a, **k: None)
    monkeypatch.setattr(usb.backend.libusb0, "get_backend", lambda *a, **k: None)
    monkeypatch.setattr(escpos_transport, "_usb_backend_hook", None)
    printer = make("usb://04b8:0202", activate=False)
    with pytest.raises(DriverNotUsable, match="libusb"):
        printer.activate().result(5)
    usable, reason = EscPosDriver().is_usable()
    assert usable and "libusb" in reason


def test_nothing_listening_is_no_hardware(make: Callable[..., Any]) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    printer = make(f"tcp://127.0.0.1:{port}", activate=False)
    seen = events_of(printer)
    printer.activate().result(5)  # enabling an absent printer is reported, not refused
    assert [e.status for e in seen] == [Status.OFFLINE]
    with pytest.raises(NoHardware):
        printer.print_document(receipt("x")).result(5)
    assert Status.OFFLINE in [e.status for e in seen]


# --- automatic status back -------------------------------------------------------

def test_asb_frames_before_replies_do_not_confuse_the_driver(emu: PrinterEmulator,
                                                             make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url, asb=True)
    seen = events_of(printer)
    [session] = [s for s in emu._sessions if s.asb_mask]
    assert session.asb_mask == 0x0F
    for state in (True, False, True):  # unsolicited frames wait in the socket
        emu.drawer_open = state
    emu.paper_near_end = True
    emu.asb_before_replies = True  # a frame lands between each query and its reply
    printer.print_document(receipt("with asb")).result(5)
    assert emu.lines == ["with asb"]
    status = printer.check_status().result(5)
    assert status.drawer_pin3_high and status.paper_near_end and status.ready
    assert Status.DRAWER_OPEN in [e.status for e in seen]
    assert any(e.detail == "automatic status back" for e in seen)


# --- drawer ------------------------------------------------------------------------

def test_drawer_kick_pins_and_pulse(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    printer = make(emu.tcp_url)
    drawer = make(emu.tcp_url, kind="drawer", drawer_pin="5", drawer_on_ms=120,
                  drawer_off_ms=240)
    assert isinstance(drawer, EscPosDrawer)
    printer.kick_drawer(2, 100, 100).result(5)
    drawer.open_drawer().result(5)
    assert emu.wait_for(lambda: len(emu.kicks) == 2, 2)
    assert emu.kicks == [Kick(2, 100, 100), Kick(5, 120, 240)]
    assert emu.connections == 1  # printer and drawer share one connection


def test_drawer_kick_while_paper_out_uses_realtime_pulse(emu: PrinterEmulator,
                                                         make: Callable[..., Any]) -> None:
    drawer = make(emu.tcp_url, kind="drawer", drawer_on_ms=200)
    emu.paper_out = True
    drawer.open_drawer().result(5)
    assert emu.wait_for(lambda: len(emu.kicks) == 1, 2)
    assert emu.kicks == [Kick(2, 200, 200, realtime=True)]


@pytest.mark.parametrize("level", ["high", "low"])
def test_drawer_sensor_polarity(level: str, emu: PrinterEmulator,
                                make: Callable[..., Any]) -> None:
    drawer = make(emu.serial_url, kind="drawer", drawer_open_level=level)
    seen = events_of(drawer)
    emu.kick_opens_drawer = False
    for pin3_high in (True, False):
        emu.drawer_open = pin3_high  # the emulator drives pin 3 high when "open"
        assert emu.pin3_high is pin3_high
        assert drawer.is_open().result(5) is (pin3_high == (level == "high"))
    assert {Status.DRAWER_OPEN, Status.DRAWER_CLOSED} <= {e.status for e in seen}


# --- lifecycle and registry --------------------------------------------------------

def test_claim_is_exclusive_per_printer(emu: PrinterEmulator, make: Callable[..., Any]) -> None:
    make(emu.tcp_url)
    second = make(emu.tcp_url + "?timeout=2", activate=False)
    with pytest.raises(DeviceClaimed):
        second.activate().result(5)
    make(emu.tcp_url, kind="drawer")  # the drawer behind the printer is another device
    other_drawer = make(emu.tcp_url, kind="drawer", activate=False)
    with pytest.raises(DeviceClaimed):
        other_drawer.activate().result(5)


def test_registry_finds_the_driver_through_its_entry_point(emu: PrinterEmulator,
                                                           devices: list[Device]) -> None:
    [entry] = [e for e in load_drivers() if e.name == "escpos"]
    assert entry.usable and entry.kinds == ["drawer", "printer"]
    printer = create_device("printer", emu.tcp_url, FAST)
    drawer = create_device(DeviceKind.DRAWER, emu.tcp_url, FAST)
    devices.extend([printer, drawer])
    assert isinstance(printer, EscPosPrinter) and isinstance(drawer, EscPosDrawer)
    assert printer.columns == 42
    printer.activate().result(5)
    printer.print_document(printdoc.test_page(printer.columns)).result(5)
    assert emu.wait_for(lambda: len(emu.receipts) == 1, 2)
    assert any("€ 12,50  £ 9.99" in line for line in emu.receipts[0].text)
    with pytest.raises(IllegalState, match="unknown printer profile"):
        create_device("printer", emu.tcp_url, {"profile": "TM-NOPE"})
    with pytest.raises(IllegalState, match="unknown setting"):
        create_device("printer", emu.tcp_url, {"paper": "80"})


def test_settings_pick_columns_and_width() -> None:
    narrow = EscPosPrinter(parse_device_url("file:///dev/null"), {"width_mm": "58"})
    wide = EscPosPrinter(parse_device_url("file:///dev/null"),
                         {"profile": "TM-T20II", "columns": 0})
    assert (narrow.columns, narrow.config.layout.width_px) == (32, 384)
    assert (wide.columns, wide.config.layout.width_px) == (48, 576)
    for bad in ({"status_timeout": "soon"}, {"drawer_pin": 3}, {"code_page": "KOI8"}):
        with pytest.raises(IllegalState):
            EscPosPrinter(parse_device_url("file:///dev/null"), bad)


def test_probe_guesses_from_usb_ids() -> None:
    driver = EscPosDriver()
    epson = driver.probe(Candidate("usb://04b8:0202", "TM-T20", 0x04B8, 0x0202, usb_class=7))
    assert epson is not None and epson.kind is DeviceKind.PRINTER and epson.confidence > 0.9
    star = driver.probe(Candidate("usb://0519:0003", "", 0x0519, 0x0003))
    generic = driver.probe(Candidate("usb://1234:5678", "", 0x1234, 0x5678, usb_class=7))
    assert star is not None and generic is not None and star.confidence > generic.confidence
    assert driver.probe(Candidate("usb://046d:c52b", "Mouse", 0x046D, 0xC52B, usb_class=3)) \
        is None


# --- import hygiene and the emulator CLI -------------------------------------------

def test_python_escpos_import_has_no_side_effects(tmp_path: Path) -> None:
    code = ("import logging, os, tempfile\n"
            "before = set(os.listdir(tempfile.gettempdir()))\n"
            "from drivers.escpos import _lib\n"
            "_lib.load()\n"
            "after = set(os.listdir(tempfile.gettempdir()))\n"
            "print(len(logging.getLogger().handlers), len(after - before),"
            " 'ESCPOS_CAPABILITIES_PICKLE_DIR' in os.environ)\n")
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "TMPDIR": str(tmp_path / "tmp")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=30, check=True)
    assert out.stdout == "0 0 False\n"
    assert list((tmp_path / "cache" / "pos-app" / "escpos").glob("*.capabilities.pickle"))


def test_emulator_cli(make: Callable[..., Any], tmp_path: Path) -> None:
    code = ("import argparse, sys\n"
            "from drivers.emulators import printer\n"
            "p = argparse.ArgumentParser(); printer.add_arguments(p)\n"
            "sys.exit(printer.run(p.parse_args(sys.argv[1:])))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, "--tcp", "127.0.0.1:0", "--pty",
                             "--out-dir", str(tmp_path)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    output: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [output.put(line) for line in proc.stdout or ()],
                              daemon=True)
    reader.start()

    def until(predicate: Callable[[str], bool]) -> str:
        while True:
            line = output.get(timeout=10)
            if predicate(line):
                return line

    try:
        url = until(lambda line: line.startswith("printer listening on ")).split()[-1]
        assert until(lambda line: "serial port" in line).startswith("printer serial port serial:")
        printer = make(url)
        printer.print_document(receipt("Grüße €")).result(5)
        until(lambda line: line.startswith("|Grüße €"))
        proc.stdin.write("paper-out on\n")
        proc.stdin.flush()
        until(lambda line: line == "paper-out on\n")
        with pytest.raises(PaperOut):
            printer.print_document(receipt("no")).result(5)
        proc.stdin.close()
        assert proc.wait(10) == 0
        until(lambda line: line == "printer emulator stopped\n")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_emulator_answers_gs_r_and_counts_raw_sessions() -> None:
    answers: list[bytes] = []
    emulator = PrinterEmulator(tcp=None)
    session = _Session("raw", answers.append)
    emulator._sessions.append(session)
    emulator.paper_near_end = True
    emulator.feed(session, b"\x1dr\x01\x1dr\x02\x10\x04\x04\x1da\x0f")
    assert answers == [b"\x03", b"\x00", b"\x1e", bytes((0x10, 0, 0x03, 0))]
    emulator.drawer_open = True  # a change: the ASB subscriber hears about it
    assert answers[-1] == bytes((0x14, 0, 0x03, 0))
