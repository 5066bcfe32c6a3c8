"""One serialized I/O worker per device.

Every call to a device runs on that device's own thread, one at a time, and
comes back as a ``Future``. The till never waits on a device: it attaches a
callback (marshalled onto the Qt thread by the UI) or polls. A call that runs
past its deadline fails its future with ``DeviceTimeout`` even while the thread
is still stuck in the I/O, so a hung printer cannot freeze the counter; the
device object can then be reset, which abandons the stuck thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from typing import Any, TypeVar

from .errors import DeviceTimeout, IllegalState

log = logging.getLogger(__name__)
T = TypeVar("T")

_STOP = object()


class DeviceWorker:
    def __init__(self, name: str, default_timeout: float = 10.0) -> None:
        self.name = name
        self.default_timeout = default_timeout
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self.hung = False

    def submit(self, fn: Callable[..., T], *args: Any, timeout: float | None = None,
               **kwargs: Any) -> Future[T]:
        """Queue ``fn`` for the device thread. ``timeout`` covers waiting and running."""
        future: Future[T] = Future()
        with self._lock:
            if self._stopped:
                future.set_exception(IllegalState(f"{self.name}: device worker is stopped"))
                return future
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=f"device:{self.name}",
                                                daemon=True)
                self._thread.start()
        limit = self.default_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit if limit > 0 else None
        if deadline is not None:
            timer = threading.Timer(limit, self._expire, (future, limit))
            timer.daemon = True
            timer.start()
            future.add_done_callback(lambda _f: timer.cancel())
        self._queue.put((future, fn, args, kwargs, deadline))
        return future

    def _expire(self, future: Future[Any], limit: float) -> None:
        try:
            future.set_exception(DeviceTimeout(f"{self.name}: no answer within {limit:g} s",
                                               device=self.name))
        except InvalidStateError:
            return
        self.hung = True
        log.warning("device %s: call timed out after %.1f s", self.name, limit)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args, kwargs, deadline = item
            try:
                if not future.set_running_or_notify_cancel():
                    continue  # cancelled by the caller
            except RuntimeError:
                continue  # failed by its timer while it waited
            if deadline is not None and time.monotonic() > deadline:
                continue  # already failed by its timer
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the caller
                try:
                    future.set_exception(exc)
                except InvalidStateError:
                    log.info("device %s: late failure after timeout: %s", self.name, exc)
            else:
                try:
                    future.set_result(result)
                    self.hung = False
                except InvalidStateError:
                    log.info("device %s: late answer after timeout dropped", self.name)

    def stop(self) -> None:
        """Let queued work finish, then end the thread (without waiting for a hung one)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._queue.put(_STOP)

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
