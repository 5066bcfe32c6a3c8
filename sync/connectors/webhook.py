"""Signed JSON webhooks for Zapier, Make, n8n and in-house systems.

Each event is POSTed as JSON with ``Idempotency-Key`` (the same on every retry),
``X-POS-Event-Id``/``-Type`` and an HMAC-SHA256 ``X-POS-Signature``. 2xx and 409
(already have it) count as delivered; 408, 425, 429 and 5xx, timeouts and dropped
connections are retried (honouring ``Retry-After`` and the receiver's rate-limit
headers); other 4xx are dead letters with the receiver's own message.

Batch mode (``batch_size`` > 1, for receivers that support it): several events in one
signed POST with ``X-POS-Batch: N`` and the body ``{"events": [envelope, ...]}``, each
envelope carrying its own ``idempotency_key``, ``order_key`` (its lane) and
``order_keys`` (what it keeps its order by: a stock movement per item and location, any
other event its ``order_key``). The receiver applies them in order and answers
``200 {"results": [{"idempotency_key", "status", "ref"?, "error"?, "retry_after"?},
...]}``: each event is acknowledged, retried or dead-lettered by its own status, as if
sent alone. After an event fails, the receiver must not apply a later one sharing one of
its ``order_keys`` in that batch (it answers 424 for it), so a refund never overtakes
its sale, nor an item's stock movement an earlier one of that item. A non-2xx answer to
the whole POST counts for every event in it.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx

from ..model import (
    SERVER,
    TIMEOUT,
    UNREACHABLE,
    ConnectorConfig,
    Delivery,
    NotAttempted,
    OutboxEvent,
    PermanentError,
    SyncError,
    TransientError,
)
from ..ports import SecretStore
from ..ratelimit import Limiter
from ..retry import parse_retry_after
from ..signing import HEADER, sign
from .base import Setting, secret, setting

RETRYABLE = {408, 425, 429}
BATCH_HEADER = "X-POS-Batch"
NOT_APPLIED = 424  # in a batch: held back because an earlier event of its key failed


def _data(event: OutboxEvent) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, "schema_version": event.schema_version,
            "aggregate_type": event.aggregate_type, "aggregate_id": event.aggregate_id,
            "created_at": event.created_at.isoformat(), "payload": event.payload}


def _dumps(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def envelope(event: OutboxEvent) -> bytes:
    return _dumps(_data(event))


def status_error(status: int, text: str, url: str,
                 retry_after: float | None = None) -> SyncError | None:
    """What one HTTP status means for one event: None when it was delivered."""
    if 200 <= status < 300 or status == 409:
        return None
    if status == NOT_APPLIED:
        return NotAttempted("held back behind an earlier event of its sale or stock")
    if status in RETRYABLE or status >= 500:
        return TransientError(f"HTTP {status} from {url}", retry_after,
                              "rate_limited" if status == 429 else SERVER)
    return PermanentError(f"HTTP {status}: {text[:300]}")


class WebhookConnector:
    type = "webhook"
    batch_size = 1  # one event per POST unless the receiver takes batches
    schema: ClassVar[dict[str, Setting]] = {
        "url": Setting("receiver URL (https:// in production)", required=True),
        "timeout_s": Setting("seconds to wait for an answer", default="10"),
        "secret": Setting("shared HMAC secret", required=True, secret=True),
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = config.name
        self._url = str(setting(config, self.schema, "url"))
        self._secret = secret(secrets, config, "secret")
        self.limiter: Limiter | None = None  # set by the engine
        self._client = httpx.Client(
            timeout=float(setting(config, self.schema, "timeout_s")), transport=transport,
            headers={"User-Agent": "pos-app-sync/1", "Content-Type": "application/json"})

    def _post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        headers[HEADER] = sign(self._secret, body)
        limiter = self.limiter
        if limiter is not None:
            limiter.acquire()  # may raise Throttled: not attempted, nothing counted
        try:
            r = self._client.post(self._url, content=body, headers=headers)
            if limiter is not None:  # before done(): its figures count this request
                limiter.observe(r.headers, r.status_code, parse_retry_after(
                    r.headers.get("retry-after")))
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
        return r

    def _check(self, r: httpx.Response) -> None:
        error = status_error(r.status_code, r.text, self._url,
                             parse_retry_after(r.headers.get("retry-after")))
        if error is not None:
            raise error

    def deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        r = self._post(envelope(event), {"Idempotency-Key": delivery.idempotency_key,
                                         "X-POS-Event-Id": event.id,
                                         "X-POS-Event-Type": event.type})
        self._check(r)
        return r.headers.get("x-request-id") or f"HTTP {r.status_code}"

    def deliver_batch(self, deliveries: list[Delivery]) -> list[str | SyncError | None]:
        items = [{**_data(d.event), "idempotency_key": d.idempotency_key,
                  "order_key": d.order_key, "order_keys": list(d.order_keys)}
                 for d in deliveries]
        r = self._post(_dumps({"events": items}), {BATCH_HEADER: str(len(items))})
        self._check(r)
        try:
            answers = {a["idempotency_key"]: a for a in r.json()["results"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientError(f"{self._url} answered the batch without results") from exc
        out: list[str | SyncError | None] = []
        for d in deliveries:
            a = answers.get(d.idempotency_key)
            if a is None:
                out.append(TransientError(f"{self._url} did not answer for this event"))
                continue
            retry = a.get("retry_after")
            error = status_error(int(a.get("status", 0)), str(a.get("error", "")), self._url,
                                 float(retry) if retry is not None else None)
            out.append(error if error is not None else (a.get("ref") or "HTTP 200"))
        return out

    def test(self) -> str:
        body = json.dumps({"type": "ping"}).encode()
        r = self._post(body, {"X-POS-Event-Type": "ping"})
        if r.status_code >= 300:
            raise PermanentError(f"receiver answered HTTP {r.status_code}: {r.text[:200]}")
        return f"{self._url} answered HTTP {r.status_code}"

    def close(self) -> None:
        self._client.close()
