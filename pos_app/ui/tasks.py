"""Service calls off the GUI thread, results back on it.

The till's event loop must never wait for the database, a device or the network,
so every service call goes through ``Tasks``:

- ``lane``: one thread, in order. Everything that changes the cart or writes a
  sale runs here, so scans are applied in the order they were made and the cart
  is only ever touched by one thread.
- ``pool``: a few threads for independent work: type-ahead search, printing,
  reports, back-office pages.

``run(fn, ..., done=, failed=)`` calls ``done(result)`` or ``failed(exc)`` on the
GUI thread through a queued signal. ``failed`` defaults to the owner's error
handler, which turns the exception into one sentence for the cashier.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from .gc_guard import GuiCollector

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Bridge(QObject):
    """Lives on the GUI thread; worker threads emit, Qt queues the call to the GUI thread."""

    deliver = Signal(object, object)  # callback, argument

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._call)

    @Slot(object, object)
    def _call(self, callback: Callable[[Any], None], arg: Any) -> None:
        try:
            callback(arg)
        except Exception:  # a bug in a screen must not take the till down
            log.exception("UI callback failed")


class Tasks(QObject):
    """The till's worker threads and the way back to the GUI thread."""

    busy_changed = Signal(int)  # tasks running or queued

    def __init__(self, on_error: Failed, pool_size: int = 4) -> None:
        super().__init__()
        self._bridge = _Bridge()
        self._lane = ThreadPoolExecutor(1, thread_name_prefix="till-lane")
        self._pool = ThreadPoolExecutor(pool_size, thread_name_prefix="till-pool")
        self._on_error = on_error
        self._lock = threading.Lock()
        self._running = 0
        self._closed = False
        self._busy_at = time.monotonic()  # when the workers last had work
        # no cyclic collection on the workers; full ones while they are quiet
        self.collector = GuiCollector(self, self._quiet_since)
        self.collector.start()

    # --- submitting ---
    def lane(self, fn: Callable[..., Any], *args: Any, done: Done | None = None,
             failed: Failed | None = None) -> Future[Any]:
        return self._submit(self._lane, fn, args, done, failed)

    def run(self, fn: Callable[..., Any], *args: Any, done: Done | None = None,
            failed: Failed | None = None) -> Future[Any]:
        return self._submit(self._pool, fn, args, done, failed)

    def to_gui(self, callback: Callable[[Any], None], arg: Any = None) -> None:
        """Call ``callback(arg)`` on the GUI thread (from any thread)."""
        self._bridge.deliver.emit(callback, arg)

    def _submit(self, executor: ThreadPoolExecutor, fn: Callable[..., Any],
                args: tuple[Any, ...], done: Done | None, failed: Failed | None
                ) -> Future[Any]:
        if self._closed:
            future: Future[Any] = Future()
            future.cancel()
            return future
        self._count(+1)

        def job() -> Any:
            try:
                result = fn(*args)
            except BaseException as exc:
                if not _expected(exc):
                    log.exception("task %s failed", getattr(fn, "__qualname__", fn))
                self.to_gui(failed or self._on_error, exc)
                raise
            else:
                if done is not None:
                    self.to_gui(done, result)
                return result
            finally:
                self.to_gui(lambda _: self._count(-1))

        return executor.submit(job)

    def _quiet_since(self) -> float:
        return time.monotonic() if self._running else self._busy_at

    def _count(self, delta: int) -> None:
        with self._lock:
            self._running += delta
            running = self._running
            self._busy_at = time.monotonic()
        if threading.current_thread() is threading.main_thread():
            self.busy_changed.emit(running)

    @property
    def running(self) -> int:
        with self._lock:
            return self._running

    def close(self, wait: bool = True) -> None:
        self._closed = True
        self._lane.shutdown(wait=wait, cancel_futures=True)
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self.collector.stop()


def _expected(exc: BaseException) -> bool:
    """Refusals the cashier is told about are not bugs: they are not logged as errors."""
    from ..domain.errors import PosError
    from ..services.ports import DeviceUnavailable

    return isinstance(exc, (PosError, DeviceUnavailable))
