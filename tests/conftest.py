"""Shared fixtures: real SQLite stores in temporary directories, never mocks."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("POS_PIN_HASH_PROFILE", "test")
os.environ.setdefault("POS_LOG_DIR", str(Path(__file__).parent / ".." / ".pytest-logs"))

from pos_app.app import App, init_store
from pos_app.domain.catalog import NewProduct, NewVariant
from pos_app.domain.stock import MovementKind
from pos_app.domain.users import Role, User

COFFEE = "4006381333931"  # EAN-13, reduced rate
TEA_UPC = "036000291452"  # UPC-A, reduced rate


@dataclass
class Shop:
    app: App
    admin: User
    manager: User
    supervisor: User
    cashier: User
    data_dir: Path


def make_shop(path: Path, *, tax_mode: str = "inclusive", currency: str = "EUR") -> Shop:
    app = init_store(path, store_name="Test Shop", store_code="S1", till_code="T1",
                     currency=currency, tax_mode=tax_mode, admin_user="admin", admin_pin="9999",
                     taxes=[("STD", "Standard", "0.19"), ("RED", "Reduced", "0.07")])
    admin = app.auth.login("admin", "9999")
    users = {}
    for name, role, pin in (("manager", Role.MANAGER, "3333"),
                            ("supervisor", Role.SUPERVISOR, "2222"),
                            ("cashier", Role.CASHIER, "1111")):
        users[name] = app.auth.create_user(admin, name, name.title(), role, pin)
    cat = app.catalog
    cat.add_product(admin, NewProduct("Coffee", "RED", (NewVariant("COF", 1299, (COFFEE,)),),
                                      "Food"))
    cat.add_product(admin, NewProduct("Green tea", "RED", (NewVariant("TEA", 450, (TEA_UPC,)),),
                                      "Food"))
    cat.add_product(admin, NewProduct("T-shirt", "STD", (
        NewVariant("TS-M", 1999, (), "M", "Red"), NewVariant("TS-L", 1999, (), "L", "Red")),
        "Clothing"))
    cat.add_product(admin, NewProduct("Apples", "RED", (NewVariant("APL", 299),), "Food",
                                      sold_by_weight=True))
    for sku in ("COF", "TEA", "TS-M", "TS-L"):
        app.stock.adjust(admin, sku, Decimal(50), "opening", MovementKind.RECEIVING)
    app.shifts.open(admin, 10000)
    return Shop(app, admin, users["manager"], users["supervisor"], users["cashier"], path)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    s = make_shop(tmp_path / "store")
    yield s
    s.app.close()


@pytest.fixture
def us_shop(tmp_path: Path) -> Iterator[Shop]:
    s = make_shop(tmp_path / "store", tax_mode="exclusive", currency="USD")
    yield s
    s.app.close()



@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """A till opened on a German store installs the German translator (and locale) on the
    one QApplication of the run; the next test starts in English again."""
    qt = "PySide6.QtCore" in sys.modules
    if qt:
        from PySide6.QtCore import QLocale

        default = QLocale()
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

    app = QCoreApplication.instance()
    if app is not None:
        for translator in app.findChildren(QTranslator):
            app.removeTranslator(translator)
            translator.setParent(None)
    QLocale.setDefault(default if qt else QLocale.system())
