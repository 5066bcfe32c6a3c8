"""Keyboard-wedge scanners in the Qt till: scans become a signal, never typed text.

``ScanWedge`` is an application-wide event filter. While a burst of key presses
may still be a scan it holds them back, so the digits of a scanned code never
land in whatever line edit has the focus (the quantity field, a customer
search…). When ``drivers.scanner.wedge.WedgeClassifier`` decides it was a scan,
``scanned`` is emitted with the ``ScanData``; when it was a person typing, the
held presses are re-sent to the widget they were meant for, in order, so typing
works as before (delayed by at most ``max_gap_ms`` plus a few milliseconds).

    wedge = ScanWedge(WedgeConfig(min_length=6))
    wedge.install()
    wedge.scanned.connect(till.on_scan)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from drivers.kinds import ScanData
from drivers.scanner.wedge import Decision, Hold, Replay, Scanned, WedgeClassifier, WedgeConfig

_HOLD_MARGIN_MS = 15  # the timer fires this long after the gap that ends a burst
_NOT_TEXT = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
             | Qt.KeyboardModifier.MetaModifier)


@dataclass(eq=False)
class _Held:
    target: QObject
    press: QKeyEvent
    released: bool = False


class ScanWedge(QObject):
    """Event filter that turns wedge-scanner bursts into ``scanned(ScanData)``.

    ``clock`` returns seconds (monotonic); tests inject a fake one to make bursts
    fast or slow without sleeping.
    """

    scanned = Signal(object)  # ScanData

    def __init__(self, config: WedgeConfig | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.classifier = WedgeClassifier(config)
        self.clock = clock
        self._held: list[_Held] = []
        self._eat_release: dict[int, int] = {}  # key -> releases still to swallow
        self._replaying = False
        self._installed_on: QCoreApplication | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_pause)

    # --- installation ---
    def install(self, app: QCoreApplication | None = None) -> None:
        app = app or QCoreApplication.instance()
        if app is None:
            raise RuntimeError("create the QApplication before installing the scan wedge")
        app.installEventFilter(self)
        self._installed_on = app

    def uninstall(self) -> None:
        self._apply(self.classifier.interrupt())
        if self._installed_on is not None:
            self._installed_on.removeEventFilter(self)
            self._installed_on = None

    # --- the filter ---
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._replaying or not obj.isWidgetType():
            return False  # our own re-sent keys; window-level copies of key events
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._on_press(obj, event)
        if kind == QEvent.Type.KeyRelease:
            assert isinstance(event, QKeyEvent)
            return self._on_release(event)
        return False

    def _on_press(self, obj: QObject, event: QKeyEvent) -> bool:
        char = _char_of(event)
        if char is None:
            self._apply(self.classifier.interrupt())  # keep the typed order
            return False
        held = _Held(obj, QKeyEvent(event))
        self._held.append(held)
        decisions = self.classifier.feed(char, self.clock(), held)
        last = decisions[-1] if decisions else None
        if isinstance(last, Replay) and len(last.keys) == 1 and last.keys[0] is held:
            # Typing with nothing held before it: let the original event through.
            self._held.remove(held)
            self._apply(decisions[:-1])
            return False
        self._apply(decisions)
        return True

    def _on_release(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return False
        for held in self._held:
            if held.press.key() == event.key() and not held.released:
                held.released = True
                return True
        count = self._eat_release.get(event.key(), 0)
        if count:
            self._eat_release[event.key()] = count - 1
            return True
        return False

    def _on_pause(self) -> None:
        self._apply(self.classifier.flush())

    # --- decisions ---
    def _apply(self, decisions: list[Decision]) -> None:
        for decision in decisions:
            if isinstance(decision, Hold):
                wait = int(self.classifier.config.max_gap_ms) + _HOLD_MARGIN_MS
                self._timer.start(wait)
            elif isinstance(decision, Replay):
                self._timer.stop()
                self._replay([k for k in decision.keys if isinstance(k, _Held)])
            elif isinstance(decision, Scanned):
                self._timer.stop()
                for held in decision.keys:
                    if isinstance(held, _Held):
                        self._forget(held)
                        if not held.released:
                            key = held.press.key()
                            self._eat_release[key] = self._eat_release.get(key, 0) + 1
                self._emit(decision.scan)

    def _forget(self, held: _Held) -> None:
        if held in self._held:
            self._held.remove(held)

    def _replay(self, keys: list[_Held]) -> None:
        self._replaying = True
        try:
            for held in keys:
                self._forget(held)
                if not shiboken6.isValid(held.target):
                    continue  # the widget was closed while we held its key
                QCoreApplication.sendEvent(held.target, held.press)
                if held.released:
                    release = QKeyEvent(QEvent.Type.KeyRelease, held.press.key(),
                                        held.press.modifiers(), held.press.text())
                    QCoreApplication.sendEvent(held.target, release)
        finally:
            self._replaying = False

    def _emit(self, scan: ScanData) -> None:
        self.scanned.emit(scan)


def _char_of(event: QKeyEvent) -> str | None:
    """The character a press types, ``"\\r"`` for Enter; None for keys that are not text."""
    if event.isAutoRepeat() or event.modifiers() & _NOT_TEXT:
        return None
    if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        return "\r"
    text = event.text()
    if len(text) != 1 or not text.isprintable():
        return None
    return text
