"""``SqlStore`` implements the services' ``Store`` port on SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .db import SessionFactory
from .repos.catalog import CatalogRepo
from .repos.catalog_admin import CatalogAdminRepo
from .repos.devices import DevicesRepo
from .repos.inventory import InventoryRepo
from .repos.journal import JournalRepo
from .repos.people import PeopleRepo
from .repos.people_admin import PeopleAdminRepo
from .repos.purchasing import PurchasingRepo
from .repos.reports import ReportsRepo
from .repos.sales import SalesRepo
from .repos.settings import SettingsRepo
from .repos.shifts import ShiftRepo
from .repos.stock import StockRepo
from .repos.sync import SyncRepo


class SqlTx(SettingsRepo, CatalogRepo, PeopleRepo, SalesRepo, StockRepo, ShiftRepo, JournalRepo,
            SyncRepo, DevicesRepo, CatalogAdminRepo, InventoryRepo, PurchasingRepo, ReportsRepo,
            PeopleAdminRepo):
    """One database transaction; everything written through it commits or rolls back together."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def commit(self) -> None:
        self.session.commit()
        self._conn = None  # the next statement, if any, begins a new transaction


class _TxContext:
    def __init__(self, factory: SessionFactory, write: bool) -> None:
        self._factory, self._write = factory, write
        self._session: Session | None = None

    def __enter__(self) -> SqlTx:
        self._session = self._factory(write=self._write)
        return SqlTx(self._session)

    def __exit__(self, *exc: object) -> None:
        assert self._session is not None
        try:
            self._session.rollback()  # no-op after commit; undoes anything uncommitted
        finally:
            self._session.close()


class SqlStore:
    def __init__(self, factory: SessionFactory) -> None:
        self.factory = factory

    def tx(self, write: bool = False) -> _TxContext:
        return _TxContext(self.factory, write)
