"""The sync engine inside the till: a background thread, started and stopped with the till.

``pos sync run`` runs the same engine as a service on its own; both work on the
same store, and a lease per connector (kept in the store) lets only one engine send
at a time, so nothing goes out twice side by side. A connector that cannot start
(unmapped values, missing secret) is reported, not fatal: the till sells regardless.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from .app import App, build_sync_engine, sync_store

log = logging.getLogger(__name__)


@dataclass
class SyncWorker:
    app: App
    poll_s: float = 1.0
    problem: str | None = None  # why the engine did not start, for the status bar
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> bool:
        """Start if any connector is configured; False (with ``problem``) otherwise."""
        if not [c for c in sync_store(self.app).connectors() if c.enabled]:
            return False
        try:
            engine = build_sync_engine(self.app)
        except Exception as exc:
            self.problem = str(exc)
            log.warning("sync did not start in the till: %s", exc)
            return False

        def loop() -> None:
            try:
                engine.run_forever(self._stop, self.poll_s)
            finally:
                engine.close()

        self._thread = threading.Thread(target=loop, name="sync-engine", daemon=True)
        self._thread.start()
        log.info("sync engine running in the till")
        return True

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
