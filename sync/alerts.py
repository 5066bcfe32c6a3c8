"""Alerts POSTed to a webhook (``alert_url``, signed with ``alert_secret`` when set).

The body is JSON: ``{"type": "sync.alert" | "sync.recovered", "connector", "condition"
("dead" | "stuck" | "backlog"), "message", "since", "at", "last_error"}``, signed like
the event webhook (``X-POS-Signature``). The engine sends one per episode and one
"recovered" when it clears; a failed POST is tried again a minute later.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx

from .signing import HEADER, sign

log = logging.getLogger(__name__)


class AlertSender:
    def __init__(self, url: str, secret: str | None = None, timeout_s: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self._secret = url, secret
        self._client = httpx.Client(timeout=timeout_s, transport=transport,
                                    headers={"User-Agent": "pos-app-sync/1"})

    def send(self, alert: dict[str, Any]) -> bool:
        body = json.dumps(alert, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", "X-POS-Event-Type": alert["type"]}
        if self._secret:
            headers[HEADER] = sign(self._secret, body)
        try:
            r = self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("alert to %s not sent: %s", self.url, exc.__class__.__name__)
            return False
        if r.status_code >= 300:
            log.warning("alert to %s refused: HTTP %s", self.url, r.status_code)
            return False
        return True

    def close(self) -> None:
        self._client.close()
