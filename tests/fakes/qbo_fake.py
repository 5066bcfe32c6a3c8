"""A stateful fake of the QuickBooks Online Accounting API v3, per company (realm).

Behaviour as Intuit documents it: Bearer access tokens from the OAuth fake (401 with an
``AUTHENTICATION`` fault when missing or expired), ``requestid`` (≤ 50 characters; a
repeat returns the first answer unchanged), the batch endpoint (≤ 30 operations, an answer
per ``bId`` with a ``Fault`` per failed item under HTTP 200), queries with ``startposition``
and ``maxresults`` paging, 500 requests/min, 10/s and 10 concurrent per company (and 40
batch calls/min) answered with 429 and a ``ThrottleExceeded`` fault, ``ValidationFault``
answers for documents QuickBooks would refuse (unknown references, deposit accounts that
take no deposits, amounts that are not ``Qty × UnitPrice``, unbalanced journal entries,
another currency), and Automated Sales Tax companies that compute their own tax unless
``TxnTaxDetail.TxnTaxCodeRef`` and ``TotalTax`` override it.

Every request body is checked against Intuit's XSD (tests/fakes/specs/quickbooks_xsd.tar.gz): the
JSON is mapped to the equivalent XML element tree (element order from the schema, ``value``
of a reference as its text, ``name``/``type`` as attributes) and validated with xmlschema;
a request that does not validate is refused and recorded in ``violations``.
"""

from __future__ import annotations

import itertools
import json
import re
import tarfile
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import xmlschema

from .http import Drops, FakeServer, Request, Response
from .oauth_fake import OAuthFake

XSD = Path(__file__).parent / "specs" / "quickbooks_xsd.tar.gz"
NS = "http://schema.intuit.com/finance/v3"
DEPOSIT_TYPES = ("Bank", "Other Current Asset")


_unpacked = tempfile.TemporaryDirectory(prefix="qbo-xsd-")  # removed when the tests end


@cache
def schema() -> xmlschema.XMLSchema:
    with tarfile.open(XSD) as tar:
        # our own archive; the "data" filter where this Python has it (3.11.4+)
        extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(_unpacked.name, **extra)  # type: ignore[arg-type]
    return xmlschema.XMLSchema(str(Path(_unpacked.name) / "quickbooks_xsd"
                                   / "IntuitRestServiceDef.xsd"))


class Invalid(Exception):
    pass


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def to_xml(name: str, data: Any) -> ET.Element:
    """The XML element for a JSON body, following the XSD's element order."""
    s = schema()
    if name not in s.elements:
        raise Invalid(f"no element {name} in the QuickBooks schema")
    return _element(name, s.elements[name].type, data)


def _element(name: str, xtype: Any, data: Any) -> ET.Element:
    el = ET.Element(f"{{{NS}}}{name}")
    if xtype.is_simple() or not isinstance(data, dict):
        if isinstance(data, dict | list):
            raise Invalid(f"{name}: a value was expected, not {type(data).__name__}")
        el.text = _text(data)
        return el
    attrs = set(xtype.attributes) if hasattr(xtype, "attributes") else set()
    if xtype.has_simple_content():
        for k, v in data.items():
            if k == "value":
                el.text = _text(v)
            elif k in attrs:
                el.set(k, _text(v))
            else:
                raise Invalid(f"{name}: unknown field {k}")
        return el
    children = list(xtype.content.iter_elements())
    order = {c.local_name: i for i, c in enumerate(children)}
    by_name = {c.local_name: c for c in children}
    subst = schema().elements
    items: list[tuple[int, ET.Element]] = []
    for k, v in data.items():
        if k in attrs:
            el.set(k, _text(v))
            continue
        child = by_name.get(k)
        pos = order.get(k)
        if child is None and "IntuitObject" in by_name and k in subst:  # substitution group
            child, pos = subst[k], order["IntuitObject"]
        if child is None or pos is None:
            raise Invalid(f"{name}: unknown field {k}")
        for item in v if isinstance(v, list) else [v]:
            items.append((pos, _element(k, child.type, item)))
    for _, sub in sorted(items, key=lambda t: t[0]):
        el.append(sub)
    return el


