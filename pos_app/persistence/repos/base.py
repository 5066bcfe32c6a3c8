"""Shared pieces of the repositories: the session, clock and a portable upsert."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, Table, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

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


class RepoBase:
    session: Session

    def _exec(self, clause: TextClause,
              params: dict[str, Any] | list[dict[str, Any]] | None = None) -> CursorResult[Any]:
        """Core execution of a prepared ``text()`` statement: compiled once, cached after."""
        return self.session.connection().execute(clause, params or {})

    def _insert(self, table: Table) -> Insert:
        """INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
        if self.session.get_bind().dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)
