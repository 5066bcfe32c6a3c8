"""A stateful local fake of the WooCommerce REST API v3 (``/wp-json/wc/v3``), on loopback.

Why: WooCommerce (PHP, WordPress, MySQL) cannot be installed here, and what makes the
connector safe (orders found by their POS reference before one is created again, stock
moved by WooCommerce's own order handling, a serial read-modify-write for the rest)
only shows against a backend that keeps state and answers like WooCommerce.

Every request is validated with openapi-core against the community OpenAPI file
(tests/fakes/specs, wtx-labs; WooCommerce publishes no official spec): one that does
not validate gets WooCommerce's ``rest_invalid_param`` 400 and lands in
``violations``. The community file has gaps: it has no refunds route (WooCommerce's
``/orders/<id>/refunds``), which is checked here against the properties WooCommerce
documents for it (``REFUND_SCHEMA``) and listed in ``unspecified``, and it declares
meta values as objects (WooCommerce takes any JSON; the connector sends objects).

Documented behaviour it follows:

* auth: consumer key and secret over HTTP Basic; otherwise 401
  ``woocommerce_rest_authentication_error``; errors as ``{"code", "message",
  "data": {"status"}}``;
* pagination: ``page``, ``per_page`` ≤ 100 (else 400), ``X-WP-Total``,
  ``X-WP-TotalPages`` and a ``Link`` header with ``rel="next"``/``"prev"``;
* batch endpoints (``products/batch``, ``products/<id>/variations/batch``) take at most
  100 items in all, else 413 ``rest_request_entity_too_large``;
* orders: ``set_paid: true`` marks the order paid (``processing``) and reduces the stock
  of its items with managed stock (an atomic decrement, as WooCommerce's own
  ``wc_update_product_stock`` does since 4.1); taxes are calculated from the tax class
  of each line (line ``total`` × the class's rate, rounded per line); ``search``
  matches billing names and email and the names of order items, as WooCommerce's order
  search does (not meta data); refunds with ``api_restock`` put stock back;
* ``stock_quantity`` writes are absolute (no delta endpoint exists);
* a rate limit in the manner of WooCommerce's Store API limiter (a fixed window of
  ``limit`` requests per ``window_s``): ``RateLimit-Limit``, ``RateLimit-Remaining``,
  ``RateLimit-Reset`` (a Unix time) on every answer, 429 with ``Retry-After`` past it.
  REST v3 itself has none; hosts and firewalls add one like it;
* webhooks signed like WooCommerce: ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256 of
  the raw body with the webhook's secret, ``X-WC-Webhook-Topic``, ``-Resource``,
  ``-Event``, ``-ID``, ``-Delivery-ID``, ``-Source``.

Faults: ``drop`` (``"POST /orders"``-style keys -> n): the next n such requests commit,
then the connection closes without an answer. ``web_order`` moves stock the way a
shopper's order does, and can run inside the connector's read and write (``race``).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import itertools
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest

SPEC = Path(__file__).parent / "specs" / "woocommerce_v3_openapi.unofficial-wtx-labs.yml.gz"
SPEC_HOST = "https://example-woocommerce-shop.com"  # the spec's server
BASE = "/wp-json/wc/v3"
MAX_PAGE = 100
MAX_BATCH = 100

# WooCommerce's documented refund properties (woocommerce.github.io/woocommerce-rest-api-
# docs, "Order refunds"); the community spec lacks the route.
REFUND_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "amount": {"type": "string", "pattern": r"^\d+(\.\d+)?$"},
        "reason": {"type": "string"}, "refunded_by": {"type": "integer"},
        "meta_data": {"type": "array", "items": {"type": "object", "required": ["key"]}},
        "line_items": {"type": "array", "items": {
            "type": "object", "required": ["id"], "properties": {
                "id": {"type": "integer"}, "quantity": {"type": "integer"},
                "refund_total": {"type": "string"},
                "refund_tax": {"type": "array", "items": {"type": "object"}}}}},
        "api_refund": {"type": "boolean"}, "api_restock": {"type": "boolean"}}}


@cache
def api() -> OpenAPI:
    spec = yaml.safe_load(gzip.decompress(SPEC.read_bytes()))
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


class WooError(Exception):
    def __init__(self, status: int, code: str, message: str,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.extra = status, code, extra or {}

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self), "data": {"status": self.status,
                                                                  **self.extra}}


_ids = itertools.count(101)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _money(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.01"), ROUND_HALF_UP))


@dataclass
class Item:
    """A simple product or a variation (``parent`` set)."""

    id: int
    sku: str
    name: str
    price: Decimal
    stock: int
    parent: int | None = None
    tax_class: str = ""
    status: str = "publish"
    meta: list[dict[str, Any]] = field(default_factory=list)
    modified: str = field(default_factory=_now)
    kind: str = "simple"  # simple | variable | variation
    children: list[int] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "sku": self.sku, "type": self.kind,
            "status": self.status, "price": str(self.price),
            "regular_price": str(self.price), "manage_stock": self.kind != "variable",
            "stock_quantity": self.stock if self.kind != "variable" else None,
            "tax_class": self.tax_class, "meta_data": self.meta,
            "date_modified_gmt": self.modified}
        if self.kind == "variable":
            out["variations"] = list(self.children)
        if self.parent is not None:
            out["parent_id"] = self.parent
        return out


@dataclass
class Hit:
    method: str
    path: str
    status: int
    at: float
    window_left: int  # requests left in the window when it arrived


class WooFake:
    def __init__(self, key: str, secret: str, *, currency: str = "EUR",
                 tax_rates: dict[str, str] | None = None, limit: int | None = None,
                 window_s: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        self.key, self.secret, self.currency = key, secret, currency
        self.rates = {k: Decimal(v) for k, v in (tax_rates or {"": "0.19",
                                                                "reduced-rate": "0.07"}).items()}
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._window_start, self._used = 0.0, 0
        self.lock = threading.RLock()
        self.items: dict[int, Item] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.refunds: dict[int, list[dict[str, Any]]] = {}
        self.hits: list[Hit] = []
        self.violations: list[str] = []
        self.unspecified: list[str] = []
        self.drop: dict[str, int] = {}
        self.dropped = 0
        self.race: Callable[[], None] | None = None  # runs between a GET and the next write
        self.url = ""
        self.webhook_secret = "woo-webhook-secret"
        self.deliveries: list[tuple[str, int]] = []

    # --- seeding and the shop's own changes ---------------------------------------------
    def add_simple(self, name: str, sku: str, price: str, stock: int,
                   tax_class: str = "") -> Item:
        with self.lock:
            it = Item(next(_ids), sku, name, Decimal(price), stock, tax_class=tax_class)
            self.items[it.id] = it
            return it

    def add_variable(self, name: str, variations: list[tuple[str, str, str, int]],
                     tax_class: str = "") -> Item:
        """``variations``: (variation name, sku, price, stock)."""
        with self.lock:
            parent = Item(next(_ids), "", name, Decimal(0), 0, kind="variable",
                          tax_class=tax_class)
            self.items[parent.id] = parent
            for vname, sku, price, stock in variations:
                v = Item(next(_ids), sku, vname, Decimal(price), stock, parent=parent.id,
                         kind="variation", tax_class=tax_class)
                self.items[v.id] = v
                parent.children.append(v.id)
            return parent

    def by_sku(self, sku: str) -> Item:
        return next(i for i in self.items.values() if i.sku == sku)

    def stock(self, sku: str) -> int:
        with self.lock:
            return self.by_sku(sku).stock

    def stocks(self, skus: list[str]) -> dict[str, int]:
        return {s: self.stock(s) for s in skus}

    def web_order(self, sku: str, qty: int) -> None:
        """A shopper's order: WooCommerce decrements the stock itself, atomically."""
        with self.lock:
            it = self.by_sku(sku)
            it.stock -= qty
            it.modified = _now()

    def set_price(self, sku: str, price: str) -> None:
        with self.lock:
            it = self.by_sku(sku)
            it.price = Decimal(price)
            it.modified = _now()

    # --- one request ---------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        parts = urlsplit(h.path)
        path = parts.path
        query = dict(parse_qsl(parts.query))
        headers: dict[str, str] = {}
        status = 200
        try:
            with self.lock:
                left = self._rate(headers)
            if not path.startswith(BASE + "/"):
                raise WooError(404, "rest_no_route", "No route was found matching the URL "
                                                     "and request method.")
            self._auth(h)
            route = path[len(BASE):]
            data = json.loads(body) if body else None
            self._validate(method, route, query, body, h.headers.get("Content-Type"))
            with self.lock:
                status, answer, extra = self._route(method, route, query, data)
                headers.update(extra)
                lose = self._lose(method, route)
        except WooError as e:
            status, answer, lose = e.status, e.body(), False
            left = getattr(self, "_left", 0)
        except ValueError:
            status, answer, lose = 400, WooError(400, "rest_invalid_json",
                                                 "Invalid JSON body passed.").body(), False
            left = 0
        with self.lock:
            self.hits.append(Hit(method, path, status, time.monotonic(), left))
        if lose:  # committed; the answer never reaches the sender
            h.close_connection = True
            return
        raw = json.dumps(answer).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        h.wfile.write(raw)

    def _rate(self, headers: dict[str, str]) -> int:
        if self.limit is None:
            self._left = 1_000_000
            return self._left
        now = self.clock()
        if now >= self._window_start + self.window_s:
            self._window_start, self._used = now, 0
        reset = self._window_start + self.window_s
        left = self.limit - self._used
        self._left = left
        headers.update({"RateLimit-Limit": str(self.limit),
                        "RateLimit-Reset": str(math.ceil(reset))})
        if left <= 0:
            headers["RateLimit-Remaining"] = "0"
            headers["Retry-After"] = str(max(1, math.ceil(reset - now)))
            raise _Limited(headers)
        self._used += 1
        headers["RateLimit-Remaining"] = str(left - 1)
        return left

    def _auth(self, h: BaseHTTPRequestHandler) -> None:
        given = h.headers.get("Authorization") or ""
        ok = False
        if given.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(given[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                user = pw = ""
            ok = hmac.compare_digest(user, self.key) and hmac.compare_digest(pw, self.secret)
        if not ok:
            raise WooError(401, "woocommerce_rest_authentication_error",
                           "Consumer key is invalid." if given else
                           "Sorry, you cannot list resources.")

    def _validate(self, method: str, route: str, query: dict[str, str], body: bytes,
                  content_type: str | None) -> None:
        if re.fullmatch(r"/orders/\d+/refunds", route):
            self.unspecified.append(f"{method} {route}")
            if method == "POST":
                try:
                    jsonschema.validate(json.loads(body or b"{}"), REFUND_SCHEMA)
                except jsonschema.ValidationError as exc:
                    self.violations.append(f"{method} {route}: {exc.message}")
                    raise WooError(400, "rest_invalid_param", f"Invalid parameter(s): "
                                                              f"{exc.message}") from exc
            return
        req = MockRequest(SPEC_HOST, method.lower(), BASE + route, args=query, data=body,
                          headers={"Authorization": "Basic x",
                                   "Content-Type": content_type or "application/json"},
                          content_type=content_type or "application/json")
        try:
            api().validate_request(req)
        except Exception as exc:  # openapi-core's validation errors
            cause = exc.__cause__ or exc
            msg = f"{method} {route}: {type(exc).__name__}: {str(cause)[:300]}"
            self.violations.append(msg)
            raise WooError(400, "rest_invalid_param", f"Invalid parameter(s): "
                                                      f"{str(cause)[:200]}") from exc

    def _lose(self, method: str, route: str) -> bool:
        key = method + " " + re.sub(r"/\d+", "/N", route)
        if self.drop.get(key, 0) > 0:
            self.drop[key] -= 1
            self.dropped += 1
            return True
        return False

    # --- routes --------------------------------------------------------------------------
    def _route(self, method: str, route: str, q: dict[str, str],
               data: Any) -> tuple[int, Any, dict[str, str]]:
        m = re.fullmatch(r"/products(?:/(\d+))?(?:/variations(?:/(\d+))?)?(/batch)?", route)
        if m:
            pid = int(m.group(1)) if m and m.group(1) else None
            vid = int(m.group(2)) if m and m.group(2) else None
            batch = bool(m and m.group(3))
            variations = "/variations" in route
            if method == "GET" and vid is None and (pid is None or variations):
                pool = [i for i in self.items.values() if
                        (i.parent == pid if variations else i.parent is None)]
                return self._list(pool, q, key=lambda i: i.id)
            if method == "GET":
                return 200, self._item(vid or pid).json(), {}
            if batch and method == "POST":
                return 200, self._batch(data or {}, pid if variations else None), {}
            if method in ("PUT", "POST") and (vid or (pid and not variations)):
                return 200, self._update(self._item(vid or pid), data or {}).json(), {}
        if route == "/orders" and method == "GET":
            term = (q.get("search") or "").lower()
            pool = [o for o in self.orders.values() if not term or term in o["_search"]]
            return self._list(pool, q, key=lambda o: o["id"], dump=_public)
        if route == "/orders" and method == "POST":
            return 201, _public(self._order(data or {})), {}
        m = re.fullmatch(r"/orders/(\d+)(/refunds)?", route)
        if m:
            order = self.orders.get(int(m.group(1)))
            if order is None:
                raise WooError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            if m.group(2) and method == "GET":
                return 200, self.refunds.get(order["id"], []), {}
            if m.group(2) and method == "POST":
                return 201, self._refund(order, data or {}), {}
            if method == "GET":
                return 200, _public(order), {}
        raise WooError(404, "rest_no_route", "No route was found matching the URL and "
                                             "request method.")

    def _list(self, pool: list[Any], q: dict[str, str], key: Callable[[Any], Any],
              dump: Callable[[Any], Any] | None = None) -> tuple[int, Any, dict[str, str]]:
        per = int(q.get("per_page", 10))
        page = int(q.get("page", 1))
        if not 1 <= per <= MAX_PAGE:
            raise WooError(400, "rest_invalid_param", "Invalid parameter(s): per_page",
                           {"params": {"per_page": f"per_page must be between 1 (inclusive) "
                                                   f"and {MAX_PAGE} (inclusive)"}})
        if q.get("include"):
            want = {int(x) for x in q["include"].split(",") if x}
            pool = [p for p in pool if key(p) in want]
        if q.get("sku"):
            pool = [p for p in pool if getattr(p, "sku", None) == q["sku"]]
        if q.get("modified_after"):
            pool = [p for p in pool if getattr(p, "modified", "") > q["modified_after"]]
        pool = sorted(pool, key=key)
        total = len(pool)
        pages = max(1, math.ceil(total / per))
        chunk = pool[(page - 1) * per: page * per]
        links = []
        base = f"{self.url}{BASE}"
        if page < pages:
            links.append(f'<{base}?page={page + 1}&per_page={per}>; rel="next"')
        if page > 1:
            links.append(f'<{base}?page={page - 1}&per_page={per}>; rel="prev"')
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        out = [dump(x) if dump else x.json() for x in chunk]
        if self.race is not None:
            self.race()
            self.race = None
        return 200, out, headers

    def _item(self, item_id: int | None) -> Item:
        it = self.items.get(item_id or 0)
        if it is None:
            raise WooError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        return it

    def _update(self, it: Item, data: dict[str, Any]) -> Item:
        if "stock_quantity" in data:
            it.stock = int(data["stock_quantity"])
        if "meta_data" in data:
            for m in data["meta_data"]:
                it.meta = [x for x in it.meta if x["key"] != m["key"]] + [
                    {"id": next(_ids), "key": m["key"], "value": m.get("value")}]
        if "regular_price" in data:
            it.price = Decimal(str(data["regular_price"]))
        it.modified = _now()
        return it

    def _batch(self, data: dict[str, Any], parent: int | None) -> dict[str, Any]:
        n = sum(len(data.get(k) or []) for k in ("create", "update", "delete"))
        if n > MAX_BATCH:
            raise WooError(413, "rest_request_entity_too_large",
                           f"Unable to accept more than {MAX_BATCH} items for this request.")
        out: dict[str, Any] = {"update": []}
        for u in data.get("update") or []:
            it = self.items.get(int(u.get("id") or 0))
            if it is None or (parent is not None and it.parent != parent):
                out["update"].append({"id": u.get("id"), "error": WooError(
                    400, "woocommerce_rest_product_invalid_id", "Invalid ID.").body()})
                continue
            out["update"].append(self._update(it, u).json())
        return out

    def _order(self, data: dict[str, Any]) -> dict[str, Any]:
        lines, total_tax, total, discount = [], Decimal(0), Decimal(0), Decimal(0)
        for ln in data.get("line_items") or []:
            it = self.items.get(int(ln.get("variation_id") or ln.get("product_id") or 0))
            if it is None:
                raise WooError(400, "woocommerce_rest_invalid_product_id",
                               "Product ID provided is not associated with the order.")
            line_total = Decimal(str(ln.get("total") or "0"))
            subtotal = Decimal(str(ln.get("subtotal") or line_total))
            rate = self.rates.get(ln.get("tax_class", it.tax_class) or "", Decimal(0))
            tax = (line_total * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            total_tax += tax
            total += line_total
            discount += subtotal - line_total
            lines.append({"id": next(_ids), "product_id": it.parent or it.id,
                          "variation_id": it.id if it.parent else 0, "sku": it.sku,
                          "name": it.name, "quantity": int(ln["quantity"]),
                          "subtotal": _money(subtotal), "total": _money(line_total),
                          "total_tax": _money(tax), "tax_class": ln.get("tax_class", "")})
        paid = bool(data.get("set_paid"))
        oid = next(_ids)
        billing = data.get("billing") or {}
        order = {
            "id": oid, "number": str(oid), "status": "processing" if paid else
            data.get("status", "pending"), "currency": data.get("currency", self.currency),
            "date_created_gmt": _now(), "date_paid_gmt": _now() if paid else None,
            "set_paid": paid, "billing": billing, "line_items": lines,
            "payment_method": data.get("payment_method", ""),
            "payment_method_title": data.get("payment_method_title", ""),
            "meta_data": [{"id": next(_ids), **m} for m in data.get("meta_data") or []],
            "discount_total": _money(discount), "total_tax": _money(total_tax),
            "total": _money(total + total_tax), "created_via": "rest-api",
            "_search": " ".join([billing.get(k, "") for k in (
                "first_name", "last_name", "company", "email")] + [ln["name"] for ln in lines]
            ).lower()}
        if paid:  # payment_complete(): reduce the stock of each item, atomically
            for ln in lines:
                it = self.items[ln["variation_id"] or ln["product_id"]]
                it.stock -= ln["quantity"]
                it.modified = _now()
        self.orders[oid] = order
        return order

    def _refund(self, order: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        by_id = {ln["id"]: ln for ln in order["line_items"]}
        refund = {"id": next(_ids), "date_created_gmt": _now(), "amount": data.get("amount"),
                  "reason": data.get("reason", ""), "refunded_payment": False,
                  "meta_data": [{"id": next(_ids), **m} for m in data.get("meta_data") or []],
                  "line_items": [], "api_restock": data.get("api_restock", True)}
        for ln in data.get("line_items") or []:
            line = by_id.get(int(ln["id"]))
            if line is None:
                raise WooError(400, "woocommerce_rest_invalid_order_item",
                               "Invalid order item ID.")
            qty = int(ln.get("quantity") or 0)
            refund["line_items"].append({"id": line["id"], "sku": line["sku"],
                                         "quantity": -qty,
                                         "total": "-" + str(ln.get("refund_total", "0"))})
            if qty and data.get("api_restock", True):
                it = self.items[line["variation_id"] or line["product_id"]]
                it.stock += qty
                it.modified = _now()
        self.refunds.setdefault(order["id"], []).append(refund)
        return refund

    # --- webhooks ------------------------------------------------------------------------
    def sign(self, body: bytes, secret: str | None = None) -> str:
        return base64.b64encode(hmac.new((secret or self.webhook_secret).encode(), body,
                                         hashlib.sha256).digest()).decode()

    def send_webhook(self, url: str, topic: str, payload: dict[str, Any],
                     delivery: int | None = None, secret: str | None = None) -> httpx.Response:
        body = json.dumps(payload).encode()
        resource, _, event = topic.partition(".")
        delivery = delivery or next(_ids)
        r = httpx.post(url, content=body, timeout=10, headers={
            "Content-Type": "application/json", "X-WC-Webhook-Source": f"{self.url}/",
            "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event, "X-WC-Webhook-ID": "7",
            "X-WC-Webhook-Delivery-ID": str(delivery),
            "X-WC-Webhook-Signature": self.sign(body, secret)})
        self.deliveries.append((topic, r.status_code))
        return r


class _Limited(WooError):
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__(429, "woocommerce_rest_rate_limited", "Too many requests. Please "
                                                                "wait and try again.")


def _public(order: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in order.items() if not k.startswith("_")}


@contextmanager
def serving(fake: WooFake) -> Iterator[WooFake]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            fake.handle(self, "GET")

        def do_POST(self) -> None:
            fake.handle(self, "POST")

        def do_PUT(self) -> None:
            fake.handle(self, "PUT")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="woo-fake")
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
