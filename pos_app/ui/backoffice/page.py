"""What every back-office page is made of: a header with actions, an optional search
box, a table over ``RowsModel`` with "Load more" paging, and forms in dialogs.

Pages never call a service on the GUI thread: ``self.call(fn, *args, done=...)``
runs it on the worker pool with the logged-in manager as the first argument and
shows a refusal (permission, validation) as one sentence in the page's message line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain.users import User
from ..i18n import Fmt
from ..models import Column, RowsModel
from ..tasks import Tasks
from ..till.dialogs import TouchDialog
from ..till.session import user_message
from ..widgets import button, label

R = TypeVar("R")


class PageContext:
    """What pages share: the app, the worker pool, formatting and the current user."""

    def __init__(self, app: Any, tasks: Tasks, fmt: Fmt) -> None:
        self.app, self.tasks, self.fmt = app, tasks, fmt
        self.user: User | None = None


class Page(QWidget):
    """A back-office page. Subclasses build their widgets and implement ``refresh``."""

    title = ""
    changed = Signal()  # data on this page changed (others may refresh)

    def __init__(self, ctx: PageContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.fmt = ctx.fmt
        self.root = QVBoxLayout(self)
        self.root.setContentsMargins(16, 12, 16, 12)
        self.root.setSpacing(10)
        self.header = QHBoxLayout()
        self.heading = label(self.tr(self.title) if self.title else "", "title")
        self.header.addWidget(self.heading)
        self.header.addStretch(1)
        self.root.addLayout(self.header)
        self.message = label("", "muted")
        self.message.setObjectName("page_message")
        self.message.setWordWrap(True)
        self.message.hide()

    # --- layout helpers
    def add_action(self, text: str, clicked: Callable[[], None], name: str,
                   role: str = "", icon_name: str | None = None) -> Any:
        b = button(text, role, icon_name, clicked=clicked, name=name)
        self.header.addWidget(b)
        return b

    def finish(self) -> None:
        """Call at the end of a subclass's ``__init__``: the message line goes last."""
        self.root.addWidget(self.message)

    def search_box(self, placeholder: str, on_search: Callable[[str], None],
                   name: str = "page_search") -> QLineEdit:
        box = QLineEdit()
        box.setObjectName(name)
        box.setPlaceholderText(placeholder)
        box.setClearButtonEnabled(True)
        timer = QTimer(box)
        timer.setSingleShot(True)
        timer.setInterval(200)
        timer.timeout.connect(lambda: on_search(box.text().strip()))
        box.textChanged.connect(lambda _t: timer.start())
        box.returnPressed.connect(lambda: on_search(box.text().strip()))
        return box

    # --- talking to services
    @property
    def user(self) -> User:
        assert self.ctx.user is not None, "the back office needs a logged-in user"
        return self.ctx.user

    def call(self, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None] | None = None,
             failed: Callable[[BaseException], None] | None = None, **kwargs: Any) -> None:
        """``fn(user, *args, **kwargs)`` on the pool; the answer on the GUI thread."""
        user = self.user
        self.ctx.tasks.run(lambda: fn(user, *args, **kwargs), done=done,
                           failed=failed or self.show_error)

    def show_error(self, exc: BaseException | str) -> None:
        self.message.setProperty("role", "error")
        self.message.setStyleSheet("")
        self.message.setText(exc if isinstance(exc, str) else user_message(exc))
        self.message.show()
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def show_info(self, text: str) -> None:
        self.message.setProperty("role", "muted")
        self.message.setText(text)
        self.message.show()
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def refresh(self) -> None:
        """Reload what the page shows (called when it is opened)."""


class Table(QTableView, Generic[R]):
    """A read-only table of rows with a column spec; double-click or Enter activates."""

    activated_row = Signal(object)

    def __init__(self, columns: Sequence[Column[R]], name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.rows_model: RowsModel[R] = RowsModel(columns, self)
        self.setModel(self.rows_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setSortingEnabled(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(46)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.doubleClicked.connect(lambda index: self.activated_row.emit(
            self.rows_model.row(index.row())))

    def set_rows(self, rows: Sequence[R], append: bool = False) -> None:
        self.rows_model.set_rows([*self.rows_model.rows, *rows] if append else rows)
        self.resizeColumnsToContents()
        self.horizontalHeader().setStretchLastSection(True)

    def current(self) -> R | None:
        rows = self.selectionModel().selectedRows()
        return self.rows_model.row(rows[0].row()) if rows else None

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current() is not None:
            self.activated_row.emit(self.current())
            return
        super().keyPressEvent(event)


class Paged(Generic[R]):
    """Keyset paging for a Table: ``load(cursor)`` returns a Page; "Load more" appends."""

    def __init__(self, page: Page, table: Table[R],
                 fetch: Callable[[str | None], Any], name: str = "load_more") -> None:
        self.page, self.table, self.fetch = page, table, fetch
        self.more = button(QCoreApplication.translate("Page", "Load more"),
                           clicked=self.load_more, name=name)
        self.more.hide()
        self.cursor: str | None = None
        self._seq = 0

    def reload(self) -> None:
        self._seq += 1
        seq = self._seq
        self.page.ctx.tasks.run(lambda: self.fetch(None), done=lambda p: self._show(seq, p, False),
                                failed=self.page.show_error)

    def load_more(self) -> None:
        if self.cursor is None:
            return
        seq, cursor = self._seq, self.cursor
        self.page.ctx.tasks.run(lambda: self.fetch(cursor),
                                done=lambda p: self._show(seq, p, True),
                                failed=self.page.show_error)

    def _show(self, seq: int, result: Any, append: bool) -> None:
        if seq != self._seq:
            return  # an older search answered late
        self.table.set_rows(result.rows, append)
        self.cursor = result.next_cursor
        self.more.setVisible(self.cursor is not None)


class FormDialog(TouchDialog):
    """A form of labelled fields; ``values()`` reads them back as text/choices."""

    def __init__(self, parent: QWidget | None, title: str, width: int = 560) -> None:
        super().__init__(parent, title, width)
        self.form = QFormLayout()
        self.form.setSpacing(10)
        self.body.addLayout(self.form)
        self.fields: dict[str, QWidget] = {}

    def text(self, key: str, caption: str, value: str = "", placeholder: str = "",
             password: bool = False) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setObjectName(f"field_{key}")
        edit.setPlaceholderText(placeholder)
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.addRow(caption, edit)
        self.fields[key] = edit
        return edit

    def choice(self, key: str, caption: str, options: Sequence[tuple[str, Any]],
               current: Any = None) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(f"field_{key}")
        for text, data in options:
            combo.addItem(text, data)
        if current is not None:
            i = combo.findData(current)
            if i >= 0:
                combo.setCurrentIndex(i)
        self.form.addRow(caption, combo)
        self.fields[key] = combo
        return combo

    def note(self, text: str) -> QLabel:
        lab = label(text, "muted")
        lab.setWordWrap(True)
        self.form.addRow(lab)
        return lab

    def value(self, key: str) -> Any:
        w = self.fields[key]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QLineEdit):
            return w.text().strip()
        return None

    def ok_button(self, text: str, on_ok: Callable[[], None]) -> Any:
        self.add_cancel()
        return self.add_button(text, "primary", on_ok, name="ok")
