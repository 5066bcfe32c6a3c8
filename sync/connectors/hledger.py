"""hledger-web (``hledger-web --serve-api``): each sale, refund and exchange added as a
balanced journal transaction through ``PUT /add``.

hledger has no idempotency keys, so every transaction carries its outbox event id
as a ``pos_event`` tag, and the connector knows which ids the journal already holds:
read with ``GET /transactions`` when it starts and again before any retry, so a
transaction that was added just before a timeout or a crash is not added twice.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from ..accounting import (
    DAILY,
    Entry,
    entries_mode,
    ledger_entry,
    ledger_mapping,
    summary_entry,
    summary_group,
    unmapped,
)
from ..model import (
    RATE_LIMITED,
    SERVER,
    TIMEOUT,
    UNREACHABLE,
    ConnectorConfig,
    Delivery,
    PermanentError,
    SyncError,
    TransientError,
)
from ..ports import SecretStore
from ..ratelimit import Limiter
from ..retry import parse_retry_after
from .base import LEDGER_MAPPING_SCHEMA, Setting, setting

TAG = "pos_event"
BATCH_TAG, SUMMARY_TAG = "pos_batch", "pos_summary"  # a daily summary's reference and day


def _amount(value: Decimal, commodity: str) -> dict[str, Any]:
    places = max(0, -value.as_tuple().exponent)  # type: ignore[operator]
    mantissa = int(value.scaleb(places))
    return {"acommodity": commodity, "aprice": None,
            "aquantity": {"decimalMantissa": mantissa, "decimalPlaces": places,
                          "floatingPoint": float(value)},  # hledger's JSON wants all three
            "astyle": {"ascommodityside": "R", "ascommodityspaced": True,
                       "asdecimalpoint": ".", "asdigitgroups": None,
                       "asprecision": places}}


def transaction_json(e: Entry) -> dict[str, Any]:
    tags = ([[TAG, e.event_id]] if e.summary is None else
            [[BATCH_TAG, e.event_id], [SUMMARY_TAG, e.summary], ["pos_documents",
                                                                 str(e.documents)]])
    postings = [{"paccount": p.account, "pamount": [_amount(p.amount, p.currency)],
                 "pbalanceassertion": None, "pcomment": "", "pdate": None, "pdate2": None,
                 "poriginal": None, "pstatus": "Unmarked", "ptags": [],
                 "ptransaction_": "0", "ptype": "RegularPosting"} for p in e.postings]
    return {"tcode": e.reference, "tcomment": ", ".join(f"{k}: {v}" for k, v in tags) + "\n",
            "tdate": e.day.isoformat(), "tdate2": None, "tdescription": e.narration,
            "tindex": 0, "tprecedingcomment": "", "tpostings": postings,
            "tsourcepos": [{"sourceColumn": 1, "sourceLine": 1, "sourceName": ""},
                           {"sourceColumn": 1, "sourceLine": 1, "sourceName": ""}],
            "tstatus": "Unmarked", "ttags": tags}


class HledgerWebConnector:
    type = "hledger"
    max_concurrency = 1  # one journal file behind the server
    schema: ClassVar[dict[str, Setting]] = {
        "url": Setting("hledger-web base URL, e.g. http://127.0.0.1:5000", required=True),
        "timeout_s": Setting("seconds to wait for an answer", default="10"),
        **LEDGER_MAPPING_SCHEMA,
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = config.name
        self._url = str(setting(config, self.schema, "url")).rstrip("/")
        self._mapping = ledger_mapping(config.settings)
        self._client = httpx.Client(timeout=float(setting(config, self.schema, "timeout_s")),
                                    transport=transport)
        self._seen: set[str] | None = None
        self._days: set[str] = set()
        self.grouping = entries_mode(config.settings) == DAILY
        self._delay = timedelta(seconds=float(setting(config, self.schema, "summary_delay_s")))
        self._lock = threading.Lock()
        self.limiter: Limiter | None = None  # set by the engine

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        return unmapped(self._mapping, tax_codes)

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        limiter = self.limiter
        if limiter is not None:
            limiter.acquire()
        try:
            r = self._client.request(method, self._url + path, **kw)
            if limiter is not None:
                limiter.observe(r.headers, r.status_code,
                                parse_retry_after(r.headers.get("retry-after")))
        except httpx.ConnectTimeout as exc:
            raise TransientError(f"cannot reach {self._url}: no connection in time",
                                 kind=UNREACHABLE) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"no answer from {self._url} in time", kind=TIMEOUT) from exc
        except httpx.ConnectError as exc:
            raise TransientError(f"cannot reach {self._url}: {exc.__class__.__name__}",
                                 kind=UNREACHABLE) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{self._url} dropped the connection: "
                                 f"{exc.__class__.__name__}") from exc
        finally:
            if limiter is not None:
                limiter.done()
        if r.status_code >= 500 or r.status_code in (408, 429):
            raise TransientError(f"HTTP {r.status_code} from hledger-web",
                                 parse_retry_after(r.headers.get("retry-after")),
                                 RATE_LIMITED if r.status_code == 429 else SERVER)
        if r.status_code >= 400:
            raise PermanentError(f"hledger-web refused it: HTTP {r.status_code} {r.text[:300]}")
        return r

    def _load_seen(self) -> set[str]:
        """Event ids and summary references in the journal (and the summarised days)."""
        txns = self._call("GET", "/transactions").json()
        tags = [(name, value) for t in txns for name, value in t.get("ttags", [])]
        self._days = {value for name, value in tags if name == SUMMARY_TAG}
        return {value for name, value in tags if name in (TAG, BATCH_TAG)}

    def deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        e = ledger_entry(event, self._mapping)
        if e is None:
            return "not a ledger event"
        with self._lock:
            if self._seen is None or delivery.attempts > 0:
                self._seen = self._load_seen()  # look it up at the target before re-adding
            if event.id in self._seen:
                return "already in journal"
            self._call("PUT", "/add", json=transaction_json(e))
            self._seen.add(event.id)
            return e.reference

    # ----- daily summaries (entries=daily) ---------------------------------------------
    def group(self, delivery: Delivery) -> tuple[str, datetime] | None:
        return summary_group(delivery, self._delay)

    def refuse(self, delivery: Delivery) -> PermanentError | None:
        """Why this event cannot go into a summary (asked before the summary is posted)."""
        try:
            ledger_entry(delivery.event, self._mapping)
        except PermanentError as exc:
            return exc
        return None

    def deliver_group(self, ref: str, deliveries: list[Delivery]) -> list[str | SyncError]:
        with self._lock:
            if self._seen is None or any(d.attempts for d in deliveries):
                self._seen = self._load_seen()
            if ref in self._seen:
                return ["already in journal"] * len(deliveries)
            results: list[str | SyncError] = []
            entries = []
            for d in deliveries:
                e = ledger_entry(d.event, self._mapping)  # refused: the whole group fails
                if e is None or d.event.id in self._seen:
                    results.append("already in journal" if e else "not a ledger event")
                    continue
                entries.append(e)
                results.append(ref)
            if entries:
                key = ref.split("#", 1)[0]
                summary = summary_entry(ref, entries, late=key in self._days)
                self._call("PUT", "/add", json=transaction_json(summary))
                self._seen.add(ref)
                self._days.add(key)
            return results

    def test(self) -> str:
        n = len(self._call("GET", "/transactions").json())
        return f"{self._url} answered; the journal holds {n} transactions"

    def close(self) -> None:
        self._client.close()
