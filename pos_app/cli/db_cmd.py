"""``pos db backup --daily``, ``pos db restore FILE``, ``pos db status``; and what a
long-running process keeps while it has the store open (the lock, the daily backup)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..app import App, open_database
from ..paths import backup_dir, data_dir, db_path
from ..persistence.backups import (
    DailyBackups,
    StoreLock,
    daily_backup,
    daily_backups,
    has_store,
    inspect_backup,
    restore,
)
from ..persistence.db import make_engine
from ..persistence.migrate import alembic_config, current_revision, head_revision

log = logging.getLogger(__name__)
Out = Callable[[str], None]


def keep_days(app: App) -> int:
    return int(app.settings.all().get("backup_keep_days") or 14)


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    engine = make_engine("sqlite://")
    try:
        return {r.revision for r in ScriptDirectory.from_config(
            alembic_config(engine)).walk_revisions()}
    finally:
        engine.dispose()


def cmd_db_more(ns: argparse.Namespace, out: Out) -> int:
    base = data_dir(ns.data_dir)
    if ns.action == "status":
        return _status(base, ns.quiet, out)
    if ns.action == "restore":
        return _restore(base, Path(ns.file), out)
    # backup --daily
    _base, engine, _store = open_database(base)
    engine.dispose()
    if ns.keep is not None:
        keep = ns.keep
    else:
        from ..app import open_app

        app = open_app(base, terminal=None)
        try:
            keep = keep_days(app)
        finally:
            app.close()
    made = daily_backup(db_path(base), backup_dir(base), keep)
    days = daily_backups(backup_dir(base))
    out((f"daily backup written to {made}" if made else "today's backup exists already") +
        f"; {len(days)} daily backup(s) kept (up to {keep} days)")
    return 0


def _status(base: Path, quiet: bool, out: Out) -> int:
    db = db_path(base)
    if not has_store(db):
        if not quiet:
            out(f"no store in {base} yet: open the till (`pos till`) to set one up, "
                "or run `pos init`")
        return 1
    if quiet:
        return 0
    info = inspect_backup(db)
    engine = make_engine(db)
    try:
        revision, head = current_revision(engine), head_revision(engine)
    finally:
        engine.dispose()
    days = daily_backups(backup_dir(base))
    out(f"store {info.store} till {info.till} in {db} ({db.stat().st_size // 1024} KiB, "
        f"{info.sales} sales)")
    out(f"schema {revision}" + ("" if revision == head else
                                f" (this version uses {head}: `pos db upgrade`)"))
    out(f"daily backups: {len(days)}" + (f", newest {days[-1][1]}" if days else ""))
    return 0


def _restore(base: Path, backup: Path, out: Out) -> int:
    db = db_path(base)
    backup = backup.resolve()
    info = inspect_backup(backup)  # before anything else: a bad file changes nothing
    with StoreLock(base, exclusive=True).acquire(wait=False):
        kept = restore(backup, db, backup_dir(base), known_revisions())
    # the usual start: migrate to this version's schema (after a backup) if older
    _base, engine, _store = open_database(base)
    engine.dispose()
    out(f"restored store {info.store} till {info.till} ({info.sales} sales) from {backup}")
    if kept != db:
        out(f"the database it replaced is kept as {kept}")
    return 0


@dataclass
class ServiceGuards:
    lock: StoreLock
    backups: DailyBackups

    def close(self) -> None:
        self.backups.stop()
        self.lock.release()


def service_guards(app: App) -> ServiceGuards:
    """For the till and ``pos sync run``: hold the store lock (a restore then waits for
    them to close) and make the daily backup while running."""
    lock = StoreLock(app.data_dir).acquire()
    backups = DailyBackups(db_path(app.data_dir), backup_dir(app.data_dir),
                           lambda: keep_days(app)).start()
    return ServiceGuards(lock, backups)
