"""Rate limits: a client-side token bucket per connector, and each API's own signals.

A connector calls :meth:`Limiter.acquire` before every request and :meth:`Limiter.observe`
with every answer. The limiter then keeps to the lowest of

* the configured ceiling (``rate_limit`` such as ``60/min`` with ``burst``): a token
  bucket, implemented as GCRA (a request may go at ``tat - (burst - 1) * interval``).
  It keeps one request of the burst in reserve (with a burst of 1: 3 % of the rate), so
  that requests the network delivers closer together than they were sent still fit the
  server's bucket: configured with the published figures it runs just below the ceiling;
* what the server says is left: ``X-RateLimit-Remaining``/``-Reset`` (GitHub, Twitter,
  most gateways; the reset as delta seconds or an epoch time), ``RateLimit-Remaining``/
  ``-Reset`` and the structured ``RateLimit`` header of the IETF drafts, Xero's
  ``X-MinLimit-Remaining``/``X-DayLimit-Remaining``: with nothing left, wait for the reset;
  after it, one request goes first and its answer tells how much the new window holds
  (a token bucket restores one request, a fixed window all of them), so parallel lanes
  do not all rush into a quota of one;
* a cost bucket that the server reports (Shopify's ``throttleStatus``: available
  points, maximum, restore rate): wait until the next call's cost has been restored;
* ``Retry-After`` on a 429 or 503: nobody sends before it has passed.

Waits longer than the caller allows raise :class:`Throttled`, which the engine treats as
"not attempted": the deliveries stay pending without counting as a failure.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from .model import NotAttempted

_UNITS = {"s": 1.0, "sec": 1.0, "second": 1.0, "m": 60.0, "min": 60.0, "minute": 60.0,
          "h": 3600.0, "hour": 3600.0, "d": 86400.0, "day": 86400.0}
EPOCH_THRESHOLD = 1e9  # a reset this large is a Unix time, smaller ones are seconds from now


class Throttled(NotAttempted):
    """The next request may only go after longer than the caller wanted to wait."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(f"rate limit: next request allowed in {wait_s:.1f} s",
                         retry_after=wait_s, kind="rate_limited")
        self.wait_s = wait_s


def parse_rate(text: str) -> float:
    """``"60/min"``, ``"5/s"``, ``"5000/day"``, ``"2.5"`` (per second) -> requests per second."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(?:/\s*([0-9]*\.?[0-9]*)\s*([a-z]+))?\s*",
                     text.lower())
    if not m:
        raise ValueError(f"rate {text!r}: use e.g. 60/min, 10/s or 5000/day")
    count = float(m.group(1))
    if m.group(3) is None:
        return count
    unit = m.group(3).rstrip("s") if m.group(3) not in _UNITS else m.group(3)
    if unit not in _UNITS:
        raise ValueError(f"rate {text!r}: unknown unit {m.group(3)!r}")
    per = float(m.group(2)) if m.group(2) else 1.0
    if count <= 0 or per <= 0:
        raise ValueError(f"rate {text!r} must be more than zero")
    return count / (per * _UNITS[unit])


@dataclass(frozen=True, slots=True)
class ServerQuota:
    """What one answer said about the quota left."""

    remaining: float | None = None
    reset_s: float | None = None  # seconds from now until more quota is available
    limit: float | None = None


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    value = value.strip().split(",")[0].strip()
    try:
        n = float(value)
    except ValueError:
        return None
    return n if math.isfinite(n) else None


def _reset(value: float | None, wall: float) -> float | None:
    if value is None:
        return None
    return max(0.0, value - wall) if value >= EPOCH_THRESHOLD else max(0.0, value)


def parse_quota(headers: Mapping[str, str], wall: float | None = None) -> ServerQuota | None:
    """The quota an answer's headers announce (names compared case-insensitively)."""
    h = {k.lower(): v for k, v in headers.items()}
    now = time.time() if wall is None else wall
    for prefix in ("x-ratelimit-", "ratelimit-", "x-rate-limit-"):
        remaining = _number(h.get(prefix + "remaining"))
        if remaining is not None:
            return ServerQuota(remaining, _reset(_number(h.get(prefix + "reset")), now),
                               _number(h.get(prefix + "limit")))
    structured = h.get("ratelimit")
    if structured:  # "limit=100, remaining=50, reset=5" or '"default";r=50;t=5'
        parts = dict(re.findall(r"([a-z]+)\s*=\s*([0-9.]+)", structured.lower()))
        remaining = _number(parts.get("remaining", parts.get("r")))
        if remaining is not None:
            return ServerQuota(remaining, _reset(_number(parts.get("reset", parts.get("t"))),
                                                 now), _number(parts.get("limit")))
    minute = _number(h.get("x-minlimit-remaining"))  # Xero: per-minute and per-day quotas
    day = _number(h.get("x-daylimit-remaining"))
    if day is not None and day <= 0:
        return ServerQuota(0, 3600.0)
    if minute is not None:
        return ServerQuota(minute, 60.0 if minute <= 0 else None)
    return None


