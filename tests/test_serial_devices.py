"""Serial devices against their emulators on real ptys through real pyserial: the pole
display, the scale, the drawer, exclusive claims and driver discovery. No sleeps: waits
are on emulator conditions or futures with timeouts."""

from __future__ import annotations

import errno
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import serial

from drivers.device import Device
from drivers.display_cd5220 import Cd5220Display, commands, encode_line
from drivers.display_text import change_lines, fit, item_lines, thank_you_lines, total_lines
from drivers.drawer_serial import SerialDrawer
from drivers.emulators.display import DisplayEmulator
from drivers.emulators.drawer import DrawerEmulator
from drivers.emulators.scale import ScaleEmulator
from drivers.emulators.scanner import ScannerEmulator
from drivers.errors import DeviceClaimed, DeviceError, DeviceOffline, DeviceTimeout, NoHardware
from drivers.kinds import DeviceKind, WeightReading, WeightState
from drivers.registry import create_device, load_drivers
from drivers.scale_serial import SerialScale, parse_reply, parse_weight
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.scanner.serial_scanner import SerialScanner
from drivers.serialio import map_serial_error, open_serial, parse_bytes, port_options
from drivers.status import Status, StatusEvent
from drivers.url import parse_device_url


@pytest.fixture
def devices() -> Iterator[list[Device]]:
    """Devices made by a test; closed afterwards even when the test fails."""
    made: list[Device] = []
    yield made
    for dev in made:
        dev.close()


def _make(devices: list[Device], kind: str, url: str, driver: str,
          settings: dict[str, Any] | None = None) -> Any:
    dev = create_device(kind, url, settings or {}, driver=driver)
    devices.append(dev)
    dev.activate().result(5)
    return dev


# --- customer display ---

def test_display_text_helpers_fit_twenty_columns() -> None:
    assert item_lines("Organic whole milk 1.5% 1 l", "€ 1.29") == (
        "Organic whole milk 1", "              € 1.29")
    assert item_lines("Tea", "€ 9.00", "2 x") == (fit("Tea"), "2 x           € 9.00")
    assert total_lines("€ 123.45") == (fit("TOTAL"), "            € 123.45")
    assert change_lines("€ 7.55", "€ 50.00") == ("PAID         € 50.00", "CHANGE        € 7.55")
    assert thank_you_lines("Thank you for shopping with us") == (
        "   Thank you for    ", "  shopping with us  ")
    assert all(len(line) == 20 for line in item_lines("x" * 40, "y" * 40))


def test_cd5220_shows_two_lines_with_euro_and_truncation(devices: list[Device]) -> None:
    with DisplayEmulator() as emu:
        dev = _make(devices, "display", emu.url, "cd5220", {"brightness": 3})
        assert isinstance(dev, Cd5220Display)
        emu.wait_for(lambda: emu.resets == 1 and emu.codepage == 19 and emu.brightness == 3)
        dev.show("Crème brûlée extra large", "€ 4.50").result(5)
        expected = ("Crème brûlée extra l", "€ 4.50              ")
        assert emu.wait_for(lambda: emu.lines == expected)
        dev.show(*total_lines("€ 12.99")).result(5)
        assert emu.wait_for(lambda: emu.lines == (fit("TOTAL"), "             € 12.99"))
        dev.clear().result(5)
        assert emu.wait_for(lambda: emu.lines == (" " * 20, " " * 20))
        assert not emu.unknown


def test_epson_command_set_and_encoding_fallbacks(devices: list[Device]) -> None:
    # ó and € are in CP858; ź is not (its accent drops); Ł has no base letter (→ ?)
    assert encode_line("Łódź €") == "?ódz €".encode("cp858") + b" " * 14
    assert commands("A", "B").startswith(b"\x1bQA")
    with DisplayEmulator() as emu:
        dev = _make(devices, "display", emu.url, "cd5220",
                    {"command_set": "epson", "brightness": 2})
        dev.show("Gruß", "Ärger 1,00 €").result(5)
        assert emu.wait_for(lambda: emu.lines == (fit("Gruß"), fit("Ärger 1,00 €")))
        assert emu.brightness == 2 and b"\x1f$\x01\x02" in emu.received
        assert b"\x1bQ" not in emu.received


def test_display_port_lost_reports_offline(devices: list[Device]) -> None:
    emu = DisplayEmulator().start()
    dev = _make(devices, "display", emu.url, "cd5220")
    statuses: list[Status] = []
    dev.add_status_listener(lambda e: statuses.append(e.status))
    emu.stop()
    with pytest.raises(DeviceError) as err:
        dev.show("x", "y").result(5)
    assert isinstance(err.value, DeviceOffline | NoHardware)
    assert Status.OFFLINE in statuses


