"""Vendure (headless commerce) through its Admin GraphQL API.

Outbound, each POS stock movement (sales, refunds, adjustments, counts, transfers)
becomes a stock delta at the mapped variant and stock location, and POS price changes
are pushed while the POS owns prices. Inbound, variant names, enabled flags and prices
are pulled by ``updatedAt`` (see sync/inbound.py).

Exactly once without idempotency keys: Vendure's stock write
(``updateProductVariants(stockLevels)``) is an absolute set. So the connector reads
the variant's stock and the list of POS stock events already applied to it (the
ProductVariant custom field ``posStockEvents``, which every shop synced with a POS must
declare, see docs/architecture.md) and writes the new stock and the list with the event
added in one mutation, which Vendure commits in one transaction. A retry after an answer
lost on the way back, or after a crash before the engine recorded the acknowledgement,
finds the event in the list and writes nothing. The list keeps the newest
``record_size`` events per variant; an event older than all of them that is not among
them cannot be told apart and becomes a dead letter instead of a guess.

Caveat: Vendure has no compare-and-swap, so a stock change made at Vendure between the
read and the write (one round trip) is overwritten by the write.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from ..inbound import INBOUND_SCHEMA, POS, InboundChange, PosItem, system_of_record
from ..model import ConnectorConfig, Delivery, PermanentError, TransientError
from ..ports import PosCatalog, SecretStore
from ..retry import parse_retry_after
from .base import ConfigError, Setting, setting

log = logging.getLogger(__name__)

TYPE = "vendure"
PAGE = 100
NOT_SYNCED = "-"  # location.CODE=- : that POS location's stock stays out of Vendure
OVERLAP = timedelta(seconds=2)  # re-read a little before the cursor: a late commit is not lost
REINDEX_S = 60.0  # an unknown SKU re-reads Vendure's variants at most this often

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  __typename ... on ErrorResult { errorCode message } } }"""
CHANNEL = """{ activeChannel { code defaultCurrencyCode pricesIncludeTax } }"""
LOCATIONS = """query($skip: Int) { stockLocations(options: {skip: $skip, take: 100}) {
  totalItems items { id name } } }"""
VARIANT_FIELDS = """id sku name enabled updatedAt price priceWithTax currencyCode
  product { id enabled updatedAt }"""
VARIANTS = """query($o: ProductVariantListOptions) { productVariants(options: $o) {
  totalItems items { %s } } }"""
PRODUCTS = """query($o: ProductListOptions) { products(options: $o) {
  totalItems items { id updatedAt variants { %s } } } }"""
STOCK = """query($o: ProductVariantListOptions) { productVariants(options: $o) {
  items { id stockLevels { stockLocationId stockOnHand } customFields { %s } } } }"""
UPDATE = """mutation($input: [UpdateProductVariantInput!]!) {
  updateProductVariants(input: $input) { id } }"""


@dataclass
class MappingReport:
    """POS items and locations against the Vendure channel's variants and stock locations."""

    matched: int = 0
    pos_unmatched: list[str] = field(default_factory=list)  # POS SKUs with no variant
    vendure_only: list[str] = field(default_factory=list)  # Vendure SKUs the POS lacks
    locations: dict[str, str | None] = field(default_factory=dict)  # POS code -> Vendure
    problems: list[str] = field(default_factory=list)  # currency, tax mode, custom field

    def unmapped(self, unmatched_policy: str) -> list[str]:
        out = list(self.problems)
        out += [f"location.{code}" for code, where in self.locations.items() if where is None]
        if unmatched_policy == "refuse":
            out += [f"item {sku}" for sku in self.pos_unmatched]
        return out

    def lines(self) -> list[str]:
        out = [f"{self.matched} POS items matched Vendure variants"]
        for code, where in sorted(self.locations.items()):
            out.append(f"location {code} -> {where or 'UNMAPPED (set location.' + code + ')'}")
        if self.pos_unmatched:
            out.append(f"{len(self.pos_unmatched)} POS items not at Vendure: "
                       + ", ".join(self.pos_unmatched[:50])
                       + (" …" if len(self.pos_unmatched) > 50 else ""))
        if self.vendure_only:
            out.append(f"{len(self.vendure_only)} Vendure variants not in the POS: "
                       + ", ".join(self.vendure_only[:50])
                       + (" …" if len(self.vendure_only) > 50 else ""))
        out += [f"problem: {p}" for p in self.problems]
        return out


