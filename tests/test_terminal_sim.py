"""The simulated card terminal on the device framework (``SimTerminal``).

Synchronisation is by the sim's ``waiting`` event and futures, never by sleeping.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.errors import DeviceOffline, DeviceTimeout, IllegalState
from drivers.kinds import PaymentProgress, PaymentStage, PaymentStatus
from drivers.status import Status, StatusEvent
from drivers.terminal_sim import SimBehaviour, SimTerminal, SimulatedTerminal, create_sim_terminal
from drivers.url import parse_device_url

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def make() -> Iterator[Callable[..., SimTerminal]]:
    made: list[SimTerminal] = []

    def build(url: str = "sim://terminal", **settings: object) -> SimTerminal:
        term = create_sim_terminal(parse_device_url(url), settings, None)
        term.activate().result(5)
        made.append(term)
        return term

    yield build
    for term in made:
        term.close()


def test_approve_then_capture_once(make: Callable[..., SimTerminal]) -> None:
    term = make()
    events: list[PaymentProgress] = []
    out = term.start(1250, "EUR", "a1", events.append).result(5)
    assert out.approved and not out.captured and out.provider_ref
    assert [e.stage for e in events] == [PaymentStage.WAITING_FOR_CARD, PaymentStage.PROCESSING,
                                         PaymentStage.APPROVED]
    assert term.start(1250, "EUR", "a1").result(5).provider_ref == out.provider_ref
    done = term.capture(out.provider_ref, 1250, "a1").result(5)
    assert done.captured and done.amount == 1250
    assert term.capture(out.provider_ref, 1250, "a1").result(5).captured
    assert term.capture_count(out.provider_ref) == 1
    assert term.recover("a1").result(5).captured


@pytest.mark.parametrize(("amount", "reason"), [(1013, "card declined"),
                                                (2051, "insufficient funds")])
def test_test_amounts_decline(make: Callable[..., SimTerminal], amount: int,
                              reason: str) -> None:
    out = make().start(amount, "eur", f"d{amount}").result(5)
    assert out.status is PaymentStatus.DECLINED and out.message == reason


def test_behaviour_from_url_and_switched_at_runtime(make: Callable[..., SimTerminal]) -> None:
    term = make("sim://terminal?behaviour=decline&decline_reason=do%20not%20honour")
    out = term.start(1000, "eur", "b1").result(5)
    assert out.status is PaymentStatus.DECLINED and out.message == "do not honour"
    term.set_behaviour(SimBehaviour.APPROVE)
    assert term.start(1000, "eur", "b1").result(5).approved  # a declined attempt may retry


def test_cancel_while_slow_customer_waits(make: Callable[..., SimTerminal]) -> None:
    term = make("sim://terminal?behaviour=slow&slow_seconds=0")
    running = term.start(900, "eur", "c1")
    assert term.waiting.wait(5)
    assert term.cancel("c1").result(5) is True
    out = running.result(5)
    assert out.status is PaymentStatus.CANCELLED
    assert term.recover("c1").result(5).status is PaymentStatus.CANCELLED
    assert term.start(900, "eur", "c1").result(5).status is PaymentStatus.CANCELLED


def test_slow_customer_eventually_taps(make: Callable[..., SimTerminal]) -> None:
    term = make(behaviour="slow", slow_seconds=0)
    running = term.start(900, "eur", "c2")
    assert term.waiting.wait(5)
    assert not running.done()
    term.present_card()
    assert running.result(5).approved


def test_cancel_after_approval_reports_it(make: Callable[..., SimTerminal]) -> None:
    term = make()
    out = term.start(900, "eur", "c3").result(5)
    assert term.cancel("c3").result(5) is False
    assert term.void(out.provider_ref, "c3").result(5).status is PaymentStatus.CANCELLED
    late = term.capture(out.provider_ref, 900, "c3").result(5)  # as with Stripe: released
    assert late.status is PaymentStatus.CANCELLED and not late.captured
    assert term.capture_count(out.provider_ref) == 0
    with pytest.raises(IllegalState):
        term.capture("sim_pi_unknown", 900, "c3").result(5)


def test_timeout_never_answers_then_recover(make: Callable[..., SimTerminal]) -> None:
    term = make("sim://terminal?behaviour=timeout&timeout=0.3")
    with pytest.raises(DeviceTimeout):
        term.start(1000, "eur", "t1").result(5)
    assert term.waiting.is_set()  # still waiting for a card nobody will present
    with pytest.raises(DeviceTimeout):  # keeps waiting, up to the timeout
        term.recover("t1").result(5)
    out = term.recover("t1", cancel_pending=True).result(5)
    assert out.status is PaymentStatus.CANCELLED
    assert term.recover("never").result(5).status is PaymentStatus.UNKNOWN


def test_disconnect_fails_as_offline(make: Callable[..., SimTerminal]) -> None:
    term = make()
    seen: list[StatusEvent] = []
    term.add_status_listener(seen.append)
    term.set_behaviour("disconnect")
    with pytest.raises(DeviceOffline):
        term.start(1000, "eur", "x1").result(5)
    assert Status.OFFLINE in [e.status for e in seen]
    assert term.recover("x1").result(5).status is PaymentStatus.FAILED
    term.set_behaviour("approve")
    assert term.start(1000, "eur", "x1").result(5).approved


def test_refund_not_more_than_captured(make: Callable[..., SimTerminal]) -> None:
    term = make()
    out = term.start(1000, "eur", "r1").result(5)
    assert term.refund(out.provider_ref, 100, "eur", "ret0").result(5).status \
        is PaymentStatus.DECLINED  # not captured yet
    term.capture(out.provider_ref, 1000, "r1").result(5)
    first = term.refund(out.provider_ref, 700, "eur", "ret1").result(5)
    assert first.approved
    assert term.refund(out.provider_ref, 700, "eur", "ret1").result(5).provider_ref \
        == first.provider_ref
    assert term.refund(out.provider_ref, 400, "eur", "ret2").result(5).status \
        is PaymentStatus.DECLINED
    assert term.refund(out.provider_ref, 300, "eur", "ret3").result(5).approved


def test_state_file_survives_a_new_instance(make: Callable[..., SimTerminal],
                                            tmp_path: Path) -> None:
    url = f"sim://terminal?state={tmp_path / 'sim.json'}"
    first = make(url)
    out = first.start(4200, "eur", "s1").result(5)
    first.close()
    second = make(url)
    assert second.recover("s1").result(5).approved
    second.capture(out.provider_ref, 4200, "s1").result(5)
    second.close()
    third = make(url)
    assert third.capture(out.provider_ref, 4200, "s1").result(5).captured
    assert third.capture_count(out.provider_ref) == 1


def test_sigkill_between_approval_and_sale_commit(make: Callable[..., SimTerminal],
                                                  tmp_path: Path) -> None:
    state = tmp_path / "sim.json"
    code = (
        "import sys, threading\n"
        "from drivers.terminal_sim import create_sim_terminal\n"
        "from drivers.url import parse_device_url\n"
        "t = create_sim_terminal(parse_device_url(sys.argv[1]), {}, None)\n"
        "t.activate().result(5)\n"
        "out = t.start(3300, 'eur', 'k1').result(5)\n"
        "print(out.provider_ref, flush=True)\n"
        "threading.Event().wait(60)  # the till would commit the sale now; it is killed\n"
    )
    url = f"sim://terminal?state={state}"
    proc = subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    provider_ref = proc.stdout.readline().strip()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    term = make(url)
    out = term.recover("k1").result(5)
    assert out.approved and not out.captured and out.provider_ref == provider_ref
    term.capture(provider_ref, 3300, "k1").result(5)
    term.capture(provider_ref, 3300, "k1").result(5)
    assert term.capture_count(provider_ref) == 1


def test_old_simulated_terminal_unchanged() -> None:
    sim = SimulatedTerminal()
    first = sim.charge(1000, "eur", "o1")
    assert first.approved and sim.charge(1000, "eur", "o1") == first
    assert not sim.charge(1013, "eur", "o2").approved
