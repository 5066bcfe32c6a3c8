"""Scanners: AIM identifiers, the serial scanner over a real pty, evdev decoding and the
evdev scanner over a FIFO, and the wedge classifier. No sleeps: every wait is on a
condition with a timeout."""

from __future__ import annotations

import os
import threading
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.emulators.scanner import ScannerEmulator
from drivers.errors import DeviceError
from drivers.kinds import ScanData
from drivers.registry import create_device
from drivers.scanner import ScanFramer, aim
from drivers.scanner.evdev_keys import (
    EV_KEY,
    EV_MSC,
    EV_SYN,
    EVENT_SIZE,
    InputEvent,
    decode_events,
    encode_text,
    parse_events,
    translate_layout,
)
from drivers.scanner.evdev_scanner import EvdevScanner
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.wedge import Hold, Replay, Scanned, WedgeClassifier, WedgeConfig, classify
from drivers.status import Status, StatusEvent

GS = "\x1d"


class Collector:
    """Thread-safe list with ``wait(n)``: what listeners saw, waited for without sleeping."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.cond = threading.Condition()

    def __call__(self, item: Any) -> None:
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def wait(self, predicate: Callable[[list[Any]], bool], timeout: float = 5.0) -> list[Any]:
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self.items), timeout):
                raise AssertionError(f"timed out; got {self.items!r}")
            return list(self.items)

    def wait_count(self, n: int, timeout: float = 5.0) -> list[Any]:
        return self.wait(lambda items: len(items) >= n, timeout)


# --- AIM ---

def test_aim_identifiers_are_stripped_and_kept_as_symbology() -> None:
    assert aim.decode("]E04006381333931") == ScanData("4006381333931", "]E0")
    assert aim.decode("]E412345670") == ScanData("12345670", "]E4")
    scan = aim.decode(f"]C1{GS}0104012345678901{GS}10ABC{GS}21X")
    assert scan == ScanData(f"0104012345678901{GS}10ABC{GS}21X", "]C1")  # GS kept inside
    assert aim.is_gs1("]C1") and aim.is_gs1("]e0") and aim.is_gs1("]d2") and aim.is_gs1("]Q3")
    assert not aim.is_gs1("]E0") and not aim.is_gs1(None)
    assert aim.decode("]X9ABC") == ScanData("ABC", "]X9")  # unknown: generic
    assert aim.symbology("]X9") is not None
    assert aim.decode("]E0123", aim=False) == ScanData("]E0123", None)
    assert aim.decode("4006381333931") == ScanData("4006381333931", None)
    assert aim.split_addon(aim.decode("]E3977123456700312")) == ("9771234567003", "12")


def test_framer_handles_split_reads_prefix_and_custom_suffix() -> None:
    framer = ScanFramer(prefix="<STX>", suffix="<ETX>")
    assert framer.feed("\x02]E0400638") == []
    assert framer.feed("1333931\x03\r\n\x02ABC") == [ScanData("4006381333931", "]E0")]
    assert framer.feed("\x03") == [ScanData("ABC", None)]
    plain = ScanFramer()
    assert plain.feed("111\r\n222\r333\n\r\n") == [ScanData("111"), ScanData("222"),
                                                   ScanData("333")]


# --- serial scanner over a pty ---

@pytest.fixture
def scanner_emu() -> Iterator[ScannerEmulator]:
    with ScannerEmulator(prefix="<STX>", suffix="\\r\\n") as emu:
        yield emu


def _activate(dev: Any) -> Any:
    dev.activate().result(5)
    return dev


def test_serial_scanner_strips_prefix_suffix_and_aim(scanner_emu: ScannerEmulator) -> None:
    dev = create_device("scanner", scanner_emu.url, {"prefix": "<STX>"})
    assert isinstance(dev, SerialScanner)
    scans = Collector()
    dev.add_data_listener(scans)
    try:
        _activate(dev)
        scanner_emu.scan("4006381333931", aim="]E0")
        scanner_emu.scan(f"0104012345678901{GS}10LOT7{GS}3103000512", aim="]C1")
        scanner_emu.scan("INTERNAL-42")
        got = scans.wait_count(3)
    finally:
        dev.close()
    assert [(s.data, s.symbology) for s in got] == [
        ("4006381333931", "]E0"),
        (f"0104012345678901{GS}10LOT7{GS}3103000512", "]C1"),
        ("INTERNAL-42", None),
    ]


def test_serial_scanner_debounces_double_reads(scanner_emu: ScannerEmulator,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("drivers.interfaces.time", types.SimpleNamespace(
        monotonic=lambda: clock[0]))
    dev = create_device("scanner", scanner_emu.url, {"prefix": "<STX>", "debounce_ms": 500})
    scans, calls = Collector(), Collector()
    dev.add_data_listener(scans)
    real_deliver = dev.deliver

    def deliver(scan: ScanData) -> bool:
        result = real_deliver(scan)
        calls((scan.data, result))
        return result

    dev.deliver = deliver  # type: ignore[method-assign]
    try:
        _activate(dev)
        scanner_emu.scan("4006381333931")
        calls.wait_count(1)
        clock[0] = 100.2  # inside the window: a double read
        scanner_emu.scan("4006381333931")
        calls.wait_count(2)
        clock[0] = 101.0  # the window (from the last read) is over: a new sale of the same item
        scanner_emu.scan("4006381333931")
        got = calls.wait_count(3)
    finally:
        dev.close()
    assert [ok for _, ok in got] == [True, False, True]
    assert len(scans.items) == 2


def test_serial_scanner_goes_offline_and_back_online(tmp_path: Path) -> None:
    link = tmp_path / "scanner"  # like /dev/serial/by-id/…: survives a replug
    first = ScannerEmulator().start()
    second: ScannerEmulator | None = None
    link.symlink_to(first.path)
    dev = create_device("scanner", f"serial://{link}")
    assert isinstance(dev, SerialScanner)
    dev.reopen_interval = 0.05
    statuses: Collector = Collector()
    scans = Collector()
    dev.add_status_listener(statuses)
    dev.add_data_listener(scans)

    def saw(status: Status, times: int = 1) -> Callable[[list[StatusEvent]], bool]:
        return lambda items: sum(e.status is status for e in items) >= times

    try:
        _activate(dev)
        first.scan("111111")
        scans.wait_count(1)
        first.stop()  # cable pulled
        statuses.wait(saw(Status.OFFLINE))
        link.unlink()
        second = ScannerEmulator().start()  # plugged in again
        link.symlink_to(second.path)
        statuses.wait(saw(Status.ONLINE, 2))
        second.scan("222222")
        got = scans.wait_count(2)
    finally:
        dev.close()
        first.stop()
        if second is not None:
            second.stop()
    assert [e.status for e in statuses.items] == [Status.ONLINE, Status.OFFLINE, Status.ONLINE]
    assert [s.data for s in got] == ["111111", "222222"]


def test_serial_scanner_missing_port_is_no_hardware(tmp_path: Path) -> None:
    dev = create_device("scanner", f"serial://{tmp_path}/ttyUSB9")
    try:
        with pytest.raises(DeviceError) as err:
            dev.activate().result(5)
        assert err.value.code == "no_hardware"
    finally:
        dev.close()


# --- evdev decoding ---

def _recording(*keys: tuple[int, int]) -> bytes:
    """Events as the kernel sends them for a scanner: MSC_SCAN, KEY, SYN per change."""
    out = bytearray()
    usec = 0
    for code, value in keys:
        usec += 1500
        out += InputEvent(1700000000, usec, EV_MSC, 4, 0x70000 + code).pack()
        out += InputEvent(1700000000, usec, EV_KEY, code, value).pack()
        out += InputEvent(1700000000, usec, EV_SYN, 0, 0).pack()
    return bytes(out)


# Shift+Y, Y, Z, KEY_SLASH, KEY_1, KEY_MINUS, Enter — a German-configured scanner.
RECORDED_DE = _recording((42, 1), (21, 1), (21, 0), (42, 0), (21, 1), (21, 0), (44, 1), (44, 0),
                         (53, 1), (53, 0), (2, 1), (2, 0), (12, 1), (12, 0), (28, 1), (28, 0))


def test_evdev_decodes_recorded_events_with_the_scanner_layout() -> None:
    events, rest = parse_events(RECORDED_DE[:-5])
    assert rest == RECORDED_DE[len(events) * EVENT_SIZE:-5]  # partial event kept for later
    events, rest = parse_events(RECORDED_DE)
    assert rest == b"" and len(events) == 48
    assert decode_events(events, "de") == "Zzy-1ß\n"
    assert decode_events(events, "us") == "Yyz/1-\n"


def test_evdev_shift_caps_kpenter_and_control_characters() -> None:
    def keys(*pairs: tuple[int, int]) -> list[InputEvent]:
        return [InputEvent(0, 0, EV_KEY, c, v) for c, v in pairs]

    # Shift+A, a, Caps Lock, b, Shift+c, KP1, KP Enter
    events = keys((42, 1), (30, 1), (30, 0), (42, 0), (30, 1), (30, 0), (58, 1), (58, 0),
                  (48, 1), (48, 0), (42, 1), (46, 1), (46, 0), (42, 0), (79, 1), (79, 0),
                  (96, 1), (96, 0))
    assert decode_events(events, "us") == "AaBc1\n"
    # GS two ways: Ctrl+] and Alt + keypad 0 2 9
    ctrl = keys((29, 1), (27, 1), (27, 0), (29, 0))
    alt = keys((56, 1), (82, 1), (82, 0), (80, 1), (80, 0), (73, 1), (73, 0), (56, 0))
    assert decode_events(ctrl, "us") == GS
    assert decode_events(alt, "us") == GS
    # auto-repeat (value 2) repeats, release (0) types nothing
    assert decode_events(keys((2, 1), (2, 2), (2, 0)), "us") == "11"
    # French AZERTY: digits need Shift
    assert decode_events(encode_text("4006\n", "fr"), "fr") == "4006\n"
    assert decode_events(encode_text("4006", "fr"), "us") == "$))^"  # wrong layout chosen


def test_layout_translation_undoes_a_layout_mismatch() -> None:
    assert translate_layout("&é\"'(-è_çà", "fr", "us") == "1234567890"
    assert translate_layout("Zyz", "de", "us") == "Yzy"
    assert translate_layout("4006381333931", "us", "us") == "4006381333931"


# --- evdev scanner over a FIFO ---

@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    path = tmp_path / "event7"
    os.mkfifo(path)
    writer = os.open(path, os.O_RDWR)  # a writer that never blocks and never hangs up
    yield path, writer
    os.close(writer)


def test_evdev_scanner_reads_a_fifo_with_grab_off(fifo: tuple[Path, int]) -> None:
    path, writer = fifo
    dev = create_device("scanner", f"file://{path}", {"grab": False, "layout": "de"})
    assert isinstance(dev, EvdevScanner)
    scans = Collector()
    dev.add_data_listener(scans)
    try:
        _activate(dev)
        data = b"".join(e.pack() for e in encode_text("]E04006381333931\nZY-12\n", "de"))
        os.write(writer, data[:100])  # split inside an event
        os.write(writer, data[100:])
        got = scans.wait_count(2)
    finally:
        dev.close()
    assert [(s.data, s.symbology) for s in got] == [("4006381333931", "]E0"), ("ZY-12", None)]


def test_evdev_scanner_refuses_a_non_device_when_grab_is_on(fifo: tuple[Path, int]) -> None:
    path, _ = fifo
    dev = create_device("scanner", f"file://{path}")
    try:
        with pytest.raises(DeviceError, match="grab=false"):
            dev.activate().result(5)
    finally:
        dev.close()


# --- wedge classifier ---

def _keys(text: str, start: float, gap: float) -> list[tuple[str, float]]:
    return [(ch, start + i * gap) for i, ch in enumerate(text)]


def test_wedge_fast_burst_with_enter_is_a_scan() -> None:
    clf = WedgeClassifier()
    decisions = [d for ch, t in _keys("4006381333931\r", 10.0, 0.004)
                 for d in clf.feed(ch, t, ch)]
    assert all(isinstance(d, Hold) for d in decisions[:-1])
    last = decisions[-1]
    assert isinstance(last, Scanned)
    assert last.scan.data == "4006381333931" and len(last.keys) == 14
    assert not clf.pending


def test_wedge_slow_typing_is_replayed_in_order() -> None:
    out = classify(_keys("12345678\r", 10.0, 0.120))
    assert all(isinstance(d, Replay) for d in out)
    assert "".join(k for d in out for k in d.keys) == "12345678\r"


def test_wedge_burst_without_suffix_ends_with_the_pause() -> None:
    clf = WedgeClassifier()
    for ch, t in _keys("40063813", 5.0, 0.005):
        clf.feed(ch, t, ch)
    assert clf.flush() == [Scanned(ScanData("40063813", None, "wedge"), tuple("40063813"))]
    # a key after the pause: the burst before it is decided first
    clf.feed("1", 1.0, "1")
    out = clf.feed("x", 2.0, "x")
    assert out[0] == Replay(("1",)) and isinstance(out[1], Hold)


def test_wedge_minimum_length_and_mixed_speeds() -> None:
    assert classify(_keys("123\r", 0.0, 0.003)) == [Replay(tuple("123\r"))]
    assert classify(_keys("123\r", 0.0, 0.003), WedgeConfig(min_length=3))[0] == Scanned(
        ScanData("123", None, "wedge"), tuple("123\r"))
    # one slow gap in the middle splits the burst: neither half is long enough
    keys = _keys("1234", 0.0, 0.004) + _keys("5678\r", 0.5, 0.004)
    assert [type(d) for d in classify(keys)] == [Replay, Replay]
    # a gap just over the limit is typing
    assert isinstance(classify(_keys("12345678\r", 0.0, 0.031))[0], Replay)


def test_wedge_prefix_and_suffix() -> None:
    config = WedgeConfig(prefix="<STX>", suffix="<ETX>", min_length=4)
    out = classify(_keys("\x02]E04006381333931\x03", 0.0, 0.002), config)
    assert out == [Scanned(ScanData("4006381333931", "]E0", "wedge"),
                           tuple("\x02]E04006381333931\x03"))]
    # typing never waits when a prefix is configured
    clf = WedgeClassifier(config)
    assert clf.feed("4", 0.0, "4") == [Replay(("4",))]
    # without the suffix the fast burst is typing after all
    assert [type(d) for d in classify(_keys("\x0212345678", 0.0, 0.002), config)] == [Replay]
    # a two-character prefix: a wrong second character releases what was held
    clf = WedgeClassifier(WedgeConfig(prefix="##"))
    assert clf.feed("#", 1.0, "a") == [Hold(1.0 + clf.config.max_gap)]
    assert clf.feed("x", 1.001, "b") == [Replay(("a", "b"))]


def test_wedge_normalises_azerty_and_qwertz_layout_swaps() -> None:
    fr = WedgeConfig(os_layout="fr", scanner_layout="us")
    out = classify(_keys("'àà-\"_&\"\"\"ç\"&\r", 0.0, 0.003), fr)
    assert isinstance(out[0], Scanned) and out[0].scan.data == "4006381333931"
    out = classify(_keys("&é\"'(-è_çà\r", 0.0, 0.003), fr)
    assert isinstance(out[0], Scanned) and out[0].scan.data == "1234567890"
    de = WedgeConfig(os_layout="de", scanner_layout="us", min_length=4)
    out = classify(_keys("ZzyY12\r", 0.0, 0.003), de)
    assert isinstance(out[0], Scanned) and out[0].scan.data == "YyzZ12"
    # typed keys are never translated
    out = classify(_keys("&é\"'(-è_çà\r", 0.0, 0.2), fr)
    assert "".join(k for d in out for k in d.keys) == "&é\"'(-è_çà\r"


def test_wedge_interrupt_replays_what_is_held() -> None:
    start = time.monotonic()
    clf = WedgeClassifier()
    clf.feed("a", start, "a")
    assert clf.interrupt() == [Replay(("a",))]
    assert clf.interrupt() == []
