"""The catalog's read queries as SQL text, shared by the transactional repository and the
till's fast reader (plain sqlite3), so both return exactly the same rows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from ..domain.catalog import Variant, rate_from_ppm
from ..domain.pricing import BuyXGetY, Promotion, QuantityPrice
from ..domain.quantity import from_milli

_TOKEN = re.compile(r"\w+", re.UNICODE)

VARIANT = """
SELECT v.id, v.product_id, v.sku, v.name, v.price, v.cost, t.code, t.rate_ppm,
       p.sold_by_weight, v.active, p.active, c.name, v.size, v.colour, v.reorder_point_milli
FROM variants v
JOIN products p ON p.id = v.product_id
JOIN tax_categories t ON t.id = p.tax_category_id
LEFT JOIN categories c ON c.id = p.category_id
"""
BY_ID = VARIANT + " WHERE v.id = :id"
BY_SKU = VARIANT + " WHERE v.sku = :sku"
BY_BARCODE = VARIANT + " JOIN barcodes b ON b.variant_id = v.id WHERE b.code = :code"
SEARCH_KEYS = "SELECT rowid FROM variant_search WHERE variant_search MATCH :q LIMIT :n"
SEARCH_LIKE = VARIANT + " WHERE lower(v.name) LIKE :pattern AND v.active ORDER BY v.name LIMIT :n"
CATEGORIES = "SELECT id, name FROM categories ORDER BY name"
# The first items of a category, in the order they were added: the category index gives
# them without sorting the category (100,000 rows at a million SKUs).
CATEGORY_ITEMS = (VARIANT + " WHERE p.category_id = :c AND v.active AND p.active"
                  " ORDER BY p.rowid, v.rowid LIMIT :n")


def in_clause(name: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:name0, :name1, ...)`` and its parameters; works for sqlite3 and SQLAlchemy text()."""
    params = {f"{name}{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f":{k}" for k in params) + ")", params


def by_keys(keys: Sequence[int]) -> tuple[str, dict[str, Any]]:
    clause, params = in_clause("k", keys)
    return VARIANT + f" WHERE v.key IN {clause} AND v.active ORDER BY v.name", params


def promotions(variant_ids: Sequence[str]) -> tuple[str, dict[str, Any]]:
    clause, params = in_clause("v", variant_ids)
    sql = f"""
    SELECT p.code, p.kind, p.rule, i.variant_id FROM promotions p
    JOIN promotion_items i ON i.promotion_id = p.id
    WHERE p.active AND p.id IN (SELECT promotion_id FROM promotion_items
                                WHERE variant_id IN {clause})
    ORDER BY p.code"""
    return sql, params


def to_variant(row: Sequence[Any]) -> Variant:
    return Variant(
        id=row[0], product_id=row[1], sku=row[2], name=row[3], price=row[4], cost=row[5],
        tax_code=row[6], tax_rate=rate_from_ppm(row[7]), sold_by_weight=bool(row[8]),
        active=bool(row[9] and row[10]), category=row[11], size=row[12], colour=row[13],
        reorder_point=from_milli(row[14]),
    )


def to_promotions(rows: Iterable[Sequence[Any]]) -> list[Promotion]:
    grouped: dict[str, tuple[str, str, set[str]]] = {}
    for code, kind, rule, variant_id in rows:
        grouped.setdefault(code, (kind, rule, set()))[2].add(variant_id)
    result: list[Promotion] = []
    for code, (kind, rule_text, items) in grouped.items():
        rule = json.loads(rule_text)
        if kind == "quantity_price":
            result.append(QuantityPrice(code, frozenset(items), rule["quantity"], rule["price"]))
        else:
            result.append(BuyXGetY(code, frozenset(items), rule["buy"], rule["get"],
                                   Decimal(rule.get("percent_off", "100"))))
    return result


def fts_query(user_text: str) -> str | None:
    """Each word becomes a quoted prefix term; all must match (type-ahead semantics)."""
    tokens = _TOKEN.findall(user_text)
    if not tokens:
        return None
    return " ".join(f'"{t}"*' for t in tokens)


def search_text(name: str, sku: str) -> str:
    return f"{name} {sku}"
