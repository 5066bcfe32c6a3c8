"""Driving the real back office in tests: the till window on a copy of one demo store
(built once per test run), a manager logged in at the lock screen, the back office
opened from the sale screen's menu, and helpers for pages, tables and dialogs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from pos_app.app import open_app

from .uikit import Till, build_template, till

_template: Path | None = None
REORDER = {"P2": Decimal(60), "P3": Decimal(50)}  # above any demo stock: to reorder


def shared_template(factory: pytest.TempPathFactory) -> Path:
    """One demo store for every back-office test module; each test copies it."""
    global _template
    if _template is None:
        path = build_template(factory.mktemp("backoffice") / "store")
        app = open_app(path, terminal=None)
        try:
            admin = app.auth.login("admin", "9999")
            for sku, point in REORDER.items():
                app.catalog_admin.edit_variant(admin, app.catalog.variant(sku).id,
                                               reorder_point=point)
        finally:
            app.close()
        _template = path
    return _template


@contextmanager
def back_office(qtbot: Any, template: Path, work: Path, user: str = "manager",
                pin: str = "3333") -> Iterator[Till]:
    with till(qtbot, template, work) as t:
        enter(t, user, pin)
        yield t


def enter(t: Till, user: str = "manager", pin: str = "3333") -> Any:
    """Log in at the lock screen and open the back office from the sale screen's menu."""
    t.login(user, pin)
    action = t.window.sale.more_menu.findChild(QAction, "menu_back_office")
    assert action is not None
    action.trigger()
    t.wait(lambda: t.screen() == "back_office")
    return t.window.back_office


def leave(t: Till) -> None:
    """Back to the till, then lock it (the lock screen shows again)."""
    t.click("back_to_till")
    t.wait(lambda: t.screen() == "sale_screen")
    t.window.lock()
    t.wait(lambda: t.screen() == "lock_screen")


def page(t: Till, key: str) -> Any:
    bo = t.window.back_office
    p = bo.open_page(key)
    t.wait(lambda: bo.pages.currentWidget() is p)
    return p


def click(t: Till, name: str, parent: QWidget) -> None:
    b = parent.findChild(QPushButton, name)
    assert b is not None, f"no button {name!r}"
    t.wait(lambda: b.isEnabled() and b.isVisible())
    t.qtbot.mouseClick(b, Qt.MouseButton.LeftButton)


def type_into(t: Till, parent: QWidget, name: str, text: str, enter: bool = False) -> None:
    edit = parent.findChild(QLineEdit, name)
    assert edit is not None, f"no field {name!r}"
    edit.setFocus()
    edit.selectAll()
    t.qtbot.keyClick(edit, Qt.Key.Key_Delete)
    t.qtbot.keyClicks(edit, text)
    if enter:
        t.qtbot.keyClick(edit, Qt.Key.Key_Return)


def choose(t: Till, parent: QWidget, name: str, data: Any) -> None:
    combo = parent.findChild(QComboBox, name)
    assert combo is not None, f"no choice {name!r}"
    t.wait(lambda: combo.findData(data) >= 0)
    combo.setCurrentIndex(combo.findData(data))


def rows(table: Any) -> list[Any]:
    return list(table.rows_model.rows)


def cells(table: Any, row: int) -> list[str]:
    m = table.rows_model
    return [m.data(m.index(row, c)) for c in range(m.columnCount())]


def select(t: Till, table: Any, *indexes: int) -> None:
    """Tap the rows (ctrl-click for more than one), as a manager would."""
    for n, i in enumerate(indexes):
        table.scrollTo(table.rows_model.index(i, 0))
        rect = table.visualRect(table.rows_model.index(i, 0))
        mod = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier.NoModifier
        t.qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, mod, rect.center())
    t.wait(lambda: len(table.selectionModel().selectedRows()) == len(indexes))


def select_where(t: Till, table: Any, pred: Any) -> Any:
    t.wait(lambda: any(pred(r) for r in rows(table)))
    i = next(n for n, r in enumerate(rows(table)) if pred(r))
    select(t, table, i)
    return rows(table)[i]


def activate(t: Till, table: Any, index: int) -> None:
    """Select a row and press Enter (what a double-click does)."""
    table.setFocus()
    table.selectionModel().select(table.rows_model.index(index, 0),
                                  QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
    t.qtbot.keyClick(table, Qt.Key.Key_Return)


def message(p: Any) -> str:
    lab = p.findChild(QLabel, "page_message")
    return str(lab.text()) if lab is not None and lab.isVisible() else ""


def shot(widget: QWidget, name: str) -> None:
    """With POS_UI_SHOTS=DIR, keep a picture of the widget to look at."""
    where = os.environ.get("POS_UI_SHOTS")
    if where:
        Path(where).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(where) / f"{name}.png"))
