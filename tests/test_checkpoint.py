"""The till's WAL is checkpointed by a background thread, not inside a sale's commit."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

from pos_app.persistence.checkpoint import WalCheckpointer

from .conftest import COFFEE, Shop


def sales_in_main_file(db_file: Path, scratch: Path) -> int:
    """What the database file holds without its WAL: the last checkpoint's state."""
    shutil.copyfile(db_file, scratch)
    con = sqlite3.connect(scratch)
    try:
        return int(con.execute("select count(*) from sales").fetchone()[0])
    finally:
        con.close()


def test_till_connections_do_not_auto_checkpoint(shop: Shop) -> None:
    with shop.app.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    assert shop.app.checkpointer is not None


def test_checkpointer_copies_the_wal_into_the_database(shop: Shop, tmp_path: Path) -> None:
    shop.app.checkpointer.stop()  # type: ignore[union-attr]
    co = shop.app.checkout
    for _ in range(5):
        cart = co.new_cart()
        co.scan(cart, COFFEE, shop.cashier)
        co.pay_cash(cart, 2000, shop.cashier)
        co.complete(cart, shop.cashier)
    db_file = shop.data_dir / "pos.sqlite3"
    assert sales_in_main_file(db_file, tmp_path / "a.sqlite3") == 0  # all still in the WAL
    cp = WalCheckpointer(shop.data_dir / "pos.sqlite3", interval_s=0.01)
    ran = threading.Event()
    original = cp._checkpoint

    def spy(con: sqlite3.Connection) -> None:
        original(con)
        ran.set()

    cp._checkpoint = spy  # type: ignore[method-assign]
    cp.start()
    assert ran.wait(10)
    cp.stop()
    assert sales_in_main_file(db_file, tmp_path / "b.sqlite3") == 5  # copied into the file
