"""The Qt scan wedge: a fast burst becomes ``scanned`` and never reaches the line edit;
slow typing lands in it unchanged. A fake clock makes bursts fast or slow."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from drivers.kinds import ScanData
from drivers.scanner.wedge import WedgeConfig
from pos_app.ui.wedge import ScanWedge


class FakeClock:
    """Advances ``step`` seconds every time the wedge reads it (once per key press)."""

    def __init__(self, step: float) -> None:
        self.now = 1000.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def form(qtbot) -> Iterator[tuple[QWidget, QLineEdit, QLineEdit]]:  # type: ignore[no-untyped-def]
    window = QWidget()
    layout = QVBoxLayout(window)
    first, second = QLineEdit(), QLineEdit()
    layout.addWidget(first)
    layout.addWidget(second)
    qtbot.addWidget(window)
    window.show()
    first.setFocus()
    yield window, first, second


def _wedge(qapp, clock: FakeClock, **config: object) -> ScanWedge:  # type: ignore[no-untyped-def]
    wedge = ScanWedge(WedgeConfig(**config), clock=clock)  # type: ignore[arg-type]
    wedge.install(qapp)
    return wedge


def test_fast_burst_is_a_scan_and_leaves_the_line_edit_empty(qtbot, qapp, form) -> None:  # type: ignore[no-untyped-def]
    _, edit, _ = form
    wedge = _wedge(qapp, FakeClock(0.004))
    try:
        with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
            qtbot.keyClicks(edit, "]E04006381333931")
            qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert signal.args == [ScanData("4006381333931", "]E0", "wedge")]
        assert edit.text() == ""
        # the swallowed releases do not leak either: typing afterwards still works
        wedge.clock = FakeClock(0.2)
        qtbot.keyClicks(edit, "2")
        qtbot.waitUntil(lambda: edit.text() == "2", timeout=2000)
    finally:
        wedge.uninstall()


def test_burst_without_enter_is_a_scan_after_the_pause(qtbot, qapp, form) -> None:  # type: ignore[no-untyped-def]
    _, edit, _ = form
    wedge = _wedge(qapp, FakeClock(0.003))
    try:
        with qtbot.waitSignal(wedge.scanned, timeout=2000) as signal:
            qtbot.keyClicks(edit, "96385074")
        assert signal.args[0].data == "96385074"
        assert edit.text() == ""
    finally:
        wedge.uninstall()


def test_slow_typing_lands_in_the_focused_line_edit(qtbot, qapp, form) -> None:  # type: ignore[no-untyped-def]
    _, edit, other = form
    wedge = _wedge(qapp, FakeClock(0.150))
    scans: list[ScanData] = []
    wedge.scanned.connect(scans.append)
    try:
        qtbot.keyClicks(edit, "12345678")
        qtbot.keyClick(edit, Qt.Key.Key_Backspace)  # not text: releases what is held first
        qtbot.keyClicks(edit, "9")
        qtbot.waitUntil(lambda: edit.text() == "12345679", timeout=2000)
        qtbot.keyClicks(other, "ab")
        qtbot.waitUntil(lambda: other.text() == "ab", timeout=2000)
    finally:
        wedge.uninstall()
    assert scans == []
    assert edit.text() == "12345679"


def test_short_fast_burst_is_typing(qtbot, qapp, form) -> None:  # type: ignore[no-untyped-def]
    _, edit, _ = form
    wedge = _wedge(qapp, FakeClock(0.002), min_length=6)
    scans: list[ScanData] = []
    wedge.scanned.connect(scans.append)
    try:
        qtbot.keyClicks(edit, "42")
        qtbot.waitUntil(lambda: edit.text() == "42", timeout=2000)
    finally:
        wedge.uninstall()
    assert scans == []
