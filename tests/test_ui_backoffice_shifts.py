"""The Shifts page on a real demo store: a shift closed in the test is listed with its
Z figures, its Z report opens exactly as frozen at close, and prints on the emulated
receipt printer through the print queue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pos_app.services.shifts import report_text

from .bokit import (
    activate,
    back_office,
    cells,
    click,
    message,
    page,
    rows,
    shared_template,
    shot,
)
from .uikit import Till

pytestmark = pytest.mark.usefixtures("qapp")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_template(tmp_path_factory)


@pytest.fixture
def t(qtbot: Any, template: Path, tmp_path: Path) -> Any:
    with back_office(qtbot, template, tmp_path) as running:
        yield running


def sell_and_close(t: Till, short: int) -> dict[str, Any]:
    """Two coffees in cash, then the Z report with the drawer ``short`` minor units short."""
    co, user = t.app.checkout, t.window.session.user
    for _ in range(2):
        cart = co.new_cart()
        co.scan(cart, "COF-1KG", user)
        co.pay_cash(cart, co.cash_due(cart), user)
        co.complete(cart, user)
    x = t.app.shifts.x_report(user)
    return t.app.shifts.close(user, {"cash": x["cash"]["expected"] - short, "card": 0})


def test_a_shift_closed_here_shows_its_z_report_and_prints_it(t: Till) -> None:
    z = sell_and_close(t, 50)
    p = page(t, "shifts")
    t.wait(lambda: [s.z_no for s in rows(p.table)] == [1])
    s = rows(p.table)[0]
    assert (s.sales_count, s.sales_amount, s.net_sales) == (2, 2598, 2598)
    assert (s.cash_expected, s.cash_counted, s.cash_over_short) == (
        10000 + 2598, 10000 + 2548, -50)
    assert cells(p.table, 0)[2:] == ["€25.98 (2)", "€0.00 (0)", "€25.98", "€125.98",
                                     "€125.48", "-€0.50"]
    shot(t.window, "shifts")

    activate(t, p.table, 0)
    dlg = t.dialog("report_dialog")
    text = dlg.findChild(object, "report_text").toPlainText()
    assert text == report_text(z) and text.startswith("Z REPORT #1")
    shot(dlg, "shifts_z_report")
    click(t, "print", dlg)
    t.wait(lambda: "Z report #1 sent to the printer" in message(p))
    t.wait(lambda: any("Z REPORT #1" in "\n".join(r.text) and r.cut
                       for r in t.hw.printer.receipts))
    printed = "\n".join(next(r.text for r in t.hw.printer.receipts
                             if "Z REPORT #1" in "\n".join(r.text)))
    assert "25.98" in printed and "-0.50" in printed
