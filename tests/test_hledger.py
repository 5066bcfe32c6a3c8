"""The hledger connector against the real hledger-web (Debian's ``hledger-web``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from pos_app.app import build_sync_engine, sync_store
from pos_app.cli.main import main

from .conftest import Shop
from .test_beancount import MAPPING, assert_matches_report, trade
from .test_sync import Clock, drain

HLEDGER_WEB = shutil.which("hledger-web")
if HLEDGER_WEB is None and not os.environ.get("CI"):
    pytest.skip("hledger-web not installed here (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(autouse=True)
def file_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POS_SECRETS", "file")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HledgerWeb:
    def __init__(self, journal: Path, port: int = 0) -> None:
        assert HLEDGER_WEB, "hledger-web is not installed (.ci/run installs it)"
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [HLEDGER_WEB, "--serve-api", "-f", str(journal), "--host", "127.0.0.1", "--port",
             str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()

        def drain_output() -> None:  # keep its pipe empty so request logging never blocks
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                if "Serving web API" in line:
                    ready.set()
            ready.set()

        threading.Thread(target=drain_output, daemon=True).start()
        assert ready.wait(30) and self.proc.poll() is None, "hledger-web did not start"

    def balances(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for t in httpx.get(f"{self.url}/transactions").json():
            for p in t["tpostings"]:
                for a in p["pamount"]:
                    q = a["aquantity"]
                    out[p["paccount"]] += Decimal(q["decimalMantissa"]).scaleb(
                        -q["decimalPlaces"])
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(30)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[tuple[Path, HledgerWeb]]:
    path = tmp_path / "shop.journal"
    path.write_text("; the shop's books\n")
    server = HledgerWeb(path)
    yield path, server
    server.stop()


def add_hledger(shop: Shop, url: str, mapping: dict[str, str] | None = None) -> None:
    sets = [x for k, v in (mapping or MAPPING).items() for x in ("--set", f"{k}={v}")]
    assert main(["--data-dir", str(shop.data_dir), "--user", "admin", "--pin", "9999", "sync",
                 "connector", "add", "hledger", "--name", "hl", "--set", f"url={url}", *sets,
                 "--from-start"]) == 0


def test_sales_reach_hledger_once_and_match_the_x_report(
        shop: Shop, journal: tuple[Path, HledgerWeb]) -> None:
    path, server = journal
    trade(shop)
    add_hledger(shop, server.url)
    clock = Clock()
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    drain(eng, clock)
    eng.close()
    # hledger-web wrote the journal: a fresh server reading the file sees the same books
    server.stop()
    again = HledgerWeb(path)
    try:
        txns = httpx.get(f"{again.url}/transactions").json()
        balance = again.balances()
    finally:
        again.stop()
    assert len(txns) == 10
    assert len({tag[1] for t in txns for tag in t["ttags"] if tag[0] == "pos_event"}) == 10
    x = shop.app.shifts.x_report(shop.manager)
    cents = Decimal("0.01")
    assert balance["Assets:Cash"] == Decimal(x["cash"]["sales"]) * cents
    for t in x["taxes"]:
        name = {"STD": "Standard", "RED": "Reduced"}[t["code"]]
        assert balance[f"Liabilities:VAT:{name}"] == -Decimal(t["tax"]) * cents
        assert balance[f"Income:Sales:{name}"] == -Decimal(t["base"]) * cents
    assert sum(balance.values()) == 0
    assert_matches_report(balance, shop.app.shifts.close(shop.manager, {"cash": 0}))  # Z
    [st] = sync_store(shop.app).status()
    assert st.pending == 0 and st.dead == 0


def test_added_before_a_crash_is_not_added_again(shop: Shop,
                                                 journal: tuple[Path, HledgerWeb]) -> None:
    _path, server = journal
    trade(shop)
    add_hledger(shop, server.url)
    store = sync_store(shop.app)
    clock = Clock()
    store.enqueue("hl", clock(), 1000)
    first = next(d for d in store.due("hl", clock(), 100) if d.event.type == "sale.completed")
    build_sync_engine(shop.app).connectors["hl"].deliver(first)  # added, then "crash"
    eng = build_sync_engine(shop.app)  # restarted: looks the sale up at the target
    eng.clock = clock
    drain(eng, clock)
    eng.close()
    # hledger-web 1.25 can serve a view one append behind its file, so count the file
    text = _path.read_text()
    assert text.count(f"pos_event: {first.event.id}") == 1
    assert text.count("pos_event:") == 10
    assert sync_store(shop.app).dead_letters() == []


def test_hledger_down_then_back(shop: Shop, tmp_path: Path) -> None:
    trade(shop)
    port = free_port()
    add_hledger(shop, f"http://127.0.0.1:{port}")
    clock = Clock()
    eng = build_sync_engine(shop.app)
    eng.clock = clock
    eng.run_until_idle()
    [st] = sync_store(shop.app).status()
    assert st.pending == 10 and "cannot reach" in (st.last_error or "")  # the 10 documents
    path = tmp_path / "late.journal"
    path.write_text("")
    server = HledgerWeb(path, port)  # the accountant's PC is back
    try:
        drain(eng, clock)
        eng.close()
        assert path.read_text().count("pos_event:") == 10
    finally:
        server.stop()