class Limiter:
    """One connector's pace; thread-safe, shared by its parallel lanes."""

    def __init__(self, rate: float | None = None, burst: int = 1,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], object] = time.sleep) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.reserve = True  # keep slack for network jitter (see above)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tat = 0.0  # GCRA theoretical arrival time of the next request
        self._blocked_until = 0.0  # Retry-After, an exhausted server quota or cost bucket
        self._remaining: float | None = None  # server quota left, our own estimate
        self._reset_at = 0.0
        self._span = 1.0  # the last reset's distance: a bucket's time to its next token
        self._in_flight = 0
        self.max_wait = math.inf  # acquire() without max_wait waits at most this long
        self.probe_s = 1.0  # after a reset, how long the first request's answer may take
        self.waited_s = 0.0  # time spent waiting, for the benchmark and the logs
        self.throttled = 0  # 429s seen

    # ----- configuration from the server ------------------------------------------------
    def observe(self, headers: Mapping[str, str], status: int | None = None,
                retry_after: float | None = None) -> None:
        """Learn from one answer: quota headers, and Retry-After on a 429/503."""
        quota = parse_quota(headers)
        with self._lock:
            now = self._clock()
            if status == 429:
                self.throttled += 1
            if retry_after is not None and status in (429, 503):
                self._blocked_until = max(self._blocked_until, now + retry_after)
            if quota is None or quota.remaining is None:
                if status is not None and status < 400:
                    self._remaining = None  # the server says nothing of a quota (now)
                return
            # this answer's figure already counts its own request, not those still out
            others = max(0, self._in_flight - 1)
            estimate = max(0.0, quota.remaining - others)
            reset_at = now + (quota.reset_s if quota.reset_s is not None else 1.0)
            same_window = self._remaining is not None and abs(reset_at - self._reset_at) < 0.5
            if same_window and self._remaining is not None:
                estimate = min(estimate, self._remaining)
            self._remaining, self._reset_at = estimate, reset_at
            self._span = reset_at - now

    def observe_bucket(self, available: float, maximum: float, restore_rate: float,
                       next_cost: float = 1.0) -> None:
        """A server-side cost bucket (Shopify): pace at its restore rate, never overdraw."""
        with self._lock:
            now = self._clock()
            if self.rate is None or self.rate > restore_rate:
                self.rate, self.burst = restore_rate, max(1, int(maximum))
            if available < next_cost and restore_rate > 0:
                self._blocked_until = max(self._blocked_until,
                                          now + (next_cost - available) / restore_rate)

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    # ----- asking to send ------------------------------------------------------------------
    def _wait_locked(self, now: float, cost: float) -> float:
        wait = max(0.0, self._blocked_until - now)
        if self._remaining is not None:
            if now >= self._reset_at:
                self._reset(now)
            if self._remaining < cost:
                wait = max(wait, self._reset_at - now)
        if self.rate:
            interval = 1.0 / self._rate()
            tolerance = (self._burst() - 1) * interval
            wait = max(wait, max(self._tat, now) - tolerance - now)
        return wait

    def _reset(self, at: float) -> None:
        """Past the reset, a quota that was used up lets one request find out what the new
        window holds (so parallel lanes do not rush a quota of one); the next one may go a
        reset's distance later even before that answer is in, as a token bucket's reset is
        the time to its next token (milliseconds), and waiting for each answer would send
        one request at a time. One that was not used up keeps its estimate: a reset never
        takes away what was left."""
        assert self._remaining is not None
        if self._remaining < 1:  # one more until the answer says more, or the next token
            self._remaining, self._reset_at = 1.0, at + min(self.probe_s, self._span)

    def _rate(self) -> float:
        assert self.rate
        return self.rate * 0.97 if self.reserve and self.burst == 1 else self.rate

    def _burst(self) -> int:
        return self.burst - 1 if self.reserve and self.burst > 1 else self.burst

    def ready_in(self, cost: float = 1.0) -> float:
        """Seconds until a request could go (0: now)."""
        with self._lock:
            return self._wait_locked(self._clock(), cost)

    def capacity(self, within_s: float) -> int:
        """About how many requests the limits allow in the next ``within_s`` seconds."""
        with self._lock:
            now = self._clock()
            if self._wait_locked(now, 1.0) > within_s:
                return 0
            n = math.inf
            if self.rate:
                interval = 1.0 / self._rate()
                ahead = max(0.0, max(self._tat, now) - now)
                n = max(1.0, self._burst() - ahead / interval + within_s * self._rate())
            if self._remaining is not None and now < self._reset_at:
                n = min(n, max(1.0, self._remaining))
            return int(n) if n != math.inf else 1_000_000

    def acquire(self, cost: float = 1.0, max_wait: float | None = None) -> float:
        """Take ``cost`` from the budget, waiting for it; return the seconds waited.

        Raises :class:`Throttled` (taking nothing) when the wait would exceed ``max_wait``.
        """
        with self._lock:
            now = self._clock()
            wait = self._wait_locked(now, cost)
            if wait > (self.max_wait if max_wait is None else max_wait):
                raise Throttled(wait)
            if self.rate:
                self._tat = max(self._tat, now + wait) + cost / self._rate()
            if self._remaining is not None:
                if now + wait >= self._reset_at:  # it goes after the reset
                    self._reset(now + wait)
                self._remaining -= cost
            self._in_flight += 1
            self.waited_s += wait
        if wait > 0:
            self._sleep(wait)
        return wait

    def done(self) -> None:
        """The request that ``acquire`` admitted has ended (answered or failed)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    @contextmanager
    def request(self, cost: float = 1.0, max_wait: float | None = None) -> Iterator[None]:
        self.acquire(cost, max_wait)
        try:
            yield
        finally:
            self.done()
