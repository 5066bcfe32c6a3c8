"""Engine and sessions for the local store.

SQLite runs in WAL mode with ``synchronous=FULL`` so a committed sale survives a
power cut, and every write transaction starts with ``BEGIN IMMEDIATE`` so two
processes (till and ``pos sync run``) queue for the write lock instead of
failing half-way with SQLITE_BUSY.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, auto_checkpoint: bool = True) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _begin)
    cur = dbapi_connection.cursor()
    if not auto_checkpoint:  # a WalCheckpointer thread does it (persistence/checkpoint.py)
        cur.execute("PRAGMA wal_autocheckpoint=0")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()


def _begin(conn: Any) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url_or_path: str | Path, auto_checkpoint: bool = True) -> Engine:
    url = str(url_or_path)
    if "://" not in url:
        url = f"sqlite+pysqlite:///{Path(url).resolve()}"
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect",
                     lambda con, rec: _sqlite_pragmas(con, rec, auto_checkpoint))
        event.listen(engine, "begin", _begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


class SessionFactory:
    """Read sessions begin DEFERRED; write sessions take the write lock up front."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write = sessionmaker(writer, expire_on_commit=False)

    def __call__(self, write: bool = False) -> Session:
        return self._write() if write else self._read()
