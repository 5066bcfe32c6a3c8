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

from ..app import App, open_app, sync_admin
from .qtenv import check_gui

log = logging.getLogger(__name__)


def sync_probe(app: App, worker_problem: Callable[[], str | None]) -> Callable[[], Any]:
    """What the status bar shows of sync: the engine's own health assessment."""
    from .statusbar import SyncState

    admin = sync_admin(app)

    def probe() -> SyncState:
        healths = admin.health()
        problem = worker_problem()
        if not healths:
            return SyncState(False, 0, 0, None, False, problem)
        pending = sum(h.pending for h in healths)
        dead = sum(h.dead for h in healths)
        last = max((h.last_success for h in healths if h.last_success), default=None)
        failing = [h for h in healths if h.state == "failing"]
        if problem is None and failing:
            problem = "; ".join(h.message for h in failing)
        return SyncState(True, pending, dead, last, admin.offline(healths), problem)

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


def build_window(app: App, *, start_background: bool = True, kiosk: bool = False) -> Any:
    """The till window on ``app``, themed and translated by the store's settings;
    ``kiosk``: only a manager's PIN closes it."""
    from .i18n import install_translator
    from .main_window import TillWindow
    from .theme import apply_theme

    qapp = create_qt_app()
    settings = app.settings.all()
    install_translator(qapp, str(settings["locale"]))
    apply_theme(qapp, str(settings.get("theme") or "light"))
    from ..sync_worker import SyncWorker

    worker = SyncWorker(app)
    window = TillWindow(app, sync_probe(app, lambda: worker.problem), settings, kiosk=kiosk)
    window.sync_worker = worker
    if start_background:
        start_background_work(app, window, worker)
    return window


def start_background_work(app: App, window: Any, worker: Any) -> None:
    """After the window is up: recover interrupted card payments, print what waits, sync."""
    from PySide6.QtCore import QCoreApplication

    def recover() -> Any:
        return app.checkout.recover_payments()

    def recovered(report: Any) -> None:
        if report.completed or report.parked:
            window.notify(QCoreApplication.translate(
                "TillWindow", "Card payments interrupted last time were finished: "
                "%1 sale(s) completed, %2 parked.")
                          .replace("%1", str(len(report.completed)))
                          .replace("%2", str(len(report.parked))))

    window.tasks.lane(recover, done=recovered)
    app.print_worker.start()
    window.tasks.run(worker.start)


def run_till(data_dir: str | Path | None, *, fullscreen: bool = False,
             overrides: dict[str, str] | None = None, terminal: str | None = None,
             demo: Any = None, kiosk: bool = False) -> int:
    """Open the till window and run until it is closed. ``demo``: DemoHardware in use.
    A data directory without a store gets the first-run wizard first."""
    check_gui()
    qapp = create_qt_app()
    if demo is None:
        from ..paths import data_dir as resolve_data_dir
        from ..paths import db_path
        from ..persistence.backups import has_store

        if not has_store(db_path(resolve_data_dir(data_dir))):
            from .wizard import run_wizard

            if not run_wizard(qapp, data_dir, fullscreen=fullscreen or kiosk):
                log.info("first-run wizard closed without creating a store")
                return 0
    with ExitStack() as stack:
        app = open_app(data_dir, terminal=terminal, hardware=demo is None,
                       overrides=overrides)
        stack.callback(app.close)
        from ..cli.db_cmd import service_guards

        stack.callback(service_guards(app).close)  # store lock, daily backup
        window = build_window(app, kiosk=kiosk)
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
        quit_on_signals(qapp, window)
        log.info("till window open on %s (till %s), devices: %s", app.data_dir,
                 app.ctx.till_code, ", ".join(sorted(app.devices.entries)) or "none")
        code = int(qapp.exec())
    return code


def quit_on_signals(qapp: Any, window: Any) -> None:
    """SIGTERM (systemd, a shutdown) and Ctrl+C close the till like its window's close
    button: workers stop, devices are released, nothing half-written. Qt's event loop
    does not run Python signal handlers by itself, so a timer lets Python look."""
    import signal

    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: Any) -> None:
        log.info("till asked to stop (signal %s)", _signum)
        if hasattr(window, "allow_close"):
            window.allow_close()  # a kiosk till too: systemd stops it cleanly
        window.close()
        qapp.quit()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, close)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(200)
