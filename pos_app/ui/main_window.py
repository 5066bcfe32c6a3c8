"""The till window: lock, sale, pay and change screens, the back office, the status bar.

It only arranges screens and dialogs; every action goes through ``TillSession``
(and the back office's pages through their services on the worker pool).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.scanner.wedge import WedgeConfig

from ..app import App
from ..domain.catalog import Variant
from ..domain.users import Permission, User
from .i18n import Fmt
from .statusbar import StatusBar, SyncState
from .tasks import Tasks
from .theme import apply_theme
from .till.dialogs import (
    AmountDialog,
    CardDialog,
    CashCountDialog,
    CustomerDialog,
    DiscountDialog,
    NumberDialog,
    OverrideDialog,
    ParkedDialog,
    PriceCheckDialog,
    PriceDialog,
    ReportDialog,
    ReturnDialog,
)
from .till.lock import LockScreen
from .till.pay import DoneScreen, PayScreen
from .till.sale import SaleScreen
from .till.session import OverrideRequest, ReturnInfo, SaleDone, TillSession, user_message
from .wedge import ScanWedge
from .widgets import Banner, Toast, open_dialog

log = logging.getLogger(__name__)
# who may open the back office: anyone with at least one of its pages
BACK_OFFICE = (Permission.CATALOG, Permission.STOCK, Permission.REPORTS, Permission.SETTINGS,
               Permission.USERS, Permission.Z_REPORT)
_INPUT_EVENTS = {QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin,
                 QEvent.Type.Wheel}


class _IdleWatch(QObject):
    """Any touch, click or key press restarts the auto-lock timer. A child of the
    window: it goes (and leaves the application's filters) with the window."""

    def __init__(self, timer: QTimer, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = timer

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False


class TillWindow(QMainWindow):
    scan_routed = Signal(str)  # for tests and the benchmark: a scan reached the sale screen

    def __init__(self, app: App, sync_probe: Callable[[], SyncState],
                 settings: dict[str, Any] | None = None, kiosk: bool = False) -> None:
        super().__init__()
        self.app = app
        # kiosk: closing (the window's button, Alt+F4, Ctrl+Q) needs a manager's PIN;
        # a signal (SIGTERM from systemd) still closes it (allow_close)
        self.kiosk = kiosk
        self._close_allowed = not kiosk
        self._exit_dialog: QDialog | None = None
        s = settings if settings is not None else app.settings.all()
        self.theme = str(s.get("theme") or "light")
        self.fmt = Fmt(str(s["locale"]), app.ctx.currency)
        self.toast: Toast | None = None
        self.tasks = Tasks(self._task_failed)
        self.session = TillSession(app, self.tasks)
        self.setWindowTitle(self.tr("%1 — till %2").replace("%1", app.ctx.store_name)
                            .replace("%2", app.ctx.till_code))
        self.setObjectName("till_window")

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.status = StatusBar(self.tasks, self.fmt, sync_probe,
                                lambda: len(app.printing.pending()))
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.toast = Toast(central)

        self.lock_screen = LockScreen(self.session, app.ctx.store_name, app.ctx.till_code)
        self.sale = SaleScreen(self.session, self.fmt)
        self.pay = PayScreen(self.session, self.fmt)
        self.done = DoneScreen(self.session, self.fmt)
        for screen in (self.lock_screen, self.sale, self.pay, self.done):
            self.stack.addWidget(screen)
        self.back_office: QWidget | None = None
        self.card_dialog: CardDialog | None = None

        # signals
        s_ = self.session
        s_.error.connect(lambda m: self.notify(m, "error"))
        s_.info.connect(self._info)
        s_.override_needed.connect(self._override)
        s_.weight_needed.connect(self._ask_weight)
        s_.sale_completed.connect(self._sale_done)
        s_.return_opened.connect(self._return)
        s_.shift_changed.connect(self._shift_changed)
        s_.card_progress.connect(self._card_progress)
        s_.card_finished.connect(self._card_finished)
        s_.printed.connect(lambda run: self.notify(
            self.tr("Printed.") if not run.pending else self.tr(
                "The printer cannot print now; the report is kept and prints later."),
            "info" if not run.pending else "error"))
        self.lock_screen.logged_in.connect(self._logged_in)
        self.sale.pay_requested.connect(lambda: self.show_screen(self.pay))
        self.sale.menu_action.connect(self.menu)
        self.pay.back.connect(lambda: self.show_screen(self.sale))
        self.pay.card_requested.connect(self._card)
        self.pay.void_requested.connect(self.session.void_sale)
        self.done.next_sale.connect(self._next_sale)
        self.session.cart_changed.connect(self._cart_changed)
        self.status.sync_changed.connect(self._sync_changed)
        self.status.watch(app.devices)
        app.devices.on_scan(lambda role, scan: self.tasks.to_gui(self.route_scan, scan.data))

        self.wedge: ScanWedge | None = None
        if str(s.get("scanner_wedge") or "enter") != "off":
            # a keyboard-wedge scanner types fast and ends with Enter: such a burst is a
            # scan and its digits never land in the focused field (pos_app/ui/wedge.py)
            self.wedge = ScanWedge(WedgeConfig(suffix="\\r"), parent=self)
            self.wedge.install()
            self.wedge.scanned.connect(lambda scan: self.route_scan(scan.data))
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_lock)
        self._idle_watch = _IdleWatch(self.idle, self)
        self.set_auto_lock(int(s.get("auto_lock_minutes") or 0))
        self.show_screen(self.lock_screen)
        self.lock_screen.refresh_users()
        self.load_favourites(list(s.get("favourites") or []))
        self.tasks.run(app.catalog.tiles, 12, done=self.sale.set_categories)
        self.status.poll()
        QShortcut(QKeySequence("Ctrl+Q"), self, activated=self.close)

    # ------------------------------------------------------------------ plumbing
    def _task_failed(self, exc: BaseException) -> None:
        self.notify(user_message(exc), "error")

    def notify(self, message: str, level: str = "info") -> None:
        if self.toast is not None:
            self.toast.show_message(message, level, 6000 if level == "error" else 3000)

    def _info(self, what: str) -> None:
        words = {"paid_in": self.tr("Paid-in recorded."), "paid_out": self.tr("Paid-out recorded.")}
        self.notify(words.get(what, what))

    def show_screen(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        if screen is self.sale:
            self.sale.focus_search()
        elif screen is self.lock_screen:
            self.lock_screen.reset()

    @property
    def screen_name(self) -> str:
        return self.stack.currentWidget().objectName()

    def set_auto_lock(self, minutes: int) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._idle_watch)
        if self.wedge is not None:
            self.wedge.uninstall()
        self.idle.stop()
        if minutes > 0:
            self.idle.setInterval(minutes * 60_000)
            if app is not None:
                app.installEventFilter(self._idle_watch)

    def _idle_lock(self) -> None:
        if self.stack.currentWidget() in (self.sale, self.done) and not self.session.paying:
            self.lock()

    def load_favourites(self, skus: list[str]) -> None:
        def work() -> list[Variant]:
            found = []
            for sku in skus[:24]:
                try:
                    found.append(self.app.catalog.variant(sku))
                except Exception:
                    log.info("favourite %s is not in the catalog", sku)
            return found

        self.tasks.run(work, done=self.sale.set_favourites)

    # ------------------------------------------------------------------ login and shift
    def _logged_in(self, user: User) -> None:
        self.sale.set_cashier(user.display_name)
        self.show_screen(self.pay if self.session.paying else self.sale)
        if self.idle.interval() > 0 and QApplication.instance() is not None:
            self.idle.start()

    def lock(self) -> None:
        self.session.lock()
        self.idle.stop()
        self.show_screen(self.lock_screen)
        self.lock_screen.refresh_users()

    def _shift_changed(self, shift: Any) -> None:
        if shift is None and self.session.user is not None and \
                self.stack.currentWidget() is not self.lock_screen:
            self._ask_open_shift()

    def _ask_open_shift(self) -> None:
        self.ask(AmountDialog(self, self.tr("Open the shift: count the float in the drawer"),
                              self.fmt.currency, reason=False, start=0),
                 lambda d: self.session.open_shift(d.amount), "open_shift_dialog")

    # ------------------------------------------------------------------ scans
    def route_scan(self, code: str) -> None:
        """A scanner read from any scanner: where it goes depends on the screen."""
        from .backoffice.parts import ItemEntry

        current = self.stack.currentWidget()
        modal = QApplication.activeModalWidget()
        if isinstance(modal, PriceCheckDialog):
            modal.check(code)
            return
        in_back_office = self.back_office is not None and current is self.back_office
        where = modal if modal is not None else (
            self.back_office.pages.currentWidget() if in_back_office  # type: ignore[union-attr]
            else None)
        if where is not None:  # a stock count, a transfer or an order line takes the code
            entry = next((e for e in where.findChildren(ItemEntry) if e.isVisible()), None)
            if entry is not None:
                entry.scanned(code)
            elif modal is not None:
                self.notify(self.tr("Close the open window before scanning."), "error")
            else:
                self.notify(self.tr("Go back to the till to sell."), "error")
            return
        if current is self.lock_screen:
            self.notify(self.tr("Log in first."), "error")
            return
        if current is self.done:
            self._next_sale()
        if self.stack.currentWidget() is self.pay:
            self.notify(self.tr("Finish the payment first."), "error")
            return
        self.sale.scan(code)
        self.scan_routed.emit(code)

    # ------------------------------------------------------------------ sale screen menu
    def ask(self, dlg: QDialog, on_accept: Callable[[Any], None] | None = None,
            name: str | None = None) -> QDialog:
        return open_dialog(dlg, on_accept, name)

    def menu(self, action: str) -> None:
        s, ln = self.session, self.sale.selected_line()
        cur = self.fmt.currency
        if action == "customer":
            self.ask(CustomerDialog(self, s, self.fmt), name="customer_dialog")
        elif action == "qty" and ln is not None:
            self.ask(NumberDialog(self, self.tr("Quantity"), ln.name, self.fmt.qty(ln.qty)),
                     lambda d: self._set_qty(ln.key, d.value), "qty_dialog")
        elif action == "line_discount" and ln is not None:
            self.ask(DiscountDialog(self, self.tr("Discount on %1").replace("%1", ln.name), cur),
                     lambda d: s.line_discount(ln.key, d.discount), "discount_dialog")
        elif action == "order_discount":
            self.ask(DiscountDialog(self, self.tr("Discount on the whole sale"), cur),
                     lambda d: s.order_discount(d.discount), "discount_dialog")
        elif action == "line_price" and ln is not None:
            self.ask(PriceDialog(self, self.fmt, ln.name, ln.unit_price),
                     lambda d: s.override_price(ln.key, d.price), "price_dialog")
        elif action == "park":
            s.park()
        elif action == "resume":
            self.ask(ParkedDialog(self, s, self.fmt), name="parked_dialog")
        elif action == "return":
            dlg = NumberDialog(self, self.tr("Return"), self.tr(
                "Scan the receipt's code or type its number"), "", True)
            dlg.edit.setPlaceholderText("S1-T1-000001")
            self.ask(dlg, lambda d: s.open_return(d.edit.text().strip()), "receipt_dialog")
        elif action == "price_check":
            self.ask(PriceCheckDialog(self, s, self.fmt), name="price_check_dialog")
        elif action == "no_sale":
            s.no_sale(self.tr("no sale"))
        elif action == "reprint":
            if s.last_sale is None:
                self.notify(self.tr("No sale on this till since it started."), "error")
            else:
                s.reprint(s.last_sale.receipt_no)
        elif action == "void":
            s.void_sale()
        elif action in ("paid_in", "paid_out"):
            title = self.tr("Paid in") if action == "paid_in" else self.tr("Paid out")
            self.ask(AmountDialog(self, title, cur), lambda d: s.cash_movement(
                action, d.amount, d.reason.text().strip()), "cash_movement_dialog")
        elif action == "x_report":
            s.x_report(lambda r: self._show_report(self.tr("X report"), r))
        elif action == "close_shift":
            self._close_shift()
        elif action == "back_office":
            self.open_back_office()
        elif action == "theme":
            self.theme = "dark" if self.theme == "light" else "light"
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, self.theme)
        elif action == "lock":
            self.lock()

    def _set_qty(self, key: str, text: str) -> None:
        try:
            qty = Decimal(text)
        except ArithmeticError:
            self.notify(self.tr("Enter a number."), "error")
            return
        self.session.set_qty(key, qty)

    def _show_report(self, title: str, report: dict[str, Any]) -> None:
        from ..services.shifts import report_text

        dlg = ReportDialog(self, title, report_text(report))
        dlg.print_requested.connect(lambda: self.session.print_report(report))
        self.ask(dlg, name="report_dialog")

    def _close_shift(self) -> None:
        def counted(x: dict[str, Any]) -> None:
            expected = {t["tender"]: t["expected"] for t in x.get("tenders", [])
                        if t.get("expected") is not None and t["tender"] != "cash"}
            self.ask(CashCountDialog(self, self.fmt, expected, tuple(expected) or ("card",)),
                     lambda d: self.session.close_shift(d.counted, lambda z: self._show_report(
                         self.tr("Z report"), z)), "cash_count_dialog")

        self.session.x_report(counted)

    # ------------------------------------------------------------------ session events
    def _cart_changed(self, view: Any) -> None:
        if self.stack.currentWidget() is self.pay and view.empty and not view.payments:
            self.show_screen(self.sale)  # voided

    def _override(self, request: OverrideRequest) -> None:
        self.ask(OverrideDialog(self, self.session, request), name="override_dialog")

    def _ask_weight(self, variant: Variant) -> None:
        def weighed(dlg: NumberDialog) -> None:
            try:
                self.session.add_weighed(variant.sku, Decimal(dlg.value))
            except ArithmeticError:
                self.notify(self.tr("Enter the weight in kg, e.g. 0.5"), "error")

        self.ask(NumberDialog(self, self.tr("Weight"), self.tr(
            "No stable reading from the scale. Weight of %1 in kg:").replace("%1", variant.name)),
            weighed, "weight_dialog")

    def _sale_done(self, done: SaleDone) -> None:
        self.done.show_done(done)
        self.show_screen(self.done)

    def _next_sale(self) -> None:
        self.show_screen(self.sale)

    def _return(self, info: ReturnInfo) -> None:
        self.ask(ReturnDialog(self, self.session, self.fmt, info), name="return_dialog")

    def _card(self, amount: int | None) -> None:
        view = self.session.view
        shown = amount if amount is not None else max(view.remaining, 0)
        self.card_dialog = CardDialog(self, self.fmt.money(shown))
        self.card_dialog.cancel_requested.connect(self.session.cancel_card)
        self.ask(self.card_dialog, name="card_dialog")
        self.session.pay_card(amount)

    def _card_progress(self, stage: str, message: str) -> None:
        if self.card_dialog is not None:
            self.card_dialog.progress(stage, message)

    def _card_finished(self, approved: bool) -> None:
        if self.card_dialog is not None:
            self.card_dialog.done(QDialog.DialogCode.Accepted if approved
                                  else QDialog.DialogCode.Rejected)
            self.card_dialog = None

    def _sync_changed(self, state: SyncState) -> None:
        if state.configured and state.offline:
            self.banner.show_message(self.tr(
                "Offline: the back office cannot be reached. Keep selling — sales are saved "
                "on this till and sent when the connection is back."), "error")
        elif state.problem:
            self.banner.show_message(state.problem, "warning")
        else:
            self.banner.clear()

    # ------------------------------------------------------------------ back office
    def open_back_office(self) -> None:
        user = self.session.user
        if user is None or not any(user.can(p) for p in BACK_OFFICE):
            self.notify(self.tr("The back office is for managers: log in as a manager."),
                        "error")
            return
        if self.back_office is None:
            from .backoffice.window import BackOffice

            self.back_office = BackOffice(self.app, self.tasks, self.fmt, self.session)
            self.back_office.closed.connect(lambda: self.show_screen(self.sale))  # type: ignore[attr-defined]
            self.stack.addWidget(self.back_office)
        self.back_office.set_user(user)  # type: ignore[attr-defined]
        self.show_screen(self.back_office)

    # ------------------------------------------------------------------ shutdown
    def allow_close(self) -> None:
        """The next close goes through (a signal from systemd, a manager's approval)."""
        self._close_allowed = True

    def _ask_kiosk_exit(self) -> None:
        if self._exit_dialog is not None and self._exit_dialog.isVisible():
            return

        def approved(_grant: Any) -> None:
            log.info("kiosk till closed with a manager's approval")
            self.allow_close()
            self.close()

        request = OverrideRequest("kiosk_exit", self.tr(
            "Only a manager can close the till."), approved)
        dialog = self.ask(OverrideDialog(self, self.session, request),
                          name="kiosk_exit_dialog")
        dialog.finished.connect(lambda _code: setattr(self, "_exit_dialog", None))
        self._exit_dialog = dialog

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.paying and self.session.view.payments:
            self.notify(self.tr("Finish the payment before closing the till."), "error")
            event.ignore()
            return
        if not self._close_allowed:
            event.ignore()
            self._ask_kiosk_exit()
            return
        self.status._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._idle_watch)
        if self.wedge is not None:
            self.wedge.uninstall()
        self.idle.stop()
        self.tasks.close(wait=True)
        super().closeEvent(event)

