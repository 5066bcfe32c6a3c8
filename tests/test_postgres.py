"""The same models, migrations and services on a real PostgreSQL server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pos_app.app import _wire
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.ids import new_id_str
from pos_app.domain.store import TillContext
from pos_app.domain.users import Role
from pos_app.persistence.db import SessionFactory, make_engine
from pos_app.persistence.migrate import current_revision, head_revision, include_object, upgrade
from pos_app.persistence.models import Base
from pos_app.persistence.store import SqlStore

from .pg_server import pg_bin, postgres

pytestmark = pytest.mark.postgres
if pg_bin() is None and not os.environ.get("CI"):
    pytest.skip("PostgreSQL server binaries not installed here (.ci/run installs them)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp, postgres(Path(tmp)) as url:
        yield url


def test_migrations_and_models_agree_on_postgres(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine, None, None)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                     "compare_type": True})
        assert compare_metadata(ctx, Base.metadata) == []
    engine.dispose()


def test_sale_return_and_report_on_postgres(pg_url: str, tmp_path: Path) -> None:
    engine = make_engine(pg_url)
    upgrade(engine, None, None)
    store = SqlStore(SessionFactory(engine))
    ctx = TillContext(new_id_str(), "PG", "PG shop", new_id_str(), "T9", new_id_str(), "USD")
    with store.tx(write=True) as tx:
        tx.create_store(ctx, "PGMAIN", "floor")
        tx.commit()
    app = _wire(tmp_path, engine, store, ctx, "sim")
    app.settings.set(None, "tax_mode", "exclusive")
    admin = app.auth.create_user(None, "pgadmin", "Admin", Role.ADMIN, "9999")
    app.catalog.add_tax_category(None, "ST", "State tax", "0.08875")
    app.catalog.add_product(admin, NewProduct("Bagel", "ST", (
        NewVariant("BAGEL", 250, ("4006381333931",)),), "Bakery"))
    app.shifts.open(admin, 5000)
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, "4006381333931", admin, Decimal(4))
    assert co.price(cart).total == 1000 + 89  # 8.875 % of 10.00 = 0.8875 -> 0.89
    co.pay_card(cart, admin, 500)
    co.pay_cash(cart, 1000, admin)
    sale = co.complete(cart, admin)
    assert sale.receipt_no == "PG-T9-000001"
    rs = app.returns
    back = co.new_cart()
    rs.add_return_line(back, rs.original(sale.receipt_no), 1, Decimal(1), admin)
    rs.refund(back, admin)
    assert co.complete(back, admin).total == -272  # (1000 + 89) / 4 rounded per unit
    assert app.stock.on_hand("BAGEL") == Decimal(-3)
    assert [v.sku for v in app.catalog.search("bag")] == ["BAGEL"]
    x = app.shifts.x_report(admin)
    assert x["sales"]["amount"] == 1089 and x["refunds"]["amount"] == -272
    checked, problems = app.audit.verify()
    assert problems == [] and checked > 5
    rows = list(_catalog_rows(store))
    assert rows[0]["barcodes"] == ["04006381333931"]
    engine.dispose()


def _catalog_rows(store: SqlStore) -> Iterator[dict[str, object]]:
    with store.tx() as tx:
        yield from tx.catalog_rows()
