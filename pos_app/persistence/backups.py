"""Backups in the field: a daily copy with rotation, restoring one, and the store lock.

- ``daily_backup`` makes at most one consistent online copy per day
  (``backups/pos-daily-YYYYMMDD.sqlite3``) and deletes daily copies older than
  ``keep_days``; copies made before a migration or a restore, and manual ones, are kept.
  The till and ``pos sync run`` call it once a day (``DailyBackups``), and the
  package's systemd timer runs ``pos db backup --daily``.
- ``StoreLock``: every long-running process on a store (the till, ``pos sync run``)
  holds a shared lock on ``pos.lock`` in the data directory; ``restore`` needs it
  exclusively, so it refuses while a till has the store open.
- ``restore`` checks the file first (SQLite's integrity check, a store inside, a schema
  this version knows), keeps a consistent copy of the current database aside, and then
  swaps the file in whole; the caller migrates it to the current schema (after another
  backup) by opening it as usual.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import IO

from ..domain.errors import StateError, ValidationError
from .migrate import online_backup, timestamped_backup

log = logging.getLogger(__name__)
DAILY = re.compile(r"^pos-daily-(\d{8})\.sqlite3$")
LOCK_NAME = "pos.lock"


# ----- the store lock --------------------------------------------------------------------
class StoreInUse(StateError):
    """Another process holds the store open (a till, ``pos sync run``)."""


class StoreLock:
    """An advisory lock on ``pos.lock`` in the data directory: shared for processes
    that keep the store open, exclusive for a restore. POSIX ``flock``; on Windows the
    database file itself cannot be replaced while another process has it open."""

    def __init__(self, data_dir: Path, exclusive: bool = False) -> None:
        self.path = data_dir / LOCK_NAME
        self.exclusive = exclusive
        self._file: IO[str] | None = None

    def acquire(self, wait: bool = True) -> StoreLock:
        self._file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open
        if sys.platform != "win32":
            import fcntl

            mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
            try:
                fcntl.flock(self._file.fileno(), mode | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                self._file.close()
                self._file = None
                raise StoreInUse("the store is open in a till or in `pos sync run`: close "
                                 "the till and stop the sync service first") from None
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


# ----- daily backups ---------------------------------------------------------------------
def daily_backups(folder: Path) -> list[tuple[date, Path]]:
    out = []
    for path in folder.glob("pos-daily-*.sqlite3"):
        m = DAILY.match(path.name)
        if m:
            out.append((datetime.strptime(m.group(1), "%Y%m%d").date(), path))
    return sorted(out)


def daily_backup(db_file: Path, folder: Path, keep_days: int,
                 today: date | None = None) -> Path | None:
    """Today's backup if there is none yet (else None); then rotation: daily copies
    older than ``keep_days`` days go. Nothing else in the folder is touched."""
    if keep_days < 1:
        raise ValidationError("keep at least one day of backups")
    day = today or datetime.now().astimezone().date()
    target = folder / f"pos-daily-{day:%Y%m%d}.sqlite3"
    made = None
    if not target.exists() and db_file.exists():
        made = online_backup(db_file, target)
        log.info("daily backup written to %s", made)
    oldest = day - timedelta(days=keep_days - 1)
    for when, path in daily_backups(folder):
        if when < oldest:
            path.unlink(missing_ok=True)
            log.info("daily backup %s removed (keeping %d days)", path.name, keep_days)
    return made


@dataclass
class DailyBackups:
    """A thread that runs ``daily_backup`` now and then every ``interval_s`` (the day
    turns over while a till runs for weeks). Failures are logged, never raised."""

    db_file: Path
    folder: Path
    keep_days: Callable[[], int]
    interval_s: float = 3600.0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> DailyBackups:
        self._thread = threading.Thread(target=self._run, name="daily-backup", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while True:  # the first check always runs, even when stopped at once
            try:
                daily_backup(self.db_file, self.folder, self.keep_days())
            except Exception:
                log.exception("daily backup of %s failed", self.db_file)
            self.runs += 1
            if self._stop.wait(self.interval_s):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)


# ----- restore ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BackupInfo:
    revision: str | None
    store: str | None
    till: str | None
    sales: int


def inspect_backup(path: Path) -> BackupInfo:
    """Check a backup before it replaces anything: readable, intact, holds a store."""
    if not path.is_file():
        raise ValidationError(f"{path} does not exist")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ValidationError(f"{path} cannot be opened: {exc}") from None
    try:
        check = con.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise ValidationError(f"{path} is damaged (SQLite integrity check: "
                                  f"{'; '.join(r[0] for r in check[:3])})")
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE "
                                            "type='table'")}
        if not {"alembic_version", "stores", "tills", "settings"} <= tables:
            raise ValidationError(f"{path} is not a pos-app store")
        revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        store = con.execute("SELECT code FROM stores LIMIT 1").fetchone()
        till = con.execute("SELECT code FROM tills LIMIT 1").fetchone()
        sales = con.execute("SELECT count(*) FROM sales").fetchone()[0] \
            if "sales" in tables else 0
    except sqlite3.DatabaseError as exc:
        raise ValidationError(f"{path} is damaged or not a SQLite database ({exc})") from None
    finally:
        con.close()
    if store is None or till is None:
        raise ValidationError(f"{path} holds no store")
    return BackupInfo(revision[0] if revision else None, store[0], till[0], int(sales))


def restore(backup: Path, db_file: Path, folder: Path, known_revisions: set[str]) -> Path:
    """Replace the store with ``backup``; returns the copy of the database it replaced.

    The caller holds the exclusive ``StoreLock``. Order: check the backup, copy the
    current database aside (a consistent online copy), copy the backup next to the
    store, fold the current WAL away, then rename over the store in one step."""
    info = inspect_backup(backup)
    if info.revision not in known_revisions:
        raise StateError(f"{backup} was made by a newer version of pos (schema "
                         f"{info.revision}): install that version to restore it")
    kept = timestamped_backup(db_file, folder, "before-restore") if db_file.exists() else None
    part = db_file.with_name(db_file.name + ".restore.part")
    online_backup(backup, part)  # writes a journal_mode=DELETE copy, then renames
    if db_file.exists():
        con = sqlite3.connect(str(db_file))
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    for suffix in ("-wal", "-shm"):  # a WAL must never be applied to another database
        Path(str(db_file) + suffix).unlink(missing_ok=True)
    os.replace(part, db_file)
    if sys.platform != "win32":
        fd = os.open(db_file.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    log.info("restored %s from %s (store %s till %s, %d sales; previous database kept "
             "as %s)", db_file, backup, info.store, info.till, info.sales, kept)
    return kept if kept is not None else db_file


def has_store(db_file: Path) -> bool:
    """Does ``db_file`` hold a store (without creating or migrating anything)?"""
    if not db_file.is_file():
        return False
    try:
        con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        row = con.execute("SELECT value FROM settings WHERE key='till_id'").fetchone()
        return row is not None
    except sqlite3.Error:
        return False
    finally:
        con.close()
