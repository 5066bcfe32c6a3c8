"""WAL checkpoints off the sale path.

SQLite's automatic checkpoint runs inside whichever commit pushes the WAL past
1000 pages, so every fiftieth sale or so waited ~15 ms for pages to be copied and
the database file to be synced. A till process turns the automatic checkpoint off
on its own connections and lets this thread do passive checkpoints instead; other
processes on the same file keep SQLite's default.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from .db import BUSY_TIMEOUT_MS

log = logging.getLogger(__name__)


class WalCheckpointer:
    def __init__(self, db_file: Path, interval_s: float = 1.0) -> None:
        self._path = db_file
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self, con: sqlite3.Connection) -> None:
        busy, frames, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if busy:
            log.debug("checkpoint busy: %s of %s frames copied", done, frames)

    def _run(self) -> None:
        con = sqlite3.connect(self._path, isolation_level=None,
                              timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            while not self._stop.wait(self._interval):
                try:  # cheap when there is nothing new in the WAL
                    self._checkpoint(con)
                except sqlite3.Error:  # never let the thread die; the next round retries
                    log.exception("WAL checkpoint failed")
            self._checkpoint(con)
        finally:
            con.close()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