# --- scale ---

def test_scale_weight_parsing_and_units() -> None:
    assert parse_weight("00.512KG") == Decimal("0.512")
    assert parse_weight(" 1.25 lb") == Decimal("0.567")
    assert parse_weight("250g") == Decimal("0.250")
    assert parse_weight("1LB 8.0OZ") == Decimal("0.680")
    assert parse_weight("^^^^^^KG") is None
    kg, status = parse_reply(b"\n00.512KG\r\n\xb1\xb0\r\x03")  # parity bit set, motion
    assert kg == Decimal("0.512") and status.motion and not status.over
    with pytest.raises(DeviceError):
        parse_reply(b"\n?\r\x03")


def test_scale_states(devices: list[Device]) -> None:
    with ScaleEmulator() as emu:
        dev = _make(devices, "scale", emu.url, "serial_scale")
        assert isinstance(dev, SerialScale)
        assert dev.read_weight().result(5) == WeightReading(WeightState.ZERO, Decimal("0.000"))
        emu.set_weight("0.512")
        assert dev.read_weight().result(5) == WeightReading(WeightState.STABLE, Decimal("0.512"))
        assert dev.read_stable_weight(2).result(5).kilograms == Decimal("0.512")
        emu.set_state("unstable")
        assert dev.read_weight().result(5) == WeightReading(WeightState.UNSTABLE,
                                                             Decimal("0.512"))
        emu.set_state("overload")
        assert dev.read_weight().result(5).state is WeightState.OVERLOAD
        emu.set_state("underload")
        assert dev.read_weight().result(5).state is WeightState.UNDERLOAD
        assert emu.requests[-1] == "W"
        emu.set_weight("0.004")  # crumbs on the platter: zero it
        assert dev.zero().result(5).state is WeightState.ZERO
        assert emu.requests[-1] == "Z" and emu.weight == 0


def test_scale_waits_for_a_stable_weight(devices: list[Device]) -> None:
    with ScaleEmulator() as emu:
        dev = _make(devices, "scale", emu.url, "serial_scale", {"poll_ms": 20})
        emu.set_weight("1.234")
        emu.set_state("unstable")
        future = dev.read_stable_weight(5)
        emu.wait_for(lambda: len(emu.requests) >= 2)  # it is polling, not giving up
        assert not future.done()
        emu.set_weight("1.234")  # settles
        assert future.result(5) == WeightReading(WeightState.STABLE, Decimal("1.234"))


def test_scale_timeouts(devices: list[Device]) -> None:
    with ScaleEmulator() as emu:
        dev = _make(devices, "scale", emu.url + "?timeout=1", "serial_scale",
                    {"poll_ms": 20})
        emu.set_state("unstable")
        with pytest.raises(DeviceTimeout, match="unstable"):
            dev.read_stable_weight(0.3).result(5)
        emu.set_state("zero")  # an empty platter never yields a weight to sell on
        with pytest.raises(DeviceTimeout, match="zero"):
            dev.read_stable_weight(0.2).result(5)
        emu.silent = True
        with pytest.raises(DeviceTimeout, match="no answer"):
            dev.read_weight().result(5)


# --- drawer ---

@pytest.mark.parametrize("level", ["high", "low"])
def test_drawer_opens_and_reads_its_sensor(devices: list[Device], level: str) -> None:
    with DrawerEmulator(open_level=level) as emu:
        dev = _make(devices, "drawer", emu.url, "serial_drawer",
                    {"open_level": level, "poll_ms": 0})
        assert isinstance(dev, SerialDrawer)
        statuses: list[Status] = []
        dev.add_status_listener(lambda e: statuses.append(e.status))
        assert dev.is_open().result(5) is False
        dev.open_drawer().result(5)
        emu.wait_for(lambda: emu.opens == 1)
        assert dev.is_open().result(5) is True
        emu.set_open(False)  # the cashier pushes it shut
        assert dev.is_open().result(5) is False
        assert statuses == [Status.DRAWER_CLOSED, Status.DRAWER_OPEN, Status.DRAWER_CLOSED]
        assert emu.received.startswith(b"\x10\x04\x01") and b"\x1bp\x00\x19\xfa" in emu.received


def test_drawer_polarity_mismatch_inverts_and_custom_commands(devices: list[Device]) -> None:
    with DrawerEmulator(open_command="07", status_command="\\x05", open_level="low") as emu:
        dev = _make(devices, "drawer", emu.url, "serial_drawer",
                    {"open_command": "07", "status_command": "05", "open_level": "high",
                     "poll_ms": 0})
        assert dev.is_open().result(5) is True  # wrong polarity setting: reads inverted
        dev.open_drawer().result(5)
        emu.wait_for(lambda: emu.opens == 1)
        assert not emu.unknown


