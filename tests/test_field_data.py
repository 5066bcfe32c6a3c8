"""Data safety in the field, on real SQLite files: the daily backup and its rotation,
``pos db restore`` (checked first, refused while a till runs, the current database
kept aside), and the upgrade of a store made by the previous release (schema 0003,
``tests/data/store-rev0003.sqlite3.gz``) with a failed migration rolling back whole."""

from __future__ import annotations

import gzip
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from pos_app.cli.main import main
from pos_app.paths import backup_dir, db_path
from pos_app.persistence.backups import daily_backup, daily_backups, inspect_backup
from pos_app.persistence.db import make_engine
from pos_app.persistence.migrate import current_revision, head_revision, upgrade

from .conftest import COFFEE, Shop
from .test_security_store import _scripts_with
from .test_ui_run import _env

PREVIOUS = Path(__file__).parent / "data" / "store-rev0003.sqlite3.gz"


def _sell(shop: Shop, n: int) -> None:
    co = shop.app.checkout
    for _ in range(n):
        cart = co.new_cart()
        co.scan(cart, COFFEE, shop.cashier)
        co.pay_cash(cart, 2000, shop.cashier)
        co.complete(cart, shop.cashier)


def _count(db: Path, table: str = "sales") -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute(f"select count(*) from {table}").fetchone()[0])
    finally:
        con.close()


def _revision(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("select version_num from alembic_version").fetchone()[0])
    finally:
        con.close()


def _previous_release_store(directory: Path) -> Path:
    directory.mkdir(parents=True)
    with gzip.open(PREVIOUS) as src, open(db_path(directory), "wb") as dst:
        shutil.copyfileobj(src, dst)
    return db_path(directory)


def test_a_daily_backup_once_a_day_kept_for_the_configured_days(shop: Shop) -> None:
    _sell(shop, 3)
    db, folder = db_path(shop.data_dir), backup_dir(shop.data_dir)
    manual = folder / "pos-20200101T000000Z-manual.sqlite3"
    shutil.copy(db, manual)
    today = date(2025, 3, 31)
    for back in range(20, -1, -1):  # three weeks of days, the till running throughout
        day = today - timedelta(days=back)
        made = daily_backup(db, folder, keep_days=14, today=day)
        assert made is not None and made.name == f"pos-daily-{day:%Y%m%d}.sqlite3"
        assert daily_backup(db, folder, keep_days=14, today=day) is None  # once a day
    days = [d for d, _ in daily_backups(folder)]
    assert days == [today - timedelta(days=b) for b in range(13, -1, -1)]
    assert manual.exists()  # only daily copies rotate
    newest = daily_backups(folder)[-1][1]
    assert inspect_backup(newest).sales == 3
    assert not list(folder.glob("*.part"))


