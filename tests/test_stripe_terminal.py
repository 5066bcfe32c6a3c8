"""The Stripe Terminal driver with the real ``stripe`` SDK against the local fake.

Every test checks at the end that the driver's traffic obeyed the OpenAPI spec
(``fake.violations`` stays empty). Synchronisation is by the fake's condition
(``wait_until``) and counters, never by sleeping.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from drivers.emulators.stripe_fake import DEFAULT_KEY, StripeFake
from drivers.errors import DeviceBusy, IllegalState
from drivers.kinds import DeviceKind, PaymentProgress, PaymentStage, PaymentStatus
from drivers.status import Status, StatusEvent
from drivers.stripe_terminal import (
    JsonFileJournal,
    MemoryJournal,
    StripeTerminal,
    StripeTerminalDriver,
    TerminalJournal,
)
from drivers.url import parse_device_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[StripeFake]:
    with StripeFake() as f:
        yield f
        assert f.violations == [], "the driver sent a request the Stripe spec does not allow"


@pytest.fixture
def make(fake: StripeFake) -> Iterator[Callable[..., StripeTerminal]]:
    made: list[StripeTerminal] = []

    def build(journal: TerminalJournal | None = None, **settings: Any) -> StripeTerminal:
        driver = StripeTerminalDriver()
        given = {"api_key": DEFAULT_KEY, "poll_interval": "0.005", "timeout": 5,
                 "request_timeout": 5, "max_network_retries": 0,
                 "journal": journal or MemoryJournal(), **settings}
        url = parse_device_url(f"stripe://{fake.reader_id}?api_base={fake.url}")
        device = driver.create(DeviceKind.TERMINAL, url, driver.settings_for(given))
        assert isinstance(device, StripeTerminal)
        device.activate().result(10)
        made.append(device)
        return device

    yield build
    for device in made:
        device.close()


def _sdk(fake: StripeFake) -> stripe.StripeClient:
    return stripe.StripeClient(DEFAULT_KEY, base_addresses={"api": fake.url},
                               max_network_retries=0)


def _stages(events: list[PaymentProgress]) -> list[PaymentStage]:
    return [e.stage for e in events]


def _collecting(fake: StripeFake) -> Callable[[], bool]:
    def check() -> bool:
        action = fake.readers[fake.reader_id]["action"]
        return bool(action) and action["status"] == "in_progress"
    return check


# --- the happy path and declines ---

def test_approve_then_capture(fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    journal = MemoryJournal()
    term = make(journal)
    events: list[PaymentProgress] = []
    out = term.start(1250, "EUR", "att-1", events.append).result(10)
    assert out.status is PaymentStatus.APPROVED and not out.captured
    assert out.amount == 1250 and out.currency == "eur"
    assert _stages(events) == [PaymentStage.WAITING_FOR_CARD, PaymentStage.PROCESSING,
                               PaymentStage.APPROVED]
    pi = fake.payment_intents[out.provider_ref]
    assert pi["status"] == "requires_capture"
    assert pi["metadata"] == {"pos_reference": "att-1"}
    assert pi["capture_method"] == "manual" and pi["payment_method_types"] == ["card_present"]
    assert journal.recall("att-1")["payment_intent"] == out.provider_ref
    last = fake.readers[fake.reader_id]["action"]["process_payment_intent"]
    assert last["process_config"] == {"skip_tipping": True, "enable_customer_cancellation": True}

    done = term.capture(out.provider_ref, 1250, "att-1").result(10)
    assert done.status is PaymentStatus.APPROVED and done.captured and done.amount == 1250
    assert fake.payment_intents[out.provider_ref]["status"] == "succeeded"
    assert fake.captures[out.provider_ref] == 1
    assert len(fake.payment_intents) == 1
    assert term.recover("att-1").result(10).captured


@pytest.mark.parametrize(("amount", "code", "decline"), [
    (1001, "card_declined", "call_issuer"),
    (1005, "card_declined", "generic_decline"),
    (1055, "incorrect_pin", ""),
])
def test_decline_by_test_amount(fake: StripeFake, make: Callable[..., StripeTerminal],
                                amount: int, code: str, decline: str) -> None:
    term = make()
    events: list[PaymentProgress] = []
    out = term.start(amount, "usd", f"dec-{amount}", events.append).result(10)
    assert out.status is PaymentStatus.DECLINED
    assert out.extra == {"failure_code": code, "decline_code": decline}
    assert out.message
    assert _stages(events)[-1] is PaymentStage.DECLINED
    assert term.recover(f"dec-{amount}").result(10).status is PaymentStatus.DECLINED
    assert not fake.captures


def test_declined_card_then_another_card_reuses_the_payment_intent(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    term = make()
    fake.set_reader(card="4000000000009995")
    out = term.start(2000, "eur", "att-2").result(10)
    assert out.status is PaymentStatus.DECLINED
    assert out.extra["decline_code"] == "insufficient_funds"
    fake.set_reader(card="4242424242424242")
    again = term.start(2000, "eur", "att-2").result(10)
    assert again.approved and again.provider_ref == out.provider_ref
    assert len(fake.payment_intents) == 1
    with pytest.raises(IllegalState):  # same attempt, other amount: refused, not re-charged
        term.start(2500, "eur", "att-2").result(10)


# --- cancel, timeout, recovery ---

def test_cancel_while_waiting_for_card(fake: StripeFake,
                                       make: Callable[..., StripeTerminal]) -> None:
    fake.set_reader(present_after_polls=None)
    term = make()
    events: list[PaymentProgress] = []
    running = term.start(1500, "eur", "att-3", events.append)
    assert fake.wait_until(_collecting(fake))
    assert term.cancel("att-3").result(10) is True
    out = running.result(10)
    assert out.status is PaymentStatus.CANCELLED
    assert _stages(events)[-1] is PaymentStage.CANCELLED
    assert fake.payment_intents[out.provider_ref]["status"] == "canceled"
    assert fake.readers[fake.reader_id]["action"] is None
    assert term.recover("att-3").result(10).status is PaymentStatus.CANCELLED
    # the attempt is over: starting it again never charges
    assert term.start(1500, "eur", "att-3").result(10).status is PaymentStatus.CANCELLED


def test_cancel_that_loses_the_race_reports_the_approval(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.set_reader(present_after_polls=None)
    term = make()
    running = term.start(1800, "eur", "att-4")
    assert fake.wait_until(_collecting(fake))
    fake.present()  # the customer taps just before the cashier presses cancel
    cancelled = term.cancel("att-4")
    out = running.result(10)
    assert cancelled.result(10) is False
    assert out.approved and not out.captured
    assert fake.payment_intents[out.provider_ref]["status"] == "requires_capture"


def test_no_card_within_timeout_cancels_and_recover_agrees(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.set_reader(present_after_polls=None)
    term = make(timeout=1)
    out = term.start(900, "eur", "att-5").result(10)
    assert out.status is PaymentStatus.CANCELLED and "no card" in out.message
    assert fake.count("POST", "cancel_action$") == 1
    again = term.recover("att-5").result(10)
    assert again.status is PaymentStatus.CANCELLED and again.provider_ref == out.provider_ref


def test_recover_without_journal_entry_is_unknown(make: Callable[..., StripeTerminal]) -> None:
    out = make().recover("never-started").result(10)
    assert out.status is PaymentStatus.UNKNOWN and out.provider_ref is None


def test_cancel_without_running_start(fake: StripeFake,
                                      make: Callable[..., StripeTerminal]) -> None:
    term = make()
    assert term.cancel("nothing-here").result(10) is True
    out = term.start(700, "eur", "att-6").result(10)
    assert term.cancel("att-6").result(10) is False  # authorised: void it instead
    voided = term.void(out.provider_ref, "att-6").result(10)
    assert voided.status is PaymentStatus.CANCELLED
    assert fake.payment_intents[out.provider_ref]["status"] == "canceled"
    late = term.capture(out.provider_ref, 700, "att-6").result(10)
    assert late.status is PaymentStatus.CANCELLED and not fake.captures


# --- reader busy and offline ---

def test_reader_busy_leaves_the_other_action_alone(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.set_reader(present_after_polls=None)
    other = _sdk(fake)
    theirs = other.v1.payment_intents.create(params={
        "amount": 4000, "currency": "eur", "payment_method_types": ["card_present"],
        "capture_method": "manual"})
    other.v1.terminal.readers.process_payment_intent(
        fake.reader_id, params={"payment_intent": theirs.id})
    term = make()
    with pytest.raises(DeviceBusy):
        term.start(1000, "eur", "att-7").result(10)
    action = fake.readers[fake.reader_id]["action"]
    assert action["status"] == "in_progress"
    assert action["process_payment_intent"]["payment_intent"] == theirs.id
    assert fake.count("POST", "cancel_action$") == 0
    assert term.cancel("att-7").result(10) is True  # voids our own, unpaid intent only
    assert fake.readers[fake.reader_id]["action"]["status"] == "in_progress"
    assert fake.payment_intents[theirs.id]["status"] == "requires_payment_method"


def test_reader_offline_fails_without_charging(fake: StripeFake,
                                               make: Callable[..., StripeTerminal]) -> None:
    term = make()
    seen: list[StatusEvent] = []
    term.add_status_listener(seen.append)
    fake.set_reader(online=False)
    out = term.start(1000, "eur", "att-8").result(10)
    assert out.status is PaymentStatus.FAILED and "offline" in out.message
    assert Status.OFFLINE in [e.status for e in seen]
    assert not fake.captures
    assert all(p["status"] == "requires_payment_method" for p in fake.payment_intents.values())


# --- the network drops after Stripe committed ---

def test_process_committed_then_dropped_is_reconciled(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.drop_after_commit("POST", r"/process_payment_intent$")
    term = make()
    out = term.start(3000, "eur", "att-9").result(10)
    assert out.approved
    assert fake.dropped == 1
    assert fake.count("POST", r"/process_payment_intent$") == 1  # read back, not re-sent
    assert len(fake.payment_intents) == 1
    term.capture(out.provider_ref, 3000, "att-9").result(10)
    assert fake.captures[out.provider_ref] == 1


def test_sdk_retry_after_drop_is_an_idempotent_replay(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.drop_after_commit("POST", r"^/v1/payment_intents$")
    term = make(max_network_retries=1)
    out = term.start(3100, "eur", "att-10").result(10)
    assert out.approved
    assert fake.dropped == 1 and fake.replays == 1
    assert len(fake.payment_intents) == 1


def test_create_committed_then_dropped_without_sdk_retry(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    fake.drop_after_commit("POST", r"^/v1/payment_intents$")
    term = make()
    out = term.start(3200, "eur", "att-11").result(10)
    assert out.approved and len(fake.payment_intents) == 1 and fake.replays == 1


def test_capture_committed_then_dropped_captures_once(
        fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    term = make()
    out = term.start(4200, "eur", "att-12").result(10)
    fake.drop_after_commit("POST", r"/capture$")
    done = term.capture(out.provider_ref, 4200, "att-12").result(10)
    assert done.captured and done.amount == 4200
    assert fake.dropped == 1
    again = term.capture(out.provider_ref, 4200, "att-12").result(10)  # the app retries
    assert again.captured
    assert fake.captures[out.provider_ref] == 1


# --- crashes: a new driver with the same journal ---

def test_restart_with_same_journal_creates_no_second_payment_intent(
        fake: StripeFake, make: Callable[..., StripeTerminal], tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    first = make(JsonFileJournal(path))
    out = first.start(5000, "eur", "att-13").result(10)
    first.close()
    second = make(JsonFileJournal(path))
    assert second.recover("att-13").result(10).approved
    again = second.start(5000, "eur", "att-13").result(10)
    assert again.approved and again.provider_ref == out.provider_ref
    assert fake.count("POST", r"^/v1/payment_intents$") == 1
    assert fake.count("POST", r"/process_payment_intent$") == 1
    second.capture(out.provider_ref, 5000, "att-13").result(10)
    assert fake.captures[out.provider_ref] == 1


def _till(fake: StripeFake, journal: Path, reference: str, amount: int) -> subprocess.Popen[str]:
    """A till process that starts a payment and waits for the card (to be SIGKILLed)."""
    code = (
        "import sys\n"
        "from drivers.stripe_terminal import StripeTerminal, JsonFileJournal\n"
        "from drivers.url import parse_device_url\n"
        "url, path, ref, amount = sys.argv[1:5]\n"
        "t = StripeTerminal(parse_device_url(url), {'api_key': sys.stdin.readline().strip(),\n"
        "    'poll_interval': 0.01, 'timeout': 60, 'max_network_retries': 0},\n"
        "    journal=JsonFileJournal(path))\n"
        "t.activate().result(10)\n"
        "t.start(int(amount), 'eur', ref, lambda p: print(p.stage.value, flush=True))"
        ".result(90)\n"
    )
    url = f"stripe://{fake.reader_id}?api_base={fake.url}"
    proc = subprocess.Popen([sys.executable, "-c", code, url, str(journal), reference,
                             str(amount)], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(DEFAULT_KEY + "\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "waiting_for_card"
    return proc


def test_till_killed_while_waiting_then_card_tapped(
        fake: StripeFake, make: Callable[..., StripeTerminal], tmp_path: Path) -> None:
    fake.set_reader(present_after_polls=None)
    path = tmp_path / "journal.json"
    proc = _till(fake, path, "att-14", 6000)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    fake.present()  # the customer taps after the till died
    term = make(JsonFileJournal(path))
    out = term.recover("att-14").result(10)
    assert out.approved and not out.captured
    assert len(fake.payment_intents) == 1
    assert term.start(6000, "eur", "att-14").result(10).provider_ref == out.provider_ref
    term.capture(out.provider_ref, 6000, "att-14").result(10)
    term.capture(out.provider_ref, 6000, "att-14").result(10)
    assert fake.captures[out.provider_ref] == 1


def test_till_killed_then_recover_waits_or_cancels(
        fake: StripeFake, make: Callable[..., StripeTerminal], tmp_path: Path) -> None:
    fake.set_reader(present_after_polls=None)
    path = tmp_path / "journal.json"
    proc = _till(fake, path, "att-15", 6100)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    term = make(JsonFileJournal(path))
    fake.set_reader(present_after_polls=3)  # the customer taps while we recover
    waited = term.recover("att-15").result(10)
    assert waited.approved
    term.void(waited.provider_ref, "att-15").result(10)

    fake.set_reader(present_after_polls=None)
    proc = _till(fake, path, "att-16", 6200)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    stopped = term.recover("att-16", cancel_pending=True).result(10)
    assert stopped.status is PaymentStatus.CANCELLED
    assert fake.readers[fake.reader_id]["action"] is None
    assert fake.payment_intents[stopped.provider_ref]["status"] == "canceled"


# --- refunds ---

def test_refund_of_captured_payment(fake: StripeFake,
                                    make: Callable[..., StripeTerminal]) -> None:
    term = make()
    out = term.start(1000, "eur", "att-17").result(10)
    not_yet = term.refund(out.provider_ref, 100, "eur", "ret-0").result(10)
    assert not_yet.status is PaymentStatus.DECLINED  # nothing captured to refund
    term.capture(out.provider_ref, 1000, "att-17").result(10)
    refund = term.refund(out.provider_ref, 600, "eur", "ret-1").result(10)
    assert refund.approved and refund.amount == 600 and refund.provider_ref.startswith("re_")
    replay = term.refund(out.provider_ref, 600, "eur", "ret-1").result(10)
    assert replay.provider_ref == refund.provider_ref and len(fake.refunds) == 1
    too_much = term.refund(out.provider_ref, 500, "eur", "ret-2").result(10)
    assert too_much.status is PaymentStatus.DECLINED
    assert too_much.extra["code"] == "amount_too_large"
    assert term.refund(out.provider_ref, 400, "eur", "ret-3").result(10).approved
    assert sum(r["amount"] for r in fake.refunds.values()) == 1000


# --- the fake itself ---

def _raw(fake: StripeFake, method: str, path: str, body: str = "",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], Any]:
    request = urllib.request.Request(
        fake.url + path, data=body.encode() if method == "POST" else None, method=method,
        headers={"Authorization": f"Bearer {DEFAULT_KEY}",
                 "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, json.loads(resp.read()), resp.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read()), err.headers


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/payment_intents", "amount=100&currency=eur&colour=red"),
    ("POST", "/v1/payment_intents", "amount=ten&currency=eur"),
    ("POST", "/v1/payment_intents", "amount=100"),
    ("POST", "/v1/payment_intents", "amount=100&currency=eur&capture_method=later"),
    ("POST", "/v1/payment_intents", "amount=100&currency=eur&metadata[a][b]=c"),
    ("POST", "/v1/payment_intents", "amount=100&currency=eur&payment_method_types[1]=card"),
    ("POST", "/v1/terminal/readers/tmr_x/process_payment_intent",
     "payment_intent=pi_x&process_config[skip_tipping]=maybe"),
    ("POST", "/v1/terminal/readers/tmr_x/process_payment_intent",
     "payment_intent=pi_x&process_config[tip]=1"),
    ("GET", "/v1/terminal/readers?status=sleeping", ""),
    ("GET", "/v1/payment_intents", ""),
    ("POST", "/v1/charges", "amount=1"),
])
def test_spec_validation_rejects_bad_requests(fake: StripeFake, method: str, path: str,
                                              body: str) -> None:
    status, answer, _headers = _raw(fake, method, path, body)
    assert status in (400, 404)
    assert answer["error"]["type"] == "invalid_request_error"
    assert len(fake.violations) == 1
    assert not fake.payment_intents
    fake.violations.clear()


def test_spec_validation_accepts_stripe_encodings(fake: StripeFake) -> None:
    status, pi, _ = _raw(fake, "POST", "/v1/payment_intents",
                         "amount=100&currency=eur&payment_method_types[]=card_present"
                         "&metadata[pos_reference]=x&capture_method=manual")
    assert status == 200 and pi["payment_method_types"] == ["card_present"]
    status, _, _ = _raw(fake, "GET", f"/v1/payment_intents/{pi['id']}?expand[0]=latest_charge")
    assert status == 200


def test_fake_auth_and_idempotency(fake: StripeFake) -> None:
    status, answer, _ = _raw(fake, "GET", "/v1/terminal/readers", headers={"Authorization": ""})
    assert status == 401 and "API key" in answer["error"]["message"]
    status, answer, _ = _raw(fake, "GET", "/v1/terminal/readers",
                             headers={"Authorization": "Bearer sk_test_wrong_key_123"})
    assert status == 401 and answer["error"]["type"] == "invalid_request_error"
    key = {"Idempotency-Key": "k1"}
    first = _raw(fake, "POST", "/v1/payment_intents", "amount=100&currency=eur", key)
    second = _raw(fake, "POST", "/v1/payment_intents", "amount=100&currency=eur", key)
    assert first[0] == second[0] == 200 and first[1] == second[1]
    assert second[2]["Idempotent-Replayed"] == "true"
    other = _raw(fake, "POST", "/v1/payment_intents", "amount=200&currency=eur", key)
    assert other[0] == 400 and other[1]["error"]["type"] == "idempotency_error"
    # an error is replayed too, status included
    bad = {"Idempotency-Key": "k2"}
    assert _raw(fake, "POST", "/v1/payment_intents/pi_nope/capture", "", bad)[0] == 404
    again = _raw(fake, "POST", "/v1/payment_intents/pi_nope/capture", "", bad)
    assert again[0] == 404 and again[2]["Idempotent-Replayed"] == "true"
    assert len(fake.payment_intents) == 1


def test_fake_capture_state_machine(fake: StripeFake) -> None:
    sdk = _sdk(fake)
    pi = sdk.v1.payment_intents.create(params={
        "amount": 500, "currency": "eur", "payment_method_types": ["card_present"],
        "capture_method": "manual"})
    with pytest.raises(stripe.InvalidRequestError) as err:
        sdk.v1.payment_intents.capture(pi.id)
    assert err.value.code == "payment_intent_unexpected_state"
    sdk.v1.terminal.readers.process_payment_intent(fake.reader_id,
                                                   params={"payment_intent": pi.id})
    sdk.v1.test_helpers.terminal.readers.present_payment_method(
        fake.reader_id, params={"card_present": {"number": "4242424242424242"}})
    assert sdk.v1.payment_intents.capture(pi.id).status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.payment_intents.capture(pi.id)
    assert fake.captures[pi.id] == 1
    assert sdk.v1.terminal.connection_tokens.create().secret.startswith("pst_test_")
    assert [r.id for r in sdk.v1.terminal.readers.list().data] == [fake.reader_id]


def test_cli_prints_address_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "drivers.emulators.stripe_fake", "--port",
                             "0"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("stripe fake listening on http://127.0.0.1:")
        assert "(reader tmr_" in line
    finally:
        proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0


# --- driver plumbing ---

def test_driver_settings_and_address(fake: StripeFake) -> None:
    driver = StripeTerminalDriver()
    assert driver.is_usable() == (True, "")
    with pytest.raises(IllegalState):
        driver.settings_for({"api_key": "x", "colour": "red"})
    url = parse_device_url(f"stripe://tmr_AbCd?api_base={fake.url}")
    term = driver.create(DeviceKind.TERMINAL, url, driver.settings_for({"api_key": "sk_x"}))
    assert isinstance(term, StripeTerminal) and term.reader_id == "tmr_AbCd"
    assert "sk_x" not in repr(term)
    with pytest.raises(IllegalState):  # no journal: refuses to open rather than lose payments
        term.activate().result(10)
    term.close()


def test_json_journal_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j" / "journal.json"
    journal = JsonFileJournal(path)
    journal.remember("a", "payment_intent", "pi_1")
    assert JsonFileJournal(path).recall("a") == {"payment_intent": "pi_1"}
    assert [p.name for p in path.parent.iterdir()] == ["journal.json"]


def test_fake_http_controls(fake: StripeFake, make: Callable[..., StripeTerminal]) -> None:
    def control(path: str, args: dict[str, Any]) -> int:
        request = urllib.request.Request(fake.url + path, data=json.dumps(args).encode(),
                                         method="POST")
        with urllib.request.urlopen(request, timeout=5) as resp:
            return int(resp.status)

    term = make()
    assert control("/_fake/reader", {"present_after_polls": None}) == 200
    running = term.start(1000, "eur", "att-18")
    assert fake.wait_until(_collecting(fake))
    assert control("/_fake/present", {}) == 200
    out = running.result(10)
    assert out.approved
    assert control("/_fake/drop", {"method": "POST", "path": "/capture$"}) == 200
    term.capture(out.provider_ref, 1000, "att-18").result(10)
    with urllib.request.urlopen(fake.url + "/_fake/state", timeout=5) as resp:
        state = json.loads(resp.read())
    assert state["captures"] == {out.provider_ref: 1} and state["dropped"] == 1
    assert state["violations"] == []
