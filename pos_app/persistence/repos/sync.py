"""Sync delivery state next to the outbox (implements the engine's ``SyncStore`` queries)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sync.model import (
    ConnectorConfig,
    ConnectorFacts,
    ConnectorStatus,
    DeadLetter,
    Delivery,
    OutboxEvent,
    Reconciliation,
    RoundOutcome,
    ordering_key,
    ordering_keys,
)

from ..models import SYNC_BLOCKING, UTCDateTime
from .base import RepoBase, dumps, sql, utcnow

CONNECTORS = sql("SELECT name, type, settings, enabled FROM sync_connectors ORDER BY name")
ADD_CONNECTOR = sql(
    "INSERT INTO sync_connectors (name, type, settings, enabled, cursor, created_at)"
    " VALUES (:name, :type, :settings, :enabled, :cursor, :at)", "at")
LAST_EVENT = sql("SELECT MAX(id) FROM outbox")
CURSOR = sql("SELECT cursor FROM sync_connectors WHERE name = :name")
SET_CURSOR = sql("UPDATE sync_connectors SET cursor = :cursor WHERE name = :name")
NOT_QUEUED = ("NOT EXISTS (SELECT 1 FROM sync_deliveries d"
              " WHERE d.connector = :c AND d.event_id = o.id)")
NEW_EVENTS = sql(
    "SELECT o.id, o.type, o.schema_version, o.aggregate_type, o.aggregate_id, o.payload,"
    f" o.created_at FROM outbox o WHERE o.id > :cursor AND {NOT_QUEUED}"
    " ORDER BY o.id LIMIT :n").columns(created_at=UTCDateTime())
# The cursor may pass every event up to (not including) the first one that is either
# not queued yet or young enough that an older id could still commit after it.
FIRST_OPEN = sql(
    "SELECT MIN(o.id) FROM outbox o WHERE o.id > :cursor"
    f" AND (o.created_at >= :settled OR {NOT_QUEUED})", "settled")
LAST_BEFORE = sql("SELECT MAX(id) FROM outbox WHERE id > :cursor AND id < :stop")
LAST_ANY = sql("SELECT MAX(id) FROM outbox WHERE id > :cursor")
HAS_NEW = sql(
    "SELECT 1 FROM outbox o WHERE o.id > :cursor AND (o.created_at < :settled OR"
    f" {NOT_QUEUED}) LIMIT 1", "settled")
ENQUEUE = sql(
    "INSERT INTO sync_deliveries (connector, event_id, idempotency_key, aggregate, state,"
    " attempts, updated_at) VALUES (:c, :e, :k, :a, 'pending', 0, :at)"
    " ON CONFLICT (connector, event_id) DO NOTHING", "at")
ADD_KEY = sql("INSERT INTO sync_delivery_keys (connector, event_id, key) VALUES (:c, :e, :k)"
              " ON CONFLICT DO NOTHING")
# An event waits behind an earlier one of its aggregate that is dead or waiting for a
# retry (earlier due ones come first in this batch and the engine stops a key on
# failure) and shares one of its keys: a delivery without key rows holds back its whole
# aggregate, one with key rows (a stock movement) only the deliveries sharing a key.
# Blockers are found through the partial index (few rows), keys by primary key.
DUE = sql(
    "SELECT o.id, o.type, o.schema_version, o.aggregate_type, o.aggregate_id, o.payload,"
    " o.created_at, d.idempotency_key, d.attempts, d.aggregate, d.target_ref"
    " FROM sync_deliveries d JOIN outbox o ON o.id = d.event_id"
    " WHERE d.connector = :c AND d.state = 'pending'"
    " AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= :now)"
    " AND NOT EXISTS (SELECT 1 FROM sync_deliveries e WHERE e.connector = d.connector"
    "   AND e.aggregate = d.aggregate AND e.event_id < d.event_id"
    f"   AND ({SYNC_BLOCKING})"  # the partial index's condition, so the planner uses it
    "   AND (e.state = 'dead' OR (e.state = 'pending' AND e.next_attempt_at > :now))"
    "   AND (NOT EXISTS (SELECT 1 FROM sync_delivery_keys ek"
    "         WHERE ek.connector = e.connector AND ek.event_id = e.event_id)"
    "     OR EXISTS (SELECT 1 FROM sync_delivery_keys ek JOIN sync_delivery_keys dk"
    "         ON dk.connector = ek.connector AND dk.event_id = d.event_id AND dk.key = ek.key"
    "         WHERE ek.connector = e.connector AND ek.event_id = e.event_id)))"
    " ORDER BY d.event_id LIMIT :n", "now").columns(created_at=UTCDateTime())
DELIVERED = sql(
    "UPDATE sync_deliveries SET state = 'delivered', attempts = attempts + 1,"
    " target_ref = :ref, delivered_at = :at, updated_at = :at, next_attempt_at = NULL"
    " WHERE connector = :c AND event_id = :e", "at")
FAILED = sql(
    "UPDATE sync_deliveries SET state = 'pending', attempts = attempts + 1, last_error = :err,"
    " next_attempt_at = :next, updated_at = :at WHERE connector = :c AND event_id = :e",
    "next", "at")
# a dead member leaves its planned group: retried, it goes into a new one (never into a
# summary that was posted without it)
DEAD = sql(
    "UPDATE sync_deliveries SET state = 'dead', attempts = attempts + 1, last_error = :err,"
    " target_ref = NULL, updated_at = :at WHERE connector = :c AND event_id = :e", "at")
COUNTS = sql("SELECT connector, state, COUNT(*) FROM sync_deliveries GROUP BY connector, state")
LAST_OK = sql("SELECT connector, MAX(delivered_at) AS last_ok FROM sync_deliveries"
              " GROUP BY connector").columns(last_ok=UTCDateTime())
LAST_ERROR = sql(
    "SELECT d.connector, d.last_error FROM sync_deliveries d WHERE d.last_error IS NOT NULL"
    " AND d.updated_at = (SELECT MAX(x.updated_at) FROM sync_deliveries x"
    "   WHERE x.connector = d.connector AND x.last_error IS NOT NULL)")
DEAD_LETTERS = sql(
    "SELECT d.connector, d.event_id, o.type, d.attempts, d.last_error FROM sync_deliveries d"
    " JOIN outbox o ON o.id = d.event_id WHERE d.state = 'dead' ORDER BY d.event_id")
REQUEUE = sql(
    "UPDATE sync_deliveries SET state = 'pending', attempts = 0, next_attempt_at = :now,"
    " updated_at = :now WHERE event_id = :e AND (:c IS NULL OR connector = :c)"
    " AND state IN ('dead', 'pending')", "now")
SKIP = sql(
    "UPDATE sync_deliveries SET state = 'skipped', updated_at = :now WHERE event_id = :e"
    " AND (:c IS NULL OR connector = :c) AND state IN ('dead', 'pending')", "now")

# The engine's rounds: claimed rows are 'sending' (in flight) until the round's outcome
# is recorded; whatever a round claimed and did not attempt goes back to 'pending'.
CLAIM = sql("UPDATE sync_deliveries SET state = 'sending'"
            " WHERE connector = :c AND event_id = :e AND state = 'pending'")
HOLD = sql(
    "UPDATE sync_deliveries SET state = 'pending', next_attempt_at = :until, updated_at = :at"
    " WHERE connector = :c AND event_id = :e", "until", "at")
RELEASE = sql("UPDATE sync_deliveries SET state = 'pending'"
              " WHERE connector = :c AND state = 'sending'")
PLAN = sql("UPDATE sync_deliveries SET target_ref = :ref WHERE connector = :c"
           " AND event_id = :e AND state IN ('pending', 'sending')")
PLANNED = sql(
    "SELECT target_ref, COUNT(*) FROM sync_deliveries WHERE connector = :c"
    " AND state IN ('pending', 'sending') AND target_ref IS NOT NULL GROUP BY target_ref")
REQUEUE_ALL = sql(
    "UPDATE sync_deliveries SET state = 'pending', attempts = 0, next_attempt_at = :now,"
    " updated_at = :now WHERE (:c IS NULL OR connector = :c)"
    " AND (state = 'dead' OR (state = 'pending' AND attempts > 0))", "now")
UPDATE_CONNECTOR = sql("UPDATE sync_connectors SET settings = :settings WHERE name = :name")
RUNTIME = sql("SELECT value FROM settings WHERE key = :k")
SAVE_RUNTIME = sql(
    "INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, :at)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    "at")
DROP_RUNTIME = sql("DELETE FROM settings WHERE key = :k")
# health: only the rows still on their way (an index range, however long the history)
OPEN_COUNTS = sql("SELECT state, COUNT(*) FROM sync_deliveries WHERE connector = :c"
                  " AND state IN ('pending', 'sending', 'dead') GROUP BY state")
WAITING = sql(
    "SELECT SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN attempts = 0 AND next_attempt_at > :now THEN 1 ELSE 0 END),"
    " MIN(CASE WHEN attempts > 0 OR next_attempt_at IS NULL OR next_attempt_at <= :now"
    "   THEN event_id END)"
    " FROM sync_deliveries WHERE connector = :c AND state IN ('pending', 'sending')", "now")
UNQUEUED = sql(f"SELECT COUNT(*), MIN(o.id) FROM outbox o WHERE o.id > :cursor AND {NOT_QUEUED}")
CREATED = sql("SELECT created_at FROM outbox WHERE id = :id").columns(created_at=UTCDateTime())


def runtime_key(connector: str) -> str:
    """Where the engine keeps a connector's runtime record (owner, breaker, alerts):
    the settings table, which the store's settings service never lists."""
    return f"sync.runtime.{connector}"


