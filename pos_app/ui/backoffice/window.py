"""The back office: a list of pages on the left, the page on the right.

Pages load their data through services on the worker pool and never block the
event loop; a page is built the first time it is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...app import App
from ...domain.users import Permission, User
from ..i18n import Fmt
from ..tasks import Tasks
from ..theme import icon
from ..till.session import TillSession
from ..widgets import button
from .page import PageContext

PageFactory = Callable[[], QWidget]


class BackOffice(QWidget):
    closed = Signal()

    def __init__(self, app: App, tasks: Tasks, fmt: Fmt, session: TillSession) -> None:
        super().__init__()
        self.setObjectName("back_office")
        self.app, self.tasks, self.fmt, self.session = app, tasks, fmt, session
        self.user: User | None = None
        root = QHBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        side = QVBoxLayout()
        side.setContentsMargins(8, 8, 8, 8)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(230)
        side.addWidget(self.nav, 1)
        side.addWidget(button(self.tr("Back to the till"), "primary", "back",
                              clicked=self.closed.emit, name="back_to_till"))
        root.addLayout(side)
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        self.ctx = PageContext(app, tasks, fmt)
        self._factories: list[tuple[str, PageFactory, Permission]] = []
        self._built: dict[int, QWidget] = {}
        self.nav.currentRowChanged.connect(self._open)
        self._register_pages()

    def _register_pages(self) -> None:
        """Pages in the order a manager uses them."""
        from .customers import CustomersPage
        from .hardware import HardwarePage
        from .products import ProductsPage
        from .purchasing import PurchasingPage
        from .reports import ReportsPage
        from .settings import SettingsPage
        from .shifts import ShiftsPage
        from .stock import StockPage
        from .sync_monitor import SyncPage
        from .users import UsersPage

        self.add_page("products", self.tr("Products"), "box",
                      lambda: ProductsPage(self.ctx), Permission.CATALOG)
        self.add_page("stock", self.tr("Stock"), "stock",
                      lambda: StockPage(self.ctx), Permission.STOCK)
        self.add_page("purchasing", self.tr("Purchasing"), "truck",
                      lambda: PurchasingPage(self.ctx), Permission.STOCK)
        self.add_page("customers", self.tr("Customers"), "customer",
                      lambda: CustomersPage(self.ctx), Permission.CUSTOMERS)
        self.add_page("users", self.tr("Users"), "users",
                      lambda: UsersPage(self.ctx), Permission.USERS)
        self.add_page("shifts", self.tr("Shifts"), "clock",
                      lambda: ShiftsPage(self.ctx), Permission.Z_REPORT)
        self.add_page("reports", self.tr("Reports"), "chart",
                      lambda: ReportsPage(self.ctx), Permission.REPORTS)
        self.add_page("settings", self.tr("Settings"), "settings",
                      lambda: SettingsPage(self.ctx), Permission.SETTINGS)
        self.add_page("hardware", self.tr("Hardware"), "printer",
                      lambda: HardwarePage(self.ctx), Permission.SETTINGS)
        self.add_page("sync", self.tr("Sync"), "sync",
                      lambda: SyncPage(self.ctx), Permission.SETTINGS)

    def add_page(self, key: str, title: str, icon_name: str, factory: PageFactory,
                 permission: Permission) -> None:
        item = QListWidgetItem(icon(icon_name), title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        self._factories.append((key, factory, permission))

    def set_user(self, user: User) -> None:
        self.user = user
        self.ctx.user = user
        for row, (_key, _f, permission) in enumerate(self._factories):
            self.nav.item(row).setHidden(not user.can(permission))
        first = next((r for r in range(self.nav.count()) if not self.nav.item(r).isHidden()), -1)
        if self.nav.currentRow() < 0 or self.nav.item(self.nav.currentRow()).isHidden():
            self.nav.setCurrentRow(first)

    def open_page(self, key: str) -> Any:
        row = next(i for i, (k, _f, _p) in enumerate(self._factories) if k == key)
        self.nav.setCurrentRow(row)
        return self._built[row]

    def _open(self, row: int) -> None:
        if row < 0:
            return
        if row not in self._built:
            page = self._factories[row][1]()
            self._built[row] = page
            self.pages.addWidget(page)
        page = self._built[row]
        self.pages.setCurrentWidget(page)
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()
