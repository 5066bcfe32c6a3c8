"""Sync health for people: what the till's status bar, the back office and
``pos sync status`` show, and the conditions that raise alerts.

Plain Python over the store port, so the Qt status bar and the back office call it
directly (``sync_health(store)``) on a worker thread: a few indexed queries, whatever
the length of the history. The states:

* ``ok``: nothing wrong (events may be on their way);
* ``retrying``: a target answered with an error or did not answer, and retries are
  expected to succeed; nobody needs to act, nothing is alerted yet;
* ``offline``: the target cannot be reached (no network, or it is down); sales wait
  safely on the till and go out by themselves when it is back;
* ``failing``: someone needs to act: dead letters (the target refused something), a
  failure that outlasted ``alert_after_s``, a backlog older than ``alert_backlog_s``, or
  no sync process running while events wait.

Alerts (engine.py) follow the same conditions: one per episode when it starts, one
"recovered" when it clears; nothing while retries are still expected to succeed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from .model import OFFLINE_KINDS, RATE_LIMITED, REFUSED, SERVER, TIMEOUT, UNREACHABLE
from .model import ConnectorFacts as ConnectorFacts
from .ports import SyncStore
from .tuning import Tuning, tuning

OK, RETRYING, OFFLINE, FAILING = "ok", "retrying", "offline", "failing"
SEVERITY = {OK: 0, RETRYING: 1, OFFLINE: 2, FAILING: 3}
LABELS = {"webhook": "the webhook receiver", "beancount": "the beancount ledger",
          "hledger": "the hledger books", "vendure": "the web shop (Vendure)"}


@dataclass(frozen=True, slots=True)
class ConnectorHealth:
    name: str
    type: str
    state: str  # ok | retrying | offline | failing
    message: str  # one line in words a cashier understands
    pending: int  # waiting to be sent, held and retrying ones included
    in_flight: int  # being sent right now
    dead: int  # refused by the target: someone must look (pos sync dead)
    retrying: int
    held: int  # waiting on purpose (a day's summary until the day is over)
    oldest_pending_s: float | None  # age of the oldest event that should be on its way
    last_success: datetime | None
    last_error: str | None  # the last problem, in plain words
    detail: str | None  # the last error as the target or the network put it
    since: datetime | None  # when the current trouble began
    running: bool  # a sync process serves this connector now
    alerts: tuple[str, ...]  # open alert conditions: dead, stuck, backlog


def _t(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _label(facts: ConnectorFacts) -> str:
    return LABELS.get(facts.type, f"{facts.name} ({facts.type})")


def plain_error(kind: str | None, label: str) -> str | None:
    """The last error in a cashier's words."""
    return {
        UNREACHABLE: f"cannot reach {label}: check the internet connection; sales are kept "
                     "and sent when it is back",
        TIMEOUT: f"{label} is not answering; trying again",
        RATE_LIMITED: f"{label} asked us to slow down; sending more slowly",
        SERVER: f"{label} has a problem on its side; trying again",
        REFUSED: f"{label} refused some sales; a manager must look at them",
    }.get(kind or "")


def _running(facts: ConnectorFacts, now: datetime) -> bool:
    until = _t((facts.runtime.get("owner") or {}).get("until"))
    return until is not None and until > now


def alert_conditions(facts: ConnectorFacts, t: Tuning, now: datetime) -> dict[str, str]:
    """Conditions worth waking someone for, each with its message."""
    out: dict[str, str] = {}
    label = _label(facts)
    rt = facts.runtime
    if facts.dead:
        out["dead"] = (f"{facts.dead} event(s) refused by {label} ({facts.name}): "
                       f"{rt.get('last_error') or 'see pos sync dead'}")
    failing = _t(rt.get("failing_since"))
    broken = _t(rt.get("breaker_open_since"))
    start = min((x for x in (failing, broken) if x), default=None)
    if start is not None and (now - start).total_seconds() >= t.alert_after_s:
        out["stuck"] = (f"{facts.name}: nothing could be delivered to {label} for "
                        f"{_ago(now - start)}: {rt.get('last_error') or 'unknown error'}")
    if facts.oldest_waiting_at is not None:
        age = (now - facts.oldest_waiting_at).total_seconds()
        if age >= t.alert_backlog_s:
            out["backlog"] = (f"{facts.name}: {facts.pending + facts.unqueued} event(s) "
                              f"waiting, the oldest for {_ago(now - facts.oldest_waiting_at)}")
    return out


