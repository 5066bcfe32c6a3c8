"""Outbox events and the hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ...domain.audit import GENESIS, AuditRow, entry_hash
from ...domain.ids import new_id_str
from ..models import AuditEntry, AuditHead
from .base import RepoBase, dumps, sql, utcnow

INSERT_EVENT = sql(
    "INSERT INTO outbox (id, type, schema_version, aggregate_type, aggregate_id, payload,"
    " created_at) VALUES (:id, :type, :v, :agg_type, :agg_id, :payload, :at)", "at")
AUDIT_HEAD = sql("SELECT seq, hash FROM audit_heads WHERE chain = :chain")
INSERT_AUDIT = sql(
    "INSERT INTO audit_log (chain, seq, id, at, actor_id, action, subject, details, prev_hash,"
    " hash) VALUES (:chain, :seq, :id, :at, :actor, :action, :subject, :details, :prev, :hash)")
UPSERT_HEAD = sql(
    "INSERT INTO audit_heads (chain, seq, hash) VALUES (:chain, :seq, :hash)"
    " ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")


class JournalRepo(RepoBase):
    def add_event(
        self, event_type: str, aggregate_type: str, aggregate_id: str, payload: dict[str, Any],
        schema_version: int = 1,
    ) -> str:
        event_id = new_id_str()
        self._exec(INSERT_EVENT, {"id": event_id, "type": event_type, "v": schema_version,
                                  "agg_type": aggregate_type, "agg_id": aggregate_id,
                                  "payload": dumps(payload), "at": utcnow()})
        return event_id

    def append_audit(
        self, chain: str, actor_id: str | None, action: str, subject: str | None,
        details: dict[str, Any],
    ) -> None:
        head = self._exec(AUDIT_HEAD, {"chain": chain}).first()
        seq = 1 if head is None else head[0] + 1
        prev = GENESIS if head is None else head[1]
        entry_id = new_id_str()
        at = utcnow().isoformat()
        text = dumps(details)
        digest = entry_hash(prev, chain, seq, entry_id, at, actor_id, action, subject, text)
        self._exec(INSERT_AUDIT, {"chain": chain, "seq": seq, "id": entry_id, "at": at,
                                  "actor": actor_id, "action": action, "subject": subject,
                                  "details": text, "prev": prev, "hash": digest})
        self._exec(UPSERT_HEAD, {"chain": chain, "seq": seq, "hash": digest})

    def audit_chains(self) -> dict[str, tuple[int, str] | None]:
        chains: dict[str, tuple[int, str] | None] = {
            c: None for c in self.session.scalars(select(AuditEntry.chain).distinct())
        }
        for head in self.session.scalars(select(AuditHead)):
            chains[head.chain] = (head.seq, head.hash)
        return chains

    def audit_rows(self, chain: str) -> Iterator[AuditRow]:
        stmt = select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.seq)
        for e in self.session.scalars(stmt.execution_options(yield_per=1000)):
            yield AuditRow(e.chain, e.seq, e.id, e.at, e.actor_id, e.action, e.subject,
                           e.details, e.prev_hash, e.hash)