def validate(name: str, data: Any) -> None:
    try:
        tree = to_xml(name, data)
        errors = list(schema().iter_errors(tree))
    except Invalid:
        raise
    except Exception as exc:  # the converter met something the schema cannot hold
        raise Invalid(f"{name}: {exc}") from exc
    if errors:
        raise Invalid(f"{name}: {errors[0].reason} at {errors[0].path}")


def fault(kind: str, code: str, message: str, detail: str = "",
          element: str = "") -> dict[str, Any]:
    e: dict[str, Any] = {"Message": message, "Detail": detail or message, "code": code}
    if element:
        e["element"] = element
    return {"Fault": {"Error": [e], "type": kind}, "time": "2026-11-22T10:00:00.000-08:00"}


def gateway_fault(status: int, code: str, message: str, detail: str,
                  kind: str) -> dict[str, Any]:
    """Intuit's gateway answers 401 and 429 in lower case."""
    return {"fault": {"error": [{"message": f"message={message}; errorCode={code}; "
                                            f"statusCode={status}", "detail": detail,
                                 "code": code.lstrip("0")}], "type": kind}}


@dataclass
class Company:
    realm: str
    name: str
    currency: str
    ast: bool = False
    ast_rate: Decimal = Decimal("0.0875")  # what QuickBooks' own tax engine would charge
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    tax_codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tax_rates: dict[str, dict[str, Any]] = field(default_factory=dict)
    docs: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(dict))
    request_ids: dict[str, Response] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    calls: deque[float] = field(default_factory=deque)
    batch_calls: deque[float] = field(default_factory=deque)
    in_flight: int = 0
    max_in_flight: int = 0
    history: list[tuple[float, str, bool]] = field(default_factory=list)  # t, call, refused

    def new_id(self) -> str:
        return str(next(self.ids))

    def add_account(self, name: str, kind: str) -> str:
        i = self.new_id()
        self.accounts[i] = {"Id": i, "Name": name, "FullyQualifiedName": name,
                            "AccountType": kind, "Active": True}
        return i

    def add_item(self, name: str, income: str) -> str:
        i = self.new_id()
        acct = next(a for a in self.accounts.values() if a["Name"] == income)
        self.items[i] = {"Id": i, "Name": name, "FullyQualifiedName": name, "Type": "Service",
                         "IncomeAccountRef": {"value": acct["Id"], "name": income}}
        return i

    def add_tax_code(self, name: str, rate: Decimal | None, liability: str | None,
                     code_id: str | None = None) -> str:
        i = code_id or self.new_id()
        detail = []
        if rate is not None:
            r = self.new_id()
            acct = next(a for a in self.accounts.values() if a["Name"] == liability)
            self.tax_rates[r] = {"Id": r, "Name": f"{name} {rate * 100:g}%",
                                 "RateValue": rate * 100, "liability": acct["Id"]}
            detail = [{"TaxRateRef": {"value": r}, "TaxTypeApplicable": "TaxOnAmount",
                       "TaxOrder": 0}]
        self.tax_codes[i] = {"Id": i, "Name": name, "Active": True, "Taxable": rate is not None,
                             "SalesTaxRateList": {"TaxRateDetail": detail}}
        return i


