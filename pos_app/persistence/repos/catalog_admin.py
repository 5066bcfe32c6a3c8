"""Back-office catalog queries: paged product lists, one product in full, edits, categories."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, text, tuple_, update

from ...domain.backoffice import CategoryRow, ProductDetail, ProductRow, TaxCategoryRow, VariantRow
from ...domain.catalog import rate_from_ppm, rate_to_ppm, variant_label
from ...domain.quantity import from_milli, to_milli
from .. import catalog_sql as q
from .. import models as m
from .base import RepoBase, utcnow

SEARCH_CAP = 5000  # variants a search looks at; type more to narrow it down


def _product_rows_query() -> Any:
    v = m.Variant
    count = select(func.count()).where(v.product_id == m.Product.id).scalar_subquery()
    low = select(func.min(v.price)).where(v.product_id == m.Product.id).scalar_subquery()
    high = select(func.max(v.price)).where(v.product_id == m.Product.id).scalar_subquery()
    return (select(m.Product.id, m.Product.name, m.Category.name, m.TaxCategory.code,
                   m.Product.sold_by_weight, m.Product.active, count, low, high)
            .join(m.TaxCategory, m.TaxCategory.id == m.Product.tax_category_id)
            .outerjoin(m.Category, m.Category.id == m.Product.category_id))


def _product_row(r: Any) -> ProductRow:
    return ProductRow(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), int(r[6] or 0),
                      int(r[7] or 0), int(r[8] or 0))


class CatalogAdminRepo(RepoBase):
    def browse_products(self, after: tuple[str, str] | None, limit: int,
                        category_id: str | None) -> list[ProductRow]:
        stmt = _product_rows_query()
        if after is not None:
            stmt = stmt.where(tuple_(m.Product.name, m.Product.id) > tuple_(*after))
        if category_id is not None:
            stmt = stmt.where(m.Product.category_id == category_id)
        stmt = stmt.order_by(m.Product.name, m.Product.id).limit(limit)
        return [_product_row(r) for r in self.session.execute(stmt)]

    def search_products(self, text_: str, barcode: str | None, offset: int,
                        limit: int) -> list[ProductRow]:
        """Products with a variant matching the words (name or SKU prefixes) or the code."""
        ids = set(self.session.scalars(
            select(m.Variant.product_id).join(m.Barcode, m.Barcode.variant_id == m.Variant.id)
            .where(m.Barcode.code.in_({text_, barcode or text_}))))
        ids.update(self.session.scalars(select(m.Variant.product_id)
                                        .where(m.Variant.sku == text_)))
        if self.session.get_bind().dialect.name == "sqlite":
            query = q.fts_query(text_)
            if query is not None:
                keys = select(text("rowid")).select_from(text("variant_search")).where(
                    text("variant_search MATCH :q")).limit(SEARCH_CAP).scalar_subquery()
                ids.update(self.session.scalars(
                    select(m.Variant.product_id).where(m.Variant.key.in_(keys)),
                    {"q": query}))
        else:
            ids.update(self.session.scalars(
                select(m.Variant.product_id)
                .where(func.lower(m.Variant.name).like(f"%{text_.lower()}%"))
                .limit(SEARCH_CAP)))
        if not ids:
            return []
        stmt = (_product_rows_query().where(m.Product.id.in_(sorted(ids)))
                .order_by(m.Product.name, m.Product.id).offset(offset).limit(limit))
        return [_product_row(r) for r in self.session.execute(stmt)]

    def product_detail(self, product_id: str) -> ProductDetail | None:
        row = self.session.execute(
            select(m.Product, m.TaxCategory.code, m.TaxCategory.rate_ppm, m.Category.name)
            .join(m.TaxCategory, m.TaxCategory.id == m.Product.tax_category_id)
            .outerjoin(m.Category, m.Category.id == m.Product.category_id)
            .where(m.Product.id == product_id)).first()
        if row is None:
            return None
        p: m.Product = row[0]
        variants = list(self.session.scalars(select(m.Variant).where(
            m.Variant.product_id == product_id).order_by(m.Variant.key)))
        codes: dict[str, list[str]] = {}
        if variants:
            for code, vid in self.session.execute(
                    select(m.Barcode.code, m.Barcode.variant_id)
                    .where(m.Barcode.variant_id.in_([v.id for v in variants]))
                    .order_by(m.Barcode.code)):
                codes.setdefault(vid, []).append(code)
        return ProductDetail(
            p.id, p.name, p.category_id, row[3], p.tax_category_id, row[1],
            rate_from_ppm(row[2]), p.sold_by_weight, p.active, p.updated_at,
            tuple(VariantRow(v.id, v.product_id, v.sku, v.name, v.size, v.colour, v.price,
                             v.cost, from_milli(v.reorder_point_milli), v.active,
                             tuple(codes.get(v.id, ()))) for v in variants))

    def update_product(self, product_id: str, name: str, category_id: str | None,
                       tax_category_id: str, sold_by_weight: bool, active: bool) -> None:
        old = self.session.scalar(select(m.Product.name).where(m.Product.id == product_id))
        now = utcnow()
        self.session.execute(update(m.Product).where(m.Product.id == product_id).values(
            name=name, category_id=category_id, tax_category_id=tax_category_id,
            sold_by_weight=sold_by_weight, active=active, updated_at=now))
        if old == name:
            return
        for v in self.session.scalars(select(m.Variant).where(m.Variant.product_id == product_id)):
            v.name, v.updated_at = variant_label(name, v.size, v.colour), now
            if self.session.get_bind().dialect.name == "sqlite":
                self.session.execute(text("UPDATE variant_search SET text = :t WHERE rowid = :k"),
                                     {"t": q.search_text(v.name, v.sku), "k": v.key})
        self.session.flush()

    def update_variant(self, variant_id: str, price: int, cost: int, reorder_point: Decimal,
                       active: bool) -> None:
        self.session.execute(update(m.Variant).where(m.Variant.id == variant_id).values(
            price=price, cost=cost, reorder_point_milli=to_milli(reorder_point), active=active,
            updated_at=utcnow()))

    def barcode_owner(self, code: str) -> str | None:
        return self.session.scalar(select(m.Variant.sku).join(
            m.Barcode, m.Barcode.variant_id == m.Variant.id).where(m.Barcode.code == code))

    def add_barcode(self, variant_id: str, code: str) -> None:
        self.session.execute(insert(m.Barcode).values(code=code, variant_id=variant_id))

    def remove_barcode(self, variant_id: str, code: str) -> bool:
        result = self.session.execute(delete(m.Barcode).where(
            m.Barcode.code == code, m.Barcode.variant_id == variant_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def category_rows(self) -> list[CategoryRow]:
        used = (select(func.count()).where(m.Product.category_id == m.Category.id)
                .scalar_subquery())
        return [CategoryRow(r[0], r[1], r[2], int(r[3])) for r in self.session.execute(
            select(m.Category.id, m.Category.name, m.Category.parent_id, used)
            .order_by(m.Category.name))]

    def add_category(self, category_id: str, name: str, parent_id: str | None) -> None:
        self.session.execute(insert(m.Category).values(id=category_id, name=name,
                                                       parent_id=parent_id))

    def update_category(self, category_id: str, name: str, parent_id: str | None) -> None:
        self.session.execute(update(m.Category).where(m.Category.id == category_id).values(
            name=name, parent_id=parent_id))

    def delete_category(self, category_id: str) -> None:
        self.session.execute(delete(m.Category).where(m.Category.id == category_id))

    def tax_category_rows(self) -> list[TaxCategoryRow]:
        used = (select(func.count()).where(m.Product.tax_category_id == m.TaxCategory.id)
                .scalar_subquery())
        return [TaxCategoryRow(r[0], r[1], r[2], rate_from_ppm(r[3]), int(r[4]))
                for r in self.session.execute(
                    select(m.TaxCategory.id, m.TaxCategory.code, m.TaxCategory.name,
                           m.TaxCategory.rate_ppm, used).order_by(m.TaxCategory.code))]

    def update_tax_category(self, tax_id: str, name: str, rate: Decimal) -> None:
        self.session.execute(update(m.TaxCategory).where(m.TaxCategory.id == tax_id).values(
            name=name, rate_ppm=rate_to_ppm(rate)))
