"""Driving the real Qt till in tests: a real demo store (SQLite file), every device
emulated (ESC/POS printer on loopback TCP, scanner/display/scale on ptys, the sim
card terminal), and the real TillWindow under QT_QPA_PLATFORM=offscreen.

Waiting is always for a condition (``qtbot.waitUntil``), never a fixed sleep.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget

from pos_app.app import App, open_app
from pos_app.demo_devices import DemoHardware
from pos_app.paths import db_path
from pos_app.ui.main_window import TillWindow
from pos_app.ui.run import build_window

WAIT_MS = 15_000


def build_template(path: Path, skus: int = 300) -> Path:
    from pos_app.demo import build_demo_store

    build_demo_store(path, skus)
    app = open_app(path, terminal=None)
    try:
        admin = app.auth.login("admin", "9999")
        app.settings.set(admin, "favourites", ["COF-1KG", "CHEESE-KG", "P1", "P2"])
        app.settings.set(admin, "auto_lock_minutes", 0)
        # qtbot types faster than any person: without this, typed words that end with
        # Enter would be taken for wedge scans (tests/test_ui_till_more.py tests the wedge)
        app.settings.set(admin, "scanner_wedge", "off")
    finally:
        app.close()
    return path


@dataclass
class Till:
    """One till: the app, its emulated hardware and the window, with test helpers."""

    qtbot: Any
    data_dir: Path
    hw: DemoHardware
    app: App = field(init=False)
    window: TillWindow = field(init=False)
    terminal_options: str = ""

    def open(self) -> Till:
        url = self.hw.terminal_url() + self.terminal_options
        self.app = open_app(self.data_dir, terminal=url, overrides=self.hw.urls)
        self.window = build_window(self.app)
        self.window.resize(1280, 800)
        self.qtbot.addWidget(self.window)
        self.window.show()
        self.wait(lambda: all(f.done() for f in self.app.devices.started.values()))
        return self

    def close(self) -> None:
        self.window.close()
        self.window.sync_worker.stop()
        self.app.close()

    # ---- waiting and finding
    def wait(self, condition: Callable[[], Any], timeout: int = WAIT_MS) -> None:
        self.qtbot.waitUntil(lambda: bool(condition()), timeout=timeout)

    def find(self, name: str, kind: type[QWidget] = QWidget) -> Any:
        found = self.window.findChild(kind, name)
        assert found is not None, f"no widget {name!r}"
        return found

    def dialog(self, name: str) -> Any:
        """Wait for the open dialog called ``name`` and return it."""
        def visible() -> QDialog | None:
            for w in QApplication.topLevelWidgets():
                if isinstance(w, QDialog) and w.objectName() == name and w.isVisible():
                    return w
            return None

        self.wait(visible)
        found = visible()
        assert found is not None
        return found

    def click(self, name: str, parent: QWidget | None = None) -> None:
        widget = (parent or self.window).findChild(QPushButton, name)
        assert widget is not None, f"no button {name!r}"
        assert widget.isEnabled(), f"button {name!r} is disabled"
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)

    def click_row(self, view: Any, row: int) -> None:
        """Tap an item of a list view where it is painted."""
        rect = view.visualItemRect(view.item(row))
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    def type_keys(self, widget: QWidget, text: str) -> None:
        self.qtbot.keyClicks(widget, text)

    def screen(self) -> str:
        return self.window.screen_name

    # ---- the cashier's steps
    def login(self, user: str = "cashier", pin: str = "1111") -> None:
        lock = self.window.lock_screen
        self.wait(lambda: lock.findChild(QPushButton, f"user_{user}") is not None)
        self.click(f"user_{user}", lock)  # the name tile (quick cashier switch)
        for digit in pin:
            self.click(f"key_{digit}", lock)
        self.click("key_enter", lock)
        self.wait(lambda: self.screen() == "sale_screen")

    def scan(self, code: str, aim: str | None = "]E0") -> None:
        """Through the serial scanner emulator and the real serial scanner driver."""
        before = len(self.window.session.view.lines), self.window.session.view.total
        self.hw.scanner.scan(code, aim=aim)
        self.wait(lambda: (len(self.window.session.view.lines),
                           self.window.session.view.total) != before)

    def lines(self) -> list[tuple[str, str, int]]:
        return [(ln.sku, str(ln.qty.normalize()), ln.total)
                for ln in self.window.session.view.lines]

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(db_path(self.data_dir))


@contextmanager
def till(qtbot: Any, template: Path, work: Path, terminal_options: str = "") -> Iterator[Till]:
    data_dir = work / "store"
    if not data_dir.exists():
        shutil.copytree(template, data_dir)
    with DemoHardware(data_dir) as hw:
        t = Till(qtbot, data_dir, hw, terminal_options=terminal_options).open()
        try:
            yield t
        finally:
            t.close()
