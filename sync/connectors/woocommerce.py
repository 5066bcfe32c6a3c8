"""WooCommerce through its REST API v3 (``/wp-json/wc/v3``, consumer key and secret).

WooCommerce's only stock write is absolute (``stock_quantity``); there is no delta
endpoint, and a read-modify-write races with the shop's own orders. So the connector
lets WooCommerce move stock itself wherever it can, and is the single, serial writer
everywhere else:

* ``push=orders`` (the default): each POS sale becomes a paid order (``set_paid``), and
  WooCommerce reduces the stock of its items itself, with the same atomic decrement as
  for a web order; a refund becomes a refund of that order with ``api_restock`` for the
  restocked lines, which puts them back the same way; an exchange is both. So sales and
  refunds never read and write stock. The stock events of sales and refunds are then
  *not* applied again (never both).
* Everything else that moves the mirrored location's stock (deliveries, adjustments,
  counts, transfers; with ``push=stock`` the sales and refunds too) is a read and a
  write of ``stock_quantity``: the connector reads the products, adds the POS deltas
  and writes the new quantity together with the list of POS stock events it contains
  (meta ``_pos_stock_events``), in one batch request (≤ 100 items). A retry after a
  lost answer or a crash finds its events in that list and writes nothing. The
  connector runs one request at a time (``max_concurrency = 1``) and all stock events
  go in one lane, so its own writes never race each other; what remains is a web
  order that WooCommerce commits between the read and the write (one round trip),
  which the write would undo. That is why ``push=orders`` is the default.

Orders have no idempotency key: each carries the POS reference in ``meta_data``
(``pos_reference``) and, so that WooCommerce's order search finds it, in its billing
name (``POS``, the receipt number) and company (the POS sale id). Before creating an
order the connector searches for it and creates it only when it is not there; refunds
are looked up among the order's refunds the same way.

Inbound: products and variations modified after the cursor (``modified_after``,
paged by ``X-WP-TotalPages``); webhooks verified by ``X-WC-Webhook-Signature`` and
deduplicated by ``X-WC-Webhook-Delivery-ID``, which only trigger a pull.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

import httpx
from babel.numbers import get_currency_precision

from ..inbound import DUPLICATE, INBOUND_SCHEMA, POS, InboundChange, system_of_record
from ..model import (
    RATE_LIMITED,
    ConnectorConfig,
    Delivery,
    PermanentError,
    SyncError,
    TransientError,
)
from ..ports import PosCatalog, SecretStore
from ..ratelimit import Limiter
from ..retry import parse_retry_after
from .base import ConfigError, Setting, setting

log = logging.getLogger(__name__)

TYPE = "woocommerce"
API = "/wp-json/wc/v3"
PAGE = 100
BATCH = 100  # WooCommerce's limit per batch request
RECORD = "_pos_stock_events"
REFERENCE = "pos_reference"
OVERLAP = timedelta(seconds=2)
SALE_KINDS = ("sale", "return")  # movements an order or a refund moves itself
DOCUMENTS = ("sale.completed", "refund.completed", "exchange.completed")


@dataclass(frozen=True, slots=True)
class Target:
    """A simple product, or a variation of a variable product."""

    id: int
    parent: int | None
    sku: str


@dataclass
class MappingReport:
    matched: int = 0
    pos_unmatched: list[str] = field(default_factory=list)
    woo_only: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def unmapped(self, unmatched_policy: str) -> list[str]:
        out = list(self.problems)
        if unmatched_policy == "refuse":
            out += [f"item {sku}" for sku in self.pos_unmatched]
        return out

    def lines(self) -> list[str]:
        out = [f"{self.matched} POS items matched WooCommerce products"]
        if self.pos_unmatched:
            out.append(f"{len(self.pos_unmatched)} POS items not at WooCommerce: "
                       + ", ".join(self.pos_unmatched[:50])
                       + (" …" if len(self.pos_unmatched) > 50 else ""))
        if self.woo_only:
            out.append(f"{len(self.woo_only)} WooCommerce products not in the POS: "
                       + ", ".join(self.woo_only[:50])
                       + (" …" if len(self.woo_only) > 50 else ""))
        out += [f"problem: {p}" for p in self.problems]
        return out


class WooCommerceConnector:
    type = TYPE
    max_concurrency = 1  # the single writer of stock_quantity: one request at a time
    batch_size = BATCH
    schema: ClassVar[dict[str, Setting]] = {
        "url": Setting("the shop's address, e.g. https://shop.example (the REST API is "
                       f"under {API})", required=True),
        "consumer_key": Setting("REST API consumer key (ck_…), Read/Write", required=True,
                                secret=True),
        "consumer_secret": Setting("REST API consumer secret (cs_…)", required=True,
                                   secret=True),
        "push": Setting("'orders': POS sales and refunds as WooCommerce orders and refunds, "
                        "which move its stock; 'stock': only stock quantities",
                        default="orders"),
        "location": Setting("the POS location (code) whose stock the web shop sells",
                            default="MAIN"),
        "tax_class.*": Setting("WooCommerce tax class per POS tax category for orders, e.g. "
                               "tax_class.RED=reduced-rate (tax_class.STD=standard)"),
        "unmatched": Setting("POS items with no product: 'refuse' to start, or 'skip' them",
                             default="refuse"),
        "record_size": Setting("POS stock events remembered per product", default="200"),
        "timeout_s": Setting("seconds to wait for an answer", default="15"),
        **INBOUND_SCHEMA,
        "webhook_secret": Setting("the secret of the shop's webhooks (WooCommerce › Settings "
                                  "› Advanced › Webhooks)", secret=True),
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = config.name
        s = config.settings
        self._base = str(setting(config, self.schema, "url")).rstrip("/")
        if self._base.endswith(API):
            self._base = self._base[: -len(API)]
        key = secrets.get(config.name, "consumer_key") or ""
        secret = secrets.get(config.name, "consumer_secret") or ""
        if not (key and secret):
            raise ConfigError(f"connector {config.name}: consumer_key and consumer_secret "
                              "are not in the keyring; add the connector again with --set")
        self._hook_secret = secrets.get(config.name, "webhook_secret") or ""
        self._push = str(setting(config, self.schema, "push"))
        if self._push not in ("orders", "stock"):
            raise ConfigError("push is 'orders' or 'stock'")
        self._unmatched = str(setting(config, self.schema, "unmatched"))
        if self._unmatched not in ("refuse", "skip"):
            raise ConfigError("unmatched is 'refuse' or 'skip'")
        self._location_code = str(setting(config, self.schema, "location"))
        self._tax_class = {k.split(".", 1)[1]: ("" if str(v) == "standard" else str(v))
                           for k, v in s.items() if k.startswith("tax_class.")}
        self._keep = max(10, int(setting(config, self.schema, "record_size")))
        self._sor = {t: system_of_record(s, t, TYPE) for t in ("catalog", "prices", "stock")}
        self.pull_interval_s = float(setting(config, self.schema, "pull_interval_s"))
        self._client = httpx.Client(
            timeout=float(setting(config, self.schema, "timeout_s")), transport=transport,
            auth=(key, secret), headers={"User-Agent": "pos-app-sync/1"})
        self.limiter = Limiter()  # the engine sets its own
        self._catalog: PosCatalog | None = None
        self._lock = threading.RLock()
        self._index: dict[str, Target] | None = None
        self._index_at = 0.0
        self._variable: list[int] = []  # variable products (their variations are indexed)
        self._deliveries: OrderedDict[str, None] = OrderedDict()

    # --- plumbing -----------------------------------------------------------------

    def bind(self, catalog: PosCatalog) -> None:
        self._catalog = catalog

    def _need_catalog(self) -> PosCatalog:
        if self._catalog is None:
            raise ConfigError(f"connector {self.name} is not bound to the POS catalog")
        return self._catalog

    def _request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                 json: Any = None, max_wait: float | None = None) -> httpx.Response:
        url = f"{self._base}{API}{path}"
        with self.limiter.request(1.0, max_wait):
            try:
                r = self._client.request(method, url, params=params, json=json)
            except httpx.TimeoutException as exc:
                raise TransientError(f"no answer from WooCommerce in time ({method} {path})",
                                     kind="timeout") from exc
            except httpx.TransportError as exc:
                raise TransientError(f"cannot reach WooCommerce: {exc.__class__.__name__}",
                                     kind="unreachable") from exc
        retry = parse_retry_after(r.headers.get("retry-after"))
        self.limiter.observe(r.headers, r.status_code, retry)
        if r.status_code == 429:
            raise TransientError(f"WooCommerce is rate limiting ({path}); retry in "
                                 f"{retry or 1:.0f} s", retry, kind=RATE_LIMITED)
        if r.status_code >= 500 or r.status_code in (408, 425):
            raise TransientError(f"HTTP {r.status_code} from WooCommerce: {_message(r)}",
                                 retry)
        if r.status_code in (401, 403):
            raise TransientError(f"WooCommerce refused the keys (HTTP {r.status_code}: "
                                 f"{_message(r)}); give the key Read/Write access or set new "
                                 "ones with `pos sync connector set NAME --set "
                                 "consumer_key=… --set consumer_secret=…`", kind="refused")
        if r.status_code >= 400:
            raise PermanentError(f"WooCommerce refused {method} {path} (HTTP "
                                 f"{r.status_code}): {_message(r)}")
        return r

    def _pages(self, path: str, params: dict[str, Any] | None = None,
               max_wait: float | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            r = self._request("GET", path, params={**(params or {}), "per_page": PAGE,
                                                   "page": page}, max_wait=max_wait)
            out += r.json()
            pages = int(r.headers.get("X-WP-TotalPages") or 1)
            if page >= pages or 'rel="next"' not in r.headers.get("Link", 'rel="next"'):
                return out
            page += 1

    def _targets(self, refresh: bool = False) -> dict[str, Target]:
        """SKU -> simple product or variation, read page by page (X-WP-TotalPages)."""
        with self._lock:
            if self._index is None or refresh:
                index: dict[str, Target] = {}
                variable = []
                for p in self._pages("/products", max_wait=30):
                    if p.get("type") == "variable":
                        variable.append(int(p["id"]))
                    elif p.get("sku"):
                        index[str(p["sku"])] = Target(int(p["id"]), None, str(p["sku"]))
                for pid in variable:
                    for v in self._pages(f"/products/{pid}/variations", max_wait=30):
                        if v.get("sku"):
                            index[str(v["sku"])] = Target(int(v["id"]), pid, str(v["sku"]))
                self._index, self._variable = index, variable
                self._index_at = time.monotonic()
            return self._index

    def _target(self, sku: str) -> Target | None:
        index = self._targets()
        if sku not in index and time.monotonic() - self._index_at > 60:
            index = self._targets(refresh=True)
        return index.get(sku)

    def _location_id(self) -> str | None:
        for loc in self._need_catalog().locations():
            if loc.code == self._location_code:
                return loc.id
        return None

    # --- mapping ------------------------------------------------------------------

    def mapping(self) -> MappingReport:
        catalog = self._need_catalog()
        report = MappingReport()
        if self._location_id() is None:
            report.problems.append(f"location: the POS has no location {self._location_code!r}"
                                   " (set location=CODE)")
        index = self._targets(refresh=True)
        seen = set()
        for item in catalog.items():
            if item.sku in index:
                report.matched += 1
                seen.add(item.sku)
            else:
                report.pos_unmatched.append(item.sku)
        report.woo_only = sorted(k for k in index if k not in seen)
        return report

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        missing = [f"tax_class.{c}" for c in tax_codes
                   if self._push == "orders" and c not in self._tax_class]
        try:
            return missing + self.mapping().unmapped(self._unmatched)
        except TransientError as exc:
            log.warning("sync %s: cannot check the mapping now (%s); checking at delivery",
                        self.name, exc)
            return missing

    # --- outbound -----------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> str | None:
        result = self.deliver_batch([delivery])[0]
        if isinstance(result, SyncError):
            raise result
        return result

    def deliver_batch(self, deliveries: Sequence[Delivery]) -> list[str | SyncError | None]:
        """Orders and refunds one by one, then every stock event of the batch with one
        read and one batch write: the order of the two does not matter, since orders move
        stock by WooCommerce's own decrement and the write adds to what it read."""
        results: list[str | SyncError | None] = [None] * len(deliveries)
        stock: list[tuple[int, Delivery]] = []
        for n, d in enumerate(deliveries):
            if d.event.payload.get("source") == self.name:
                results[n] = "came from this WooCommerce: not sent back"
            elif d.event.type == "stock.moved":
                stock.append((n, d))
            else:
                try:
                    results[n] = self._document(d)
                except SyncError as exc:
                    results[n] = exc
        if stock:
            for (n, _), r in zip(stock, self._stock([d for _, d in stock]), strict=True):
                results[n] = r
        return results

    # stock: the serial read-modify-write with the record of applied POS events

    def _stock(self, ds: list[Delivery]) -> list[str | SyncError | None]:
        catalog = self._need_catalog()
        location = self._location_id()
        out: list[str | SyncError | None] = [None] * len(ds)
        plans: dict[int, dict[Target, int]] = {}  # position -> target -> delta
        for n, d in enumerate(ds):
            deltas: dict[Target, int] = defaultdict(int)
            unmatched = []
            try:
                for mv in d.event.payload.get("movements", []):
                    if str(mv["location_id"]) != location:
                        continue  # not the web shop's stock
                    if self._push == "orders" and mv.get("kind") in SALE_KINDS:
                        continue  # the order or refund moves it
                    item = catalog.item(str(mv["variant_id"]))
                    if item is None:
                        raise PermanentError(f"stock event {d.event.id}: variant "
                                             f"{mv['variant_id']} is not in the POS catalog")
                    target = self._target(item.sku)
                    if target is None:
                        unmatched.append(item.sku)
                        continue
                    qty = Decimal(str(mv["qty"]))
                    if qty != qty.to_integral_value():
                        raise PermanentError(f"WooCommerce counts stock in whole units; "
                                             f"{item.sku} moved {qty} (set unmatched=skip "
                                             "and leave weighed items out of the web shop)")
                    deltas[target] += int(qty)
                if unmatched and self._unmatched == "refuse":
                    raise PermanentError("no WooCommerce product with SKU "
                                         + ", ".join(sorted(unmatched)) + ": create it there "
                                         "(or set unmatched=skip), then retry")
            except SyncError as exc:
                out[n] = exc
                continue
            plans[n] = {t: q for t, q in deltas.items() if q}
            out[n] = (f"woocommerce: {len(plans[n])} product(s)" if plans[n]
                      else "woocommerce: nothing to move here")
        targets = {t for plan in plans.values() for t in plan}
        if not targets:
            return out
        try:
            with self._lock:
                self._read_then_write(ds, plans, targets)
        except SyncError as exc:
            for n in plans:
                out[n] = exc
        return out

    def _read_then_write(self, ds: list[Delivery], plans: dict[int, dict[Target, int]],
                         targets: set[Target]) -> None:
        current: dict[Target, dict[str, Any]] = {}
        groups: dict[int | None, list[Target]] = defaultdict(list)
        for t in targets:
            groups[t.parent].append(t)
        for parent, ts in groups.items():
            path = "/products" if parent is None else f"/products/{parent}/variations"
            ids = sorted(t.id for t in ts)
            for start in range(0, len(ids), PAGE):
                chunk = ids[start:start + PAGE]
                rows = self._pages(path, {"include": ",".join(map(str, chunk))})
                by_id = {int(r["id"]): r for r in rows}
                for t in ts:
                    if t.id in by_id:
                        current[t] = by_id[t.id]
        writes: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for t in sorted(targets, key=lambda t: (t.parent or 0, t.id)):
            row = current.get(t)
            if row is None:
                raise PermanentError(f"WooCommerce product {t.id} ({t.sku}) is gone")
            record = _record(row)
            qty = int(row.get("stock_quantity") or 0)
            fresh = []
            for n, plan in sorted(plans.items()):
                event = ds[n].event.id
                if t not in plan or event in record:
                    continue  # applied before an answer was lost or a crash: never twice
                if len(record) >= self._keep and event < min(record):
                    raise PermanentError(
                        f"cannot tell whether POS stock event {event} was applied to {t.sku} "
                        f"at WooCommerce (older than the {self._keep} it remembers): check "
                        "its stock there, then skip or correct it")
                qty += plan[t]
                fresh.append(event)
            if not fresh:
                continue
            if not row.get("manage_stock", True):
                raise PermanentError(f"{t.sku}: WooCommerce does not manage its stock (turn "
                                     "on 'Manage stock' for the product)")
            writes[t.parent].append({"id": t.id, "stock_quantity": qty, "meta_data": [
                {"key": RECORD, "value": {"events": [*record, *fresh][-self._keep:]}}]})
        for parent, rows in writes.items():
            path = "/products/batch" if parent is None else \
                f"/products/{parent}/variations/batch"
            for start in range(0, len(rows), BATCH):
                answer = self._request("POST", path, json={"update": rows[start:start + BATCH]})
                errors = [u for u in (answer.json().get("update") or []) if u.get("error")]
                if errors:
                    raise PermanentError("WooCommerce refused stock updates: " + "; ".join(
                        f"{e.get('id')}: {e['error'].get('message')}" for e in errors))

    # orders and refunds

    def _document(self, d: Delivery) -> str | None:
        if d.event.type not in DOCUMENTS:
            return "not for woocommerce"
        if self._push != "orders":
            return "push=stock: sales move WooCommerce's stock as quantities"
        p = d.event.payload
        sold = [ln for ln in p["lines"] if Decimal(str(ln["qty"])) > 0]
        back = [ln for ln in p["lines"] if Decimal(str(ln["qty"])) < 0]
        done = []
        if sold:  # an exchange's new items first: its refund may need a hand
            done.append(self._order(p, sold))
        if back:
            try:
                done.append(self._refund(p, back))
            except PermanentError as exc:
                if done:
                    raise PermanentError(f"{exc} ({done[0]} is recorded)") from exc
                raise
        return "; ".join(done) or "nothing to record"

    def _find_order(self, term: str, match: Mapping[str, str]) -> dict[str, Any] | None:
        for o in self._request("GET", "/orders", params={"search": term, "per_page": 20}
                               ).json():
            ref = _meta(o, REFERENCE)
            if isinstance(ref, dict) and all(ref.get(k) == v for k, v in match.items()):
                found: dict[str, Any] = o
                return found
        return None

    def _order(self, p: dict[str, Any], lines: list[dict[str, Any]]) -> str:
        receipt = str(p["receipt_no"])
        found = self._find_order(receipt, {"receipt": receipt})
        if found is not None:  # created before an answer was lost: never twice
            return f"woocommerce order {found['id']}"
        catalog = self._need_catalog()
        inclusive = p["tax_mode"] == "inclusive"
        items, fees = [], []
        for ln in lines:
            qty = Decimal(str(ln["qty"]))
            item = catalog.item(str(ln["variant_id"]))
            target = self._target(item.sku) if item else None
            net, tax = Decimal(ln["net"]["text"]), Decimal(ln["tax"]["text"])
            ex_total = net - tax if inclusive else net
            tax_class = self._tax_class.get(str(ln["tax_code"]))
            if tax_class is None:
                raise PermanentError(f"no WooCommerce tax class for POS tax {ln['tax_code']}: "
                                     f"set tax_class.{ln['tax_code']}=…")
            if target is None or qty != qty.to_integral_value():
                if target is None and self._unmatched == "refuse":
                    raise PermanentError(f"no WooCommerce product with SKU {ln['sku']}: "
                                         "create it there (or set unmatched=skip), then retry")
                fees.append({"name": f"{ln['name']} × {qty}", "total": str(ex_total),
                             "tax_class": tax_class})  # no stock at WooCommerce
                continue
            ex_gross = ex_total
            if Decimal(ln["discount"]["text"]) and inclusive:  # the price before discounts
                quantum = Decimal(1).scaleb(-get_currency_precision(str(p["currency"])))
                ex_gross = (Decimal(ln["gross"]["text"]) / (1 + Decimal(str(ln["tax_rate"])))
                            ).quantize(quantum, ROUND_HALF_UP)
            elif Decimal(ln["discount"]["text"]):
                ex_gross = Decimal(ln["gross"]["text"])
            row: dict[str, Any] = {"product_id": target.parent or target.id,
                                   "quantity": int(qty), "subtotal": str(ex_gross),
                                   "total": str(ex_total), "tax_class": tax_class,
                                   "sku": target.sku}
            if target.parent:
                row["variation_id"] = target.id
            items.append(row)
        tenders = {str(pay["tender"]): pay["amount"]["text"] for pay in p["payments"]}
        body: dict[str, Any] = {
            "set_paid": True, "currency": p["currency"],
            "payment_method": "pos", "payment_method_title": "POS: " + ", ".join(
                f"{t} {a}" for t, a in tenders.items()),
            "billing": {"first_name": "POS", "last_name": receipt,
                        "company": str(p["id"])},
            "line_items": items, "fee_lines": fees,
            "meta_data": [{"key": REFERENCE, "value": {"receipt": receipt,
                                                       "sale": str(p["id"])}},
                          {"key": "pos_payments", "value": tenders}]}
        order = self._request("POST", "/orders", json=body).json()
        total = Decimal(str(order.get("total") or "0"))
        pos_total = Decimal(p["total"]["text"]) if p["kind"] == "sale" else None
        if pos_total is not None and total != pos_total:
            log.warning("sync %s: WooCommerce computed %s for order %s, the POS %s (check its "
                        "tax rates)", self.name, total, order.get("id"), pos_total)
            return f"woocommerce order {order['id']} (WooCommerce total {total}, POS {pos_total})"
        return f"woocommerce order {order['id']}"

    def _refund(self, p: dict[str, Any], lines: list[dict[str, Any]]) -> str:
        sale_id = str(p.get("return_of_sale_id") or "")
        order = self._find_order(sale_id, {"sale": sale_id}) if sale_id else None
        if order is None:
            raise PermanentError(f"refund {p['receipt_no']}: the original sale is not at "
                                 "WooCommerce as an order (sold before the connector was "
                                 "added?): refund it there by hand, then skip this one")
        refunds = self._request("GET", f"/orders/{order['id']}/refunds").json()
        parts: dict[bool, list[dict[str, Any]]] = defaultdict(list)
        for ln in lines:
            parts[bool(ln.get("restock", True))].append(ln)
        done = []
        for restock, group in sorted(parts.items()):
            part = "restock" if restock else "keep"
            ref = {"receipt": str(p["receipt_no"]), "part": part}
            if any(_meta(r, REFERENCE) == ref for r in refunds):
                done.append(f"{part} refund already there")
                continue
            used: set[int] = set()
            items = []
            amount = Decimal(0)
            for ln in group:
                qty = -int(Decimal(str(ln["qty"])))
                total = -Decimal(ln["total"]["text"])
                amount += total
                woo = next((w for w in order["line_items"] if w.get("sku") == ln["sku"]
                            and int(w["id"]) not in used), None)
                if woo is None:
                    continue  # sold as a fee (not a WooCommerce product): money only
                used.add(int(woo["id"]))
                items.append({"id": int(woo["id"]), "quantity": qty if restock else 0,
                              "refund_total": str(-Decimal(ln["net"]["text"]) + (
                                  Decimal(ln["tax"]["text"]) if p["tax_mode"] == "inclusive"
                                  else Decimal(0)))})
            r = self._request("POST", f"/orders/{order['id']}/refunds", json={
                "amount": str(amount), "reason": f"POS refund {p['receipt_no']}",
                "api_refund": False, "api_restock": restock, "line_items": items,
                "meta_data": [{"key": REFERENCE, "value": ref}]}).json()
            done.append(f"refund {r.get('id')} of order {order['id']}")
        return ", ".join(done)

    # --- inbound ------------------------------------------------------------------

    def system_of_record(self, data_type: str) -> str:
        return self._sor.get(data_type, POS)

    def pull(self, cursor: str | None) -> tuple[list[InboundChange], str | None]:
        currency, _ = self._need_catalog().facts()
        places = get_currency_precision(currency)
        params = {}
        if cursor:
            since = datetime.fromisoformat(cursor) - OVERLAP
            params["modified_after"] = since.strftime("%Y-%m-%dT%H:%M:%S")
        rows = self._pages("/products", params, max_wait=30)
        self._targets()
        for pid in self._variable:
            rows += self._pages(f"/products/{pid}/variations", params, max_wait=30)
        latest = cursor or ""
        changes: list[InboundChange] = []
        owns_stock = self._sor["stock"] != POS
        for r in rows:
            latest = max(latest, str(r.get("date_modified_gmt") or ""))
            sku = str(r.get("sku") or "")
            if not sku or r.get("type") == "variable":
                continue
            ref = f"woocommerce {r['id']} at {r.get('date_modified_gmt')}"
            changes.append(InboundChange("name", sku, str(r["name"]), ref))
            changes.append(InboundChange("active", sku, r.get("status") == "publish", ref))
            if r.get("price") not in (None, ""):
                minor = int((Decimal(str(r["price"])) * 10 ** places).to_integral_value())
                changes.append(InboundChange("price", sku, minor, ref, currency))
            if owns_stock and r.get("stock_quantity") is not None:
                changes.append(InboundChange("stock_count", sku, str(r["stock_quantity"]), ref,
                                             location=self._location_code))
        return changes, latest or None

    def webhook(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """None for a wrong signature, ``duplicate`` for a delivery seen before, else the
        topic (the listener then pulls)."""
        h = {k.lower(): v for k, v in headers.items()}
        if not self._hook_secret:
            return None
        expected = base64.b64encode(hmac.new(self._hook_secret.encode(), body,
                                             hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected.encode(),
                                   h.get("x-wc-webhook-signature", "").encode()):
            return None
        delivery = h.get("x-wc-webhook-delivery-id", "")
        with self._lock:
            if delivery and delivery in self._deliveries:
                return DUPLICATE
            if delivery:
                self._deliveries[delivery] = None
                while len(self._deliveries) > 10_000:
                    self._deliveries.popitem(last=False)
        return h.get("x-wc-webhook-topic") or "?"

    # --- checks -------------------------------------------------------------------

    def test(self) -> str:
        index = self._targets(refresh=True)
        head = f"{self._base}{API} answered: {len(index)} products and variations with a SKU"
        if self._catalog is None:
            return head
        report = self.mapping()
        problems = report.unmapped(self._unmatched)
        return "\n".join([head, *report.lines()] + (
            [f"unmapped: {', '.join(problems)}"] if problems else ["mapping complete"]))

    def close(self) -> None:
        self._client.close()


def _message(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:200]
    if isinstance(body, dict):
        return f"{body.get('message')} ({body.get('code')})"
    return str(body)[:200]


def _meta(row: dict[str, Any], key: str) -> Any:
    return next((m.get("value") for m in row.get("meta_data") or [] if m.get("key") == key),
                None)


def _record(row: dict[str, Any]) -> list[str]:
    value = _meta(row, RECORD)
    return [str(e) for e in (value or {}).get("events", [])] if isinstance(value, dict) else []
