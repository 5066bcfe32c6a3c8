"""QuickBooks Online (Accounting API v3): each sale as a ``SalesReceipt``, each refund as a
``RefundReceipt`` — or one ``JournalEntry`` per day and till (``entries=daily``).

* **Amounts** come from the ledger entry of sync/accounting.py: per tax category one line
  of a generic sales item (``item.CODE``, whose income account is that category's revenue
  account) for the amount before tax, with the category's tax code (``taxcode.CODE``);
  the tax per rate in ``TxnTaxDetail`` (``TotalTax`` and a ``TaxLine`` per rate); cash
  rounding as a line of its own item (``item.rounding``). A US company on Automated Sales
  Tax (``automated_sales_tax=true``) would compute its own tax and ignore the lines' codes,
  so there ``TxnTaxDetail.TxnTaxCodeRef`` (``ast_taxcode``) and ``TotalTax`` override it
  with the till's tax. Documents are tax-exclusive (``GlobalTaxCalculation``), in the
  store's currency.
* **Tenders**: a receipt paid with one tender whose account can take deposits (Bank, Other
  Current Asset) is deposited there (``DepositToAccountRef`` = ``tender.NAME``). Split
  tenders, and tenders such as store credit whose account is a liability, go through the
  ``clearing`` account (e.g. Undeposited Funds) and a ``JournalEntry`` with the same
  document number moves each tender's amount to its own account.
* **Exactly once**: every write is a call of the batch endpoint (at most 30 operations; a
  sale is one or two) with ``requestid`` made from the events' idempotency keys, so a
  retry of the same request is answered with the original result. A retry that carries a
  different set of events (or comes from a new process after a crash) first looks the
  documents up by their ``DocNumber`` (the receipt number) and sends only what is missing.
  Daily summaries carry a document number made from their planned reference and are
  looked up before every attempt.
* **Limits**: 500 requests/min per company, 10/s and 10 at once: by default the limiter
  runs at 500/min with no burst (so never more than about 9 in any second) and at most 10
  lanes. A 429 waits 60 s (QuickBooks sends no Retry-After).
* **Faults** (``Fault`` in the body, with HTTP 4xx/5xx and also with 200, in a batch per
  item): ``ValidationFault`` is the document's problem → dead letter with QuickBooks'
  message; throttling, ``SystemFault`` and 5xx are retried; ``AuthenticationFault``
  refreshes the token once, then reports the authorisation lost (events stay queued);
  ``AuthorizationFault`` (the user or subscription lost access) is retried slowly.
* **OAuth 2** (sync/oauth.py): ``pos sync connector auth NAME`` opens Intuit's consent
  page and takes the code (and ``realmId``, the company) on the loopback redirect.
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
from ..oauth import (
    TOKENS_KEY,
    AuthorizationLost,
    OAuthError,
    Provider,
    TokenManager,
    authorize,
)
from ..ports import SecretStore
from ..ratelimit import Limiter, parse_rate
from .base import ConfigError, Setting, secret, setting
from .saas import ApiClient, Document, default_limits, document, loads, request_id

log = logging.getLogger(__name__)
Result = str | SyncError | None

INTUIT = Provider("Intuit", "https://appcenter.intuit.com/connect/oauth2",
                  "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
                  ("com.intuit.quickbooks.accounting",))
MINOR_VERSION = "75"
BATCH_MAX = 30  # operations per batch request (Intuit's limit)
THROTTLE_WAIT_S = 60.0
BATCH_RATE = "40/min"  # Intuit: batch calls per minute and company
DEPOSIT_TYPES = ("Bank", "Other Current Asset")
THROTTLE_CODES = ("3001", "003001", "ThrottleExceeded")


def _ref(value: str) -> dict[str, str]:
    return {"value": value}


def _money(x: Decimal) -> Decimal:
    return x  # already exact in the currency's minor digits (from the payload's text)


def fault_error(status: int, body: Any, headers: httpx.Headers | None = None) -> SyncError | None:
    """What an answer (or one batch item) means: None when it is not a fault."""
    fault = None
    if isinstance(body, dict):
        fault = body.get("Fault") or body.get("fault")
    if status == 429 or (fault and any(str(e.get("code") or "") in THROTTLE_CODES
                                       for e in _errors(fault))):
        return TransientError("QuickBooks: too many requests (throttled)", THROTTLE_WAIT_S,
                              RATE_LIMITED)
    if fault is None:
        if status >= 500:
            return TransientError(f"QuickBooks answered HTTP {status}")
        if status >= 400:
            return PermanentError(f"QuickBooks answered HTTP {status}")
        return None
    kind = str(fault.get("type") or "")
    text = "; ".join(f"{e.get('Message') or e.get('message')}: "
                     f"{e.get('Detail') or e.get('detail') or ''} "
                     f"(code {e.get('code')}{', ' + str(e['element']) if e.get('element') else ''})"
                     for e in _errors(fault))
    message = f"QuickBooks {kind or 'fault'}: {text}"[:500]
    if kind in ("AuthenticationFault", "AUTHENTICATION") or status == 401:
        return TransientError(message, 0, REFUSED)  # the caller refreshes and repeats once
    if kind in ("AuthorizationFault", "AUTHORIZATION") or status == 403:
        return TransientError(message, 300, REFUSED)
    if kind == "ValidationFault" and status < 500:
        return PermanentError(message)
    return TransientError(message)  # SystemFault, SERVICE, anything unknown


def _errors(fault: dict[str, Any]) -> list[dict[str, Any]]:
    errs = fault.get("Error") or fault.get("error") or []
    return [e for e in errs if isinstance(e, dict)]


class QuickBooksConnector:
    type = "quickbooks"
    max_concurrency = 10  # Intuit: 10 requests at once per company
    batch_size = 15  # events per batch request: a sale is at most two of its 30 operations
    schema: ClassVar[dict[str, Setting]] = {
        "client_id": Setting("the app's client id (Intuit developer portal, Keys)",
                             required=True),
        "client_secret": Setting("the app's client secret", required=True, secret=True),
        "realm_id": Setting("the company (realmId); set by `pos sync connector auth`"),
        "redirect_uri": Setting("loopback redirect registered for the app",
                                default="http://localhost:8765/callback"),
        "listen_uri": Setting("where the till listens when redirect_uri is an https page "
                              "forwarding to it (production keys), e.g. "
                              "http://localhost:8765/callback"),
        "base_url": Setting("API base URL (sandbox: https://sandbox-quickbooks.api.intuit.com)",
                            default="https://quickbooks.api.intuit.com"),
        "auth_url": Setting("OAuth authorize URL", default=INTUIT.authorize_url),
        "token_url": Setting("OAuth token URL", default=INTUIT.token_url),
        "timeout_s": Setting("seconds to wait for an answer", default="60"),
        "entries": Setting("per_sale (a SalesReceipt or RefundReceipt per document) or daily "
                           "(one JournalEntry per day and till)", default="per_sale"),
        "summary_delay_s": Setting("daily: post a day's summary this long after its midnight",
                                   default="3600"),
        "item.*": Setting("per_sale: QuickBooks item per tax category (item.STD), and "
                          "item.rounding for cash rounding"),
        "taxcode.*": Setting("per_sale: QuickBooks tax code per tax category (US: TAX or NON)"),
        "tender.*": Setting("account per tender: cash, card, store_credit, loyalty"),
        "clearing": Setting("per_sale: account split tenders are deposited to first "
                            "(e.g. Undeposited Funds)"),
        "revenue.*": Setting("daily: income account per tax category"),
        "tax.*": Setting("daily: tax liability account per tax category"),
        "rounding": Setting("daily: account for cash rounding"),
        "automated_sales_tax": Setting("true for a US company on Automated Sales Tax: the "
                                       "till's tax overrides QuickBooks' own", default="false"),
        "ast_taxcode": Setting("with automated_sales_tax: the TxnTaxCodeRef tax code"),
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.name = config.name
        self.config = config
        s = config.settings
        self._base = str(setting(config, self.schema, "base_url")).rstrip("/")
        self._realm = str(s.get("realm_id") or "")
        self._settings = {k: str(v) for k, v in s.items()}
        self.grouping = entries_mode(s) == DAILY
        self._delay = timedelta(seconds=float(setting(config, self.schema, "summary_delay_s")))
        self._ast = str(setting(config, self.schema, "automated_sales_tax")).lower() in (
            "1", "true", "yes")
        self._http = httpx.Client(timeout=float(setting(config, self.schema, "timeout_s")),
                                  transport=transport)
        provider = _provider(config)
        self.tokens = TokenManager(self.name, secrets, provider,
                                   str(s.get("client_id") or ""),
                                   secret(secrets, config, "client_secret"), self._http,
                                   clock or time.time)
        # until the engine hands over its limiter (the mapping check runs before that)
        self._limiter: Limiter | None = Limiter(parse_rate("500/min"), 1)
        self._batch_limiter: Limiter | None = None
        self.api = ApiClient(self.name, "QuickBooks", self.tokens, self._http,
                             lambda: self._limiter)
        self._refs: dict[str, dict[str, dict[str, Any]]] | None = None  # entity -> id/name
        self._lock = threading.Lock()
        # unanswered batch requests: event id -> requestid -> (events, operations sent)
        self._sent: dict[str, str] = {}
        self._batches: dict[str, tuple[list[str], dict[str, list[tuple[str, str, Any]]]]] = {}

    # ----- the engine's limiter, with Intuit's published limits as the default ---------
    @property
    def limiter(self) -> Limiter | None:
        return self._limiter

    @limiter.setter
    def limiter(self, value: Limiter | None) -> None:
        if value is not None:
            default_limits(value, parse_rate("500/min"), 1)
            # batch calls have a quota of their own (40/min), on the engine's clock
            self._batch_limiter = Limiter(parse_rate(BATCH_RATE), 1, clock=value._clock,
                                          sleep=value._sleep)
            self._batch_limiter.max_wait = value.max_wait
        else:
            self._batch_limiter = None
        self._limiter = value

    # ----- mapping ----------------------------------------------------------------------
    def _required(self, tax_codes: list[str]) -> list[str]:
        if self.grouping:
            return []
        keys = ([f"item.{c}" for c in tax_codes] + [f"taxcode.{c}" for c in tax_codes]
                + [f"tender.{t}" for t in POS_TENDERS] + ["item.rounding", "clearing"])
        return keys + (["ast_taxcode"] if self._ast else [])

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        """Unmapped keys, then mapped names QuickBooks does not know (read from the
        company; if it cannot be reached now, the names are checked before the first
        delivery instead)."""
        if self.grouping:
            missing = unmapped(ledger_mapping(self.config.settings), tax_codes)
        else:
            missing = [k for k in self._required(tax_codes) if not self._settings.get(k)]
        if missing:
            return missing
        if not self._realm:
            return ["realm_id (run `pos sync connector auth NAME`)"]
        try:
            return self._unknown_refs(tax_codes)
        except (TransientError, OAuthError) as exc:  # offline, or authorisation lost
            log.warning("%s: cannot read the company now (%s); checking the mapping before "
                        "the first delivery", self.name, exc)
            return []

    def _entity_for(self, key: str) -> str:
        head = key.split(".")[0]
        return {"item": "Item", "taxcode": "TaxCode", "ast_taxcode": "TaxCode"}.get(
            head, "Account")

    def _keys(self) -> list[str]:
        prefixes = (("revenue", "tax", "tender", "rounding", "cogs", "inventory")
                    if self.grouping else ("item", "taxcode", "tender", "clearing",
                                           "ast_taxcode"))
        return [k for k in self._settings if k.split(".")[0] in prefixes]

    def _unknown_refs(self, tax_codes: list[str]) -> list[str]:
        refs = self._load_refs()
        bad = []
        for key in sorted(self._keys()):
            if self._find(refs, self._entity_for(key), self._settings[key]) is None:
                bad.append(f"{key} ({self._entity_for(key)} {self._settings[key]!r} is not in "
                           "QuickBooks)")
        return bad

    def _load_refs(self) -> dict[str, dict[str, dict[str, Any]]]:
        if self._refs is None:
            refs: dict[str, dict[str, dict[str, Any]]] = {}
            for entity in ("Account", "Item", "TaxCode"):
                refs[entity] = {}
                for row in self._query_all(entity):
                    refs[entity][str(row["Id"])] = row
            self._refs = refs
        return self._refs

    def _find(self, refs: dict[str, dict[str, dict[str, Any]]], entity: str,
              value: str) -> dict[str, Any] | None:
        rows = refs.get(entity, {})
        if value in rows:
            return rows[value]
        for row in rows.values():
            if value in (row.get("Name"), row.get("FullyQualifiedName")):
                return row
        return None

    def _id(self, key: str) -> str:
        row = self._find(self._load_refs(), self._entity_for(key), self._settings.get(key, ""))
        if row is None:
            raise PermanentError(f"unmapped: {key} (set it with `pos sync connector set NAME "
                                 f"--set {key}=…`, then `pos sync retry`)")
        return str(row["Id"])

    # ----- HTTP -------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self._base}/v3/company/{self._realm}/{path}"

    def _call(self, method: str, path: str, params: dict[str, str] | None = None,
              body: Any = None) -> Any:
        params = {**(params or {}), "minorversion": MINOR_VERSION}
        r = self.api.call(method, self._url(path), params=params, body=body)
        try:
            data = loads(r.content) if r.content else {}
        except ValueError:
            data = {}
        error = fault_error(r.status_code, data, r.headers)
        if error is not None:
            if r.status_code == 401:
                raise AuthorizationLost(self.name, str(error))
            raise error
        return data

    def _batch(self, rid: str, items: list[dict[str, Any]]) -> Any:
        if self._batch_limiter is not None:
            with self._batch_limiter.request():  # may raise Throttled: not attempted
                return self._call("POST", "batch", {"requestid": rid},
                                  {"BatchItemRequest": items})
        return self._call("POST", "batch", {"requestid": rid}, {"BatchItemRequest": items})

    def _query_all(self, entity: str, where: str = "") -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        start, page = 1, 1000
        while True:
            q = f"select * from {entity}{where} startposition {start} maxresults {page}"
            got = self._call("GET", "query", {"query": q}).get("QueryResponse", {})
            batch = got.get(entity, [])
            rows += batch
            if len(batch) < page:
                return rows
            start += page

    # ----- documents --------------------------------------------------------------------
    def _tax_rate_id(self, taxcode_id: str) -> str | None:
        code = self._load_refs()["TaxCode"].get(taxcode_id, {})
        details = (code.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
        return str(details[0]["TaxRateRef"]["value"]) if details else None

    def _account(self, account_id: str) -> dict[str, Any]:
        return self._load_refs()["Account"].get(account_id, {})

    def _receipt(self, doc: Document) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """(entity, body, tender journal entry or None)."""
        lines: list[dict[str, Any]] = []
        tax_lines: list[dict[str, Any]] = []
        for part in doc.parts:
            code_id = self._id(f"taxcode.{part.code}")
            lines.append({"DetailType": "SalesItemLineDetail", "Amount": _money(part.base),
                          "Description": f"POS sales, tax {part.code} "
                                         f"{part.rate * 100:g}%",
                          "SalesItemLineDetail": {
                              "ItemRef": _ref(self._id(f"item.{part.code}")),
                              "Qty": Decimal(1), "UnitPrice": _money(part.base),
                              "TaxCodeRef": _ref(code_id)}})
            rate_id = None if self._ast else self._tax_rate_id(code_id)
            if part.tax and rate_id:
                tax_lines.append({"DetailType": "TaxLineDetail", "Amount": _money(part.tax),
                                  "TaxLineDetail": {
                                      "TaxRateRef": _ref(rate_id), "PercentBased": True,
                                      "TaxPercent": (part.rate * 100).normalize(),
                                      "NetAmountTaxable": _money(part.base)}})
        if doc.rounding:
            lines.append({"DetailType": "SalesItemLineDetail", "Amount": _money(doc.rounding),
                          "Description": "Cash rounding",
                          "SalesItemLineDetail": {
                              "ItemRef": _ref(self._id("item.rounding")), "Qty": Decimal(1),
                              "UnitPrice": _money(doc.rounding)}})
        tax: dict[str, Any] = {"TotalTax": _money(doc.tax_total)}
        if self._ast:  # Automated Sales Tax: the till's tax overrides QuickBooks' own
            tax["TxnTaxCodeRef"] = _ref(self._id("ast_taxcode"))
        elif tax_lines:
            tax["TaxLine"] = tax_lines
        entity = "SalesReceipt" if doc.sign > 0 else "RefundReceipt"
        journal = None
        tender_ids = [(t, self._id(f"tender.{t}"), amount) for t, amount in doc.tenders]
        if (len(tender_ids) == 1
                and self._account(tender_ids[0][1]).get("AccountType") in DEPOSIT_TYPES):
            deposit = tender_ids[0][1]
        else:  # split, a tender that takes no deposits, or nothing paid (an even exchange)
            deposit = self._id("clearing")
            journal = self._tender_journal(doc, deposit, tender_ids) if tender_ids else None
        body = {"DocNumber": doc.receipt_no[:21], "TxnDate": doc.day.isoformat(),
                "PrivateNote": f"POS {doc.kind} {doc.receipt_no} (event {doc.event_id})",
                "CurrencyRef": _ref(doc.currency), "GlobalTaxCalculation": "TaxExcluded",
                "Line": lines, "TxnTaxDetail": tax, "DepositToAccountRef": _ref(deposit)}
        return entity, body, journal

    def _tender_journal(self, doc: Document, clearing: str,
                        tenders: list[tuple[str, str, Decimal]]) -> dict[str, Any]:
        """Clearing -> each tender's account (a refund: the other way round)."""
        lines = []
        for tender, account, amount in tenders:
            signed = amount * doc.sign  # debit positive, as in the ledger entry
            lines.append(self._je_line(f"POS {tender} {doc.receipt_no}", account, signed))
        total = sum((a * doc.sign for _, _, a in tenders), Decimal(0))
        lines.append(self._je_line(f"POS tenders {doc.receipt_no}", clearing, -total))
        return {"DocNumber": doc.receipt_no[:21], "TxnDate": doc.day.isoformat(),
                "PrivateNote": f"POS tenders of {doc.receipt_no} (event {doc.event_id})",
                "CurrencyRef": _ref(doc.currency), "Line": lines}

    @staticmethod
    def _je_line(text: str, account: str, signed: Decimal) -> dict[str, Any]:
        return {"DetailType": "JournalEntryLineDetail", "Amount": _money(abs(signed)),
                "Description": text[:4000],
                "JournalEntryLineDetail": {"PostingType": "Debit" if signed > 0 else "Credit",
                                           "AccountRef": _ref(account)}}

    def _operations(self, d: Delivery) -> list[tuple[str, str, dict[str, Any]]] | str:
        """(bId, entity, body) for one event, or why there is nothing to send."""
        event = d.event
        if event.type not in ("sale.completed", "refund.completed", "exchange.completed"):
            return "not a ledger event"
        if self.grouping:
            raise PermanentError("daily summaries are posted per group")  # pragma: no cover
        doc = document(event)
        entity, body, journal = self._receipt(doc)
        ops = [(f"{event.id}:r", entity, body)]
        if journal is not None:
            ops.append((f"{event.id}:j", "JournalEntry", journal))
        return ops

    # ----- delivering -------------------------------------------------------------------
    def deliver(self, delivery: Delivery) -> str | None:
        [result] = self.deliver_batch([delivery])
        if isinstance(result, SyncError):
            raise result
        return result

    def deliver_batch(self, deliveries: list[Delivery]) -> list[Result]:
        results: dict[str, Result] = {}
        pending: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for d in deliveries:
            try:
                ops = self._operations(d)
            except PermanentError as exc:
                results[d.event.id] = exc
                continue
            if isinstance(ops, str):
                results[d.event.id] = ops
            else:
                pending[d.event.id] = ops
        keys = {d.event.id: d.idempotency_key for d in deliveries}
        while pending:
            chunk: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
            n = 0
            for eid in list(pending):
                if n + len(pending[eid]) > BATCH_MAX:
                    break
                chunk[eid] = pending.pop(eid)
                n += len(chunk[eid])
            results.update(self._send_chunk(chunk, keys))
        return [results[d.event.id] for d in deliveries]

    def _send_chunk(self, chunk: dict[str, list[tuple[str, str, dict[str, Any]]]],
                    keys: dict[str, str]) -> dict[str, Result]:
        out: dict[str, Result] = {}
        sent = {self._sent.get(e, "") for e in chunk}
        rid = sent.pop() if len(sent) == 1 else ""
        again = self._batches.get(rid)
        if again is not None and set(again[0]) == set(chunk):
            chunk = again[1]  # the same request again: QuickBooks replays its answer
        else:  # a new request for these events: send only what QuickBooks does not have
            found = self._existing([op for ops in chunk.values() for op in ops])
            for eid in list(chunk):
                left = [op for op in chunk[eid] if op[0] not in found]
                clash = [f for op in chunk[eid] if isinstance(f := found.get(op[0]),
                                                              PermanentError)]
                if clash or not left:
                    out[eid] = clash[0] if clash else found[chunk[eid][0][0]]
                    del chunk[eid]
                else:
                    chunk[eid] = left
            if not chunk:
                return out
            # the events' keys and a fresh nonce: a retry after an answered failure (or a
            # dead letter retried after a fix) must not be replayed the old answer; the
            # lookup above guards against doubles, the memory of it replays a lost answer
            rid = request_id(*sorted(keys[e] + "|" + ",".join(op[0] for op in chunk[e])
                                     for e in chunk), uuid.uuid4().hex)
            self._batches[rid] = (list(chunk), dict(chunk))
            for eid in chunk:
                self._sent[eid] = rid
        items = [{"bId": bid, "operation": "create", entity: body}
                 for ops in chunk.values() for bid, entity, body in ops]
        try:
            data = self._batch(rid, items)
        except SyncError as exc:
            if not isinstance(exc, TransientError) or exc.kind == RATE_LIMITED or (
                    "Fault" in str(exc)):  # answered: nothing to replay
                self._forget(rid, chunk)
            return {**out, **dict.fromkeys(chunk, exc)}  # unanswered: repeated as it was
        self._forget(rid, chunk)
        answers = {str(a.get("bId")): a for a in data.get("BatchItemResponse", [])}
        for eid, ops in chunk.items():
            result: Result = None
            for bid, entity, _ in ops:
                a = answers.get(bid)
                if a is None:
                    result = TransientError(f"QuickBooks did not answer for {bid}")
                    break
                error = fault_error(200, a)
                if error is not None:
                    result = error
                    break
                if entity in a and result is None:
                    result = f"{entity} {a[entity].get('Id')}"
            out[eid] = result
        return out

    def _forget(self, rid: str, chunk: dict[str, Any]) -> None:
        self._batches.pop(rid, None)
        for eid in chunk:
            self._sent.pop(eid, None)

    def _existing(self, ops: list[tuple[str, str, dict[str, Any]]]
                  ) -> dict[str, str | PermanentError]:
        """bId -> reference of the documents QuickBooks already has (by DocNumber): one
        query per kind of document (a read: no requestid, it would replay an old answer)."""
        wanted: dict[str, dict[str, str]] = {}
        notes: dict[str, str] = {}
        for bid, entity, body in ops:
            wanted.setdefault(entity, {})[body["DocNumber"]] = bid
            notes[bid] = bid.split(":", 1)[0]  # the event id, named in PrivateNote
        found: dict[str, str | PermanentError] = {}
        for entity, numbers in wanted.items():
            quoted = ", ".join("'" + n.replace("'", "\\'") + "'" for n in sorted(numbers))
            for row in self._query_all(entity, f" where DocNumber in ({quoted})"):
                hit = numbers.get(str(row.get("DocNumber")))
                if hit is None:
                    continue
                if notes[hit] in str(row.get("PrivateNote", "")):
                    found[hit] = f"{entity} {row.get('Id')} (already in QuickBooks)"
                elif hit not in found:  # someone else's document with that number
                    found[hit] = PermanentError(
                        f"QuickBooks already has a {entity} numbered {row.get('DocNumber')} "
                        "that this till did not make; renumber or delete it there, then "
                        "`pos sync retry`")
        return found

    # ----- daily summaries (entries=daily) ----------------------------------------------
    def group(self, delivery: Delivery) -> tuple[str, datetime] | None:
        return summary_group(delivery, self._delay)

    def _ledger_entry(self, delivery: Delivery) -> Entry | None:
        return ledger_entry(delivery.event, ledger_mapping(self.config.settings))

    def refuse(self, delivery: Delivery) -> PermanentError | None:
        try:
            self._ledger_entry(delivery)
        except PermanentError as exc:
            return exc
        return None

    def deliver_group(self, ref: str, deliveries: list[Delivery]) -> list[Result]:
        with self._lock:
            number = "POS" + request_id(ref, size=14)
            entries = [e for e in (self._ledger_entry(d) for d in deliveries) if e]
            if not entries:
                return ["not a ledger event"] * len(deliveries)
            key = ref.split("#", 1)[0]
            posted = self._query_all("JournalEntry", " where DocNumber like 'POS%'")
            if any(r.get("DocNumber") == number for r in posted):
                return [f"JournalEntry {number} (already in QuickBooks)"] * len(deliveries)
            late = any(f"[{key}#" in str(r.get("PrivateNote", "")) for r in posted)
            summary = summary_entry(ref, entries, late)
            lines = [self._je_line(summary.narration, self._id_of_account(p.account), p.amount)
                     for p in summary.postings]
            body = {"DocNumber": number, "TxnDate": summary.day.isoformat(),
                    "PrivateNote": f"{summary.narration} [{ref}]"[:4000],
                    "CurrencyRef": _ref(entries[0].postings[0].currency), "Line": lines}
            data = self._batch(request_id(ref), [{"bId": "1", "operation": "create",
                                                  "JournalEntry": body}])
            [a] = data.get("BatchItemResponse", [{}])
            error = fault_error(200, a)
            if error is not None:
                raise error
            return [f"JournalEntry {a['JournalEntry'].get('Id')}"] * len(deliveries)

    def _id_of_account(self, name: str) -> str:
        row = self._find(self._load_refs(), "Account", name)
        if row is None:
            raise PermanentError(f"account {name!r} is not in QuickBooks")
        return str(row["Id"])

    # ----- the rest ---------------------------------------------------------------------
    def test(self) -> str:
        info = self._call("GET", f"companyinfo/{self._realm}").get("CompanyInfo", {})
        return f"QuickBooks company {info.get('CompanyName')!r} (realm {self._realm}) answered"

    def close(self) -> None:
        self._http.close()

    @classmethod
    def authorise(cls, config: ConnectorConfig, secrets: SecretStore,
                  open_browser: Callable[[str], object] = webbrowser.open,
                  timeout_s: float = 300.0, **_: Any) -> dict[str, str]:
        """The consent flow; stores the tokens, returns the settings to keep (realm_id)."""
        s = config.settings
        if not s.get("client_id"):
            raise ConfigError("set client_id (and the client_secret) first")
        redirect = str(setting(config, cls.schema, "redirect_uri"))
        tokens, extra = authorize(_provider(config), str(s["client_id"]),
                                  secret(secrets, config, "client_secret"), redirect,
                                  open_browser, timeout_s,
                                  listen_uri=str(s.get("listen_uri") or "") or None)
        realm = extra.get("realmId", "")
        if not realm:
            raise OAuthError("Intuit's redirect carried no realmId (company)")
        secrets.set(config.name, TOKENS_KEY, tokens.to_json())
        return {"realm_id": realm}


def _provider(config: ConnectorConfig) -> Provider:
    s = QuickBooksConnector.schema
    return Provider("Intuit", str(setting(config, s, "auth_url")),
                    str(setting(config, s, "token_url")), INTUIT.scopes)
