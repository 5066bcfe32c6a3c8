"""First-run wizard: from an empty data directory to a till that can sell.

``pos till`` shows it when the data directory holds no store. Pages: the shop (name,
store and till codes, language), money (currency, tax mode, tax rates), the first admin
(PIN twice), hardware (detection, an address typed in, a test button per device, reusing
``pos_app/hardware/setup.py``), products (an optional catalog CSV) and sync (an optional
signed webhook). Nothing is written until *Create the store*: then, on a worker thread,
everything is checked first and the store is made by one ``init_store`` call (all or
nothing); devices, the connector, the language and the products follow, each in its
own transaction, and anything among them that fails is named (the store stays, and
that part can be done in the back office).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ..domain.devices import DeviceEntry
from ..domain.errors import ValidationError
from .i18n import refusal_text
from .tasks import Tasks
from .widgets import button, hbox, label

log = logging.getLogger(__name__)
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "CAD", "AUD",
              "JPY")
LOCALES = ("en_US", "en_GB", "de_DE", "de_AT", "de_CH")
ROLES = ("printer", "drawer", "scanner", "display", "scale", "terminal")
TEST_FOR_ROLE = {"printer": "print", "drawer": "drawer", "scanner": "scan",
                 "display": "display", "scale": "weigh", "terminal": "pay"}


# ----- what the wizard collects, and making the shop from it (no Qt) --------------------
@dataclass
class ShopPlan:
    store_name: str
    store_code: str = "S1"
    till_code: str = "T1"
    locale: str = "en_US"
    currency: str = "EUR"
    tax_mode: str = "inclusive"
    taxes: list[tuple[str, str, str]] = field(default_factory=list)  # code, name, fraction
    admin_user: str = "admin"
    admin_pin: str = ""
    devices: list[DeviceEntry] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    catalog_csv: str = ""


@dataclass
class ShopCreated:
    data_dir: Path
    done: list[str]
    problems: list[str]


def percent_to_fraction(text: str) -> str:
    """ "19", "19 %", "7,5" -> "0.19", "0.075" (what init_store takes)."""
    cleaned = text.replace("%", "").replace(",", ".").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError("not a tax rate: {text!r}", text=text) from None
    if not value.is_finite() or not Decimal(0) <= value < Decimal(100):
        raise ValidationError("a tax rate is between 0 and 100 %: {text!r}", text=text)
    return str((value / 100).normalize())


def check_plan(plan: ShopPlan) -> None:
    """Everything that can be checked before anything is written."""
    from sync.connectors.base import ConfigError, check_settings
    from sync.registry import connector_type

    from ..app import check_device_entry
    from ..domain.money import currency
    from ..services.auth import hash_pin

    currency(plan.currency)
    hash_pin(plan.admin_pin)
    if not plan.taxes:
        raise ValidationError("add at least one tax rate (it may be 0 %)")
    for entry in plan.devices:
        check_device_entry(entry)
    if plan.webhook_url:
        try:
            check_settings(connector_type("webhook").schema,
                           {"url": plan.webhook_url, "secret": plan.webhook_secret})
        except ConfigError as exc:
            raise ValidationError(str(exc)) from None
    if plan.catalog_csv and not Path(plan.catalog_csv).is_file():
        raise ValidationError("the product file {catalog_csv} does not exist",
                              catalog_csv=plan.catalog_csv)


def create_shop(directory: str | Path | None, plan: ShopPlan) -> ShopCreated:
    """Worker thread: check, create the store in one ``init_store`` call, then the rest."""
    from sync.model import ConnectorConfig

    from ..app import init_store, receipt_template_for, secret_store, sync_store

    check_plan(plan)
    app = init_store(directory, store_name=plan.store_name, store_code=plan.store_code,
                     till_code=plan.till_code, currency=plan.currency,
                     tax_mode=plan.tax_mode, admin_user=plan.admin_user,
                     admin_pin=plan.admin_pin, taxes=plan.taxes, terminal=None)
    done, problems = [f"store {plan.store_code} till {plan.till_code}"], []

    # Qt's lupdate loses the class of every later tr() after a def nested in a block of
    # a module-level function: keep these at the function's own level.
    def step(what: str, work: Callable[[], Any]) -> None:
        try:
            work()
            done.append(what)
        except Exception as exc:
            log.exception("first-run set-up: %s failed", what)
            problems.append(f"{what}: {exc}")

    def webhook() -> None:
        secret_store(app).set("webhook", "secret", plan.webhook_secret)
        sync_store(app).add_connector(ConnectorConfig(
            "webhook", "webhook", {"url": plan.webhook_url}), from_start=True)

    try:
        admin = app.auth.login(plan.admin_user, plan.admin_pin)
        step(f"language {plan.locale}", lambda: app.settings.set(admin, "locale", plan.locale))
        receipt = receipt_template_for(plan.locale)
        if receipt != "default":  # receipts in the shop's language where there is a template
            step(f"receipt template {receipt}",
                 lambda: app.settings.set(admin, "receipt_template", receipt))
        for entry in plan.devices:
            step(f"{entry.role} {entry.url}",
                 lambda e=entry: app.hardware.set_device(admin, e))  # type: ignore[misc]
        if plan.webhook_url:
            step(f"webhook {plan.webhook_url}", webhook)
        if plan.catalog_csv:
            from ..services.catalog_io import import_catalog

            step(f"products from {Path(plan.catalog_csv).name}", lambda: import_catalog(
                app.store, app.ctx, app.auth, admin, Path(plan.catalog_csv)))
        return ShopCreated(app.data_dir, done, problems)
    finally:
        app.close()


# ----- the wizard's pages -----------------------------------------------------------------
class _Page(QWizardPage):
    def __init__(self, title: str, intro: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.layout_ = QVBoxLayout(self)
        text = label(intro)
        text.setWordWrap(True)
        self.layout_.addWidget(text)
        self.error = label("", "error")
        self.error.setWordWrap(True)
        self.error.hide()

    def finish_layout(self) -> None:
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.error)

    def refuse(self, message: str) -> bool:
        self.error.setText(message)
        self.error.show()
        return False

    def accepted(self) -> bool:
        self.error.hide()
        return True


def _edit(name: str, text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(40)
    return edit


class ShopPage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("Your shop"), self.tr(
            "Welcome. A few questions and the till is ready to sell. The store code and "
            "till code are part of every receipt number (S1-T1-000001)."))
        form = QFormLayout()
        self.name = _edit("wizard_store_name", placeholder=self.tr("e.g. Corner Shop"))
        self.store_code = _edit("wizard_store_code", "S1")
        self.till_code = _edit("wizard_till_code", "T1")
        self.locale = QComboBox()
        self.locale.setObjectName("wizard_locale")
        for code in LOCALES:
            self.locale.addItem(QLocale(code).nativeLanguageName() + " (" +
                                QLocale(code).nativeTerritoryName() + ")", code)
        system = QLocale.system().name()
        if system in LOCALES:
            self.locale.setCurrentIndex(LOCALES.index(system))
        form.addRow(self.tr("Shop name"), self.name)
        form.addRow(self.tr("Store code"), self.store_code)
        form.addRow(self.tr("Till code"), self.till_code)
        form.addRow(self.tr("Language"), self.locale)
        self.layout_.addLayout(form)
        self.finish_layout()

    def validatePage(self) -> bool:
        import re

        if not self.name.text().strip():
            return self.refuse(self.tr("Enter the shop's name."))
        for edit in (self.store_code, self.till_code):
            if not re.match(r"^[A-Za-z0-9]{1,16}$", edit.text().strip()):
                return self.refuse(self.tr("Store and till codes are 1 to 16 letters or "
                                           "digits."))
        return self.accepted()


class MoneyPage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("Currency and taxes"), self.tr(
            "Prices with tax included (VAT, GST) or tax added at the till (US sales tax)? "
            "Add a line for each tax rate your products use; the code goes into the "
            "product file."))
        form = QFormLayout()
        self.currency = QComboBox()
        self.currency.setObjectName("wizard_currency")
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.tax_mode = QComboBox()
        self.tax_mode.setObjectName("wizard_tax_mode")
        self.tax_mode.addItem(self.tr("Prices include tax"), "inclusive")
        self.tax_mode.addItem(self.tr("Tax is added at the till"), "exclusive")
        form.addRow(self.tr("Currency"), self.currency)
        form.addRow(self.tr("Prices"), self.tax_mode)
        self.layout_.addLayout(form)
        self.taxes = QTableWidget(0, 3)
        self.taxes.setObjectName("wizard_taxes")
        self.taxes.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Name"),
                                              self.tr("Rate %")])
        self.taxes.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_tax("STD", self.tr("Standard"), "20")
        self.layout_.addWidget(self.taxes, 1)
        self.layout_.addLayout(hbox(
            button(self.tr("Add a rate"), clicked=lambda: self.add_tax("", "", ""),
                   name="wizard_add_tax"),
            button(self.tr("Remove the rate"), clicked=self.remove_tax,
                   name="wizard_remove_tax"), None))
        self.finish_layout()

    def add_tax(self, code: str, name: str, rate: str) -> None:
        row = self.taxes.rowCount()
        self.taxes.insertRow(row)
        for col, text in enumerate((code, name, rate)):
            self.taxes.setItem(row, col, QTableWidgetItem(text))

    def remove_tax(self) -> None:
        row = self.taxes.currentRow()
        if row >= 0:
            self.taxes.removeRow(row)

    def tax_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for row in range(self.taxes.rowCount()):
            cells = [(self.taxes.item(row, c).text().strip()  # type: ignore[union-attr]
                      if self.taxes.item(row, c) else "") for c in range(3)]
            if any(cells):
                rows.append((cells[0], cells[1], cells[2]))
        return rows

    def validatePage(self) -> bool:
        from ..domain.money import currency

        try:
            currency(self.currency.currentText().strip().upper())
        except ValidationError:
            return self.refuse(self.tr("%1 is not a currency code (EUR, USD, ...).").replace(
                "%1", self.currency.currentText()))
        rows = self.tax_rows()
        if not rows:
            return self.refuse(self.tr("Add at least one tax rate (it may be 0)."))
        codes = [r[0] for r in rows]
        if any(not c for c in codes) or len(set(codes)) != len(codes):
            return self.refuse(self.tr("Every rate needs its own code, e.g. STD."))
        try:
            for _code, _name, rate in rows:
                percent_to_fraction(rate)
        except ValidationError:
            return self.refuse(self.tr("A rate is a percentage between 0 and 100, e.g. 19 "
                                       "or 7.5."))
        return self.accepted()


class AdminPage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("The first administrator"), self.tr(
            "This user sets up everything else: products, more users (cashiers, managers), "
            "devices. A PIN is 4 to 8 digits."))
        form = QFormLayout()
        self.user = _edit("wizard_admin_user", "admin")
        self.pin = _edit("wizard_admin_pin")
        self.pin2 = _edit("wizard_admin_pin2")
        for edit in (self.pin, self.pin2):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(self.tr("User name"), self.user)
        form.addRow(self.tr("PIN"), self.pin)
        form.addRow(self.tr("PIN again"), self.pin2)
        self.layout_.addLayout(form)
        self.finish_layout()

    def validatePage(self) -> bool:
        import re

        if not re.match(r"^[\w.@-]{1,64}$", self.user.text().strip()):
            return self.refuse(self.tr("A user name is letters, digits, '.', '@', '_' or "
                                       "'-'."))
        if not re.match(r"^\d{4,8}$", self.pin.text()):
            return self.refuse(self.tr("A PIN is 4 to 8 digits."))
        if self.pin.text() != self.pin2.text():
            self.pin2.clear()
            return self.refuse(self.tr("The two PINs differ: type the PIN again."))
        return self.accepted()


class HardwarePage(_Page):
    """Detect or type a device's address, test it, add it to this till."""

    def __init__(self, tasks: Tasks, currency: Callable[[], str]) -> None:
        super().__init__(self.tr("Devices"), self.tr(
            "Plug in the receipt printer, scanner, display and scale, then detect them. "
            "A network printer: type its address, e.g. tcp://192.168.1.50:9100. Test a "
            "device before you add it. You can skip this and add devices later in the "
            "back office."))
        self.tasks, self.currency = tasks, currency
        self.chosen: list[DeviceEntry] = []
        self.found = QListWidget()
        self.found.setObjectName("wizard_found")
        self.found.currentRowChanged.connect(self._pick)
        self._found: list[Any] = []
        self.role = QComboBox()
        self.role.setObjectName("wizard_device_role")
        for role in ROLES:
            self.role.addItem(role, role)
        self.url = _edit("wizard_device_url", placeholder="tcp://192.168.1.50:9100")
        self.log = QPlainTextEdit()
        self.log.setObjectName("wizard_device_log")
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(120)
        self.list = QListWidget()
        self.list.setObjectName("wizard_devices")
        self.layout_.addLayout(hbox(button(self.tr("Detect devices"), clicked=self.detect,
                                           name="wizard_detect"), None))
        self.layout_.addWidget(self.found)
        self.layout_.addLayout(hbox(self.role, self.url, spacing=8))
        self.test_button = button(self.tr("Test"), clicked=self.test, name="wizard_test")
        self.layout_.addLayout(hbox(
            self.test_button,
            button(self.tr("Add to this till"), "primary", clicked=self.add,
                   name="wizard_add_device"),
            button(self.tr("Remove"), clicked=self.remove, name="wizard_remove_device"),
            None))
        self.layout_.addWidget(self.log)
        self.layout_.addWidget(label(self.tr("This till's devices:")))
        self.layout_.addWidget(self.list)
        self.finish_layout()

    def say(self, line: str) -> None:
        self.log.appendPlainText(line)

    def detect(self) -> None:
        from ..hardware import setup

        self.say(self.tr("Looking for USB and serial devices..."))

        def found(result: tuple[list[Any], list[str]]) -> None:
            devices, notes = result
            self.found.clear()
            self._found = devices
            for note in notes:
                self.say(note)
            if not devices:
                self.say(self.tr("No USB or serial devices found."))
            for f in devices:
                c = f.candidate
                name = " ".join(x for x in (c.manufacturer, c.product) if x) or c.description
                guess = f.guesses[0].kind.value if f.guesses else self.tr("not recognised")
                self.found.addItem(f"{c.url}  {name}  → {guess}")

        self.tasks.run(setup.detect_devices, done=found, failed=self._failed)

    def _pick(self, row: int) -> None:
        if 0 <= row < len(self._found):
            f = self._found[row]
            self.url.setText(f.candidate.url)
            if f.guesses and f.guesses[0].kind.value in ROLES:
                self.role.setCurrentIndex(ROLES.index(f.guesses[0].kind.value))

    def entry(self) -> DeviceEntry:
        role = str(self.role.currentData())
        return DeviceEntry(role, role, self.url.text().strip())

    def test(self) -> None:
        from ..app import check_device_entry
        from ..hardware import setup

        try:
            entry = check_device_entry(self.entry())
        except ValidationError as exc:
            self.say(refusal_text(exc))
            return
        what = TEST_FOR_ROLE[entry.role]
        currency = self.currency()
        self.say(self.tr("Testing %1 at %2...").replace("%1", entry.role).replace(
            "%2", entry.url))
        self.test_button.setEnabled(False)

        def work() -> setup.TestResult:
            device = setup.open_for_test(entry.kind, entry.url, dict(entry.settings),
                                         entry.driver, 10.0)
            try:
                return setup.test_device(what, device, entry.url, 10.0, currency=currency)
            finally:
                device.close(timeout=2)

        def done(result: setup.TestResult) -> None:
            self.test_button.setEnabled(True)
            for line in result.lines:
                self.say(line)
            self.say(self.tr("OK.") if result.ok else self.tr("Not OK."))

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self._failed(exc)

        self.tasks.run(work, done=done, failed=failed)

    def _failed(self, exc: BaseException) -> None:
        from .till.session import user_message

        self.say(user_message(exc))

    def add(self) -> None:
        from ..app import check_device_entry

        try:
            entry = check_device_entry(self.entry())
        except ValidationError as exc:
            self.say(refusal_text(exc))
            return
        self.chosen = [e for e in self.chosen if e.role != entry.role] + [entry]
        self.list.clear()
        for e in self.chosen:
            self.list.addItem(f"{e.role}: {e.url} ({e.driver})")

    def remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.chosen):
            del self.chosen[row]
            self.list.takeItem(row)


