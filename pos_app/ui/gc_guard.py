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
import time
import weakref
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250
QUIET_S = 2.0  # a full collection waits for this long without work on the workers
FULL_AT_LEAST_S = 600.0  # unless none has run for this long

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

    def __init__(self, parent: QObject | None = None,
                 quiet_since: Callable[[], float] | None = None) -> None:
        """``quiet_since``: when the workers last had work (monotonic seconds)."""
        super().__init__(parent)
        self.collections = 0
        self.full_collections = 0
        self._quiet_since = quiet_since or time.monotonic
        self._last_full = time.monotonic()
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
        """The young generations as their thresholds say. A full collection (over the
        whole heap: 100-200 ms in a till on a large store) only once the workers have
        been idle for ``QUIET_S``, i.e. not while a cashier scans, or when none has run
        for ``FULL_AT_LEAST_S``; CPython's own rule also keeps full ones rare."""
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        now = time.monotonic()
        if c2 > t2 and (now - self._quiet_since() >= QUIET_S
                        or now - self._last_full >= FULL_AT_LEAST_S):
            gc.collect(2)
            self._last_full = now
            self.full_collections += 1
        elif c0 > t0:
            gc.collect(1 if c1 > t1 else 0)
        else:
            return
        self.collections += 1
