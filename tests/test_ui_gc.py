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
