"""Catalog import and export as CSV (format: ``docs/catalog-csv.md``).

An import is all or nothing: every row is checked first and a bad file is refused
whole with one error per bad cell, so a shop never runs on a half-loaded price list.
Export streams from the store and replaces the target file atomically.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain.barcodes import normalize_barcode
from ..domain.catalog import NewProduct, NewVariant
from ..domain.errors import ValidationError
from ..domain.money import currency as lookup_currency
from ..domain.money import format_plain, parse_minor
from ..domain.quantity import fmt_qty, parse_qty
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .catalog import add_product_tx, normalized_product
from .ports import Store, Tx

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "export_catalog",
    "import_catalog",
]

COLUMNS: tuple[str, ...] = (
    "product", "sku", "size", "colour", "price", "cost", "tax", "category", "barcodes",
    "weighed", "reorder_point", "active",
)
REQUIRED_COLUMNS: frozenset[str] = frozenset({"product", "sku", "price", "tax"})
HEADER_ROW = 1
_BATCH = 500  # SKUs/barcodes per existence query: well under SQLite's bound-parameter limit
_BARCODE_SPLIT = re.compile(r"[|\s]+")
_TRUE = frozenset({"yes", "true", "1"})
_FALSE = frozenset({"no", "false", "0"})


@dataclass(frozen=True)
class RowError:
    """One problem, located the way a spreadsheet user finds it: file line and column."""

    row: int  # 1-based line number in the file; the header is row 1
    column: str  # a column name, "header" for the header row, "" for the row as a whole
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class ImportRejected(ValidationError):
    """The file was refused whole; ``errors`` lists every bad row so all can be fixed at once."""

    def __init__(self, errors: list[RowError]) -> None:
        n = len(errors)
        super().__init__("catalog file rejected: 1 error, nothing imported" if n == 1 else
                         "catalog file rejected: {n} errors, nothing imported", n=n)
        self.errors = errors

    def report(self, limit: int | None = None) -> str:
        """The summary line plus one line per error (the first ``limit`` of them)."""
        shown = self.errors if limit is None else self.errors[:limit]
        lines = [str(self), *(f"  {e}" for e in shown)]
        if len(shown) < len(self.errors):
            lines.append(f"  ... and {len(self.errors) - len(shown)} more")
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    products: int
    variants: int


@dataclass
class _Row:
    """One data row, parsed as far as its cells allow (None where a cell was bad)."""

    row: int
    sku: str | None = None
    tax: str | None = None
    price: int | None = None
    cost: int | None = 0
    size: str | None = None
    colour: str | None = None
    barcodes: list[tuple[str, str]] = field(default_factory=list)  # (normalized, as typed)
    reorder_point: Decimal | None = Decimal(0)
    ok: bool = True


@dataclass
class _Group:
    """Rows sharing product name and category: the variants of one product."""

    first_row: int
    name: str
    category: str | None
    tax: str | None
    weighed: bool | None
    active: bool | None
    rows: list[_Row] = field(default_factory=list)
    product: NewProduct | None = None


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, row: int, column: str, reason: str) -> None:
        self.items.append(RowError(row, column, reason))

    def sorted(self) -> list[RowError]:
        order = {c: i for i, c in enumerate(COLUMNS)}
        return sorted(self.items, key=lambda e: (e.row, order.get(e.column, -1)))


# --- reading -------------------------------------------------------------------------------


def _decoded_lines(raw: Iterable[bytes], errors: _Errors) -> Iterator[str]:
    """Decode line by line so a non-UTF-8 byte is reported on the line that holds it."""
    for number, line in enumerate(raw, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]  # BOM written by Excel's "CSV UTF-8"
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(number, "", "not UTF-8 text (save the file as \"CSV UTF-8\")")
            yield line.decode("utf-8", errors="replace")


def _check_header(cells: list[str]) -> tuple[list[str], str | None]:
    names = [c.strip().lower() for c in cells]
    problems = []
    if unknown := [n for n in names if n not in COLUMNS]:
        problems.append("unknown column(s): " + ", ".join(repr(n) for n in unknown))
    if dups := sorted({n for n in names if names.count(n) > 1}):
        problems.append("repeated column(s): " + ", ".join(dups))
    if missing := [c for c in COLUMNS if c in REQUIRED_COLUMNS and c not in names]:
        problems.append("missing required column(s): " + ", ".join(missing))
    return names, ("; ".join(problems) + f" (columns are: {', '.join(COLUMNS)})"
                   if problems else None)


def _money(text: str, code: str) -> int:
    value = parse_minor(text, code)
    if value < 0:
        raise ValidationError("{text!r} is negative", text=text)
    return value


def _flag(text: str, default: bool) -> bool:
    word = text.lower()
    if not word:
        return default
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValidationError("{text!r} is not yes/no (use yes, no, true, false, 1 or 0)", text=text)


def _reorder(text: str) -> Decimal:
    if not text:
        return Decimal(0)
    value = parse_qty(text)
    if value < 0:
        raise ValidationError("{text!r} is negative", text=text)
    return value


class _Reader:
    """Parses the whole file into product groups, collecting every error it can find."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.errors = _Errors()
        self.groups: dict[tuple[str, str | None], _Group] = {}
        self.sku_rows: dict[str, int] = {}
        self.barcode_rows: dict[str, tuple[int, str]] = {}
        self.rows = 0

    def read(self, path: Path) -> None:
        try:
            with path.open("rb") as raw:
                self._read(csv.reader(_decoded_lines(raw, self.errors), strict=True))
        except OSError as exc:
            raise ValidationError("cannot read {path}: {reason}", path=path,
                                  reason=exc.strerror or exc) from exc

    def _read(self, reader: Any) -> None:
        try:
            header = next(reader, None)
            if header is None or not any(c.strip() for c in header):
                self.errors.add(HEADER_ROW, "header",
                                f"a header row is required: {', '.join(COLUMNS)}")
                return
            names, problem = _check_header(header)
            if problem:
                self.errors.add(HEADER_ROW, "header", problem)
                return
            while True:
                start = reader.line_num + 1
                record = next(reader, None)
                if record is None:
                    break
                if any(c.strip() for c in record):  # blank lines and ",,,," are skipped
                    self.rows += 1
                    self._row(start, names, record)
        except csv.Error as exc:
            self.errors.add(reader.line_num, "", f"unreadable CSV: {exc}")
            return
        if self.rows == 0:
            self.errors.add(HEADER_ROW + 1, "", "the file has no data rows below the header")

    def _row(self, line: int, names: list[str], record: list[str]) -> None:
        n_errors = len(self.errors.items)
        if any(c.strip() for c in record[len(names):]):
            self.errors.add(line, "", f"{len(record)} fields, but the header has {len(names)}")
        cells = dict.fromkeys(COLUMNS, "")
        cells.update((n, c.strip()) for n, c in zip(names, record, strict=False))
        row = _Row(line)

        def cell(column: str, parse: Callable[[str], Any], default: Any = None) -> Any:
            text = cells[column]
            if not text and column in REQUIRED_COLUMNS:
                self.errors.add(line, column, "required, but empty")
                return None
            try:
                return parse(text) if text else default
            except ValidationError as exc:
                self.errors.add(line, column, str(exc))
                return None

        name = cell("product", str)
        row.sku = cell("sku", str)
        row.size = cells["size"] or None
        row.colour = cells["colour"] or None
        row.price = cell("price", lambda t: _money(t, self.code))
        row.cost = cell("cost", lambda t: _money(t, self.code), 0)
        row.tax = tax = cell("tax", str)
        category = cells["category"] or None
        weighed = cell("weighed", lambda t: _flag(t, False), False)
        row.reorder_point = cell("reorder_point", _reorder, Decimal(0))
        active = cell("active", lambda t: _flag(t, True), True)
        self._barcodes(row, cells["barcodes"])
        self._unique_sku(row)
        row.ok = len(self.errors.items) == n_errors
        if name is not None:
            self._group(row, name, category, tax, weighed, active)

    def _barcodes(self, row: _Row, text: str) -> None:
        for typed in (t for t in _BARCODE_SPLIT.split(text) if t):
            try:
                code = normalize_barcode(typed)
            except ValidationError as exc:
                self.errors.add(row.row, "barcodes", str(exc))
                continue
            if code in self.barcode_rows:
                first, first_typed = self.barcode_rows[code]
                same = "" if first_typed == typed else f" (same item as {first_typed!r})"
                where = "earlier in this row" if first == row.row else f"on row {first}"
                self.errors.add(row.row, "barcodes",
                                f"barcode {typed!r}{same} is already used {where}")
                continue
            self.barcode_rows[code] = (row.row, typed)
            row.barcodes.append((code, typed))

    def _unique_sku(self, row: _Row) -> None:
        if row.sku is None:
            return
        if row.sku in self.sku_rows:
            self.errors.add(row.row, "sku",
                            f"SKU {row.sku!r} is already used on row {self.sku_rows[row.sku]}")
        else:
            self.sku_rows[row.sku] = row.row

    def _group(self, row: _Row, name: str, category: str | None, tax: str | None,
               weighed: bool | None, active: bool | None) -> None:
        """Product-level cells must agree across a product's rows; the first row decides."""
        group = self.groups.get((name, category))
        if group is None:
            group = _Group(row.row, name, category, tax, weighed, active)
            self.groups[(name, category)] = group
        else:
            for column, mine, theirs in (("tax", tax, group.tax),
                                         ("weighed", weighed, group.weighed),
                                         ("active", active, group.active)):
                if mine is not None and theirs is not None and mine != theirs:
                    self.errors.add(row.row, column,
                                    f"differs from row {group.first_row} of the same product "
                                    "(product and category name one product)")
                    row.ok = False
        group.rows.append(row)

    def build(self) -> None:
        """Turn each clean group into a NewProduct through the catalog's own validation."""
        for group in self.groups.values():
            if not all(r.ok for r in group.rows) or group.tax is None:
                continue
            variants = tuple(
                NewVariant(r.sku or "", r.price or 0, tuple(c for c, _ in r.barcodes),
                           r.size, r.colour, r.cost or 0, r.reorder_point or Decimal(0))
                for r in group.rows)
            try:
                group.product = normalized_product(NewProduct(
                    group.name, group.tax, variants, group.category, bool(group.weighed),
                    bool(group.active)))
            except ValidationError as exc:
                self.errors.add(group.first_row, "product", str(exc))

    def check_store(self, tx: Tx) -> None:
        """Tax codes must exist; SKUs and barcodes must not (looked up in batches)."""
        taxes = {t.code for t in tx.tax_categories()}
        known = ", ".join(sorted(taxes)) or "none; add one first"
        for group in self.groups.values():
            for r in group.rows:
                if r.tax is not None and r.tax not in taxes:
                    self.errors.add(r.row, "tax",
                                    f"unknown tax category {r.tax!r} (known: {known})")
        for sku in _existing(list(self.sku_rows), tx.existing_skus):
            self.errors.add(self.sku_rows[sku], "sku", f"SKU {sku!r} already exists in the catalog")
        for code in _existing(list(self.barcode_rows), tx.existing_barcodes):
            line, typed = self.barcode_rows[code]
            self.errors.add(line, "barcodes", f"barcode {typed!r} already exists in the catalog")


