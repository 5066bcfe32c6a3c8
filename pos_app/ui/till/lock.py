"""The lock screen: tap your name, type your PIN. Also the quick cashier switch."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QVBoxLayout, QWidget

from ...domain.users import User
from ..theme import set_icon
from ..widgets import Keypad, button, hbox, label, panel
from .session import TillSession, user_message


class LockScreen(QWidget):
    logged_in = Signal(object)  # User

    def __init__(self, session: TillSession, store_name: str, till_code: str) -> None:
        super().__init__()
        self.session = session
        self.setObjectName("lock_screen")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 30)
        title = label(store_name, "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sub = label(self.tr("Till %1 is locked. Tap your name and enter your PIN.")
                    .replace("%1", till_code), "muted")
        sub.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(title)
        outer.addWidget(sub)
        outer.addSpacing(16)

        box = panel()
        row = hbox(spacing=28, margins=24, parent=box)
        left = QVBoxLayout()
        left.addWidget(label(self.tr("Who are you?"), "subtitle"))
        self.users_grid = QGridLayout()
        self.users_grid.setSpacing(10)
        left.addLayout(self.users_grid)
        left.addStretch(1)
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setPlaceholderText(self.tr("or type your user name"))
        left.addWidget(self.username)
        row.addLayout(left, 3)

        right = QVBoxLayout()
        self.who = label(self.tr("PIN"), "subtitle")
        self.who.setObjectName("who")
        right.addWidget(self.who)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setProperty("role", "pin")
        self.pin.setMaxLength(12)
        right.addWidget(self.pin)
        self.message = label("", "error")
        self.message.setObjectName("login_error")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        pad = Keypad(decimal=False, double_zero=False, enter_text=self.tr("Unlock"))
        pad.attach(self.pin)
        right.addWidget(pad, 1)
        row.addLayout(right, 2)
        outer.addWidget(box, 1)

        self.pin.returnPressed.connect(self.submit)
        self.username.returnPressed.connect(self.pin.setFocus)
        self._buttons: list[QWidget] = []

    def refresh_users(self) -> None:
        self.session.users(self._show_users)

    def _show_users(self, users: list[User]) -> None:
        for b in self._buttons:
            b.deleteLater()
        self._buttons.clear()
        for i, user in enumerate(u for u in users if u.active):
            b = button(user.display_name, "user", name=f"user_{user.username}")
            set_icon(b, "user")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, u=user: self.choose(u.username, u.display_name))
            self.users_grid.addWidget(b, i // 3, i % 3)
            self._buttons.append(b)

    def choose(self, username: str, display: str = "") -> None:
        self.username.setText(username)
        for b in self._buttons:
            b.setProperty("checked", False)
            if hasattr(b, "setChecked"):
                b.setChecked(b.objectName() == f"user_{username}")
        self.who.setText(self.tr("PIN for %1").replace("%1", display or username))
        self.message.clear()
        self.pin.clear()
        self.pin.setFocus()

    def submit(self) -> None:
        username, pin = self.username.text().strip(), self.pin.text()
        if not username:
            self.message.setText(self.tr("Tap your name first."))
            return
        if not pin:
            self.message.setText(self.tr("Enter your PIN."))
            return
        self.pin.clear()
        self.message.setText(self.tr("Checking..."))
        self.session.login(username, pin, done=self._ok, failed=self._failed)

    def _ok(self, user: User) -> None:
        self.message.clear()
        self.logged_in.emit(user)

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(user_message(exc))
        self.pin.setFocus()

    def reset(self) -> None:
        self.pin.clear()
        self.message.clear()
        self.pin.setFocus()
