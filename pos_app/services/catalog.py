"""Catalog maintenance and lookups; local changes are announced through the outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.barcodes import normalize_barcode
from ..domain.catalog import NewProduct, NewVariant, TaxCategory, Variant
from ..domain.errors import NotFound, ValidationError
from ..domain.ids import new_id_str
from ..domain.money import format_plain
from ..domain.pricing import Promotion
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import CatalogReader, Store, Tx

if TYPE_CHECKING:
    from .catalog_io import ImportResult


def new_tax_category(code: str, name: str, rate: str) -> TaxCategory:
    """A validated tax category; ``rate`` is a fraction as text ("0.19" for 19 %)."""
    if not code.strip() or len(code) > 32:
        raise ValidationError("a tax category code is 1 to 32 characters")
    return TaxCategory(new_id_str(), code.strip(), name.strip() or code, parse_tax_rate(rate))


def parse_tax_rate(rate: str) -> Decimal:
    """A fraction as text ("0.19" for 19 %), at most the six places the store keeps."""
    try:
        value = Decimal(rate)
    except InvalidOperation as exc:
        raise ValidationError("not a tax rate: {rate!r}", rate=rate) from exc
    if not value.is_finite() or not Decimal(0) <= value < Decimal(1):
        raise ValidationError("a tax rate is a fraction between 0 and 1 (0.19 for 19 %)")
    if value != value.quantize(Decimal("0.000001")):
        raise ValidationError("tax rate {rate!r} has more than 6 decimals", rate=rate)
    return value


def require_variant(tx: Tx, sku: str) -> Variant:
    v = tx.variant_by_sku(sku)
    if v is None:
        raise NotFound("no item with SKU {sku!r}", sku=sku)
    return v


def price_changed(tx: Tx, ctx: TillContext, user: User, v: Variant, price: int) -> None:
    """The outbox event and audit entry of a price change (the caller wrote the price)."""
    tx.add_event("price.changed", "variant", v.id, {
        "variant_id": v.id, "sku": v.sku, "currency": ctx.currency, "old": v.price,
        "new": price})
    tx.append_audit(ctx.till_id, user.id, "price_change", v.sku, {"old": v.price, "new": price})


def product_payload(product: NewProduct, product_id: str, variant_ids: list[str],
                    currency: str) -> dict[str, object]:
    return {"product_id": product_id, "name": product.name, "category": product.category,
            "tax_code": product.tax_code, "sold_by_weight": product.sold_by_weight,
            "variants": [{"id": vid, "sku": v.sku, "size": v.size, "colour": v.colour,
                          "price": {"minor": v.price, "text": format_plain(v.price, currency)},
                          "barcodes": list(v.barcodes)}
                         for vid, v in zip(variant_ids, product.variants, strict=True)]}


def normalized_product(product: NewProduct) -> NewProduct:
    """Validate prices and normalise barcodes (UPC-A and EAN-13 become one GTIN-14)."""
    if not product.name.strip():
        raise ValidationError("a product needs a name")
    if not product.variants:
        raise ValidationError("a product needs at least one variant")
    if len(product.name) > 300 or len(product.category or "") > 200:
        raise ValidationError("{name}: name or category too long", name=product.name[:40])
    variants = []
    for v in product.variants:
        if not v.sku.strip():
            raise ValidationError("every variant needs a SKU")
        if len(v.sku) > 64 or len(v.size or "") > 50 or len(v.colour or "") > 50:
            raise ValidationError("{sku}: SKU (64), size or colour (50) too long", sku=v.sku[:64])
        if v.price < 0 or v.cost < 0:
            raise ValidationError("{sku}: prices cannot be negative", sku=v.sku)
        variants.append(NewVariant(v.sku.strip(), v.price,
                                   tuple(normalize_barcode(b) for b in v.barcodes), v.size,
                                   v.colour, v.cost, v.reorder_point))
    return NewProduct(product.name.strip(), product.tax_code, tuple(variants), product.category,
                      product.sold_by_weight, product.active)


def add_product_tx(tx: Tx, product: NewProduct, currency: str) -> tuple[str, list[str]]:
    """Insert one validated product with its outbox event, inside the caller's transaction."""
    skus = [v.sku for v in product.variants]
    codes = [b for v in product.variants for b in v.barcodes]
    if len(set(skus)) != len(skus) or len(set(codes)) != len(codes):
        raise ValidationError("{name}: duplicate SKU or barcode within the product",
                              name=product.name)
    if dup := tx.existing_skus(skus):
        raise ValidationError("SKU already exists: {skus}", skus=", ".join(sorted(dup)))
    if dup := tx.existing_barcodes(codes):
        raise ValidationError("barcode already exists: {barcodes}", barcodes=", ".join(sorted(dup)))
    pid, vids = tx.add_product(product)
    tx.add_event("product.created", "product", pid,
                 product_payload(product, pid, vids, currency))
    return pid, vids


