"""PIN hashing and lockout, the audit hash chain under tampering, migrations and backups."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pos_app.app import open_app
from pos_app.domain.errors import AuthenticationFailed, StateError, ValidationError
from pos_app.persistence.db import make_engine
from pos_app.persistence.migrate import (
    MIGRATIONS,
    current_revision,
    head_revision,
    include_object,
    online_backup,
    upgrade,
)
from pos_app.persistence.models import Base

from .conftest import COFFEE, Shop


def db(shop: Shop) -> sqlite3.Connection:
    return sqlite3.connect(shop.data_dir / "pos.sqlite3", isolation_level=None)


def test_production_pin_hash_is_argon2id_and_never_the_pin() -> None:
    code = ("from pos_app.services.auth import hash_pin; h = hash_pin('4821'); print(h)")
    env = {k: v for k, v in os.environ.items() if k != "POS_PIN_HASH_PROFILE"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "4821" not in out
    with pytest.raises(ValidationError):
        from pos_app.services.auth import hash_pin

        hash_pin("12a4")


def test_lockout_after_three_wrong_pins_is_audited(shop: Shop) -> None:
    auth = shop.app.auth
    for _ in range(3):
        with pytest.raises(AuthenticationFailed, match="wrong"):
            auth.login("cashier", "0000")
    with pytest.raises(AuthenticationFailed, match="locked"):
        auth.login("cashier", "1111")  # right PIN, still locked
    with pytest.raises(AuthenticationFailed, match="wrong user name or PIN"):
        auth.login("nobody", "1111")  # same message: no user enumeration
    rows = db(shop).execute(
        "select action, subject from audit_log where action like 'login%'").fetchall()
    assert rows.count(("login_failed", "cashier")) == 4
    assert ("login_failed", "nobody") in rows
    pin_col = db(shop).execute("select pin_hash from users where username='cashier'").fetchone()
    assert pin_col[0].startswith("$argon2id$") and "1111" not in pin_col[0]


def test_the_lockout_threshold_is_a_setting(shop: Shop) -> None:
    shop.app.settings.set(shop.admin, "max_pin_attempts", 5)
    auth = shop.app.auth
    for _ in range(4):
        with pytest.raises(AuthenticationFailed, match="wrong"):
            auth.login("cashier", "0000")
    assert auth.login("cashier", "1111").username == "cashier"  # 4 < 5: not locked
    for _ in range(5):
        with pytest.raises(AuthenticationFailed, match="wrong"):
            auth.login("cashier", "0000")
    with pytest.raises(AuthenticationFailed, match="locked after 5 wrong PINs"):
        auth.login("cashier", "1111")


def _sell(shop: Shop, n: int) -> None:
    co = shop.app.checkout
    for _ in range(n):
        cart = co.new_cart()
        co.scan(cart, COFFEE, shop.cashier)
        co.pay_cash(cart, 2000, shop.cashier)
        co.complete(cart, shop.cashier)


@pytest.mark.parametrize("tamper, kind", [
    ("update audit_log set details='{\"total\":1}' where seq=12", "edited"),
    ("update audit_log set at='2020-01-01T00:00:00+00:00' where seq=5", "edited"),
    ("delete from audit_log where seq=8", "deleted"),
    ("delete from audit_log where seq>=13", "deleted"),
])
def test_audit_verify_names_the_tampered_entry(shop: Shop, tamper: str, kind: str) -> None:
    _sell(shop, 4)
    checked, problems = shop.app.audit.verify()
    assert problems == [] and checked >= 14
    db(shop).execute(tamper)
    _, problems = shop.app.audit.verify()
    assert problems, "tampering went unnoticed"
    assert problems[0].kind == kind
    seq = int(tamper.split("seq")[-1].strip(">=").strip("="))
    assert problems[0].seq == seq


def test_audit_verify_detects_inserted_entry(shop: Shop) -> None:
    _sell(shop, 2)
    con = db(shop)
    # make room in the middle (two steps: the primary key is checked row by row)
    con.execute("update audit_log set seq = -seq - 1 where seq >= 6")
    con.execute("update audit_log set seq = -seq where seq < 0")
    first = con.execute("select * from audit_log where seq=5").fetchone()
    con.execute("insert into audit_log values (?,6,'forged-id',?,?,?,?,?,?,?)",
                (first[0], first[3], first[4], "refund", "S1-T1-999999", "{}", first[9],
                 "f" * 64))
    _, problems = shop.app.audit.verify()
    assert problems and problems[0].seq == 6 and "forged-id" in problems[0].message


def test_schema_matches_models(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "pos.sqlite3")
    assert upgrade(engine, tmp_path / "pos.sqlite3", tmp_path / "bk") is None  # new: no backup
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("pragma foreign_keys").scalar() == 1
    engine.dispose()


REVISION = """
from alembic import op
import sqlalchemy as sa
revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None

def upgrade():
    op.add_column("customers", sa.Column("{col}", sa.String(20), nullable=True))
    {extra}

def downgrade():
    pass
"""


def _scripts_with(tmp_path: Path, revisions: list[tuple[str, str, str, str]]) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    for rev, down, col, extra in revisions:
        (scripts / "versions" / f"{rev}_test.py").write_text(
            REVISION.format(rev=rev, down=down, col=col, extra=extra))
    return scripts


def test_upgrade_backs_up_first_and_a_failed_migration_leaves_data_intact(
        shop: Shop, tmp_path: Path) -> None:
    _sell(shop, 2)
    shop.app.close()
    db_file = shop.data_dir / "pos.sqlite3"
    engine = make_engine(db_file)
    head = head_revision(engine)
    broken = _scripts_with(tmp_path / "a", [
        ("9001", head, "nickname", ""),
        ("9002", "9001", "vat_no", "op.execute('SELECT * FROM no_such_table')")])
    with pytest.raises(Exception, match="no_such_table"):
        upgrade(engine, db_file, tmp_path / "bk", broken)
    assert current_revision(engine) == head  # both revisions rolled back together
    with engine.connect() as conn:
        cols = [r[1] for r in conn.exec_driver_sql("pragma table_info(customers)")]
        assert "nickname" not in cols
        assert conn.exec_driver_sql("select count(*) from sales").scalar() == 2
    good = _scripts_with(tmp_path / "b", [("9001", head, "nickname", "")])
    backup = upgrade(engine, db_file, tmp_path / "bk", good)
    assert backup is not None and backup.exists()
    assert current_revision(engine) == "9001"
    old = sqlite3.connect(backup)
    assert old.execute("select version_num from alembic_version").fetchone()[0] == head
    assert old.execute("select count(*) from sales").fetchone()[0] == 2
    engine.dispose()
    with pytest.raises(StateError, match="newer than this version"):
        open_app(shop.data_dir)  # software older than the store: refuse, touch nothing


def test_online_backup_is_consistent_while_selling(shop: Shop, tmp_path: Path) -> None:
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_selling() -> None:
        try:
            while not stop.is_set():
                _sell(shop, 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    worker = threading.Thread(target=keep_selling)
    worker.start()
    try:
        backups = [online_backup(shop.data_dir / "pos.sqlite3", tmp_path / f"b{i}.sqlite3")
                   for i in range(3)]
    finally:
        stop.set()
        worker.join()
    assert not errors
    for b in backups:
        con = sqlite3.connect(b)
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        sales, lines = con.execute("select count(*), (select count(*) from sale_lines) "
                                   "from sales").fetchone()
        assert sales == lines  # one line per sale: never a half-copied sale
        con.close()
