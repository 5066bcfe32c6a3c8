"""A real Vendure server (tests/vendure, npm ``@vendure/core`` on sql.js) on loopback, its
Admin API as a small client, and a fault-injecting proxy in front of it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from sync.inbound import PosItem

HERE = Path(__file__).parent / "vendure"
NODE = shutil.which("node")
INSTALLED = (HERE / "node_modules" / "@vendure" / "core").is_dir()
USER, PASSWORD = "superadmin", "superadmin-test-pw"
LOCATION = "Shop floor"
TAX = {"STD": ("Standard", 19), "RED": ("Reduced", 7)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Admin:
    """The Admin GraphQL API as the shop's staff would use it (bearer token)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=20)
        self.token = ""

    def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        r = self.client.post(self.url, json={"query": query, "variables": variables},
                             headers=headers)
        self.token = r.headers.get("vendure-auth-token", self.token)
        body = r.json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def login(self) -> None:
        data = self('mutation($u: String!, $p: String!) { login(username: $u, password: $p)'
                    ' { __typename } }', u=USER, p=PASSWORD)
        assert data["login"]["__typename"] == "CurrentUser", data

    def variant(self, sku: str) -> dict[str, Any]:
        data = self("query($s: String!) { productVariants(options: {filter: {sku: {eq: $s}}})"
                    " { items { id sku name enabled price priceWithTax stockLevels"
                    " { stockLocation { name } stockOnHand } customFields"
                    " { posStockEvents } } } }", s=sku)
        [v] = data["productVariants"]["items"]
        return v  # type: ignore[no-any-return]

    def stock(self, sku: str, location: str = LOCATION) -> int:
        return next((int(lv["stockOnHand"]) for lv in self.variant(sku)["stockLevels"]
                     if lv["stockLocation"]["name"] == location), 0)

    def stocks(self, skus: list[str]) -> dict[str, int]:
        return {s: self.stock(s) for s in skus}

    def set_price(self, sku: str, price: int) -> None:
        self("mutation($i: [UpdateProductVariantInput!]!) { updateProductVariants(input: $i)"
             " { id } }", i=[{"id": self.variant(sku)["id"], "price": price}])

    def seed(self, items: list[tuple[PosItem, str]], stock: int) -> None:
        """Tax zone and rates first (variants need them), the channel in EUR with gross
        prices, a stock location, then one product and variant per POS item."""
        zone = self('mutation { createZone(input: {name: "Europe"}) { id } }')["createZone"]["id"]
        cats = {}
        for code, (name, rate) in TAX.items():
            cat = self("mutation($n: String!) { createTaxCategory(input: {name: $n}) { id } }",
                       n=name)["createTaxCategory"]["id"]
            self("mutation($i: CreateTaxRateInput!) { createTaxRate(input: $i) { id } }",
                 i={"name": f"{name} EU", "enabled": True, "value": rate, "categoryId": cat,
                    "zoneId": zone})
            cats[code] = cat
        channel = self("{ activeChannel { id } }")["activeChannel"]["id"]
        self("mutation($i: UpdateChannelInput!) { updateChannel(input: $i) { __typename } }",
             i={"id": channel, "defaultTaxZoneId": zone, "defaultShippingZoneId": zone,
                "pricesIncludeTax": True, "defaultCurrencyCode": "EUR",
                "availableCurrencyCodes": ["EUR"]})
        loc = self("mutation($n: String!) { createStockLocation(input: {name: $n}) { id } }",
                   n=LOCATION)["createStockLocation"]["id"]
        for item, tax in items:
            slug = item.sku.lower()
            pid = self("mutation($i: CreateProductInput!) { createProduct(input: $i) { id } }",
                       i={"translations": [{"languageCode": "en", "name": item.name,
                                            "slug": slug, "description": ""}]}
                       )["createProduct"]["id"]
            self("mutation($i: [CreateProductVariantInput!]!) { createProductVariants("
                 "input: $i) { id } }", i=[{
                     "productId": pid, "sku": item.sku, "price": item.price,
                     "taxCategoryId": cats[tax], "customFields": {
                         "barcode": item.barcodes[0][-13:] if item.barcodes else None},
                     "stockLevels": [
                         {"stockLocationId": loc, "stockOnHand": stock}],
                     "translations": [{"languageCode": "en", "name": item.name}]}])


@dataclass
class VendureServer:
    workdir: Path
    webhook_url: str = ""
    webhook_secret: str = ""
    port: int = field(default_factory=free_port)
    boot_s: float = 0.0

    def __post_init__(self) -> None:
        assert NODE and INSTALLED, "node or tests/vendure/node_modules missing (.ci/run)"
        self.url = f"http://127.0.0.1:{self.port}/admin-api"
        env = {**os.environ, "VENDURE_PORT": str(self.port),
               "VENDURE_DB": str(self.workdir / "vendure.sqlite"),
               "VENDURE_SUPERADMIN_USER": USER, "VENDURE_SUPERADMIN_PASSWORD": PASSWORD,
               "VENDURE_WEBHOOK_URL": self.webhook_url,
               "VENDURE_WEBHOOK_SECRET": self.webhook_secret,
               "VENDURE_DISABLE_TELEMETRY": "true"}
        self.log = open(self.workdir / "vendure.log", "w")  # noqa: SIM115 - closed in stop()
        start = time.monotonic()
        self.proc = subprocess.Popen([NODE, str(HERE / "server.js")], cwd=HERE, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = start + 90
        while True:  # ready when the Admin API answers a query
            assert self.proc.poll() is None, (self.workdir / "vendure.log").read_text()[-3000:]
            try:
                r = httpx.post(self.url, json={"query": "{ __typename }"}, timeout=2)
                if r.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "Vendure did not answer within 90 s"
            time.sleep(0.1)  # poll interval while waiting for the server, not a sync point
        self.boot_s = time.monotonic() - start
        self.admin = Admin(self.url)
        self.admin.login()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@dataclass
class DropProxy:
    """Forwards every request to Vendure; for the next ``drop`` stock writes it lets
    Vendure commit, then closes the connection without answering (a lost answer)."""

    target: str
    drop: int = 0
    down: bool = False
    dropped: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if self.down:  # Vendure is unreachable: a gateway's answer
            h.send_response(503)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        headers = {k: v for k, v in h.headers.items()
                   if k.lower() in ("authorization", "content-type", "vendure-token")}
        r = httpx.post(self.target, content=body, headers=headers, timeout=20)
        with self.lock:
            lose = self.drop > 0 and b"updateProductVariants" in body
            if lose:
                self.drop -= 1
                self.dropped += 1
        if lose:  # Vendure has committed; the sender never hears it
            h.close_connection = True
            return
        h.send_response(r.status_code)
        for k in ("content-type", "vendure-auth-token"):
            if k in r.headers:
                h.send_header(k, r.headers[k])
        h.send_header("Content-Length", str(len(r.content)))
        h.end_headers()
        h.wfile.write(r.content)


@contextmanager
def drop_proxy(target: str) -> Iterator[DropProxy]:
    proxy = DropProxy(target)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            proxy.handle(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}/admin-api"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
