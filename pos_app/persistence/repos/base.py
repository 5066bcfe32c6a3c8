"""Shared pieces of the repositories: the session, clock and a portable upsert."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, TextClause, bindparam, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TextualSelect

from ..models import UTCDateTime


def sql(statement: str, *times: str) -> TextClause:
    """A prepared statement; ``times`` name the parameters holding aware UTC datetimes."""
    clause = text(statement)
    if times:
        clause = clause.bindparams(*(bindparam(t, type_=UTCDateTime()) for t in times))
    return clause


def utcnow() -> datetime:
    return datetime.now(UTC)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sqlite_value(value: Any) -> Any:
    """What SQLAlchemy's SQLite DateTime would store: naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _sqlite_params(
    params: dict[str, Any] | list[dict[str, Any]] | None,
) -> dict[str, Any] | list[dict[str, Any]]:
    if params is None:
        return {}
    if isinstance(params, list):
        return [{k: _sqlite_value(v) for k, v in p.items()} for p in params]
    return {k: _sqlite_value(v) for k, v in params.items()}


class RepoBase:
    session: Session
    _conn: Connection | None = None

    def _connection(self) -> Connection:
        """The transaction's connection, looked up once (the first call begins the tx)."""
        if self._conn is None:
            self._conn = self.session.connection()
        return self._conn

    def _exec(self, clause: TextClause | TextualSelect,
              params: dict[str, Any] | list[dict[str, Any]] | None = None) -> CursorResult[Any]:
        """Run a prepared statement.

        On SQLite plain ``text()`` goes straight to the driver (same SQL, ``:name``
        parameters): a sale runs over a dozen of them and compiling each costs more
        than SQLite needs to execute it. Typed selects and other databases take the
        compiled path.
        """
        conn = self._connection()
        if isinstance(clause, TextClause) and conn.dialect.name == "sqlite":
            return conn.exec_driver_sql(clause.text, _sqlite_params(params))
        return conn.execute(clause, params or {})
