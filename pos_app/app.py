"""Composition root: the one place that wires persistence, services and drivers together."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine

from drivers.errors import DeviceError
from drivers.kinds import DeviceKind
from drivers.registry import find_driver
from drivers.url import parse_device_url
from sync.alerts import AlertSender
from sync.connectors.base import ConfigError
from sync.engine import Connector, SyncEngine
from sync.inbound import InboundPoller, can_pull
from sync.model import ConnectorConfig
from sync.ports import Puller, SecretStore
from sync.registry import connector_type
from sync.secrets import KeyringSecrets
from sync.tuning import tuning

from .domain.devices import DeviceEntry
from .domain.errors import StateError, ValidationError
from .domain.ids import new_id_str
from .domain.money import currency as lookup_currency
from .domain.pricing import TaxMode
from .domain.store import TillContext
from .domain.users import Role
from .hardware.manager import DeviceManager
from .hardware.print_worker import PrintWorker
from .paths import backup_dir, data_dir, db_path
from .persistence.catalog_reader import SqliteCatalogReader, StoreCatalogReader
from .persistence.checkpoint import WalCheckpointer
from .persistence.db import SessionFactory, make_engine
from .persistence.inbound_store import SqlInboundStore
from .persistence.migrate import upgrade
from .persistence.store import SqlStore
from .persistence.sync_store import SqlSyncStore
from .services.audit import AuditService
from .services.auth import AuthService, new_user
from .services.card_payments import AttemptJournal
from .services.catalog import CatalogService, new_tax_category
from .services.catalog_admin import CatalogAdminService
from .services.checkout import CheckoutService
from .services.customers import CustomerService
from .services.drawer import DrawerService
from .services.hardware import HardwareService
from .services.inventory import InventoryService
from .services.people import PeopleService
from .services.ports import CatalogReader
from .services.printing import PrintService
from .services.purchasing import PurchasingService
from .services.reports import ReportService
from .services.returns import ReturnService
from .services.settings import SettingsService
from .services.shifts import ShiftService
from .services.stock import StockService
from .services.sync_admin import SyncAdminService

log = logging.getLogger(__name__)
SIM_TERMINAL = "sim://terminal"


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
    printing: PrintService
    drawer: DrawerService
    hardware: HardwareService
    devices: DeviceManager
    print_worker: PrintWorker

    checkpointer: WalCheckpointer | None = None
    # back office (built from the services above in __post_init__)
    catalog_admin: CatalogAdminService = field(init=False)
    inventory: InventoryService = field(init=False)
    purchasing: PurchasingService = field(init=False)
    reports: ReportService = field(init=False)
    people: PeopleService = field(init=False)

    def __post_init__(self) -> None:
        self.catalog_admin = CatalogAdminService(self.store, self.ctx, self.auth)
        self.inventory = InventoryService(self.store, self.ctx, self.auth)
        self.purchasing = PurchasingService(self.store, self.ctx, self.auth)
        self.reports = ReportService(self.store, self.ctx, self.auth, self.settings)
        self.people = PeopleService(self.store, self.ctx, self.auth)

    def close(self) -> None:
        self.print_worker.stop()
        self.devices.close()
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
          terminal: str | None, hardware: bool = False,
          overrides: dict[str, str] | None = None) -> App:
    """Build services and devices. ``hardware`` starts the till's profile; ``terminal``
    (a device URL) is the card terminal when the profile has none (``sim`` = built-in);
    ``overrides`` replaces or adds devices by role, e.g. ``{"printer": "tcp://…"}``."""
    checkpointer = None
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0:
                checkpointer = WalCheckpointer(db_path(base))
                checkpointer.start()
    auth = AuthService(store, ctx)
    settings = SettingsService(store, ctx, auth)
    hardware_service = HardwareService(store, ctx, auth, check_device_entry)
    devices = DeviceManager(_entries(hardware_service, terminal, hardware, overrides or {}),
                            device_secrets(base).get, AttemptJournal(store))
    started = devices.start()
    if "terminal" in started:  # card payments need it; it starts at once (no I/O yet)
        try:
            started["terminal"].result(10)
        except Exception as exc:
            log.warning("card terminal did not start: %s", exc)
    reader: CatalogReader = (SqliteCatalogReader(db_path(base))
                             if engine.dialect.name == "sqlite" else StoreCatalogReader(store))
    checkout = CheckoutService(store, ctx, auth, settings, reader, devices.terminal())
    shifts = ShiftService(store, ctx, auth)
    printing = PrintService(store, ctx, auth, settings, devices.printer, receipt_template)
    return App(base, engine, store, ctx, auth, settings,
               CatalogService(store, ctx, auth, reader),
               checkout, ReturnService(store, auth, checkout), shifts,
               StockService(store, ctx, auth), CustomerService(store, ctx, auth),
               AuditService(store), printing,
               DrawerService(settings, shifts, devices.drawer), hardware_service, devices,
               PrintWorker(printing), checkpointer)


def _entries(hardware: HardwareService, terminal: str | None, use_profile: bool,
             overrides: dict[str, str]) -> list[DeviceEntry]:
    entries = {e.role: e for e in hardware.profile()} if use_profile else {}
    if terminal and "terminal" not in entries:
        url = SIM_TERMINAL if terminal == "sim" else terminal
        entries["terminal"] = DeviceEntry("terminal", "terminal", url)
    for role, url in overrides.items():
        kind = re.sub(r"\d+$", "", role)
        old = entries.get(role)
        same = old is not None and old.url.split(":", 1)[0] == url.split(":", 1)[0]
        entries[role] = check_device_entry(DeviceEntry(  # a typo fails here, in one line
            role, kind, url, old.driver if same and old else None,
            old.settings if same and old else {}))
    return list(entries.values())


def device_secrets(base: Path) -> KeyringSecrets:
    """Device secrets share the keyring (or its owner-only file) with sync connectors."""
    use_keyring = os.environ.get("POS_SECRETS") != "file"
    return KeyringSecrets(base / "secrets.json", use_keyring=use_keyring)


def check_device_entry(entry: DeviceEntry) -> DeviceEntry:
    """Validate a hardware-profile entry against the installed drivers."""
    try:
        url = parse_device_url(entry.url)
        driver = find_driver(DeviceKind(entry.kind), url, entry.driver)
        settings = driver.settings_for(entry.settings)
    except DeviceError as exc:
        raise ValidationError(str(exc)) from None
    secret = [k for k in driver.secret_keys() if entry.settings.get(k)]
    if secret:
        raise ValidationError("{keys} is a secret: store it with `pos devices secret` (it goes to "
                              "the OS keyring)", keys=", ".join(secret))
    return DeviceEntry(entry.role, entry.kind, entry.url, driver.name,
                       {k: v for k, v in settings.items() if k in entry.settings},
                       entry.enabled)


def receipt_template_for(locale: str) -> str:
    """The template in ``resources/receipts`` named after the locale's language ("de" for
    de_DE), else "default" (English)."""
    lang = locale.split("_")[0].split("-")[0].lower()
    found = files("resources").joinpath("receipts", f"{lang}.toml")
    return lang if lang.isalpha() and found.is_file() else "default"


def receipt_template(name: str) -> str:
    """A template by name from ``resources/receipts``, or a path to a .toml file."""
    if name.endswith(".toml") or os.sep in name:
        path = Path(name).expanduser()
        if not path.is_file():
            raise ValidationError("receipt template {path} does not exist", path=path)
        return path.read_text(encoding="utf-8")
    found = files("resources").joinpath("receipts", f"{name}.toml")
    if not found.is_file():
        raise ValidationError("no receipt template called {name!r}", name=name)
    return found.read_text(encoding="utf-8")


def open_app(directory: str | Path | None = None, terminal: str | None = "sim",
             hardware: bool = False, overrides: dict[str, str] | None = None) -> App:
    base, engine, store = open_database(directory, auto_checkpoint=False)
    with store.tx() as tx:
        ctx = tx.till_context()
    if ctx is None:
        engine.dispose()
        raise StateError("no store in {base}: run `pos init` (or `pos demo-data`) first", base=base)
    return _wire(base, engine, store, ctx, terminal, hardware, overrides)


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
    if not re.match(r"^[A-Za-z0-9]{1,16}$", store_code):
        raise ValidationError("a store code is 1-16 letters or digits")
    if not re.match(r"^[A-Za-z0-9]{1,16}$", till_code):
        raise ValidationError("a till code is 1-16 letters or digits")
    if not store_name.strip():
        raise ValidationError("the store needs a name")
    admin, pin_hash = new_user(admin_user, admin_user.capitalize(), Role.ADMIN, admin_pin)
    categories = [new_tax_category(code, name, rate) for code, name, rate in taxes]
    if len({t.code for t in categories}) != len(categories):
        raise ValidationError("tax category codes must be unique")
    base, engine, store = open_database(directory, auto_checkpoint=False)
    ctx = TillContext(new_id_str(), store_code, store_name.strip(), new_id_str(), till_code,
                      new_id_str(), cur.code)
    try:
        with store.tx(write=True) as tx:
            if tx.till_context() is not None:
                raise StateError("{base} already holds a store", base=base)
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
    return _wire(base, engine, store, ctx, terminal)


def sync_store(app: App) -> SqlSyncStore:
    return SqlSyncStore(app.store, app.ctx.till_id)


def secret_store(app: App) -> KeyringSecrets:
    """The OS keyring, or a file only the owner can read when there is none."""
    return device_secrets(app.data_dir)


def open_sync_connector(app: App, config: ConnectorConfig, check: bool = True,
                        secrets: SecretStore | None = None) -> Connector:
    """One connector from its configuration: engine settings parsed, POS items bound, and
    (``check``) its mapping complete, else a ConfigError listing what is missing."""
    tuning(config.settings)  # a bad rate_limit or retry setting fails here, by name
    connector: Any = connector_type(config.type)(config, secrets or secret_store(app))
    if hasattr(connector, "bind"):  # connectors that map POS items to their own
        connector.bind(inbound_store(app))
    if check and hasattr(connector, "check_mapping"):
        missing = connector.check_mapping([t.code for t in app.catalog.tax_categories()])
        if missing:  # refuse to start rather than dead-letter every sale
            connector.close()
            raise ConfigError(f"connector {config.name} has unmapped values: "
                              f"{', '.join(missing)}; add them with `pos sync connector "
                              f"set {config.name} --set KEY=VALUE`")
    return cast(Connector, connector)


def sync_admin(app: App) -> SyncAdminService:
    """Health, dead letters, retry/skip and connector settings for the back office."""
    return SyncAdminService(sync_store(app), secret_store(app), app.auth,
                            lambda config, secrets: open_sync_connector(app, config,
                                                                        secrets=secrets))


def build_sync_engine(app: App, only: str | None = None) -> SyncEngine:
    """Connectors from the store's configuration, their types from entry points; the
    service rebuilds one whose settings change and picks up added and removed ones."""
    store = sync_store(app)
    configs = {c.name: c for c in store.connectors()
               if c.enabled and only in (None, c.name)}
    connectors: dict[str, Connector] = {}
    try:
        for name, config in configs.items():
            connectors[name] = open_sync_connector(app, config)
    except BaseException:
        for connector in connectors.values():
            connector.close()
        raise

    def alerts(config: ConnectorConfig) -> AlertSender | None:
        url = tuning(config.settings).alert_url
        return AlertSender(url, secret_store(app).get(config.name, "alert_secret")) \
            if url else None

    return SyncEngine(store, connectors, configs=configs,
                      factory=lambda config: open_sync_connector(app, config),
                      alert_sender=alerts, only=only)


def inbound_store(app: App) -> SqlInboundStore:
    """The POS's items for connectors' mappings, and where pulled changes are applied."""
    return SqlInboundStore(app.store, app.ctx, app.ctx.till_id)


def build_inbound_poller(app: App, engine: SyncEngine) -> InboundPoller:
    """Pulls through the engine's own connector objects, those that can pull."""
    pullers = {n: cast(Puller, c) for n, c in engine.connectors.items() if can_pull(c)}
    return InboundPoller(inbound_store(app), pullers, {
        n: float(getattr(c, "pull_interval_s", 30)) for n, c in pullers.items()})
