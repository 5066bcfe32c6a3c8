"""Catalog CSV import/export against a real SQLite store: all-or-nothing, exact round trip."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from pos_app.domain.barcodes import normalize_gtin
from pos_app.domain.catalog import TaxCategory
from pos_app.domain.errors import PermissionDenied, ValidationError
from pos_app.domain.ids import new_id_str
from pos_app.domain.store import TillContext
from pos_app.domain.users import Role, User
from pos_app.persistence.db import SessionFactory, make_engine
from pos_app.persistence.migrate import upgrade
from pos_app.persistence.store import SqlStore
from pos_app.services.auth import AuthService
from pos_app.services.catalog_io import (
    COLUMNS,
    ImportRejected,
    RowError,
    export_catalog,
    import_catalog,
)

HEADER = ",".join(COLUMNS)
UPC_A = "036000291452"  # its EAN-13 spelling is 0036000291452
EAN_13 = "4006381333931"
EAN_8 = "96385074"


@dataclass
class Shop:
    folder: Path
    engine: Engine
    store: SqlStore
    ctx: TillContext
    auth: AuthService
    manager: User
    cashier: User

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            value = conn.exec_driver_sql(f"select count(*) from {table}").scalar()
        assert isinstance(value, int)
        return value

    def import_file(self, path: Path, **kw: Any) -> Any:
        return import_catalog(self.store, self.ctx, self.auth, self.manager, path, **kw)


def make_shop(folder: Path) -> Shop:
    engine = make_engine(folder / "pos.sqlite3")
    upgrade(engine, None, None)
    store = SqlStore(SessionFactory(engine))
    ctx = TillContext(new_id_str(), "S1", "Shop", new_id_str(), "T1", new_id_str(), "EUR")
    with store.tx(write=True) as tx:
        # create_store adds stores + locations in one flush with no relationship() between
        # them; SQLAlchemy 2.1 may insert the location first, so check FKs at commit.
        tx.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        tx.create_store(ctx, "MAIN", "Shop floor")
        tx.commit()
    auth = AuthService(store, ctx)
    manager = auth.create_user(None, "mgr", "Manager", Role.MANAGER, "1234")
    cashier = auth.create_user(None, "cas", "Cashier", Role.CASHIER, "1111")
    with store.tx(write=True) as tx:
        tx.add_tax_category(TaxCategory(new_id_str(), "STD", "Standard", Decimal("0.19")))
        tx.add_tax_category(TaxCategory(new_id_str(), "RED", "Reduced", Decimal("0.07")))
        tx.commit()
    return Shop(folder, engine, store, ctx, auth, manager, cashier)


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    folder = tmp_path / "shop"
    folder.mkdir()
    return make_shop(folder)


def write(path: Path, *lines: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\r\n".join(lines).encode() + b"\r\n")
    return path


def rejected(shop: Shop, path: Path) -> list[RowError]:
    with pytest.raises(ImportRejected) as info:
        shop.import_file(path)
    return info.value.errors


GOOD = (
    HEADER,
    f"Basic tee,TEE-S-RED,S,red,12.50,4.10,STD,Clothing,{EAN_13},no,5,yes",
    "Apples Elstar,APL-ELS,,,2.99,,RED,Fruit,,yes,2.5,",
    f"Basic tee,TEE-M-RED,M,red,12.5,4.1,STD,Clothing,{UPC_A}|INT-0042,no,5,yes",
    '"Pizza 12"", large",PIZ-12,,,8,,STD,,,,,no',
)


def test_good_file_imports_grouped_and_searchable(shop: Shop, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = shop.import_file(write(tmp_path / "cat.csv", *GOOD, bom=True),
                              progress=lambda done, total: calls.append((done, total)))

    assert (result.products, result.variants) == (3, 4)
    assert calls == [(1, 3), (2, 3), (3, 3)]
    with shop.store.tx() as tx:
        small, medium = tx.variant_by_sku("TEE-S-RED"), tx.variant_by_sku("TEE-M-RED")
        assert small is not None and medium is not None
        assert small.product_id == medium.product_id  # non-adjacent rows, one product
        assert (medium.name, medium.price, medium.cost, medium.size, medium.colour) == (
            "Basic tee (M / red)", 1250, 410, "M", "red")
        assert (medium.tax_code, medium.category, medium.reorder_point) == (
            "STD", "Clothing", Decimal(5))
        assert not medium.sold_by_weight and medium.active

        by_upc = tx.variant_by_barcode(normalize_gtin("0" + UPC_A))  # EAN-13 spelling
        assert by_upc is not None and by_upc.sku == "TEE-M-RED"
        internal = tx.variant_by_barcode("INT-0042")
        assert internal is not None and internal.sku == "TEE-M-RED"
        ean = tx.variant_by_barcode(normalize_gtin(EAN_13))
        assert ean is not None and ean.sku == "TEE-S-RED"

        apples = tx.variant_by_sku("APL-ELS")
        assert apples is not None
        assert apples.sold_by_weight and apples.active and apples.tax_code == "RED"
        assert apples.reorder_point == Decimal("2.5") and apples.cost == 0
        pizza = tx.variant_by_sku("PIZ-12")
        assert pizza is not None
        assert pizza.name == 'Pizza 12", large' and not pizza.active and pizza.category is None

        assert {v.sku for v in tx.search_variants("bas", 10)} == {"TEE-S-RED", "TEE-M-RED"}
        assert [v.sku for v in tx.search_variants("elS", 10)] == ["APL-ELS"]
        audit = [r for r in tx.audit_rows(shop.ctx.till_id) if r.action == "catalog_import"]
    assert len(audit) == 1
    assert (audit[0].actor_id, audit[0].subject) == (shop.manager.id, "cat.csv")
    assert json.loads(audit[0].details) == {"products": 3, "variants": 4}
    assert shop.count("outbox") == 3  # one product.created per product


BAD = (
    HEADER,
    "Good tee,G-1,,,10.00,,STD,,,,,",  # row 2 is fine but must not be imported
    "Bad price,B-1,,,12.5O,,STD,,,,,",  # 3
    "Quoted,B-2,,,-1,1.234,STD,,,,,",  # 4: negative price, 3 decimals in cost
    f"Dupe,G-1,,,1,,NOPE,,{EAN_13[:-1]}2,maybe,1.2345,sometimes",  # 5
    f',,,,,,,,"{UPC_A}\n0{UPC_A}",,,',  # 6-7: empty required cells, same GTIN twice
    f"Second,S-1,,,1,,STD,,0{UPC_A},,,",  # 8: EAN-13 spelling of row 6's UPC-A
    "Good tee,G-2,,,10.00,,RED,,,yes,,",  # 9: product-level cells differ from row 2
    "Good tee,G-3,,,10.00,,STD,,,,,,,x",  # 10: too many fields
)


def test_bad_rows_are_all_reported_and_nothing_is_written(shop: Shop, tmp_path: Path) -> None:
    before = (shop.count("variants"), shop.count("outbox"), shop.count("audit_log"))
    errors = rejected(shop, write(tmp_path / "bad.csv", *BAD))

    got = [(e.row, e.column) for e in errors]
    assert got == [
        (3, "price"),
        (4, "price"), (4, "cost"),
        (5, "sku"), (5, "tax"), (5, "barcodes"), (5, "weighed"), (5, "reorder_point"),
        (5, "active"),
        (6, "product"), (6, "sku"), (6, "price"), (6, "tax"), (6, "barcodes"),
        (8, "barcodes"),
        (9, "tax"), (9, "weighed"),
        (10, ""),
    ]
    reasons = {(e.row, e.column): e.reason for e in errors}
    assert "not an amount" in reasons[3, "price"]
    assert "negative" in reasons[4, "price"]
    assert "more decimals than EUR allows" in reasons[4, "cost"]
    assert reasons[5, "sku"] == "SKU 'G-1' is already used on row 2"
    assert "unknown tax category 'NOPE'" in reasons[5, "tax"]
    assert "RED" in reasons[5, "tax"] and "STD" in reasons[5, "tax"]
    assert "wrong check digit" in reasons[5, "barcodes"]
    assert "not yes/no" in reasons[5, "weighed"] and "not yes/no" in reasons[5, "active"]
    assert "more than 3 decimals" in reasons[5, "reorder_point"]
    assert reasons[6, "product"] == "required, but empty"
    assert "earlier in this row" in reasons[6, "barcodes"]
    assert reasons[8, "barcodes"] == (
        f"barcode '0{UPC_A}' (same item as '{UPC_A}') is already used on row 6")
    assert "differs from row 2" in reasons[9, "tax"]
    assert reasons[10, ""] == "14 fields, but the header has 12"

    after = (shop.count("variants"), shop.count("outbox"), shop.count("audit_log"))
    assert after == before
    with shop.store.tx() as tx:
        assert tx.variant_by_sku("G-1") is None


def test_rejection_message_and_report() -> None:
    exc = ImportRejected([RowError(3, "price", "not an amount: 'x'"), RowError(4, "", "bad")])
    assert isinstance(exc, ValidationError)
    assert str(exc) == "catalog file rejected: 2 errors, nothing imported"
    assert exc.report(limit=1).splitlines() == [
        "catalog file rejected: 2 errors, nothing imported",
        "  row 3, price: not an amount: 'x'",
        "  ... and 1 more",
    ]
    assert str(ImportRejected([RowError(1, "header", "x")])).startswith(
        "catalog file rejected: 1 error,")


@pytest.mark.parametrize(("lines", "reason"), [
    (("product,sku,price,tax,colours", "Tee,T,1,STD,red"), "unknown column(s): 'colours'"),
    (("product,price,sku", "Tee,1,T"), "missing required column(s): tax"),
    (("product,sku,price,tax,SKU", "Tee,T,1,STD,U"), "repeated column(s): sku"),
    (("",), "a header row is required"),
])
def test_header_problems_are_one_error_on_row_1(
        shop: Shop, tmp_path: Path, lines: tuple[str, ...], reason: str) -> None:
    errors = rejected(shop, write(tmp_path / "h.csv", *lines))
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (1, "header")
    assert reason in errors[0].reason


def test_header_only_and_blank_lines_are_no_data(shop: Shop, tmp_path: Path) -> None:
    errors = rejected(shop, write(tmp_path / "empty.csv", " Product , SKU,price,tax", "", ",,,"))
    assert errors == [RowError(2, "", "the file has no data rows below the header")]


def test_minimal_columns_and_case_insensitive_header(shop: Shop, tmp_path: Path) -> None:
    result = shop.import_file(write(tmp_path / "min.csv", "TAX,Price,sku,product",
                                    "STD,3,M-1,Mug", "", "STD,4,M-2,Mug"))
    assert (result.products, result.variants) == (1, 2)


def test_not_utf8_and_broken_quoting_name_the_line(shop: Shop, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\nCaf\xe9,C-1,,,1,,STD,,,,,\n".encode("latin-1"))
    assert [(e.row, e.column) for e in rejected(shop, path)] == [(2, "")]
    path = write(tmp_path / "quote.csv", HEADER, "Tee,T-1,,,1,,STD,,,,,", '"Tee,T-2,,,1')
    [error] = rejected(shop, path)
    assert error.row == 3 and "unreadable CSV" in error.reason


def test_clashes_with_the_store_are_reported(shop: Shop, tmp_path: Path) -> None:
    shop.import_file(write(tmp_path / "first.csv", *GOOD))
    variants, outbox = shop.count("variants"), shop.count("outbox")
    errors = rejected(shop, write(
        tmp_path / "second.csv", HEADER,
        "New thing,N-1,,,1,,STD,,,,,",
        "Other,TEE-S-RED,,,1,,STD,,,,,",
        f"Third,N-3,,,1,,STD,,0{UPC_A} INT-0042,,,",
    ))
    assert errors == [
        RowError(3, "sku", "SKU 'TEE-S-RED' already exists in the catalog"),
        RowError(4, "barcodes", f"barcode '0{UPC_A}' already exists in the catalog"),
        RowError(4, "barcodes", "barcode 'INT-0042' already exists in the catalog"),
    ]
    assert (shop.count("variants"), shop.count("outbox")) == (variants, outbox)


def test_cashier_may_not_import(shop: Shop, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_catalog(shop.store, shop.ctx, shop.auth, shop.cashier,
                       write(tmp_path / "cat.csv", *GOOD))
    assert shop.count("variants") == 0


def test_export_then_import_round_trips_exactly(shop: Shop, tmp_path: Path) -> None:
    shop.import_file(write(tmp_path / "in.csv", *GOOD))
    first = tmp_path / "out" / "first.csv"
    first.parent.mkdir()
    first.write_text("old contents")
    assert export_catalog(shop.store, first, "EUR") == 4
    with first.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [
        list(COLUMNS),
        ["Apples Elstar", "APL-ELS", "", "", "2.99", "0.00", "RED", "Fruit", "", "yes", "2.5",
         "yes"],
        ["Basic tee", "TEE-S-RED", "S", "red", "12.50", "4.10", "STD", "Clothing",
         "0" + EAN_13, "no", "5", "yes"],
        ["Basic tee", "TEE-M-RED", "M", "red", "12.50", "4.10", "STD", "Clothing",
         f"00{UPC_A}|INT-0042", "no", "5", "yes"],
        ['Pizza 12", large', "PIZ-12", "", "", "8.00", "0.00", "STD", "", "", "no", "0", "no"],
    ]

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    other = make_shop(fresh)
    result = other.import_file(first)
    assert (result.products, result.variants) == (3, 4)
    second = tmp_path / "out" / "second.csv"
    assert export_catalog(other.store, second, "EUR") == 4
    assert second.read_bytes() == first.read_bytes()
    assert sorted(p.name for p in first.parent.iterdir()) == ["first.csv", "second.csv"]


class _PatchedStore:
    """A real store whose transactions get ``patch`` applied: faults injected mid-way."""

    def __init__(self, store: SqlStore, patch: Callable[[Any], None]) -> None:
        self.store, self.patch = store, patch

    @contextmanager
    def tx(self, write: bool = False) -> Iterator[Any]:
        with self.store.tx(write) as tx:
            self.patch(tx)
            yield tx


def _break_catalog_stream(tx: Any) -> None:
    original = tx.catalog_rows

    def rows() -> Iterator[dict[str, Any]]:
        yield next(iter(original()))
        raise OSError("disk on fire")

    tx.catalog_rows = rows


def test_failed_export_leaves_the_old_file_and_no_temp_file(shop: Shop, tmp_path: Path) -> None:
    shop.import_file(write(tmp_path / "in.csv", *GOOD))
    target = tmp_path / "out" / "cat.csv"
    target.parent.mkdir()
    target.write_text("previous export")
    with pytest.raises(OSError, match="disk on fire"):
        export_catalog(_PatchedStore(shop.store, _break_catalog_stream), target, "EUR")
    assert target.read_text() == "previous export"
    assert [p.name for p in target.parent.iterdir()] == ["cat.csv"]


def test_a_failure_while_writing_rolls_back_every_product(shop: Shop, tmp_path: Path) -> None:
    """Products are written in one transaction: the third failing undoes the first two."""
    def third_product_fails(tx: Any) -> None:
        original, calls = tx.add_product, itertools.count(1)

        def add_product(product: Any) -> Any:
            if next(calls) == 3:
                raise ValidationError("constraint says no")
            return original(product)

        tx.add_product = add_product

    before = (shop.count("variants"), shop.count("outbox"), shop.count("audit_log"))
    with pytest.raises(ImportRejected) as info:
        import_catalog(_PatchedStore(shop.store, third_product_fails), shop.ctx, shop.auth,
                       shop.manager, write(tmp_path / "cat.csv", *GOOD))
    assert info.value.errors == [RowError(5, "product", "constraint says no")]
    assert (shop.count("variants"), shop.count("outbox"), shop.count("audit_log")) == before


# --- prices: random valid texts survive import and export exactly --------------------------

_sku = itertools.count()


@pytest.fixture(scope="module")
def price_shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    return make_shop(tmp_path_factory.mktemp("prices"))


def _price_text(value: Decimal, style: int) -> str:
    """The many ways people type one amount: 12.5, 12.50, 012.50, +12.50, 12,50."""
    plain = format(value, "f")
    return [plain, format(value.normalize(), "f"), "0" + plain, "+" + plain,
            plain.replace(".", ",")][style]


@settings(max_examples=40, deadline=None)
@given(st.lists(
    st.tuples(st.decimals(min_value=0, max_value=Decimal("99999999999.99"), places=2,
                          allow_nan=False, allow_infinity=False),
              st.integers(0, 4)),
    min_size=1, max_size=5))
def test_price_texts_round_trip_exactly(
        price_shop: Shop, prices: list[tuple[Decimal, int]]) -> None:
    base = price_shop.folder
    skus = [f"P-{next(_sku)}" for _ in prices]
    lines = [f'Price test,{sku},,,"{_price_text(value, style)}",,STD,,,,,'
             for sku, (value, style) in zip(skus, prices, strict=True)]
    path = write(base / "prices.csv", HEADER, *lines)
    price_shop.import_file(path)

    with price_shop.store.tx() as tx:
        for sku, (value, _) in zip(skus, prices, strict=True):
            variant = tx.variant_by_sku(sku)
            assert variant is not None and variant.price == int(value * 100)
    out = base / "export.csv"
    export_catalog(price_shop.store, out, "EUR")
    with out.open(newline="", encoding="utf-8") as f:
        exported = {r["sku"]: r["price"] for r in csv.DictReader(f)}
    for sku, (value, _) in zip(skus, prices, strict=True):
        assert exported[sku] == f"{value:.2f}"
        assert Decimal(exported[sku]) == value
