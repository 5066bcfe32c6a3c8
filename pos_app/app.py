"""Composition root: the one place that wires persistence, services and drivers together."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from sync.connectors.base import ConfigError
from sync.engine import Connector, SyncEngine
from sync.registry import connector_type
from sync.secrets import KeyringSecrets

from .domain.errors import StateError, ValidationError
from .domain.ids import new_id_str
from .domain.money import currency as lookup_currency
from .domain.pricing import TaxMode
from .domain.store import TillContext
from .domain.users import Role
from .paths import backup_dir, data_dir, db_path
from .persistence.catalog_reader import SqliteCatalogReader, StoreCatalogReader
from .persistence.checkpoint import WalCheckpointer
from .persistence.db import SessionFactory, make_engine
from .persistence.migrate import upgrade
from .persistence.store import SqlStore
from .persistence.sync_store import SqlSyncStore
from .services.audit import AuditService
from .services.auth import AuthService, new_user
from .services.catalog import CatalogService, new_tax_category
from .services.checkout import CheckoutService
from .services.customers import CustomerService
from .services.ports import CatalogReader, PaymentTerminal, TerminalResult
from .services.returns import ReturnService
from .services.settings import SettingsService
from .services.shifts import ShiftService
from .services.stock import StockService

log = logging.getLogger(__name__)
TERMINAL_GROUP = "pos_app.payment_terminals"


class TerminalAdapter:
    """Turns a driver's result objects into the service layer's ``TerminalResult``."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self.name: str = driver.name

    def charge(self, amount: int, currency: str, reference: str,
               on_progress: Any = None) -> TerminalResult:
        r = self._driver.charge(amount, currency, reference)
        return TerminalResult("approved" if r.approved else "declined", r.provider_ref,
                              r.message or "")

    def refund(self, amount: int, currency: str, provider_ref: str,
               reference: str) -> TerminalResult:
        r = self._driver.refund(amount, currency, provider_ref, reference)
        return TerminalResult("approved" if r.approved else "declined", r.provider_ref,
                              r.message or "")

    def cancel(self, reference: str) -> bool:
        return False

    def capture(self, provider_ref: str, amount: int, reference: str) -> TerminalResult:
        return TerminalResult("approved", provider_ref)

    def void(self, provider_ref: str, reference: str) -> TerminalResult:
        return TerminalResult("approved", provider_ref)

    def recover(self, reference: str) -> TerminalResult:
        r = self._driver._seen.get(reference)
        if r is None:
            return TerminalResult("unknown", None)
        return TerminalResult("approved" if r.approved else "declined", r.provider_ref)


def load_terminal(name: str) -> PaymentTerminal:
    """Find a payment-terminal driver by entry-point name (third parties can add their own)."""
    found = {ep.name: ep for ep in entry_points(group=TERMINAL_GROUP)}
    if name not in found:
        raise ValidationError(f"unknown card terminal {name!r}; installed: "
                              f"{', '.join(sorted(found)) or 'none'}")
    return TerminalAdapter(found[name].load()())


@dataclass
class App:
    data_dir: Path
    engine: Engine
    store: SqlStore
    ctx: TillContext
    auth: AuthService
    settings: SettingsService
    catalog: CatalogService
    checkout: CheckoutService
    returns: ReturnService
    shifts: ShiftService
    stock: StockService
    customers: CustomerService
    audit: AuditService

    checkpointer: WalCheckpointer | None = None

    def close(self) -> None:
        self.checkout.reader.close()
        self.engine.dispose()
        if self.checkpointer is not None:
            self.checkpointer.stop()


def open_database(directory: str | Path | None = None, migrate: bool = True,
                  auto_checkpoint: bool = True) -> tuple[Path, Engine, SqlStore]:
    base = data_dir(directory)
    engine = make_engine(db_path(base), auto_checkpoint)
    if migrate:
        try:
            upgrade(engine, db_path(base), backup_dir(base))
        except BaseException:
            engine.dispose()
            raise
    return base, engine, SqlStore(SessionFactory(engine))


