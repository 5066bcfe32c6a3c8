"""Inbound sync: catalog, price and stock changes pulled from targets into the POS store.

A connector that can pull implements ``pull(cursor) -> (changes, next_cursor)``. The
poller asks it on an interval (sooner when a signed notification arrives), marks each
change authoritative or not by the connector's system of record for that data type, and
hands the batch and its new cursor to the store port (:class:`InboundStore`), which
applies both in one transaction with a compare-and-swap on the old cursor: a crash before
the commit pulls the same batch again, a crash after it never applies it twice, and two
processes polling one connector cannot move its cursor backwards.

A change from a target that is not the system of record for its data type is not
applied: where it disagrees with the POS it becomes a conflict, listed by
``pos sync conflicts``. Stock is exchanged as deltas tied to a transaction
(``stock_delta``, applied once per target reference) or as counts (``stock_count``,
applied only where the target owns stock).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .connectors.base import ConfigError, Setting
from .model import SyncError
from .ports import InboundStore, Puller
from .signing import HEADER, verify

log = logging.getLogger(__name__)

DATA_TYPES = ("catalog", "prices", "stock")
DUPLICATE = "duplicate"  # a webhook hook's answer for an event it has seen
FIELDS = {"name": "catalog", "active": "catalog", "price": "prices",
          "stock_delta": "stock", "stock_count": "stock"}
POS = "pos"

# Settings every pulling connector takes (merged into its schema).
INBOUND_SCHEMA = {
    **{f"system_of_record.{t}": Setting(
        f"who owns {t}: 'pos' (the default; the target's differing {t} are conflicts) or "
        f"the target's type (its {t} changes update the POS)", default=POS)
       for t in DATA_TYPES},
    "pull_interval_s": Setting("seconds between pulls of the target's changes", default="30"),
    "webhook_secret": Setting("HMAC secret of the target's change notifications "
                              "(`pos sync listen`)", secret=True),
}


@dataclass(frozen=True, slots=True)
class InboundChange:
    """One value the target holds for one POS item (identified by its SKU)."""

    field: str  # name | active | price | stock_delta | stock_count
    sku: str
    value: Any  # str | bool | int minor units | quantity as a decimal string
    ref: str  # the target's reference: shown with conflicts, the once-key of a stock delta
    currency: str | None = None  # for prices
    location: str | None = None  # POS location code, for stock
    authoritative: bool = False  # set by the poller: the target owns this data type

    @property
    def data_type(self) -> str:
        return FIELDS[self.field]


@dataclass(frozen=True, slots=True)
class InboundResult:
    applied: int = 0
    unchanged: int = 0
    conflicts: int = 0
    unknown: int = 0  # items the POS does not have
    stale: bool = False  # another process moved the cursor first: nothing applied

    def __str__(self) -> str:
        if self.stale:
            return "another process applied this batch first"
        return (f"applied {self.applied}, unchanged {self.unchanged}, conflicts "
                f"{self.conflicts}, unknown items {self.unknown}")


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    connector: str
    sku: str
    field: str
    pos_value: str
    target_value: str
    ref: str
    at: str
    resolved: str | None = None  # why and when it was closed


@dataclass(frozen=True, slots=True)
class PosItem:
    variant_id: str
    sku: str
    name: str
    price: int
    active: bool
    barcodes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PosLocation:
    id: str
    code: str
    name: str


def system_of_record(settings: dict[str, Any], data_type: str, target: str,
                     allowed: tuple[str, ...] = DATA_TYPES) -> str:
    """``pos`` or the target's type, from ``system_of_record.<type>``; anything else is
    a configuration error naming the setting."""
    value = str(settings.get(f"system_of_record.{data_type}") or POS).strip().lower()
    if value not in (POS, target):
        raise ConfigError(f"system_of_record.{data_type} is {value!r}: use 'pos' or "
                          f"{target!r}")
    if value == target and data_type not in allowed:
        raise ConfigError(f"{target} cannot own {data_type}: its changes to {data_type} "
                          "cannot be pulled")
    return value


def can_pull(connector: object) -> bool:
    return callable(getattr(connector, "pull", None))


@dataclass
class InboundPoller:
    """Pulls each connector's changes into the store, every ``interval_s`` of its own."""

    store: InboundStore
    connectors: dict[str, Puller]
    intervals: dict[str, float] | None = None
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._wake = threading.Event()
        self._due: dict[str, float] = dict.fromkeys(self.connectors, 0.0)
        self._lock = threading.Lock()  # one pull per connector at a time in this process

    def poll(self, name: str) -> InboundResult:
        """One batch: pull after the stored cursor, apply it with the new cursor."""
        connector = self.connectors[name]
        with self._lock:
            since = self.store.inbound_cursor(name)
            changes, cursor = connector.pull(since)
            marked = [replace(c, authoritative=connector.system_of_record(c.data_type) != POS)
                      for c in changes]
            if not marked and cursor == since:
                return InboundResult()
            result = self.store.apply_inbound(name, marked, since, cursor)
        if result.applied or result.conflicts or result.unknown:
            log.info("sync %s inbound: %s", name, result)
        return result

    def poll_until_idle(self, name: str, max_rounds: int = 100) -> InboundResult:
        """Pull until the cursor stops moving; the sums of every batch."""
        total = InboundResult()
        for _ in range(max_rounds):
            before = self.store.inbound_cursor(name)
            r = self.poll(name)
            total = InboundResult(total.applied + r.applied, total.unchanged + r.unchanged,
                                  total.conflicts + r.conflicts, total.unknown + r.unknown,
                                  total.stale or r.stale)
            if self.store.inbound_cursor(name) == before:
                break
        return total

    def wake(self, name: str | None = None) -> None:
        """Pull now (a notification arrived) instead of at the next interval."""
        for n in ([name] if name else list(self._due)):
            if n in self._due:
                self._due[n] = 0.0
        self._wake.set()

    def run_forever(self, stop: threading.Event) -> None:
        """The service loop: pull whatever is due, then wait for the next or a wake-up."""
        while not stop.is_set():
            now = self.clock()
            for name in list(self._due):
                if self._due[name] > now:
                    continue
                interval = (self.intervals or {}).get(name, 30.0)
                try:
                    self.poll_until_idle(name)
                except SyncError as exc:  # the target is away or refused: try again later
                    log.warning("sync %s inbound: %s", name, exc)
                except Exception:  # a broken store or connector must not end the service
                    log.exception("sync %s inbound failed", name)
                self._due[name] = self.clock() + interval
            wait = min(self._due.values(), default=now + 30.0) - self.clock()
            self._wake.wait(max(0.05, min(wait, 30.0)))
            self._wake.clear()


