"""Card payments that survive timeouts and crashes without charging twice.

Every terminal call is preceded by a committed payment attempt holding the cart
as it was and the payment about to be added. The attempt id is the terminal's
reference (its idempotency key), so:

- a call that times out is answered by asking the provider what happened
  (``recover``) before anything else — never by charging again;
- after a crash, ``CheckoutService.recover_payments`` finds attempts that were
  approved (or whose outcome is unknown), asks the terminal, and completes the
  sale exactly once or gives the cart back to the cashier;
- authorisations are captured after the sale commits; a capture that fails is
  retried later from the attempts still marked uncaptured.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.cart import Cart, CartPayment
from ..domain.devices import AttemptStatus, PaymentAttempt
from ..domain.errors import StateError
from ..domain.ids import new_id_str
from ..domain.store import TillContext
from ..domain.tender import Tender
from ..domain.users import User
from .ports import PaymentTerminal, Store, TerminalResult

log = logging.getLogger(__name__)

TerminalCall = Callable[[PaymentTerminal, str], TerminalResult]
_STATUS = {"approved": AttemptStatus.APPROVED, "declined": AttemptStatus.DECLINED,
           "cancelled": AttemptStatus.CANCELLED}


class PaymentDeclined(StateError):
    """The terminal declined or failed; nothing was charged."""


class PaymentUncertain(StateError):
    """The terminal did not answer and the provider could not be asked either.

    Nothing may be charged again for this cart until the attempt is resolved
    (``CardPayments.settle_pending`` does it as soon as the provider answers).
    """


class AttemptJournal:
    """Where a terminal driver keeps its provider ids: the attempt's own row, committed
    before the driver makes its next network call."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def remember(self, reference: str, key: str, value: str) -> None:
        with self.store.tx(write=True) as tx:
            tx.remember_provider_state(reference, key, value)
            tx.commit()

    def recall(self, reference: str) -> dict[str, str]:
        with self.store.tx() as tx:
            attempt = tx.payment_attempt(reference)
        return {} if attempt is None else dict(attempt.provider_state)


