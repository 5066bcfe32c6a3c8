"""Bulk catalog loading for demo and benchmark stores (1,000,000 variants in minutes).

Plain DB-API ``executemany`` in large transactions with ``synchronous=OFF`` for the
load only; the store returns to ``synchronous=FULL`` and checkpoints when done. Every
row is written exactly as the ORM would write it (same formats, ids, FTS rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Engine

from ..domain.barcodes import gtin_check_digit, normalize_barcode
from ..domain.catalog import variant_label
from ..domain.ids import uuid7_sequence
from ..domain.store import TillContext
from .catalog_sql import search_text

CHUNK = 5000  # products per transaction


@dataclass
class BulkVariant:
    sku: str
    price: int
    cost: int
    barcodes: list[str]
    size: str | None = None
    colour: str | None = None


@dataclass
class BulkProduct:
    name: str
    category: str
    tax_code: str
    weighed: bool
    variants: list[BulkVariant] = field(default_factory=list)


@dataclass
class BulkStats:
    products: int = 0
    variants: int = 0


def _ts() -> str:
    return datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_load(engine: Engine, ctx: TillContext, products: Iterable[BulkProduct], *,
              seed: int = 42, progress: Callable[[int, int], None] | None = None,
              expected_variants: int | None = None) -> BulkStats:
    """Write products, variants, barcodes, search rows and opening stock."""
    rng = random.Random(seed)
    ids = uuid7_sequence()
    now = _ts()
    stats = BulkStats()
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        assert con is not None
        cur = con.cursor()
        cur.execute("PRAGMA synchronous=OFF")
        taxes = dict(cur.execute("SELECT code, id FROM tax_categories").fetchall())
        cats = dict(cur.execute("SELECT name, id FROM categories").fetchall())
        key = (cur.execute("SELECT COALESCE(MAX(key), 0) FROM variants").fetchone()[0])
        gtin_no = 0
        it = iter(products)
        while chunk := list(islice(it, CHUNK)):
            p_rows, v_rows, b_rows, s_rows, m_rows, l_rows = [], [], [], [], [], []
            c_rows = []
            for p in chunk:
                if p.category not in cats:
                    cats[p.category] = next(ids)
                    c_rows.append((cats[p.category], p.category))
                pid = next(ids)
                p_rows.append((pid, p.name, cats[p.category], taxes[p.tax_code],
                               int(p.weighed), 1, now))
                for v in p.variants:
                    key += 1
                    vid = next(ids)
                    name = variant_label(p.name, v.size, v.colour)
                    v_rows.append((vid, key, pid, v.sku, name, v.size, v.colour, v.price,
                                   v.cost, 0, 1, now))
                    codes = [normalize_barcode(c) for c in v.barcodes]
                    if not codes:
                        gtin_no += 1
                        body = f"590{gtin_no:09d}"
                        codes = ["0" + body + str(gtin_check_digit(body))]
                    b_rows.extend((c, vid) for c in codes)
                    s_rows.append((key, search_text(name, v.sku)))
                    qty = 0 if p.weighed else rng.randrange(0, 40) * 1000
                    if qty:
                        m_rows.append((next(ids), vid, ctx.location_id, qty, "receiving",
                                       "opening stock", None, None, now))
                        l_rows.append((vid, ctx.location_id, qty))
                stats.products += 1
                stats.variants += len(p.variants)
            cur.execute("BEGIN")
            cur.executemany("INSERT INTO categories (id, name, parent_id) VALUES (?, ?, NULL)",
                            c_rows)
            cur.executemany(
                "INSERT INTO products (id, name, category_id, tax_category_id, sold_by_weight,"
                " active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", p_rows)
            cur.executemany(
                "INSERT INTO variants (id, key, product_id, sku, name, size, colour, price, cost,"
                " reorder_point_milli, active, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                v_rows)
            cur.executemany("INSERT INTO barcodes (code, variant_id) VALUES (?, ?)", b_rows)
            cur.executemany("INSERT INTO variant_search (rowid, text) VALUES (?, ?)", s_rows)
            cur.executemany(
                "INSERT INTO stock_movements (id, variant_id, location_id, qty_milli, kind,"
                " reason, ref_id, user_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)", m_rows)
            cur.executemany(
                "INSERT INTO stock_levels (variant_id, location_id, on_hand_milli)"
                " VALUES (?, ?, ?)", l_rows)
            cur.execute("COMMIT")
            if progress is not None:
                progress(stats.variants, expected_variants or stats.variants)
        cur.execute("INSERT INTO variant_search(variant_search) VALUES ('optimize')")
        cur.execute("ANALYZE")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.close()
    finally:
        raw.close()
    return stats
