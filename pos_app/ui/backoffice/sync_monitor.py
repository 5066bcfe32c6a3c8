"""Sync monitor: each connector's state in words, its queue, and the dead letters a
manager must decide on — retry (after fixing a mapping) or skip — both audited."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer
from PySide6.QtWidgets import QHBoxLayout

from ...app import sync_admin
from ..i18n import refusal_text
from ..models import RIGHT, Column
from ..widgets import button, label, open_dialog
from .page import FormDialog, Page, PageContext, Table


class SyncPage(Page):
    title = QT_TRANSLATE_NOOP("SyncPage", "Sync")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("sync_page")
        self.heading.setText(self.tr("Sync"))
        self.admin = sync_admin(ctx.app)
        self.add_action(self.tr("Refresh"), self.refresh, "sync_refresh", icon_name="refresh")
        self.add_action(self.tr("Retry everything waiting"), self.retry_all, "sync_retry_all",
                        icon_name="sync")
        self.summary = label("", "subtitle")
        self.summary.setObjectName("sync_summary")
        self.summary.setWordWrap(True)
        self.root.addWidget(self.summary)
        self.connectors: Table[Any] = Table([
            Column(self.tr("Connector"), lambda h: h.name),
            Column(self.tr("Type"), lambda h: h.type),
            Column(self.tr("State"), lambda h: h.message),
            Column(self.tr("Waiting"), lambda h: str(h.pending), RIGHT),
            Column(self.tr("Sending"), lambda h: str(h.in_flight), RIGHT),
            Column(self.tr("Refused"), lambda h: str(h.dead), RIGHT),
            Column(self.tr("Last sent"), lambda h: self.fmt.datetime(h.last_success)
                   if h.last_success else "–"),
            Column(self.tr("Last problem"), lambda h: h.detail or h.last_error or ""),
        ], "sync_connectors")
        self.connectors.activated_row.connect(self.edit_connector)
        self.root.addWidget(self.connectors, 2)
        self.root.addWidget(label(self.tr("Refused by the target (dead letters)"), "subtitle"))
        self.dead: Table[Any] = Table([
            Column(self.tr("Connector"), lambda d: d.connector),
            Column(self.tr("Event"), lambda d: d.event_type),
            Column(self.tr("Attempts"), lambda d: str(d.attempts), RIGHT),
            Column(self.tr("What the target said"), lambda d: d.error),
        ], "sync_dead")
        self.root.addWidget(self.dead, 2)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Change connector settings"), icon_name="edit",
                             clicked=lambda: self.edit_connector(self.connectors.current()),
                             name="edit_connector"))
        row.addStretch(1)
        row.addWidget(button(self.tr("Retry"), "primary", "sync", clicked=self.retry,
                             name="retry_dead"))
        row.addWidget(button(self.tr("Skip"), "danger", clicked=self.skip, name="skip_dead"))
        self.root.addLayout(row)
        self.finish()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(5000)

    def refresh(self) -> None:
        if not self.isVisible() and self.connectors.rows_model.rows:
            return
        admin = self.admin
        def load() -> tuple[list[Any], list[Any], str]:
            healths = admin.health()
            return healths, admin.dead_letters(), admin.status_line() if healths else ""

        self.ctx.tasks.run(load, done=self._show, failed=self.show_error)

    def _show(self, result: tuple[list[Any], list[Any], str]) -> None:
        healths, dead, line = result
        self.summary.setText(line if healths else self.tr(
            "No back-office system is connected. Add one with `pos sync connector add`."))
        self.connectors.set_rows(healths)
        self.dead.set_rows(dead)

    def retry(self) -> None:
        d = self.dead.current()
        if d is None:
            self.show_error(self.tr("Choose a refused event first."))
            return
        self.call(self.admin.retry, d.event_id, d.connector,
                  done=lambda n: (self.show_info(self.tr("Sent again: %1.").replace(
                      "%1", str(n))), self.refresh()))

    def skip(self) -> None:
        d = self.dead.current()
        if d is None:
            self.show_error(self.tr("Choose a refused event first."))
            return
        self.call(self.admin.skip, d.event_id, d.connector,
                  done=lambda n: (self.show_info(self.tr(
                      "Skipped: it will not be sent to %1.").replace("%1", d.connector)),
                                  self.refresh()))

    def retry_all(self) -> None:
        self.call(self.admin.retry_all, None, done=lambda n: (self.show_info(self.tr(
            "%1 deliveries are due again now.").replace("%1", str(n))), self.refresh()))

    def edit_connector(self, health: Any) -> None:
        """Edit a connector's settings (e.g. a missing tax mapping), then retry."""
        if health is None:
            return
        config = next((c for c in self.admin.connectors() if c.name == health.name), None)
        if config is None:
            return
        dlg = FormDialog(self, self.tr("Connector %1").replace("%1", config.name), 640)
        dlg.note(self.tr("Change a value, or add a KEY=VALUE line (e.g. tax.STD=…); secrets "
                         "go to the OS keyring."))
        for key, value in sorted(config.settings.items()):
            if not key.startswith("_"):
                dlg.text(key, key, str(value))
        extra = dlg.text("_new", self.tr("New setting"), "", "KEY=VALUE")

        def ok() -> None:
            values = {k: dlg.value(k) for k in dlg.fields if k != "_new"
                      and dlg.value(k) != str(config.settings.get(k))}
            if extra.text().strip():
                key, _, value = extra.text().partition("=")
                values[key.strip()] = value.strip()
            self.call(self.admin.set_connector, config.name, values,
                      done=lambda _c: (dlg.accept(), self.show_info(self.tr(
                          "Connector %1 changed; retry its refused events now.").replace(
                          "%1", config.name)), self.refresh()),
                      failed=lambda exc: dlg.show_error(refusal_text(exc)))

        dlg.ok_button(self.tr("Save"), ok)
        open_dialog(dlg, name="connector_dialog")
