"""The cash drawer: opened for cash sales and audited no-sales, watched for staying open."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.errors import StateError
from ..domain.sale import CompletedSale
from ..domain.users import User
from .auth import OverrideGrant
from .ports import CashDrawer, DeviceUnavailable
from .settings import SettingsService
from .shifts import ShiftService

log = logging.getLogger(__name__)


class DrawerOpen(StateError):
    """The drawer sensor says open and the shop wants it closed before the next sale."""


@dataclass(slots=True)
class DrawerService:
    settings: SettingsService
    shifts: ShiftService
    drawer: Callable[[], CashDrawer | None]

    def open_for_sale(self, sale: CompletedSale) -> bool:
        """Open when cash moved (taken, given as change or refunded). The sale is already
        committed, so a drawer failure is reported, not raised."""
        if not any(p.tender == "cash" and (p.tendered or p.change) for p in sale.payments):
            return False
        return self._open()

    def no_sale(self, user: User, reason: str = "",
                grant: OverrideGrant | None = None) -> bool:
        """Open without a sale: needs the no-sale permission; recorded before it opens."""
        self.shifts.cash_movement(user, "no_sale", 0, reason or "no sale", grant)
        return self._open()

    def ensure_closed(self) -> None:
        if not self.settings.all()["require_drawer_closed"]:
            return
        drawer = self.drawer()
        if drawer is None:
            return
        try:
            state = drawer.is_open()
        except DeviceUnavailable as exc:
            log.warning("drawer sensor unreadable: %s", exc)
            return  # a broken sensor must not stop the shop; the status bar shows it
        if state:
            raise DrawerOpen("close the cash drawer before starting the next sale")

    def _open(self) -> bool:
        drawer = self.drawer()
        if drawer is None:
            return False
        try:
            drawer.open_drawer()
        except DeviceUnavailable as exc:
            log.warning("cash drawer did not open: %s", exc)
            return False
        return True