def _ago(delta: object) -> str:
    seconds = int(delta.total_seconds()) if hasattr(delta, "total_seconds") else 0
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def assess(facts: ConnectorFacts, now: datetime, t: Tuning | None = None) -> ConnectorHealth:
    """One connector's health from its facts (pure: the tests feed it figures)."""
    t = t or tuning(facts.settings)
    rt = facts.runtime
    running = _running(facts, now)
    in_flight = facts.in_flight if running else 0
    pending = facts.pending + facts.unqueued + (0 if running else facts.in_flight)
    oldest = (now - facts.oldest_waiting_at).total_seconds() if facts.oldest_waiting_at \
        else None
    failing = _t(rt.get("failing_since"))
    broken = _t(rt.get("breaker_open_since"))
    since = min((x for x in (failing, broken) if x), default=None)
    kind = rt.get("last_error_kind")
    label = _label(facts)
    conditions = alert_conditions(facts, t, now)
    words = plain_error(kind, label) if since or facts.dead else None
    if facts.dead:
        state = FAILING
        message = (f"{facts.dead} sale(s) or change(s) were refused by {label}; a manager "
                   "must look at them (pos sync dead)")
    elif since is not None and kind in OFFLINE_KINDS:
        state = OFFLINE
        message = words or f"cannot reach {label}"
        if pending:
            message += f" ({pending} waiting)"
    elif conditions:
        state = FAILING
        message = next(iter(conditions.values()))
    elif since is not None:
        state = RETRYING
        message = words or f"{label}: trying again"
    elif pending and not running and oldest is not None and oldest >= 60:
        state = FAILING
        message = f"{pending} event(s) for {label} wait, but no sync process is running"
    else:
        state = OK
        message = (f"{pending} on their way to {label}" if pending
                   else f"{label}: everything delivered")
    if state == FAILING and not running and facts.dead == 0 and pending:
        message = f"{pending} event(s) for {label} wait, but no sync process is running"
    return ConnectorHealth(
        facts.name, facts.type, state, message, pending, in_flight, facts.dead,
        facts.retrying, facts.held, oldest, _t(rt.get("last_success_at")),
        plain_error(kind, label) if rt.get("last_error") else None, rt.get("last_error"),
        since, running, tuple(sorted(conditions)))


def sync_health(store: SyncStore, now: datetime | None = None) -> list[ConnectorHealth]:
    """Every configured connector's health, for the status bar and the back office."""
    at = now or datetime.now(UTC)
    return [assess(f, at) for f in store.facts(at)]


def is_offline(healths: list[ConnectorHealth]) -> bool:
    """The till is "offline" for sync: every target that has something to send is out of
    reach (and at least one is)."""
    waiting = [h for h in healths if h.state != OK or h.pending]
    return bool(waiting) and all(h.state == OFFLINE for h in waiting)


def summary(healths: list[ConnectorHealth]) -> str:
    """One line for the till's status bar."""
    if not healths:
        return "sync: no targets configured"
    worst = max(healths, key=lambda h: SEVERITY[h.state])
    if worst.state == OK:
        waiting = sum(h.pending + h.in_flight for h in healths)
        return f"sync: {waiting} on their way" if waiting else "sync: all delivered"
    if is_offline(healths):
        waiting = sum(h.pending for h in healths)
        return f"sync offline: {waiting} waiting, kept safely on this till"
    return f"sync {worst.state}: {worst.message}"
