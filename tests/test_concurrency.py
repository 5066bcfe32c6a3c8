"""Two processes selling on one store at once (till + back office, or two CLI runs).

Write transactions take the lock up front (BEGIN IMMEDIATE), so they queue instead
of failing half-way; receipt numbers stay unique and gapless.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from .conftest import COFFEE, TEA_UPC, Shop

WORKER = """
import sys
from decimal import Decimal
from pos_app.app import open_app
app = open_app(sys.argv[1])
user = app.auth.login("cashier", "1111")
for i in range(int(sys.argv[2])):
    cart = app.checkout.new_cart()
    app.checkout.scan(cart, sys.argv[3], user, Decimal(1 + i % 2))
    app.checkout.pay_cash(cart, 5000, user)
    print(app.checkout.complete(cart, user).receipt_no, flush=True)
app.close()
"""


def test_two_processes_sell_concurrently_without_gaps_or_clashes(shop: Shop) -> None:
    shop.app.close()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(shop.data_dir), "40", code],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env)
             for code in (COFFEE, TEA_UPC)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    receipts = [r for out, _ in outputs for r in out.split()]
    assert sorted(receipts) == [f"S1-T1-{n:06d}" for n in range(1, 81)]
    con = sqlite3.connect(Path(shop.data_dir) / "pos.sqlite3")
    seqs = [r[0] for r in con.execute("select seq from sales order by seq")]
    assert seqs == list(range(1, 81))
    assert con.execute("select last_receipt_no from tills").fetchone()[0] == 80
    events = con.execute("select count(*) from outbox where type='sale.completed'").fetchone()
    assert events[0] == 80
    levels = dict(con.execute("select variant_id, on_hand_milli from stock_levels"))
    ledger = dict(con.execute("select variant_id, sum(qty_milli) from stock_movements"
                              " group by variant_id"))
    assert levels == ledger
    from pos_app.app import open_app

    shop.app = open_app(shop.data_dir)
    assert shop.app.audit.verify()[1] == []
