"""Cyclic garbage is collected on the GUI thread only, while the till's workers run.

Python's cyclic collector runs on whichever thread allocates when a generation's
threshold is crossed. In the till that is often a worker thread (SQLAlchemy allocates
a lot), and a cycle it frees may hold Qt objects, which must be destroyed on the
thread that owns them: a crash, seen once under load in a collection on the lane
thread. The usual cure in Qt applications: automatic collection off while workers run
beside the GUI, and a timer on the GUI thread that collects as the thresholds say.
Reference counting still frees everything that is not in a cycle at once.
"""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250

_lock = threading.Lock()
_holders = 0
_was_enabled = True


def _hold() -> None:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1


def _unhold() -> None:
    global _holders
    with _lock:
        _holders -= 1
        if _holders == 0 and _was_enabled:
            gc.enable()


class GuiCollector(QObject):
    """Started by each ``Tasks``; automatic collection is back on when the last stops."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.collections = 0
        self._release: weakref.finalize[Any, Any] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        if self._release is not None:
            return
        _hold()
        # released by stop(), or when this object goes away without it (never leaves the
        # automatic collector off for good)
        self._release = weakref.finalize(self, _unhold)
        self._timer.start()

    def stop(self) -> None:
        if self._release is None:
            return
        self._timer.stop()
        self.collect()
        self._release()
        self._release = None

    def collect(self) -> None:
        """What the automatic collector would have done by now, oldest generation due."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return
        gc.collect(2 if c2 > t2 else 1 if c1 > t1 else 0)
        self.collections += 1
