"""Prints the queue in the background and keeps retrying while jobs wait.

The till queues a receipt and calls ``notify()``; this thread prints it. When the
printer cannot (paper out, cover open, unplugged), the job stays pending and the
worker tries again with a growing pause (1 s up to 30 s), so the receipt comes
out by itself once the roll is changed — nobody has to press "retry".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..services.printing import PrintRun, PrintService

log = logging.getLogger(__name__)


class PrintWorker:
    def __init__(self, printing: PrintService, on_run: Callable[[PrintRun], None] | None = None,
                 first_retry: float = 1.0, max_retry: float = 30.0) -> None:
        self.printing = printing
        self.on_run = on_run
        self.first_retry, self.max_retry = first_retry, max_retry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_run: PrintRun | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="print-queue", daemon=True)
            self._thread.start()
            self._wake.set()  # jobs left from before a restart print first

    def notify(self) -> None:
        """Something was queued (or the printer may be back): print now."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        pause: float | None = None  # None: wait until notified
        while not self._stop.is_set():
            self._wake.wait(pause)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                run = self.printing.print_pending()
            except Exception:
                log.exception("print queue run failed")
                run = PrintRun(error="print queue run failed", error_code="failure",
                               pending=1)
            self.last_run = run
            if self.on_run is not None:
                try:
                    self.on_run(run)
                except Exception:
                    log.exception("print queue listener failed")
            if run.pending:
                pause = self.first_retry if pause is None else min(pause * 2, self.max_retry)
            else:
                pause = None
