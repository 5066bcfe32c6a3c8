"""The till's status bar: every device's health, the print queue and sync, in words.

Device health arrives from device threads through ``DeviceManager.on_health``
and is marshalled here; sync and print-queue state are polled on the pool. A
tap on a chip explains the problem and what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QToolButton

from ..hardware.manager import DeviceHealth
from .i18n import Fmt
from .tasks import Tasks
from .theme import restyle, set_icon, set_role

ROLE_ICONS = {"printer": "printer", "drawer": "drawer", "scanner": "scanner",
              "terminal": "terminal", "display": "display", "scale": "scale"}
ROLE_NAMES = {
    "printer": QT_TRANSLATE_NOOP("StatusBar", "Printer"),
    "drawer": QT_TRANSLATE_NOOP("StatusBar", "Drawer"),
    "scanner": QT_TRANSLATE_NOOP("StatusBar", "Scanner"),
    "terminal": QT_TRANSLATE_NOOP("StatusBar", "Card terminal"),
    "display": QT_TRANSLATE_NOOP("StatusBar", "Customer display"),
    "scale": QT_TRANSLATE_NOOP("StatusBar", "Scale"),
}


def role_name(role: str) -> str:
    base = role.rstrip("0123456789")
    return QCoreApplication.translate("StatusBar", ROLE_NAMES.get(base, base.capitalize()))


def device_words(message: str) -> str:
    """Device messages come in English from the hardware layer; translated here."""
    return QCoreApplication.translate("DeviceWords", message)


@dataclass(frozen=True)
class SyncState:
    """What the status bar shows of the sync engine (see ``pos_app.app.sync_state``)."""

    configured: bool
    pending: int
    dead: int
    last_success: datetime | None
    offline: bool
    problem: str | None  # in words for the cashier, or None


class Chip(QToolButton):
    def __init__(self, name: str, icon_name: str) -> None:
        super().__init__()
        set_role(self, "chip", level="starting")
        self.setObjectName(f"chip_{name}")
        set_icon(self, icon_name)
        self.setIconSize(QSize(20, 20))
        self.setToolButtonStyle(self.toolButtonStyle().ToolButtonTextBesideIcon)
        self.level = "starting"
        self.detail = ""

    def set_state(self, level: str, text: str, detail: str) -> None:
        self.level = level
        self.detail = detail
        self.setText(text)
        self.setToolTip(detail)
        self.setProperty("level", level)
        restyle(self)


class StatusBar(QFrame):
    sync_changed = Signal(object)  # SyncState
    health_changed = Signal(object)  # DeviceHealth

    def __init__(self, tasks: Tasks, fmt: Fmt, sync_probe: Callable[[], SyncState],
                 print_probe: Callable[[], int], poll_ms: int = 3000) -> None:
        super().__init__()
        self.setObjectName("statusbar")
        self.tasks, self.fmt = tasks, fmt
        self.sync_probe, self.print_probe = sync_probe, print_probe
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(10, 4, 10, 4)
        self.row.setSpacing(6)
        self.chips: dict[str, Chip] = {}
        self.row.addStretch(1)
        self.queue = Chip("print_queue", "printer")
        self.queue.hide()
        self.row.addWidget(self.queue)
        self.sync = Chip("sync", "sync")
        self.row.addWidget(self.sync)
        self.clock = QLabel()
        self.clock.setObjectName("clock")
        self.row.addWidget(self.clock)
        self.sync_state: SyncState | None = None
        self.health_changed.connect(self.show_health)
        for chip in (self.sync, self.queue):
            chip.clicked.connect(lambda _=False, c=chip: self.explain(c))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        self._timer.start(poll_ms)
        self._tick()
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)
        self._clock.start(10_000)

    def watch(self, devices: Any) -> None:
        """Show ``devices`` (a DeviceManager); health events may come from any thread."""
        for role, entry in devices.entries.items():
            self._chip(role, entry.kind)
        for health in list(devices.health.values()):
            self.show_health(health)
        devices.on_health(lambda h: self.tasks.to_gui(self.health_changed.emit, h))

    def _chip(self, role: str, kind: str) -> Chip:
        chip = self.chips.get(role)
        if chip is None:
            chip = Chip(role, ROLE_ICONS.get(kind, "settings"))
            chip.setText(role_name(role))
            chip.clicked.connect(lambda _=False, c=chip: self.explain(c))
            self.row.insertWidget(len(self.chips), chip)
            self.chips[role] = chip
        return chip

    def show_health(self, health: DeviceHealth) -> None:
        chip = self._chip(health.role, health.kind)
        chip.set_state(health.level, role_name(health.role),
                       f"{role_name(health.role)}: {device_words(health.message)}")

    def poll(self) -> None:
        self.tasks.run(self._probe, done=self._show_probe, failed=lambda exc: None)

    def _probe(self) -> tuple[SyncState, int]:
        return self.sync_probe(), self.print_probe()

    def _show_probe(self, result: tuple[SyncState, int]) -> None:
        state, waiting = result
        self.sync_state = state
        if not state.configured:
            self.sync.set_state("off", self.tr("Sync off"),
                                self.tr("No back-office system is connected to this till."))
        elif state.problem:
            self.sync.set_state("error", self.tr("Sync: %n waiting", "", state.pending),
                                state.problem)
        elif state.pending:
            self.sync.set_state("warning" if state.offline else "ok",
                                self.tr("Sync: %n waiting", "", state.pending),
                                self._sync_detail(state))
        else:
            self.sync.set_state("ok", self.tr("Synced"), self._sync_detail(state))
        self.queue.setVisible(waiting > 0)
        if waiting:
            self.queue.set_state("warning", self.tr("%n receipt(s) waiting", "", waiting),
                                 self.tr("Receipts that could not print yet are kept and print "
                                         "by themselves when the printer is ready."))
        self.sync_changed.emit(state)

    def _sync_detail(self, state: SyncState) -> str:
        last = (self.tr("last sent %1").replace("%1", self.fmt.datetime(state.last_success))
                if state.last_success else self.tr("nothing sent yet"))
        if state.offline:
            return self.tr("Offline: sales are kept on this till and sent when the connection "
                           "is back (%1).").replace("%1", last)
        return self.tr("Sales are sent to the back office (%1).").replace("%1", last)

    def _tick(self) -> None:
        self.clock.setText(self.fmt.time(datetime.now().astimezone()))

    def explain(self, chip: Chip) -> None:
        QMessageBox.information(self.window(), chip.text(), chip.detail or chip.text())
