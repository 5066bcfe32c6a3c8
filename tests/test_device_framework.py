"""The driver framework: lifecycle, claims, deadlines, URLs and the registry."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import pytest

from drivers import registry
from drivers.device import Device, Phase
from drivers.errors import DeviceClaimed, DeviceTimeout, DriverNotUsable, IllegalState, NoHardware
from drivers.interfaces import Scanner
from drivers.kinds import DeviceKind, ScanData
from drivers.registry import Driver, Setting, create_device, find_driver, load_drivers
from drivers.status import Status, StatusEvent
from drivers.url import parse_device_url


class Probe(Device):
    kind = DeviceKind.DISPLAY

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.calls: list[str] = []
        self.fail_claim = False

    def _open_io(self) -> None:
        self.calls.append("open")

    def _claim_io(self) -> None:
        if self.fail_claim:
            raise NoHardware("nothing there")
        self.calls.append("claim")

    def _enable_io(self) -> None:
        self.calls.append("enable")

    def _disable_io(self) -> None:
        self.calls.append("disable")

    def _release_io(self) -> None:
        self.calls.append("release")

    def _close_io(self) -> None:
        self.calls.append("close")


def make(url: str = "tcp://127.0.0.1:1", **kw: Any) -> Probe:
    return Probe(parse_device_url(url), **kw)


def test_lifecycle_in_order_and_illegal_steps_refused() -> None:
    dev = make()
    with pytest.raises(IllegalState):
        dev.enable().result(2)
    dev.activate().result(2)
    assert dev.phase is Phase.ENABLED
    dev.deactivate().result(2)
    assert dev.phase is Phase.CLOSED
    assert dev.calls == ["open", "claim", "enable", "disable", "release", "close"]
    dev.close()


def test_claim_is_exclusive_until_released() -> None:
    a, b = make("tcp://127.0.0.1:2"), make("tcp://127.0.0.1:2?timeout=3")
    a.activate().result(2)
    b.open().result(2)
    with pytest.raises(DeviceClaimed):
        b.claim().result(2)
    a.close()
    b.claim().result(2)  # free once the holder closed
    assert b.phase is Phase.CLAIMED
    b.close()


def test_failed_claim_leaves_the_address_free() -> None:
    a = make("tcp://127.0.0.1:3")
    a.fail_claim = True
    with pytest.raises(NoHardware):
        a.activate().result(2)
    assert a.phase is Phase.OPENED
    b = make("tcp://127.0.0.1:3")
    b.activate().result(2)
    a.close()
    b.close()


def test_a_hung_call_times_out_without_blocking_the_caller_or_later_devices() -> None:
    dev = make("tcp://127.0.0.1:4", timeout=0.2)
    release = threading.Event()
    stuck = dev.submit(release.wait, 30)
    with pytest.raises(DeviceTimeout):
        stuck.result(5)
    assert dev._worker.hung
    queued: Future[int] = dev.submit(lambda: 42, timeout=0.2)
    with pytest.raises(DeviceTimeout):  # waited behind the hung call past its own deadline
        queued.result(5)
    release.set()
    assert dev.submit(lambda: 7, timeout=2).result(5) == 7
    assert not dev._worker.hung
    dev.close()


def test_status_events_are_deduplicated_per_group() -> None:
    dev = make()
    seen: list[StatusEvent] = []
    dev.add_status_listener(seen.append)
    dev.emit_status(Status.PAPER_NEAR_END, group="paper")
    dev.emit_status(Status.PAPER_NEAR_END, group="paper")
    dev.emit_status(Status.ONLINE, group="power")
    dev.emit_status(Status.PAPER_OK, group="paper")
    assert [e.status for e in seen] == [Status.PAPER_NEAR_END, Status.ONLINE, Status.PAPER_OK]
    dev.close()


def test_scanner_debounces_double_reads_only_within_the_window() -> None:
    class S(Scanner):
        pass

    clock = [100.0]
    scanner = S(parse_device_url("sim://"), {"debounce_ms": 300})
    got: list[str] = []
    scanner.add_data_listener(lambda s: got.append(s.data))
    import drivers.interfaces as itf

    real = itf.time.monotonic
    itf.time.monotonic = lambda: clock[0]  # type: ignore[assignment]
    try:
        assert scanner.deliver(ScanData("4006381333931"))
        clock[0] += 0.1
        assert not scanner.deliver(ScanData("4006381333931"))  # double read
        clock[0] += 0.1
        assert scanner.deliver(ScanData("5012345678900"))  # another item
        clock[0] += 0.5
        assert scanner.deliver(ScanData("5012345678900"))  # scanned again on purpose
    finally:
        itf.time.monotonic = real  # type: ignore[assignment]
    assert got == ["4006381333931", "5012345678900", "5012345678900"]
    scanner.close()


@pytest.mark.parametrize("text,scheme,host,port,path", [
    ("tcp://10.0.0.5", "tcp", "10.0.0.5", 9100, ""),
    ("tcp://printer.local:9101?timeout=2", "tcp", "printer.local", 9101, ""),
    ("serial:///dev/ttyUSB0?baudrate=9600", "serial", "", None, "/dev/ttyUSB0"),
    ("file:///dev/usb/lp0", "file", "", None, "/dev/usb/lp0"),
    ("sim://", "sim", "", None, ""),
])
def test_device_urls(text: str, scheme: str, host: str, port: int | None, path: str) -> None:
    url = parse_device_url(text)
    assert (url.scheme, url.host, url.port, url.path) == (scheme, host, port, path)
    assert str(url) == text


def test_usb_urls_and_bad_addresses() -> None:
    url = parse_device_url("usb://04b8:0202?in_ep=0x82")
    assert url.usb_ids == (0x04B8, 0x0202)
    assert url.int_param("in_ep", 0) == 0x82
    for bad in ("lpt://1", "tcp://", "serial://", "usb://epson", "tcp://h:port"):
        with pytest.raises(IllegalState):
            parse_device_url(bad)


class Broken(Driver):
    name = "broken"
    kinds = frozenset({DeviceKind.DISPLAY})
    transports = frozenset({"tcp"})

    def is_usable(self) -> tuple[bool, str]:
        return False, "libfoo is not installed"


class Good(Driver):
    name = "good"
    kinds = frozenset({DeviceKind.DISPLAY})
    transports = frozenset({"tcp"})
    settings_schema = (Setting("columns", "Columns", "int", 20),
                       Setting("mode", "Mode", "choice", "a", ("a", "b")),
                       Setting("beep", "Beep", "bool", False))

    def create(self, kind: DeviceKind, url: Any, settings: Any, name: str | None = None) -> Device:
        return Probe(url, settings, name)


def test_registry_skips_unusable_drivers_and_names_the_reason() -> None:
    url = parse_device_url("tcp://127.0.0.1:9")
    only_broken = [registry._entry(Broken())]
    with pytest.raises(DriverNotUsable, match="libfoo"):
        find_driver(DeviceKind.DISPLAY, url, entries=only_broken)
    both = [registry._entry(Broken()), registry._entry(Good())]
    assert find_driver(DeviceKind.DISPLAY, url, entries=both).name == "good"
    with pytest.raises(NoHardware, match="scale"):
        find_driver(DeviceKind.SCALE, url, entries=both)


def test_settings_are_checked_against_the_schema() -> None:
    good = Good()
    assert good.settings_for({"columns": "0x14", "beep": "yes"}) == \
        {"columns": 20, "mode": "a", "beep": True}
    for bad in ({"columns": "many"}, {"mode": "c"}, {"beep": "perhaps"}, {"colour": "red"}):
        with pytest.raises(IllegalState):
            good.settings_for(bad)


def test_a_plugin_that_fails_to_import_disables_only_itself(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    class EP:
        def __init__(self, name: str, target: Any) -> None:
            self.name, self._target = name, target

        def load(self) -> Any:
            if isinstance(self._target, Exception):
                raise self._target
            return self._target

    monkeypatch.setattr(registry, "entry_points", lambda group: [
        EP("bad", ImportError("No module named 'vendor_sdk'")), EP("good", Good)])
    entries = {e.name: e for e in load_drivers()}
    assert entries["bad"].driver is None and "vendor_sdk" in entries["bad"].error
    assert entries["good"].usable
    dev = create_device("display", "tcp://127.0.0.1:9", {"columns": 40})
    assert dev.settings["columns"] == 40
    dev.close()
