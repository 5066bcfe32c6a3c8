"""Xero (Accounting API 2.0): each sale as an ``ACCREC`` invoice, ``AUTHORISED``, paid by one
``Payment`` per tender; each refund as an ``ACCRECCREDIT`` credit note refunded by payments
from the tenders' accounts — or one ``ManualJournal`` per day and till (``entries=daily``).

* **Amounts** come from the ledger entry of sync/accounting.py: per tax category one line
  (``revenue.CODE``: the account code, ``taxtype.CODE``: Xero's tax type such as
  ``OUTPUT2``) with the amount before tax and the till's tax as ``TaxAmount``
  (``LineAmountTypes`` ``Exclusive``), cash rounding as a line on ``rounding`` (tax type
  ``rounding_taxtype``, default ``NONE``), and a payment per tender to ``tender.NAME`` (a
  bank account, or one with "enable payments to this account", e.g. store credit). All
  documents go to one contact (``contact``, default "POS Sales"), numbered with the
  receipt number. An exchange is an invoice when the customer paid, a credit note when
  money went back.
* **Daily** (``entries=daily``): the day's entries added up per account
  (``summary_entry``) as one posted manual journal: tenders and rounding as plain lines,
  revenue per category with its tax type and tax amount, so Xero's tax reports see it.
* **Exactly once**: every write has an ``Idempotency-Key`` (the events' idempotency keys,
  hashed to Xero's 128 characters) and ``summarizeErrors=false`` (each element answered on
  its own: one refused invoice does not fail the others). A repeat of an unanswered
  request replays Xero's first answer; any other attempt first looks the documents up by
  number (``InvoiceNumbers``, credit notes by ``where``) and only creates what is missing,
  and pays only the tenders not yet paid (by the payment's reference). A daily journal's
  key is its planned reference; it is looked up by that reference before each attempt.
* **Limits** per organisation: 60 calls/min, 5,000/day, 5 at once. The limiter defaults to
  60/min, reads ``X-MinLimit-Remaining``/``X-DayLimit-Remaining`` from every answer and
  waits for ``Retry-After`` on a 429; at most 5 lanes.
* **Errors**: a validation error of one element is that event's dead letter, with Xero's
  message; 429, 5xx and timeouts are retried; 401 refreshes the token once; a lost
  connection to the organisation (403) is reported and retried, nothing dead-lettered.
* **OAuth 2 with PKCE** (sync/oauth.py) and tenant selection: ``pos sync connector auth``
  opens Xero's consent page, takes the code on the loopback redirect, then picks the
  organisation from the ``connections`` endpoint (``--tenant`` when there are several).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
import webbrowser
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from ..accounting import DAILY, DOCUMENT_EVENTS, entries_mode, entry, summary_entry, summary_group
from ..accounting import TENDERS as POS_TENDERS
from ..model import (
    RATE_LIMITED,
    REFUSED,
    ConnectorConfig,
    Delivery,
    PermanentError,
    SyncError,
    TransientError,
)
from ..oauth import TOKENS_KEY, AuthorizationLost, OAuthError, Provider, TokenManager, authorize
from ..ports import SecretStore
from ..ratelimit import Limiter, parse_rate
from ..retry import parse_retry_after
from .base import ConfigError, Setting, setting
from .saas import ApiClient, Document, default_limits, document, loads, request_id

log = logging.getLogger(__name__)
Result = str | SyncError | None

XERO = Provider("Xero", "https://login.xero.com/identity/connect/authorize",
                "https://identity.xero.com/connect/token",
                ("offline_access", "accounting.transactions", "accounting.settings.read"),
                pkce=True)
UNIQUE = "must be unique"


def _error(r: httpx.Response, data: Any) -> SyncError | None:
    status = r.status_code
    if status < 400:
        return None
    if status == 429:
        return TransientError(f"Xero: rate limit ({r.headers.get('x-rate-limit-problem')})",
                              parse_retry_after(r.headers.get("retry-after")) or 60.0,
                              RATE_LIMITED)
    message = ""
    if isinstance(data, dict):
        message = str(data.get("Message") or data.get("Detail") or data.get("Title") or "")
        for el in data.get("Elements") or []:
            message += " " + "; ".join(str(v.get("Message")) for v in
                                       el.get("ValidationErrors") or [])
    text = f"Xero HTTP {status}: {message.strip() or r.text[:200]}"[:500]
    if status == 401:
        return TransientError(text, 0, REFUSED)
    if status == 403:  # the organisation was disconnected from the app
        return TransientError(text, 300, REFUSED)
    if status >= 500 or status in (408, 409):
        return TransientError(text)
    return PermanentError(text)


def _element_errors(el: dict[str, Any]) -> str | None:
    if not el.get("HasErrors") and el.get("StatusAttributeString") != "ERROR" and not el.get(
            "HasValidationErrors"):
        return None
    return "; ".join(str(v.get("Message")) for v in el.get("ValidationErrors") or []) or "error"


class XeroConnector:
    type = "xero"
    max_concurrency = 5  # Xero: 5 calls at once per organisation
    batch_size = 50  # documents per PUT
    schema: ClassVar[dict[str, Setting]] = {
        "client_id": Setting("the app's client id (developer.xero.com, My Apps)",
                             required=True),
        "client_secret": Setting("only for a web app; a PKCE desktop app has none",
                                 secret=True),
        "tenant_id": Setting("the organisation; set by `pos sync connector auth`"),
        "tenant": Setting("the organisation's name to pick when the app reaches several"),
        "redirect_uri": Setting("loopback redirect registered for the app",
                                default="http://localhost:8765/callback"),
        "api_url": Setting("Accounting API base URL",
                           default="https://api.xero.com/api.xro/2.0"),
        "connections_url": Setting("connections endpoint",
                                   default="https://api.xero.com/connections"),
        "auth_url": Setting("OAuth authorize URL", default=XERO.authorize_url),
        "token_url": Setting("OAuth token URL", default=XERO.token_url),
        "timeout_s": Setting("seconds to wait for an answer", default="60"),
        "contact": Setting("contact the POS documents are made out to",
                           default="POS Sales"),
        "entries": Setting("per_sale (invoice + payments, credit notes) or daily (one manual "
                           "journal per day and till)", default="per_sale"),
        "summary_delay_s": Setting("daily: post a day's summary this long after its midnight",
                                   default="3600"),
        "revenue.*": Setting("sales account code per tax category, e.g. revenue.STD=200"),
        "taxtype.*": Setting("Xero tax type per tax category, e.g. taxtype.STD=OUTPUT2"),
        "tender.*": Setting("account code per tender (a bank account or one that takes "
                            "payments): cash, card, store_credit, loyalty"),
        "rounding": Setting("account code for cash rounding"),
        "rounding_taxtype": Setting("tax type of the rounding line", default="NONE"),
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.name, self.config = config.name, config
        s = config.settings
        self._settings = {k: str(v) for k, v in s.items()}
        self._api = str(setting(config, self.schema, "api_url")).rstrip("/")
        self._tenant = str(s.get("tenant_id") or "")
        self._contact = str(setting(config, self.schema, "contact"))
        self.grouping = entries_mode(s) == DAILY
        self._delay = timedelta(seconds=float(setting(config, self.schema, "summary_delay_s")))
        self._http = httpx.Client(timeout=float(setting(config, self.schema, "timeout_s")),
                                  transport=transport)
        self.tokens = TokenManager(self.name, secrets, _provider(config),
                                   str(s.get("client_id") or ""),
                                   secrets.get(config.name, "client_secret"), self._http,
                                   clock or time.time)
        # until the engine hands over its limiter (the mapping check runs before that)
        self._limiter: Limiter | None = Limiter(parse_rate("60/min"), 5)
        self.api = ApiClient(self.name, "Xero", self.tokens, self._http, lambda: self._limiter)
        self._accounts: dict[str, dict[str, Any]] | None = None
        self._lock = threading.Lock()
        self._sent: dict[str, str] = {}  # event id -> key of its unanswered request
        self._requests: dict[str, set[str]] = {}  # that key -> the events it carried

    @property
    def limiter(self) -> Limiter | None:
        return self._limiter

    @limiter.setter
    def limiter(self, value: Limiter | None) -> None:
        if value is not None:
            default_limits(value, parse_rate("60/min"), 1)
        self._limiter = value

    # ----- mapping ------------------------------------------------------------------------
    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        keys = ([f"revenue.{c}" for c in tax_codes] + [f"taxtype.{c}" for c in tax_codes]
                + [f"tender.{t}" for t in POS_TENDERS] + ["rounding"])
        missing = [k for k in keys if not self._settings.get(k)]
        if missing:
            return missing
        if not self._tenant:
            return ["tenant_id (run `pos sync connector auth NAME`)"]
        try:
            accounts = self._load_accounts()
            types = {str(t.get("TaxType")) for t in self._get("TaxRates").get("TaxRates", [])
                     if t.get("Status", "ACTIVE") == "ACTIVE"}
        except (TransientError, OAuthError) as exc:  # offline, or authorisation lost
            log.warning("%s: cannot read the organisation now (%s); checking the mapping "
                        "before the first delivery", self.name, exc)
            return []
        bad = []
        for key in sorted(self._settings):
            head = key.split(".")[0]
            value = self._settings[key]
            if head in ("revenue", "tender", "rounding") and value not in accounts:
                bad.append(f"{key} (account {value!r} is not in Xero)")
            elif head == "tender" and not (accounts[value].get("Type") == "BANK"
                                           or accounts[value].get("EnablePaymentsToAccount")):
                bad.append(f"{key} (account {value!r} takes no payments: make it a bank "
                           "account or enable payments to it)")
            elif (head in ("taxtype", "rounding_taxtype") and value not in types
                  and value != "NONE"):
                bad.append(f"{key} (tax type {value!r} is not in Xero)")
        return bad

    def _load_accounts(self) -> dict[str, dict[str, Any]]:
        if self._accounts is None:
            rows = self._get("Accounts").get("Accounts", [])
            self._accounts = {str(a.get("Code")): a for a in rows if a.get("Code")}
        return self._accounts

    # ----- HTTP ---------------------------------------------------------------------------
    def _headers(self, key: str | None = None) -> dict[str, str]:
        h = {"xero-tenant-id": self._tenant}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    def _check(self, r: httpx.Response) -> Any:
        try:
            data = loads(r.content) if r.content else {}
        except ValueError:
            data = {}
        error = _error(r, data)
        if error is not None:
            if r.status_code == 401:
                raise AuthorizationLost(self.name, str(error))
            raise error
        return data

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self._check(self.api.call("GET", f"{self._api}/{path}", params=params,
                                         headers=self._headers()))

    def _put(self, path: str, body: Any, key: str) -> Any:
        return self._check(self.api.call("PUT", f"{self._api}/{path}",
                                         params={"summarizeErrors": "false"}, body=body,
                                         headers=self._headers(key)))

    # ----- documents ----------------------------------------------------------------------
    def _lines(self, doc: Document) -> list[dict[str, Any]]:
        lines = [{"Description": f"POS sales, tax {p.code} {p.rate * 100:g}%",
                  "Quantity": Decimal(1), "UnitAmount": p.base,
                  "AccountCode": self._map(f"revenue.{p.code}"),
                  "TaxType": self._map(f"taxtype.{p.code}"), "TaxAmount": p.tax}
                 for p in doc.parts]
        if doc.rounding:
            lines.append({"Description": "Cash rounding", "Quantity": Decimal(1),
                          "UnitAmount": doc.rounding, "AccountCode": self._map("rounding"),
                          "TaxType": self._settings.get("rounding_taxtype", "NONE"),
                          "TaxAmount": Decimal(0)})
        return lines

    def _map(self, key: str) -> str:
        value = self._settings.get(key)
        if not value:
            raise PermanentError(f"unmapped: {key} (set it with `pos sync connector set NAME "
                                 f"--set {key}=…`, then `pos sync retry`)")
        return value

    def _body(self, doc: Document) -> dict[str, Any]:
        body = {"Type": "ACCREC" if doc.sign > 0 else "ACCRECCREDIT",
                "Contact": {"Name": self._contact}, "Date": doc.day.isoformat(),
                "Status": "AUTHORISED", "LineAmountTypes": "Exclusive",
                "Reference": f"POS {doc.kind} (event {doc.event_id})",
                "CurrencyCode": doc.currency, "LineItems": self._lines(doc)}
        if doc.sign > 0:
            body |= {"InvoiceNumber": doc.receipt_no, "DueDate": doc.day.isoformat()}
        else:
            body["CreditNoteNumber"] = doc.receipt_no
        return body

    # ----- delivering ---------------------------------------------------------------------
    def deliver(self, delivery: Delivery) -> str | None:
        [result] = self.deliver_batch([delivery])
        if isinstance(result, SyncError):
            raise result
        return result

    def deliver_batch(self, deliveries: list[Delivery]) -> list[Result]:
        results: dict[str, Result] = {}
        docs: dict[str, Document] = {}
        for d in deliveries:
            if d.event.type not in DOCUMENT_EVENTS:
                results[d.event.id] = "not a ledger event"
                continue
            doc = document(d.event)
            try:
                self._lines(doc)  # every account mapped?
            except PermanentError as exc:
                results[d.event.id] = exc
                continue
            docs[d.event.id] = doc
        if docs:
            results.update(self._send(docs, {d.event.id: d.idempotency_key
                                             for d in deliveries}))
        return [results[d.event.id] for d in deliveries]

    def _send(self, docs: dict[str, Document], keys: dict[str, str]) -> dict[str, Result]:
        out: dict[str, Result] = {}
        sent = {self._sent.get(e, "") for e in docs}
        base = sent.pop() if len(sent) == 1 else ""
        if not (base and self._requests.get(base) == set(docs)):
            # a new request: the events' keys and a fresh nonce (an answered failure, or a
            # dead letter retried after a fix, must not be replayed its old answer)
            base = request_id(*sorted(keys[e] for e in docs), uuid.uuid4().hex, size=64)
            self._requests[base] = set(docs)
            for e in docs:
                self._sent[e] = base
            replaying = False
        else:
            replaying = True  # the same request again: Xero replays its answers
        try:
            found = {} if replaying else self._existing(list(docs.values()))
            made = self._create(docs, found, base)
            paid = self._pay(docs, made, base)
        except SyncError as exc:
            if not isinstance(exc, TransientError) or exc.kind in (RATE_LIMITED, REFUSED):
                self._forget(base)  # answered: nothing to replay
            return dict.fromkeys(docs, exc)
        self._forget(base)
        for eid, doc in docs.items():
            out[eid] = paid.get(eid) or made.get(eid, {}).get("error") or (
                f"{'Invoice' if doc.sign > 0 else 'CreditNote'} {made[eid]['id']}")
        return out

    def _forget(self, base: str) -> None:
        for e in self._requests.pop(base, set()):
            self._sent.pop(e, None)

    def _existing(self, docs: list[Document]) -> dict[str, dict[str, Any]]:
        """receipt number -> the invoice or credit note Xero already has."""
        found: dict[str, dict[str, Any]] = {}
        invoices = sorted(d.receipt_no for d in docs if d.sign > 0)
        notes = sorted(d.receipt_no for d in docs if d.sign < 0)
        if invoices:
            for inv in self._get("Invoices", {"InvoiceNumbers": ",".join(invoices)}).get(
                    "Invoices", []):
                if inv.get("Status") not in ("DELETED", "VOIDED"):
                    found[str(inv["InvoiceNumber"])] = inv
        if notes:
            where = " OR ".join(f'CreditNoteNumber=="{n}"' for n in notes)
            for cn in self._get("CreditNotes", {"where": where}).get("CreditNotes", []):
                if cn.get("Status") not in ("DELETED", "VOIDED"):
                    found[str(cn["CreditNoteNumber"])] = cn
        return found

    def _create(self, docs: dict[str, Document], found: dict[str, dict[str, Any]],
                base: str) -> dict[str, dict[str, Any]]:
        """event id -> {"id", "payments": refs already paid, "error"}."""
        made: dict[str, dict[str, Any]] = {}
        for kind, endpoint, id_field in (("ACCREC", "Invoices", "InvoiceID"),
                                         ("ACCRECCREDIT", "CreditNotes", "CreditNoteID")):
            todo = {e: d for e, d in docs.items() if (d.sign > 0) == (kind == "ACCREC")}
            new = {}
            for e, d in todo.items():
                have = found.get(d.receipt_no)
                if have is not None:
                    made[e] = _ours(have, d, id_field)
                else:
                    new[e] = d
            if not new:
                continue
            data = self._put(endpoint, {endpoint: [self._body(d) for d in new.values()]},
                             f"{base}:{endpoint}")
            answers = {str(el.get("InvoiceNumber") or el.get("CreditNoteNumber")): el
                       for el in data.get(endpoint, [])}
            retry_lookup = []
            for e, d in new.items():
                el = answers.get(d.receipt_no)
                problem = _element_errors(el) if el is not None else "no answer"
                if problem is None and el is not None:
                    made[e] = {"id": el[id_field], "payments": set()}
                elif UNIQUE in (problem or ""):
                    retry_lookup.append(e)  # created before after all: find it
                else:
                    made[e] = {"error": PermanentError(f"Xero refused {d.receipt_no}: "
                                                       f"{problem}")}
            if retry_lookup:
                again = self._existing([docs[e] for e in retry_lookup])
                for e in retry_lookup:
                    have = again.get(docs[e].receipt_no)
                    made[e] = (_ours(have, docs[e], id_field) if have
                               else {"error": TransientError(
                                   f"Xero says {docs[e].receipt_no} exists but it cannot be "
                                   "found yet")})
        return made

    def _pay(self, docs: dict[str, Document], made: dict[str, dict[str, Any]],
             base: str) -> dict[str, Result]:
        """One payment per tender not yet paid; event id -> a failure (None: all paid)."""
        payments, owner = [], []
        for e, d in docs.items():
            m = made.get(e, {})
            if "id" not in m:
                continue
            for tender, amount in d.tenders:
                ref = f"{d.receipt_no} {tender}"
                if ref in m["payments"] or amount == 0:
                    continue
                target = ({"Invoice": {"InvoiceID": m["id"]}} if d.sign > 0
                          else {"CreditNote": {"CreditNoteID": m["id"]}})
                payments.append({**target, "Account": {"Code": self._map(f"tender.{tender}")},
                                 "Date": d.day.isoformat(), "Amount": amount,
                                 "Reference": ref})
                owner.append(e)
        out: dict[str, Result] = {}
        if not payments:
            return out
        data = self._put("Payments", {"Payments": payments}, f"{base}:Payments")
        answers = data.get("Payments", [])
        for i, e in enumerate(owner):
            el = answers[i] if i < len(answers) else None
            problem = _element_errors(el) if el is not None else "no answer"
            if problem is not None and e not in out:
                out[e] = PermanentError(f"Xero refused a payment of {docs[e].receipt_no}: "
                                        f"{problem}")
        return out

    # ----- daily summaries ----------------------------------------------------------------
    def group(self, delivery: Delivery) -> tuple[str, datetime] | None:
        return summary_group(delivery, self._delay)

    def refuse(self, delivery: Delivery) -> PermanentError | None:
        try:
            self._lines(document(delivery.event))
        except PermanentError as exc:
            return exc
        return None

    def deliver_group(self, ref: str, deliveries: list[Delivery]) -> list[Result]:
        with self._lock:
            tag = f"POS-{request_id(ref, size=16)}"
            events = [d.event for d in deliveries if d.event.type in DOCUMENT_EVENTS]
            if not events:
                return ["not a ledger event"] * len(deliveries)
            key = ref.split("#", 1)[0]
            posted = self._get("ManualJournals", {"where": f'Narration.Contains("{key}")'}).get(
                "ManualJournals", [])
            if any(tag in str(j.get("Narration")) for j in posted):
                return [f"ManualJournal {tag} (already in Xero)"] * len(deliveries)
            entries = []
            for ev in events:
                p = ev.payload
                codes = [t["code"] for t in p["taxes"]]
                keys = ([f"revenue.{c}" for c in codes] + [f"tax.{c}" for c in codes]
                        + [f"tender.{x['tender']}" for x in p["payments"]] + ["rounding"])
                entries.append(entry(ev.id, p, {k: k for k in keys}))
            summary = summary_entry(ref, entries, late=bool(posted))
            by_key = {p.account: p.amount for p in summary.postings}
            lines: list[dict[str, Any]] = []
            for k, amount in sorted(by_key.items()):
                head, _, code = k.partition(".")
                if head == "tax":
                    continue  # carried on its revenue line as TaxAmount
                if head == "revenue":
                    lines.append({"LineAmount": amount, "AccountCode": self._map(k),
                                  "TaxType": self._map(f"taxtype.{code}"),
                                  "TaxAmount": by_key.get(f"tax.{code}", Decimal(0)),
                                  "Description": f"POS sales, tax {code}"})
                else:
                    lines.append({"LineAmount": amount, "AccountCode": self._map(k),
                                  "TaxType": (self._settings.get("rounding_taxtype", "NONE")
                                              if head == "rounding" else "NONE"),
                                  "Description": f"POS {k.replace('.', ' ')}"})
            for code in {k.partition(".")[2] for k in by_key if k.startswith("tax.")}:
                if f"revenue.{code}" not in by_key:  # tax without revenue: its own line
                    lines.append({"LineAmount": Decimal(0), "AccountCode": self._map(
                        f"revenue.{code}"), "TaxType": self._map(f"taxtype.{code}"),
                        "TaxAmount": by_key[f"tax.{code}"]})
            body = {"ManualJournals": [{"Narration": f"{summary.narration} [{key}] {tag}",
                                        "Date": summary.day.isoformat(),
                                        "LineAmountTypes": "Exclusive", "Status": "POSTED",
                                        "JournalLines": lines}]}
            data = self._put("ManualJournals", body, request_id(ref, size=64))
            [el] = data.get("ManualJournals", [{}])
            problem = _element_errors(el)
            if problem is not None:
                raise PermanentError(f"Xero refused the summary {key}: {problem}")
            return [f"ManualJournal {el.get('ManualJournalID')}"] * len(deliveries)

    # ----- the rest -------------------------------------------------------------------------
    def test(self) -> str:
        org = (self._get("Organisation").get("Organisations") or [{}])[0]
        return f"Xero organisation {org.get('Name')!r} ({self._tenant}) answered"

    def close(self) -> None:
        self._http.close()

    @classmethod
    def authorise(cls, config: ConnectorConfig, secrets: SecretStore,
                  open_browser: Callable[[str], object] = webbrowser.open,
                  timeout_s: float = 300.0, tenant: str | None = None,
                  out: Callable[[str], object] = print, **_: Any) -> dict[str, str]:
        """PKCE consent, then the organisation from the connections endpoint."""
        s = config.settings
        if not s.get("client_id"):
            raise ConfigError("set client_id first (the app at developer.xero.com)")
        redirect = str(setting(config, cls.schema, "redirect_uri"))
        client_secret = secrets.get(config.name, "client_secret")
        tokens, _ = authorize(_provider(config), str(s["client_id"]), client_secret, redirect,
                              open_browser, timeout_s)
        secrets.set(config.name, TOKENS_KEY, tokens.to_json())
        r = httpx.get(str(setting(config, cls.schema, "connections_url")), timeout=30,
                      headers={"Authorization": f"Bearer {tokens.access_token}",
                               "Accept": "application/json"})
        if r.status_code != 200:
            raise OAuthError(f"Xero's connections endpoint answered HTTP {r.status_code}")
        orgs = [c for c in r.json() if c.get("tenantType", "ORGANISATION") == "ORGANISATION"]
        wanted = tenant or s.get("tenant")
        pick = [c for c in orgs if wanted in (c.get("tenantId"), c.get("tenantName"))] \
            if wanted else orgs
        if len(pick) != 1:
            names = ", ".join(f"{c.get('tenantName')} ({c.get('tenantId')})" for c in orgs)
            raise ConfigError(f"pick the organisation with --tenant NAME: {names or 'none'}"
                              if len(orgs) > 1 or not orgs or wanted else "no organisation")
        out(f"organisation: {pick[0].get('tenantName')}")
        return {"tenant_id": str(pick[0]["tenantId"])}


def _ours(have: dict[str, Any], doc: Document, id_field: str) -> dict[str, Any]:
    """The document found by number, if the POS made it for this event (its reference
    names the event); a number someone else used is a dead letter, never paid."""
    if doc.event_id not in str(have.get("Reference", "")):
        return {"error": PermanentError(
            f"Xero already has a document numbered {doc.receipt_no} that this till did not "
            "make; rename or void it in Xero, then `pos sync retry`")}
    return {"id": have[id_field], "payments": _paid_refs(have)}


def _paid_refs(doc: dict[str, Any]) -> set[str]:
    return {str(p.get("Reference")) for p in doc.get("Payments") or []}


def _provider(config: ConnectorConfig) -> Provider:
    s = XeroConnector.schema
    return Provider("Xero", str(setting(config, s, "auth_url")),
                    str(setting(config, s, "token_url")), XERO.scopes, pkce=True)

