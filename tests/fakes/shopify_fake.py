"""A stateful local fake of the Shopify Admin GraphQL API (2026-07), on loopback.

Why: Shopify cannot run here, and what makes the connector safe (idempotent inventory
mutations, the cost bucket, a compare-and-swap on counts, orders looked up before a
retry) only shows against a backend that keeps state and fails the way Shopify does.

Every request is parsed and validated against Shopify's own introspection schema
(graphql-core: ``build_client_schema(..., assume_valid=True)`` then ``validate``); a
document the schema does not allow is answered with GraphQL errors, as Shopify does, and
is recorded in ``violations`` so a test can assert the connector never drifted. Valid
documents are then *executed* against that same schema with resolvers over the fake's
state, so variables are coerced by the real input types (a wrong enum or a missing
required field fails like at Shopify).

Documented behaviour it follows:

* auth: ``X-Shopify-Access-Token``; otherwise HTTP 401 ``{"errors": "[API] Invalid API
  key or access token ..."}``; only ``/admin/api/2026-07/graphql.json`` exists;
* the leaky bucket of query cost points: the requested cost (Shopify's published rules:
  objects 1, connections 2 + ``first`` × their node's cost, mutations 10) is taken
  before execution, the difference to the actual cost refunded; a request costing more
  than is available gets ``{"errors": [{"message": "Throttled", "extensions": {"code":
  "THROTTLED"}}]}`` and nothing runs; every answer carries ``extensions.cost`` with
  ``throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}``;
* ``@idempotent(key:)``: required on ``inventoryAdjustQuantities`` and
  ``inventorySetQuantities``; the same key with the same input replays the first
  result without running again; another input gives ``IDEMPOTENCY_KEY_PARAMETER_MISMATCH``;
* ``changeFromQuantity`` must be given (null allowed) on every change; a set whose
  compare value differs fails whole with ``CHANGE_FROM_QUANTITY_STALE``;
  ``ledgerDocumentUri`` is required except for ``available`` and may not be
  ``gid://shopify/...``;
* ``orderCreate`` (not idempotent) with ``options.inventoryBehaviour`` (default BYPASS:
  the order does not move stock; the DECREMENT_* values do), orders searchable by
  ``source_identifier``, ``name`` and ``tag``;
* cursor pagination (opaque cursors, ``pageInfo``), ``first`` ≤ 250, and the search
  syntax ``updated_at:>'…'``, ``sku:…``, ``barcode:…`` with ``OR``;
* webhooks signed like Shopify (``X-Shopify-Hmac-Sha256`` = base64 HMAC-SHA256 of the
  raw body with the app's client secret, ``X-Shopify-Topic``, ``X-Shopify-Event-Id``,
  ``X-Shopify-Webhook-Id``, ``X-Shopify-Shop-Domain``, ``X-Shopify-API-Version``).

Faults for tests: ``drop`` (root field -> n): the next n such requests commit, then the
connection closes without an answer; ``drain()`` empties the bucket (another app of the
shop spent it).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    build_client_schema,
    execute,
    get_named_type,
    parse,
    validate,
    value_from_ast_untyped,
)

VERSION = "2026-07"
SPEC = Path(__file__).parent / "specs" / f"shopify_admin_{VERSION}.introspection.json.gz"
PATH = f"/admin/api/{VERSION}/graphql.json"
IDEMPOTENT_REQUIRED = ("inventoryAdjustQuantities", "inventorySetQuantities", "refundCreate")
MAX_PAGE = 250
INVALID_TOKEN = ("[API] Invalid API key or access token (unrecognized login or wrong "
                 "password)")


@cache
def schema() -> GraphQLSchema:
    data = json.loads(gzip.decompress(SPEC.read_bytes()))
    return build_client_schema(data.get("data", data), assume_valid=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class UserError(Exception):
    def __init__(self, code: str, message: str, path: list[str] | None = None) -> None:
        super().__init__(message)
        self.code, self.path = code, path or ["input"]


# --- the search syntax -------------------------------------------------------------

_TERM = re.compile(r"""(\w+):(>=|<=|>|<)?('([^']*)'|"([^"]*)"|(\S+))""")


_TOKEN = re.compile(r"""\w+:(?:>=|<=|>|<)?(?:'[^']*'|"[^"]*"|\S+)|\bOR\b|\bAND\b""")


def _matches(query: str | None, fields: dict[str, Any]) -> bool:
    """``a:x b:>'t'`` (AND), ``sku:A OR sku:B`` (OR); unknown fields match nothing."""
    if not query:
        return True
    groups: list[list[str]] = []
    join = False
    for tok in _TOKEN.findall(query):
        if tok == "OR":
            join = True
        elif tok != "AND":
            if join and groups:
                groups[-1].append(tok)
            else:
                groups.append([tok])
            join = False
    return all(any(_term(t, fields) for t in g) for g in groups)


