"""A reference receiver for the signed webhook: verifies signatures, deduplicates by
Idempotency-Key as a careful target should, and can inject faults.

Used by the tests, by ``pos bench`` (in its own process) and by anyone checking a
webhook set-up: ``python -m sync.receiver --secret S [--port P]`` prints its URL,
serves until its standard input closes, then prints what it received as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sync.signing import HEADER, verify

# What the receiver does with one request:
#   ok          record (once per key) and answer 200
#   500 / 503   answer the error, record nothing
#   429         answer 429 with Retry-After: 2, record nothing
#   drop        record, then close the connection without answering (target committed,
#               the sender never hears it)
#   400         answer 400 with a message (a permanent, validation-class error)
Fault = Callable[[dict[str, Any]], str]


@dataclass
class Receiver:
    secret: str
    fault: Fault = lambda event: "ok"
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # by idempotency key
    arrival: list[str] = field(default_factory=list)  # event ids in first-arrival order
    arrived_at: dict[str, float] = field(default_factory=dict)  # event id -> time.time()
    requests: int = 0
    duplicates: int = 0
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""

    def wait_for(self, events: int, timeout: float = 60) -> bool:
        """Block until at least ``events`` distinct events arrived (no polling sleeps)."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.events) >= events, timeout)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        with self.lock:
            self.requests += 1
        if not verify(self.secret, handler.headers.get(HEADER), body):
            with self.lock:
                self.bad_signatures += 1
            handler.send_response(401)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        event = json.loads(body)
        if event.get("type") == "ping":
            handler.send_response(204)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        action = self.fault(event)
        if action in ("500", "503"):
            handler.send_response(int(action))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if action == "429":
            handler.send_response(429)
            handler.send_header("Retry-After", "2")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        if action == "400":
            msg = b"unknown tax code RED"
            handler.send_response(400)
            handler.send_header("Content-Length", str(len(msg)))
            handler.end_headers()
            handler.wfile.write(msg)
            return
        key = handler.headers["Idempotency-Key"]
        with self.lock:
            if key in self.events:
                self.duplicates += 1
            else:
                self.events[key] = event
                self.arrival.append(event["id"])
                self.arrived_at[event["id"]] = time.time()
        with self.changed:
            self.changed.notify_all()
        if action == "drop":
            handler.close_connection = True
            return
        handler.send_response(200)
        handler.send_header("X-Request-Id", f"rcv-{len(self.events)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()


@contextmanager
def receiver(secret: str, fault: Fault | None = None, port: int = 0) -> Iterator[Receiver]:
    rcv = Receiver(secret) if fault is None else Receiver(secret, fault)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real receiver

        def do_POST(self) -> None:
            rcv.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    rcv.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rcv
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m sync.receiver", description=__doc__)
    p.add_argument("--secret", required=True)
    p.add_argument("--port", type=int, default=0)
    ns = p.parse_args(argv)
    with receiver(ns.secret, port=ns.port) as rcv:
        print(rcv.url, flush=True)
        sys.stdin.read()
        json.dump({"events": len(rcv.events), "duplicates": rcv.duplicates,
                   "requests": rcv.requests, "bad_signatures": rcv.bad_signatures,
                   "arrived_at": rcv.arrived_at}, sys.stdout)


if __name__ == "__main__":
    main()