def _wire(base: Path, engine: Engine, store: SqlStore, ctx: TillContext,
          terminal: PaymentTerminal | None) -> App:
    checkpointer = None
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0:
                checkpointer = WalCheckpointer(db_path(base))
                checkpointer.start()
    auth = AuthService(store, ctx)
    settings = SettingsService(store, ctx, auth)
    reader: CatalogReader = (SqliteCatalogReader(db_path(base))
                             if engine.dialect.name == "sqlite" else StoreCatalogReader(store))
    checkout = CheckoutService(store, ctx, auth, settings, reader, terminal)
    return App(base, engine, store, ctx, auth, settings,
               CatalogService(store, ctx, auth, reader),
               checkout, ReturnService(store, auth, checkout), ShiftService(store, ctx, auth),
               StockService(store, ctx, auth), CustomerService(store, ctx, auth),
               AuditService(store), checkpointer)


def open_app(directory: str | Path | None = None, terminal: str | None = "sim") -> App:
    base, engine, store = open_database(directory, auto_checkpoint=False)
    with store.tx() as tx:
        ctx = tx.till_context()
    if ctx is None:
        engine.dispose()
        raise StateError(f"no store in {base}: run `pos init` (or `pos demo-data`) first")
    return _wire(base, engine, store, ctx, load_terminal(terminal) if terminal else None)


def init_store(directory: str | Path | None, *, store_name: str, store_code: str,
               till_code: str, currency: str, tax_mode: str, admin_user: str, admin_pin: str,
               taxes: list[tuple[str, str, str]], terminal: str | None = "sim") -> App:
    """Create the store, this till, its location, settings and first admin: all or nothing.

    Everything is validated before the database is touched, then written in one
    transaction, so bad input leaves no half-made store behind.
    """
    cur = lookup_currency(currency)
    try:
        mode = TaxMode(tax_mode)
    except ValueError as exc:
        raise ValidationError("tax mode is 'inclusive' or 'exclusive'") from exc
    for label, code in (("store code", store_code), ("till code", till_code)):
        if not re.match(r"^[A-Za-z0-9]{1,16}$", code):
            raise ValidationError(f"a {label} is 1-16 letters or digits")
    if not store_name.strip():
        raise ValidationError("the store needs a name")
    admin, pin_hash = new_user(admin_user, admin_user.capitalize(), Role.ADMIN, admin_pin)
    categories = [new_tax_category(code, name, rate) for code, name, rate in taxes]
    if len({t.code for t in categories}) != len(categories):
        raise ValidationError("tax category codes must be unique")
    driver = load_terminal(terminal) if terminal else None
    base, engine, store = open_database(directory, auto_checkpoint=False)
    ctx = TillContext(new_id_str(), store_code, store_name.strip(), new_id_str(), till_code,
                      new_id_str(), cur.code)
    try:
        with store.tx(write=True) as tx:
            if tx.till_context() is not None:
                raise StateError(f"{base} already holds a store")
            tx.create_store(ctx, "MAIN", f"{ctx.store_name} shop floor")
            tx.set_setting("tax_mode", mode.value)
            tx.add_user(admin, pin_hash)
            for tax in categories:
                tx.add_tax_category(tax)
            tx.append_audit(ctx.till_id, None, "store_initialised", store_code, {
                "till": till_code, "currency": cur.code, "tax_mode": mode.value,
                "admin": admin_user, "taxes": {t.code: str(t.rate) for t in categories}})
            tx.commit()
    except BaseException:
        engine.dispose()
        raise
    log.info("initialised store %s till %s in %s", store_code, till_code, base)
    return _wire(base, engine, store, ctx, driver)


def sync_store(app: App) -> SqlSyncStore:
    return SqlSyncStore(app.store, app.ctx.till_id)


def secret_store(app: App) -> KeyringSecrets:
    """The OS keyring, or a file only the owner can read when there is none."""
    use_keyring = os.environ.get("POS_SECRETS") != "file"
    return KeyringSecrets(app.data_dir / "secrets.json", use_keyring=use_keyring)


def build_sync_engine(app: App, only: str | None = None) -> SyncEngine:
    """Connectors from the store's configuration, their types from entry points."""
    secrets = secret_store(app)
    store = sync_store(app)
    connectors: dict[str, Connector] = {}
    tax_codes = [t.code for t in app.catalog.tax_categories()]
    for config in store.connectors():
        if config.enabled and (only is None or config.name == only):
            connector = connector_type(config.type)(config, secrets)
            missing = connector.check_mapping(tax_codes) if hasattr(
                connector, "check_mapping") else []
            if missing:  # refuse to start rather than dead-letter every sale
                raise ConfigError(f"connector {config.name} has unmapped values: "
                                  f"{', '.join(missing)}; add them with "
                                  "`pos sync connector remove` and `add … --set KEY=VALUE`")
            connectors[config.name] = connector
    return SyncEngine(store, connectors)