class VendureConnector:
    type = TYPE
    max_concurrency = 1  # a read-then-write per variant: one at a time
    schema: ClassVar[dict[str, Setting]] = {
        "url": Setting("Admin API URL, e.g. https://shop.example/admin-api", required=True),
        "username": Setting("administrator to log in as (with the password secret)"),
        "password": Setting("that administrator's password", secret=True),
        "token": Setting("a bearer session token instead of username/password", secret=True),
        "channel": Setting("channel token (vendure-token header); default channel if unset"),
        "location.*": Setting("Vendure stock location (name or id) per POS location code, "
                              "e.g. location.MAIN=Shop floor; '-' leaves one out"),
        "match": Setting("match POS items to variants by 'sku' or 'barcode'", default="sku"),
        "barcode_field": Setting("ProductVariant custom field holding the barcode "
                                 "(match=barcode)", default="barcode"),
        "unmatched": Setting("POS items with no variant: 'refuse' to start, or 'skip' them",
                             default="refuse"),
        "stock_field": Setting("ProductVariant custom field (text) recording the POS stock "
                               "events applied", default="posStockEvents"),
        "record_size": Setting("POS stock events remembered per variant", default="200"),
        "timeout_s": Setting("seconds to wait for an answer", default="10"),
        **INBOUND_SCHEMA,
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.name = config.name
        s = config.settings
        self._url = str(setting(config, self.schema, "url")).rstrip("/")
        self._user = str(s.get("username") or "")
        self._password = secrets.get(config.name, "password") or ""
        self._token = secrets.get(config.name, "token") or ""
        if not self._token and not (self._user and self._password):
            raise ConfigError(f"connector {config.name}: set username and password, or token")
        self._channel = str(s.get("channel") or "")
        self._locations = {k.split(".", 1)[1]: str(v) for k, v in s.items()
                           if k.startswith("location.")}
        self._match = str(setting(config, self.schema, "match"))
        self._unmatched = str(setting(config, self.schema, "unmatched"))
        if self._match not in ("sku", "barcode"):
            raise ConfigError("match is 'sku' or 'barcode'")
        if self._unmatched not in ("refuse", "skip"):
            raise ConfigError("unmatched is 'refuse' or 'skip'")
        self._barcode_field = str(setting(config, self.schema, "barcode_field"))
        self._field = str(setting(config, self.schema, "stock_field"))
        self._keep = max(10, int(setting(config, self.schema, "record_size")))
        self._sor = {t: system_of_record(s, t, TYPE, allowed=("catalog", "prices"))
                     for t in ("catalog", "prices", "stock")}
        self.pull_interval_s = float(setting(config, self.schema, "pull_interval_s"))
        self._client = httpx.Client(timeout=float(setting(config, self.schema, "timeout_s")),
                                    transport=transport, headers={"User-Agent": "pos-app-sync/1"})
        self._catalog: PosCatalog | None = None
        self._lock = threading.RLock()
        self._variant_ids: dict[str, str] | None = None  # match key -> Vendure variant id
        self._index_at = 0.0
        self._location_ids: dict[str, str] | None = None  # POS location id -> Vendure id
        self._channel_facts: tuple[str, bool] | None = None

    # --- plumbing -----------------------------------------------------------------

    def bind(self, catalog: PosCatalog) -> None:
        """The POS's items and locations, for the mapping (wired by the composition root)."""
        self._catalog = catalog

    def _headers(self) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        if self._channel:
            h["vendure-token"] = self._channel
        return h

    def _post(self, query: str, variables: dict[str, Any]) -> httpx.Response:
        try:
            r = self._client.post(self._url, json={"query": query, "variables": variables},
                                  headers=self._headers())
        except httpx.TimeoutException as exc:
            raise TransientError(f"no answer from {self._url} in time") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"cannot reach {self._url}: {exc.__class__.__name__}") from exc
        if r.status_code >= 500 or r.status_code in (408, 425, 429):
            raise TransientError(f"HTTP {r.status_code} from Vendure",
                                 parse_retry_after(r.headers.get("retry-after")))
        return r

    def _login(self) -> None:
        if not (self._user and self._password):
            raise TransientError("Vendure refused the token: set a new one (connector add "
                                 "--set token=…)")
        self._token = ""
        r = self._post(LOGIN, {"u": self._user, "p": self._password})
        data = r.json().get("data") or {}
        result = data.get("login") or {}
        token = r.headers.get("vendure-auth-token")
        if result.get("__typename") != "CurrentUser" or not token:
            # transient: fixing the credentials must not need every held event retried
            raise TransientError(f"Vendure refused the login of {self._user!r}: "
                                 f"{result.get('message') or r.status_code}")
        self._token = token

    def _call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """One GraphQL request; logs in first (and again once if the session expired)."""
        with self._lock:
            if not self._token:
                self._login()
            for attempt in (0, 1):
                r = self._post(query, variables or {})
                try:
                    body = r.json()
                except ValueError as exc:
                    raise TransientError(f"Vendure answered HTTP {r.status_code} without "
                                         "JSON") from exc
                errors = body.get("errors") or []
                codes = {(e.get("extensions") or {}).get("code") for e in errors}
                if errors and codes & {"FORBIDDEN", "UNAUTHORIZED"} and attempt == 0:
                    self._login()
                    continue
                if errors:
                    msg = "; ".join(str(e.get("message")) for e in errors)[:400]
                    if codes & {"FORBIDDEN", "UNAUTHORIZED"}:
                        raise TransientError(f"Vendure refused access: {msg}")
                    raise PermanentError(f"Vendure refused it: {msg}")
                if r.status_code >= 400:
                    raise PermanentError(f"HTTP {r.status_code} from Vendure: {r.text[:300]}")
                data: dict[str, Any] = body.get("data") or {}
                return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _pages(self, query: str, root: str, options: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            data = self._call(query, {"o": {**options, "skip": len(items), "take": PAGE}})
            page = data[root]["items"]
            items += page
            if len(page) < PAGE or len(items) >= data[root]["totalItems"]:
                return items

    def _facts(self) -> tuple[str, bool]:
        if self._channel_facts is None:
            ch = self._call(CHANNEL)["activeChannel"]
            self._channel_facts = (str(ch["defaultCurrencyCode"]), bool(ch["pricesIncludeTax"]))
        return self._channel_facts

    def _custom(self) -> str:
        return self._field + (f" {self._barcode_field}" if self._match == "barcode" else "")

    def _variants(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        q = VARIANTS % (VARIANT_FIELDS + f" customFields {{ {self._custom()} }}")
        return self._pages(q, "productVariants", options)

    def _key(self, v: dict[str, Any]) -> str | None:
        if self._match == "sku":
            return str(v["sku"]) if v.get("sku") else None
        code = (v.get("customFields") or {}).get(self._barcode_field)
        return _barcode(str(code)) or None if code else None

    @staticmethod
    def _item_keys(item: PosItem, match: str) -> list[str]:
        return [item.sku] if match == "sku" else [_barcode(b) for b in item.barcodes]

    def _index(self, refresh: bool = False) -> dict[str, str]:
        with self._lock:
            if self._variant_ids is None or refresh:
                index: dict[str, str] = {}
                for v in self._variants({"sort": {"id": "ASC"}}):
                    key = self._key(v)
                    if key:
                        index[key] = str(v["id"])
                self._variant_ids = index
                self._index_at = time.monotonic()
            return self._variant_ids

    def _vendure_locations(self) -> dict[str, str]:
        """Vendure stock location names and ids, both to the id."""
        out: dict[str, str] = {}
        skip = 0
        while True:
            data = self._call(LOCATIONS, {"skip": skip})["stockLocations"]
            for loc in data["items"]:
                out[str(loc["name"])] = str(loc["id"])
                out[str(loc["id"])] = str(loc["id"])
            skip += len(data["items"])
            if not data["items"] or skip >= data["totalItems"]:
                return out

    def _need_catalog(self) -> PosCatalog:
        if self._catalog is None:
            raise ConfigError(f"connector {self.name} is not bound to the POS catalog")
        return self._catalog

    # --- mapping ------------------------------------------------------------------

    def mapping(self) -> MappingReport:
        """Which POS items and locations have a Vendure counterpart (reads both sides)."""
        catalog = self._need_catalog()
        report = MappingReport()
        currency, inclusive = catalog.facts()
        v_currency, v_inclusive = self._facts()
        if v_currency != currency:
            report.problems.append(f"currency: the POS sells in {currency}, the Vendure "
                                   f"channel in {v_currency}")
        if v_inclusive != inclusive:
            pos, ven = ("include" if x else "exclude" for x in (inclusive, v_inclusive))
            report.problems.append(f"tax mode: POS prices {pos} tax, the Vendure channel's "
                                   f"{ven} it")
        try:
            self._call(STOCK % self._field, {"o": {"take": 1}})
        except PermanentError:
            report.problems.append(f"Vendure lacks the ProductVariant custom field "
                                   f"{self._field!r} (type text): declare it in the shop's "
                                   "config (see docs/architecture.md)")
        index = self._index(refresh=True)
        seen: set[str] = set()
        for item in catalog.items():
            keys = [k for k in self._item_keys(item, self._match) if k in index]
            if keys:
                report.matched += 1
                seen.update(keys)
            else:
                report.pos_unmatched.append(item.sku)
        report.vendure_only = sorted(k for k in index if k not in seen)
        vendure = self._vendure_locations()
        for loc in catalog.locations():
            want = self._locations.get(loc.code)
            report.locations[loc.code] = (
                "not synced" if want == NOT_SYNCED else f"{want} (id {vendure[want]})"
                if want and want in vendure else None)
        return report

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        """Unmapped values that stop the engine; empty (checked at delivery) while
        Vendure cannot be reached, so a till offline at start still sells and syncs."""
        try:
            return self.mapping().unmapped(self._unmatched)
        except TransientError as exc:
            log.warning("sync %s: cannot check the mapping now (%s); checking at delivery",
                        self.name, exc)
            return []

    def _location(self, pos_location_id: str) -> str | None:
        with self._lock:
            if self._location_ids is None:
                vendure = self._vendure_locations()
                ids: dict[str, str] = {}
                for loc in self._need_catalog().locations():
                    want = self._locations.get(loc.code)
                    if want == NOT_SYNCED:
                        ids[loc.id] = NOT_SYNCED
                    elif want and want in vendure:
                        ids[loc.id] = vendure[want]
                self._location_ids = ids
            return self._location_ids.get(pos_location_id)

    def _variant_for(self, item: PosItem) -> str | None:
        keys = self._item_keys(item, self._match)
        index = self._index()
        found = next((index[k] for k in keys if k in index), None)
        if found is None and time.monotonic() - self._index_at > REINDEX_S:
            index = self._index(refresh=True)  # created at Vendure since it was read?
            found = next((index[k] for k in keys if k in index), None)
        return found

    # --- outbound -----------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        if event.payload.get("source") == self.name:
            return "came from this Vendure: not sent back"
        if event.type == "stock.moved":
            return self._stock(delivery)
        if event.type == "price.changed":
            return self._price(delivery)
        return "not for vendure"

    def _stock(self, delivery: Delivery) -> str:
        event = delivery.event
        catalog = self._need_catalog()
        deltas: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        skus: dict[str, str] = {}
        unmatched: list[str] = []
        for mv in event.payload.get("movements", []):
            qty = Decimal(str(mv["qty"]))
            item = catalog.item(str(mv["variant_id"]))
            if item is None:
                raise PermanentError(f"stock event {event.id}: variant {mv['variant_id']} "
                                     "is not in the POS catalog")
            vid = self._variant_for(item)
            if vid is None:
                unmatched.append(item.sku)
                continue
            loc = self._location(str(mv["location_id"]))
            if loc is None:
                raise PermanentError(f"POS location {mv['location_id']} has no Vendure stock "
                                     "location: set location.CODE=NAME (or - to leave it out)")
            if loc == NOT_SYNCED:
                continue
            if qty != qty.to_integral_value():
                raise PermanentError(f"Vendure counts stock in whole units; {item.sku} moved "
                                     f"{qty} (leave weighed items out of Vendure and set "
                                     "unmatched=skip)")
            deltas[vid][loc] += int(qty)
            skus[vid] = item.sku
        applied = self._apply_stock(event.id, {v: {loc: d for loc, d in locs.items() if d}
                                               for v, locs in deltas.items()}, skus)
        if unmatched and self._unmatched == "refuse":
            raise PermanentError("no Vendure variant for SKU " + ", ".join(sorted(unmatched))
                                 + ": create it at Vendure (or set unmatched=skip), then retry;"
                                 " the other items of this event are applied already")
        return f"vendure: {applied} variant(s) adjusted" + (
            f", skipped unmatched {', '.join(sorted(unmatched))}" if unmatched else "")

    def _apply_stock(self, event_id: str, deltas: dict[str, dict[str, int]],
                     skus: dict[str, str]) -> int:
        with self._lock:  # read and write as one step within this process
            return self._read_then_write(event_id, {v: d for v, d in deltas.items() if d},
                                         skus)

    def _read_then_write(self, event_id: str, deltas: dict[str, dict[str, int]],
                         skus: dict[str, str]) -> int:
        if not deltas:
            return 0
        rows = self._call(STOCK % self._field, {"o": {
            "filter": {"id": {"in": sorted(deltas)}}, "take": len(deltas)}})["productVariants"]
        current = {str(r["id"]): r for r in rows["items"]}
        inputs = []
        for vid, by_loc in sorted(deltas.items()):
            row = current.get(vid)
            if row is None:
                raise PermanentError(f"Vendure variant {vid} ({skus[vid]}) is gone")
            record = ((row.get("customFields") or {}).get(self._field) or "").split()
            if event_id in record:
                continue  # applied before an answer was lost or a crash: never twice
            if len(record) >= self._keep and event_id < min(record):
                raise PermanentError(
                    f"cannot tell whether POS stock event {event_id} was applied to {skus[vid]}"
                    f" at Vendure (older than the {self._keep} it remembers): check its stock,"
                    " then skip or correct it")
            on_hand = {str(lv["stockLocationId"]): int(lv["stockOnHand"])
                       for lv in row["stockLevels"]}
            new = {loc: on_hand.get(loc, 0) + d for loc, d in sorted(by_loc.items())}
            low = [(loc, n) for loc, n in new.items() if n < 0]
            if low:
                raise PermanentError(
                    f"{skus[vid]} would go below zero at Vendure (stock location {low[0][0]}: "
                    f"{low[0][1]}): correct its stock there, then retry")
            levels = [{"stockLocationId": loc, "stockOnHand": n} for loc, n in new.items()]
            inputs.append({"id": vid, "stockLevels": levels,
                           "customFields": {self._field: " ".join([*record, event_id]
                                                                  [-self._keep:])}})
        if inputs:  # one mutation, one Vendure transaction: stock and record together
            self._call(UPDATE, {"input": inputs})
        return len(inputs)

    def _price(self, delivery: Delivery) -> str:
        p = delivery.event.payload
        if self._sor["prices"] != POS:
            return "prices come from vendure: not pushed"
        item = PosItem(str(p.get("variant_id")), str(p["sku"]), "", int(p["new"]), True)
        if self._match == "barcode":
            found = self._need_catalog().item(item.variant_id)
            item = found or item
        vid = self._variant_for(item)
        if vid is None:
            if self._unmatched == "skip":
                return f"{item.sku} is not at Vendure: skipped"
            raise PermanentError(f"no Vendure variant for SKU {item.sku}: create it at Vendure"
                                 " (or set unmatched=skip), then retry")
        currency, _ = self._facts()
        if p.get("currency") != currency:
            raise PermanentError(f"price in {p.get('currency')}, Vendure channel in {currency}")
        self._call(UPDATE, {"input": [{"id": vid, "price": int(p["new"])}]})
        return f"vendure variant {vid} price {p['new']}"

    # --- inbound ------------------------------------------------------------------

    def system_of_record(self, data_type: str) -> str:
        return self._sor.get(data_type, POS)

    def pull(self, cursor: str | None) -> tuple[list[InboundChange], str | None]:
        """Variants and products updated since the cursor (Vendure's ``updatedAt``),
        re-reading a short overlap: the changes are values, so reading one twice is a
        no-op."""
        options: dict[str, Any] = {"sort": {"updatedAt": "ASC"}}
        if cursor:
            since = datetime.fromisoformat(cursor.replace("Z", "+00:00")) - OVERLAP
            options["filter"] = {"updatedAt": {"after": since.isoformat()}}
        variants = {str(v["id"]): v for v in self._variants(options)}
        q = PRODUCTS % (VARIANT_FIELDS + f" customFields {{ {self._custom()} }}")
        latest = cursor or ""
        for prod in self._pages(q, "products", options):
            latest = max(latest, str(prod["updatedAt"]))
            for v in prod["variants"]:
                variants.setdefault(str(v["id"]), v)
        currency, inclusive = self._facts()
        by_barcode: dict[str, str] = {}
        if self._match == "barcode":
            by_barcode = {_barcode(b): i.sku for i in self._need_catalog().items()
                          for b in i.barcodes}
        changes: list[InboundChange] = []
        for v in variants.values():
            latest = max(latest, str(v["updatedAt"]))
            key = self._key(v)
            sku = by_barcode.get(key or "") if self._match == "barcode" else key
            if not sku:
                continue
            ref = f"vendure variant {v['id']} at {v['updatedAt']}"
            changes.append(InboundChange("name", sku, str(v["name"]), ref))
            changes.append(InboundChange("active", sku, bool(v["enabled"]) and bool(
                (v.get("product") or {}).get("enabled", True)), ref))
            if v.get("currencyCode", currency) == currency:
                price = v["priceWithTax"] if inclusive else v["price"]
                changes.append(InboundChange("price", sku, int(price), ref, currency))
        return changes, latest or None

    # --- checks -------------------------------------------------------------------

    def test(self) -> str:
        currency, inclusive = self._facts()
        head = (f"{self._url} answered: channel in {currency}, prices "
                f"{'include' if inclusive else 'exclude'} tax")
        if self._catalog is None:
            return head
        report = self.mapping()
        problems = report.unmapped(self._unmatched)
        return "\n".join([head, *report.lines()] + (
            [f"unmapped: {', '.join(problems)}"] if problems else ["mapping complete"]))

    def close(self) -> None:
        self._client.close()


def _barcode(code: str) -> str:
    """GTINs compare without their leading zeros (the POS keeps GTIN-14, a shop EAN-13)."""
    code = code.strip()
    return code.lstrip("0") or code if code.isdigit() else code
