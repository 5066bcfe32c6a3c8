"""Small touch widgets shared by the till and the back office."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from ..domain.errors import ValidationError
from ..domain.money import parse_minor
from .theme import icon, restyle, set_icon, set_role


def button(text: str, role: str = "", icon_name: str | None = None,
           clicked: Callable[[], None] | None = None, parent: QWidget | None = None,
           name: str | None = None) -> QPushButton:
    b = QPushButton(text, parent)
    if role:
        set_role(b, role)
    if icon_name:
        set_icon(b, icon_name, "#ffffff" if role in ("primary", "pay", "danger") else None)
    if clicked is not None:
        b.clicked.connect(lambda _=False: clicked())
    if name:
        b.setObjectName(name)
    b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return b


def label(text: str = "", role: str = "", parent: QWidget | None = None,
          name: str | None = None) -> QLabel:
    lab = QLabel(text, parent)
    if role:
        set_role(lab, role)
    if name:
        lab.setObjectName(name)
    return lab


def panel(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    set_role(frame, "panel")
    return frame


class Keypad(QWidget):
    """Digits for quantities, amounts and PINs; works beside a physical keyboard."""

    key = Signal(str)  # "0".."9", ".", "00", "back", "clear", "enter"

    def __init__(self, parent: QWidget | None = None, decimal: bool = True,
                 enter_text: str = "", double_zero: bool = True) -> None:
        super().__init__(parent)
        self.decimal = QLocale().decimalPoint() or "."  # "," on a German till
        grid = QGridLayout(self)
        grid.setSpacing(6)
        grid.setContentsMargins(0, 0, 0, 0)
        rows = [["7", "8", "9"], ["4", "5", "6"], ["1", "2", "3"],
                [("." if decimal else ("00" if double_zero else "")), "0", "back"]]
        for r, row in enumerate(rows):
            for c, k in enumerate(row):
                if not k:
                    continue
                b = button("" if k == "back" else self.decimal if k == "." else k, "key")
                if k == "back":
                    set_icon(b, "backspace")
                    b.setToolTip(self.tr("Delete the last digit"))
                b.setObjectName(f"key_{k}")
                b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                b.clicked.connect(lambda _=False, k=k: self.key.emit(k))
                grid.addWidget(b, r, c)
        if enter_text:
            enter = button(enter_text, "primary", name="key_enter")
            enter.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            enter.clicked.connect(lambda _=False: self.key.emit("enter"))
            grid.addWidget(enter, 4, 0, 1, 3)

    def attach(self, edit: QLineEdit) -> None:
        """Type into ``edit`` as if on its keyboard."""
        def on_key(k: str) -> None:
            if k == "back":
                edit.backspace()
            elif k == "clear":
                edit.clear()
            elif k == "enter":
                edit.returnPressed.emit()
            else:
                edit.insert(self.decimal if k == "." else k)

        self.key.connect(on_key)


class MoneyEdit(QLineEdit):
    """An amount in the store's currency; ``minor()`` parses it or raises ValidationError."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currency = currency
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)

    def minor(self) -> int:
        text = self.text().strip().replace(",", ".")
        if not text:
            raise ValidationError(self.tr("Enter an amount."))
        return parse_minor(text, self.currency)

    def set_minor(self, minor: int) -> None:
        from ..domain.money import format_plain

        self.setText(format_plain(minor, self.currency))


class Toast(QFrame):
    """A message that shows for a few seconds over the bottom of its parent."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("toast_text")
        layout.addWidget(self.text)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()
        parent.installEventFilter(self)

    def show_message(self, message: str, level: str = "info", ms: int = 4000) -> None:
        self.setProperty("level", level)
        restyle(self)
        self.text.setText(message)
        self._place()
        self.show()
        self.raise_()
        self._timer.start(ms)

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(720, parent.width() - 40)
        self.setFixedWidth(max(width, 200))
        self.adjustSize()
        self.move((parent.width() - self.width()) // 2, parent.height() - self.height() - 70)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


class Banner(QFrame):
    """A full-width line at the top (offline, printer problem) that stays until cleared."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        self.icon = QToolButton()
        self.icon.setIcon(icon("offline", "#ffffff"))
        self.icon.setAutoRaise(True)
        self.icon.setStyleSheet("border: none; background: transparent;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("banner_text")
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_message(self, message: str, level: str = "error") -> None:
        self.setProperty("level", level)
        restyle(self)
        self.text.setText(message)
        self.show()

    def clear(self) -> None:
        self.hide()
        self.text.clear()


def hbox(*widgets: QWidget | None, spacing: int = 8, margins: int = 0,
         parent: QWidget | None = None) -> QHBoxLayout:
    layout = QHBoxLayout(parent) if parent is not None else QHBoxLayout()
    layout.setSpacing(spacing)
    layout.setContentsMargins(margins, margins, margins, margins)
    for w in widgets:
        if w is None:
            layout.addStretch(1)
        else:
            layout.addWidget(w)
    return layout


def open_dialog(dlg: QDialog, on_accept: Callable[[Any], None] | None = None,
                name: str | None = None) -> QDialog:
    """Window-modal without a nested event loop; ``on_accept(dlg)`` after OK. Nested
    ``exec()`` loops let device and worker callbacks run inside a dialog's stack frame."""
    if name:
        dlg.setObjectName(name)
    if on_accept is not None:
        dlg.accepted.connect(lambda: on_accept(dlg))
    dlg.finished.connect(lambda _code: dlg.deleteLater())
    dlg.open()
    return dlg