RECONCILE = sql(
    "SELECT s.receipt_no, s.total, d.state, d.last_error FROM sales s"
    " JOIN outbox o ON o.aggregate_id = s.id AND o.type IN"
    "   ('sale.completed', 'refund.completed', 'exchange.completed')"
    " LEFT JOIN sync_deliveries d ON d.event_id = o.id AND d.connector = :c"
    " WHERE s.completed_at >= :start AND s.completed_at < :end ORDER BY s.receipt_no",
    "start", "end")


def _event(row: Any) -> OutboxEvent:
    return OutboxEvent(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])


class SyncRepo(RepoBase):
    def sync_connectors(self) -> list[ConnectorConfig]:
        return [ConnectorConfig(r[0], r[1], json.loads(r[2]), bool(r[3]))
                for r in self._exec(CONNECTORS)]

    def sync_add_connector(self, config: ConnectorConfig, from_start: bool) -> None:
        cursor = None if from_start else self._exec(LAST_EVENT).scalar()
        self._exec(ADD_CONNECTOR, {"name": config.name, "type": config.type,
                                   "settings": dumps(config.settings),
                                   "enabled": config.enabled, "cursor": cursor or "",
                                   "at": utcnow()})

    def sync_remove_connector(self, name: str) -> None:
        self._exec(DROP_RUNTIME, {"k": runtime_key(name)})
        self._exec(sql("DELETE FROM sync_delivery_keys WHERE connector = :n"), {"n": name})
        self._exec(sql("DELETE FROM sync_deliveries WHERE connector = :n"), {"n": name})
        self._exec(sql("DELETE FROM sync_connectors WHERE name = :n"), {"n": name})

    def sync_has_new(self, connector: str, settled_before: datetime) -> bool:
        """Anything for enqueue to do: events not yet queued, or a cursor that can move."""
        cursor = self._exec(CURSOR, {"name": connector}).scalar() or ""
        return self._exec(HAS_NEW, {"cursor": cursor, "c": connector,
                                    "settled": settled_before}).first() is not None

    def sync_enqueue(self, connector: str, settled_before: datetime, limit: int) -> int:
        cursor = self._exec(CURSOR, {"name": connector}).scalar() or ""
        rows = list(self._exec(NEW_EVENTS, {"cursor": cursor, "c": connector, "n": limit}))
        now = utcnow()
        if rows:
            events = [_event(r) for r in rows]
            self._exec(ENQUEUE, [{"c": connector, "e": ev.id, "at": now,
                                  "k": f"{connector}:{ev.id}:deliver", "a": ordering_key(ev)}
                                 for ev in events])
            keys = [{"c": connector, "e": ev.id, "k": k} for ev in events
                    if (ks := ordering_keys(ev)) != (ordering_key(ev),) for k in ks]
            if keys:
                self._exec(ADD_KEY, keys)
        stop = self._exec(FIRST_OPEN, {"cursor": cursor, "c": connector,
                                       "settled": settled_before}).scalar()
        moved = (self._exec(LAST_BEFORE, {"cursor": cursor, "stop": stop}).scalar() if stop
                 else self._exec(LAST_ANY, {"cursor": cursor}).scalar())
        if moved:
            self._exec(SET_CURSOR, {"cursor": moved, "name": connector})
        return len(rows)

    def sync_due(self, connector: str, now: datetime, limit: int) -> list[Delivery]:
        return [Delivery(connector, _event(r), r[7], r[8], r[9], r[10])
                for r in self._exec(DUE, {"c": connector, "now": now, "n": limit})]

    def sync_claim(self, connector: str, now: datetime, limit: int) -> list[Delivery]:
        due = self.sync_due(connector, now, limit)
        if due:
            self._exec(CLAIM, [{"c": connector, "e": d.event.id} for d in due])
        return due

    def sync_finish(self, connector: str, outcome: RoundOutcome, at: datetime) -> None:
        if outcome.acks:
            self.sync_delivered(connector, outcome.acks, at)
        if outcome.failures:
            self._exec(FAILED, [{"c": connector, "e": e, "err": err[:2000], "next": nxt,
                                 "at": at} for e, err, nxt in outcome.failures])
        if outcome.dead:
            self._exec(DEAD, [{"c": connector, "e": e, "err": err[:2000], "at": at}
                              for e, err in outcome.dead])
        if outcome.held:
            self._exec(HOLD, [{"c": connector, "e": e, "until": until, "at": at}
                              for e, until in outcome.held])
        self.sync_release(connector)

    def sync_release(self, connector: str) -> int:
        return int(self._exec(RELEASE, {"c": connector}).rowcount)

    def sync_plan(self, connector: str, plans: list[tuple[str, str]]) -> None:
        if plans:
            self._exec(PLAN, [{"c": connector, "e": e, "ref": ref} for e, ref in plans])

    def sync_planned(self, connector: str) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._exec(PLANNED, {"c": connector})}

    def sync_runtime(self, connector: str) -> dict[str, Any]:
        raw = self._exec(RUNTIME, {"k": runtime_key(connector)}).scalar()
        data: dict[str, Any] = json.loads(raw) if raw else {}
        return data

    def sync_save_runtime(self, connector: str, data: dict[str, Any]) -> None:
        self._exec(SAVE_RUNTIME, {"k": runtime_key(connector), "v": dumps(data),
                                  "at": utcnow()})

    def sync_update_connector(self, name: str, settings: dict[str, Any]) -> None:
        self._exec(UPDATE_CONNECTOR, {"name": name, "settings": dumps(settings)})

    def sync_requeue_all(self, connector: str | None, now: datetime) -> int:
        return int(self._exec(REQUEUE_ALL, {"c": connector, "now": now}).rowcount)

    def sync_facts(self, now: datetime, connector: str | None = None) -> list[ConnectorFacts]:
        facts = []
        for cfg in self.sync_connectors():
            c = cfg.name
            if connector not in (None, c):
                continue
            counts = {state: int(n) for state, n in self._exec(OPEN_COUNTS, {"c": c})}
            retrying, held, first = self._exec(WAITING, {"c": c, "now": now}).one()
            cursor = self._exec(CURSOR, {"name": c}).scalar() or ""
            unqueued, first_new = self._exec(UNQUEUED, {"cursor": cursor, "c": c}).one()
            oldest = min((x for x in (first, first_new) if x), default=None)
            oldest_at = (self._exec(CREATED, {"id": oldest}).scalar() if oldest else None)
            facts.append(ConnectorFacts(
                c, cfg.type, cfg.settings, counts.get("pending", 0), counts.get("sending", 0),
                counts.get("dead", 0), int(retrying or 0), int(held or 0), int(unqueued or 0),
                oldest_at, self.sync_runtime(c)))
        return facts

    def sync_delivered(self, connector: str, acks: list[tuple[str, str | None]],
                       at: datetime) -> None:
        self._exec(DELIVERED, [{"c": connector, "e": e, "ref": ref, "at": at}
                               for e, ref in acks])

    def sync_mark(self, state: str, connector: str, event_id: str, **kw: Any) -> None:
        now = utcnow()
        if state == "failed":
            self._exec(FAILED, {"c": connector, "e": event_id, "err": kw["error"][:2000],
                                "next": kw["next_attempt_at"], "at": now})
        else:
            self._exec(DEAD, {"c": connector, "e": event_id, "err": kw["error"][:2000],
                              "at": now})

    def sync_status(self) -> list[ConnectorStatus]:
        counts: dict[str, dict[str, int]] = {}
        for c, state, n in self._exec(COUNTS):
            counts.setdefault(c, {})[state] = int(n)
        last_ok = {r[0]: r[1] for r in self._exec(LAST_OK)}
        last_err = {r[0]: r[1] for r in self._exec(LAST_ERROR)}
        return [ConnectorStatus(cfg.name, cfg.type, counts.get(cfg.name, {}).get("pending", 0),
                                counts.get(cfg.name, {}).get("delivered", 0),
                                counts.get(cfg.name, {}).get("dead", 0),
                                counts.get(cfg.name, {}).get("skipped", 0),
                                last_ok.get(cfg.name), last_err.get(cfg.name),
                                counts.get(cfg.name, {}).get("sending", 0))
                for cfg in self.sync_connectors()]

    def sync_dead_letters(self, connector: str | None) -> list[DeadLetter]:
        return [DeadLetter(r[0], r[1], r[2], r[3], r[4] or "") for r in self._exec(DEAD_LETTERS)
                if connector is None or r[0] == connector]

    def sync_reconcile(self, connector: str, start: datetime, end: datetime) -> Reconciliation:
        pos_count = pos_amount = acked_count = acked_amount = 0
        missing = []
        for receipt, total, state, error in self._exec(RECONCILE, {"c": connector,
                                                                   "start": start, "end": end}):
            pos_count += 1
            pos_amount += int(total)
            if state == "delivered":
                acked_count += 1
                acked_amount += int(total)
            else:
                missing.append((receipt, int(total), state or "not queued", error or ""))
        return Reconciliation(connector, pos_count, pos_amount, acked_count, acked_amount,
                              tuple(missing))

    def sync_requeue(self, event_id: str, connector: str | None, now: datetime) -> int:
        return int(self._exec(REQUEUE, {"e": event_id, "c": connector, "now": now}).rowcount)

    def sync_skip(self, event_id: str, connector: str | None) -> int:
        return int(self._exec(SKIP, {"e": event_id, "c": connector, "now": utcnow()}).rowcount)
