"""Catalog: indexed barcode/SKU lookups and full-text type-ahead; never the whole catalog in RAM."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, select, text, update

from ...domain.catalog import (
    NewProduct,
    NewVariant,
    TaxCategory,
    Variant,
    rate_from_ppm,
    rate_to_ppm,
    variant_label,
)
from ...domain.errors import ValidationError
from ...domain.ids import new_id_str
from ...domain.pricing import Promotion, QuantityPrice
from ...domain.quantity import from_milli, to_milli
from .. import catalog_sql as q
from .. import models as m
from .base import RepoBase, utcnow

BARCODE_SEP = "\x1f"  # unit separator: cannot occur in a barcode


class CatalogRepo(RepoBase):
    def _variant(self, sql: str, params: dict[str, Any]) -> Variant | None:
        row = self.session.execute(text(sql), params).first()
        return q.to_variant(row) if row else None

    def variant_by_id(self, variant_id: str) -> Variant | None:
        return self._variant(q.BY_ID, {"id": variant_id})

    def variant_by_barcode(self, code: str) -> Variant | None:
        return self._variant(q.BY_BARCODE, {"code": code})

    def variant_by_sku(self, sku: str) -> Variant | None:
        return self._variant(q.BY_SKU, {"sku": sku})

    def search_variants(self, text_: str, limit: int) -> list[Variant]:
        if self.session.get_bind().dialect.name != "sqlite":
            rows = self.session.execute(text(q.SEARCH_LIKE),
                                        {"pattern": f"%{text_.lower()}%", "n": limit})
            return [q.to_variant(r) for r in rows]
        query = q.fts_query(text_)
        if query is None:
            return []
        keys = self.session.execute(text(q.SEARCH_KEYS), {"q": query, "n": limit}).scalars()
        sql, params = q.by_keys(list(keys))
        if not params:
            return []
        return [q.to_variant(r) for r in self.session.execute(text(sql), params)]

    def category_tiles(self, per_category: int) -> dict[str, list[Variant]]:
        cats = self.session.execute(text(q.CATEGORIES)).all()
        return {name: [q.to_variant(r) for r in self.session.execute(
                    text(q.CATEGORY_ITEMS), {"c": cid, "n": per_category})]
                for cid, name in cats}

    def promotions_for(self, variant_ids: set[str]) -> list[Promotion]:
        if not variant_ids:
            return []
        sql, params = q.promotions(sorted(variant_ids))
        return q.to_promotions(self.session.execute(text(sql), params))

    def add_promotion(self, promotion: Promotion) -> None:
        if isinstance(promotion, QuantityPrice):
            kind, rule = "quantity_price", {"quantity": promotion.quantity,
                                            "price": promotion.price}
        else:
            kind, rule = "buy_x_get_y", {"buy": promotion.buy, "get": promotion.get,
                                         "percent_off": str(promotion.percent_off)}
        pid = new_id_str()
        self.session.add(m.Promotion(id=pid, code=promotion.code, kind=kind,
                                     rule=json.dumps(rule), active=True))
        self.session.flush()
        for vid in sorted(promotion.variant_ids):
            self.session.add(m.PromotionItem(promotion_id=pid, variant_id=vid))
        self.session.flush()

    def tax_categories(self) -> list[TaxCategory]:
        return [TaxCategory(t.id, t.code, t.name, rate_from_ppm(t.rate_ppm))
                for t in self.session.scalars(select(m.TaxCategory).order_by(m.TaxCategory.code))]

    def add_tax_category(self, tax: TaxCategory) -> None:
        self.session.add(m.TaxCategory(id=tax.id, code=tax.code, name=tax.name,
                                       rate_ppm=rate_to_ppm(tax.rate)))
        self.session.flush()

    def _category_id(self, name: str | None) -> str | None:
        if not name:
            return None
        cid = self.session.scalar(select(m.Category.id).where(m.Category.name == name))
        if cid is None:
            cid = new_id_str()
            self.session.add(m.Category(id=cid, name=name))
            self.session.flush()
        return cid

    def add_product(self, product: NewProduct) -> tuple[str, list[str]]:
        tax_id = self.session.scalar(
            select(m.TaxCategory.id).where(m.TaxCategory.code == product.tax_code))
        if tax_id is None:
            raise ValidationError("unknown tax category {tax_code!r}",
                                  tax_code=product.tax_code)
        now = utcnow()
        pid = new_id_str()
        self.session.add(m.Product(
            id=pid, name=product.name, category_id=self._category_id(product.category),
            tax_category_id=tax_id, sold_by_weight=product.sold_by_weight,
            active=product.active, updated_at=now))
        self.session.flush()
        return pid, self._insert_variants(pid, product.name, product.variants)

    def add_variants(self, product_id: str, variants: list[NewVariant]) -> list[str]:
        name = self.session.scalar(select(m.Product.name).where(m.Product.id == product_id))
        if name is None:
            raise ValidationError("no product {product_id}", product_id=product_id)
        return self._insert_variants(product_id, name, variants)

    def _insert_variants(self, product_id: str, product_name: str,
                         variants: Iterable[NewVariant]) -> list[str]:
        now = utcnow()
        key = (self.session.scalar(select(func.max(m.Variant.key))) or 0) + 1
        ids: list[str] = []
        for nv in variants:
            vid = new_id_str()
            name = variant_label(product_name, nv.size, nv.colour)
            self.session.add(m.Variant(
                id=vid, key=key, product_id=product_id, sku=nv.sku, name=name, size=nv.size,
                colour=nv.colour, price=nv.price, cost=nv.cost,
                reorder_point_milli=to_milli(nv.reorder_point), active=True, updated_at=now))
            self.session.flush()
            for code in nv.barcodes:
                self.session.add(m.Barcode(code=code, variant_id=vid))
            self._index_variant(key, name, nv.sku)
            ids.append(vid)
            key += 1
        self.session.flush()
        return ids

    def _index_variant(self, key: int, name: str, sku: str) -> None:
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(
                text("INSERT INTO variant_search(rowid, text) VALUES (:k, :t)"),
                {"k": key, "t": q.search_text(name, sku)})

    def existing_barcodes(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(codes), 500):
            found.update(self.session.scalars(
                select(m.Barcode.code).where(m.Barcode.code.in_(codes[i:i + 500]))))
        return found

    def existing_skus(self, skus: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(skus), 500):
            found.update(self.session.scalars(
                select(m.Variant.sku).where(m.Variant.sku.in_(skus[i:i + 500]))))
        return found

    def set_price(self, variant_id: str, price: int) -> None:
        self.session.execute(update(m.Variant).where(m.Variant.id == variant_id).values(
            price=price, updated_at=utcnow()))

    def catalog_rows(self) -> Iterator[dict[str, Any]]:
        agg = (func.string_agg if self.session.get_bind().dialect.name == "postgresql"
               else func.group_concat)
        barcodes = (select(agg(m.Barcode.code, BARCODE_SEP))
                    .where(m.Barcode.variant_id == m.Variant.id).scalar_subquery())
        stmt = (select(m.Product.name, m.Category.name, m.TaxCategory.code,
                       m.Product.sold_by_weight, m.Product.active, m.Variant.sku,
                       m.Variant.size, m.Variant.colour, m.Variant.price, m.Variant.cost,
                       m.Variant.reorder_point_milli, barcodes)
                .join(m.Product, m.Product.id == m.Variant.product_id)
                .join(m.TaxCategory, m.TaxCategory.id == m.Product.tax_category_id)
                .outerjoin(m.Category, m.Category.id == m.Product.category_id)
                .order_by(m.Product.name, m.Product.id, m.Variant.key))
        for r in self.session.execute(stmt.execution_options(yield_per=2000)):
            yield {"product": r[0], "category": r[1], "tax": r[2], "weighed": r[3],
                   "active": r[4], "sku": r[5], "size": r[6], "colour": r[7], "price": r[8],
                   "cost": r[9], "reorder_point": from_milli(r[10]),
                   "barcodes": (r[11] or "").split(BARCODE_SEP) if r[11] else []}
