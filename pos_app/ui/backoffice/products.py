"""Products: find, create and edit products and their variants (size × colour matrix,
prices, costs, reorder points, barcodes), categories, and CSV import/export.

A saved price is live at the till at once: the till reads each scan through its own
connection and sees every commit (tested in the back-office tests).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.backoffice import MatrixCell, ProductDetail, ProductRow, VariantRow
from ...domain.catalog import NewProduct, NewVariant
from ...domain.errors import ValidationError
from ...domain.money import format_plain, parse_minor
from ..i18n import refusal_text
from ..models import RIGHT, Column
from ..widgets import button, label, open_dialog, panel
from .page import FormDialog, Page, PageContext, Paged, Table


class ProductsPage(Page):
    title = QT_TRANSLATE_NOOP("ProductsPage", "Products")

    def __init__(self, ctx: PageContext) -> None:
        super().__init__(ctx)
        self.setObjectName("products_page")
        self.heading.setText(self.tr("Products"))
        f = self.fmt
        self.add_action(self.tr("Import CSV"), self.import_csv, "import_csv", icon_name="import")
        self.add_action(self.tr("Export CSV"), self.export_csv, "export_csv", icon_name="export")
        self.add_action(self.tr("Categories"), self.edit_categories, "edit_categories",
                        icon_name="menu")
        self.add_action(self.tr("New product"), self.new_product, "new_product", "primary",
                        "plus")
        self.stack = QStackedWidget()
        self.root.addWidget(self.stack, 1)

        # list
        listing = QWidget()
        lv = QVBoxLayout(listing)
        lv.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.search = self.search_box(self.tr("Name, SKU or barcode"),
                                      lambda _t: self.paged.reload(), "product_search")
        row.addWidget(self.search, 3)
        self.category = QComboBox()
        self.category.setObjectName("category_filter")
        self.category.currentIndexChanged.connect(lambda _i: self.paged.reload())
        row.addWidget(self.category, 1)
        lv.addLayout(row)
        self.table: Table[ProductRow] = Table([
            Column(self.tr("Product"), lambda r: r.name),
            Column(self.tr("Category"), lambda r: r.category or ""),
            Column(self.tr("Tax"), lambda r: r.tax_code),
            Column(self.tr("Variants"), lambda r: str(r.variants), RIGHT, lambda r: r.variants),
            Column(self.tr("Price"), lambda r: f.money(r.min_price) if r.min_price == r.max_price
                   else f"{f.money(r.min_price)} – {f.money(r.max_price)}", RIGHT,
                   lambda r: r.min_price),
            Column(self.tr("Active"), lambda r: self.tr("yes") if r.active else self.tr("no")),
        ], "products_table")
        self.table.activated_row.connect(lambda r: self.open_product(r.id))
        lv.addWidget(self.table, 1)
        self.paged: Paged[ProductRow] = Paged(self, self.table, self._fetch, "products_more")
        lv.addWidget(self.paged.more)
        self.stack.addWidget(listing)
        self.listing = listing
        self.editor = ProductEditor(self)
        self.stack.addWidget(self.editor)
        self.finish()
        self._categories_loaded = False

    def _fetch(self, cursor: str | None) -> Any:
        text = self.search.text().strip() or None
        return self.ctx.app.catalog_admin.products(self.user, text,
                                                   category_id=self.category.currentData(),
                                                   after=cursor)

    def refresh(self) -> None:
        if not self._categories_loaded:
            self._categories_loaded = True
            self.call(self.ctx.app.catalog_admin.categories, done=self._show_categories)
        self.stack.setCurrentWidget(self.listing)
        self.paged.reload()

    def edit_categories(self) -> None:
        open_dialog(CategoriesDialog(self), name="categories_dialog")

    def reload_categories(self) -> None:
        self.call(self.ctx.app.catalog_admin.categories, done=self._show_categories)

    def _show_categories(self, rows: list[Any]) -> None:
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("All categories"), None)
        for c in rows:
            self.category.addItem(c.name, c.id)
        self.category.blockSignals(False)
        self.categories = rows

    def open_product(self, product_id: str) -> None:
        self.call(self.ctx.app.catalog_admin.product, product_id, done=self._edit)

    def _edit(self, detail: ProductDetail) -> None:
        self.editor.show_product(detail)
        self.stack.setCurrentWidget(self.editor)

    # --- new product
    def new_product(self) -> None:
        dlg = FormDialog(self, self.tr("New product"))
        dlg.text("name", self.tr("Name"))
        dlg.choice("category", self.tr("Category"),
                   [(self.tr("(none)"), None)] + [(c.name, c.name) for c in
                                                   getattr(self, "categories", [])])
        taxes = self.ctx.app.catalog.tax_categories
        dlg.choice("tax", self.tr("Tax"), [])
        self.ctx.tasks.run(taxes, done=lambda rows: [
            dlg.fields["tax"].addItem(f"{t.code} {self.fmt.percent(t.rate)}", t.code)  # type: ignore[attr-defined]
            for t in rows])
        dlg.text("sku", self.tr("SKU"))
        dlg.text("price", self.tr("Price"), placeholder="0.00")
        dlg.text("cost", self.tr("Cost"), placeholder="0.00")
        dlg.text("barcode", self.tr("Barcode"), placeholder=self.tr("optional"))
        weighed = QCheckBox(self.tr("Sold by weight (price per kg)"))
        weighed.setObjectName("field_weighed")
        dlg.form.addRow(weighed)

        def create() -> None:
            cur = self.fmt.currency
            try:
                product = NewProduct(
                    dlg.value("name"), dlg.value("tax") or "", (NewVariant(
                        dlg.value("sku"), parse_minor(dlg.value("price") or "0", cur),
                        tuple(x for x in [dlg.value("barcode")] if x),
                        cost=parse_minor(dlg.value("cost") or "0", cur)),),
                    dlg.value("category"), weighed.isChecked())
            except ValidationError as exc:
                dlg.show_error(refusal_text(exc))
                return

            def created(result: Any) -> None:
                dlg.accept()
                self.show_info(self.tr("Product created."))
                self.open_product(result[0])

            self.call(self.ctx.app.catalog.add_product, product, done=created,
                      failed=lambda exc: dlg.show_error(refusal_text(exc)))

        dlg.ok_button(self.tr("Create"), create)
        open_dialog(dlg, name="new_product_dialog")

    # --- CSV
    def import_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Import products"), "",
                                                  self.tr("CSV files (*.csv)"))
        if not path:
            return
        self.show_info(self.tr("Importing %1 ...").replace("%1", Path(path).name))

        def failed(exc: BaseException) -> None:
            from ...services.catalog_io import ImportRejected

            if isinstance(exc, ImportRejected):
                report = ImportReport(self, exc)
                open_dialog(report, name="import_report")
                self.show_error(refusal_text(exc))
            else:
                self.show_error(exc)

        def done(result: Any) -> None:
            self.show_info(self.tr("Imported %1 products with %2 variants.").replace(
                "%1", str(result.products)).replace("%2", str(result.variants)))
            self.refresh()

        self.call(self.ctx.app.catalog.import_csv, Path(path), done=done, failed=failed)

    def export_csv(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export products"),
                                                  "catalog.csv", self.tr("CSV files (*.csv)"))
        if not path:
            return
        self.call(self.ctx.app.catalog.export_csv, Path(path), done=lambda n: self.show_info(
            self.tr("Exported %1 rows to %2.").replace("%1", str(n)).replace("%2", path)))


class CategoriesDialog(FormDialog):
    """Add, rename and delete categories (only empty ones can go)."""

    def __init__(self, page: ProductsPage) -> None:
        super().__init__(page, QCoreApplication.translate("ProductsPage", "Categories"), 560)
        self.page = page
        self.list = QListWidget()
        self.list.setObjectName("category_list")
        self.list.setMinimumHeight(260)
        self.body.addWidget(self.list)
        self.name = QLineEdit()
        self.name.setObjectName("category_name")
        self.name.setPlaceholderText(self.tr("Name"))
        self.body.addWidget(self.name)
        row = QHBoxLayout()
        row.addWidget(button(self.tr("Add"), icon_name="plus", clicked=self.add,
                             name="add_category"))
        row.addWidget(button(self.tr("Rename"), icon_name="edit", clicked=self.rename,
                             name="rename_category"))
        row.addWidget(button(self.tr("Delete"), icon_name="trash", clicked=self.delete,
                             name="delete_category"))
        self.body.addLayout(row)
        self.add_button(self.tr("Close"), "primary", self.accept, name="close")
        self.list.currentRowChanged.connect(self._chosen)
        self.load()

    def _chosen(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        self.name.setText(str(item.data(Qt.ItemDataRole.UserRole + 1)) if item else "")

    def load(self) -> None:
        self.page.call(self.page.ctx.app.catalog_admin.categories, done=self._show)

    def _show(self, rows: list[Any]) -> None:
        self.list.clear()
        for c in rows:
            item = QListWidgetItem(self.tr("%1  (%2 products)").replace("%1", c.name).replace(
                "%2", str(c.products)))
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, c.name)
            self.list.addItem(item)
        self.page.reload_categories()

    def _current(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _done(self, _result: Any = None) -> None:
        self.error.hide()
        self.load()

    def add(self) -> None:
        self.page.call(self.page.ctx.app.catalog_admin.add_category, self.name.text(),
                       done=self._done, failed=lambda exc: self.show_error(refusal_text(exc)))

    def rename(self) -> None:
        cid = self._current()
        if cid is not None:
            self.page.call(self.page.ctx.app.catalog_admin.edit_category, cid,
                           self.name.text(), done=self._done,
                           failed=lambda exc: self.show_error(refusal_text(exc)))

    def delete(self) -> None:
        cid = self._current()
        if cid is not None:
            self.page.call(self.page.ctx.app.catalog_admin.delete_category, cid,
                           done=self._done, failed=lambda exc: self.show_error(refusal_text(exc)))


class ImportReport(FormDialog):
    """Every bad row of a rejected import, as the spreadsheet user finds it."""

    def __init__(self, parent: QWidget, exc: Any) -> None:
        super().__init__(parent, self.tr("The file was not imported"), 720)
        self.note(self.tr("Nothing was changed. Fix these rows and import the file again:"))
        view = QPlainTextEdit(exc.report())
        view.setObjectName("import_errors")
        view.setReadOnly(True)
        view.setMinimumHeight(320)
        self.body.addWidget(view)
        self.add_button(self.tr("Close"), "primary", self.accept, name="close")


class ProductEditor(QWidget):
    """One product: its fields, its variants, the matrix and barcodes."""

    def __init__(self, page: ProductsPage) -> None:
        super().__init__()
        self.page, self.fmt = page, page.fmt
        self.setObjectName("product_editor")
        self.detail: ProductDetail | None = None
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(button(self.tr("All products"), icon_name="back",
                             clicked=page.refresh, name="back_to_products"))
        self.title = label("", "title")
        top.addWidget(self.title, 1)
        root.addLayout(top)
        box = panel()
        grid = QGridLayout(box)
        grid.setContentsMargins(16, 12, 16, 12)
        self.name = QLineEdit()
        self.name.setObjectName("product_name")
        self.category = QComboBox()
        self.category.setObjectName("product_category")
        self.tax = QComboBox()
        self.tax.setObjectName("product_tax")
        self.weighed = QCheckBox(self.tr("Sold by weight"))
        self.active = QCheckBox(self.tr("For sale"))
        self.active.setObjectName("product_active")
        grid.addWidget(label(self.tr("Name")), 0, 0)
        grid.addWidget(self.name, 0, 1, 1, 3)
        grid.addWidget(label(self.tr("Category")), 1, 0)
        grid.addWidget(self.category, 1, 1)
        grid.addWidget(label(self.tr("Tax")), 1, 2)
        grid.addWidget(self.tax, 1, 3)
        grid.addWidget(self.weighed, 2, 1)
        grid.addWidget(self.active, 2, 2)
        grid.addWidget(button(self.tr("Save product"), "primary", clicked=self.save,
                              name="save_product"), 2, 3)
        root.addWidget(box)
        vrow = QHBoxLayout()
        vrow.addWidget(label(self.tr("Variants"), "subtitle"))
        vrow.addStretch(1)
        vrow.addWidget(button(self.tr("Add sizes × colours"), icon_name="plus",
                              clicked=self.matrix, name="add_matrix"))
        vrow.addWidget(button(self.tr("Edit variant"), icon_name="edit",
                              clicked=self.edit_current, name="edit_variant"))
        root.addLayout(vrow)
        f = self.fmt
        self.variants: Table[VariantRow] = Table([
            Column(self.tr("SKU"), lambda v: v.sku),
            Column(self.tr("Size"), lambda v: v.size or ""),
            Column(self.tr("Colour"), lambda v: v.colour or ""),
            Column(self.tr("Price"), lambda v: f.money(v.price), RIGHT, lambda v: v.price),
            Column(self.tr("Cost"), lambda v: f.money(v.cost) if v.cost else "–", RIGHT,
                   lambda v: v.cost),
            Column(self.tr("Reorder at"), lambda v: f.qty(v.reorder_point), RIGHT,
                   lambda v: v.reorder_point),
            Column(self.tr("Barcodes"), lambda v: ", ".join(v.barcodes)),
            Column(self.tr("For sale"), lambda v: self.tr("yes") if v.active else self.tr("no")),
        ], "variants_table")
        self.variants.activated_row.connect(self.edit_variant)
        root.addWidget(self.variants, 1)

    def show_product(self, detail: ProductDetail) -> None:
        self.detail = detail
        self.title.setText(detail.name)
        self.name.setText(detail.name)
        self.weighed.setChecked(detail.sold_by_weight)
        self.active.setChecked(detail.active)
        self.category.clear()
        self.category.addItem(self.tr("(none)"), None)
        for c in getattr(self.page, "categories", []):
            self.category.addItem(c.name, c.id)
        i = self.category.findData(detail.category_id)
        self.category.setCurrentIndex(max(i, 0))
        self.page.ctx.tasks.run(self.page.ctx.app.catalog.tax_categories,
                                done=self._taxes)
        self.variants.set_rows(list(detail.variants))

    def _taxes(self, rows: list[Any]) -> None:
        self.tax.clear()
        for t in rows:
            self.tax.addItem(f"{t.code} · {t.name} · {self.fmt.percent(t.rate)}", t.code)
        if self.detail is not None:
            self.tax.setCurrentIndex(max(self.tax.findData(self.detail.tax_code), 0))

    def reload(self) -> None:
        if self.detail is not None:
            self.page.open_product(self.detail.id)

    def save(self) -> None:
        d = self.detail
        if d is None:
            return
        self.page.call(self.page.ctx.app.catalog_admin.edit_product, d.id,
                       name=self.name.text(), category_id=self.category.currentData(),
                       tax_code=self.tax.currentData() or d.tax_code,
                       sold_by_weight=self.weighed.isChecked(), active=self.active.isChecked(),
                       done=lambda detail: (self.show_product(detail),
                                            self.page.show_info(self.tr("Saved."))))

    def edit_current(self) -> None:
        v = self.variants.current()
        if v is not None:
            self.edit_variant(v)

    def edit_variant(self, v: VariantRow) -> None:
        dlg = VariantDialog(self, self.fmt, v)

        def saved(d: VariantDialog) -> None:
            try:
                values = d.parsed()
            except (ValidationError, InvalidOperation) as exc:
                self.page.show_error(refusal_text(exc) if isinstance(exc, ValidationError)
                                     else self.tr("Enter numbers for price, cost and reorder "
                                                  "point."))
                return
            self.page.call(self.page.ctx.app.catalog_admin.edit_variant, v.id, **values,
                           done=lambda _r: (self.reload(), self.page.show_info(
                               self.tr("%1 saved; the till uses the new price at the next "
                                       "scan.").replace("%1", v.sku))))

        open_dialog(dlg, saved, "variant_dialog")

    def matrix(self) -> None:
        if self.detail is not None:
            open_dialog(MatrixDialog(self, self.page, self.detail), lambda _d: self.reload(),
                        "matrix_dialog")


class VariantDialog(FormDialog):
    def __init__(self, parent: QWidget, fmt: Any, v: VariantRow) -> None:
        super().__init__(parent, v.name)
        self.v, self.fmt = v, fmt
        cur = fmt.currency
        self.price = self.text("price", self.tr("Price"), format_plain(v.price, cur))
        self.cost = self.text("cost", self.tr("Cost"), format_plain(v.cost, cur))
        self.reorder = self.text("reorder", self.tr("Reorder point"), str(v.reorder_point))
        self.active = QCheckBox(self.tr("For sale"))
        self.active.setChecked(v.active)
        self.form.addRow(self.active)
        self.form.addRow(label(self.tr("Barcodes"), "subtitle"))
        self.barcodes = QListWidget()
        self.barcodes.setObjectName("barcode_list")
        self.barcodes.addItems(list(v.barcodes))
        self.barcodes.setMaximumHeight(120)
        self.form.addRow(self.barcodes)
        row = QHBoxLayout()
        self.new_code = QLineEdit()
        self.new_code.setObjectName("new_barcode")
        self.new_code.setPlaceholderText(self.tr("Scan or type a barcode"))
        row.addWidget(self.new_code, 1)
        row.addWidget(button(self.tr("Add"), clicked=self.add_code, name="add_barcode"))
        row.addWidget(button(self.tr("Remove"), clicked=self.remove_code, name="remove_barcode"))
        self.form.addRow(row)
        self.ok_button(self.tr("Save"), self.accept)
        self.new_code.returnPressed.connect(self.add_code)

    def parsed(self) -> dict[str, Any]:
        cur = self.fmt.currency
        return {"price": parse_minor(self.price.text(), cur),
                "cost": parse_minor(self.cost.text() or "0", cur),
                "reorder_point": Decimal(self.reorder.text().strip() or "0"),
                "active": self.active.isChecked()}

    def _page(self) -> ProductsPage:
        editor = self.parent()
        assert isinstance(editor, ProductEditor)
        return editor.page

    def add_code(self) -> None:
        code = self.new_code.text().strip()
        if not code:
            return
        self._page().call(self._page().ctx.app.catalog_admin.add_barcode, self.v.id, code,
                          done=lambda normal: (self.barcodes.addItem(normal),
                                               self.new_code.clear()),
                          failed=lambda exc: self.show_error(refusal_text(exc)))

    def remove_code(self) -> None:
        item = self.barcodes.currentItem()
        if item is None:
            return
        code = item.text()
        self._page().call(self._page().ctx.app.catalog_admin.remove_barcode, self.v.id, code,
                          done=lambda _r: self.barcodes.takeItem(self.barcodes.row(item)),
                          failed=lambda exc: self.show_error(refusal_text(exc)))


class MatrixDialog(FormDialog):
    """Sizes down, colours across: the plan shows each new SKU before anything is added."""

    def __init__(self, parent: QWidget, page: ProductsPage, detail: ProductDetail) -> None:
        super().__init__(parent, self.tr("Sizes × colours for %1").replace("%1", detail.name),
                         760)
        self.page, self.detail = page, detail
        cur = page.fmt.currency
        sizes = list(dict.fromkeys(v.size for v in detail.variants if v.size))
        colours = list(dict.fromkeys(v.colour for v in detail.variants if v.colour))
        self.existing = {(v.size, v.colour): v.sku for v in detail.variants}
        self.sizes = self.text("sizes", self.tr("Sizes"), ", ".join(sizes) or "S, M, L, XL")
        self.colours = self.text("colours", self.tr("Colours"), ", ".join(colours) or "Black")
        self.base = self.text("base", self.tr("SKU base"), _base_sku(detail))
        price = detail.variants[0].price if detail.variants else 0
        self.price = self.text("price", self.tr("Price of the new variants"),
                               format_plain(price, cur))
        self.rule = self.text("rule", self.tr("SKU rule"), "{base}-{size}-{colour}")
        self.grid = QGridLayout()
        self.grid.setSpacing(4)
        self.form.addRow(self.grid)
        self.summary = self.note("")
        self.add_button(self.tr("Preview"), clicked=self.preview, name="preview")
        self.ok_button(self.tr("Add variants"), self.add)
        self.preview()

    def _lists(self) -> tuple[list[str], list[str]]:
        split = lambda text: [x.strip() for x in text.split(",") if x.strip()]  # noqa: E731
        return split(self.sizes.text()), split(self.colours.text())

    def preview(self) -> None:
        sizes, colours = self._lists()
        self._seq = getattr(self, "_seq", 0) + 1
        seq = self._seq  # answers may come back out of order from the pool
        self.page.call(self.page.ctx.app.catalog_admin.plan_matrix, self.detail.id, sizes,
                       colours, sku_rule=self.rule.text(), base_sku=self.base.text() or None,
                       done=lambda cells: self._show(cells) if seq == self._seq else None,
                       failed=lambda exc: self.show_error(refusal_text(exc)))

    def _show(self, cells: list[MatrixCell]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        sizes = list(dict.fromkeys(c.size for c in cells))
        colours = list(dict.fromkeys(c.colour for c in cells))
        for j, colour in enumerate(colours):
            self.grid.addWidget(label(colour or "–", "subtitle"), 0, j + 1)
        for i, size in enumerate(sizes):
            self.grid.addWidget(label(size or "–", "subtitle"), i + 1, 0)
        new = 0
        for c in cells:
            sku = self.existing.get((c.size, c.colour), c.sku) if c.exists else c.sku
            cell = label(("✓ " if c.exists else "+ ") + sku, "muted" if c.exists else "")
            cell.setObjectName(f"cell_{sku}")
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setToolTip(self.tr("exists already") if c.exists else self.tr("will be added"))
            self.grid.addWidget(cell, sizes.index(c.size) + 1, colours.index(c.colour) + 1)
            new += not c.exists
        self.summary.setText(self.tr("%1 new variants; %2 exist already.").replace(
            "%1", str(new)).replace("%2", str(len(cells) - new)))

    def add(self) -> None:
        sizes, colours = self._lists()
        try:
            price = parse_minor(self.price.text(), self.page.fmt.currency)
        except ValidationError as exc:
            self.show_error(refusal_text(exc))
            return
        self.page.call(self.page.ctx.app.catalog_admin.add_matrix, self.detail.id, sizes,
                       colours, price=price, sku_rule=self.rule.text(),
                       base_sku=self.base.text() or None,
                       done=lambda rows: (self.page.show_info(self.tr(
                           "%1 variants added.").replace("%1", str(len(rows)))), self.accept()),
                       failed=lambda exc: self.show_error(refusal_text(exc)))


def _base_sku(detail: ProductDetail) -> str:
    """The part the product's SKUs share before the size (P207 of P207-S-WHITE)."""
    heads = {v.sku.split("-", 1)[0] for v in detail.variants if "-" in v.sku}
    return heads.pop() if len(heads) == 1 else ""
