"""Start the Qt till: ``pos till`` (the configured store and hardware) and ``pos demo``.

Order matters for a fast, safe start: check that a window can open at all (one
clear line instead of Qt's abort), open the store, show the lock screen, and only
then — on worker threads — finish interrupted card payments, start the print
queue and the background sync.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ..app import App, open_app, sync_store
from .qtenv import check_gui

log = logging.getLogger(__name__)


def sync_probe(app: App, worker_problem: Callable[[], str | None]) -> Callable[[], Any]:
    """What the status bar shows of sync, from the delivery state in the store."""
    from .statusbar import SyncState

    def probe() -> SyncState:
        statuses = sync_store(app).status()
        if not statuses:
            return SyncState(False, 0, 0, None, False, worker_problem())
        pending = sum(s.pending for s in statuses)
        dead = sum(s.dead for s in statuses)
        last = max((s.last_success for s in statuses if s.last_success), default=None)
        failing = [s for s in statuses if s.pending and s.last_error]
        problem = worker_problem()
        if dead and problem is None:
            problem = (f"{dead} sale(s) could not be sent and need a manager: "
                       "see Back office › Sync.")
        return SyncState(True, pending, dead, last, bool(failing), problem)

    return probe


def create_qt_app(argv: list[str] | None = None) -> Any:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if existing is not None:
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setApplicationName("pos-app")
    QCoreApplication.setOrganizationName("pos-app")
    return QApplication(argv or sys.argv[:1])


def build_window(app: App, *, start_background: bool = True) -> Any:
    """The till window on ``app``, themed and translated by the store's settings."""
    from .i18n import install_translator
    from .main_window import TillWindow
    from .theme import apply_theme

    qapp = create_qt_app()
    settings = app.settings.all()
    install_translator(qapp, str(settings["locale"]))
    apply_theme(qapp, str(settings.get("theme") or "light"))
    from ..sync_worker import SyncWorker

    worker = SyncWorker(app)
    window = TillWindow(app, sync_probe(app, lambda: worker.problem), settings)
    window.sync_worker = worker
    if start_background:
        start_background_work(app, window, worker)
    return window


def start_background_work(app: App, window: Any, worker: Any) -> None:
    """After the window is up: recover interrupted card payments, print what waits, sync."""
    def recover() -> Any:
        return app.checkout.recover_payments()

    def recovered(report: Any) -> None:
        if report.completed or report.parked:
            window.notify(window.tr("Card payments interrupted last time were finished: "
                                    "%1 sale(s) completed, %2 parked.")
                          .replace("%1", str(len(report.completed)))
                          .replace("%2", str(len(report.parked))))

    window.tasks.lane(recover, done=recovered)
    app.print_worker.start()
    window.tasks.run(worker.start)


def run_till(data_dir: str | Path | None, *, fullscreen: bool = False,
             overrides: dict[str, str] | None = None, terminal: str | None = None,
             demo: Any = None) -> int:
    """Open the till window and run until it is closed. ``demo``: DemoHardware in use."""
    check_gui()
    qapp = create_qt_app()
    with ExitStack() as stack:
        app = open_app(data_dir, terminal=terminal, hardware=demo is None,
                       overrides=overrides)
        stack.callback(app.close)
        window = build_window(app)
        stack.callback(window.sync_worker.stop)
        if demo is not None:
            from .demo_panel import DemoPanel

            panel = DemoPanel(demo, window)
            panel.show()
        if fullscreen:
            window.showFullScreen()
        else:
            window.resize(1280, 800)
            window.show()
        code = int(qapp.exec())
    return code