def _existing(keys: list[str], lookup: Callable[[list[str]], set[str]]) -> Iterator[str]:
    """The keys the store already has, in file order, asking in bounded batches."""
    for i in range(0, len(keys), _BATCH):
        batch = keys[i:i + _BATCH]
        found = lookup(batch)
        yield from (k for k in batch if k in found)


def import_catalog(
    store: Store, ctx: TillContext, auth: AuthService, user: User, path: Path,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Add every product in the file, or none: raises ImportRejected listing all bad rows.

    Store-dependent checks run in the same write transaction as the inserts, so a SKU
    added by another till in between cannot slip through. ``progress(done, total)``
    counts products written.
    """
    auth.require(user, Permission.CATALOG)
    reader = _Reader(ctx.currency)
    reader.read(path)
    reader.build()
    clean = not reader.errors.items
    # A file already known to be bad is checked in a read transaction: no write lock held.
    with store.tx(write=clean) as tx:
        reader.check_store(tx)
        if reader.errors.items:
            raise ImportRejected(reader.errors.sorted())
        products = [(g.first_row, g.product) for g in reader.groups.values()
                    if g.product is not None]
        variants = 0
        for done, (first_row, product) in enumerate(products, start=1):
            try:
                add_product_tx(tx, product, ctx.currency)
            except ValidationError as exc:  # leaving without commit rolls everything back
                raise ImportRejected([RowError(first_row, "product", str(exc))]) from exc
            variants += len(product.variants)
            if progress is not None:
                progress(done, len(products))
        tx.append_audit(ctx.till_id, user.id, "catalog_import", path.name,
                        {"products": len(products), "variants": variants})
        tx.commit()
    return ImportResult(len(products), variants)


# --- writing -------------------------------------------------------------------------------


def _yes_no(value: object) -> str:
    return "yes" if value else "no"


def _export_row(r: dict[str, Any], code: str) -> list[str]:
    values = {
        "product": r["product"], "sku": r["sku"], "size": r["size"] or "",
        "colour": r["colour"] or "", "price": format_plain(r["price"], code),
        "cost": format_plain(r["cost"], code), "tax": r["tax"], "category": r["category"] or "",
        "barcodes": "|".join(sorted(r["barcodes"])), "weighed": _yes_no(r["weighed"]),
        "reorder_point": fmt_qty(r["reorder_point"]), "active": _yes_no(r["active"]),
    }
    return [str(values[c]) for c in COLUMNS]


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; directories cannot be opened on Windows)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):  # the file is complete either way
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def export_catalog(store: Store, path: Path, currency: str) -> int:
    """Write every variant as one row; returns the number of rows (header not counted).

    Rows stream from the database into a temporary file next to ``path`` which is
    renamed over it only when complete, so a crash never leaves half a catalog behind.
    """
    code = lookup_currency(currency).code
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            count = 0
            with store.tx() as tx:
                for row in tx.catalog_rows():
                    writer.writerow(_export_row(row, code))
                    count += 1
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)
    return count