@dataclass(slots=True)
class CardPayments:
    store: Store
    ctx: TillContext
    terminal: PaymentTerminal | None

    def require_terminal(self) -> PaymentTerminal:
        if self.terminal is None:
            raise StateError("no card terminal is configured on this till")
        return self.terminal

    def run(self, cart: Cart, user: User, payment: CartPayment, call: TerminalCall,
            on_progress: Callable[[str, str], None] | None = None) -> TerminalResult:
        """Commit the attempt, then call the terminal; fills in the payment's ids.

        ``payment.amount`` is signed (refunds negative) and is what the cart gets if
        the terminal approves.
        """
        del on_progress  # reserved: progress goes straight from the driver to the UI
        terminal = self.require_terminal()
        self.settle_pending(cart)
        payment.attempt_id = new_id_str()
        payment.provider = terminal.name
        snapshot = json.dumps({"cart": cart.to_dict(), "payment": payment.to_dict()})
        with self.store.tx(write=True) as tx:
            tx.add_payment_attempt(payment.attempt_id, self.ctx.till_id, cart.id,
                                   payment.amount, self.ctx.currency, terminal.name,
                                   user.id, snapshot)
            tx.commit()
        try:
            result = call(terminal, payment.attempt_id)
        except Exception as exc:
            log.warning("terminal call for attempt %s failed (%s); asking the provider",
                        payment.attempt_id, exc, exc_info=True)
            result = self._ask(payment.attempt_id, exc)
        self.record(payment.attempt_id, result)
        if result.approved:
            payment.provider_ref = result.provider_ref
            payment.captured = result.captured
        return result

    def _ask(self, attempt_id: str, cause: Exception) -> TerminalResult:
        """What happened to an attempt whose call failed; raises if nobody can tell."""
        terminal = self.require_terminal()
        try:
            result = terminal.recover(attempt_id)
        except Exception as exc:
            log.error("cannot recover attempt %s: %s", attempt_id, exc, exc_info=True)
            raise PaymentUncertain(
                "the card terminal did not answer and the payment could not be checked; "
                "do not charge again — it will be checked when the terminal is back") \
                from cause
        if result.status == "unknown":  # the provider never saw it: nothing was charged
            return TerminalResult("failed", None, f"not charged: {cause}")
        return result

    def record(self, attempt_id: str, result: TerminalResult) -> None:
        status = _STATUS.get(result.status, AttemptStatus.FAILED)
        with self.store.tx(write=True) as tx:
            tx.update_payment_attempt(attempt_id, status.value, result.provider_ref,
                                      result.message or None)
            if result.approved and result.captured:
                tx.mark_captured(attempt_id)
            tx.commit()

    def settle_pending(self, cart: Cart) -> list[CartPayment]:
        """Resolve this cart's attempts whose outcome is unknown before charging again;
        an approved one is added to the cart (the customer already paid it)."""
        with self.store.tx() as tx:
            pending = [a for a in tx.payment_attempts(self.ctx.till_id,
                                                      [AttemptStatus.PENDING.value])
                       if a.cart_id == cart.id]
        added = []
        for attempt in pending:
            result = self._ask(attempt.id, StateError("earlier call did not finish"))
            self.record(attempt.id, result)
            if result.approved:
                payment = attempt_payment(attempt, result.provider_ref)
                payment.captured = result.captured
                if all(p.attempt_id != attempt.id for p in cart.payments):
                    cart.payments.append(payment)
                    added.append(payment)
        return added

    def capture(self, payments: list[CartPayment]) -> list[str]:
        """Capture authorised card payments of a completed sale; failures stay queued."""
        with self.store.tx() as tx:
            attempts = [tx.payment_attempt(p.attempt_id) for p in payments if p.attempt_id]
        return self._capture([a for a in attempts if a is not None and a.amount > 0
                              and a.captured_at is None])

    def capture_pending(self) -> list[str]:
        with self.store.tx() as tx:
            attempts = tx.uncaptured_attempts(self.ctx.till_id)
        return self._capture(attempts)

    def _capture(self, attempts: list[PaymentAttempt]) -> list[str]:
        failed = []
        for attempt in attempts:
            if self.terminal is None or attempt.provider != self.terminal.name \
                    or attempt.provider_ref is None:
                continue
            try:
                result = self.terminal.capture(attempt.provider_ref, attempt.amount, attempt.id)
            except Exception as exc:
                log.warning("capture of %s failed, will retry: %s", attempt.id, exc)
                failed.append(attempt.id)
                continue
            if result.approved:
                with self.store.tx(write=True) as tx:
                    tx.mark_captured(attempt.id)
                    tx.commit()
            else:
                log.error("capture of %s refused: %s", attempt.id, result.message)
                failed.append(attempt.id)
        return failed

    def give_back(self, cart: Cart, payment: CartPayment, user: User, reason: str) -> None:
        """Undo one card payment of an abandoned cart: release an authorisation, or
        refund a captured charge. Audited."""
        terminal = self.require_terminal()
        assert payment.provider_ref is not None
        ref = payment.provider_ref
        captured = True
        if payment.attempt_id:
            with self.store.tx() as tx:
                attempt = tx.payment_attempt(payment.attempt_id)
            captured = attempt is None or attempt.captured_at is not None
        if captured:
            refund = CartPayment(new_id_str(), payment.tender, -payment.amount)
            result = self.run(cart, user, refund, lambda t, key: t.refund(
                payment.amount, self.ctx.currency, ref, key))
        else:
            result = terminal.void(ref, f"{payment.attempt_id}:void")
        released = not captured and result.status == "cancelled"
        if not (result.approved or released):
            raise PaymentDeclined("could not give the card payment back: {message}",
                                  message=result.message)
        with self.store.tx(write=True) as tx:
            if payment.attempt_id:
                tx.update_payment_attempt(payment.attempt_id, AttemptStatus.REVERSED.value,
                                          ref, reason)
            if captured and refund.attempt_id:  # done: not a payment waiting for a sale
                tx.update_payment_attempt(refund.attempt_id, AttemptStatus.USED.value,
                                          result.provider_ref, reason)
            tx.append_audit(self.ctx.till_id, user.id, "payment_reversed", ref,
                            {"cart": cart.id, "amount": payment.amount, "reason": reason,
                             "how": "refund" if captured else "void"})
            tx.commit()


def attempt_payment(attempt: PaymentAttempt, provider_ref: str | None) -> CartPayment:
    """The cart payment an approved attempt stands for (as recorded before the call)."""
    data: dict[str, Any] = json.loads(attempt.cart_json or "{}").get("payment") or {}
    payment = CartPayment.from_dict(data) if data else CartPayment(
        new_id_str(), Tender.CARD, attempt.amount, attempt.provider, None, attempt.id)
    payment.provider_ref = provider_ref
    payment.attempt_id = attempt.id
    payment.captured = attempt.captured_at is not None
    return payment
