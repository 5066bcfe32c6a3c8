"""Till process for the card crash test: sells one coffee by card and SIGKILLs itself.

usage: card_crash_worker.py DATA_DIR POINT

POINT says where the till dies, all after the customer's card was approved:
  ``unrecorded``  the terminal answered but the approval is not yet in the store
  ``uncommitted`` the approval is recorded, the sale is not committed
  ``uncaptured``  the sale is committed, the capture not yet sent
The store's hardware profile points at the Stripe fake (its key in the secrets file).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from pos_app.app import open_app
from pos_app.services import card_payments

COFFEE = "4006381333931"


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main() -> None:
    data_dir, point = sys.argv[1], sys.argv[2]
    app = open_app(data_dir, terminal=None, hardware=True)
    user = app.auth.login("cashier", "1111")
    if point == "unrecorded":
        card_payments.CardPayments.record = lambda *a, **k: die()  # type: ignore[assignment]
    elif point == "uncaptured":
        card_payments.CardPayments.capture = lambda *a, **k: die()  # type: ignore[assignment]
    co = app.checkout
    cart = co.new_cart()
    co.scan(cart, COFFEE, user)
    payment: Any = co.pay_card(cart, user)
    print(f"APPROVED {payment.provider_ref}", flush=True)
    if point == "uncommitted":
        die()
    co.complete(cart, user)
    print("COMPLETED", flush=True)


if __name__ == "__main__":
    main()
