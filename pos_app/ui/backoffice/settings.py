"""Settings: the store and till, locale and theme, receipts (template editor with a live
preview of a sample receipt) and tax categories. Every change is one audited call to
the settings service; nothing is written until "Save"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.printdoc import plain_text

from ...domain.backoffice import TaxCategoryRow
from ..i18n import refusal_text
from ..models import RIGHT, Column
from ..theme import apply_theme
from ..widgets import button, label, open_dialog, panel
from .page import FormDialog, Page, PageContext, Table

LOCALES = [("English (United States)", "en_US"), ("English (United Kingdom)", "en_GB"),
           ("Deutsch (Deutschland)", "de_DE"), ("Deutsch (Österreich)", "de_AT"),
           ("Deutsch (Schweiz)", "de_CH"), ("Français (France)", "fr_FR"),
           ("Nederlands", "nl_NL"), ("Español", "es_ES"), ("Italiano", "it_IT")]
ZONES = ["", "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "Europe/Paris",
         "Europe/Amsterdam", "Europe/Madrid", "Europe/Rome", "America/New_York",
         "America/Chicago", "America/Los_Angeles", "Australia/Sydney", "UTC"]


class SettingsPage(Page):
    title = QT_TRANSLATE_NOOP("SettingsPage", "Settings")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("settings_page")
        self.heading.setText(self.tr("Settings"))
        self.save_btn = self.add_action(self.tr("Save"), self.save, "save_settings", "primary",
                                        "check")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.root.addWidget(self.tabs, 1)
        self.loaded: dict[str, Any] = {}
        self.widgets: dict[str, QWidget] = {}
        self._build_store_tab()
        self._build_receipt_tab()
        self._build_tax_tab()
        self.finish()

    # ------------------------------------------------------------------ building
    def _add_tab(self, content: QWidget, title: str) -> None:
        """Tabs scroll: the page stays usable on a 1024×768 till screen."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        self.tabs.addTab(scroll, title)

    def _form_tab(self, title: str) -> QFormLayout:
        tab = QWidget()
        outer = QVBoxLayout(tab)
        box = panel()
        form = QFormLayout(box)
        form.setContentsMargins(18, 14, 18, 14)
        form.setSpacing(10)
        outer.addWidget(box)
        outer.addStretch(1)
        self._add_tab(tab, title)
        return form

    def _combo(self, key: str, options: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"setting_{key}")
        for text, value in options:
            combo.addItem(text, value)
        self.widgets[key] = combo
        return combo

    def _spin(self, key: str, low: int, high: int, suffix: str = "") -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(f"setting_{key}")
        spin.setRange(low, high)
        if suffix:
            spin.setSuffix(suffix)
        self.widgets[key] = spin
        return spin

    def _check(self, key: str, text: str) -> QCheckBox:
        box = QCheckBox(text)
        box.setObjectName(f"setting_{key}")
        self.widgets[key] = box
        return box

    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(f"setting_{key}")
        edit.setPlaceholderText(placeholder)
        self.widgets[key] = edit
        return edit

    def _build_store_tab(self) -> None:
        c = self.ctx.app.ctx
        form = self._form_tab(self.tr("Store and till"))
        form.addRow(self.tr("Store"), label(f"{c.store_name} ({c.store_code})"))
        form.addRow(self.tr("Till"), label(c.till_code))
        form.addRow(self.tr("Currency"), label(c.currency))
        self.tax_mode = label("")
        form.addRow(self.tr("Prices"), self.tax_mode)
        form.addRow(self.tr("Language and formats"), self._combo("locale", LOCALES))
        form.addRow(self.tr("Time zone for reports"),
                    self._combo("timezone", [(z or self.tr("this computer's"), z or None)
                                             for z in ZONES]))
        form.addRow(self.tr("Theme"), self._combo("theme", [(self.tr("Light"), "light"),
                                                           (self.tr("Dark"), "dark")]))
        form.addRow(self.tr("Lock the till after"),
                    self._spin("auto_lock_minutes", 0, 240, self.tr(" min (0: never)")))
        form.addRow(self.tr("Wrong PINs before a lock-out"), self._spin("max_pin_attempts", 1, 10))
        form.addRow(self.tr("Round cash to"),
                    self._spin("cash_increment", 1, 100, self.tr(" minor units")))
        form.addRow(self.tr("Loyalty points per unit paid"),
                    self._spin("loyalty_points_per_unit", 0, 100))
        form.addRow(self.tr("Value of a point"),
                    self._spin("loyalty_point_value", 1, 10000, self.tr(" minor units")))
        form.addRow(self.tr("Favourites on the till"),
                    self._line("favourites", self.tr("SKUs, separated by commas")))
        form.addRow(self._check("require_drawer_closed",
                                self.tr("The drawer must be closed before the next sale")))

    def _build_receipt_tab(self) -> None:
        tab = QWidget()
        grid = QGridLayout(tab)
        left = panel()
        form = QFormLayout(left)
        form.setContentsMargins(16, 12, 16, 12)
        header = QPlainTextEdit()
        header.setObjectName("setting_receipt_header")
        header.setMaximumHeight(70)
        self.widgets["receipt_header"] = header
        footer = QPlainTextEdit()
        footer.setObjectName("setting_receipt_footer")
        footer.setMaximumHeight(70)
        self.widgets["receipt_footer"] = footer
        form.addRow(self.tr("Header"), header)
        form.addRow(self.tr("Footer"), footer)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self._line("receipt_logo", self.tr("a PNG file (optional)")), 1)
        logo_row.addWidget(button(self.tr("Choose..."), clicked=self._choose_logo))
        form.addRow(self.tr("Logo"), logo_row)
        form.addRow(self.tr("Print receipts"), self._combo("print_receipts", [
            (self.tr("Always"), "always"), (self.tr("Ask each time"), "ask"),
            (self.tr("Never"), "never")]))
        form.addRow(self._check("print_merchant_copy",
                                self.tr("A merchant copy when a card paid")))
        form.addRow(label(self.tr("Template"), "subtitle"))
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.template = QPlainTextEdit()
        self.template.setObjectName("receipt_template_text")
        self.template.setFont(mono)
        self.template.setMinimumHeight(160)
        form.addRow(self.template)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Default template"), clicked=self._default_template,
                             name="default_template"))
        row.addWidget(button(self.tr("Use this template"), "primary",
                             clicked=self._save_template, name="save_template"))
        form.addRow(row)
        grid.addWidget(left, 0, 0)
        right = QVBoxLayout()
        right.addWidget(label(self.tr("Preview"), "subtitle"))
        self.preview = QPlainTextEdit()
        self.preview.setObjectName("receipt_preview")
        self.preview.setReadOnly(True)
        self.preview.setFont(mono)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setStyleSheet("font-size: 12px;")  # 42 columns of an 80 mm roll fit
        self.preview.setMinimumWidth(390)
        right.addWidget(self.preview, 1)
        self.preview_error = label("", "error")
        self.preview_error.setObjectName("preview_error")
        self.preview_error.setWordWrap(True)
        right.addWidget(self.preview_error)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self._add_tab(tab, self.tr("Receipt"))
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(250)
        self._preview_timer.timeout.connect(self.update_preview)
        for edit in (header, footer, self.template):
            edit.textChanged.connect(self._preview_timer.start)
        self._preview_seq = 0

    def _build_tax_tab(self) -> None:
        tab = QWidget()
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button(self.tr("New tax category"), icon_name="plus",
                             clicked=self._add_tax, name="add_tax"))
        row.addWidget(button(self.tr("Change rate"), icon_name="edit",
                             clicked=self._edit_tax, name="edit_tax"))
        layout.addLayout(row)
        self.taxes: Table[TaxCategoryRow] = Table([
            Column(self.tr("Code"), lambda t: t.code),
            Column(self.tr("Name"), lambda t: t.name),
            Column(self.tr("Rate"), lambda t: self.fmt.percent(t.rate), RIGHT),
            Column(self.tr("Products"), lambda t: str(t.products), RIGHT),
        ], "tax_table")
        self.taxes.activated_row.connect(lambda _r: self._edit_tax())
        layout.addWidget(self.taxes, 1)
        layout.addWidget(label(self.tr(
            "A new rate applies from the next item rung up; completed sales keep the rate "
            "they were sold at."), "muted"))
        self.tabs.addTab(tab, self.tr("Taxes"))

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        app = self.ctx.app

        def load(user: Any) -> tuple[dict[str, Any], str, list[TaxCategoryRow]]:
            values = app.settings.all()
            return values, app.printing.template(), app.catalog_admin.tax_categories(user)

        self.call(load, done=self._show)

    def _show(self, result: tuple[dict[str, Any], str, list[TaxCategoryRow]]) -> None:
        values, template, taxes = result
        self.loaded = dict(values)
        self.tax_mode.setText(self.tr("include tax (VAT/GST)") if values["tax_mode"] ==
                              "inclusive" else self.tr("before tax (sales tax added)"))
        for key, w in self.widgets.items():
            value = values.get(key)
            if isinstance(w, QComboBox):
                w.setCurrentIndex(max(w.findData(value), 0))
            elif isinstance(w, QSpinBox):
                w.setValue(int(value or 0))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText(str(value or ""))
            elif isinstance(w, QLineEdit):
                w.setText(", ".join(value) if isinstance(value, list) else str(value or ""))
        self.template.setPlainText(template)
        self.taxes.set_rows(taxes)
        self.update_preview()

    def current_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, w in self.widgets.items():
            if isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, QSpinBox):
                out[key] = w.value()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                text = w.text().strip()
                out[key] = [x.strip() for x in text.split(",") if x.strip()] \
                    if key == "favourites" else text
        return out

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        changed = {k: v for k, v in self.current_values().items() if self.loaded.get(k) != v}
        if not changed:
            self.show_info(self.tr("Nothing changed."))
            return
        settings = self.ctx.app.settings

        def write(user: Any) -> dict[str, Any]:
            for key, value in changed.items():
                settings.set(user, key, value)
            return changed

        self.call(write, done=self._saved)

    def _saved(self, changed: dict[str, Any]) -> None:
        self.loaded.update(changed)
        if "theme" in changed:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, str(changed["theme"]))
        self.show_info(self.tr("Saved: %1.").replace("%1", ", ".join(sorted(changed))))
        self.changed.emit()

    def _choose_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Receipt logo"), "",
                                              self.tr("PNG images (*.png)"))
        if path:
            w = self.widgets["receipt_logo"]
            assert isinstance(w, QLineEdit)
            w.setText(path)

    # ------------------------------------------------------------------ receipt preview
    def update_preview(self) -> None:
        self._preview_seq += 1
        seq = self._preview_seq
        header = self.widgets["receipt_header"]
        footer = self.widgets["receipt_footer"]
        assert isinstance(header, QPlainTextEdit) and isinstance(footer, QPlainTextEdit)
        text, head, foot = self.template.toPlainText(), header.toPlainText(), footer.toPlainText()
        printing = self.ctx.app.printing

        def render() -> str:
            return plain_text(printing.preview(text or None, head, foot), printing.columns)

        self.ctx.tasks.run(render, done=lambda out: self._show_preview(seq, out, ""),
                           failed=lambda exc: self._show_preview(seq, None, refusal_text(exc)))

    def _show_preview(self, seq: int, text: str | None, error: str) -> None:
        if seq != self._preview_seq:
            return
        if text is not None:
            self.preview.setPlainText(text)
        self.preview_error.setText(error)

    def _default_template(self) -> None:
        self.ctx.tasks.run(lambda: self.ctx.app.printing.template("default"),
                           done=self.template.setPlainText, failed=self.show_error)

    def _save_template(self) -> None:
        text = self.template.toPlainText()
        target = self.ctx.app.data_dir / "templates"
        self.call(self.ctx.app.printing.save_template, text, target,
                  done=lambda path: self.show_info(self.tr(
                      "Receipts now print with %1.").replace("%1", str(path))))

    # ------------------------------------------------------------------ taxes
    def _add_tax(self) -> None:
        dlg = FormDialog(self, self.tr("New tax category"))
        dlg.text("code", self.tr("Code"), placeholder="STD")
        dlg.text("name", self.tr("Name"))
        dlg.text("rate", self.tr("Rate"), placeholder="0.19")
        dlg.note(self.tr("The rate as a fraction: 0.19 for 19 %."))

        def ok() -> None:
            self.call(self.ctx.app.catalog_admin.add_tax_category, dlg.value("code"),
                      dlg.value("name"), dlg.value("rate"),
                      done=lambda _r: (dlg.accept(), self.refresh()),
                      failed=lambda exc: dlg.show_error(refusal_text(exc)))

        dlg.ok_button(self.tr("Add"), ok)
        open_dialog(dlg, name="tax_dialog")

    def _edit_tax(self) -> None:
        tax = self.taxes.current()
        if tax is None:
            return
        dlg = FormDialog(self, self.tr("Tax category %1").replace("%1", tax.code))
        dlg.text("name", self.tr("Name"), tax.name)
        dlg.text("rate", self.tr("Rate"), str(tax.rate))
        dlg.note(self.tr("The rate as a fraction: 0.19 for 19 %."))

        def ok() -> None:
            self.call(self.ctx.app.catalog_admin.edit_tax_category, tax.id, dlg.value("name"),
                      dlg.value("rate"), done=lambda _r: (dlg.accept(), self.refresh()),
                      failed=lambda exc: dlg.show_error(refusal_text(exc)))

        dlg.ok_button(self.tr("Save"), ok)
        open_dialog(dlg, name="tax_dialog")
