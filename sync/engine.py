"""The delivery loop: enqueue new outbox events, deliver what is due, back off on failure.

At-least-once: a delivery is marked done only after the target acknowledged it, and
every attempt carries the same idempotency key (persisted when the event was
enqueued), so a retry after a timeout that the target had in fact committed is
recognised there and not applied twice.

One round for one connector: *claim* what is due (those rows are "in flight"), send it
in parallel lanes (one ordering key always in one lane, so a sale's events and the stock
movements stay in order), several events per request where the connector takes batches,
at the pace its limiter allows; then record the whole outcome (acknowledgements,
failures with their next attempt, dead letters, and the release of anything not
attempted) in one transaction. One engine serves a connector at a time: it owns it
through a lease in the store, so the till's background worker and a ``pos sync run``
service never send the same events side by side; a successor takes over at once from a
process that died on the same machine, otherwise when the lease runs out.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from .alerts import AlertSender
from .health import alert_conditions
from .model import (
    RATE_LIMITED,
    ConnectorConfig,
    Delivery,
    NotAttempted,
    PermanentError,
    RoundOutcome,
    SyncError,
    TransientError,
)
from .ports import SyncStore
from .ratelimit import Limiter, Throttled
from .retry import CircuitBreaker, RetryPolicy
from .tuning import Tuning, tuning

log = logging.getLogger(__name__)

SETTLE = timedelta(seconds=60)  # longer than any write transaction can stay open
ROUND_S = 2.0  # a round claims what its limiter lets out in about this time
LEASE = timedelta(seconds=60)  # an engine's hold on a connector, renewed while it runs
RENEW = timedelta(seconds=40)  # renew when less than this is left
HEARTBEAT = timedelta(seconds=10)  # how fresh the runtime record others read is kept
CHECK = timedelta(seconds=5)  # alert conditions are looked at this often
RELOAD_S = 2.0  # the service notices added, changed and removed connectors this fast
GROUP_CLAIM = 50_000  # a day's summary needs the whole day in one round
HOLD_INCOMPLETE = timedelta(seconds=5)


class Connector(Protocol):
    name: str

    def deliver(self, delivery: Delivery) -> str | None:
        """Send one event; return the target's reference. Raise Transient/PermanentError."""
        ...

    def test(self) -> str: ...
    def close(self) -> None: ...

# Optional, found by attribute:
#   max_concurrency: int                   a cap below the engine's lanes (1: one at a time)
#   batch_size: int, deliver_batch(ds)     several events per request; one result per event:
#                                          the target's reference, or a SyncError instance
#   limiter: Limiter | None                set by the engine; the connector calls acquire()
#                                          before each request and observe() with each answer
#   grouping: bool, group(d), deliver_group(ref, ds)
#                                          one target operation for many events (a ledger's
#                                          daily summary): group(d) -> (key, ready_at) | None


Result = str | None | SyncError


@dataclass(slots=True)
class RunStats:
    enqueued: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    held: int = 0

    def __iadd__(self, other: RunStats) -> RunStats:
        self.enqueued += other.enqueued
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.held += other.held
        return self

    @property
    def busy(self) -> bool:
        return bool(self.delivered or self.dead or self.enqueued)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(t: datetime) -> str:
    return t.isoformat()


def _parse(t: Any) -> datetime | None:
    return datetime.fromisoformat(t) if isinstance(t, str) else None


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


@dataclass(slots=True)
class _Unit:
    deliveries: list[Delivery]
    ref: str | None = None  # a planned group (one target operation)


@dataclass
class _Served:
    """One connector as this engine serves it."""

    name: str
    connector: Connector
    tuning: Tuning
    breaker: CircuitBreaker
    limiter: Limiter
    alerts: AlertSender | None = None
    config: ConnectorConfig | None = None
    record: dict[str, Any] = field(default_factory=dict)  # the runtime record
    owned_until: datetime | None = None
    saved_at: datetime | None = None
    checked_at: datetime | None = None
    dirty: bool = False
    said_busy: bool = False
    refused: list[PermanentError] = field(default_factory=list)  # left groups this round
    pool: ThreadPoolExecutor | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.tuning.retry_base_s, self.tuning.retry_cap_s)


