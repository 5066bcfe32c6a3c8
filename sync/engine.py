"""The delivery loop: enqueue new outbox events, deliver what is due, back off on failure.

At-least-once: a delivery is marked done only after the target acknowledged it, and
every attempt carries the same idempotency key (persisted when the event was
enqueued), so a retry after a timeout that the target had in fact committed is
recognised there and not applied twice.
"""

from __future__ import annotations

import logging
import random
import threading
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from .model import Delivery, PermanentError, TransientError
from .ports import SyncStore
from .retry import CircuitBreaker, RetryPolicy

log = logging.getLogger(__name__)

SETTLE = timedelta(seconds=60)  # longer than any write transaction can stay open


class Connector(Protocol):
    name: str

    def deliver(self, delivery: Delivery) -> str | None:
        """Send one event; return the target's reference. Raise Transient/PermanentError."""
        ...

    def test(self) -> str: ...
    def close(self) -> None: ...


@dataclass(slots=True)
class RunStats:
    enqueued: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    def __iadd__(self, other: RunStats) -> RunStats:
        self.enqueued += other.enqueued
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        return self


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class SyncEngine:
    store: SyncStore
    connectors: dict[str, Connector]
    clock: Callable[[], datetime] = _utcnow
    rng: random.Random = field(default_factory=random.Random)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    batch: int = 200
    concurrency: int = 4  # requests in flight per connector at most
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, repr=False)

    def run_once(self) -> RunStats:
        stats = RunStats()
        for name, connector in self.connectors.items():
            stats += self._run_connector(name, connector)
        return stats

    def _run_connector(self, name: str, connector: Connector) -> RunStats:
        stats = RunStats()
        now = self.clock()
        stats.enqueued = self.store.enqueue(name, now - SETTLE, 5000)
        breaker = self.breakers.setdefault(name, CircuitBreaker())
        if not breaker.allow(now.timestamp()):
            return stats
        # Lanes run in parallel (the connector's concurrency cap); one ordering key always
        # falls in one lane, so its events still go out one after another, in order.
        lanes: dict[int, list[Delivery]] = {}
        for delivery in self.store.due(name, now, self.batch):
            lane = zlib.crc32(delivery.order_key.encode()) % self._lanes(connector)
            lanes.setdefault(lane, []).append(delivery)
        # Acknowledgements are recorded once per round: if the process dies first, those
        # events go out again with the same idempotency keys and the target ignores them.
        acks: list[tuple[str, str | None]] = []
        try:
            if len(lanes) <= 1:
                results = [self._run_lane(name, connector, breaker, d, acks)
                           for d in lanes.values()]
            else:
                results = list(self._pool().map(
                    lambda d: self._run_lane(name, connector, breaker, d, acks),
                    lanes.values()))
        finally:
            if acks:
                self.store.delivered(name, acks, self.clock())
        for lane_stats in results:
            stats += lane_stats
        return stats

    def _run_lane(self, name: str, connector: Connector, breaker: CircuitBreaker,
                  deliveries: list[Delivery], acks: list[tuple[str, str | None]]) -> RunStats:
        stats = RunStats()
        blocked: set[str] = set()
        for delivery in deliveries:
            if delivery.order_key in blocked:
                continue
            event_id = delivery.event.id
            try:
                ref = connector.deliver(delivery)
            except TransientError as exc:
                with self._lock:
                    breaker.failure(self.clock().timestamp())
                wait = self.policy.delay(delivery.attempts, self.rng, exc.retry_after)
                self.store.failed(name, event_id, str(exc), self.clock() + timedelta(seconds=wait))
                log.info("sync %s: %s failed (%s), retry in %.1f s", name, event_id, exc, wait)
                stats.retried += 1
                break  # the target is struggling: the breaker and backoff decide when next
            except PermanentError as exc:
                self.store.dead(name, event_id, str(exc))
                log.warning("sync %s: %s (%s) is a dead letter: %s", name, event_id,
                            delivery.event.type, exc)
                blocked.add(delivery.order_key)
                stats.dead += 1
            else:
                with self._lock:
                    breaker.success()
                    acks.append((event_id, ref))
                stats.delivered += 1
        return stats

    def _lanes(self, connector: Connector) -> int:
        """The engine's cap, lowered by a connector that must be called one at a time."""
        return max(1, min(self.concurrency, getattr(connector, "max_concurrency",
                                                    self.concurrency)))

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=max(1, self.concurrency),
                                                thread_name_prefix="sync-lane")
        return self._executor

    def run_until_idle(self, max_rounds: int = 10_000) -> RunStats:
        """Deliver until nothing is due now (retries scheduled for later stay pending)."""
        total = RunStats()
        for _ in range(max_rounds):
            stats = self.run_once()
            total += stats
            if stats.delivered == 0 and stats.dead == 0 and stats.enqueued == 0:
                break
        return total

    def run_forever(self, stop: threading.Event, poll_s: float = 0.25) -> None:
        """The service loop (``pos sync run``): poll, deliver, sleep, until ``stop`` is set."""
        while not stop.is_set():
            try:
                stats = self.run_once()
            except Exception:  # a broken store or connector must not end the service
                log.exception("sync round failed")
                stats = RunStats()
            if stats.delivered == 0:
                stop.wait(poll_s)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
        for connector in self.connectors.values():
            connector.close()
