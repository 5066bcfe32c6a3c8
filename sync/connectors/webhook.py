"""Signed JSON webhooks for Zapier, Make, n8n and in-house systems.

Each event is POSTed as JSON with ``Idempotency-Key`` (the same on every retry),
``X-POS-Event-Id``/``-Type`` and an HMAC-SHA256 ``X-POS-Signature``. 2xx and 409
(already have it) count as delivered; 408, 425, 429 and 5xx, timeouts and dropped
connections are retried (honouring ``Retry-After``); other 4xx are dead letters
with the receiver's own message.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx

from ..model import ConnectorConfig, Delivery, OutboxEvent, PermanentError, TransientError
from ..ports import SecretStore
from ..retry import parse_retry_after
from ..signing import HEADER, sign
from .base import Setting, secret, setting

RETRYABLE = {408, 425, 429}


def envelope(event: OutboxEvent) -> bytes:
    data: dict[str, Any] = {
        "id": event.id, "type": event.type, "schema_version": event.schema_version,
        "aggregate_type": event.aggregate_type, "aggregate_id": event.aggregate_id,
        "created_at": event.created_at.isoformat(), "payload": event.payload}
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


class WebhookConnector:
    type = "webhook"
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
        self._client = httpx.Client(
            timeout=float(setting(config, self.schema, "timeout_s")), transport=transport,
            headers={"User-Agent": "pos-app-sync/1"})

    def _post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        headers = {**headers, "Content-Type": "application/json",
                   HEADER: sign(self._secret, body)}
        try:
            return self._client.post(self._url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise TransientError(f"no answer from {self._url} in time") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach {self._url}: {exc.__class__.__name__}") from exc

    def deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        r = self._post(envelope(event), {"Idempotency-Key": delivery.idempotency_key,
                                         "X-POS-Event-Id": event.id,
                                         "X-POS-Event-Type": event.type})
        if 200 <= r.status_code < 300 or r.status_code == 409:
            return r.headers.get("x-request-id") or f"HTTP {r.status_code}"
        if r.status_code in RETRYABLE or r.status_code >= 500:
            raise TransientError(f"HTTP {r.status_code} from {self._url}",
                                 parse_retry_after(r.headers.get("retry-after")))
        raise PermanentError(f"HTTP {r.status_code}: {r.text[:300]}")

    def test(self) -> str:
        body = json.dumps({"type": "ping"}).encode()
        r = self._post(body, {"X-POS-Event-Type": "ping"})
        if r.status_code >= 300:
            raise PermanentError(f"receiver answered HTTP {r.status_code}: {r.text[:200]}")
        return f"{self._url} answered HTTP {r.status_code}"

    def close(self) -> None:
        self._client.close()
