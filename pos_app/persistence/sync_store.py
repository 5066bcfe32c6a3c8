"""The sync engine's ``SyncStore`` port over the local store: one transaction per call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sync.model import (
    ConnectorConfig,
    ConnectorFacts,
    ConnectorStatus,
    DeadLetter,
    Delivery,
    Reconciliation,
    RoundOutcome,
)

from .store import SqlStore


class SqlSyncStore:
    def __init__(self, store: SqlStore, audit_chain: str) -> None:
        self._store = store
        self._chain = audit_chain

    def connectors(self) -> list[ConnectorConfig]:
        with self._store.tx() as tx:
            return tx.sync_connectors()

    def add_connector(self, config: ConnectorConfig, from_start: bool = False) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_add_connector(config, from_start)
            tx.append_audit(self._chain, None, "connector_added", config.name,
                            {"type": config.type, "settings": config.settings,
                             "from_start": from_start})
            tx.commit()

    def remove_connector(self, name: str) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_remove_connector(name)
            tx.append_audit(self._chain, None, "connector_removed", name, {})
            tx.commit()

    def enqueue(self, connector: str, settled_before: datetime, limit: int) -> int:
        with self._store.tx() as tx:  # an idle poll stays a read: no write lock taken
            if not tx.sync_has_new(connector, settled_before):
                return 0
        with self._store.tx(write=True) as tx:
            n = tx.sync_enqueue(connector, settled_before, limit)
            tx.commit()
        return n

    def due(self, connector: str, now: datetime, limit: int) -> list[Delivery]:
        with self._store.tx() as tx:
            return tx.sync_due(connector, now, limit)

    def claim(self, connector: str, now: datetime, limit: int) -> list[Delivery]:
        with self._store.tx() as tx:  # an idle poll stays a read: no write lock taken
            if not tx.sync_due(connector, now, 1):
                return []
        with self._store.tx(write=True) as tx:
            due = tx.sync_claim(connector, now, limit)
            tx.commit()
        return due

    def finish(self, connector: str, outcome: RoundOutcome, at: datetime,
               runtime: dict[str, Any] | None = None) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_finish(connector, outcome, at)
            if runtime is not None:
                tx.sync_save_runtime(connector, runtime)
            tx.commit()

    def plan(self, connector: str, plans: list[tuple[str, str]]) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_plan(connector, plans)
            tx.commit()

    def planned(self, connector: str) -> dict[str, int]:
        with self._store.tx() as tx:
            return tx.sync_planned(connector)

    def runtime(self, connector: str) -> dict[str, Any]:
        with self._store.tx() as tx:
            return tx.sync_runtime(connector)

    def save_runtime(self, connector: str, runtime: dict[str, Any]) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_save_runtime(connector, runtime)
            tx.commit()

    def take(self, connector: str, owner: dict[str, Any],
             may_replace: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        with self._store.tx(write=True) as tx:
            record = tx.sync_runtime(connector)
            current = record.get("owner")
            mine = bool(current) and current.get("id") == owner["id"]
            if current and not mine and not may_replace(current):
                return None
            if not mine:
                tx.sync_release(connector)  # claims a dead predecessor left behind
            record["owner"] = owner
            tx.sync_save_runtime(connector, record)
            tx.commit()
        return record

    def facts(self, now: datetime, connector: str | None = None) -> list[ConnectorFacts]:
        with self._store.tx() as tx:
            return tx.sync_facts(now, connector)

    def update_connector(self, name: str, settings: dict[str, Any], actor_id: str | None,
                         details: dict[str, Any]) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_update_connector(name, settings)
            tx.append_audit(self._chain, actor_id, "connector_changed", name, details)
            tx.commit()

    def requeue_all(self, connector: str | None, now: datetime) -> int:
        with self._store.tx(write=True) as tx:
            n = tx.sync_requeue_all(connector, now)
            tx.commit()
        return n

    def _mark(self, state: str, connector: str, event_id: str, **kw: Any) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_mark(state, connector, event_id, **kw)
            tx.commit()

    def delivered(self, connector: str, acks: list[tuple[str, str | None]],
                  at: datetime) -> None:
        with self._store.tx(write=True) as tx:
            tx.sync_delivered(connector, acks, at)
            tx.commit()

    def failed(self, connector: str, event_id: str, error: str,
               next_attempt_at: datetime) -> None:
        self._mark("failed", connector, event_id, error=error, next_attempt_at=next_attempt_at)

    def dead(self, connector: str, event_id: str, error: str) -> None:
        self._mark("dead", connector, event_id, error=error)

    def status(self) -> list[ConnectorStatus]:
        with self._store.tx() as tx:
            return tx.sync_status()

    def dead_letters(self, connector: str | None = None) -> list[DeadLetter]:
        with self._store.tx() as tx:
            return tx.sync_dead_letters(connector)

    def requeue(self, event_id: str, connector: str | None, now: datetime) -> int:
        with self._store.tx(write=True) as tx:
            n = tx.sync_requeue(event_id, connector, now)
            tx.commit()
        return n

    def skip(self, event_id: str, connector: str | None) -> int:
        with self._store.tx(write=True) as tx:
            n = tx.sync_skip(event_id, connector)
            tx.commit()
        return n

    def reconcile(self, connector: str, start: datetime, end: datetime) -> Reconciliation:
        with self._store.tx() as tx:
            return tx.sync_reconcile(connector, start, end)

    def audit(self, actor_id: str | None, action: str, subject: str,
              details: dict[str, Any]) -> None:
        with self._store.tx(write=True) as tx:
            tx.append_audit(self._chain, actor_id, action, subject, details)
            tx.commit()
