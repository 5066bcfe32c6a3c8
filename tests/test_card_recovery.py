"""A card charge is never lost and never taken twice: timeouts, crashes and recovery.

The sim terminal keeps its state in a file, like a provider, so a new till process
(or a new app on the same store) sees what the old one charged. The SIGKILL tests
run a real till process against the Stripe fake with the real ``stripe`` SDK.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drivers.emulators.stripe_fake import DEFAULT_KEY, StripeFake
from pos_app.app import device_secrets, open_app
from pos_app.domain.devices import DeviceEntry
from pos_app.paths import db_path
from pos_app.services import card_payments
from pos_app.services.card_payments import PaymentUncertain
from pos_app.services.checkout import PaymentDeclined
from pos_app.services.ports import TerminalResult

from .conftest import COFFEE, Shop, make_shop

ROOT = Path(__file__).resolve().parent.parent


def db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(db_path(path))


def sales(path: Path) -> list[tuple[str, int]]:
    return db(path).execute("select receipt_no, total from sales order by seq").fetchall()


@pytest.fixture
def sim_shop(tmp_path: Path) -> Iterator[tuple[Shop, str]]:
    shop = make_shop(tmp_path / "store")
    shop.app.close()
    url = f"sim://terminal?state={tmp_path / 'terminal.json'}"
    shop.app = open_app(shop.data_dir, terminal=url)
    yield shop, url
    shop.app.close()


def reopen(shop: Shop, url: str) -> None:
    shop.app.close()  # as far as the store is concerned, the till died here
    shop.app = open_app(shop.data_dir, terminal=url)


def test_approved_card_of_a_crashed_till_completes_the_sale_once(
        sim_shop: tuple[Shop, str]) -> None:
    shop, url = sim_shop
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    payment = co.pay_card(cart, shop.cashier)
    assert not payment.captured  # authorised, to be captured with the sale
    reopen(shop, url)  # the cart in memory is gone
    report = shop.app.checkout.recover_payments()
    assert report.completed == ["S1-T1-000001"] and not report.parked
    assert sales(shop.data_dir) == [("S1-T1-000001", 1299)]
    terminal = shop.app.devices.device("terminal")
    assert terminal.capture_count(payment.provider_ref) == 1
    row = db(shop.data_dir).execute("select status, captured_at is not null"
                                    " from payment_attempts").fetchall()
    assert row == [("used", 1)]
    again = shop.app.checkout.recover_payments()  # nothing left to do, nothing done twice
    assert not (again.completed or again.parked or again.not_charged)
    assert len(sales(shop.data_dir)) == 1 and terminal.capture_count(payment.provider_ref) == 1


def test_approval_never_recorded_is_found_by_asking_the_terminal(
        sim_shop: tuple[Shop, str], monkeypatch: pytest.MonkeyPatch) -> None:
    shop, url = sim_shop
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)

    class Died(BaseException):
        pass

    def crash(*_: Any) -> None:
        raise Died
    monkeypatch.setattr(card_payments.CardPayments, "record", crash)
    with pytest.raises(Died):
        co.pay_card(cart, shop.cashier)
    monkeypatch.undo()
    status = db(shop.data_dir).execute("select status from payment_attempts").fetchall()
    assert status == [("pending",)]  # the store does not know the card was approved
    reopen(shop, url)
    report = shop.app.checkout.recover_payments()
    assert report.completed == ["S1-T1-000001"]
    charges = json.loads((shop.data_dir.parent / "terminal.json").read_text())["charges"]
    assert len(charges) == 1  # asked, not charged again


def test_partly_paid_card_sale_comes_back_parked_with_its_payment(
        sim_shop: tuple[Shop, str]) -> None:
    shop, url = sim_shop
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    co.pay_card(cart, shop.cashier, 1000)
    reopen(shop, url)
    report = shop.app.checkout.recover_payments()
    assert report.parked and not report.completed and sales(shop.data_dir) == []
    co = shop.app.checkout
    (park_id, label, _), = co.parked()
    assert park_id == report.parked[0] and "recovered" in label
    resumed = co.resume(park_id, shop.cashier)
    assert [(p.tender.value, p.amount) for p in resumed.payments] == [("card", 1000)]
    co.pay_cash(resumed, 299, shop.cashier)
    sale = co.complete(resumed, shop.cashier)
    assert sale.total == 1299 and [p.amount for p in sale.payments] == [1000, 299]
    terminal = shop.app.devices.device("terminal")
    assert terminal.capture_count(resumed.payments[0].provider_ref) == 1
    assert shop.app.checkout.recover_payments().parked == []  # not parked a second time


def test_declined_card_leaves_nothing_to_recover(sim_shop: tuple[Shop, str]) -> None:
    shop, url = sim_shop
    co = shop.app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    with pytest.raises(PaymentDeclined, match="card declined"):
        co.pay_card(cart, shop.cashier, 1213)
    reopen(shop, url)
    report = shop.app.checkout.recover_payments()
    assert not (report.completed or report.parked or report.unresolved)


class FlakyTerminal:
    """Wraps the real (sim) terminal: the charge gets through but its answer is lost."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name = inner, inner.name
        self.reachable = False

    def charge(self, amount: int, currency: str, reference: str, on_progress: Any = None
               ) -> TerminalResult:
        self.inner.charge(amount, currency, reference, on_progress)
        raise TimeoutError("read timed out")  # the customer was charged; we never heard

    def recover(self, reference: str) -> TerminalResult:
        if not self.reachable:
            raise ConnectionError("network unreachable")
        return self.inner.recover(reference)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_lost_answer_is_never_charged_again(sim_shop: tuple[Shop, str]) -> None:
    shop, _url = sim_shop
    co = shop.app.checkout
    flaky = FlakyTerminal(co.terminal)
    co.terminal = flaky
    cart = co.new_cart()
    co.scan(cart, COFFEE, shop.cashier)
    with pytest.raises(PaymentUncertain, match="do not charge again"):
        co.pay_card(cart, shop.cashier)
    assert cart.payments == []
    flaky.reachable = True  # the network is back; the cashier presses "card" again
    payment = co.pay_card(cart, shop.cashier)
    charges = json.loads((shop.data_dir.parent / "terminal.json").read_text())["charges"]
    assert len(charges) == 1 and payment.provider_ref == next(iter(charges.values()))[
        "provider_ref"]
    sale = co.complete(cart, shop.cashier)
    assert [p.tender for p in sale.payments] == ["card"] and sale.total == 1299


