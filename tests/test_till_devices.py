"""The till's devices through the app: the drawer kicked through the printer, audited
no-sales, the drawer-closed rule, per-role health in the cashier's words, dead
devices that never stop a cash sale, and the hardware profile. Real SQLite stores,
the real ESC/POS driver against the printer emulator on loopback TCP; no sleeps."""

from __future__ import annotations

import dataclasses
import json
import shutil
import socket
import sqlite3
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import pytest

from drivers.emulators.printer import Kick, PrinterEmulator
from pos_app.app import open_app
from pos_app.domain.devices import DeviceEntry
from pos_app.domain.errors import PermissionDenied, ValidationError
from pos_app.domain.sale import CompletedSale
from pos_app.domain.users import Permission, Role
from pos_app.hardware.messages import WORDS
from pos_app.paths import db_path
from pos_app.services.drawer import DrawerOpen

from .conftest import COFFEE, Shop, make_shop


@pytest.fixture
def emu() -> Iterator[PrinterEmulator]:
    with PrinterEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    shop = make_shop(tmp_path_factory.mktemp("till") / "store")
    shop.app.close()
    return shop


@pytest.fixture
def shop(template: Shop, tmp_path: Path) -> Iterator[Shop]:
    """A fresh copy of the shop, open without devices; tests reopen it with theirs."""
    shutil.copytree(template.data_dir, tmp_path / "store")
    s = dataclasses.replace(template, data_dir=tmp_path / "store")
    s.app = open_app(s.data_dir, terminal=None)
    yield s
    s.app.close()


def reopen(shop: Shop, **kw: Any) -> None:
    shop.app.close()
    shop.app = open_app(shop.data_dir, **kw)
    _done, not_done = futures.wait(shop.app.devices.started.values(), 10)
    assert not not_done  # every device started or failed: none hangs the till


@pytest.fixture
def till(shop: Shop, emu: PrinterEmulator) -> Shop:
    """Printer and drawer (on the printer's kick connector, pin 5) in the till's profile."""
    hw = shop.app.hardware
    hw.set_device(shop.admin, DeviceEntry("printer", "", emu.tcp_url))
    hw.set_device(shop.admin, DeviceEntry("drawer", "", emu.tcp_url, None,
                                          {"drawer_pin": "5", "drawer_on_ms": 120}))
    reopen(shop, hardware=True)
    return shop


def sale(shop: Shop, pay: str = "cash") -> CompletedSale:
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    if pay == "cash":
        co.pay_cash(cart, 2000, shop.cashier)
    else:
        co.pay_card(cart, shop.cashier)
    return co.complete(cart, shop.cashier)


def audit(shop: Shop, action: str) -> list[tuple[str | None, dict[str, Any]]]:
    con = sqlite3.connect(db_path(shop.data_dir))
    try:
        rows = con.execute("select actor_id, details from audit_log where action = ? "
                           "order by seq", (action,)).fetchall()
    finally:
        con.close()
    return [(actor, json.loads(details)) for actor, details in rows]


def printed_after(shop: Shop, emu: PrinterEmulator) -> None:
    """A receipt through the same connection: whatever was sent before it has arrived."""
    shop.app.printing.queue_document("test", "fence", [{"op": "text", "text": "fence"},
                                                       {"op": "cut", "partial": True}])
    assert shop.app.printing.print_pending().pending == 0
    assert emu.wait_for(lambda: "fence" in emu.lines)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the cash drawer ---

def test_cash_sale_kicks_the_drawer_through_the_printer_on_the_profile_pin(
        till: Shop, emu: PrinterEmulator) -> None:
    assert {e.role: e.driver for e in till.app.hardware.profile()} == {
        "printer": "escpos", "drawer": "escpos"}
    assert till.app.drawer.open_for_sale(sale(till)) is True
    assert emu.wait_for(lambda: len(emu.kicks) == 1)
    assert emu.kicks == [Kick(pin=5, on_ms=120, off_ms=120)]  # the profile's pin and pulse
    emu.drawer_open = False

    assert till.app.drawer.open_for_sale(sale(till, "card")) is False
    printed_after(till, emu)
    assert len(emu.kicks) == 1  # no cash moved: the drawer stays shut


