"""A reference receiver for the signed webhook: verifies signatures, deduplicates by
idempotency key as a careful target should, takes batches, can enforce a published
rate limit, and can inject faults.

Used by the tests, by ``pos bench`` (in its own process) and by anyone checking a
webhook set-up: ``python -m sync.receiver --secret S [--port P] [--rate 100 --burst 20]``
prints its URL, serves until its standard input closes, then prints what it received
as JSON.

The rate limit is a token bucket (``rate`` per second, ``burst`` at once), published in
every answer as ``X-RateLimit-Limit`` (the burst), ``X-RateLimit-Remaining`` (whole
requests left now) and ``X-RateLimit-Reset`` (seconds until one more is allowed, with
decimals); over it, 429 with ``Retry-After`` (whole seconds, rounded up).
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sync.signing import HEADER, verify

# What the receiver does with one event (``fault``) or one request (``request_fault``):
#   ok          record (once per key) and answer 200
#   500 / 503   answer the error, record nothing
#   429         answer 429 with Retry-After: 2, record nothing
#   400         answer 400 with a message (a permanent, validation-class error)
# and for a whole request only:
#   drop        record, then close the connection without answering (target committed,
#               the sender never hears it)
#   timeout     record, then answer nothing until the sender has given up (``stall_s``)
#   reset       close the connection with a TCP reset, recording nothing
Fault = Callable[[dict[str, Any]], str]
RequestFault = Callable[[list[dict[str, Any]]], str]
RETRY_AFTER = 2


class Bucket:
    """The receiver's published limit: a token bucket of ``burst`` refilled at ``rate``/s."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.at = time.monotonic()
        self.first: float | None = None  # first and last admitted request
        self.last: float | None = None
        self.admitted = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[bool, dict[str, str]]:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            ok = self.tokens >= 1
            if ok:
                self.tokens -= 1
                self.admitted += 1
                self.first = now if self.first is None else self.first
                self.last = now
            wait = (1 - (self.tokens - math.floor(self.tokens))) / self.rate
            headers = {"X-RateLimit-Limit": str(self.burst),
                       "X-RateLimit-Remaining": str(math.floor(self.tokens)),
                       "X-RateLimit-Reset": f"{wait:.3f}"}
            if not ok:
                headers["Retry-After"] = str(max(1, math.ceil(wait)))
            return ok, headers

    def ceiling(self) -> float:
        """The most this limit admits between the first and the last admitted request."""
        if self.first is None or self.last is None:
            return 0.0
        return self.burst + self.rate * (self.last - self.first)