def test_drawer_poller_reports_changes(devices: list[Device]) -> None:
    with DrawerEmulator() as emu:
        dev = create_device("drawer", emu.url, {"poll_ms": 20}, driver="serial_drawer")
        devices.append(dev)
        statuses: list[Status] = []
        changed = threading.Condition()

        def on_status(event: StatusEvent) -> None:
            with changed:
                statuses.append(event.status)
                changed.notify_all()

        def wait(predicate: Callable[[], bool]) -> None:
            with changed:
                assert changed.wait_for(predicate, 5), statuses

        dev.add_status_listener(on_status)
        dev.activate().result(5)
        wait(lambda: Status.DRAWER_CLOSED in statuses)
        emu.set_open(True)
        wait(lambda: Status.DRAWER_OPEN in statuses)
        assert dev.last_status["drawer"] is Status.DRAWER_OPEN
        emu.set_open(False)
        wait(lambda: statuses.count(Status.DRAWER_CLOSED) == 2)
        drawer = [s for s in statuses if s is not Status.ONLINE]
        assert drawer[:3] == [Status.DRAWER_CLOSED, Status.DRAWER_OPEN, Status.DRAWER_CLOSED]


# --- ports, claims, discovery ---

def test_claim_is_exclusive_across_processes(devices: list[Device]) -> None:
    with ScannerEmulator() as emu:
        dev = _make(devices, "scanner", emu.url, "serial_scanner")
        # another till process opening the same port is refused by the flock
        probe = "import serial, sys; serial.Serial(sys.argv[1], exclusive=True)"
        other_process = subprocess.run([sys.executable, "-c", probe, emu.path],
                                        capture_output=True, text=True, timeout=20)
        assert other_process.returncode != 0
        assert "Could not exclusively lock" in other_process.stderr
        dev.deactivate().result(5)
        # and the other way round: a port held elsewhere cannot be claimed
        held = serial.Serial(emu.path, exclusive=True)
        try:
            other = create_device("scanner", emu.url, driver="serial_scanner")
            devices.append(other)
            with pytest.raises(DeviceClaimed, match="in use"):
                other.activate().result(5)
        finally:
            held.close()
        other.activate().result(5)  # free again


def test_serial_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(NoHardware, match="no such serial port"):
        open_serial(parse_device_url(f"serial://{tmp_path}/ttyUSB0"))
    denied = map_serial_error(serial.SerialException(errno.EACCES, "could not open port"),
                              "/dev/ttyS0")
    assert "dialout" in str(denied)
    assert isinstance(map_serial_error(OSError(errno.EBUSY, "busy"), "/dev/ttyS0"),
                      DeviceClaimed)
    opts = port_options(parse_device_url(
        "serial:///dev/ttyS0?baudrate=19200&bytesize=7&parity=even&stopbits=2&rtscts=1"))
    assert opts == {"baudrate": 19200, "bytesize": 7, "parity": "E", "stopbits": 2,
                    "rtscts": True, "xonxoff": False}
    with pytest.raises(DeviceError, match="parity"):
        port_options(parse_device_url("serial:///dev/ttyS0?parity=Q"))
    assert parse_bytes("1b 70 00") == b"\x1bp\x00" and parse_bytes("<ESC>p\\x00") == b"\x1bp\x00"


def test_drivers_are_found_through_their_entry_points(tmp_path: Path) -> None:
    entries = {e.name: e for e in load_drivers()}
    expected = {"serial_scanner": (DeviceKind.SCANNER, "serial", SerialScanner),
                "evdev_scanner": (DeviceKind.SCANNER, "file", EvdevScanner),
                "cd5220": (DeviceKind.DISPLAY, "serial", Cd5220Display),
                "serial_scale": (DeviceKind.SCALE, "serial", SerialScale),
                "serial_drawer": (DeviceKind.DRAWER, "serial", SerialDrawer)}
    for name, (kind, scheme, cls) in expected.items():
        entry = entries[name]
        assert entry.driver is not None and entry.usable, (name, entry.error, entry.reason)
        assert kind.value in entry.kinds and scheme in entry.transports
        dev = create_device(kind, f"{scheme}://{tmp_path}/dev0", driver=name)
        assert type(dev) is cls
        dev.close()
    # without naming the driver, the scanners are still the ones chosen
    assert type(create_device("scanner", "serial:///dev/ttyACM0")) is SerialScanner
    assert type(create_device("scanner", "file:///dev/input/event3")) is EvdevScanner
    with pytest.raises(DeviceError, match="unknown setting"):
        create_device("scale", "serial:///dev/ttyS0", {"baud": 1}, driver="serial_scale")
