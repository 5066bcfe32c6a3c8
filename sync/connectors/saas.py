"""What the QuickBooks Online and Xero connectors share: a POS document's amounts (taken
from the ledger entry of sync/accounting.py, never re-derived), exact decimal JSON, request
ids from idempotency keys, and HTTP calls with a bearer token, its refresh on 401, the rate
limiter and the engine's error kinds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from ..accounting import entry, local_day
from ..model import TIMEOUT, UNREACHABLE, OutboxEvent, TransientError
from ..oauth import TokenManager
from ..ratelimit import Limiter
from ..retry import parse_retry_after

_DEC = re.compile(r'"@@dec:(-?[0-9]+(?:\.[0-9]+)?)@@"')


def dumps(data: Any) -> bytes:
    """JSON with Decimals as exact numbers (money never passes through a float)."""
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"@@dec:{o}@@"
        raise TypeError(f"{type(o).__name__} is not JSON")
    return _DEC.sub(r"\1", json.dumps(data, default=default, separators=(",", ":"))).encode()


def loads(body: bytes | str) -> Any:
    return json.loads(body, parse_float=Decimal)


def request_id(*parts: str, size: int = 40) -> str:
    """A stable id for one target operation from idempotency keys (QuickBooks allows 50
    characters, Xero 128; the engine's keys can be longer, so they are hashed)."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:size]


@dataclass(frozen=True, slots=True)
class TaxPart:
    code: str
    rate: Decimal  # 0.19
    base: Decimal  # before tax, major units, signed as on the document
    tax: Decimal


@dataclass(frozen=True, slots=True)
class Document:
    """One sale, refund or exchange as the ledger entry sees it, in major units.

    ``sign`` is +1 when the customer paid (a sales receipt or invoice), -1 when money went
    back (a refund receipt or credit note); the amounts below are already multiplied by it,
    so they are what the target document shows (mostly positive)."""

    event_id: str
    receipt_no: str
    kind: str
    day: date
    currency: str
    sign: int
    parts: tuple[TaxPart, ...]
    rounding: Decimal
    tenders: tuple[tuple[str, Decimal], ...]  # tender, amount (summed per tender)

    @property
    def tax_total(self) -> Decimal:
        return sum((p.tax for p in self.parts), Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum((p.base + p.tax for p in self.parts), Decimal(0)) + self.rounding


def document(event: OutboxEvent) -> Document:
    """The amounts of the balanced ledger entry (sync/accounting.py) of a sale document:
    revenue and tax per tax category, cash rounding and tenders. Built with an identity
    mapping, so each posting says which mapping key it belongs to."""
    p = event.payload
    codes = [t["code"] for t in p["taxes"]]
    keys = ([f"revenue.{c}" for c in codes] + [f"tax.{c}" for c in codes]
            + [f"tender.{x['tender']}" for x in p["payments"]] + ["rounding"])
    e = entry(event.id, p, {k: k for k in keys})
    by_key: dict[str, Decimal] = {}
    tenders: dict[str, Decimal] = {}
    for posting in e.postings:
        if posting.account.startswith("tender."):
            name = posting.account.split(".", 1)[1]
            tenders[name] = tenders.get(name, Decimal(0)) + posting.amount
        else:
            by_key[posting.account] = by_key.get(posting.account, Decimal(0)) + posting.amount
    money_total = sum(tenders.values(), Decimal(0))  # what changed hands, debit positive
    sign = -1 if money_total < 0 else 1
    parts = tuple(TaxPart(t["code"], Decimal(t["rate"]),
                          -by_key.get(f"revenue.{t['code']}", Decimal(0)) * sign,
                          -by_key.get(f"tax.{t['code']}", Decimal(0)) * sign)
                  for t in p["taxes"])
    return Document(event.id, str(p["receipt_no"]), str(p["kind"]), local_day(p),
                    str(p["currency"]), sign, parts,
                    -by_key.get("rounding", Decimal(0)) * sign,
                    tuple((k, v * sign) for k, v in sorted(tenders.items()) if v))


class ApiClient:
    """Bearer-token calls to one API, through the engine's limiter."""

    def __init__(self, name: str, vendor: str, tokens: TokenManager, http: httpx.Client,
                 limiter: Callable[[], Limiter | None]) -> None:
        self.name, self.vendor, self.tokens, self._http = name, vendor, tokens, http
        self._limiter = limiter

    def call(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
             body: Any = None, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """One request; a 401 refreshes the access token once and repeats it."""
        token = self.tokens.access_token()
        r = self._send(method, url, params, body, headers, token)
        if r.status_code == 401:
            token = self.tokens.refresh(rejected=token)
            r = self._send(method, url, params, body, headers, token)
        return r

    def _send(self, method: str, url: str, params: Mapping[str, str] | None, body: Any,
              headers: Mapping[str, str] | None, token: str) -> httpx.Response:
        h = {"Authorization": f"Bearer {token}", "Accept": "application/json",
             **(headers or {})}
        content = None
        if body is not None:
            content = dumps(body)
            h["Content-Type"] = "application/json"
        limiter = self._limiter()
        if limiter is not None:
            limiter.acquire()  # may raise Throttled: not attempted
        try:
            r = self._http.request(method, url, params=params, content=content, headers=h)
            if limiter is not None:  # before done(): its figures count this request
                limiter.observe(r.headers, r.status_code,
                                parse_retry_after(r.headers.get("retry-after")))
        except httpx.ConnectTimeout as exc:
            raise TransientError(f"cannot reach {self.vendor}: no connection in time",
                                 kind=UNREACHABLE) from exc
        except httpx.TimeoutException as exc:
            raise TransientError(f"no answer from {self.vendor} in time", kind=TIMEOUT) from exc
        except httpx.ConnectError as exc:
            raise TransientError(f"cannot reach {self.vendor}: {exc.__class__.__name__}",
                                 kind=UNREACHABLE) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"{self.vendor} dropped the connection: "
                                 f"{exc.__class__.__name__}") from exc
        finally:
            if limiter is not None:
                limiter.done()
        return r


def default_limits(limiter: Limiter, rate: float, burst: int) -> None:
    """The API's published ceiling where the shop configured none (``rate_limit``)."""
    if limiter.rate is None:
        limiter.rate, limiter.burst = rate, burst