@dataclass
class Receiver:
    secret: str
    fault: Fault = lambda event: "ok"
    request_fault: RequestFault | None = None
    bucket: Bucket | None = None
    stall_s: float = 5.0
    retry_after: int = RETRY_AFTER  # seconds a "429" fault asks the sender to wait
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    arrival: list[str] = field(default_factory=list)  # event ids in first-arrival order
    arrived_at: dict[str, float] = field(default_factory=dict)  # event id -> time.time()
    requests: int = 0
    batches: int = 0
    duplicates: int = 0
    bad_signatures: int = 0
    incomplete: int = 0  # requests whose body ended before its Content-Length
    throttled: int = 0  # 429s sent because the published limit was exceeded
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)
    closing: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def wait_for(self, events: int, timeout: float = 60) -> bool:
        """Block until at least ``events`` distinct events arrived (no polling sleeps)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.events) >= events, timeout)

    def _record(self, key: str, event: dict[str, Any]) -> str:
        with self.lock:
            if key in self.events:
                self.duplicates += 1
            else:
                self.events[key] = event
                self.arrival.append(event["id"])
                self.arrived_at[event["id"]] = time.time()
            return f"rcv-{len(self.events)}"

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
                headers: dict[str, str] | None = None) -> None:
        handler.send_response(status)
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body:
            handler.wfile.write(body)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", 0))
        body = handler.rfile.read(length)
        with self.lock:
            self.requests += 1
        if len(body) < length:  # the sender went away mid-body (killed): not a forgery
            with self.lock:
                self.incomplete += 1
            handler.close_connection = True
            with self.changed:
                self.changed.notify_all()
            return
        if not verify(self.secret, handler.headers.get(HEADER), body):
            with self.lock:
                self.bad_signatures += 1
            self._answer(handler, 401)
            return
        data = json.loads(body)
        if data.get("type") == "ping":
            self._answer(handler, 204)
            return
        limits: dict[str, str] = {}
        if self.bucket is not None:
            ok, limits = self.bucket.take()
            if not ok:
                with self.lock:
                    self.throttled += 1
                self._answer(handler, 429, headers=limits)
                return
        batch = "events" in data
        events = data["events"] if batch else [data]
        action = self.request_fault(events) if self.request_fault else (
            "ok" if batch else self.fault(data))
        if action == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                          struct.pack("ii", 1, 0))
            handler.close_connection = True
            return
        if action in ("500", "503"):
            self._answer(handler, int(action), headers=limits)
            return
        if action == "429":
            self._answer(handler, 429, headers={**limits, "Retry-After": str(self.retry_after)})
            return
        if action == "400":
            self._answer(handler, 400, b"unknown tax code RED", limits)
            return
        if batch:
            with self.lock:
                self.batches += 1
            results = self._batch(events)
            reply = json.dumps({"results": results}).encode()
            ref = ""
        else:
            ref = self._record(handler.headers["Idempotency-Key"], data)
        with self.changed:
            self.changed.notify_all()
        if action in ("drop", "timeout"):
            if action == "timeout":  # committed; the answer comes after the sender gave up
                self.closing.wait(self.stall_s)
            handler.close_connection = True
            return
        if batch:
            self._answer(handler, 200, reply, {**limits, "Content-Type": "application/json"})
        else:
            self._answer(handler, 200, headers={**limits, "X-Request-Id": ref})

    def _batch(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Apply in order; after a failure, hold back later events of the same key."""
        failed: set[str] = set()
        results = []
        for event in events:
            key, lane = event.pop("idempotency_key"), event.pop("order_key", None)
            order = set(event.pop("order_keys", None) or ([lane] if lane else []))
            if not failed.isdisjoint(order):
                results.append({"idempotency_key": key, "status": 424})
                continue
            action = self.fault(event)
            if action in ("500", "503", "429", "400"):
                failed |= order
                result: dict[str, Any] = {"idempotency_key": key, "status": int(action)}
                if action == "429":
                    result["retry_after"] = self.retry_after
                if action == "400":
                    result["error"] = "unknown tax code RED"
                results.append(result)
                continue
            results.append({"idempotency_key": key, "status": 200,
                            "ref": self._record(key, event)})
        return results

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "events": len(self.events), "duplicates": self.duplicates,
            "requests": self.requests, "batches": self.batches,
            "bad_signatures": self.bad_signatures, "incomplete": self.incomplete,
            "throttled": self.throttled,
            "arrived_at": self.arrived_at}
        if self.bucket is not None:
            b = self.bucket
            out["limit"] = {"rate": b.rate, "burst": b.burst, "admitted": b.admitted,
                            "seconds": (b.last - b.first) if b.first and b.last else 0.0,
                            "ceiling": b.ceiling()}
        return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a sender that went away
            super().handle_error(request, client_address)


@contextmanager
def receiver(secret: str, fault: Fault | None = None, port: int = 0,
             request_fault: RequestFault | None = None, rate: float | None = None,
             burst: int = 1, stall_s: float = 5.0,
             retry_after: int = RETRY_AFTER) -> Iterator[Receiver]:
    rcv = Receiver(secret) if fault is None else Receiver(secret, fault)
    rcv.request_fault, rcv.stall_s, rcv.retry_after = request_fault, stall_s, retry_after
    if rate:
        rcv.bucket = Bucket(rate, burst)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real receiver

        def do_POST(self) -> None:
            rcv.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = _Server(("127.0.0.1", port), Handler)
    rcv.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rcv
    finally:
        rcv.closing.set()
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m sync.receiver", description=__doc__)
    p.add_argument("--secret", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rate", type=float, help="published limit: requests per second")
    p.add_argument("--burst", type=int, default=1, help="requests allowed at once")
    ns = p.parse_args(argv)
    with receiver(ns.secret, port=ns.port, rate=ns.rate, burst=ns.burst) as rcv:
        print(rcv.url, flush=True)
        sys.stdin.read()
        json.dump(rcv.stats(), sys.stdout)


if __name__ == "__main__":
    main()
