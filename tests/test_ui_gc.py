"""Cyclic garbage is collected on the GUI thread while the till's workers run: a
collection on a worker thread may destroy Qt objects on the wrong thread (a crash)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import pytest

from pos_app.ui.tasks import Tasks

from .uikit import build_template, till

pytestmark = pytest.mark.usefixtures("qapp")


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_workers_never_collect_the_gui_thread_does(qtbot: Any) -> None:
    threads: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            threads.append(threading.current_thread().name)

    def churn() -> int:
        for _ in range(20_000):  # far past the first generation's threshold, in cycles
            Cycle()
        return len(threads)

    assert gc.isenabled()
    gc.callbacks.append(seen)
    tasks = Tasks(lambda exc: None)
    try:
        assert not gc.isenabled()  # while the workers run, only the GUI thread collects
        results: list[int] = []
        tasks.run(churn, done=results.append)
        qtbot.waitUntil(lambda: bool(results))
        qtbot.waitUntil(lambda: tasks.collector.collections > 0)  # the timer caught up
        assert threads and set(threads) == {threading.main_thread().name}
    finally:
        tasks.close()
        gc.callbacks.remove(seen)
    assert gc.isenabled()  # back on when the last one stops


def test_a_collector_dropped_without_stop_turns_collection_back_on() -> None:
    from pos_app.ui.gc_guard import GuiCollector

    first, second = GuiCollector(), GuiCollector()
    first.start()
    second.start()
    first.stop()
    assert not gc.isenabled()  # the second one still holds it
    del second
    gc.collect()  # explicit collections still run while automatic ones are off
    assert gc.isenabled()


def test_the_till_window_runs_with_the_gui_collector(qtbot: Any, tmp_path: Path) -> None:
    template = build_template(tmp_path / "template")
    with till(qtbot, template, tmp_path) as t:
        assert not gc.isenabled()
        t.login("cashier", "1111")
    assert gc.isenabled()


def test_a_full_collection_waits_until_the_workers_are_quiet(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """A full collection walks the whole heap (100-200 ms in a till on a large store):
    never while a cashier scans, only once the workers have been idle a while."""
    from pos_app.ui import gc_guard

    busy = {"since": 0.0}
    now = {"t": 1000.0}
    monkeypatch.setattr(gc_guard.time, "monotonic", lambda: now["t"])
    collector = gc_guard.GuiCollector(quiet_since=lambda: busy["since"])
    collector.start()
    try:
        monkeypatch.setattr(gc, "get_count", lambda: (10_000, 100, 100))  # all due
        busy["since"] = now["t"]  # work just now
        collector.collect()
        assert (collector.collections, collector.full_collections) == (1, 0)  # young only
        now["t"] += gc_guard.QUIET_S  # quiet long enough
        collector.collect()
        assert collector.full_collections == 1
        busy["since"] = now["t"] = now["t"] + gc_guard.FULL_AT_LEAST_S  # busy for good
        collector.collect()
        assert collector.full_collections == 2  # but not put off for ever
    finally:
        collector.stop()