class ExtrasPage(_Page):
    def __init__(self) -> None:
        super().__init__(self.tr("Products and sync"), self.tr(
            "Optional. A product file (CSV: product, sku, price, tax, barcodes...) fills "
            "the catalog now; products can also be added in the back office. A webhook "
            "receives every sale, refund and stock change, signed with the secret."))
        form = QFormLayout()
        self.csv = _edit("wizard_catalog_csv", placeholder=self.tr("products.csv"))
        form.addRow(self.tr("Product file"), hbox(self.csv, button(
            self.tr("Choose..."), clicked=self.choose, name="wizard_choose_csv")))
        self.webhook = QCheckBox(self.tr("Send sales to a webhook"))
        self.webhook.setObjectName("wizard_webhook")
        self.url = _edit("wizard_webhook_url", placeholder="https://example.com/pos")
        self.secret = _edit("wizard_webhook_secret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        for w in (self.url, self.secret):
            w.setEnabled(False)
            self.webhook.toggled.connect(w.setEnabled)
        form.addRow("", self.webhook)
        form.addRow(self.tr("Address"), self.url)
        form.addRow(self.tr("Secret"), self.secret)
        self.layout_.addLayout(form)
        self.finish_layout()

    def choose(self) -> None:
        dlg = QFileDialog(self, self.tr("Product file"), "", "CSV (*.csv)")
        dlg.fileSelected.connect(self.csv.setText)
        dlg.open()

    def validatePage(self) -> bool:
        path = self.csv.text().strip()
        if path and not Path(path).expanduser().is_file():
            return self.refuse(self.tr("There is no file %1.").replace("%1", path))
        if self.webhook.isChecked():
            if not self.url.text().strip().startswith(("http://", "https://")):
                return self.refuse(self.tr("The webhook address starts with https://."))
            if not self.secret.text():
                return self.refuse(self.tr("The webhook needs a secret."))
        return self.accepted()


class CreatePage(_Page):
    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__(self.tr("Ready"), self.tr(
            "Check the summary, then create the store. Afterwards log in as the "
            "administrator, open the shift and sell."))
        self.wizard_ = wizard
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("wizard_summary")
        self.summary.setReadOnly(True)
        self.layout_.addWidget(self.summary, 1)
        self.create_button = button(self.tr("Create the store"), "primary",
                                    clicked=wizard.create, name="wizard_create")
        self.layout_.addLayout(hbox(self.create_button, None))
        self.finish_layout()

    def initializePage(self) -> None:
        plan = self.wizard_.plan()
        lines = [
            self.tr("Shop: %1 (store %2, till %3)").replace("%1", plan.store_name)
            .replace("%2", plan.store_code).replace("%3", plan.till_code),
            self.tr("Currency: %1, prices %2").replace("%1", plan.currency).replace(
                "%2", self.tr("include tax") if plan.tax_mode == "inclusive"
                else self.tr("without tax")),
            *[f"  {c} {n} {(Decimal(r) * 100).normalize():f} %" for c, n, r in plan.taxes],
            self.tr("Administrator: %1").replace("%1", plan.admin_user),
            self.tr("Devices: %1").replace("%1", ", ".join(
                f"{d.role} {d.url}" for d in plan.devices) or self.tr("none yet")),
        ]
        if plan.catalog_csv:
            lines.append(self.tr("Products from %1").replace("%1", plan.catalog_csv))
        if plan.webhook_url:
            lines.append(self.tr("Webhook: %1").replace("%1", plan.webhook_url))
        self.summary.setPlainText("\n".join(lines))

    def isComplete(self) -> bool:
        return self.wizard_.created is not None


class FirstRunWizard(QWizard):
    """The pages above; ``created`` is set once the store exists."""

    shop_created = Signal(object)  # ShopCreated

    def __init__(self, directory: str | Path | None) -> None:
        super().__init__()
        self.setObjectName("first_run_wizard")
        self.setWindowTitle(self.tr("Set up the till"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.directory = directory
        self.created: ShopCreated | None = None
        self.creating = False
        self.tasks = Tasks(self._failed)
        self.shop = ShopPage()
        self.money = MoneyPage()
        self.admin = AdminPage()
        self.hardware = HardwarePage(self.tasks, self._currency)
        self.extras = ExtrasPage()
        self.final = CreatePage(self)
        for page in (self.shop, self.money, self.admin, self.hardware, self.extras,
                     self.final):
            self.addPage(page)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.resize(900, 700)

    def _currency(self) -> str:
        return self.money.currency.currentText().strip().upper()

    def plan(self) -> ShopPlan:
        return ShopPlan(
            store_name=self.shop.name.text().strip(),
            store_code=self.shop.store_code.text().strip(),
            till_code=self.shop.till_code.text().strip(),
            locale=str(self.shop.locale.currentData()),
            currency=self._currency(),
            tax_mode=str(self.money.tax_mode.currentData()),
            taxes=[(c, n or c, percent_to_fraction(r)) for c, n, r in self.money.tax_rows()],
            admin_user=self.admin.user.text().strip(),
            admin_pin=self.admin.pin.text(),
            devices=list(self.hardware.chosen),
            webhook_url=self.extras.url.text().strip() if self.extras.webhook.isChecked()
            else "",
            webhook_secret=self.extras.secret.text() if self.extras.webhook.isChecked()
            else "",
            catalog_csv=str(Path(self.extras.csv.text().strip()).expanduser())
            if self.extras.csv.text().strip() else "")

    def create(self) -> None:
        if self.creating or self.created is not None:
            return
        self.creating = True
        self.final.create_button.setEnabled(False)
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.final.summary.appendPlainText("\n" + self.tr("Creating the store..."))
        self.tasks.run(create_shop, self.directory, self.plan(), done=self._created,
                       failed=self._failed)

    def _created(self, result: ShopCreated) -> None:
        self.creating = False
        self.created = result
        text = [self.tr("Done: %1.").replace("%1", "; ".join(result.done))]
        for problem in result.problems:
            text.append(self.tr("Not set up (do it in the back office): %1").replace(
                "%1", problem))
        text.append(self.tr("Press Finish to open the till."))
        self.final.summary.appendPlainText("\n".join(text))
        self.final.completeChanged.emit()
        self.shop_created.emit(result)

    def _failed(self, exc: BaseException) -> None:
        from .till.session import user_message

        self.creating = False
        self.final.create_button.setEnabled(True)
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.final.summary.appendPlainText(
            self.tr("The store was not created: %1").replace("%1", user_message(exc)))
        self.final.error.setText(user_message(exc))
        self.final.error.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.creating:  # the store is being written: wait for it
            event.ignore()
            return
        self.tasks.close(wait=True)
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if self.creating:
            return
        self.tasks.close(wait=True)
        super().done(result)


def run_wizard(qapp: QApplication, directory: str | Path | None,
               fullscreen: bool = False) -> bool:
    """Show the wizard until it is finished or closed; True when a store was created."""
    from .i18n import install_translator
    from .theme import apply_theme

    default_locale = QLocale()
    translator = install_translator(qapp, QLocale.system().name())
    apply_theme(qapp, "light")
    wizard = FirstRunWizard(directory)
    if fullscreen:
        wizard.showFullScreen()
    else:
        wizard.show()
    wizard.finished.connect(lambda _code: qapp.quit())
    qapp.exec()
    created = wizard.created is not None
    wizard.deleteLater()
    if translator is not None:  # the till then speaks the store's language
        qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)
    return created