def test_no_sale_needs_the_permission_and_is_audited_before_the_drawer_opens(
        till: Shop, emu: PrinterEmulator) -> None:
    assert not till.cashier.can(Permission.NO_SALE)
    assert till.supervisor.can(Permission.NO_SALE)
    seen_at_kick: list[int] = []
    emu.on_event = lambda text: seen_at_kick.append(len(audit(till, "no_sale")))

    with pytest.raises(PermissionDenied):
        till.app.drawer.no_sale(till.cashier, "change for the bakery")
    printed_after(till, emu)
    assert emu.kicks == [] and audit(till, "no_sale") == []

    assert till.app.drawer.no_sale(till.supervisor, "change for the bakery") is True
    assert emu.wait_for(lambda: len(emu.kicks) == 1)
    assert seen_at_kick == [1]  # the audit entry was committed before the kick arrived
    assert audit(till, "no_sale") == [(till.supervisor.id, {
        "amount": 0, "reason": "change for the bakery", "approved_by": None})]

    # a cashier with a supervisor's override, once
    grant = till.app.auth.grant_override("supervisor", "2222", Permission.NO_SALE,
                                         till.cashier, "no sale")
    assert till.app.drawer.no_sale(till.cashier, "", grant) is True
    assert emu.wait_for(lambda: len(emu.kicks) == 2) and seen_at_kick == [1, 2]
    actor, details = audit(till, "no_sale")[-1]
    assert actor == till.cashier.id and details["approved_by"] == till.supervisor.id
    assert audit(till, "manager_override")[-1][0] == till.supervisor.id
    with pytest.raises(PermissionDenied):
        till.app.drawer.no_sale(till.cashier, "", grant)  # a grant is good for one open
    with pytest.raises(PermissionDenied):  # a cashier cannot approve a no-sale
        till.app.auth.grant_override("cashier", "1111", Permission.NO_SALE, till.cashier)
    assert len(audit(till, "no_sale")) == 2 and len(emu.kicks) == 2
    assert till.app.shifts.x_report(till.supervisor)["no_sales"] == 2


def test_drawer_left_open_blocks_the_next_sale_only_when_the_shop_says_so(
        till: Shop, emu: PrinterEmulator) -> None:
    till.app.drawer.open_for_sale(sale(till))
    assert emu.wait_for(lambda: emu.drawer_open)  # the kick opened the emulated drawer
    till.app.drawer.ensure_closed()  # the rule is off by default
    till.app.settings.set(till.admin, "require_drawer_closed", True)
    with pytest.raises(DrawerOpen, match="close the cash drawer"):
        till.app.drawer.ensure_closed()
    emu.drawer_open = False  # the cashier shuts it
    till.app.drawer.ensure_closed()
    assert till.app.drawer.open_for_sale(sale(till))
    assert emu.wait_for(lambda: emu.drawer_open)
    with pytest.raises(DrawerOpen):
        till.app.drawer.ensure_closed()


def test_drawer_rule_never_stops_the_shop_when_the_sensor_cannot_be_read(
        till: Shop, emu: PrinterEmulator) -> None:
    till.app.settings.set(till.admin, "require_drawer_closed", True)
    emu.drawer_open = True
    emu.unplug()
    till.app.drawer.ensure_closed()  # unreadable sensor: the status bar says so instead
    assert till.app.devices.health["drawer"].level == "error"


# --- health in the cashier's words ---

def test_printer_health_paper_out_near_end_and_back_to_ready(
        till: Shop, emu: PrinterEmulator) -> None:
    health = till.app.devices.health
    seen: list[tuple[str, str]] = []
    till.app.devices.on_health(lambda h: seen.append((h.role, h.level)))
    assert (health["printer"].level, health["printer"].message) == ("ok", "Ready.")

    emu.paper_out = True
    till.app.printing.queue_receipt(sale(till))
    assert till.app.printing.print_pending().pending == 1
    assert (health["printer"].level, health["printer"].code, health["printer"].message) == (
        "error", "paper_out", WORDS["paper_out"][1])
    assert "new roll" in health["printer"].message

    emu.reload_paper()
    emu.paper_near_end = True
    assert till.app.printing.print_pending().pending == 0  # near end still prints
    assert (health["printer"].level, health["printer"].message) == (
        "warning", WORDS["paper_near_end"][1])

    emu.paper_near_end = False
    till.app.printing.queue_receipt(sale(till))
    assert till.app.printing.print_pending().pending == 0
    assert (health["printer"].level, health["printer"].message) == ("ok", "Ready.")
    assert ("printer", "error") in seen and ("printer", "warning") in seen
    assert seen[-1] == ("printer", "ok")


def test_cover_open_and_paper_out_together_stay_an_error_until_both_are_fixed(
        till: Shop, emu: PrinterEmulator) -> None:
    health = till.app.devices.health
    emu.paper_out = True
    emu.cover_open = True
    till.app.printing.queue_receipt(sale(till))
    till.app.printing.print_pending()
    assert health["printer"].level == "error"
    emu.reload_paper()
    assert till.app.printing.print_pending().error_code == "cover_open"
    assert (health["printer"].level, health["printer"].message) == (
        "error", WORDS["cover_open"][1])
    emu.cover_open = False
    assert till.app.printing.print_pending().pending == 0
    assert health["printer"].level == "ok"


def test_devices_at_dead_addresses_show_errors_and_the_till_still_sells(shop: Shop) -> None:
    dead = f"tcp://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    reopen(shop, overrides={"printer": dead, "drawer": dead,
                            "scanner": "serial:///dev/pos-test-no-such-port"})
    assert time.monotonic() - started < 10
    health = shop.app.devices.health
    assert health["printer"].level == "error"
    assert health["printer"].message in (WORDS["offline"][1], WORDS["no_hardware"][1])
    assert (health["scanner"].level, health["scanner"].message) == (
        "error", WORDS["no_hardware"][1])

    done = sale(shop)  # a printer that is off never stops a cash sale
    assert done.receipt_no == "S1-T1-000001"
    (job_id,) = shop.app.printing.queue_receipt(done)
    run = shop.app.printing.print_pending()
    assert run.failed_job == job_id and run.pending == 1
    (job,) = shop.app.printing.pending()  # its error is one line for the queue's listing
    assert job.last_error == run.error and "\n" not in (run.error or "\n")
    assert shop.app.drawer.open_for_sale(done) is False  # reported, not raised
    assert sale(shop).receipt_no == "S1-T1-000002"


