"""The ``pos`` command line: happy paths, and bad input that writes nothing."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.cli.main import main

POS = shutil.which("pos", path=str(Path(sys.executable).parent)) or "pos"
CASHIER = ["--user", "cashier", "--pin", "1111"]
MANAGER = ["--user", "manager", "--pin", "3333"]


def run(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(store), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def counts(store: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(store / "pos.sqlite3")
    try:
        return tuple(con.execute(  # type: ignore[return-value]
            "select (select count(*) from sales), (select count(*) from outbox),"
            " (select count(*) from stock_movements)").fetchone())
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    assert main(["--data-dir", str(store), "demo-data", "--skus", "300"]) == 0
    return store


@pytest.fixture
def store(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(demo_store, copy)
    return copy


def test_sale_json_with_qty_and_split_tender(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "sale", *CASHIER, "--scan", "4006381333931",
                         "--qty", "2", "--scan", "CHEESE-KG", "--qty", "0.5",
                         "--pay", "card:10.00", "--pay", "cash:50", "--json")
    assert code == 0, err
    sale = json.loads(out)
    assert [(ln["sku"], ln["qty"]) for ln in sale["lines"]] == [("COF-1KG", "2"),
                                                                ("CHEESE-KG", "0.5")]
    assert sale["total"]["minor"] == 2598 + 1245
    tenders = {p["tender"]: p for p in sale["payments"]}
    assert tenders["card"]["amount"]["minor"] == 1000
    assert tenders["cash"]["change"]["minor"] == 5000 - (3843 - 1000)
    assert sale["receipt_no"] == "S1-T1-000001" and "TOTAL" in sale["receipt_text"]


def test_split_form_of_pay(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "sale", *CASHIER, "--scan", "4006381333931",
                         "--pay", "split:card:2.99,cash", "--json")
    assert code == 0, err
    pays = {p["tender"]: p["amount"]["minor"] for p in json.loads(out)["payments"]}
    assert pays == {"card": 299, "cash": 1000}


def test_weight_label_and_text_receipt(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    from pos_app.demo import CHEESE_ITEM, german_label

    code, out, err = run(capsys, store, "sale", *CASHIER, "--scan",
                         german_label("28", CHEESE_ITEM, 250), "--pay", "cash")
    assert code == 0, err
    assert "0.25 x 24.90" in out and "6.23" in out  # 0.250 kg x 24.90 = 6.225 -> 6.23


@pytest.mark.parametrize("args, message", [
    (["--scan", "4006381333948", "--pay", "cash"], "no item"),
    (["--scan", "4006381333932", "--pay", "cash"], "check digit"),
    (["--scan", "4006381333931", "--pay", "cash:abc"], "not an amount"),
    (["--scan", "4006381333931", "--pay", "cash:1.234"], "more decimals"),
    (["--scan", "4006381333931", "--pay", "bitcoin"], "unknown tender"),
    (["--scan", "4006381333931", "--pay", "cash:5"], "not fully paid"),
    (["--scan", "4006381333931", "--pay", "card:20"], "only cash may be over-tendered"),
    (["--scan", "4006381333931", "--qty", "0.5", "--pay", "cash"], "fractional"),
    (["--scan", "4006381333931", "--pay", "credit"], "need --customer"),
    (["--scan", "4006381333931", "--pay", "card:5"], "cover"),
])
def test_bad_sale_input_is_one_line_and_writes_nothing(
        capsys, store: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    before = counts(store)
    code, _out, err = run(capsys, store, "sale", *CASHIER, *args)
    assert code != 0
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert counts(store)[0] == before[0]  # no sale
    assert counts(store)[2] == before[2]  # no stock moved


def test_failed_sale_after_card_charge_gives_the_money_back(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, store, "sale", *CASHIER, "--scan", "4006381333931",
                       "--pay", "card:5.00", "--pay", "cash:1.00")
    assert code == 1 and "not fully paid" in err
    con = sqlite3.connect(store / "pos.sqlite3")
    assert con.execute("select count(*) from sales").fetchone()[0] == 0
    assert con.execute("select action from audit_log where action='payment_reversed'"
                       ).fetchone() is not None


def test_refund_and_reports(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "sale", *CASHIER, "--scan", "4006381333931",
                         "--qty", "3", "--pay", "cash:40", "--json")
    receipt = json.loads(out)["receipt_no"]
    code, out, err = run(capsys, store, "refund", *CASHIER, "--receipt", receipt,
                         "--line", "1:1", "--json")
    assert code == 0, err
    refund = json.loads(out)
    assert refund["kind"] == "return" and refund["total"]["minor"] == -1299
    code, out, err = run(capsys, store, "refund", *CASHIER, "--receipt", receipt,
                         "--line", "1:5")
    assert code == 1 and "can still be returned" in err
    code, out, err = run(capsys, store, "refund", *CASHIER, "--scan", "4006381333931")
    assert code == 1 and "manager override" in err
    code, out, err = run(capsys, store, "refund", *CASHIER, "--scan", "4006381333931",
                         "--approver", "manager", "--approver-pin", "3333", "--json")
    assert code == 0, err
    code, out, err = run(capsys, store, "report", "x", *CASHIER, "--format", "json")
    x = json.loads(out)
    assert x["sales"]["count"] == 1 and x["refunds"]["count"] == 2
    code, out, err = run(capsys, store, "report", "z", *CASHIER)
    assert code == 1 and "manager override" in err
    code, out, err = run(capsys, store, "report", "z", *MANAGER, "--format", "csv",
                         "--count", "cash:150.00")
    assert code == 0, err
    rows = dict(((r.split(",")[0], r.split(",")[1]), r.split(",")[2])
                for r in out.strip().splitlines()[1:])
    assert rows[("shift", "type")] == "Z" and rows[("tender", "cash.counted")] == "15000"
    code, out, err = run(capsys, store, "report", "x", *CASHIER)
    assert code == 1 and "no open shift" in err


def test_login_errors(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, store, "sale", "--scan", "1", "--pay", "cash")
    assert code == 1 and "--user and --pin" in err
    code, _, err = run(capsys, store, "sale", "--user", "cashier", "--pin", "0000",
                       "--scan", "4006381333931", "--pay", "cash")
    assert code == 1 and "wrong user name or PIN" in err


def test_audit_verify_and_tamper(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, store, "audit", "verify")
    assert code == 0 and "intact" in out
    con = sqlite3.connect(store / "pos.sqlite3")
    entry_id = con.execute("select id from audit_log where seq=3").fetchone()[0]
    con.execute("update audit_log set subject='someone else' where seq=3")
    con.commit()
    code, _, err = run(capsys, store, "audit", "verify")
    assert code == 1 and "entry 3" in err and entry_id in err and "edited" in err


def test_db_backup_upgrade_and_catalog_roundtrip(capsys, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, store, "db", "upgrade")
    assert code == 0 and "already current" in out
    code, out, _ = run(capsys, store, "db", "backup", "--to", str(tmp_path / "b.sqlite3"))
    assert code == 0
    assert sqlite3.connect(tmp_path / "b.sqlite3").execute(
        "select count(*) from variants").fetchone()[0] == 300
    code, out, err = run(capsys, store, "catalog", "export", str(tmp_path / "cat.csv"))
    assert code == 0, err
    assert len((tmp_path / "cat.csv").read_text().splitlines()) == 301
    code, out, err = run(capsys, store, "catalog", "search", "cof")
    assert "COF-1KG" in out
    code, out, err = run(capsys, store, "catalog", "price", *MANAGER, "COF-1KG", "13.49")
    assert code == 0, err
    code, out, _ = run(capsys, store, "catalog", "show", "4006381333931")
    assert json.loads(out)["price"] == 1349


def test_installed_console_script_runs_a_sale(store: Path) -> None:
    env = {**os.environ, "POS_DATA_DIR": str(store), "POS_USER": "cashier", "POS_PIN": "1111"}
    done = subprocess.run([POS, "sale", "--scan", "4006381333931", "--pay", "cash:20"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "S1-T1-000001" in done.stdout and "Change" in done.stdout
    bad = subprocess.run([POS, "sale", "--scan", "nope", "--pay", "cash"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.startswith("pos: ") and bad.stdout == ""


def test_catalog_import_reports_every_bad_row(capsys, store: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text("product,sku,price,tax,barcodes\n"
                   "Mug,MUG-1,4.50,STD,4006381333948\n"
                   "Mug,MUG-2,4.5x,STD,\n"
                   "Plate,PL-1,3.00,NOPE,4006381333932\n")
    before = counts(store)
    code, out, err = run(capsys, store, "catalog", "import", *MANAGER, str(bad))
    assert code == 1 and "nothing imported" in err
    assert "row 3, price" in err and "row 4, tax" in err and "row 4, barcodes" in err
    assert counts(store) == before
    good = tmp_path / "good.csv"
    good.write_text("product,sku,price,tax,barcodes,size,colour\n"
                    "Mug,MUG-1,4.50,STD,4006381333948,,Blue\n"
                    "Mug,MUG-2,4.50,STD,,,Red\n")
    code, out, err = run(capsys, store, "catalog", "import", *MANAGER, str(good))
    assert code == 0 and "1 products, 2 variants" in out, err
    code, out, _ = run(capsys, store, "catalog", "show", "4006381333948")
    assert json.loads(out)["sku"] == "MUG-1"


def test_bench_measures_every_target_and_its_baselines(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = main(["--data-dir", str(tmp_path / "bench"), "bench", "--skus", "400",
                 "--sales", "30", "--sync-events", "60", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == (0 if all(result["met"].values()) else 1)  # exit code tells targets
    for name in ("lookup", "add_reprice", "search", "sale_commit", "z_report"):
        assert result[name]["p50_ms"] > 0 and result[name]["p99_ms"] >= result[name]["p50_ms"]
    assert result["baseline"]["raw_durable_insert"]["n"] == 300
    assert result["z_report"]["sales_in_shift"] == 30 and result["build_s"] is not None
    sync = result["sync"]
    for mode in ("single", "batched"):  # 30 sales x 2 + product.created, each once
        drain = sync[f"drain_{mode}"]
        assert drain["events"] == drain["received"] == 61 and drain["duplicates"] == 0
    assert sync["drain_single"]["requests"] == 61 > sync["drain_batched"]["requests"]
    assert sync["latency"]["events"] == 60 and sync["latency"]["duplicates"] == 0
    limited = sync["rate_limited"]
    assert limited["received"] == limited["admitted"] == 60
    assert limited["admitted"] <= limited["ceiling"]
    code = main(["--data-dir", str(tmp_path / "bench"), "bench", "--skus", "400",
                 "--sales", "5", "--sync-events", "0", "--json"])
    assert json.loads(capsys.readouterr().out)["build_s"] is None  # store reused


@pytest.mark.parametrize("args, message", [
    (["--admin-pin", "12"], "PIN is 4 to 8 digits"),
    (["--admin-pin", "1234", "--currency", "XYZ"], "unknown currency"),
    (["--admin-pin", "1234", "--tax", "STD:Standard:1.5"], "between 0 and 1"),
    (["--admin-pin", "1234", "--tax", "STD"], "CODE:NAME:RATE"),
    (["--admin-pin", "1234", "--till", "T 1"], "till code"),
])
def test_init_with_bad_input_creates_nothing(capsys, tmp_path: Path, args: list[str],  # type: ignore[no-untyped-def]
                                             message: str) -> None:
    code, _, err = run(capsys, tmp_path / "new", "init", "--store-name", "Shop", *args)
    assert code == 1 and message in err and err.count("\n") == 1
    assert not (tmp_path / "new").exists()


def test_init_then_first_sale_from_scratch(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "shop"
    admin = ["--user", "admin", "--pin", "4321"]
    assert run(capsys, store, "init", "--store-name", "Corner Shop", "--currency", "USD",
               "--tax-mode", "exclusive", "--admin-pin", "4321",
               "--tax", "ST:State:0.0625")[0] == 0
    assert run(capsys, store, "user", "add", *admin, "ann", "--role", "cashier",
               "--new-pin", "5555")[0] == 0
    good = tmp_path / "cat.csv"
    good.write_text("product,sku,price,tax\nSoda,SODA,1.99,ST\n")
    assert run(capsys, store, "catalog", "import", *admin, str(good))[0] == 0
    assert run(capsys, store, "stock", "adjust", *admin, "SODA", "24", "--reason",
               "delivery", "--receiving")[0] == 0
    assert run(capsys, store, "shift", "open", "--user", "ann", "--pin", "5555",
               "--float", "50")[0] == 0
    code, out, err = run(capsys, store, "sale", "--user", "ann", "--pin", "5555",
                         "--scan", "SODA", "--qty", "2", "--pay", "cash:5", "--json")
    assert code == 0, err
    sale = json.loads(out)
    assert sale["total"]["minor"] == 398 + 25  # 6.25 % of 3.98 = 0.24875 -> 0.25
    code, out, _ = run(capsys, store, "stock", "on-hand", "SODA")
    assert out.strip() == "22"
    code, out, _ = run(capsys, store, "audit", "verify")
    assert code == 0


def test_demo_sells_through_every_emulated_device(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "demo", "--headless")
    assert code == 0, err
    assert "scanner serial:///dev/pts/" in out and "0.435 kg" in out  # serial scanner, scale
    assert "display serial:///dev/pts/" in out and "CHANGE" in out  # the pole display's lines
    assert "card terminal sim://terminal: sim_pi_" in out
    assert "drawer (kicked through the printer): opened; kicks seen [(2, 100)]" in out
    # the receipt as the ESC/POS emulator decoded it from the printer driver's bytes
    assert "    Mountain cheese (per kg)             10.83" in out
    assert "    Change  " in out and "    TOTAL " in out
    receipt_no = out.split("Sale ", 1)[1].split(":", 1)[0]
    assert json.loads(run(capsys, store, "report", "x", "--user", "cashier", "--pin", "1111",
                          "--format", "json")[1])["sales"]["count"] >= 1
    assert receipt_no.startswith("S1-T1-")
