"""The demo store's past days are real trading: closed shifts with Z reports, sales on
the right local days and hours, and reports that add up."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pos_app.app import open_app
from pos_app.demo import build_demo_store
from pos_app.demo_history import HOURS


def test_history_days_are_closed_shifts_with_sales_in_opening_hours(tmp_path: Path) -> None:
    store = tmp_path / "store"
    summary = build_demo_store(store, 300, history_days=2)
    assert "sales over the last 2 days" in summary
    app = open_app(store, terminal=None)
    try:
        manager = app.auth.login("manager", "3333")
        today = date.today()
        days = app.reports.sales_by_day(manager, today - timedelta(days=2), today)
        assert [r.sales for r in days] == [30, 30, 0]  # two past days, today untouched
        hours = app.reports.sales_by_hour(manager, today - timedelta(days=2), today)
        busy = {int(r.period[:2]) for r in hours if r.sales}
        assert busy and busy <= set(HOURS)  # only while the shop is open
        shifts = app.people.shifts(manager).rows
        closed = [s for s in shifts if s.closed_at.date() < today]
        assert len(closed) >= 2 and all(s.z_no for s in closed)
        for s in closed[:2]:
            z = app.people.z_report(manager, s.id)
            assert z["type"] == "Z" and z["sales"]["count"] in (0, 30)
        assert app.shifts.current() is not None  # today's shift is open for the demo
        tenders = {r.tender for r in app.reports.tender_mix(manager, today - timedelta(2),
                                                            today)}
        assert {"cash", "card"} <= tenders
    finally:
        app.close()
