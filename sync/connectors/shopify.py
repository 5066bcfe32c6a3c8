"""Shopify through its Admin GraphQL API (version 2026-07).

Outbound:

* every POS stock movement (sales, refunds, adjustments, receiving, transfers) becomes
  an ``inventoryAdjustQuantities`` delta at the mapped inventory item and location,
  with ``ledgerDocumentUri`` naming the POS stock event and ``referenceDocumentUri`` the
  POS document (the receipt of a sale), sent with ``@idempotent(key:)`` = the engine's
  idempotency key: a retry after a lost answer or a crash replays Shopify's first
  result instead of moving stock again;
* a stock count becomes an absolute ``inventorySetQuantities`` with a compare-and-swap:
  ``changeFromQuantity`` is what the till held before it counted, which Shopify holds
  too while the POS is the only one moving that location's stock. If Shopify holds
  something else (a web order, a change in Shopify's admin since) the set fails with
  ``CHANGE_FROM_QUANTITY_STALE`` and the count becomes a dead letter saying what each
  side holds; it is never forced;
* optionally (``orders=yes``) each POS sale is recorded as an order (``orderCreate``,
  paid, with the POS receipt number as ``sourceIdentifier``), always with
  ``inventoryBehaviour: BYPASS``: the order never moves stock, the sale's stock event
  does, so stock moves once whichever arrives first. ``orderCreate`` has no
  idempotency key, so the connector first looks the receipt up
  (``source_identifier:…``) and creates the order only when it is not there. A POS
  refund becomes a ``refundCreate`` on the sale's order (found by its tag
  ``pos-sale-<id>``) with ``NO_RESTOCK`` lines and a refund per tender, under
  ``@idempotent``; exchanges are not recorded as orders.

Inbound (sync/inbound.py): variants (names, enabled, prices) changed since the cursor
(``updated_at``, cursor-paginated), and the inventory levels of the mapped locations
(``updated_at``) as counts, which only update the POS where Shopify owns stock.
Webhooks (``products/update``, ``inventory_levels/update``) are verified by
``X-Shopify-Hmac-Sha256`` (constant time) and deduplicated by ``X-Shopify-Event-Id``;
they only trigger a pull.

Rate limit: Shopify's cost bucket. Every answer's ``extensions.cost.throttleStatus``
goes to the limiter (sync/ratelimit.py), which paces requests at the restore rate and
holds the next one until its cost has been restored; a "Throttled" answer (nothing
ran) is retried after ``(cost − available) / restoreRate``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx
from babel.numbers import get_currency_precision

from ..inbound import DUPLICATE, INBOUND_SCHEMA, POS, InboundChange, PosItem, system_of_record
from ..model import (
    RATE_LIMITED,
    ConnectorConfig,
    Delivery,
    PermanentError,
    TransientError,
)
from ..ports import PosCatalog, SecretStore
from ..ratelimit import Limiter
from ..retry import parse_retry_after
from .base import ConfigError, Setting, setting

log = logging.getLogger(__name__)

TYPE = "shopify"
VERSION = "2026-07"
MAX_CHANGES = 250  # Shopify's limit on input arrays
NOT_SYNCED = "-"
OVERLAP = timedelta(seconds=2)
REINDEX_S = 60.0
APP = "pos-app"

SHOP = "{ shop { currencyCode taxesIncluded name } }"
LOCATIONS = """query($after: String, $first: Int!) { locations(first: $first, after: $after) {
  nodes { id name } pageInfo { hasNextPage endCursor } } }"""
VARIANTS = """query($after: String, $q: String, $first: Int!) { productVariants(first: $first,
  after: $after,
  query: $q) { nodes { id sku barcode title price updatedAt inventoryItem { id }
  product { id title status updatedAt } } pageInfo { hasNextPage endCursor } } }"""
LEVELS = """query($id: ID!, $after: String, $q: String, $first: Int!) { location(id: $id) {
  inventoryLevels(first: $first, after: $after, query: $q) { nodes { updatedAt
  item { id sku } quantities(names: ["available"]) { name quantity } }
  pageInfo { hasNextPage endCursor } } } }"""
ADJUST = """mutation($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
  inventoryAdjustmentGroup { id } userErrors { field message code } } }"""
SET = """mutation($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
  inventoryAdjustmentGroup { id } userErrors { field message code } } }"""
LEVEL = """query($item: ID!, $loc: ID!) { inventoryItem(id: $item) {
  inventoryLevel(locationId: $loc) { quantities(names: ["available"]) { quantity } } } }"""
FIND_ORDER = """query($q: String!) { orders(first: 1, query: $q) { nodes { id name } } }"""
SALE_ORDER = """query($q: String!) { orders(first: 1, query: $q) { nodes { id name
  lineItems(first: 50) { nodes { id sku quantity } } transactions(first: 20) { id gateway
  kind } } } }"""
REFUND = """mutation($input: RefundInput!, $key: String!) { refundCreate(input: $input)
  @idempotent(key: $key) { refund { id } userErrors { field message } } }"""
ORDER = """mutation($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) { order { id name }
  userErrors { field message code } } }"""

# The cost bucket is per app and shop, not per connector object: what one answer said of
# it (available, maximum, restore rate, next cost, when) is known to every connector
# built for that shop in this process (the service rebuilds one whose settings change).
_BUCKETS: dict[str, tuple[float, float, float, float, float]] = {}
_BUCKETS_LOCK = threading.Lock()

REASONS = {"sale": "correction", "return": "restock", "receiving": "received",
           "adjustment": "correction", "transfer": "movement_created"}


@dataclass
class MappingReport:
    matched: int = 0
    pos_unmatched: list[str] = field(default_factory=list)
    shopify_only: list[str] = field(default_factory=list)
    locations: dict[str, str | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def unmapped(self, unmatched_policy: str) -> list[str]:
        out = list(self.problems)
        out += [f"location.{c}" for c, where in self.locations.items() if where is None]
        if unmatched_policy == "refuse":
            out += [f"item {sku}" for sku in self.pos_unmatched]
        return out

    def lines(self) -> list[str]:
        out = [f"{self.matched} POS items matched Shopify variants"]
        for code, where in sorted(self.locations.items()):
            out.append(f"location {code} -> {where or 'UNMAPPED (set location.' + code + ')'}")
        if self.pos_unmatched:
            out.append(f"{len(self.pos_unmatched)} POS items not at Shopify: "
                       + ", ".join(self.pos_unmatched[:50])
                       + (" …" if len(self.pos_unmatched) > 50 else ""))
        if self.shopify_only:
            out.append(f"{len(self.shopify_only)} Shopify variants not in the POS: "
                       + ", ".join(self.shopify_only[:50])
                       + (" …" if len(self.shopify_only) > 50 else ""))
        out += [f"problem: {p}" for p in self.problems]
        return out


@dataclass(frozen=True, slots=True)
class _Variant:
    id: str
    item: str  # inventory item id
    sku: str


class ShopifyConnector:
    type = TYPE
    max_concurrency = 2  # stock in one lane, orders beside it
    schema: ClassVar[dict[str, Setting]] = {
        "shop": Setting("the shop's domain, e.g. my-shop.myshopify.com"),
        "url": Setting("the Admin GraphQL endpoint instead of https://SHOP/admin/api/"
                       f"{VERSION}/graphql.json (a proxy or test server)"),
        "access_token": Setting("Admin API access token of the shop's custom app",
                                required=True, secret=True),
        "location.*": Setting("Shopify location (name or gid) per POS location code, e.g. "
                              "location.MAIN=Shop floor; '-' leaves one out"),
        "match": Setting("match POS items to variants by 'sku' or 'barcode'", default="sku"),
        "unmatched": Setting("POS items with no variant: 'refuse' to start, or 'skip' them",
                             default="refuse"),
        "orders": Setting("'yes': record each POS sale as a Shopify order (stock still moves "
                          "only by the sale's stock event)", default="no"),
        "timeout_s": Setting("seconds to wait for an answer", default="15"),
        **INBOUND_SCHEMA,
        "webhook_secret": Setting("the custom app's client secret (API secret key): Shopify "
                                  "signs its webhooks with it", secret=True),
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = config.name
        s = config.settings
        shop = str(s.get("shop") or "").strip().removeprefix("https://").rstrip("/")
        url = str(s.get("url") or "").strip()
        if not (shop or url):
            raise ConfigError(f"connector {config.name}: set shop (my-shop.myshopify.com)")
        self._url = url or f"https://{shop}/admin/api/{VERSION}/graphql.json"
        self._token = secrets.get(config.name, "access_token") or ""
        if not self._token:
            raise ConfigError(f"connector {config.name}: secret 'access_token' is not in the "
                              "keyring; add the connector again with --set access_token=…")
        self._hook_secret = secrets.get(config.name, "webhook_secret") or ""
        self._locations = {k.split(".", 1)[1]: str(v) for k, v in s.items()
                           if k.startswith("location.")}
        self._match = str(setting(config, self.schema, "match"))
        self._unmatched = str(setting(config, self.schema, "unmatched"))
        if self._match not in ("sku", "barcode"):
            raise ConfigError("match is 'sku' or 'barcode'")
        if self._unmatched not in ("refuse", "skip"):
            raise ConfigError("unmatched is 'refuse' or 'skip'")
        orders = str(setting(config, self.schema, "orders")).lower()
        if orders not in ("yes", "no", "true", "false"):
            raise ConfigError("orders is 'yes' or 'no'")
        self._orders = orders in ("yes", "true")
        self._sor = {t: system_of_record(s, t, TYPE) for t in ("catalog", "prices", "stock")}
        self.pull_interval_s = float(setting(config, self.schema, "pull_interval_s"))
        self._client = httpx.Client(timeout=float(setting(config, self.schema, "timeout_s")),
                                    transport=transport, headers={
                                        "User-Agent": "pos-app-sync/1",
                                        "X-Shopify-Access-Token": self._token})
        self._bucket_key = hashlib.sha256(f"{self._url}\0{self._token}".encode()).hexdigest()
        self._limiter = Limiter()
        self._replay_bucket()
        self._costs: dict[str, float] = {}
        self._page = 100  # nodes per page (halved while a page costs more than the bucket)
        self._catalog: PosCatalog | None = None
        self._lock = threading.RLock()
        self._index: dict[str, _Variant] | None = None  # match key -> variant
        self._index_at = 0.0
        self._location_ids: dict[str, str] | None = None  # POS location id -> gid or '-'
        self._shop: tuple[str, bool] | None = None
        self._events: OrderedDict[str, None] = OrderedDict()  # webhook event ids seen

    # --- plumbing -----------------------------------------------------------------

    @property
    def limiter(self) -> Limiter:
        return self._limiter

    @limiter.setter
    def limiter(self, value: Limiter) -> None:
        """The engine's limiter (its pace for this connector); told what is known of the
        shop's bucket already."""
        self._limiter = value
        self._replay_bucket()

    def _replay_bucket(self) -> None:
        with _BUCKETS_LOCK:
            known = _BUCKETS.get(self._bucket_key)
        if known is not None:
            available, maximum, restore, cost, at = known
            available = min(maximum, available + (time.monotonic() - at) * restore)
            self._limiter.observe_bucket(available, maximum, restore, cost)

    def bind(self, catalog: PosCatalog) -> None:
        self._catalog = catalog

    def _need_catalog(self) -> PosCatalog:
        if self._catalog is None:
            raise ConfigError(f"connector {self.name} is not bound to the POS catalog")
        return self._catalog

    def _call(self, query: str, variables: dict[str, Any] | None = None, *,
              op: str, max_wait: float | None = None) -> dict[str, Any]:
        """One GraphQL request, paced by the cost bucket; the ``data`` of the answer."""
        mutation = query.lstrip().startswith("mutation")
        cost = self._costs.get(op, 20.0 if mutation else 50.0)
        with self.limiter.request(cost, max_wait):
            try:
                r = self._client.post(self._url, json={"query": query,
                                                       "variables": variables or {}})
            except httpx.TimeoutException as exc:
                raise TransientError(f"no answer from Shopify in time ({op})",
                                     kind="timeout") from exc
            except httpx.TransportError as exc:
                raise TransientError(f"cannot reach Shopify: {exc.__class__.__name__}",
                                     kind="unreachable") from exc
        if r.status_code == 429 or r.status_code >= 500:
            retry = parse_retry_after(r.headers.get("retry-after"))
            self.limiter.observe(r.headers, r.status_code, retry)
            raise TransientError(f"HTTP {r.status_code} from Shopify", retry,
                                 kind=RATE_LIMITED if r.status_code == 429 else "server")
        try:
            body = r.json()
        except ValueError as exc:
            raise TransientError(f"Shopify answered HTTP {r.status_code} without JSON") from exc
        if r.status_code in (401, 403):
            # transient: a fixed token must not need every held event retried by hand
            raise TransientError(f"Shopify refused the access token (HTTP {r.status_code}): "
                                 f"{body.get('errors')}; set a new one with "
                                 "`pos sync connector set NAME --set access_token=…`",
                                 kind="refused")
        cost_info = (body.get("extensions") or {}).get("cost") or {}
        status = cost_info.get("throttleStatus")
        requested = float(cost_info.get("requestedQueryCost") or cost)
        self._costs[op] = requested
        errors = body.get("errors") or []
        throttled = any(e.get("message") == "Throttled" or
                        (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors)
        if status:
            bucket = (float(status["currentlyAvailable"]), float(status["maximumAvailable"]),
                      float(status["restoreRate"]), max(self._costs.values()))
            with _BUCKETS_LOCK:
                _BUCKETS[self._bucket_key] = (*bucket, time.monotonic())
            self.limiter.observe_bucket(*bucket)
        if throttled:  # nothing ran: wait for the cost to be restored, then again
            wait = 1.0
            if status and float(status["restoreRate"]) > 0:
                wait = max(0.1, (requested - float(status["currentlyAvailable"]))
                           / float(status["restoreRate"]))
            raise TransientError(f"Shopify throttled {op} (cost {requested:.0f}, bucket "
                                 f"{status and status['currentlyAvailable']}); retry in "
                                 f"{wait:.1f} s", retry_after=wait, kind=RATE_LIMITED)
        if errors:
            msg = "; ".join(str(e.get("message")) for e in errors)[:400]
            codes = {(e.get("extensions") or {}).get("code") for e in errors}
            if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"}:
                raise TransientError(f"Shopify failed {op}: {msg}")
            raise PermanentError(f"Shopify refused {op}: {msg} "
                                 f"({', '.join(sorted(map(str, codes)))})")
        if r.status_code >= 400:
            raise PermanentError(f"HTTP {r.status_code} from Shopify: {r.text[:300]}")
        data: dict[str, Any] = body.get("data") or {}
        return data

    def _pages(self, query: str, root: list[str], variables: dict[str, Any], op: str,
               max_wait: float | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            try:
                data: Any = self._call(query, {**variables, "after": after,
                                               "first": self._page}, op=op, max_wait=max_wait)
            except PermanentError as exc:
                if "MAX_COST_EXCEEDED" not in str(exc) or self._page <= 10:
                    raise
                self._page //= 2  # a shop with a small bucket: smaller pages
                continue
            for key in root:
                data = (data or {}).get(key) or {}
            out += data.get("nodes") or []
            info = data.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return out
            after = info["endCursor"]

    def _facts(self) -> tuple[str, bool]:
        if self._shop is None:
            shop = self._call(SHOP, op="shop")["shop"]
            self._shop = (str(shop["currencyCode"]), bool(shop["taxesIncluded"]))
        return self._shop

    def _key(self, sku: str | None, barcode: str | None) -> str | None:
        if self._match == "sku":
            return sku or None
        return _barcode(barcode) if barcode else None

    def _variants(self, refresh: bool = False) -> dict[str, _Variant]:
        with self._lock:
            if self._index is None or refresh:
                index: dict[str, _Variant] = {}
                for v in self._pages(VARIANTS, ["productVariants"], {"q": None}, "variants",
                                     max_wait=30):
                    key = self._key(v.get("sku"), v.get("barcode"))
                    if key:
                        index[key] = _Variant(str(v["id"]), str(v["inventoryItem"]["id"]),
                                              str(v.get("sku") or ""))
                self._index, self._index_at = index, time.monotonic()
            return self._index

    def _shopify_locations(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for loc in self._pages(LOCATIONS, ["locations"], {}, "locations", max_wait=30):
            out[str(loc["name"])] = str(loc["id"])
            out[str(loc["id"])] = str(loc["id"])
        return out

    def _item_keys(self, item: PosItem) -> list[str]:
        return [item.sku] if self._match == "sku" else [_barcode(b) for b in item.barcodes]

    def _variant_for(self, item: PosItem) -> _Variant | None:
        keys = self._item_keys(item)
        index = self._variants()
        found = next((index[k] for k in keys if k in index), None)
        if found is None and time.monotonic() - self._index_at > REINDEX_S:
            index = self._variants(refresh=True)
            found = next((index[k] for k in keys if k in index), None)
        return found

    def _location(self, pos_location_id: str) -> str | None:
        with self._lock:
            if self._location_ids is None:
                shopify = self._shopify_locations()
                ids: dict[str, str] = {}
                for loc in self._need_catalog().locations():
                    want = self._locations.get(loc.code)
                    if want == NOT_SYNCED:
                        ids[loc.id] = NOT_SYNCED
                    elif want and want in shopify:
                        ids[loc.id] = shopify[want]
                self._location_ids = ids
            return self._location_ids.get(pos_location_id)

    # --- mapping ------------------------------------------------------------------

    def mapping(self) -> MappingReport:
        catalog = self._need_catalog()
        report = MappingReport()
        currency, inclusive = catalog.facts()
        s_currency, s_inclusive = self._facts()
        if s_currency != currency:
            report.problems.append(f"currency: the POS sells in {currency}, the Shopify shop "
                                   f"in {s_currency}")
        if s_inclusive != inclusive and (self._orders or self._sor["prices"] != POS):
            pos, shp = ("include" if x else "exclude" for x in (inclusive, s_inclusive))
            report.problems.append(f"tax mode: POS prices {pos} tax, Shopify's {shp} it")
        index = self._variants(refresh=True)
        seen: set[str] = set()
        for item in catalog.items():
            keys = [k for k in self._item_keys(item) if k in index]
            if keys:
                report.matched += 1
                seen.update(keys)
            else:
                report.pos_unmatched.append(item.sku)
        report.shopify_only = sorted(k for k in index if k not in seen)
        shopify = self._shopify_locations()
        for loc in catalog.locations():
            want = self._locations.get(loc.code)
            report.locations[loc.code] = (
                "not synced" if want == NOT_SYNCED else f"{want} ({shopify[want]})"
                if want and want in shopify else None)
        return report

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        """What stops the engine; nothing while Shopify cannot be reached (checked at
        delivery), so a till offline at start still sells and syncs its other targets."""
        try:
            return self.mapping().unmapped(self._unmatched)
        except TransientError as exc:
            log.warning("sync %s: cannot check the mapping now (%s); checking at delivery",
                        self.name, exc)
            return []

    # --- outbound -----------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        if event.payload.get("source") == self.name:
            return "came from this Shopify: not sent back"
        if event.type == "stock.moved":
            return self._stock(delivery)
        if event.type == "sale.completed" and self._orders:
            return self._order(delivery)
        if event.type == "refund.completed" and self._orders:
            return self._refund(delivery)
        if event.type == "exchange.completed" and self._orders:
            return "exchanges are not recorded as Shopify orders; their stock moves as deltas"
        return "not for shopify"

    def _stock(self, delivery: Delivery) -> str:
        event = delivery.event
        catalog = self._need_catalog()
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        counts: dict[tuple[str, str], tuple[int, int]] = {}  # -> (expected, counted)
        skus: dict[str, str] = {}
        kinds: set[str] = set()
        unmatched: list[str] = []
        for mv in event.payload.get("movements", []):
            qty = Decimal(str(mv["qty"]))
            item = catalog.item(str(mv["variant_id"]))
            if item is None:
                raise PermanentError(f"stock event {event.id}: variant {mv['variant_id']} is "
                                     "not in the POS catalog")
            v = self._variant_for(item)
            if v is None:
                unmatched.append(item.sku)
                continue
            loc = self._location(str(mv["location_id"]))
            if loc is None:
                raise PermanentError(f"POS location {mv['location_id']} has no Shopify "
                                     "location: set location.CODE=NAME (or - to leave it out)")
            if loc == NOT_SYNCED:
                continue
            if qty != qty.to_integral_value():
                raise PermanentError(f"Shopify counts stock in whole units; {item.sku} moved "
                                     f"{qty} (leave weighed items out of Shopify and set "
                                     "unmatched=skip)")
            skus[v.item] = item.sku
            values = _count_values(mv, qty) if mv.get("kind") == "count" else None
            if mv.get("kind") == "count" and values is None:
                raise PermanentError(f"count of {item.sku} without the quantities counted "
                                     f"(reason {mv.get('reason')!r})")
            if values is not None and (v.item, loc) not in counts:
                counts[(v.item, loc)] = values
            else:  # a movement, or a second count into one Shopify location: its difference
                deltas[(v.item, loc)] += int(qty)
                kinds.add(str(mv.get("kind")))
        done = []
        changes = [{"inventoryItemId": i, "locationId": loc, "delta": d,
                    "changeFromQuantity": None,
                    "ledgerDocumentUri": f"gid://{APP}/StockEvent/{event.id}"}
                   for (i, loc), d in sorted(deltas.items()) if d]
        reference = _reference(event.payload, event.id)
        reason = REASONS.get(next(iter(kinds)), "correction") if len(kinds) == 1 else \
            "correction"
        for n, start in enumerate(range(0, len(changes), MAX_CHANGES)):
            chunk = changes[start:start + MAX_CHANGES]
            key = delivery.idempotency_key + (f":{n}" if n else "")
            payload = self._call(ADJUST, {"key": key, "input": {
                "name": "available", "reason": reason, "referenceDocumentUri": reference,
                "changes": chunk}}, op="inventoryAdjustQuantities")["inventoryAdjustQuantities"]
            self._user_errors(payload, chunk, skus, "adjust")
            done.append(f"{len(chunk)} adjusted")
        if counts:
            done.append(self._set_counts(delivery, counts, skus, reference))
        if unmatched and self._unmatched == "refuse":
            raise PermanentError("no Shopify variant for SKU " + ", ".join(sorted(unmatched))
                                 + ": create it at Shopify (or set unmatched=skip), then retry;"
                                 " the other items of this event are applied already")
        return "shopify: " + (", ".join(done) or "nothing to move") + (
            f", skipped unmatched {', '.join(sorted(unmatched))}" if unmatched else "")

    def _set_counts(self, delivery: Delivery, counts: dict[tuple[str, str], tuple[int, int]],
                    skus: dict[str, str], reference: str) -> str:
        """One compare-and-swap set for the counted items. Shopify applies all or none: a
        stale item that already holds its counted quantity is left out and the rest sent
        again, under a key of its own (so a retry of this delivery replays both answers)."""
        quantities = [{"inventoryItemId": i, "locationId": loc, "quantity": counted,
                       "changeFromQuantity": before}
                      for (i, loc), (before, counted) in sorted(counts.items())]
        already = 0
        for round_ in range(3):
            if not quantities:
                break
            key = delivery.idempotency_key + ":count" + (f":{round_}" if round_ else "")
            payload = self._call(SET, {"key": key, "input": {
                "name": "available", "reason": "cycle_count_available",
                "referenceDocumentUri": reference, "quantities": quantities}},
                op="inventorySetQuantities")["inventorySetQuantities"]
            errors = payload.get("userErrors") or []
            stale = [e for e in errors if e.get("code") == "CHANGE_FROM_QUANTITY_STALE"]
            if not stale:
                self._user_errors(payload, quantities, skus, "count")
                return f"{len(quantities)} count(s) set" + (
                    f", {already} already at Shopify" if already else "")
            told, done = [], set()
            for e in stale:
                n = _index(e, len(quantities))
                q = quantities[n]
                now = self._quantity(str(q["inventoryItemId"]), str(q["locationId"]))
                if now == q["quantity"]:
                    done.add(n)  # Shopify holds the counted quantity already
                    continue
                told.append(f"{skus.get(str(q['inventoryItemId']), q['inventoryItemId'])}: "
                            f"Shopify holds {now}, the till held {q['changeFromQuantity']} "
                            f"before it counted {q['quantity']}")
            if told:
                raise PermanentError(
                    "stock count not applied at Shopify (CHANGE_FROM_QUANTITY_STALE): "
                    + "; ".join(told) + ". Stock moved at Shopify since (a web order or an "
                    "edit in its admin?): nothing was set. Check it there and set it by hand, "
                    "or count again at the till; then skip this one")
            already += len(done)
            quantities = [q for n, q in enumerate(quantities) if n not in done]
        if quantities:
            raise TransientError("Shopify kept answering stale counts; trying again later")
        return f"{already} count(s) already at Shopify"

    def _quantity(self, item: str, loc: str) -> int | None:
        data = self._call(LEVEL, {"item": item, "loc": loc}, op="level")
        level = (data.get("inventoryItem") or {}).get("inventoryLevel") or {}
        qs = level.get("quantities") or []
        return int(qs[0]["quantity"]) if qs else None

    def _user_errors(self, payload: dict[str, Any], rows: list[dict[str, Any]],
                     skus: dict[str, str], what: str) -> None:
        errors = payload.get("userErrors") or []
        if not errors:
            return
        codes = {e.get("code") for e in errors}
        msgs = []
        for e in errors:
            row = rows[_index(e, len(rows))] if _has_index(e) else None
            sku = skus.get(str(row["inventoryItemId"])) if row else None
            msgs.append((f"{sku}: " if sku else "") + f"{e.get('message')} ({e.get('code')})")
        text = f"Shopify refused the {what}: " + "; ".join(msgs)
        if codes & {"IDEMPOTENCY_CONCURRENT_REQUEST", "SERVICE_UNAVAILABLE"}:
            raise TransientError(text)
        raise PermanentError(text)

    def _order(self, delivery: Delivery) -> str:
        p = delivery.event.payload
        ref = str(p["receipt_no"])
        found = self._call(FIND_ORDER, {"q": f"source_identifier:'{ref}'"},
                           op="orders")["orders"]["nodes"]
        if found:  # created before an answer was lost or the till died: never twice
            return f"shopify order {found[0]['name']} ({found[0]['id']})"
        catalog = self._need_catalog()
        cur = str(p["currency"])

        def bag(text: str) -> dict[str, Any]:
            return {"shopMoney": {"amount": text, "currencyCode": cur}}

        lines = []
        for ln in p["lines"]:
            qty = Decimal(str(ln["qty"]))
            item = catalog.item(str(ln["variant_id"]))
            v = self._variant_for(item) if item else None
            whole = qty == qty.to_integral_value()
            line: dict[str, Any] = {
                "quantity": int(qty) if whole else 1,
                "priceSet": bag(ln["unit_price"]["text"] if whole else ln["gross"]["text"]),
                "taxLines": [{"title": str(ln["tax_code"]), "rate": str(ln["tax_rate"]),
                              "priceSet": bag(ln["tax"]["text"])}],
                "sku": str(ln["sku"])}
            if v is not None:
                line["variantId"] = v.id
            if not whole or v is None:
                line["title"] = str(ln["name"]) + ("" if whole else f" × {qty}")
            lines.append(line)
        order: dict[str, Any] = {
            "currency": cur, "lineItems": lines, "sourceName": APP, "sourceIdentifier": ref,
            "name": f"POS {ref}", "tags": [APP, f"pos-sale-{p['id']}"],
            "note": f"POS sale {ref}",
            "processedAt": str(p["completed_at"]), "taxesIncluded": p["tax_mode"] == "inclusive",
            "financialStatus": "PAID",
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": str(pay["tender"]),
                              "amountSet": bag(pay["amount"]["text"]),
                              "processedAt": str(p["completed_at"])} for pay in p["payments"]]}
        if p["discount_total"]["minor"]:
            order["discountCode"] = {"itemFixedDiscountCode": {
                "code": "POS", "amountSet": bag(p["discount_total"]["text"])}}
        payload = self._call(ORDER, {"order": order, "options": {
            "inventoryBehaviour": "BYPASS", "sendReceipt": False}}, op="orderCreate")
        result = payload["orderCreate"]
        if result.get("userErrors"):
            raise PermanentError("Shopify refused the order for " + ref + ": " + "; ".join(
                f"{e.get('message')} ({'.'.join(e.get('field') or [])})"
                for e in result["userErrors"]))
        return f"shopify order {result['order']['name']} ({result['order']['id']})"

    def _refund(self, delivery: Delivery) -> str:
        """A POS refund as a refund of the sale's order: the money per tender and the
        lines, never restocked there (``NO_RESTOCK``: the refund's stock event moves the
        stock, once), under ``@idempotent`` so a retry is answered from the first."""
        p = delivery.event.payload
        sale = str(p.get("return_of_sale_id") or "")
        found = self._call(SALE_ORDER, {"q": f"tag:'pos-sale-{sale}'"},
                           op="orders")["orders"]["nodes"] if sale else []
        if not found:
            raise PermanentError(f"refund {p['receipt_no']}: its sale is not at Shopify as an "
                                 "order (sold before orders=yes?): refund it there by hand, "
                                 "then skip this one")
        order = found[0]
        left = {str(li["id"]): int(li["quantity"]) for li in order["lineItems"]["nodes"]}
        skus = {str(li["id"]): str(li.get("sku") or "") for li in order["lineItems"]["nodes"]}
        items = []
        for ln in p["lines"]:
            qty = -Decimal(str(ln["qty"]))
            if qty <= 0 or qty != qty.to_integral_value():
                continue  # a weighed line went out as one unit: money only
            line = next((i for i, n in left.items() if skus[i] == ln["sku"] and n >= qty),
                        None)
            if line is None:
                continue
            left[line] -= int(qty)
            items.append({"lineItemId": line, "quantity": int(qty), "restockType": "NO_RESTOCK"})
        parents = {str(t["gateway"]): str(t["id"]) for t in order["transactions"]
                   if t["kind"] == "SALE"}
        transactions = []
        for pay in p["payments"]:
            if pay["amount"]["minor"] >= 0:
                continue
            t = {"orderId": order["id"], "gateway": str(pay["tender"]), "kind": "REFUND",
                 "amount": str(-Decimal(pay["amount"]["text"]))}
            if pay["tender"] in parents:
                t["parentId"] = parents[pay["tender"]]
            transactions.append(t)
        result = self._call(REFUND, {"key": delivery.idempotency_key + ":refund", "input": {
            "orderId": order["id"], "note": f"POS refund {p['receipt_no']}", "notify": False,
            "refundLineItems": items, "transactions": transactions}},
            op="refundCreate")["refundCreate"]
        if result.get("userErrors"):
            raise PermanentError(f"Shopify refused the refund {p['receipt_no']} of "
                                 f"{order['name']}: " + "; ".join(
                                     str(e.get("message")) for e in result["userErrors"]))
        return f"shopify refund {result['refund']['id']} of {order['name']}"

    # --- inbound ------------------------------------------------------------------

    def system_of_record(self, data_type: str) -> str:
        return self._sor.get(data_type, POS)

    def pull(self, cursor: str | None) -> tuple[list[InboundChange], str | None]:
        """Variants and the mapped locations' inventory levels updated since the cursor
        (a short overlap is read again: the changes are values, reading one twice is a
        no-op)."""
        state = json.loads(cursor) if cursor else {}
        currency, _ = self._facts()
        places = get_currency_precision(currency)
        catalog = self._need_catalog()
        by_barcode: dict[str, str] = {}
        if self._match == "barcode":
            by_barcode = {_barcode(b): i.sku for i in catalog.items() for b in i.barcodes}
        changes: list[InboundChange] = []
        latest_v = state.get("variants", "")
        q = _since(latest_v)
        for v in self._pages(VARIANTS, ["productVariants"], {"q": q}, "variants", max_wait=30):
            latest_v = max(latest_v, str(v["updatedAt"]), str(v["product"]["updatedAt"]))
            key = self._key(v.get("sku"), v.get("barcode"))
            sku = by_barcode.get(key or "") if self._match == "barcode" else key
            if not sku:
                continue
            ref = f"shopify variant {v['id']} at {v['updatedAt']}"
            product = v["product"]
            title = str(product["title"]) if v["title"] == "Default Title" else \
                f"{product['title']} {v['title']}"
            changes.append(InboundChange("name", sku, title, ref))
            changes.append(InboundChange("active", sku, product["status"] == "ACTIVE", ref))
            minor = int((Decimal(str(v["price"])) * (10 ** places)).to_integral_value())
            changes.append(InboundChange("price", sku, minor, ref, currency))
        levels = dict(state.get("levels") or {})
        # levels only where Shopify owns stock: a web shop's stock legitimately differs
        # from the till's, and the till's own movements reach Shopify as deltas
        codes = {loc.id: loc.code for loc in catalog.locations()
                 if self._sor["stock"] != POS}
        items = {v.item: v.sku for v in self._variants().values()}
        if self._match == "barcode":
            items = {v.item: by_barcode.get(k, "") for k, v in self._variants().items()}
        for pos_id, code in sorted(codes.items()):
            gid = self._location(pos_id)
            if gid in (None, NOT_SYNCED):
                continue
            assert gid is not None
            since = levels.get(code, "")
            for lv in self._pages(LEVELS, ["location", "inventoryLevels"],
                                  {"id": gid, "q": _since(since)}, "levels", max_wait=30):
                since = max(since, str(lv["updatedAt"]))
                sku = items.get(str(lv["item"]["id"]))
                if not sku or not lv["quantities"]:
                    continue
                changes.append(InboundChange(
                    "stock_count", sku, str(lv["quantities"][0]["quantity"]),
                    f"shopify level {lv['item']['id']} at {lv['updatedAt']}", location=code))
            if since:
                levels[code] = since
        new = {"variants": latest_v, "levels": levels}
        return changes, (json.dumps(new, sort_keys=True) if latest_v or levels else cursor)

    def webhook(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """A Shopify webhook: None when its signature is wrong, ``duplicate`` when its
        event was seen before, else its topic (the listener then pulls)."""
        h = {k.lower(): v for k, v in headers.items()}
        if not self._hook_secret:
            return None
        expected = base64.b64encode(hmac.new(self._hook_secret.encode(), body,
                                             hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected.encode(), h.get("x-shopify-hmac-sha256", "").encode()):
            return None
        event = h.get("x-shopify-event-id") or h.get("x-shopify-webhook-id") or ""
        with self._lock:
            if event and event in self._events:
                return DUPLICATE
            if event:
                self._events[event] = None
                while len(self._events) > 10_000:
                    self._events.popitem(last=False)
        return h.get("x-shopify-topic") or "?"

    # --- checks -------------------------------------------------------------------

    def test(self) -> str:
        currency, inclusive = self._facts()
        head = (f"{self._url} answered: shop in {currency}, prices "
                f"{'include' if inclusive else 'exclude'} tax")
        if self._catalog is None:
            return head
        report = self.mapping()
        problems = report.unmapped(self._unmatched)
        return "\n".join([head, *report.lines()] + (
            [f"unmapped: {', '.join(problems)}"] if problems else ["mapping complete"]))

    def close(self) -> None:
        self._client.close()


def _since(ts: str) -> str | None:
    if not ts:
        return None
    t = datetime.fromisoformat(ts.replace("Z", "+00:00")) - OVERLAP
    return f"updated_at:>='{t.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _count_values(mv: dict[str, Any], qty: Decimal) -> tuple[int, int] | None:
    """What the till held just before a count was posted and holds after it: the
    movement's ``on_hand_before`` (older events: the "counted N" of its reason, which is
    the same unless the till sold between counting and posting)."""
    if mv.get("on_hand_before") is not None:
        before = Decimal(str(mv["on_hand_before"]))
        if before != before.to_integral_value():
            return None
        return int(before), int(before + qty)
    counted = _counted(mv)
    return None if counted is None else (counted - int(qty), counted)


def _counted(mv: dict[str, Any]) -> int | None:
    """A count movement's reason ends with the counted quantity ("counted 30")."""
    reason = str(mv.get("reason") or "")
    if "counted " not in reason:
        return None
    word = reason.rsplit("counted ", 1)[1].split()[0]
    try:
        value = Decimal(word)
    except ArithmeticError:
        return None
    return int(value) if value == value.to_integral_value() else None


def _reference(payload: dict[str, Any], event_id: str) -> str:
    if payload.get("sale_id"):
        return f"gid://{APP}/Sale/{payload.get('ref') or payload['sale_id']}"
    return f"gid://{APP}/StockChange/{payload.get('ref') or event_id}".replace(" ", "-")


def _has_index(e: dict[str, Any]) -> bool:
    f = e.get("field") or []
    return len(f) >= 3 and str(f[2]).isdigit()


def _index(e: dict[str, Any], n: int) -> int:
    i = int((e.get("field") or ["", "", "0"])[2]) if _has_index(e) else 0
    return min(max(i, 0), n - 1)


def _barcode(code: str) -> str:
    code = code.strip()
    return code.lstrip("0") or code if code.isdigit() else code
