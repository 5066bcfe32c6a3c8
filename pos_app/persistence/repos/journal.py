"""Outbox events and the hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select

from ...domain.audit import GENESIS, AuditRow, entry_hash
from ...domain.ids import new_id_str
from ..models import AuditEntry, AuditHead, OutboxEvent
from .base import RepoBase, dumps, utcnow


class JournalRepo(RepoBase):
    def add_event(
        self, event_type: str, aggregate_type: str, aggregate_id: str, payload: dict[str, Any],
        schema_version: int = 1,
    ) -> str:
        event_id = new_id_str()
        self.session.execute(insert(OutboxEvent).values(
            id=event_id, type=event_type, schema_version=schema_version,
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, payload=dumps(payload),
            created_at=utcnow()))
        return event_id

    def append_audit(
        self, chain: str, actor_id: str | None, action: str, subject: str | None,
        details: dict[str, Any],
    ) -> None:
        head = self.session.get(AuditHead, chain)
        seq = 1 if head is None else head.seq + 1
        prev = GENESIS if head is None else head.hash
        entry_id = new_id_str()
        at = utcnow().isoformat()
        text = dumps(details)
        digest = entry_hash(prev, chain, seq, entry_id, at, actor_id, action, subject, text)
        self.session.execute(insert(AuditEntry).values(
            chain=chain, seq=seq, id=entry_id, at=at, actor_id=actor_id, action=action,
            subject=subject, details=text, prev_hash=prev, hash=digest))
        if head is None:
            self.session.add(AuditHead(chain=chain, seq=seq, hash=digest))
        else:
            head.seq, head.hash = seq, digest
        self.session.flush()

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