def _term(text: str, fields: dict[str, Any]) -> bool:
    m = _TERM.fullmatch(text.strip())
    if not m:
        raise GraphQLError(f"unsupported search term {text!r}")
    name, op, value = m.group(1), m.group(2) or "", next(
        g for g in (m.group(4), m.group(5), m.group(6)) if g is not None)
    if name not in fields:
        return False
    have = fields[name]
    if isinstance(have, list):  # tags
        return value.lower() in (str(h).lower() for h in have)
    if isinstance(have, datetime):
        want: Any = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        have, want = str(have).lower(), value.lower()
    return {"": have == want, ">": have > want, ">=": have >= want, "<": have < want,
            "<=": have <= want}[op]


def _connection(items: list[Any], first: int | None, after: str | None,
                key: Callable[[Any], tuple[Any, ...]]) -> dict[str, Any]:
    if first is None or first < 1:
        raise GraphQLError("you must provide one of first or last")
    if first > MAX_PAGE:
        raise GraphQLError(f"first: the maximum page size is {MAX_PAGE}")
    ordered = sorted(items, key=key)
    if after:
        mark = json.loads(base64.b64decode(after))
        ordered = [i for i in ordered if _jsonable(key(i)) > mark]
    page = ordered[:first]
    cursors = [base64.b64encode(json.dumps(_jsonable(key(i))).encode()).decode()
               for i in page]
    return {"nodes": page, "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, page,
                                                                                strict=True)],
            "pageInfo": {"hasNextPage": len(ordered) > first, "hasPreviousPage": bool(after),
                         "startCursor": cursors[0] if cursors else None,
                         "endCursor": cursors[-1] if cursors else None}}


def _plain(value: Any) -> str:
    """Shopify's wire forms: DateTime as ISO 8601 UTC, Decimal and Money as strings."""
    return _iso(value) if isinstance(value, datetime) else str(value)


def _jsonable(k: tuple[Any, ...]) -> list[Any]:
    return [_iso(x) if isinstance(x, datetime) else x for x in k]


# --- the state, as objects the default resolver reads -------------------------------

_ids = itertools.count(1001)


def _gid(kind: str) -> str:
    return f"gid://shopify/{kind}/{next(_ids)}"


