"""``pos report sales|items|…``, ``pos po``, ``pos supplier``, ``pos stock transfer|reorder``."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from .test_cli import CASHIER, MANAGER, demo_store, run, store

__all__ = ["demo_store", "store"]  # the demo store fixtures of test_cli, shared


def rows(store: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(store / "pos.sqlite3")
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def on_hand(capsys: pytest.CaptureFixture[str], store: Path, sku: str) -> str:
    return run(capsys, store, "stock", "on-hand", sku)[1].strip()


def test_purchase_order_from_the_command_line(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "supplier", "add", *MANAGER, "ACME", "Acme Ltd",
                         "--lead-days", "3")
    assert code == 0 and "ACME added" in out, err
    assert "Acme Ltd" in run(capsys, store, "supplier", "list", *MANAGER)[1]
    before = on_hand(capsys, store, "COF-1KG")
    code, out, err = run(capsys, store, "po", "add", *MANAGER, "--supplier", "ACME",
                         "--line", "COF-1KG:24:6.10", "--line", "CHEESE-KG:2.5:12.00", "--order")
    assert code == 0, err
    assert out.startswith("PO-000001  ordered  supplier Acme Ltd  total 176.40 EUR")
    code, out, err = run(capsys, store, "po", "receive", *MANAGER, "PO-000001",
                         "--line", "COF-1KG:20")
    assert code == 0 and "PO-000001  partial" in out, err
    assert int(on_hand(capsys, store, "COF-1KG")) == int(before) + 20
    code, out, _ = run(capsys, store, "po", "show", *MANAGER, "PO-000001")
    assert "COF-1KG" in out and "outstanding        4" in out
    code, out, _ = run(capsys, store, "po", "close", *MANAGER, "PO-000001")
    assert "PO-000001  closed" in out
    assert "PO-000001  closed" in run(capsys, store, "po", "list", *MANAGER)[1]

    count = rows(store, "select count(*) from purchase_orders")
    for args, message in (
            (["add", "--supplier", "ACME", "--line", "COF-1KG:24"], "SKU:QTY:COST"),
            (["add", "--supplier", "ACME", "--line", "COF-1KG:2:1.234"], "more decimals"),
            (["add", "--supplier", "ACME", "--line", "NOPE:1:1.00"], "no item"),
            (["add", "--supplier", "NOBODY", "--line", "COF-1KG:1:1.00"], "no supplier"),
            (["receive", "PO-000001"], "closed")):
        code, _, err = run(capsys, store, "po", args[0], *MANAGER, *args[1:])
        assert code == 1 and message in err and err.count("\n") == 1, err
    assert rows(store, "select count(*) from purchase_orders") == count
    code, _, err = run(capsys, store, "po", "list", *CASHIER)
    assert code == 1 and "may not do this" in err


def test_transfer_locations_and_reorder(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    assert run(capsys, store, "stock", "location-add", *MANAGER, "BACK", "Back room")[0] == 0
    assert "BACK" in run(capsys, store, "stock", "locations", *MANAGER)[1]
    before = int(on_hand(capsys, store, "COF-1KG"))
    code, out, err = run(capsys, store, "stock", "transfer", *MANAGER, "--to", "BACK",
                         "--line", "COF-1KG:3", "--note", "overflow")
    assert code == 0 and out.startswith("TR-000001: 1 lines moved to BACK"), err
    assert int(on_hand(capsys, store, "COF-1KG")) == before - 3
    moved = rows(store, "select count(*) from stock_movements")
    code, _, err = run(capsys, store, "stock", "transfer", *MANAGER, "--to", "MAIN",
                       "--from", "BACK", "--line", "COF-1KG:4")
    assert code == 1 and "cannot move 4, 3 on hand" in err
    assert rows(store, "select count(*) from stock_movements") == moved
    code, out, err = run(capsys, store, "stock", "reorder", *MANAGER, "--format", "csv")
    assert code == 0, err
    assert out.startswith("variant_id,sku,name,on_hand,on_order,reorder_point,sold,")


def test_reports_from_the_command_line(capsys, store: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, store, "sale", *CASHIER, "--scan", "4006381333931",
                         "--qty", "2", "--pay", "cash:50", "--json")
    assert code == 0, err
    sale = json.loads(out)
    today = date.today().isoformat()
    code, out, err = run(capsys, store, "report", "sales", *MANAGER, "--from", today,
                         "--format", "csv")
    assert code == 0, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["period"] == today and row["sales"] == "1"
    assert row["gross"] == sale["total"]["text"] and row["tax"] == sale["tax_total"]["text"]
    code, out, err = run(capsys, store, "report", "items", *MANAGER, "--by", "qty")
    assert code == 0 and "COF-1KG" in out.splitlines()[1], err
    code, out, _ = run(capsys, store, "report", "tenders", *MANAGER, "--format", "json")
    assert json.loads(out) == [{"tender": "cash", "payments": 1,
                                "taken": sale["total"]["text"], "refunded": "0.00",
                                "net": sale["total"]["text"]}]
    for args, message in ((["sales", "--from", "2026-13-01"], "not a date"),
                          (["sales", "--from", "2026-02-02", "--to", "2026-02-01"],
                           "before it starts"),
                          (["items", "--limit", "0"], "1 to 1000"),
                          (["sales", "--count", "cash:1"], "Z report")):
        code, _, err = run(capsys, store, "report", *args[:1], *MANAGER, *args[1:])
        assert code == 1 and message in err and err.count("\n") == 1, err
    code, _, err = run(capsys, store, "report", "cashiers", *CASHIER)
    assert code == 1 and "may not do this" in err