@dataclass
class SyncEngine:
    store: SyncStore
    connectors: dict[str, Connector]
    clock: Callable[[], datetime] = _utcnow
    # waits for the rate limits (tests that drive ``clock`` by hand pass its advance)
    sleep: Callable[[float], object] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    policy: RetryPolicy = field(default_factory=RetryPolicy)  # defaults of Tuning
    batch: int = 200  # deliveries claimed per round (more where requests carry batches)
    concurrency: int = 4  # requests in flight per connector at most
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    configs: dict[str, ConnectorConfig] = field(default_factory=dict)
    # builds a connector from its configuration (the service reloads changed ones)
    factory: Callable[[ConnectorConfig], Connector] | None = None
    alert_sender: Callable[[ConnectorConfig], AlertSender | None] | None = None
    only: str | None = None
    _served: dict[str, _Served] = field(default_factory=dict, repr=False)
    # rebuilt connectors waiting for their thread to swap them in (None: stop serving)
    _changes: dict[str, tuple[ConnectorConfig, Connector] | None] = field(
        default_factory=dict, repr=False)
    _broken: dict[str, ConnectorConfig] = field(default_factory=dict, repr=False)
    _id: str = field(default_factory=lambda: uuid.uuid4().hex, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _progress: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def wait_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Block until ``done()`` holds, checking after every round (idle ones included)
        of any connector: for callers that wait on the service (tests, the back office)."""
        with self._progress:
            return self._progress.wait_for(done, timeout)

    # ----- the connectors served ------------------------------------------------------------
    def _serve(self, name: str) -> _Served:
        with self._lock:
            changed = name in self._changes
            change = self._changes.pop(name, None)
            s = self._served.get(name)
        if changed:
            if s is not None:
                self._retire(s, keep_record=change is not None)  # removed: nothing to keep
                s = None
            with self._lock:
                self._served.pop(name, None)
                self.breakers.pop(name, None)
                if change is None:  # removed or disabled
                    self.connectors.pop(name, None)
                    self.configs.pop(name, None)
                    raise KeyError(name)
                self.configs[name], self.connectors[name] = change
            log.info("sync %s: settings changed; serving with the new ones", name)
        if s is None:
            config = self.configs.get(name)
            t = tuning(config.settings) if config else Tuning()
            breaker = self.breakers.setdefault(
                name, CircuitBreaker(t.breaker_after, t.breaker_cooldown_s))
            # real time is monotonic (a clock set back must not stall the pace); a clock
            # driven by hand (tests) drives the limiter too
            limiter = Limiter(t.rate, t.burst, clock=time.monotonic if self.clock is _utcnow
                              else lambda: self.clock().timestamp(),
                              sleep=lambda seconds: self.sleep(seconds))
            limiter.max_wait = ROUND_S
            connector = self.connectors[name]
            if hasattr(connector, "limiter"):
                connector.limiter = limiter
            s = _Served(name, connector, t, breaker, limiter,
                        self.alert_sender(config) if self.alert_sender and config else None,
                        config)
            with self._lock:
                self._served[name] = s
        return s

    def _retire(self, s: _Served, keep_record: bool = True) -> None:
        if s.pool is not None:
            s.pool.shutdown()
        if keep_record:
            self._let_go(s)
        try:
            s.connector.close()
        except Exception:  # pragma: no cover - closing must not end the service
            log.exception("closing connector %s", s.name)

    def reload(self) -> None:
        """Pick up connectors added, changed or removed since (the service does this every
        couple of seconds; a changed one is rebuilt before its next round)."""
        if self.factory is None:
            return
        current = {c.name: c for c in self.store.connectors()
                   if c.enabled and self.only in (None, c.name)}
        for name, cfg in current.items():
            if self.configs.get(name) == cfg or self._broken.get(name) == cfg:
                continue
            try:
                connector = self.factory(cfg)
            except Exception as exc:  # keep what runs; say why the new settings do not
                log.error("sync %s: cannot use its settings (%s)%s", name, exc,
                          "; still serving it with the previous ones"
                          if name in self.connectors else "")
                self._broken[name] = cfg
                continue
            with self._lock:
                if name in self.connectors:
                    self._changes[name] = (cfg, connector)  # its thread swaps it in
                else:  # new: nobody serves it yet
                    self.configs[name], self.connectors[name] = cfg, connector
        with self._lock:
            for name in list(self.connectors):
                if name not in current and name in self.configs:
                    self._changes[name] = None

    # ----- owning a connector -----------------------------------------------------------------
    def _may_replace(self, owner: dict[str, Any], now: datetime) -> bool:
        until = _parse(owner.get("until"))
        if until is None or until <= now:
            return True
        if owner.get("host") == socket.gethostname():
            pid = int(owner.get("pid", 0))
            return pid == os.getpid() or not pid_alive(pid)
        return False

    def _owns(self, s: _Served, now: datetime) -> bool:
        if s.owned_until is not None and now < s.owned_until - RENEW:
            return True
        owner = {"id": self._id, "pid": os.getpid(), "host": socket.gethostname(),
                 "until": _iso(now + LEASE)}
        record = self.store.take(s.name, owner, lambda cur: self._may_replace(cur, now))
        if record is None:
            if not s.said_busy:
                log.info("sync %s: served by another sync process; waiting for it to stop",
                         s.name)
                s.said_busy = True
            s.owned_until = None
            return False
        if s.owned_until is None:
            s.record = record  # first hold: what the predecessor left (alerts, errors)
        s.record["owner"] = owner
        s.owned_until, s.saved_at, s.said_busy = now + LEASE, now, False
        return True

    def _let_go(self, s: _Served) -> None:
        if s.owned_until is None:
            return
        s.record.pop("owner", None)
        try:
            self.store.save_runtime(s.name, s.record)
        except Exception:  # pragma: no cover - the lease runs out by itself
            log.exception("sync %s: could not hand the connector back", s.name)
        s.owned_until = None

    # ----- one round -----------------------------------------------------------------------
    def run_once(self) -> RunStats:
        if self.factory is not None:
            self.reload()
        stats = RunStats()
        for name in list(self.connectors):
            try:
                stats += self._run_connector(name)
            except KeyError:
                continue  # removed meanwhile
            finally:
                self._notify()
        return stats

    def _lanes(self, s: _Served) -> int:
        """The cap of its tuning, lowered by a connector that must be called one at a time."""
        cap = min(self.concurrency, s.tuning.concurrency) if s.config else self.concurrency
        return max(1, min(cap, getattr(s.connector, "max_concurrency", cap)))

    def _batch_size(self, s: _Served) -> int:
        if not hasattr(s.connector, "deliver_batch"):
            return 1
        return max(1, s.tuning.batch_size or int(getattr(s.connector, "batch_size", 1)))

    def _claim_size(self, s: _Served) -> int:
        if getattr(s.connector, "grouping", False):
            return GROUP_CLAIM
        per_request = self._batch_size(s)
        n = max(self.batch, per_request * self._lanes(s) * 2)
        if s.limiter.rate is not None or s.limiter.ready_in() > 0:
            n = min(n, max(1, s.limiter.capacity(ROUND_S)) * per_request)
        return n

    def _run_connector(self, name: str) -> RunStats:
        s = self._serve(name)
        stats = RunStats()
        now = self.clock()
        if not self._owns(s, now):
            return stats
        stats.enqueued = self.store.enqueue(name, now - SETTLE, 5000)
        if not s.breaker.allow(now.timestamp()) or s.limiter.ready_in() > ROUND_S:
            self._housekeeping(s, now)
            return stats
        deliveries = self.store.claim(name, now, self._claim_size(s))
        if not deliveries:
            self._housekeeping(s, now)
            return stats
        outcome = RoundOutcome()
        errors: list[TransientError | PermanentError] = []
        try:
            units = self._units(s, deliveries, now, outcome)
            lanes: dict[int, list[_Unit]] = {}
            n = self._lanes(s)
            for unit in units:
                key = unit.deliveries[0].order_key
                lanes.setdefault(0 if unit.ref else zlib.crc32(key.encode()) % n,
                                 []).append(unit)
            if len(lanes) <= 1:
                for lane in lanes.values():
                    self._run_lane(s, lane, outcome, errors)
            else:
                if s.pool is None:
                    s.pool = ThreadPoolExecutor(max_workers=n,
                                                thread_name_prefix=f"sync-{name}")
                list(s.pool.map(lambda lane: self._run_lane(s, lane, outcome, errors),
                                lanes.values()))
        finally:
            end = self.clock()
            errors += s.refused
            self._note(s, outcome, errors, end)
            save = s.dirty or s.saved_at is None or end - s.saved_at >= HEARTBEAT
            self.store.finish(name, outcome, end, s.record if save else None)
            if save:
                s.dirty, s.saved_at = False, end
        stats.delivered, stats.dead = len(outcome.acks), len(outcome.dead) + len(s.refused)
        stats.retried, stats.held = len(outcome.failures), len(outcome.held)
        self._housekeeping(s, end, force=bool(stats.dead))
        s.refused.clear()
        return stats

    def _notify(self) -> None:
        with self._progress:
            self._progress.notify_all()

    def _units(self, s: _Served, deliveries: list[Delivery], now: datetime,
               outcome: RoundOutcome) -> list[_Unit]:
        """Single deliveries, or for a grouping connector the groups that are ready, each
        planned (its members marked with the group's reference) before the first attempt."""
        c: Any = s.connector
        if not getattr(c, "grouping", False):
            return [_Unit([d]) for d in deliveries]
        units: list[_Unit] = []
        planned: dict[str, list[Delivery]] = {}
        fresh: dict[str, list[Delivery]] = {}
        for d in deliveries:
            if d.planned:
                planned.setdefault(d.planned, []).append(d)
                continue
            group = c.group(d)
            if group is None:
                units.append(_Unit([d]))
                continue
            key, ready_at = group
            if ready_at > now:
                outcome.held.append((d.event.id, ready_at))
            else:
                fresh.setdefault(key, []).append(d)
        plans = []
        for key, ds in fresh.items():
            ref = f"{key}#{uuid.uuid4().hex[:12]}"  # new for every plan: never reused
            plans += [(d.event.id, ref) for d in ds]
            planned[ref] = [replace(d, planned=ref) for d in ds]
        if plans:
            self.store.plan(s.name, plans)
        if planned:
            members = self.store.planned(s.name)
            for ref, ds in planned.items():
                if members.get(ref, len(ds)) > len(ds):  # never post half a group
                    log.warning("sync %s: %s is not complete (%d of %d due); waiting",
                                s.name, ref, len(ds), members[ref])
                    outcome.held += [(d.event.id, now + HOLD_INCOMPLETE) for d in ds]
                    continue
                # a member the target would refuse leaves the group *before* it is posted
                # (recorded dead, unplanned): a restart finds the posted group complete
                keep = []
                for d in ds:
                    refused = c.refuse(d) if hasattr(c, "refuse") else None
                    if refused is None:
                        keep.append(d)
                        continue
                    self.store.dead(s.name, d.event.id, str(refused))
                    log.warning("sync %s: %s (%s) is a dead letter: %s", s.name, d.event.id,
                                d.event.type, refused)
                    s.refused.append(refused)
                if keep:
                    units.append(_Unit(keep, ref))
        return sorted(units, key=lambda u: u.deliveries[0].event.id)

    def _send(self, s: _Served, ds: list[Delivery], ref: str | None) -> list[Result]:
        c: Any = s.connector
        try:
            if ref is not None:  # one result per member, or one for the whole group
                answer = c.deliver_group(ref, ds)
                return list(answer) if isinstance(answer, list) else [answer] * len(ds)
            if len(ds) == 1:
                return [c.deliver(ds[0])]
            results = list(c.deliver_batch(ds))
            if len(results) != len(ds):  # pragma: no cover - a connector bug
                raise TransientError(f"{len(results)} answers for {len(ds)} events")
            return results
        except SyncError as exc:
            return [exc] * len(ds)
        except Exception as exc:  # a connector bug must not end the service: retry later
            log.exception("sync %s: unexpected error", s.name)
            return [TransientError(f"internal error: {exc.__class__.__name__}: {exc}")] * len(ds)

    def _run_lane(self, s: _Served, units: list[_Unit], outcome: RoundOutcome,
                  errors: list[TransientError | PermanentError]) -> None:
        blocked: set[str] = set()
        size = self._batch_size(s)
        queue = list(units)
        while queue:
            unit = queue.pop(0)
            if unit.ref is None:  # gather single deliveries into one request
                ds = [d for d in unit.deliveries if blocked.isdisjoint(d.order_keys)]
                while len(ds) < size and queue and queue[0].ref is None:
                    ds += [d for d in queue.pop(0).deliveries
                           if blocked.isdisjoint(d.order_keys)]
                if not ds:
                    continue
            else:
                if any(not blocked.isdisjoint(d.order_keys) for d in unit.deliveries):
                    continue
                ds = unit.deliveries
            results = self._send(s, ds, unit.ref)
            if not self._record(s, ds, results, unit.ref is not None, outcome, errors,
                                blocked):
                return  # the target is struggling: the breaker and backoff decide when next

    def _record(self, s: _Served, ds: list[Delivery], results: Sequence[Result], group: bool,
                outcome: RoundOutcome, errors: list[TransientError | PermanentError],
                blocked: set[str]) -> bool:
        """Book one request's results; False when the lane should stop for this round."""
        go_on = True
        now = self.clock()
        # one pause for everything one request carried (a group is retried whole)
        attempts = max(d.attempts for d in ds)
        pause: float | None = None
        failed = succeeded = False
        with s.lock:
            for d, r in zip(ds, results, strict=True):
                if isinstance(r, NotAttempted):
                    blocked.update(d.order_keys)
                    go_on = go_on and not isinstance(r, Throttled)
                elif isinstance(r, TransientError):
                    if pause is None:
                        pause = (max(r.retry_after or 0.0, 0.5) if r.kind == RATE_LIMITED
                                 else s.policy.delay(attempts, self.rng, r.retry_after))
                        if r.kind == RATE_LIMITED:
                            s.limiter.pause(r.retry_after or 1.0)
                        else:
                            failed = True
                        errors.append(r)
                        log.info("sync %s: %s failed (%s), retry in %.1f s", s.name,
                                 d.event.id, r, pause)
                    outcome.failures.append((d.event.id, str(r),
                                             now + timedelta(seconds=pause)))
                    blocked.update(d.order_keys)
                    go_on = False
                elif isinstance(r, PermanentError):
                    outcome.dead.append((d.event.id, str(r)))
                    errors.append(r)
                    log.warning("sync %s: %s (%s) is a dead letter: %s", s.name, d.event.id,
                                d.event.type, r)
                    blocked.update(d.order_keys)
                elif isinstance(r, SyncError):  # pragma: no cover - only the two kinds exist
                    raise TypeError(r)
                else:
                    outcome.acks.append((d.event.id, d.planned if group else r))
                    succeeded = True
            if failed:
                s.breaker.failure(now.timestamp())
            elif succeeded:
                s.breaker.success()
        return go_on

    # ----- what others see: the runtime record, health and alerts ------------------------------
    def _note(self, s: _Served, outcome: RoundOutcome,
              errors: list[TransientError | PermanentError], now: datetime) -> None:
        r = s.record
        before = (r.get("failing_since"), r.get("breaker_open_since"), r.get("last_error"),
                  r.get("last_error_kind"))
        r["heartbeat"] = _iso(now)
        if errors:
            last = errors[-1]
            r["last_error"], r["last_error_kind"] = str(last), last.kind
            r["last_error_at"] = _iso(now)
        if outcome.acks:  # the target takes events: whatever failed before is over
            r["last_success_at"] = _iso(now)
            r["failing_since"] = None
        elif any(isinstance(e, TransientError) and e.kind != RATE_LIMITED for e in errors):
            r["failing_since"] = r.get("failing_since") or _iso(now)
        if s.breaker.open:
            r["breaker_open_since"] = r.get("breaker_open_since") or _iso(now)
        else:
            r["breaker_open_since"] = None
        after = (r.get("failing_since"), r.get("breaker_open_since"), r.get("last_error"),
                 r.get("last_error_kind"))
        s.dirty = s.dirty or before != after

    def _housekeeping(self, s: _Served, now: datetime, force: bool = False) -> None:
        """Alerts (one per episode, one 'recovered' when it clears) and the heartbeat."""
        if force or s.checked_at is None or now - s.checked_at >= CHECK:
            s.checked_at = now
            for facts in self.store.facts(now, s.name):
                self._alerts(s, alert_conditions(facts, s.tuning, now), now)
        if s.dirty or s.saved_at is None or now - s.saved_at >= HEARTBEAT:
            s.record["heartbeat"] = _iso(now)
            self.store.save_runtime(s.name, s.record)
            s.dirty, s.saved_at = False, now

    def _alerts(self, s: _Served, conditions: dict[str, str], now: datetime) -> None:
        episodes: dict[str, dict[str, Any]] = s.record.setdefault("alerts", {})
        for cond, message in conditions.items():
            if cond not in episodes:
                episodes[cond] = {"since": _iso(now), "message": message, "notified": False}
                log.warning("sync alert %s: %s", s.name, message)
                s.dirty = True
        for cond in [c for c in episodes if c not in conditions]:
            episode = episodes.pop(cond)
            log.warning("sync recovered %s: %s (since %s)", s.name, cond, episode["since"])
            s.dirty = True
            if episode.get("notified") and s.alerts is not None:
                s.alerts.send(self._alert(s, "sync.recovered", cond, episode, now))
        if s.alerts is None:
            return
        for cond, episode in episodes.items():
            tried = _parse(episode.get("tried_at"))
            if episode.get("notified") or (tried and now - tried < timedelta(seconds=60)):
                continue
            episode["tried_at"] = _iso(now)
            episode["notified"] = s.alerts.send(self._alert(s, "sync.alert", cond, episode,
                                                            now))
            s.dirty = True

    def _alert(self, s: _Served, kind: str, cond: str, episode: dict[str, Any],
               now: datetime) -> dict[str, Any]:
        return {"type": kind, "connector": s.name, "condition": cond,
                "message": episode["message"], "since": episode["since"], "at": _iso(now),
                "last_error": s.record.get("last_error")}

    # ----- loops ---------------------------------------------------------------------------
    def run_until_idle(self, max_rounds: int = 10_000) -> RunStats:
        """Deliver until nothing is due now (retries scheduled for later stay pending)."""
        total = RunStats()
        for _ in range(max_rounds):
            stats = self.run_once()
            total += stats
            if not stats.busy:
                break
        return total

    def run_forever(self, stop: threading.Event, poll_s: float = 0.25) -> None:
        """The service loop (``pos sync run``): one thread per connector, so a slow or
        rate-limited target never delays the others; connectors added, changed or
        removed meanwhile are picked up."""
        threads: dict[str, threading.Thread] = {}
        while not stop.is_set():
            try:
                self.reload()
            except Exception:  # a broken store must not end the service
                log.exception("sync: reading the connectors failed")
            for name in list(self.connectors):
                t = threads.get(name)
                if t is None or not t.is_alive():
                    t = threading.Thread(target=self._loop, args=(name, stop, poll_s),
                                         name=f"sync-{name}", daemon=True)
                    threads[name] = t
                    t.start()
            stop.wait(RELOAD_S)
        for t in threads.values():
            t.join()

    def _loop(self, name: str, stop: threading.Event, poll_s: float) -> None:
        while not stop.is_set():
            try:
                stats = self._run_connector(name)
            except KeyError:
                return  # removed
            except Exception:  # a broken store or connector must not end the service
                log.exception("sync round of %s failed", name)
                stats = RunStats()
            finally:
                self._notify()
            if not stats.busy:
                stop.wait(poll_s)

    def close(self) -> None:
        for s in list(self._served.values()):
            if s.pool is not None:
                s.pool.shutdown()
                s.pool = None
            self._let_go(s)
        for connector in self.connectors.values():
            connector.close()