def _money(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": str(amount), "currencyCode": currency}


def _bag(amount: Decimal, currency: str) -> dict[str, Any]:
    m = _money(amount, currency)
    return {"shopMoney": m, "presentmentMoney": m}


@dataclass
class Location:
    id: str
    name: str
    isActive: bool = True
    fake: Any = None

    def inventoryLevels(self, info: Any, first: int | None = None, after: str | None = None,
                        query: str | None = None, **_: Any) -> dict[str, Any]:
        found = [lv for (_, loc), lv in self.fake.levels.items() if loc == self.id
                 and _matches(query, {"updated_at": lv.updatedAt,
                                      "inventory_item_id": lv.item.id.rsplit("/", 1)[1]})]
        return _connection(found, first, after, lambda lv: (int(lv.item.id.rsplit("/")[-1]),))


@dataclass
class Level:
    fake: ShopifyFake
    item: InventoryItem
    location: Location
    available: int
    updatedAt: datetime = field(default_factory=_now)

    @property
    def id(self) -> str:
        return f"gid://shopify/InventoryLevel/{self.item.id.rsplit('/', 1)[1]}?inventory_item_" \
               f"id={self.location.id.rsplit('/', 1)[1]}"

    def quantities(self, info: Any, names: list[str]) -> list[dict[str, Any]]:
        return [{"id": f"{self.id}&name={n}", "name": n, "updatedAt": self.updatedAt,
                 "quantity": self.available if n in ("available", "on_hand") else 0}
                for n in names]


@dataclass
class InventoryItem:
    fake: ShopifyFake
    id: str
    sku: str
    variant: Variant | None = None
    tracked: bool = True
    updatedAt: datetime = field(default_factory=_now)

    def levels(self) -> list[Level]:
        return [lv for (item, _), lv in self.fake.levels.items() if item == self.id]

    def inventoryLevels(self, info: Any, first: int | None = None, after: str | None = None,
                        **_: Any) -> dict[str, Any]:
        return _connection(self.levels(), first, after, lambda lv: (lv.location.id,))

    def inventoryLevel(self, info: Any, locationId: str, **_: Any) -> Level | None:
        return self.fake.levels.get((self.id, locationId))


@dataclass
class Variant:
    fake: ShopifyFake
    id: str
    sku: str
    barcode: str | None
    price: Decimal
    title: str
    product: Product
    inventoryItem: InventoryItem
    updatedAt: datetime = field(default_factory=_now)
    createdAt: datetime = field(default_factory=_now)

    @property
    def displayName(self) -> str:
        return f"{self.product.title} - {self.title}"

    def search(self) -> dict[str, Any]:
        return {"sku": self.sku, "barcode": self.barcode or "", "updated_at": self.updatedAt,
                "id": self.id.rsplit("/", 1)[1], "product_id": self.product.id.rsplit("/", 1)[1]}


@dataclass
class Product:
    fake: ShopifyFake
    id: str
    title: str
    status: str = "ACTIVE"
    updatedAt: datetime = field(default_factory=_now)
    createdAt: datetime = field(default_factory=_now)
    variant_list: list[Variant] = field(default_factory=list)

    def variants(self, info: Any, first: int | None = None, after: str | None = None,
                 **_: Any) -> dict[str, Any]:
        return _connection(self.variant_list, first, after, lambda v: (int(v.id.rsplit("/")[-1]),))

    def search(self) -> dict[str, Any]:
        return {"updated_at": self.updatedAt, "title": self.title, "status": self.status,
                "sku": " ".join(v.sku for v in self.variant_list),
                "id": self.id.rsplit("/", 1)[1]}


# --- cost ------------------------------------------------------------------------------


def _arg(node: FieldNode, name: str, variables: dict[str, Any]) -> Any:
    for a in node.arguments or ():
        if a.name.value == name:
            return value_from_ast_untyped(a.value, variables)
    return None


def query_cost(op: OperationDefinitionNode, variables: dict[str, Any]) -> int:
    """Shopify's published calculation, simplified: scalars and enums 0, objects 1,
    connections 2 + first × the cost of one node, mutations 10 plus what they return."""
    s = schema()
    root = s.mutation_type if op.operation.value == "mutation" else s.query_type
    assert root is not None

    def cost(selections: Any, parent: GraphQLObjectType) -> int:
        total = 0
        for sel in selections.selections:
            if not isinstance(sel, FieldNode) or sel.name.value.startswith("__"):
                continue
            fdef = parent.fields.get(sel.name.value)
            if fdef is None:
                continue
            t = get_named_type(fdef.type)
            if not isinstance(t, GraphQLObjectType) or sel.selection_set is None:
                continue
            inner = cost(sel.selection_set, t)
            if t.name.endswith("Connection"):
                n = _arg(sel, "first", variables) or _arg(sel, "last", variables) or 1
                total += 2 + int(n) * max(1, inner - 1)
            elif _is_list(fdef.type):
                total += 1 + inner
            else:
                total += 1 + inner
        return total

    base = cost(op.selection_set, root)
    return base + 10 * len(op.selection_set.selections) if op.operation.value == "mutation" \
        else max(1, base)


def _is_list(t: Any) -> bool:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


# --- the fake --------------------------------------------------------------------------


@dataclass
class Request:
    fields: tuple[str, ...]
    requested: int
    available: float  # in the bucket when it arrived
    throttled: bool
    at: float
    ran: bool = True  # False: refused before anything ran (throttled, too expensive)


class ShopifyFake:
    def __init__(self, token: str, client_secret: str, *, currency: str = "EUR",
                 taxes_included: bool = True, bucket: int = 1000, restore_rate: float = 100.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token, self.client_secret = token, client_secret
        self.currency, self.taxes_included = currency, taxes_included
        self.maximum, self.restore_rate, self.clock = float(bucket), restore_rate, clock
        self._available, self._filled_at = float(bucket), clock()
        self.lock = threading.RLock()
        self.locations: dict[str, Location] = {}
        self.products: dict[str, Product] = {}
        self.variants: dict[str, Variant] = {}
        self.items: dict[str, InventoryItem] = {}
        self.levels: dict[tuple[str, str], Level] = {}
        self.orders: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []  # inventory adjustment groups, in order
        self.idempotency: dict[str, tuple[str, dict[str, Any]]] = {}
        self.replays = 0
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self.drop: dict[str, int] = {}
        self.dropped = 0
        self.url = ""
        self.webhook_url = ""
        self.webhooks_sent: list[tuple[str, str, int]] = []  # topic, event id, status

    # --- seeding and the shop's own changes ---------------------------------------------
    def add_location(self, name: str) -> str:
        loc = Location(_gid("Location"), name, fake=self)
        self.locations[loc.id] = loc
        return loc.id

    def location_id(self, name: str) -> str:
        return next(i for i, loc in self.locations.items() if loc.name == name)

    def add_product(self, title: str, variants: list[tuple[str, str | None, str]],
                    stock: dict[str, int] | None = None) -> Product:
        """``variants``: (sku, barcode, price as a decimal string); ``stock`` per location
        name, the same for each variant."""
        with self.lock:
            p = Product(self, _gid("Product"), title)
            for sku, barcode, price in variants:
                item = InventoryItem(self, _gid("InventoryItem"), sku)
                v = Variant(self, _gid("ProductVariant"), sku, barcode, Decimal(price),
                            "Default Title" if len(variants) == 1 else sku, p, item)
                item.variant = v
                p.variant_list.append(v)
                self.variants[v.id], self.items[item.id] = v, item
                for loc_name, qty in (stock or {}).items():
                    loc = self.locations[self.location_id(loc_name)]
                    self.levels[(item.id, loc.id)] = Level(self, item, loc, qty)
            self.products[p.id] = p
            return p

    def variant(self, sku: str) -> Variant:
        return next(v for v in self.variants.values() if v.sku == sku)

    def available(self, sku: str, location: str) -> int:
        with self.lock:
            lv = self.levels.get((self.variant(sku).inventoryItem.id, self.location_id(location)))
            return lv.available if lv else 0

    def stocks(self, skus: list[str], location: str) -> dict[str, int]:
        return {s: self.available(s, location) for s in skus}

    def web_sale(self, sku: str, location: str, qty: int) -> None:
        """Stock moved at Shopify itself (an online order): the level changes."""
        with self.lock:
            lv = self.levels[(self.variant(sku).inventoryItem.id, self.location_id(location))]
            lv.available -= qty
            lv.updatedAt = _now()

    def set_price(self, sku: str, price: str) -> None:
        with self.lock:
            v = self.variant(sku)
            v.price = Decimal(price)
            v.updatedAt = v.product.updatedAt = _now() + timedelta(seconds=1)

    def drain(self) -> None:
        """Another app of the shop spent the whole bucket."""
        with self.lock:
            self._refill()
            self._available = 0.0

    # --- the bucket --------------------------------------------------------------------
    def _refill(self) -> None:
        now = self.clock()
        self._available = min(self.maximum,
                              self._available + (now - self._filled_at) * self.restore_rate)
        self._filled_at = now

    def _status(self) -> dict[str, Any]:
        return {"maximumAvailable": self.maximum,
                "currentlyAvailable": int(self._available), "restoreRate": self.restore_rate}

    @property
    def throttled(self) -> int:
        return sum(1 for r in self.requests if r.throttled)

    # --- handling one request ----------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if h.path.split("?")[0] != PATH:
            self._answer(h, 404, {"errors": "Not Found"})
            return
        if not hmac.compare_digest(h.headers.get("X-Shopify-Access-Token") or "", self.token):
            self._answer(h, 401, {"errors": INVALID_TOKEN})
            return
        try:
            req = json.loads(body)
            query, variables = str(req["query"]), dict(req.get("variables") or {})
        except (ValueError, KeyError, TypeError):
            self._answer(h, 400, {"errors": "Bad Request: the body is not a GraphQL request"})
            return
        try:
            doc = parse(query)
        except GraphQLError as exc:
            self.violations.append(f"syntax: {exc.message}")
            self._answer(h, 200, {"errors": [exc.formatted]})
            return
        errors = validate(schema(), doc)
        if errors:
            self.violations += [e.message for e in errors]
            self._answer(h, 200, {"errors": [e.formatted for e in errors]})
            return
        ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
        op = ops[0]
        fields = tuple(s.name.value for s in op.selection_set.selections
                       if isinstance(s, FieldNode))
        requested = query_cost(op, variables)
        with self.lock:
            self._refill()
            before = self._available
            if requested > self.maximum:
                self.requests.append(Request(fields, requested, before, False, self.clock(),
                                             ran=False))
                self._answer(h, 200, {"errors": [{
                    "message": f"Query cost is {requested}, which exceeds the single query "
                               f"max cost limit ({int(self.maximum)}).",
                    "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                   "maxCost": self.maximum}}]})
                return
            if requested > self._available:
                self.requests.append(Request(fields, requested, before, True, self.clock(),
                                             ran=False))
                self._answer(h, 200, {
                    "errors": [{"message": "Throttled", "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                    "extensions": {"cost": {"requestedQueryCost": requested,
                                            "actualQueryCost": None,
                                            "throttleStatus": self._status()}}})
                return
            self._available -= requested
            self.requests.append(Request(fields, requested, before, False, self.clock()))
            answer = self._execute(doc, op, variables)
            actual = min(requested, _objects(answer.get("data")) +
                         (10 * len(fields) if op.operation.value == "mutation" else 0))
            self._available = min(self.maximum, self._available + requested - actual)
            answer["extensions"] = {"cost": {"requestedQueryCost": requested,
                                             "actualQueryCost": actual,
                                             "throttleStatus": self._status()}}
            lose = next((f for f in fields if self.drop.get(f, 0) > 0), None)
            if lose:
                self.drop[lose] -= 1
                self.dropped += 1
        if lose:  # committed; the answer never reaches the sender
            h.close_connection = True
            return
        self._answer(h, 200, answer)

    def _execute(self, doc: Any, op: OperationDefinitionNode,
                 variables: dict[str, Any]) -> dict[str, Any]:
        key = None
        for sel in op.selection_set.selections:
            if not isinstance(sel, FieldNode):
                continue
            directive = next((d for d in sel.directives or () if d.name.value == "idempotent"),
                             None)
            if directive is not None:
                key = value_from_ast_untyped(directive.arguments[0].value, variables)
                if not str(key).strip():
                    return {"errors": [{"message": "The idempotency key cannot be empty",
                                        "extensions": {"code": "BAD_REQUEST"}}]}
            elif sel.name.value in IDEMPOTENT_REQUIRED:
                self.violations.append(f"{sel.name.value} without @idempotent")
                return {"errors": [{"message": f"The @idempotent directive is required for "
                                               f"{sel.name.value} as of 2026-04",
                                    "extensions": {"code": "BAD_REQUEST"}}]}
        fingerprint = hashlib.sha256(json.dumps(
            [op.selection_set.selections[0].name.value if op.selection_set.selections else "",
             {k: v for k, v in variables.items() if v != key}], sort_keys=True,
            default=str).encode()).hexdigest()
        if key is not None and key in self.idempotency:
            seen, result = self.idempotency[key]
            if seen != fingerprint:
                return {"data": {op.selection_set.selections[0].name.value: {  # type: ignore[attr-defined]
                    "userErrors": [{"field": ["input"], "code":
                                    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", "message":
                                    "The same idempotency key cannot be used with different "
                                    "operation parameters."}]}}}
            self.replays += 1
            return json.loads(json.dumps(result))
        result = execute(schema(), doc, root_value=Root(self), variable_values=variables)
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
            self.violations += [f"execution: {e.message}" for e in result.errors]
        answer = json.loads(json.dumps(answer, default=_plain))
        if key is not None:
            self.idempotency[key] = (fingerprint, answer)
        return answer

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, default=_plain).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    # --- webhooks ------------------------------------------------------------------------
    def sign(self, body: bytes) -> str:
        return base64.b64encode(hmac.new(self.client_secret.encode(), body,
                                         hashlib.sha256).digest()).decode()

    def send_webhook(self, topic: str, payload: dict[str, Any], event_id: str | None = None,
                     secret: str | None = None, url: str | None = None) -> httpx.Response:
        body = json.dumps(payload).encode()
        event_id = event_id or f"evt-{next(_ids)}"
        mac = base64.b64encode(hmac.new((secret or self.client_secret).encode(), body,
                                        hashlib.sha256).digest()).decode()
        r = httpx.post(url or self.webhook_url, content=body, timeout=10, headers={
            "Content-Type": "application/json", "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": mac, "X-Shopify-Shop-Domain": "pos-test.myshopify.com",
            "X-Shopify-API-Version": VERSION, "X-Shopify-Webhook-Id": f"wh-{next(_ids)}",
            "X-Shopify-Event-Id": event_id, "X-Shopify-Triggered-At": _iso(_now())})
        self.webhooks_sent.append((topic, event_id, r.status_code))
        return r


class Root:
    """Root fields of the Admin API that the connector uses, over the fake's state."""

    def __init__(self, fake: ShopifyFake) -> None:
        self.f = fake

    # queries
    def shop(self, info: Any) -> dict[str, Any]:
        return {"id": "gid://shopify/Shop/1", "name": "POS test shop",
                "currencyCode": self.f.currency, "taxesIncluded": self.f.taxes_included,
                "myshopifyDomain": "pos-test.myshopify.com", "ianaTimezone": "Europe/Berlin"}

    def locations(self, info: Any, first: int | None = None, after: str | None = None,
                  **_: Any) -> dict[str, Any]:
        return _connection(list(self.f.locations.values()), first, after,
                           lambda loc: (int(loc.id.rsplit("/", 1)[1]),))

    def location(self, info: Any, id: str | None = None) -> Location | None:
        return self.f.locations.get(id or "")

    def productVariants(self, info: Any, first: int | None = None, after: str | None = None,
                        query: str | None = None, **_: Any) -> dict[str, Any]:
        found = [v for v in self.f.variants.values() if _matches(query, v.search())]
        return _connection(found, first, after, lambda v: (int(v.id.rsplit("/", 1)[1]),))

    def products(self, info: Any, first: int | None = None, after: str | None = None,
                 query: str | None = None, sortKey: str = "ID", **_: Any) -> dict[str, Any]:
        found = [p for p in self.f.products.values() if _matches(query, p.search())]
        key: Callable[[Product], tuple[Any, ...]] = (
            (lambda p: (p.updatedAt, int(p.id.rsplit("/", 1)[1]))) if sortKey == "UPDATED_AT"
            else (lambda p: (int(p.id.rsplit("/", 1)[1]),)))
        return _connection(found, first, after, key)

    def inventoryItem(self, info: Any, id: str) -> InventoryItem | None:
        return self.f.items.get(id)

    def orders(self, info: Any, first: int | None = None, after: str | None = None,
               query: str | None = None, **_: Any) -> dict[str, Any]:
        found = [o for o in self.f.orders if _matches(query, o["_search"])]
        return _connection(found, first, after, lambda o: (int(o["id"].rsplit("/", 1)[1]),))

    # mutations
    def inventoryAdjustQuantities(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        try:
            name, changes = input["name"], input["changes"]
            self._reason(input["reason"])
            self._uri(input.get("referenceDocumentUri"), "referenceDocumentUri")
            seen: set[tuple[str, str]] = set()
            levels = []
            for i, ch in enumerate(changes):
                path = ["input", "changes", str(i)]
                if "changeFromQuantity" not in ch:  # mandatory, even if null
                    raise GraphQLError(f"{'.'.join(path)}.changeFromQuantity must be given "
                                       "(null skips the compare)")
                uri = ch.get("ledgerDocumentUri")
                if name != "available" and not uri:
                    raise UserError("INVALID_QUANTITY_DOCUMENT", "ledgerDocumentUri is required "
                                    f"for {name}", [*path, "ledgerDocumentUri"])
                self._uri(uri, "ledgerDocumentUri", path)
                pair = (ch["inventoryItemId"], ch["locationId"])
                if pair in seen:
                    raise UserError("ADJUST_QUANTITIES_FAILED",
                                    "The combination of inventoryItemId and locationId must be "
                                    "unique.", path)
                seen.add(pair)
                lv = self._level(pair, path)
                cf = ch["changeFromQuantity"]
                if cf is not None and cf != lv.available:
                    raise UserError("CHANGE_FROM_QUANTITY_STALE", "The changeFromQuantity value "
                                    "does not match persisted value.",
                                    [*path, "changeFromQuantity"])
                levels.append((lv, int(ch["delta"]), uri))
            if name not in ("available", "on_hand"):
                raise UserError("INVALID_QUANTITY_NAME", f"{name!r} is not a quantity name",
                                ["input", "name"])
        except UserError as e:
            return self._errors(e)
        now = _now()
        out = []
        for lv, delta, uri in levels:
            lv.available += delta
            lv.updatedAt = now
            out.append({"name": name, "delta": delta, "quantityAfterChange": lv.available,
                        "ledgerDocumentUri": uri, "item": lv.item, "location": lv.location})
        group = {"id": _gid("InventoryAdjustmentGroup"), "createdAt": now,
                 "reason": input["reason"], "referenceDocumentUri":
                 input.get("referenceDocumentUri"), "changes": out}
        self.f.groups.append(group)
        return {"inventoryAdjustmentGroup": {**group, "changes": lambda *a, **k: out},
                "userErrors": []}

    def inventorySetQuantities(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        try:
            self._reason(input["reason"])
            self._uri(input.get("referenceDocumentUri"), "referenceDocumentUri")
            if input["name"] not in ("available", "on_hand"):
                raise UserError("INVALID_NAME", "The quantity name must be either 'available' "
                                "or 'on_hand'.", ["input", "name"])
            todo = []
            stale = []
            for i, q in enumerate(input["quantities"]):
                path = ["input", "quantities", str(i)]
                if "changeFromQuantity" not in q:  # mandatory, even if null
                    raise GraphQLError(f"{'.'.join(path)}.changeFromQuantity must be given "
                                       "(null skips the compare)")
                lv = self._level((q["inventoryItemId"], q["locationId"]), path)
                if q["quantity"] < 0:
                    raise UserError("INVALID_QUANTITY_NEGATIVE", "The quantity can't be "
                                    "negative.", [*path, "quantity"])
                cf = q["changeFromQuantity"]
                if cf is not None and cf != lv.available:
                    stale.append(UserError("CHANGE_FROM_QUANTITY_STALE", "The changeFromQuantity"
                                           " value does not match persisted value.",
                                           [*path, "changeFromQuantity"]))
                todo.append((lv, int(q["quantity"])))
            if stale:  # nothing is set when one compare fails
                return {"inventoryAdjustmentGroup": None, "userErrors": [
                    {"field": e.path, "message": str(e), "code": e.code} for e in stale]}
        except UserError as e:
            return self._errors(e)
        now = _now()
        out = []
        for lv, qty in todo:
            out.append({"name": input["name"], "delta": qty - lv.available,
                        "quantityAfterChange": qty, "ledgerDocumentUri": None,
                        "item": lv.item, "location": lv.location})
            lv.available, lv.updatedAt = qty, now
        group = {"id": _gid("InventoryAdjustmentGroup"), "createdAt": now,
                 "reason": input["reason"], "referenceDocumentUri":
                 input.get("referenceDocumentUri"), "changes": out}
        self.f.groups.append(group)
        return {"inventoryAdjustmentGroup": {**group, "changes": lambda *a, **k: out},
                "userErrors": []}

    def orderCreate(self, info: Any, order: dict[str, Any],
                    options: dict[str, Any] | None = None) -> dict[str, Any]:
        cur = self.f.currency
        behaviour = (options or {}).get("inventoryBehaviour") or "BYPASS"
        lines, moves = [], []
        subtotal = tax = Decimal(0)
        try:
            for i, ln in enumerate(order.get("lineItems") or []):
                v = self.f.variants.get(ln.get("variantId") or "")
                if ln.get("variantId") and v is None:
                    raise UserError("INVALID", "variant not found",
                                    ["order", "lineItems", str(i), "variantId"])
                price = Decimal(ln["priceSet"]["shopMoney"]["amount"]) if ln.get("priceSet") \
                    else (v.price if v else Decimal(0))
                qty = int(ln["quantity"])
                line_tax = sum((Decimal(t["priceSet"]["shopMoney"]["amount"])
                                for t in ln.get("taxLines") or []), Decimal(0))
                subtotal += price * qty
                tax += line_tax
                lines.append({"id": _gid("LineItem"), "sku": v.sku if v else ln.get("sku"),
                              "variant": v,
                              "title": ln.get("title") or (v.product.title if v else ""),
                              "quantity": qty, "unit": str(price), "tax": str(line_tax),
                              "taxLines": ln.get("taxLines") or []})
                if v is not None and behaviour != "BYPASS":
                    moves.append((v, qty))
            discount = Decimal(0)
            code = order.get("discountCode") or {}
            fixed = code.get("itemFixedDiscountCode")
            if fixed:
                discount = Decimal(fixed["amountSet"]["shopMoney"]["amount"])
        except UserError as e:
            return {"order": None, "userErrors": [{"field": e.path, "message": str(e),
                                                   "code": e.code}]}
        included = bool(order.get("taxesIncluded"))
        total = subtotal - discount + (Decimal(0) if included else tax)
        paid = sum((Decimal(t["amountSet"]["shopMoney"]["amount"])
                    for t in order.get("transactions") or []), Decimal(0))
        transactions = [{**t, "id": _gid("OrderTransaction"), "kind": t.get("kind", "SALE"),
                         "gateway": t.get("gateway") or "manual"}
                        for t in order.get("transactions") or []]
        location = next(iter(self.f.locations.values()))
        for v, qty in moves:  # DECREMENT_*: the order moves stock itself
            lv = self.f.levels.get((v.inventoryItem.id, location.id))
            if lv:
                lv.available -= qty
        oid = _gid("Order")
        name = order.get("name") or f"#{1000 + len(self.f.orders) + 1}"
        created = {
            "id": oid, "name": name, "createdAt": _now(), "updatedAt": _now(),
            "processedAt": order.get("processedAt") or _now(),
            "sourceIdentifier": order.get("sourceIdentifier"),
            "sourceName": order.get("sourceName"), "tags": order.get("tags") or [],
            "note": order.get("note"), "taxesIncluded": included,
            "displayFinancialStatus": "PAID" if paid >= total else "PARTIALLY_PAID",
            "currencyCode": cur,
            "subtotalPriceSet": _bag(subtotal - discount, cur),
            "totalDiscountsSet": _bag(discount, cur), "totalTaxSet": _bag(tax, cur),
            "totalPriceSet": _bag(total, cur), "totalReceivedSet": _bag(paid, cur),
            "_lines": lines, "_transactions": transactions, "_refunds": [],
            "_behaviour": behaviour,
            "lineItems": lambda info, **_: _connection(
                lines, _.get("first"), _.get("after"),
                lambda ln: (int(ln["id"].rsplit("/", 1)[1]),)),
            "transactions": lambda info, **_: transactions,
            "_search": {"source_identifier": order.get("sourceIdentifier") or "",
                        "name": name, "tag": list(order.get("tags") or []),
                        "id": oid.rsplit("/", 1)[1]}}
        self.f.orders.append(created)
        return {"order": created, "userErrors": []}

    def refundCreate(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        order = next((o for o in self.f.orders if o["id"] == input["orderId"]), None)
        if order is None:
            return {"refund": None, "userErrors": [{"field": ["orderId"],
                                                    "message": "Order does not exist"}]}
        lines = {ln["id"]: ln for ln in order["_lines"]}
        refunded = {}
        for r in order["_refunds"]:
            for li in r["lines"]:
                refunded[li["lineItemId"]] = refunded.get(li["lineItemId"], 0) + li["quantity"]
        restock = []
        for i, li in enumerate(input.get("refundLineItems") or []):
            ln = lines.get(li["lineItemId"])
            if ln is None or li["quantity"] + refunded.get(li["lineItemId"], 0) > \
                    ln["quantity"]:
                return {"refund": None, "userErrors": [{
                    "field": ["refundLineItems", str(i), "quantity"],
                    "message": "Quantity cannot refund more items than were purchased"}]}
            if (li.get("restockType") or "RETURN") != "NO_RESTOCK" and ln.get("variant"):
                restock.append((ln["variant"], li["quantity"]))
        amount = sum((Decimal(str(t["amount"])) for t in input.get("transactions") or []),
                     Decimal(0))
        received = Decimal(order["totalReceivedSet"]["shopMoney"]["amount"])
        before = sum((r["amount"] for r in order["_refunds"]), Decimal(0))
        if amount + before > received:
            return {"refund": None, "userErrors": [{
                "field": ["transactions"], "message": f"Refund amount {amount} is greater "
                                                      f"than the refundable {received - before}"}]}
        location = next(iter(self.f.locations.values()))
        for v, qty in restock:  # restocked by Shopify itself
            lv = self.f.levels.get((v.inventoryItem.id, location.id))
            if lv:
                lv.available += qty
        refund = {"id": _gid("Refund"), "createdAt": _now(), "note": input.get("note"),
                  "amount": amount, "lines": list(input.get("refundLineItems") or []),
                  "transactions": list(input.get("transactions") or [])}
        order["_refunds"].append(refund)
        return {"refund": refund, "order": order, "userErrors": []}

    # checks shared by the mutations
    @staticmethod
    def _reason(reason: str) -> None:
        if reason not in REASONS:
            raise UserError("INVALID_REASON", "The specified reason is invalid.",
                            ["input", "reason"])

    @staticmethod
    def _uri(uri: str | None, what: str, path: list[str] | None = None) -> None:
        if uri is None:
            return
        bad = not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", uri)
        if uri.startswith("gid://"):
            bad = bad or len(uri[6:].split("/")) < 3 or not all(uri[6:].split("/"))
            bad = bad or (what == "ledgerDocumentUri" and uri.startswith("gid://shopify/"))
        if bad:
            raise UserError("INVALID_REFERENCE_DOCUMENT" if what == "referenceDocumentUri"
                            else "INTERNAL_LEDGER_DOCUMENT" if uri.startswith("gid://shopify/")
                            else "INVALID_LEDGER_DOCUMENT", f"{what} {uri!r} is not valid",
                            [*(path or ["input"]), what])

    def _level(self, pair: tuple[str, str], path: list[str]) -> Level:
        if pair[0] not in self.f.items:
            raise UserError("INVALID_INVENTORY_ITEM", "The specified inventory item could not "
                            "be found.", [*path, "inventoryItemId"])
        if pair[1] not in self.f.locations:
            raise UserError("INVALID_LOCATION", "The specified location could not be found.",
                            [*path, "locationId"])
        lv = self.f.levels.get(pair)
        if lv is None:
            raise UserError("ITEM_NOT_STOCKED_AT_LOCATION", "The specified inventory item is "
                            "not stocked at the location.", path)
        return lv

    @staticmethod
    def _errors(e: UserError) -> dict[str, Any]:
        return {"inventoryAdjustmentGroup": None,
                "userErrors": [{"field": e.path, "message": str(e), "code": e.code}]}


REASONS = {"correction", "cycle_count_available", "damaged", "movement_canceled",
           "movement_created", "movement_received", "movement_updated", "other", "promotion",
           "quality_control", "received", "reservation_created", "reservation_deleted",
           "reservation_updated", "restock", "safety_stock", "shrinkage"}


@contextmanager
def serving(fake: ShopifyFake) -> Iterator[ShopifyFake]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            fake.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="shopify-fake")
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