@dataclass(slots=True)
class CatalogService:
    store: Store
    ctx: TillContext
    auth: AuthService
    reader: CatalogReader

    def add_tax_category(self, user: User | None, code: str, name: str,
                         rate: str) -> TaxCategory:
        if user is not None:
            self.auth.require(user, Permission.SETTINGS)
        tax = new_tax_category(code, name, rate)
        with self.store.tx(write=True) as tx:
            if any(t.code == code for t in tx.tax_categories()):
                raise ValidationError("tax category {code!r} already exists", code=code)
            tx.add_tax_category(tax)
            tx.append_audit(self.ctx.till_id, user.id if user else None, "settings_change",
                            f"tax:{code}", {"rate": rate, "name": name})
            tx.commit()
        return tax

    def tax_categories(self) -> list[TaxCategory]:
        with self.store.tx() as tx:
            return tx.tax_categories()

    def add_product(self, user: User, product: NewProduct) -> tuple[str, list[str]]:
        self.auth.require(user, Permission.CATALOG)
        product = normalized_product(product)
        with self.store.tx(write=True) as tx:
            result = add_product_tx(tx, product, self.ctx.currency)
            tx.commit()
        return result

    def add_promotion(self, user: User, promotion: Promotion) -> None:
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx(write=True) as tx:
            tx.add_promotion(promotion)
            tx.append_audit(self.ctx.till_id, user.id, "promotion_created", promotion.code, {})
            tx.commit()

    def variant(self, sku: str) -> Variant:
        with self.store.tx() as tx:
            return require_variant(tx, sku)

    def search(self, text: str, limit: int = 20) -> list[Variant]:
        return self.reader.search_variants(text, limit)

    def tiles(self, per_category: int = 12) -> dict[str, list[Variant]]:
        """The till's category pages: each category's first items (empty ones left out)."""
        if not 1 <= per_category <= 100:
            raise ValidationError("show 1 to 100 items per category")
        return {name: items for name, items in self.reader.category_tiles(per_category).items()
                if items}

    def import_csv(self, user: User, path: Path,
                   progress: Callable[[int, int], None] | None = None) -> ImportResult:
        """All rows or none; ``ImportRejected`` lists every bad row (see ``catalog_io``)."""
        from .catalog_io import import_catalog  # catalog_io builds on this module

        return import_catalog(self.store, self.ctx, self.auth, user, path, progress)

    def export_csv(self, user: User, path: Path) -> int:
        from .catalog_io import export_catalog

        self.auth.require(user, Permission.CATALOG)
        return export_catalog(self.store, path, self.ctx.currency)

    def set_price(self, user: User, sku: str, price: int) -> None:
        """Live at the till at once: carts read the price when the item is added."""
        self.auth.require(user, Permission.CATALOG)
        if price < 0:
            raise ValidationError("a price cannot be negative")
        with self.store.tx(write=True) as tx:
            v = require_variant(tx, sku)
            tx.set_price(v.id, price)
            price_changed(tx, self.ctx, user, v, price)
            tx.commit()
