"""The till's hardware profile: which device does what, at which address, through which
driver; detection of USB and serial devices; and a test button per kind (print, open
the drawer, scan, display, weigh, pay). Tests run on the worker pool: a device that
does not answer never freezes the screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ...domain.devices import DeviceEntry
from ...hardware import setup
from ..i18n import refusal_text
from ..models import Column
from ..statusbar import device_words, role_name
from ..widgets import button, label, open_dialog
from .page import FormDialog, Page, PageContext, Table

ROLES = ("printer", "drawer", "scanner", "scanner2", "terminal", "display", "scale")
TEST_BUTTONS = (("print", QT_TRANSLATE_NOOP("HardwarePage", "Print a test page")),
                ("drawer", QT_TRANSLATE_NOOP("HardwarePage", "Open the drawer")),
                ("scan", QT_TRANSLATE_NOOP("HardwarePage", "Test the scanner")),
                ("display", QT_TRANSLATE_NOOP("HardwarePage", "Test the display")),
                ("weigh", QT_TRANSLATE_NOOP("HardwarePage", "Read the scale")),
                ("pay", QT_TRANSLATE_NOOP("HardwarePage", "Test a card payment")))


class HardwarePage(Page):
    title = QT_TRANSLATE_NOOP("HardwarePage", "Hardware")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("hardware_page")
        self.heading.setText(self.tr("Hardware"))
        self.add_action(self.tr("Detect devices"), self.detect, "detect_devices",
                        icon_name="search")
        self.add_action(self.tr("Add device"), lambda: self.edit(None), "add_device",
                        "primary", "plus")
        self.table: Table[DeviceEntry] = Table([
            Column(self.tr("Role"), lambda e: role_name(e.role)),
            Column(self.tr("Address"), lambda e: e.url),
            Column(self.tr("Driver"), lambda e: e.driver or ""),
            Column(self.tr("Settings"), lambda e: " ".join(f"{k}={v}" for k, v in
                                                          sorted(e.settings.items()))),
            Column(self.tr("State"), self._state),
        ], "hardware_table")
        self.table.activated_row.connect(self.edit)
        self.root.addWidget(self.table, 2)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Change"), icon_name="edit",
                             clicked=lambda: self.edit(self.table.current()), name="edit_device"))
        row.addWidget(button(self.tr("Remove"), icon_name="trash", clicked=self.remove,
                             name="remove_device"))
        row.addStretch(1)
        self.root.addLayout(row)
        tests = QGridLayout()  # 3 x 2: fits a 1024 px wide till screen
        for i, (what, text) in enumerate(TEST_BUTTONS):
            tests.addWidget(button(self.tr(text), clicked=lambda w=what: self.run_test(w),
                                   name=f"test_{what}"), i // 3, i % 3)
        self.root.addWidget(label(self.tr("Try a device"), "subtitle"))
        self.root.addLayout(tests)
        self.log = QPlainTextEdit()
        self.log.setObjectName("hardware_log")
        self.log.setReadOnly(True)
        self.root.addWidget(self.log, 1)
        self.root.addWidget(label(self.tr(
            "Changed devices are used from the next start of the till."), "muted"))
        self.finish()

    def _state(self, entry: DeviceEntry) -> str:
        health = self.ctx.app.devices.health.get(entry.role)
        if health is None:
            return self.tr("not running")
        return device_words(health.message)

    def refresh(self) -> None:
        self.ctx.tasks.run(self.ctx.app.hardware.profile, done=self._show,
                           failed=self.show_error)

    def _show(self, entries: list[DeviceEntry]) -> None:
        running = {role: e for role, e in self.ctx.app.devices.entries.items()}
        shown = {e.role: e for e in entries}
        for role, e in running.items():  # devices given on the command line (the demo)
            shown.setdefault(role, e)
        self.table.set_rows(sorted(shown.values(), key=lambda e: ROLES.index(e.role)
                                   if e.role in ROLES else 99))

    def say(self, text: str) -> None:
        self.log.appendPlainText(text)

    # --- editing the profile
    def edit(self, entry: DeviceEntry | None) -> None:
        dlg = DeviceDialog(self, entry)
        open_dialog(dlg, name="device_dialog")

    def remove(self) -> None:
        entry = self.table.current()
        if entry is None:
            return
        self.call(self.ctx.app.hardware.remove_device, entry.role,
                  done=lambda _r: (self.refresh(), self.show_info(
                      self.tr("%1 removed.").replace("%1", role_name(entry.role)))))

    # --- detection and tests
    def detect(self) -> None:
        self.say(self.tr("Looking for USB and serial devices..."))

        def found(result: tuple[list[Any], list[str]]) -> None:
            devices, notes = result
            for note in notes:
                self.say(self.tr("note: %1").replace("%1", note))
            if not devices:
                self.say(self.tr("No USB or serial devices found."))
            for f in devices:
                c = f.candidate
                name = " ".join(x for x in (c.manufacturer, c.product) if x) or c.description
                guess = (self.tr("probably a %1 (%2 driver)").replace(
                    "%1", f.guesses[0].kind.value).replace("%2", f.guesses[0].driver)
                    if f.guesses else self.tr("not recognised"))
                self.say(f"{c.url}  {name}  → {guess}")

        self.ctx.tasks.run(setup.detect_devices, done=found, failed=self.show_error)

    def run_test(self, what: str) -> None:
        kind = setup.TESTS[what]
        entry = next((e for e in self.table.rows_model.rows if e.kind == kind), None)
        if entry is None:
            self.show_error(self.tr("No %1 is set up: add one first.").replace(
                "%1", role_name(kind)))
            return
        self.say(self.tr("Testing the %1 at %2...").replace("%1", role_name(entry.role))
                 .replace("%2", entry.url))
        app = self.ctx.app

        def work() -> setup.TestResult:
            live = app.devices.device(entry.role)
            if live is not None and live.url.raw == entry.url:
                return setup.test_device(what, live, entry.url, 10.0, temporary=False,
                                         currency=app.ctx.currency)
            device = setup.open_for_test(kind, entry.url, dict(entry.settings), entry.driver,
                                         10.0)
            try:
                return setup.test_device(what, device, entry.url, 10.0,
                                         currency=app.ctx.currency)
            finally:
                device.close(timeout=2)

        def done(result: setup.TestResult) -> None:
            for line in result.lines:
                self.say(line)
            self.say(self.tr("OK.") if result.ok else self.tr("Not OK."))

        self.ctx.tasks.run(work, done=done, failed=lambda exc: (self.say(refusal_text(exc)),
                                                                self.show_error(exc)))


class DeviceDialog(FormDialog):
    """Role, address and driver; the driver's own settings as fields (schema-driven)."""

    def __init__(self, page: HardwarePage, entry: DeviceEntry | None) -> None:
        super().__init__(page, QCoreApplication.translate("DeviceDialog", "Device"), 620)
        self.page = page
        self.role = self.choice("role", self.tr("Role"), [(role_name(r), r) for r in ROLES],
                                entry.role if entry else None)
        self.role.setEnabled(entry is None)
        self.url = self.text("url", self.tr("Address"), entry.url if entry else "",
                             "tcp://10.0.0.50:9100, serial:///dev/ttyUSB0, usb://04b8:0202")
        self.driver = self.choice("driver", self.tr("Driver"), [(self.tr("(automatic)"), None)])
        self.note(self.tr("tcp:// network printers, serial:// and usb:// devices, file:// "
                          "printers and evdev scanners, stripe:// readers, sim:// simulators."))
        self.settings_box = QWidget()
        self.form.addRow(self.settings_box)
        self.enabled = QCheckBox(self.tr("In use"))
        self.enabled.setChecked(entry.enabled if entry else True)
        self.form.addRow(self.enabled)
        self.setting_fields: dict[str, QWidget] = {}
        self.given = dict(entry.settings) if entry else {}
        self.drivers: list[setup.DriverInfo] = []
        self.ok_button(self.tr("Save"), self.save)
        self.role.currentIndexChanged.connect(lambda _i: self._fill_drivers())
        self.driver.currentIndexChanged.connect(lambda _i: self._fill_settings())
        page.ctx.tasks.run(setup.drivers, done=self._drivers, failed=page.show_error)
        self._wanted_driver = entry.driver if entry else None

    def _drivers(self, drivers: list[setup.DriverInfo]) -> None:
        self.drivers = drivers
        self._fill_drivers()

    def _kind(self) -> str:
        return str(self.role.currentData()).rstrip("0123456789")

    def _fill_drivers(self) -> None:
        self.driver.blockSignals(True)
        self.driver.clear()
        self.driver.addItem(self.tr("(automatic)"), None)
        unusable = self.tr("unusable")
        for d in self.drivers:
            if self._kind() in d.kinds:
                text = d.name if d.usable else f"{d.name} ({unusable}: {d.note})"
                self.driver.addItem(text, d.name)
        i = self.driver.findData(self._wanted_driver)
        self.driver.setCurrentIndex(max(i, 0))
        self.driver.blockSignals(False)
        self._fill_settings()

    def _fill_settings(self) -> None:
        for w in self.setting_fields.values():
            w.deleteLater()
        self.setting_fields.clear()
        layout = self.settings_box.layout()
        if layout is None:
            from PySide6.QtWidgets import QFormLayout

            layout = QFormLayout(self.settings_box)
            layout.setContentsMargins(0, 0, 0, 0)
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        info = next((d for d in self.drivers if d.name == self.driver.currentData()), None)
        if info is None:
            return
        for s in info.settings:
            if s.type == "secret":
                continue  # secrets go to the OS keyring with `pos devices secret`
            if s.type == "bool":
                w: QWidget = QCheckBox(s.label)
                w.setChecked(str(self.given.get(s.key, s.default)).lower() in ("1", "true"))  # type: ignore[attr-defined]
            elif s.type == "choice":
                w = QComboBox()
                for c in s.choices:
                    w.addItem(c, c)  # type: ignore[attr-defined]
                w.setCurrentIndex(max(w.findData(str(self.given.get(s.key, s.default))), 0))  # type: ignore[attr-defined]
            else:
                w = QLineEdit(str(self.given.get(s.key, "") or ""))
                w.setPlaceholderText(str(s.default) if s.default is not None else "")  # type: ignore[attr-defined]
            w.setObjectName(f"driver_setting_{s.key}")
            w.setToolTip(s.help)
            layout.addRow(s.label, w)  # type: ignore[attr-defined]
            self.setting_fields[s.key] = w

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.setting_fields.items():
            if isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QLineEdit) and w.text().strip():
                out[key] = w.text().strip()
        return out

    def save(self) -> None:
        entry = DeviceEntry(str(self.role.currentData()), "", self.url.text().strip(),
                            self.driver.currentData(), self.values(), self.enabled.isChecked())
        self.page.call(self.page.ctx.app.hardware.set_device, entry,
                       done=lambda saved: (self.accept(), self.page.refresh(),
                                           self.page.show_info(self.tr(
                                               "%1 saved: %2 via %3. It is used from the next "
                                               "start of the till.").replace(
                                               "%1", role_name(saved.role)).replace(
                                               "%2", saved.url).replace("%3", saved.driver
                                                                        or ""))),
                       failed=lambda exc: self.show_error(refusal_text(exc)))

