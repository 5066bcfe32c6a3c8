"""A stateful fake of the Xero Accounting API 2.0, per organisation (tenant).

As Xero documents it: Bearer tokens from the OAuth fake (401 when missing or expired),
``xero-tenant-id`` naming an organisation the grant reaches (else 403), the
``connections`` endpoint, ``Idempotency-Key`` (≤ 128 characters; a repeat gets the first
answer), ``summarizeErrors=false`` (HTTP 200, each element with its own
``ValidationErrors``; without it one bad element fails the request with a 400
``ValidationException``), unique invoice and credit-note numbers, payments only to bank
accounts or accounts that take payments and never above what is due, manual journals that
balance (tax included), and the limits per organisation — 60 calls in any minute, 5,000 a
day, 5 at once — announced in ``X-MinLimit-Remaining``, ``X-DayLimit-Remaining`` and
``X-AppMinLimit-Remaining`` and answered over with 429, ``Retry-After`` and
``X-Rate-Limit-Problem``.

Every request to the Accounting API is validated with openapi-core against Xero's own
OpenAPI document (tests/fakes/specs/xero_accounting.yaml.gz, loaded with spec validation off as
its README says): path, method, parameters, the required tenant header and the body. A
request that does not validate gets a 400 and lands in ``violations``. (The connections
endpoint belongs to Xero's identity API, which that document does not cover.)
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from .http import Drops, FakeServer, Request, Response
from .oauth_fake import OAuthFake

SPEC = Path(__file__).parent / "specs" / "xero_accounting.yaml.gz"
PREFIX = "/api.xro/2.0"


@cache
def openapi() -> Any:
    import yaml
    from openapi_core import Config, OpenAPI

    with gzip.open(SPEC, "rt", encoding="utf-8") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return OpenAPI.from_dict(data, config=Config(spec_validator_cls=None))


class _SpecRequest:
    """What openapi-core needs to know of a request."""

    def __init__(self, req: Request) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = "https://api.xero.com"
        self.path = req.path
        self.full_url_pattern = self.host_url + req.path
        self.method = req.method.lower()
        self.body = req.body or None
        self.content_type = req.headers.get("content-type", "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, vs in req.query.items() for v in vs]),
            header=Headers(list(req.headers.items())), cookie=ImmutableMultiDict(), path={})


def spec_errors(req: Request) -> str | None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OAuth2 security cannot be checked offline
        try:
            openapi().validate_request(_SpecRequest(req))
        except Exception as exc:
            detail = getattr(exc, "__cause__", None) or exc
            inner = getattr(detail, "schema_errors", None)
            return f"{exc}" + (f": {inner[0].message}" if inner else "")
    return None


def _dec(v: Any) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(str(v))


@dataclass
class Org:
    tenant_id: str
    name: str
    currency: str
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by code
    tax_rates: dict[str, Decimal] = field(default_factory=dict)  # tax type -> percent
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    credit_notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    payments: list[dict[str, Any]] = field(default_factory=list)
    journals: list[dict[str, Any]] = field(default_factory=list)
    contacts: dict[str, str] = field(default_factory=dict)
    keys: dict[str, Response] = field(default_factory=dict)
    minute: deque[float] = field(default_factory=deque)
    day: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    max_in_flight: int = 0
    history: list[tuple[float, str, int]] = field(default_factory=list)


class XeroFake:
    def __init__(self, oauth: OAuthFake, clock: Callable[[], float] = time.time,
                 per_minute: int = 60, per_day: int = 5000, concurrent: int = 5,
                 app_per_minute: int = 10000) -> None:
        self.oauth, self.clock = oauth, clock
        self.per_minute, self.per_day, self.concurrent = per_minute, per_day, concurrent
        self.app_per_minute = app_per_minute
        self.orgs: dict[str, Org] = {}
        self.lock = threading.RLock()
        self.count_lock = threading.Lock()
        self.app_minute: deque[float] = deque()
        self.violations: list[str] = []
        self.replays = 0
        self.throttled: list[tuple[float, str]] = []
        self.failures: list[list[Any]] = []  # [method path regex, status, times]
        self.drops = Drops()
        self.server = FakeServer(self.handle, "xero-fake")

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def add_org(self, name: str = "Demo shop", currency: str = "EUR") -> Org:
        org = Org(str(uuid.uuid4()), name, currency)
        for code, acct_name, kind, pay in (
                ("090", "Cash", "BANK", False), ("091", "Card clearing", "BANK", False),
                ("800", "Store credit", "CURRLIAB", True), ("480", "Loyalty", "EXPENSE", True),
                ("200", "Sales STD", "REVENUE", False), ("201", "Sales RED", "REVENUE", False),
                ("260", "Cash rounding", "OTHERINCOME", False),
                ("610", "Accounts Receivable", "CURRENT", False),
                ("820", "VAT", "CURRLIAB", False)):
            org.accounts[code] = {"AccountID": str(uuid.uuid4()), "Code": code,
                                  "Name": acct_name, "Type": kind, "Status": "ACTIVE",
                                  "EnablePaymentsToAccount": pay}
        org.tax_rates = {"OUTPUT2": Decimal(19), "OUTPUT3": Decimal(7), "NONE": Decimal(0)}
        self.orgs[org.tenant_id] = org
        return org

    def fail(self, pattern: str, status: int, times: int = 1) -> None:
        self.failures.append([re.compile(pattern), status, times])

    # ----- what the books say -------------------------------------------------------------
    def balances(self, tenant: str) -> dict[str, Decimal]:
        """Account code -> balance (debit positive); tax per tax type as ``tax:TYPE``."""
        o = self.orgs[tenant]
        out: dict[str, Decimal] = defaultdict(Decimal)
        for docs, sign in ((o.invoices, 1), (o.credit_notes, -1)):
            for d in docs.values():
                out["610"] += sign * d["Total"]
                for ln in d["LineItems"]:
                    out[ln["AccountCode"]] -= sign * ln["LineAmount"]
                    out[f"tax:{ln['TaxType']}"] -= sign * ln["TaxAmount"]
        for p in o.payments:
            sign = 1 if p["_on"] == "invoice" else -1
            out[p["Account"]["Code"]] += sign * p["Amount"]
            out["610"] -= sign * p["Amount"]
        for j in o.journals:
            for ln in j["JournalLines"]:
                out[ln["AccountCode"]] += ln["LineAmount"]
                if ln.get("TaxAmount"):
                    out[f"tax:{ln['TaxType']}"] += ln["TaxAmount"]
        return {k: v for k, v in out.items() if v}

    # ----- HTTP -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        token = req.headers.get("authorization", "")
        grant = self.oauth.grant_of(token[7:]) if token.lower().startswith("bearer ") else None
        if grant is None:
            return _json(401, {"Type": None, "Title": "Unauthorized", "Status": 401,
                               "Detail": "TokenExpired: token expired or invalid"})
        if req.path == "/connections" and req.method == "GET":
            return _json(200, [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, t)), "tenantId": t,
                                "tenantType": "ORGANISATION",
                                "tenantName": self.orgs[t].name}
                               for t in grant.extra.get("tenants", []) if t in self.orgs])
        if not req.path.startswith(PREFIX + "/"):
            return _json(404, {"Title": "Not Found", "Status": 404})
        tenant = req.headers.get("xero-tenant-id", "")
        org = self.orgs.get(tenant)
        if org is None or tenant not in grant.extra.get("tenants", []):
            return _json(403, {"Type": None, "Title": "Forbidden", "Status": 403,
                               "Detail": "AuthenticationUnsuccessful"})
        with self.count_lock:
            now = self.clock()
            for q, window in ((org.minute, 60.0), (org.day, 86400.0), (self.app_minute, 60.0)):
                while q and q[0] <= now - window:
                    q.popleft()
            problem = ("minute" if len(org.minute) >= self.per_minute else
                       "day" if len(org.day) >= self.per_day else
                       "concurrent" if org.in_flight >= self.concurrent else
                       "appminute" if len(self.app_minute) >= self.app_per_minute else None)
            if problem is None:
                org.minute.append(now)
                org.day.append(now)
                self.app_minute.append(now)
                org.in_flight += 1
                org.max_in_flight = max(org.max_in_flight, org.in_flight)
            org.history.append((now, f"{req.method} {req.path}", 429 if problem else 0))
            limits = {"X-MinLimit-Remaining": str(max(0, self.per_minute - len(org.minute))),
                      "X-DayLimit-Remaining": str(max(0, self.per_day - len(org.day))),
                      "X-AppMinLimit-Remaining": str(max(0, self.app_per_minute
                                                         - len(self.app_minute)))}
        if problem is not None:
            self.throttled.append((now, problem))
            q = {"minute": org.minute, "day": org.day, "appminute": self.app_minute}.get(
                problem)
            wait = (q[0] + (86400 if problem == "day" else 60) - now) if q else 1
            return _json(429, {"Title": "Too Many Requests", "Status": 429},
                         {**limits, "Retry-After": str(max(1, int(wait + 0.999))),
                          "X-Rate-Limit-Problem": problem})
        try:
            with self.lock:
                resp = self._api(req, org)
            resp.headers.update(limits)
            return resp
        finally:
            with self.count_lock:
                org.in_flight -= 1

    def _api(self, req: Request, org: Org) -> Response:
        problem = spec_errors(req)
        if problem:
            self.violations.append(f"{req.method} {req.path}: {problem}")
            return _json(400, {"ErrorNumber": 14, "Type": "PostDataInvalidException",
                               "Message": problem[:300]})
        for f in self.failures:
            if f[0].search(f"{req.method} {req.path}") and f[2] > 0:
                f[2] -= 1
                return _json(f[1], {"Title": "Service Unavailable", "Status": f[1]})
        path = req.path[len(PREFIX) + 1:]
        if req.method == "GET":
            return self._read(org, path, req)
        key = req.headers.get("idempotency-key")
        if key is None:
            self.violations.append(f"{req.method} {req.path} without Idempotency-Key")
        elif len(key) > 128:
            self.violations.append(f"Idempotency-Key over 128: {key}")
            return _json(400, {"Message": "Idempotency-Key too long"})
        if key is not None and key in org.keys:
            self.replays += 1
            first = org.keys[key]
            return Response(first.status, first.body, dict(first.headers),
                            self.drops.take(req.method, req.path))
        body = json.loads(req.body, parse_float=Decimal)
        summarize = (req.q("summarizeErrors") or "true").lower() != "false"
        handler = {"Invoices": self._invoice, "CreditNotes": self._credit_note,
                   "Payments": self._payment, "ManualJournals": self._journal}.get(path)
        if handler is None or req.method != "PUT":
            return _json(405, {"Message": "not supported by the fake"})
        results = []
        for el in body.get(path, []):
            try:
                results.append({**handler(org, el), "StatusAttributeString": "OK"})
            except ValueError as exc:
                results.append({**{k: v for k, v in el.items()},
                                "HasErrors": True, "StatusAttributeString": "ERROR",
                                "ValidationErrors": [{"Message": str(exc)}]})
        if summarize and any(r.get("HasErrors") for r in results):
            resp = _json(400, {"ErrorNumber": 10, "Type": "ValidationException",
                               "Message": "A validation exception occurred",
                               "Elements": [r for r in results if r.get("HasErrors")]})
        else:
            resp = _json(200, {"Id": str(uuid.uuid4()), "Status": "OK", path: results})
        if key is not None and resp.status < 500:
            org.keys[key] = Response(resp.status, resp.body, dict(resp.headers))
        resp.drop = self.drops.take(req.method, req.path)
        return resp

    def _read(self, org: Org, path: str, req: Request) -> Response:
        if path == "Accounts":
            return _json(200, {"Accounts": list(org.accounts.values())})
        if path == "TaxRates":
            return _json(200, {"TaxRates": [{"Name": t, "TaxType": t, "Status": "ACTIVE",
                                             "EffectiveRate": r}
                                            for t, r in org.tax_rates.items()]})
        if path == "Organisation":
            return _json(200, {"Organisations": [{"Name": org.name,
                                                  "BaseCurrency": org.currency}]})
        rows: list[dict[str, Any]]
        if path == "Invoices":
            rows = list(org.invoices.values())
            numbers = req.q("InvoiceNumbers")
            if numbers:
                wanted = set(numbers.split(","))
                rows = [r for r in rows if r["InvoiceNumber"] in wanted]
        elif path == "CreditNotes":
            rows = list(org.credit_notes.values())
        elif path == "ManualJournals":
            rows = list(org.journals)
        else:
            return _json(404, {"Message": f"{path} not supported by the fake"})
        where = req.q("where")
        if where:
            rows = [r for r in rows if _where(where, r)]
        page = int(req.q("page") or 1)
        return _json(200, {path: [_public(r) for r in rows[(page - 1) * 100:page * 100]]})

    # ----- documents ----------------------------------------------------------------------
    def _lines(self, org: Org, el: dict[str, Any]) -> tuple[list[dict[str, Any]], Decimal]:
        if el.get("LineAmountTypes", "Exclusive") != "Exclusive":
            raise ValueError("the fake books Exclusive line amounts only")
        lines, total = [], Decimal(0)
        for ln in el.get("LineItems") or []:
            acct = org.accounts.get(str(ln.get("AccountCode")))
            if acct is None:
                raise ValueError(f"Account code '{ln.get('AccountCode')}' is not a valid code "
                                 "for this document.")
            tax_type = str(ln.get("TaxType", "NONE"))
            if tax_type not in org.tax_rates:
                raise ValueError(f"The TaxType code '{tax_type}' does not exist or cannot be "
                                 "used for this type of transaction.")
            amount = (_dec(ln.get("Quantity", 1)) * _dec(ln.get("UnitAmount", 0))).quantize(
                Decimal("0.01"))
            computed = (amount * org.tax_rates[tax_type] / 100).quantize(Decimal("0.01"))
            tax = _dec(ln.get("TaxAmount", computed))
            if abs(tax - computed) > Decimal("0.10"):
                raise ValueError(f"The TaxAmount {tax} is too far from {computed}")
            lines.append({**ln, "LineAmount": amount, "TaxAmount": tax, "TaxType": tax_type})
            total += amount + tax
        if not lines:
            raise ValueError("A line item is required")
        if total < 0:
            raise ValueError("The document total cannot be negative")
        return lines, total

    def _doc(self, org: Org, el: dict[str, Any], kind: str, number_field: str,
             table: dict[str, dict[str, Any]], id_field: str) -> dict[str, Any]:
        if el.get("Type") != kind:
            raise ValueError(f"Type must be {kind}")
        number = str(el.get(number_field) or "")
        if any(d[number_field] == number and d["Status"] not in ("DELETED", "VOIDED")
               for d in table.values()):
            label = "Invoice" if kind == "ACCREC" else "Credit Note"
            raise ValueError(f"{label} # must be unique.")
        if el.get("CurrencyCode", org.currency) != org.currency:
            raise ValueError("The currency is not enabled for this organisation")
        name = (el.get("Contact") or {}).get("Name")
        if not name:
            raise ValueError("A Contact must be specified for this type of transaction")
        org.contacts.setdefault(name, str(uuid.uuid4()))
        lines, total = self._lines(org, el)
        doc = {**el, id_field: str(uuid.uuid4()), number_field: number, "LineItems": lines,
               "Total": total, "Payments": [],
               "Contact": {"ContactID": org.contacts[name], "Name": name},
               "Status": "PAID" if total == 0 else str(el.get("Status", "DRAFT"))}
        doc["AmountDue" if kind == "ACCREC" else "RemainingCredit"] = total
        table[doc[id_field]] = doc
        return doc

    def _invoice(self, org: Org, el: dict[str, Any]) -> dict[str, Any]:
        return _public(self._doc(org, el, "ACCREC", "InvoiceNumber", org.invoices,
                                 "InvoiceID"))

    def _credit_note(self, org: Org, el: dict[str, Any]) -> dict[str, Any]:
        return _public(self._doc(org, el, "ACCRECCREDIT", "CreditNoteNumber",
                                 org.credit_notes, "CreditNoteID"))

    def _payment(self, org: Org, el: dict[str, Any]) -> dict[str, Any]:
        acct = org.accounts.get(str((el.get("Account") or {}).get("Code")))
        if acct is None or not (acct["Type"] == "BANK" or acct["EnablePaymentsToAccount"]):
            raise ValueError("Payments can only be made to bank accounts or accounts that "
                             "take payments")
        amount = _dec(el.get("Amount", 0))
        if amount <= 0:
            raise ValueError("Payment amount must be greater than zero")
        if el.get("Invoice"):
            doc, due, on = org.invoices.get(el["Invoice"].get("InvoiceID", "")), "AmountDue", \
                "invoice"
        else:
            doc, due, on = org.credit_notes.get((el.get("CreditNote") or {}).get(
                "CreditNoteID", "")), "RemainingCredit", "credit_note"
        if doc is None:
            raise ValueError("Invoice or credit note could not be found")
        if doc["Status"] != "AUTHORISED":
            raise ValueError(f"Payments can only be made against authorised documents "
                             f"({doc['Status']})")
        if amount > doc[due]:
            raise ValueError("Payment amount exceeds the amount outstanding on this document")
        doc[due] -= amount
        if doc[due] == 0:
            doc["Status"] = "PAID"
        payment = {**el, "PaymentID": str(uuid.uuid4()), "Amount": amount, "_on": on,
                   "Status": "AUTHORISED"}
        doc["Payments"].append({"PaymentID": payment["PaymentID"], "Amount": amount,
                                "Reference": el.get("Reference", "")})
        org.payments.append(payment)
        return _public(payment)

    def _journal(self, org: Org, el: dict[str, Any]) -> dict[str, Any]:
        if not el.get("Narration"):
            raise ValueError("Narration is required")
        total = Decimal(0)
        lines = el.get("JournalLines") or []
        if len(lines) < 2:
            raise ValueError("A manual journal needs at least two lines")
        for ln in lines:
            if str(ln.get("AccountCode")) not in org.accounts:
                raise ValueError(f"Account code '{ln.get('AccountCode')}' is not valid")
            if str(ln.get("TaxType", "NONE")) not in org.tax_rates:
                raise ValueError(f"TaxType '{ln.get('TaxType')}' does not exist")
            total += _dec(ln.get("LineAmount", 0)) + _dec(ln.get("TaxAmount", 0))
        if total != 0:
            raise ValueError(f"The total debits must equal the total credits (off by {total})")
        journal = {**el, "ManualJournalID": str(uuid.uuid4())}
        org.journals.append(journal)
        return _public(journal)


def _where(expr: str, row: dict[str, Any]) -> bool:
    for part in re.split(r"\s+OR\s+", expr):
        m = re.fullmatch(r'\s*(\w+)\s*==\s*"(.*)"\s*', part)
        if m and str(row.get(m.group(1))) == m.group(2):
            return True
        m = re.fullmatch(r'\s*(\w+)\.Contains\("(.*)"\)\s*', part)
        if m and m.group(2) in str(row.get(m.group(1), "")):
            return True
    return False


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"@@{o}@@"
        raise TypeError(type(o).__name__)
    text = re.sub(r'"@@(-?[0-9.E+-]+)@@"', r"\1", json.dumps(body, default=default))
    return Response(status, text.encode(), {"Content-Type": "application/json",
                                            **(headers or {})})
