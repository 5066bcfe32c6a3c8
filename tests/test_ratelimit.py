"""The client-side limiter and the servers' rate-limit signals, on a fake clock."""

from __future__ import annotations

import pytest

from sync.ratelimit import Limiter, Throttled, parse_quota, parse_rate


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(rate: float | None = None, burst: int = 1) -> tuple[Limiter, FakeTime]:
    t = FakeTime()
    return Limiter(rate, burst, clock=t, sleep=t.sleep), t


def test_rates_parse() -> None:
    assert parse_rate("60/min") == 1.0
    assert parse_rate("10/s") == 10.0
    assert parse_rate("5000/day") == pytest.approx(5000 / 86400)
    assert parse_rate("120 / 2 minutes") == 1.0
    assert parse_rate("2.5") == 2.5
    for bad in ("fast", "10/fortnight", "0/s"):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_token_bucket_allows_the_burst_then_the_rate() -> None:
    lim, t = limiter(rate=2.0, burst=5)
    start = t.now
    for _ in range(4):
        assert lim.acquire() == 0  # the burst goes at once (one kept in reserve)
    waits = [lim.acquire() for _ in range(10)]
    assert all(w == pytest.approx(0.5) for w in waits)  # then one every 1/rate
    assert t.now - start == pytest.approx(5.0)
    # 14 requests in 5 s, one below the ceiling (burst + rate * elapsed = 15)
    assert 5 + 2.0 * (t.now - start) - 14 == 1
    exact, _ = limiter(rate=2.0, burst=5)
    exact.reserve = False  # without the reserve: the ceiling exactly
    assert [exact.acquire() for _ in range(5)] == [0] * 5


def test_idle_time_refills_up_to_the_burst_only() -> None:
    lim, t = limiter(rate=1.0, burst=4)
    for _ in range(3):
        lim.acquire()
    t.now += 100  # a long pause refills the burst (less the reserve), not a hundred
    assert [lim.acquire() for _ in range(4)] == [0, 0, 0, pytest.approx(1.0)]
    single, _ = limiter(rate=1.0, burst=1)
    single.acquire()
    assert single.acquire() == pytest.approx(1 / 0.97)  # a burst of 1: 3 % slower


def test_throttled_when_the_wait_is_longer_than_allowed() -> None:
    lim, t = limiter(rate=0.1, burst=1)
    lim.reserve = False
    lim.acquire()
    with pytest.raises(Throttled) as exc:
        lim.acquire(max_wait=2)
    assert exc.value.wait_s == pytest.approx(10) and exc.value.kind == "rate_limited"
    assert lim.ready_in() == pytest.approx(10)  # nothing was taken by the refusal
    t.now += 10
    assert lim.acquire(max_wait=0) == 0


@pytest.mark.parametrize(("headers", "remaining", "reset"), [
    ({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "7"}, 0, 7),
    ({"x-ratelimit-remaining": "3", "x-ratelimit-reset": str(1_700_000_030)}, 3, 30),  # epoch
    ({"RateLimit-Remaining": "5", "RateLimit-Reset": "2.5"}, 5, 2.5),
    ({"RateLimit": "limit=100, remaining=50, reset=5"}, 50, 5),
    ({"RateLimit": '"default";r=0;t=12'}, 0, 12),
    ({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"}, 0, 60),  # Xero
])
def test_quota_headers_of_different_apis(headers: dict[str, str], remaining: float,
                                         reset: float) -> None:
    q = parse_quota(headers, wall=1_700_000_000)
    assert q is not None and q.remaining == remaining and q.reset_s == pytest.approx(reset)


def test_no_quota_headers() -> None:
    assert parse_quota({"Content-Type": "application/json"}) is None


def test_an_exhausted_server_quota_waits_for_its_reset() -> None:
    lim, _t = limiter()  # no client-side ceiling: only the server's word
    with lim.request():
        lim.observe({"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "10"}, 200)
    for _ in range(2):  # the two that are left
        with lim.request():
            pass
    assert lim.ready_in() == pytest.approx(10)
    with lim.request():  # after the window's reset, one request finds out what it holds
        assert lim.ready_in() == pytest.approx(lim.probe_s)  # the others wait for it
        lim.observe({"X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "60"}, 200)
    assert [lim.acquire() for _ in range(4)] == [0, 0, 0, 0]  # the new window's four
    assert lim.ready_in() == pytest.approx(60)
    lim.observe({}, 200)  # an answer without quota headers: no quota to keep to
    assert lim.acquire() == 0


def test_a_token_buckets_reset_paces_by_its_tokens_not_by_answers() -> None:
    """A bucket drained to zero says "one more in 10 ms": past that reset one request
    goes, the next one 10 ms later even while the first answer is still out (waiting for
    each answer sent one request at a time: a fifth of a 100/s limit on this machine)."""
    lim, t = limiter()
    with lim.request():
        lim.observe({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0.010",
                     "X-RateLimit-Limit": "20"}, 200)
    start = t.now
    assert lim.acquire() == pytest.approx(0.010)  # at the reset: the next token
    assert lim.acquire() == pytest.approx(0.010)  # no answer yet: the token after it
    assert t.now - start == pytest.approx(0.020)


def test_a_reset_never_takes_away_what_was_left() -> None:
    lim, t = limiter()
    with lim.request():
        lim.observe({"X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "0.010"}, 200)
    t.now += 1.0  # long past the reset
    assert [lim.acquire() for _ in range(5)] == [0, 0, 0, 0, 0]  # the five still count


def test_requests_still_out_count_against_the_quota_an_answer_reports() -> None:
    lim, _t = limiter()
    for _ in range(3):  # three lanes send at once
        lim.acquire()
    # the first answer says 2 left, but the other two requests were already sent
    lim.observe({"X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "5"}, 200)
    lim.done()
    assert lim.ready_in() == pytest.approx(5)


def test_retry_after_on_429_pauses_everyone() -> None:
    lim, _t = limiter(rate=100.0, burst=10)
    lim.observe({}, 429, retry_after=3)
    assert lim.throttled == 1 and lim.ready_in() == pytest.approx(3)
    assert lim.acquire() == pytest.approx(3)


def test_cost_bucket_paces_at_the_restore_rate() -> None:
    lim, _t = limiter()
    # Shopify: 50 points restore per second, 1000 maximum, only 10 left for a 110-point call
    lim.observe_bucket(available=10, maximum=1000, restore_rate=50, next_cost=110)
    assert lim.rate == 50 and lim.burst == 1000
    assert lim.ready_in(110) == pytest.approx(2.0)


def test_capacity_estimates_what_can_go_soon() -> None:
    lim, _ = limiter(rate=10.0, burst=5)
    assert lim.capacity(2.0) == 24  # the burst (less the reserve) and two seconds at the rate
    free, _ = limiter()
    assert free.capacity(2.0) >= 1000
    lim.pause(30)
    assert lim.capacity(2.0) == 0