def test_pos_db_backup_daily_follows_the_setting_and_status_reports_it(
        shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    _sell(shop, 1)
    d = str(shop.data_dir)
    folder = backup_dir(shop.data_dir)
    for day in range(1, 6):  # five old daily backups lying around
        shutil.copy(db_path(shop.data_dir), folder / f"pos-daily-202001{day:02d}.sqlite3")
    assert main(["--data-dir", d, "--user", "admin", "--pin", "9999", "settings", "set",
                 "backup_keep_days", "2"]) == 0
    assert main(["--data-dir", d, "db", "backup", "--daily"]) == 0
    assert "daily backup written" in capsys.readouterr().out
    assert len(daily_backups(folder)) == 1  # today's; the 2020 ones are past 2 days
    assert main(["--data-dir", d, "db", "backup", "--daily"]) == 0
    assert "today's backup exists already" in capsys.readouterr().out
    assert main(["--data-dir", d, "db", "status"]) == 0
    out = capsys.readouterr().out
    assert "store S1 till T1" in out and "1 sales" in out and "daily backups: 1" in out
    empty = shop.data_dir.parent / "empty"
    assert main(["--data-dir", str(empty), "db", "status", "--quiet"]) == 1
    assert not db_path(empty).exists()  # asking creates nothing


def test_restore_checks_the_file_first_and_changes_nothing_when_it_is_bad(
        shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _sell(shop, 2)
    db = db_path(shop.data_dir)
    damaged = tmp_path / "damaged.sqlite3"
    assert main(["--data-dir", str(shop.data_dir), "db", "backup", "--to", str(damaged)]) == 0
    data = bytearray(damaged.read_bytes())
    page = 4096 * 3  # scribble over a b-tree page in the middle
    data[page:page + 512] = b"\xff" * 512
    damaged.write_bytes(bytes(data))
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("create table t(x)").connection.commit()
    capsys.readouterr()
    for bad, why in ((damaged, "damaged"), (other, "not a pos-app store"),
                     (tmp_path / "missing.sqlite3", "does not exist")):
        assert main(["--data-dir", str(shop.data_dir), "db", "restore", str(bad)]) == 1
        err = capsys.readouterr().err
        assert why in err and err.count("\n") == 1, err
    assert _count(db) == 2
    assert not list(backup_dir(shop.data_dir).glob("*before-restore*"))


def test_restore_keeps_the_current_database_aside_and_the_till_sells_on(
        shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _sell(shop, 2)
    d = str(shop.data_dir)
    backup = tmp_path / "monday.sqlite3"
    assert main(["--data-dir", d, "db", "backup", "--to", str(backup)]) == 0
    _sell(shop, 3)  # committed into the WAL of the open store
    shop.app.close()
    assert main(["--data-dir", d, "db", "restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "restored store S1 till T1 (2 sales)" in out
    (kept,) = backup_dir(shop.data_dir).glob("*before-restore*")
    assert str(kept) in out
    assert _count(kept) == 5  # nothing of the replaced database is lost
    assert _count(db_path(shop.data_dir)) == 2
    assert main(["--data-dir", d, "audit", "verify"]) == 0
    assert main(["--data-dir", d, "--user", "cashier", "--pin", "1111", "sale", "--scan",
                 COFFEE, "--pay", "cash:20"]) == 0
    assert _count(db_path(shop.data_dir)) == 3


def test_restore_is_refused_while_a_kiosk_till_runs_which_sigterm_stops_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    assert main(["--data-dir", str(store), "demo-data", "--skus", "30"]) == 0
    backup = tmp_path / "b.sqlite3"
    assert main(["--data-dir", str(store), "db", "backup", "--to", str(backup)]) == 0
    log = tmp_path / "logs" / "pos.log"
    proc = subprocess.Popen([sys.executable, "-m", "pos_app.cli.main", "--data-dir",
                             str(store), "till", "--kiosk"],
                            env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.exists() and "till window open" in log.read_text():
                break
            time.sleep(0.05)  # polling a file another process writes
        assert "till window open" in log.read_text(), proc.stderr.read() if proc.poll() else ""
        capsys.readouterr()
        assert main(["--data-dir", str(store), "db", "restore", str(backup)]) == 1
        assert "the store is open in a till" in capsys.readouterr().err
        assert not list(backup_dir(store).glob("*before-restore*"))
        assert main(["--data-dir", str(store), "db", "upgrade"]) == 1  # not under a till
        assert main(["--data-dir", str(store), "db", "upgrade", "--if-idle"]) == 0
        assert "upgraded when the till starts next" in capsys.readouterr().out
        proc.send_signal(signal.SIGTERM)  # systemd stopping the kiosk session
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    text = log.read_text()
    assert "till asked to stop" in text and "daily backup written" in text
    assert main(["--data-dir", str(store), "db", "restore", str(backup)]) == 0


def test_upgrade_of_a_store_made_by_the_previous_release(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    db = _previous_release_store(store)
    assert _revision(db) == "0003" and _count(db) == 3
    assert main(["--data-dir", str(store), "db", "status"]) == 0
    assert "pos db upgrade" in capsys.readouterr().out  # says the schema is behind
    assert main(["--data-dir", str(store), "db", "upgrade"]) == 0  # as the package does
    out = capsys.readouterr().out
    engine = make_engine(db)
    head = head_revision(engine)
    engine.dispose()
    assert f"schema at {head}" in out
    (backup,) = backup_dir(store).glob(f"pos-*-before-{head}.sqlite3")
    assert _revision(backup) == "0003" and _count(backup) == 3
    assert _revision(db) == head and _count(db) == 3
    assert _count(db, "audit_log") >= _count(backup, "audit_log")
    assert main(["--data-dir", str(store), "audit", "verify"]) == 0  # history intact
    assert main(["--data-dir", str(store), "--user", "cashier", "--pin", "1111", "refund",
                 "--receipt", "S1-T1-000001"]) == 0  # an old sale, returned after upgrade
    assert main(["--data-dir", str(store), "--user", "cashier", "--pin", "1111", "sale",
                 "--scan", COFFEE, "--pay", "cash:20"]) == 0
    assert _count(db) == 5


def test_a_failed_upgrade_of_the_previous_release_leaves_it_whole(tmp_path: Path) -> None:
    store = tmp_path / "store"
    db = _previous_release_store(store)
    before = {t: _count(db, t) for t in ("sales", "sale_lines", "payments", "audit_log")}
    engine = make_engine(db)
    head = head_revision(engine)
    broken = _scripts_with(tmp_path / "next", [
        ("9001", head, "nickname", "op.execute('SELECT * FROM no_such_table')")])
    with pytest.raises(Exception, match="no_such_table"):
        upgrade(engine, db, backup_dir(store), broken)
    assert current_revision(engine) == "0003"  # 0004 and 9001 rolled back together
    engine.dispose()
    con = sqlite3.connect(db)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert "suppliers" not in tables  # nothing of 0004 is left half-made
    con.close()
    assert {t: _count(db, t) for t in before} == before
    (backup,) = backup_dir(store).glob("pos-*-before-9001.sqlite3")
    assert _revision(backup) == "0003"
    # the release that works then upgrades the same store
    assert main(["--data-dir", str(store), "db", "upgrade"]) == 0
    assert _revision(db) == head and _count(db) == before["sales"]


def test_restoring_a_backup_of_the_previous_release_migrates_it(
        shop: Shop, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _previous_release_store(tmp_path / "old")
    shop.app.close()
    assert main(["--data-dir", str(shop.data_dir), "db", "restore", str(old)]) == 0
    db = db_path(shop.data_dir)
    engine = make_engine(db)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()
    assert _count(db) == 3
    assert main(["--data-dir", str(shop.data_dir), "audit", "verify"]) == 0
