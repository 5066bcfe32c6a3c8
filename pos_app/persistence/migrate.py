"""Alembic, driven from code: upgrade at start after a backup, and the online backup itself."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..domain.errors import StateError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Search indexes are made by hand per dialect (FTS5 tables, a trigram index), not models."""
    if type_ == "table":
        return not (name or "").startswith("variant_search")
    return not (type_ == "index" and name == "ix_variants_name_trgm")


def alembic_config(engine: Engine, scripts: Path | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts or MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine, scripts: Path | None = None) -> str:
    head = ScriptDirectory.from_config(alembic_config(engine, scripts)).get_current_head()
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


def upgrade(engine: Engine, db_file: Path | None, backup_folder: Path | None,
            scripts: Path | None = None) -> Path | None:
    """Bring the schema to head; back up first if there is anything to migrate.

    All pending revisions run in one transaction (SQLite has transactional DDL), so
    a failing migration leaves the store exactly at its old revision.
    """
    current = current_revision(engine)
    head = head_revision(engine, scripts)
    if current == head:
        return None
    known = {r.revision for r in ScriptDirectory.from_config(
        alembic_config(engine, scripts)).walk_revisions()}
    if current is not None and current not in known:
        raise StateError(f"the store's schema ({current}) is newer than this version of pos "
                         "understands: install the newer version again or restore a backup")
    backup = None
    if current is not None and db_file is not None and backup_folder is not None:
        backup = timestamped_backup(db_file, backup_folder, f"before-{head}")
        log.info("backed up %s to %s before migrating %s -> %s", db_file, backup, current, head)
    command.upgrade(alembic_config(engine, scripts), "head")
    return backup