def test_printer_switched_on_after_the_till_started_prints_the_kept_receipt(
        shop: Shop) -> None:
    port = closed_port()
    reopen(shop, overrides={"printer": f"tcp://127.0.0.1:{port}"})
    assert shop.app.devices.health["printer"].level == "error"
    (job_id,) = shop.app.printing.queue_receipt(sale(shop))
    assert shop.app.printing.print_pending().pending == 1
    with PrinterEmulator(tcp=f"127.0.0.1:{port}") as emu:  # switched on at last
        assert shop.app.printing.print_pending().printed == [job_id]
        assert emu.wait_for(lambda: len(emu.receipts) == 1)
        assert shop.app.devices.health["printer"].level == "ok"


# --- the hardware profile ---

def test_hardware_profile_validates_entries_with_clear_messages(shop: Shop) -> None:
    hw, admin = shop.app.hardware, shop.admin
    cases: list[tuple[DeviceEntry, str]] = [
        (DeviceEntry("printer", "", "http://printer.local:9100"), "unknown device address"),
        (DeviceEntry("printer", "", "tcp://127.0.0.1:notaport"), "port is not a number"),
        (DeviceEntry("printer", "", "tcp://127.0.0.1:9100", "nosuchdriver"),
         "no driver called 'nosuchdriver'"),
        (DeviceEntry("printer", "", "tcp://127.0.0.1:9100", None, {"colour": "red"}),
         "unknown setting"),
        (DeviceEntry("printer", "", "tcp://127.0.0.1:9100", None, {"drawer_pin": "7"}),
         "drawer_pin"),
        (DeviceEntry("scale", "", "tcp://127.0.0.1:9100"), "no installed driver handles a scale"),
        (DeviceEntry("till", "", "tcp://127.0.0.1:9100"), "use one of printer"),
        (DeviceEntry("terminal", "", "stripe://tmr_FAKE", None, {"api_key": "sk_test_123"}),
         "api_key is a secret"),
    ]
    for entry, message in cases:
        with pytest.raises(ValidationError, match=message):
            hw.set_device(admin, entry)
    assert hw.profile() == [] and audit(shop, "hardware_set") == []


def test_hardware_profile_needs_the_settings_permission_and_is_audited(
        shop: Shop, emu: PrinterEmulator) -> None:
    hw = shop.app.hardware
    entry = DeviceEntry("printer", "", emu.tcp_url, None, {"width_mm": "58"})
    for user in (shop.cashier, shop.supervisor, shop.manager):
        assert user.role is not Role.ADMIN
        with pytest.raises(PermissionDenied):
            hw.set_device(user, entry)
    saved = hw.set_device(shop.admin, entry)
    assert (saved.kind, saved.driver, saved.settings) == ("printer", "escpos",
                                                          {"width_mm": "58"})
    assert audit(shop, "hardware_set") == [(shop.admin.id, {
        "kind": "printer", "url": emu.tcp_url, "driver": "escpos", "enabled": True})]
    assert hw.profile() == [saved]

    reopen(shop, hardware=True)  # the profile is what open_app(hardware=True) starts
    printer = shop.app.devices.device("printer")
    assert printer is not None and printer.url.raw == emu.tcp_url
    assert shop.app.printing.columns == 32  # 58 mm paper from the profile
    with pytest.raises(PermissionDenied):
        shop.app.hardware.remove_device(shop.cashier, "printer")
    shop.app.hardware.remove_device(shop.admin, "printer")
    assert audit(shop, "hardware_remove") == [(shop.admin.id, {})]
    reopen(shop, hardware=True)
    assert shop.app.devices.device("printer") is None


def test_drawer_still_opens_and_reads_ready_while_the_printer_is_out_of_paper(
        till: Shop, emu: PrinterEmulator) -> None:
    emu.paper_out = True
    assert till.app.drawer.open_for_sale(sale(till)) is True
    assert emu.wait_for(lambda: len(emu.kicks) == 1)
    assert emu.kicks[0].realtime  # DLE DC4: an ESC p would wait in the stopped buffer
    health = till.app.devices.health
    assert health["drawer"].level == "ok", health["drawer"]
    assert health["printer"].code == "paper_out"


def test_an_open_drawer_on_the_printers_port_leaves_the_printer_ready(
        till: Shop, emu: PrinterEmulator) -> None:
    emu.drawer_open = True
    assert till.app.drawer.open_for_sale(sale(till)) is True
    health = till.app.devices.health
    assert emu.wait_for(lambda: health["drawer"].message == WORDS["drawer_open"][1])
    assert (health["printer"].level, health["printer"].message) == ("ok", "Ready.")
