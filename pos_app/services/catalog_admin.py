"""Back-office catalog editing: products, the size x colour matrix, prices, barcodes,
categories and tax categories.

Every write is one transaction with its audit entry and, where other systems keep a
copy of the catalog, an outbox event (``product.updated``, ``price.changed``). The till
reads through a separate connection (``CatalogReader``); WAL shows it each commit at
the next scan, so a price saved here is the price rung up next.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ..domain.backoffice import (
    CURSOR_SEP,
    CategoryRow,
    MatrixCell,
    Page,
    ProductDetail,
    ProductRow,
    TaxCategoryRow,
    VariantRow,
    check_limit,
    keyset_cursor,
    make_page,
    offset_cursor,
)
from ..domain.barcodes import normalize_barcode
from ..domain.catalog import NewVariant
from ..domain.errors import NotFound, StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.money import format_plain
from ..domain.quantity import fmt_qty, parse_qty
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .catalog import new_tax_category, parse_tax_rate, price_changed
from .ports import Store, Tx

DEFAULT_SKU_RULE = "{base}-{size}-{colour}"
_SKU_PART = re.compile(r"[^A-Z0-9]+")


def sku_part(text: str | None) -> str:
    """Upper-case letters and digits only: "Navy blue" -> "NAVYBLUE"."""
    return _SKU_PART.sub("", (text or "").upper())


def matrix_sku(rule: str, base: str, size: str | None, colour: str | None) -> str:
    """Apply a SKU rule; an empty part takes its separator with it ("TS--RED" -> "TS-RED")."""
    try:
        sku = rule.format(base=base, size=sku_part(size), colour=sku_part(colour))
    except (KeyError, IndexError, ValueError):
        raise ValidationError("bad SKU rule {rule!r}: use {{base}}, {{size}} and {{colour}}",
                              rule=rule) from None
    sku = re.sub(r"([-_./])[-_./]+", r"\1", sku).strip("-_./ ")
    if not sku or len(sku) > 64:
        raise ValidationError("the SKU rule gives {sku!r}: a SKU is 1 to 64 characters", sku=sku)
    return sku


def _labels(values: Sequence[str], what: str) -> list[str | None]:  # "size" or "colour"
    cleaned: list[str | None] = []
    seen: set[str] = set()
    for v in values:
        text = v.strip()
        if not text:
            continue
        if len(text) > 50:
            raise ValidationError("size {text!r}... is longer than 50 characters"
                                  if what == "size" else
                                  "colour {text!r}... is longer than 50 characters",
                                  text=text[:20])
        if text.casefold() not in seen:
            seen.add(text.casefold())
            cleaned.append(text)
    return cleaned or [None]


def _key(size: str | None, colour: str | None) -> tuple[str, str]:
    return (size or "").casefold(), (colour or "").casefold()


def _money(value: int, what: str) -> int:  # "price" or "cost"
    if value < 0:
        raise ValidationError("a price cannot be negative" if what == "price" else
                              "a cost cannot be negative")
    return value


@dataclass(slots=True)
class CatalogAdminService:
    store: Store
    ctx: TillContext
    auth: AuthService

    # ----- reading ----------------------------------------------------------------------
    def products(self, user: User, search: str | None = None, *,
                 category_id: str | None = None, limit: int = 50,
                 after: str | None = None) -> Page[ProductRow]:
        """Products by name, a page at a time; ``search`` matches words of a variant's
        name or SKU (prefixes), an exact SKU or a barcode."""
        self.auth.require(user, Permission.CATALOG)
        check_limit(limit)
        with self.store.tx() as tx:
            if search and search.strip():
                start = offset_cursor(after)
                try:
                    barcode: str | None = normalize_barcode(search)
                except ValidationError:
                    barcode = None  # not a barcode: the words still search
                rows = tx.search_products(search.strip(), barcode, start, limit + 1)
                return make_page(rows, limit, lambda _r: f"#{start + limit}")
            rows = tx.browse_products(keyset_cursor(after), limit + 1, category_id)
        return make_page(rows, limit, lambda r: f"{r.name}{CURSOR_SEP}{r.id}")

    def product(self, user: User, product_id: str) -> ProductDetail:
        """One product with its variants, barcodes, prices, costs and reorder points."""
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx() as tx:
            return self._detail(tx, product_id)

    @staticmethod
    def _detail(tx: Tx, product_id: str) -> ProductDetail:
        detail = tx.product_detail(product_id)
        if detail is None:
            raise NotFound("no product {product_id}", product_id=product_id)
        return detail

    def find_variant(self, user: User, code: str) -> VariantRow:
        """A variant by SKU or barcode (any GTIN spelling)."""
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx() as tx:
            v = tx.variant_by_sku(code.strip())
            if v is None:
                try:
                    v = tx.variant_by_barcode(normalize_barcode(code))
                except ValidationError:
                    v = None
            if v is None:
                raise NotFound("no item with SKU or barcode {code!r}", code=code.strip())
            return self._variant_row(tx, v.product_id, v.id)

    def _variant_row(self, tx: Tx, product_id: str, variant_id: str) -> VariantRow:
        return next(r for r in self._detail(tx, product_id).variants if r.id == variant_id)

    def _variant_and_product(self, tx: Tx, variant_id: str) -> tuple[VariantRow, ProductDetail]:
        v = tx.variant_by_id(variant_id)
        if v is None:
            raise NotFound("no variant {variant_id}", variant_id=variant_id)
        detail = self._detail(tx, v.product_id)
        return next(r for r in detail.variants if r.id == variant_id), detail

    # ----- products ----------------------------------------------------------------------
    def edit_product(self, user: User, product_id: str, *, name: str,
                     category_id: str | None, tax_code: str, sold_by_weight: bool,
                     active: bool) -> ProductDetail:
        """Replace the product's own fields (variants keep theirs; their names follow)."""
        self.auth.require(user, Permission.CATALOG)
        name = name.strip()
        if not name or len(name) > 300:
            raise ValidationError("a product name is 1 to 300 characters")
        with self.store.tx(write=True) as tx:
            old = self._detail(tx, product_id)
            tax = next((t for t in tx.tax_categories() if t.code == tax_code), None)
            if tax is None:
                raise ValidationError("unknown tax category {tax_code!r}", tax_code=tax_code)
            category = None
            if category_id is not None:
                category = next((c for c in tx.category_rows() if c.id == category_id), None)
                if category is None:
                    raise ValidationError("no category {category_id}", category_id=category_id)
            new = {"name": name, "category": category.name if category else None,
                   "tax_code": tax.code, "sold_by_weight": sold_by_weight, "active": active}
            before = {"name": old.name, "category": old.category, "tax_code": old.tax_code,
                      "sold_by_weight": old.sold_by_weight, "active": old.active}
            changes = {k: {"old": before[k], "new": v} for k, v in new.items() if before[k] != v}
            if not changes:
                return old
            tx.update_product(product_id, name, category_id, tax.id, sold_by_weight, active)
            self._updated(tx, user, product_id, name, changes=changes)
            detail = self._detail(tx, product_id)
            tx.commit()
        return detail

    def _updated(self, tx: Tx, user: User, product_id: str, name: str, *,
                 changes: dict[str, Any] | None = None,
                 added: list[dict[str, Any]] | None = None,
                 variants: list[dict[str, Any]] | None = None) -> None:
        """``product.updated``: what changed on the product and its variants, old and new."""
        payload = {"product_id": product_id, "name": name, "changes": changes or {},
                   "variants_added": added or [], "variants_changed": variants or []}
        tx.add_event("product.updated", "product", product_id, payload)
        tx.append_audit(self.ctx.till_id, user.id, "product_updated", product_id,
                        {k: v for k, v in payload.items() if v and k != "product_id"})

    # ----- the size x colour matrix ------------------------------------------------------
    def plan_matrix(self, user: User, product_id: str, sizes: Sequence[str],
                    colours: Sequence[str], *, sku_rule: str = DEFAULT_SKU_RULE,
                    base_sku: str | None = None) -> list[MatrixCell]:
        """Every size x colour cell with the SKU the rule gives it; ``exists`` marks the
        combinations the product already has (they are skipped when adding)."""
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx() as tx:
            return self._plan(self._detail(tx, product_id), sizes, colours, sku_rule, base_sku)

    @staticmethod
    def _plan(detail: ProductDetail, sizes: Sequence[str], colours: Sequence[str],
              sku_rule: str, base_sku: str | None) -> list[MatrixCell]:
        base = (base_sku or "").strip() or sku_part(detail.name)[:12] or "ITEM"
        have = {_key(v.size, v.colour) for v in detail.variants}
        return [MatrixCell(s, c, matrix_sku(sku_rule, base, s, c), _key(s, c) in have)
                for s in _labels(sizes, "size") for c in _labels(colours, "colour")]

    def add_matrix(self, user: User, product_id: str, sizes: Sequence[str],
                   colours: Sequence[str], *, price: int, cost: int = 0,
                   reorder_point: Decimal = Decimal(0), sku_rule: str = DEFAULT_SKU_RULE,
                   base_sku: str | None = None) -> list[VariantRow]:
        """Add the grid's missing combinations at ``price``; all of them or, when one SKU
        is taken by another item, none."""
        self.auth.require(user, Permission.CATALOG)
        _money(price, "price")
        _money(cost, "cost")
        reorder_point = parse_qty(reorder_point)
        if reorder_point < 0:
            raise ValidationError("a reorder point cannot be negative")
        with self.store.tx(write=True) as tx:
            detail = self._detail(tx, product_id)
            plan = [c for c in self._plan(detail, sizes, colours, sku_rule, base_sku)
                    if not c.exists]
            if not plan:
                return []
            skus = [c.sku for c in plan]
            if len(set(skus)) != len(skus):
                raise ValidationError("the SKU rule gives two cells the same SKU: add {size} "
                                      "and {colour} to it")
            if taken := tx.existing_skus(skus):
                raise ValidationError("SKU already exists: {skus}", skus=", ".join(sorted(taken)))
            ids = tx.add_variants(product_id, [
                NewVariant(c.sku, price, (), c.size, c.colour, cost, reorder_point)
                for c in plan])
            cur = self.ctx.currency
            self._updated(tx, user, product_id, detail.name, added=[
                {"id": vid, "sku": c.sku, "size": c.size, "colour": c.colour,
                 "price": {"minor": price, "text": format_plain(price, cur)}, "barcodes": []}
                for vid, c in zip(ids, plan, strict=True)])
            rows = [r for r in self._detail(tx, product_id).variants if r.id in set(ids)]
            tx.commit()
        return rows

    # ----- variants ----------------------------------------------------------------------
    def edit_variant(self, user: User, variant_id: str, *, price: int | None = None,
                     cost: int | None = None, reorder_point: Decimal | None = None,
                     active: bool | None = None) -> VariantRow:
        """Change what is given (None keeps it). A new price is live at the next scan."""
        self.auth.require(user, Permission.CATALOG)
        if price is not None:
            _money(price, "price")
        if cost is not None:
            _money(cost, "cost")
        if reorder_point is not None:
            reorder_point = parse_qty(reorder_point)
            if reorder_point < 0:
                raise ValidationError("a reorder point cannot be negative")
        with self.store.tx(write=True) as tx:
            old, detail = self._variant_and_product(tx, variant_id)
            after = replace(old, price=old.price if price is None else price,
                            cost=old.cost if cost is None else cost,
                            reorder_point=old.reorder_point if reorder_point is None
                            else reorder_point,
                            active=old.active if active is None else active)
            changed = {k: {"old": _plain(getattr(old, k)), "new": _plain(getattr(after, k))}
                       for k in ("price", "cost", "reorder_point", "active")
                       if getattr(old, k) != getattr(after, k)}
            if not changed:
                return old
            tx.update_variant(variant_id, after.price, after.cost, after.reorder_point,
                              after.active)
            if "price" in changed:
                variant = tx.variant_by_id(variant_id)
                assert variant is not None
                price_changed(tx, self.ctx, user, replace(variant, price=old.price),
                              after.price)
            others = {k: v for k, v in changed.items() if k != "price"}
            if others:
                self._updated(tx, user, detail.id, detail.name,
                              variants=[{"id": variant_id, "sku": old.sku, "changes": others}])
            row = self._variant_row(tx, detail.id, variant_id)
            tx.commit()
        return row

    def add_barcode(self, user: User, variant_id: str, code: str) -> str:
        """Store ``code`` for the variant in its canonical form (a GTIN as GTIN-14, its
        check digit verified); returns that form."""
        self.auth.require(user, Permission.CATALOG)
        normal = normalize_barcode(code)
        if len(normal) > 64:
            raise ValidationError("a barcode is at most 64 characters")
        with self.store.tx(write=True) as tx:
            old, detail = self._variant_and_product(tx, variant_id)
            owner = tx.barcode_owner(normal)
            if owner is not None:
                raise ValidationError("barcode {code} already belongs to {owner}",
                                      code=code.strip(), owner=owner)
            tx.add_barcode(variant_id, normal)
            self._updated(tx, user, detail.id, detail.name, variants=[
                {"id": variant_id, "sku": old.sku, "changes": {"barcodes": {"added": [normal]}}}])
            tx.commit()
        return normal

    def remove_barcode(self, user: User, variant_id: str, code: str) -> None:
        self.auth.require(user, Permission.CATALOG)
        try:
            normal = normalize_barcode(code)
        except ValidationError:
            normal = code.strip()  # a stored code that no longer validates can still go
        with self.store.tx(write=True) as tx:
            old, detail = self._variant_and_product(tx, variant_id)
            if not tx.remove_barcode(variant_id, normal):
                raise NotFound("{sku} has no barcode {code}", sku=old.sku, code=code.strip())
            self._updated(tx, user, detail.id, detail.name, variants=[
                {"id": variant_id, "sku": old.sku,
                 "changes": {"barcodes": {"removed": [normal]}}}])
            tx.commit()

    # ----- categories --------------------------------------------------------------------
    def categories(self, user: User) -> list[CategoryRow]:
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx() as tx:
            return tx.category_rows()

    def _check_category(self, rows: list[CategoryRow], category_id: str | None, name: str,
                        parent_id: str | None) -> str:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValidationError("a category name is 1 to 200 characters")
        if any(r.name.casefold() == name.casefold() and r.id != category_id for r in rows):
            raise ValidationError("category {name!r} already exists", name=name)
        parents = {r.id: r.parent_id for r in rows}
        if parent_id is not None:
            if parent_id not in parents:
                raise ValidationError("no parent category {parent_id}", parent_id=parent_id)
            seen: set[str] = set()
            at: str | None = parent_id
            while at is not None:  # a category cannot sit below itself
                if at == category_id or at in seen:
                    raise ValidationError("a category cannot be placed inside itself")
                seen.add(at)
                at = parents.get(at)
        return name

    def add_category(self, user: User, name: str, parent_id: str | None = None) -> CategoryRow:
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx(write=True) as tx:
            name = self._check_category(tx.category_rows(), None, name, parent_id)
            row = CategoryRow(new_id_str(), name, parent_id, 0)
            tx.add_category(row.id, name, parent_id)
            tx.append_audit(self.ctx.till_id, user.id, "category_created", row.id,
                            {"name": name, "parent_id": parent_id})
            tx.commit()
        return row

    def edit_category(self, user: User, category_id: str, name: str,
                      parent_id: str | None = None) -> CategoryRow:
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx(write=True) as tx:
            rows = tx.category_rows()
            old = next((r for r in rows if r.id == category_id), None)
            if old is None:
                raise NotFound("no category {category_id}", category_id=category_id)
            name = self._check_category(rows, category_id, name, parent_id)
            tx.update_category(category_id, name, parent_id)
            tx.append_audit(self.ctx.till_id, user.id, "category_updated", category_id,
                            {"old": [old.name, old.parent_id], "new": [name, parent_id]})
            tx.commit()
        return CategoryRow(category_id, name, parent_id, old.products)

    def delete_category(self, user: User, category_id: str) -> None:
        """Only an empty category can go: products would silently lose theirs."""
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx(write=True) as tx:
            rows = tx.category_rows()
            old = next((r for r in rows if r.id == category_id), None)
            if old is None:
                raise NotFound("no category {category_id}", category_id=category_id)
            if old.products:
                raise StateError("category {name!r} still has {products} products: move them first",
                                 name=old.name, products=old.products)
            if any(r.parent_id == category_id for r in rows):
                raise StateError("category {name!r} has sub-categories: move them first",
                                 name=old.name)
            tx.delete_category(category_id)
            tx.append_audit(self.ctx.till_id, user.id, "category_deleted", category_id,
                            {"name": old.name})
            tx.commit()

    # ----- tax categories ----------------------------------------------------------------
    def tax_categories(self, user: User) -> list[TaxCategoryRow]:
        self.auth.require(user, Permission.CATALOG)
        with self.store.tx() as tx:
            return tx.tax_category_rows()

    def add_tax_category(self, user: User, code: str, name: str, rate: str) -> TaxCategoryRow:
        self.auth.require(user, Permission.SETTINGS)
        tax = new_tax_category(code, name, rate)
        with self.store.tx(write=True) as tx:
            if any(t.code.casefold() == tax.code.casefold() for t in tx.tax_categories()):
                raise ValidationError("tax category {code!r} already exists", code=tax.code)
            tx.add_tax_category(tax)
            tx.append_audit(self.ctx.till_id, user.id, "settings_change", f"tax:{tax.code}",
                            {"rate": str(tax.rate), "name": tax.name})
            tx.commit()
        return TaxCategoryRow(tax.id, tax.code, tax.name, tax.rate, 0)

    def edit_tax_category(self, user: User, tax_id: str, name: str,
                          rate: str) -> TaxCategoryRow:
        """A new rate applies from the next item rung up. Completed sales keep the rate
        they were sold at (each line and tax row stores its own), so past receipts, Z
        reports and reports do not change; lines already in an open cart keep theirs."""
        self.auth.require(user, Permission.SETTINGS)
        value = parse_tax_rate(rate)
        with self.store.tx(write=True) as tx:
            old = next((t for t in tx.tax_category_rows() if t.id == tax_id), None)
            if old is None:
                raise NotFound("no tax category {tax_id}", tax_id=tax_id)
            name = name.strip() or old.name
            if (name, value) == (old.name, old.rate):
                return old
            tx.update_tax_category(tax_id, name, value)
            tx.add_event("tax_category.changed", "tax_category", tax_id, {
                "code": old.code, "name": name, "old_rate": str(old.rate),
                "new_rate": str(value)})
            tx.append_audit(self.ctx.till_id, user.id, "settings_change", f"tax:{old.code}",
                            {"old": {"rate": str(old.rate), "name": old.name},
                             "new": {"rate": str(value), "name": name}})
            tx.commit()
        return TaxCategoryRow(tax_id, old.code, name, value, old.products)


def _plain(value: Any) -> Any:
    return fmt_qty(value) if isinstance(value, Decimal) else value

