"""The till's catalog lookups: a long-lived read-only sqlite3 connection per thread.

A scan must land in well under 2 ms at a million SKUs; opening an ORM session per
scan costs more than the query. WAL lets these readers see each commit as soon as
it is made, so a price change in the back office is live at the next scan.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from ..domain.catalog import Variant
from ..domain.pricing import Promotion
from ..services.ports import Store
from . import catalog_sql as q
from .db import BUSY_TIMEOUT_MS


class SqliteCatalogReader:
    def __init__(self, db_file: Path) -> None:
        self._path = db_file
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            # used by its own thread only; check_same_thread=False lets close() run anywhere
            con = sqlite3.connect(self._path, isolation_level=None,
                                  timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            con.execute("PRAGMA query_only=1")
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def _one(self, sql: str, params: dict[str, object]) -> Variant | None:
        row = self._con().execute(sql, params).fetchone()
        return q.to_variant(row) if row else None

    def variant_by_barcode(self, code: str) -> Variant | None:
        return self._one(q.BY_BARCODE, {"code": code})

    def variant_by_sku(self, sku: str) -> Variant | None:
        return self._one(q.BY_SKU, {"sku": sku})

    def search_variants(self, text: str, limit: int) -> list[Variant]:
        query = q.fts_query(text)
        if query is None:
            return []
        con = self._con()
        keys = [r[0] for r in con.execute(q.SEARCH_KEYS, {"q": query, "n": limit})]
        if not keys:
            return []
        sql, params = q.by_keys(keys)
        return [q.to_variant(r) for r in con.execute(sql, params)]

    def promotions_for(self, variant_ids: set[str]) -> list[Promotion]:
        if not variant_ids:
            return []
        sql, params = q.promotions(sorted(variant_ids))
        return q.to_promotions(self._con().execute(sql, params))

    def category_tiles(self, per_category: int) -> dict[str, list[Variant]]:
        con = self._con()
        return {name: [q.to_variant(r) for r in con.execute(
                    q.CATEGORY_ITEMS, {"c": cid, "n": per_category})]
                for cid, name in con.execute(q.CATEGORIES).fetchall()}

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()
        self._local = threading.local()


class StoreCatalogReader:
    """Same port over ordinary transactions (PostgreSQL and other servers)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def variant_by_barcode(self, code: str) -> Variant | None:
        with self._store.tx() as tx:
            return tx.variant_by_barcode(code)

    def variant_by_sku(self, sku: str) -> Variant | None:
        with self._store.tx() as tx:
            return tx.variant_by_sku(sku)

    def search_variants(self, text: str, limit: int) -> list[Variant]:
        with self._store.tx() as tx:
            return tx.search_variants(text, limit)

    def promotions_for(self, variant_ids: set[str]) -> list[Promotion]:
        with self._store.tx() as tx:
            return tx.promotions_for(variant_ids)

    def category_tiles(self, per_category: int) -> dict[str, list[Variant]]:
        with self._store.tx() as tx:
            return tx.category_tiles(per_category)

    def close(self) -> None:
        pass
