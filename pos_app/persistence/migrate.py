"""Alembic, driven from code: upgrade at start after a backup, and the online backup itself."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    assert head is not None
    return head


def online_backup(db_file: Path, target: Path) -> Path:
    """Consistent copy while other connections keep writing (SQLite backup API)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    src = sqlite3.connect(str(db_file))
    try:
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    tmp.replace(target)  # a half-written backup never carries the final name
    return target


def timestamped_backup(db_file: Path, folder: Path, tag: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return online_backup(db_file, folder / f"pos-{stamp}-{tag}.sqlite3")


def upgrade(engine: Engine, db_file: Path | None, backup_folder: Path | None) -> Path | None:
    """Bring the schema to head; back up first if there is anything to migrate."""
    current = current_revision(engine)
    head = head_revision(engine)
    if current == head:
        return None
    backup = None
    if current is not None and db_file is not None and backup_folder is not None:
        backup = timestamped_backup(db_file, backup_folder, f"before-{head}")
        log.info("backed up %s to %s before migrating %s -> %s", db_file, backup, current, head)
    command.upgrade(alembic_config(engine), "head")
    return backup