# ----- a real till process, SIGKILLed, against the Stripe fake ---------------------------
@pytest.fixture
def stripe_shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[tuple[Shop, StripeFake]]:
    monkeypatch.setenv("POS_SECRETS", "file")
    with StripeFake() as fake:
        fake.set_reader(present_after_polls=0)  # the customer taps at once
        shop = make_shop(tmp_path / "store")
        shop.app.hardware.set_device(shop.admin, DeviceEntry(
            "terminal", "", f"stripe://{fake.reader_id}?api_base={fake.url}", None,
            {"poll_interval": "0.01", "max_network_retries": 0}))
        device_secrets(shop.data_dir).set("device:terminal", "api_key", DEFAULT_KEY)
        shop.app.close()
        yield shop, fake
        assert fake.violations == []


@pytest.mark.parametrize("point", ["unrecorded", "uncommitted", "uncaptured"])
def test_till_killed_after_approval_completes_once_with_one_capture(
        stripe_shop: tuple[Shop, StripeFake], point: str) -> None:
    shop, fake = stripe_shop
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "card_crash_worker.py"),
                          str(shop.data_dir), point], capture_output=True, text=True,
                         env=env, timeout=120)
    assert run.returncode == -9, run.stderr
    (pi_id, intent), = fake.payment_intents.items()
    assert intent["status"] == "requires_capture" and fake.captures[pi_id] == 0
    committed = sales(shop.data_dir)
    assert len(committed) == (1 if point == "uncaptured" else 0)

    shop.app = open_app(shop.data_dir, terminal=None, hardware=True)
    report = shop.app.checkout.recover_payments()
    assert sales(shop.data_dir) == [("S1-T1-000001", 1299)]  # exactly once
    assert report.completed == ([] if point == "uncaptured" else ["S1-T1-000001"])
    assert fake.captures[pi_id] == 1 and fake.payment_intents[pi_id]["status"] == "succeeded"
    assert len(fake.payment_intents) == 1  # no second charge
    payment = db(shop.data_dir).execute(
        "select tender, amount, provider_ref from payments").fetchall()
    assert payment == [("card", 1299, pi_id)]
    again = shop.app.checkout.recover_payments()
    assert again.completed == [] and fake.captures[pi_id] == 1
    shop.app.close()
