"""HMAC-SHA256 webhook signatures: ``t=<unix time>,v1=<hex>`` over ``"<t>.<body>"``.

The timestamp in the signed material stops replays of old deliveries; verification
compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-POS-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


def verify(secret: str, header: str | None, body: bytes, tolerance_s: int = 300,
           now: int | None = None) -> bool:
    if not header:
        return False
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    ts, given = parts.get("t", ""), parts.get("v1", "")
    if not ts.isdigit():
        return False
    if abs((int(time.time()) if now is None else now) - int(ts)) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)