# --- change notifications ------------------------------------------------------------


@dataclass
class Listener:
    """``POST /<connector>`` with a signed body (``X-POS-Signature``, see sync/signing.py)
    makes the poller pull that connector now. The body is only a trigger, never data:
    the changes themselves are read from the target's API, after the cursor."""

    secrets: dict[str, str]  # connector -> webhook secret
    on_notify: Callable[[str], None]
    accepted: int = 0
    refused: int = 0
    url: str = ""
    # connectors that verify their vendor's own webhooks (Shopify, WooCommerce):
    # hook(headers, body) -> None (bad signature), DUPLICATE (seen before) or the topic
    hooks: dict[str, Callable[[Mapping[str, str], bytes], str | None]] = field(
        default_factory=dict)
    duplicates: int = 0

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        name = handler.path.strip("/").split("/")[-1]
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        hook = self.hooks.get(name)
        if hook is not None:
            self._vendor(handler, name, hook, body)
            return
        secret = self.secrets.get(name)
        if secret is None:
            self._answer(handler, 404, "no such connector")
            return
        if not verify(secret, handler.headers.get(HEADER), body):
            self.refused += 1
            log.warning("sync %s: refused a notification with a bad signature from %s",
                        name, handler.client_address[0])
            self._answer(handler, 401, "bad signature")
            return
        try:
            kind = str(json.loads(body or b"{}").get("type", "?"))
        except ValueError:
            kind = "?"
        self.accepted += 1
        log.info("sync %s: notification %s", name, kind[:60])
        self.on_notify(name)
        self._answer(handler, 202, "accepted")

    def _vendor(self, handler: BaseHTTPRequestHandler, name: str,
                hook: Callable[[Mapping[str, str], bytes], str | None], body: bytes) -> None:
        verdict = hook(dict(handler.headers.items()), body)
        if verdict is None:
            self.refused += 1
            log.warning("sync %s: refused a webhook with a bad signature from %s", name,
                        handler.client_address[0])
            self._answer(handler, 401, "bad signature")
        elif verdict == DUPLICATE:  # a vendor's retry of an event already taken
            self.duplicates += 1
            self._answer(handler, 200, "duplicate")
        else:
            self.accepted += 1
            log.info("sync %s: webhook %s", name, verdict[:60])
            self.on_notify(name)
            self._answer(handler, 202, "accepted")

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, text: str) -> None:
        data = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@contextmanager
def listening(listener: Listener, host: str = "127.0.0.1", port: int = 0) -> Iterator[Listener]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            listener.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    listener.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="sync-listen")
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