class QboFake:
    def __init__(self, oauth: OAuthFake, clock: Callable[[], float] = time.time,
                 per_minute: int = 500, per_second: int = 10, concurrent: int = 10,
                 batch_per_minute: int = 40, page_max: int = 1000) -> None:
        self.oauth, self.clock = oauth, clock
        self.per_minute, self.per_second, self.concurrent = per_minute, per_second, concurrent
        self.batch_per_minute, self.page_max = batch_per_minute, page_max
        self.companies: dict[str, Company] = {}
        self.lock = threading.RLock()
        self.count_lock = threading.Lock()
        self.violations: list[str] = []
        self.log: list[tuple[str, str, int]] = []  # method, path, status
        self.replays = 0
        self.throttled = 0
        self.throttle_log: list[tuple[float, int, int, int]] = []
        self.faults: list[list[Any]] = []  # [entity, status, body, times]
        self.drops = Drops()
        self.server = FakeServer(self.handle, "qbo-fake")

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()

    def add_company(self, realm: str, currency: str = "EUR", ast: bool = False) -> Company:
        c = Company(realm, f"Shop {realm}", currency, ast)
        for name, kind in (("Undeposited Funds", "Other Current Asset"),
                           ("Cash on hand", "Bank"), ("Card clearing", "Other Current Asset"),
                           ("Store credit", "Other Current Liability"),
                           ("Loyalty", "Expense"), ("Sales STD", "Income"),
                           ("Sales RED", "Income"), ("Cash rounding", "Income"),
                           ("VAT STD", "Other Current Liability"),
                           ("VAT RED", "Other Current Liability"),
                           ("Sales Tax Payable", "Other Current Liability")):
            c.add_account(name, kind)
        c.add_item("POS sales STD", "Sales STD")
        c.add_item("POS sales RED", "Sales RED")
        c.add_item("POS rounding", "Cash rounding")
        if ast:
            c.add_tax_code("TAX", None, None, "TAX")
            c.add_tax_code("NON", None, None, "NON")
            c.tax_codes["TAX"]["Taxable"] = True
            c.add_tax_code("Automated", Decimal("0.0875"), "Sales Tax Payable")
        else:
            c.add_tax_code("19% S", Decimal("0.19"), "VAT STD")
            c.add_tax_code("7% R", Decimal("0.07"), "VAT RED")
        self.companies[realm] = c
        return c

    def inject(self, entity: str, status: int, body: dict[str, Any], times: int = 1) -> None:
        """The next ``times`` creates of ``entity`` (``batch`` for a whole batch call) fail."""
        self.faults.append([entity, status, body, times])

    # ----- what the books say -------------------------------------------------------------
    def documents(self, realm: str, entity: str) -> list[dict[str, Any]]:
        return list(self.companies[realm].docs[entity].values())

    def balances(self, realm: str) -> dict[str, Decimal]:
        """Account name -> balance (debit positive) of everything posted."""
        c = self.companies[realm]
        out: dict[str, Decimal] = defaultdict(Decimal)
        name = {i: a["Name"] for i, a in c.accounts.items()}
        for entity, sign in (("SalesReceipt", 1), ("RefundReceipt", -1)):
            for d in c.docs[entity].values():
                out[name[d["DepositToAccountRef"]["value"]]] += sign * d["TotalAmt"]
                for line in d["Line"]:
                    detail = line.get("SalesItemLineDetail")
                    if detail:
                        item = c.items[detail["ItemRef"]["value"]]
                        out[item["IncomeAccountRef"]["name"]] -= sign * line["Amount"]
                for acct, amount in d["_tax"].items():
                    out[name[acct]] -= sign * amount
        for d in c.docs["JournalEntry"].values():
            for line in d["Line"]:
                det = line["JournalEntryLineDetail"]
                out[name[det["AccountRef"]["value"]]] += (
                    line["Amount"] if det["PostingType"] == "Debit" else -line["Amount"])
        return dict(out)

    # ----- HTTP -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        m = re.fullmatch(r"/v3/company/([^/]+)/(.+)", req.path)
        if not m:
            return Response(404, b"not found")
        realm, rest = m.groups()
        company = self.companies.get(realm)
        token = req.headers.get("authorization", "")
        grant = self.oauth.grant_of(token[7:]) if token.lower().startswith("bearer ") else None
        if company is None or grant is None or grant.extra.get("realmId") != realm:
            return self._answer(req, 401, gateway_fault(
                401, "003200", "AuthenticationFailed", "Token expired or invalid",
                "AUTHENTICATION"))
        with self.count_lock:
            now = self.clock()
            for q, window in ((company.calls, 60.0),):
                while q and q[0] <= now - window:
                    q.popleft()
            last_second = sum(1 for t in company.calls if t > now - 1.0)
            while company.batch_calls and company.batch_calls[0] <= now - 60:
                company.batch_calls.popleft()
            over = (len(company.calls) >= self.per_minute or last_second >= self.per_second
                    or company.in_flight >= self.concurrent
                    or (rest == "batch" and len(company.batch_calls) >= self.batch_per_minute))
            company.calls.append(now)
            company.history.append((now, f"{req.method} {rest}", over))
            if over:
                self.throttled += 1
                self.throttle_log.append((now, len(company.calls), last_second,
                                          company.in_flight))
            else:
                company.in_flight += 1
                company.max_in_flight = max(company.max_in_flight, company.in_flight)
                if rest == "batch":
                    company.batch_calls.append(now)
        if over:
            return self._answer(req, 429, gateway_fault(
                429, "003001", "ThrottleExceeded", "The request limit was reached. You can "
                "try your request again later.", "SERVICE"))
        try:
            with self.lock:
                return self._api(req, company, rest)
        finally:
            with self.count_lock:
                company.in_flight -= 1

    def _answer(self, req: Request, status: int, body: Any, drop: bool = False) -> Response:
        self.log.append((req.method, req.path, status))
        return Response(status, _dumps(body), {"Content-Type": "application/json",
                                               "intuit_tid": "fake-" + str(len(self.log))},
                        drop)

    def _api(self, req: Request, c: Company, rest: str) -> Response:
        if req.method == "GET" and rest == "query":
            return self._answer(req, *self._query(c, req.q("query") or ""))
        if req.method == "GET" and rest == f"companyinfo/{c.realm}":
            return self._answer(req, 200, {"CompanyInfo": {"Id": "1", "CompanyName": c.name}})
        if req.method != "POST":
            return self._answer(req, 405, fault("ValidationFault", "405", "Method not allowed"))
        rid = req.q("requestid")
        writes = rest != "batch" or b'"operation"' in req.body  # a batch of queries reads
        if rid is None and writes:
            self.violations.append(f"POST {rest} without requestid")
        elif rid is not None and len(rid) > 50:
            self.violations.append(f"requestid longer than 50: {rid}")
            return self._answer(req, 400, fault("ValidationFault", "2010",
                                                "Request has invalid or unsupported property"))
        if rid is not None and rid in c.request_ids:
            self.replays += 1
            first = c.request_ids[rid]
            self.log.append((req.method, req.path, first.status))
            return Response(first.status, first.body, first.headers,
                            self.drops.take("POST", req.path))  # writes only: they carry one
        try:
            body = json.loads(req.body, parse_float=Decimal)
        except ValueError:
            return self._answer(req, 400, fault("ValidationFault", "2500", "Invalid JSON"))
        if rest == "batch":
            status, out = self._batch(c, body)
        else:
            entity = {"salesreceipt": "SalesReceipt", "refundreceipt": "RefundReceipt",
                      "journalentry": "JournalEntry"}.get(rest)
            if entity is None:
                return self._answer(req, 404, fault("ValidationFault", "404", "Unsupported"))
            status, out = self._create_one(c, entity, body)
        lost = rid is not None and self.drops.take("POST", req.path)  # only writes are lost
        resp = self._answer(req, status, out, lost)
        failed = isinstance(out, dict) and out.get("Fault", {}).get("type") == "SystemFault"
        if rid is not None and status < 500 and status != 429 and not failed:
            c.request_ids[rid] = Response(resp.status, resp.body, resp.headers)
        return resp

    def _injected(self, entity: str) -> tuple[int, dict[str, Any]] | None:
        for f in self.faults:
            if f[0] == entity and f[3] > 0:
                f[3] -= 1
                return f[1], f[2]
        return None

    def _create_one(self, c: Company, entity: str, body: Any) -> tuple[int, Any]:
        try:
            validate(entity, body)
        except Invalid as exc:
            self.violations.append(str(exc))
            return 400, fault("ValidationFault", "2010", "Request has invalid or unsupported "
                              "property", str(exc))
        injected = self._injected(entity)
        if injected:
            return injected
        try:
            doc = self._book(c, entity, body)
        except Invalid as exc:
            return 400, fault("ValidationFault", "6000", "A business validation error has "
                              "occurred while processing your request", str(exc))
        return 200, {entity: _public(doc), "time": "2026-11-22T10:00:00.000-08:00"}

    def _batch(self, c: Company, body: Any) -> tuple[int, Any]:
        try:
            validate("IntuitBatchRequest", body)
        except Invalid as exc:
            self.violations.append(str(exc))
            return 400, fault("ValidationFault", "2010", "Request has invalid or unsupported "
                              "property", str(exc))
        items = body["BatchItemRequest"]
        if len(items) > 30:
            self.violations.append(f"batch of {len(items)} operations")
            return 400, fault("ValidationFault", "6000", "Batch size exceeds 30")
        injected = self._injected("batch")
        if injected:
            return injected
        out = []
        for item in items:
            bid = item.get("bId")
            if "Query" in item:
                status, got = self._query(c, item["Query"])
                out.append({"bId": bid, **({"QueryResponse": got["QueryResponse"]}
                                           if status == 200 else {"Fault": got["Fault"]})})
                continue
            [entity] = [k for k in item if k not in ("bId", "operation", "optionsData")]
            if item.get("operation") != "create":
                out.append({"bId": bid, **fault("ValidationFault", "6000",
                                                "operation not supported by the fake")})
                continue
            injected = self._injected(entity)
            if injected:
                out.append({"bId": bid, "Fault": injected[1]["Fault"]})
                continue
            try:
                doc = self._book(c, entity, item[entity])
            except Invalid as exc:
                out.append({"bId": bid, "Fault": fault(
                    "ValidationFault", "6000", "A business validation error has occurred "
                    "while processing your request", str(exc))["Fault"]})
                continue
            out.append({"bId": bid, entity: _public(doc)})
        return 200, {"BatchItemResponse": out, "time": "2026-11-22T10:00:00.000-08:00"}

    # ----- booking ----------------------------------------------------------------------
    def _ref(self, c: Company, table: dict[str, dict[str, Any]], ref: Any, what: str) -> str:
        value = ref.get("value") if isinstance(ref, dict) else None
        if value not in table:
            raise Invalid(f"Invalid Reference Id: {what} {value!r} does not exist")
        return str(value)

    def _book(self, c: Company, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("CurrencyRef", {}).get("value", c.currency) != c.currency:
            raise Invalid(f"currency {body['CurrencyRef']['value']} is not the home currency")
        if len(str(body.get("DocNumber", ""))) > 21:
            raise Invalid("DocNumber is longer than 21 characters")
        doc = json.loads(_dumps(body), parse_float=Decimal)
        if entity == "JournalEntry":
            total = Decimal(0)
            for line in doc.get("Line", []):
                det = line.get("JournalEntryLineDetail") or {}
                self._ref(c, c.accounts, det.get("AccountRef"), "account")
                if line["Amount"] < 0:
                    raise Invalid("journal lines take positive amounts")
                total += line["Amount"] if det.get("PostingType") == "Debit" else -line["Amount"]
            if total != 0:
                raise Invalid(f"Debits and credits must be equal (off by {total})")
            doc["TotalAmt"] = sum((ln["Amount"] for ln in doc["Line"]
                                   if ln["JournalEntryLineDetail"]["PostingType"] == "Debit"),
                                  Decimal(0))
        elif entity in ("SalesReceipt", "RefundReceipt"):
            deposit = self._ref(c, c.accounts, doc.get("DepositToAccountRef"), "account")
            if c.accounts[deposit]["AccountType"] not in DEPOSIT_TYPES:
                raise Invalid(f"account {c.accounts[deposit]['Name']} cannot take deposits")
            lines_total = Decimal(0)
            computed: dict[str, Decimal] = defaultdict(Decimal)
            for line in doc.get("Line", []):
                det = line.get("SalesItemLineDetail")
                if not det:
                    raise Invalid("only sales item lines are supported by the fake")
                self._ref(c, c.items, det.get("ItemRef"), "item")
                if "Qty" in det and "UnitPrice" in det and det["Qty"] * det["UnitPrice"] != \
                        line["Amount"]:
                    raise Invalid("Amount is not equal to UnitPrice * Qty")
                lines_total += line["Amount"]
                if det.get("TaxCodeRef"):
                    code = c.tax_codes[self._ref(c, c.tax_codes, det["TaxCodeRef"], "tax code")]
                    if c.ast:  # the engine's own rate, whatever the line's code says
                        if code["Taxable"]:
                            computed["ast"] += (line["Amount"] * c.ast_rate).quantize(
                                Decimal("0.01"))
                        continue
                    for rd in code["SalesTaxRateList"]["TaxRateDetail"]:
                        rate = c.tax_rates[rd["TaxRateRef"]["value"]]
                        computed[rate["liability"]] += (
                            line["Amount"] * rate["RateValue"] / 100).quantize(Decimal("0.01"))
            if lines_total < 0:
                raise Invalid("Transaction amount must be positive")
            tax = doc.get("TxnTaxDetail") or {}
            booked: dict[str, Decimal] = {}
            liability = next(i for i, a in c.accounts.items() if a["Name"] == "Sales Tax Payable")
            if c.ast:
                if tax.get("TxnTaxCodeRef") and "TotalTax" in tax:  # the documented override
                    self._ref(c, c.tax_codes, tax["TxnTaxCodeRef"], "tax code")
                    booked[liability] = tax["TotalTax"]
                else:  # line tax codes ignored: QuickBooks charges its own
                    booked[liability] = computed.get("ast", Decimal(0))
            elif tax.get("TaxLine"):
                for tl in tax["TaxLine"]:
                    rate = c.tax_rates[self._ref(c, c.tax_rates,
                                                 tl["TaxLineDetail"]["TaxRateRef"], "tax rate")]
                    booked[rate["liability"]] = booked.get(rate["liability"], Decimal(0)) + \
                        tl["Amount"]
                if "TotalTax" in tax and tax["TotalTax"] != sum(booked.values(), Decimal(0)):
                    raise Invalid("TotalTax does not match the tax lines")
            else:
                booked = {k: v for k, v in computed.items() if v}
            doc["_tax"] = booked
            doc["TotalAmt"] = lines_total + sum(booked.values(), Decimal(0))
            doc.setdefault("TxnTaxDetail", {})["TotalTax"] = sum(booked.values(), Decimal(0))
        else:
            raise Invalid(f"{entity} is not supported by the fake")
        doc["Id"], doc["SyncToken"] = c.new_id(), "0"
        doc["MetaData"] = {"CreateTime": "2026-11-22T10:00:00-08:00"}
        c.docs[entity][doc["Id"]] = doc
        return doc

    # ----- queries ------------------------------------------------------------------------
    def _query(self, c: Company, text: str) -> tuple[int, Any]:
        m = re.fullmatch(r"\s*select \* from (\w+)(?: where (.+?))?(?: startposition (\d+))?"
                         r"(?: maxresults (\d+))?\s*", text, re.I | re.S)
        if not m:
            return 400, fault("ValidationFault", "4000", "Error parsing query", text)
        entity, where, start, size = m.group(1), m.group(2), int(m.group(3) or 1), int(
            m.group(4) or 100)
        if size > self.page_max:
            return 400, fault("ValidationFault", "4001", "Invalid query",
                              f"maxresults over {self.page_max}")
        table = {"Account": c.accounts, "Item": c.items, "TaxCode": c.tax_codes,
                 "TaxRate": c.tax_rates}.get(entity)
        rows = list(table.values()) if table is not None else list(c.docs[entity].values())
        if where:
            w = re.fullmatch(r"(\w+)\s+(=|in|like)\s+(.+)", where.strip(), re.I | re.S)
            if not w:
                return 400, fault("ValidationFault", "4000", "Error parsing query", where)
            fld, op, raw = w.group(1), w.group(2).lower(), w.group(3)
            values = [v.replace("\\'", "'") for v in re.findall(r"'((?:[^'\\]|\\.)*)'", raw)]
            if op == "=":
                rows = [r for r in rows if str(r.get(fld)) == values[0]]
            elif op == "in":
                rows = [r for r in rows if str(r.get(fld)) in values]
            else:
                pattern = re.escape(values[0]).replace("%", ".*")
                rows = [r for r in rows if re.fullmatch(pattern, str(r.get(fld, "")))]
        page = rows[start - 1:start - 1 + size]
        body: dict[str, Any] = {"startPosition": start, "maxResults": len(page)}
        if page:
            body[entity] = [_public(r) for r in page]
        return 200, {"QueryResponse": body, "time": "2026-11-22T10:00:00.000-08:00"}


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_") and k != "liability"}


def _dumps(data: Any) -> bytes:
    def default(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"@@{o}@@"
        raise TypeError(type(o).__name__)
    return re.sub(r'"@@(-?[0-9.E+-]+)@@"', r"\1",
                  json.dumps(data, default=default)).encode()
