"""``pos bench --ui`` runs end to end on a tiny store and reports every figure with its
baselines. Not a timed test: the figures are checked for shape and sense, not speed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pos_app.bench_ui import ui_table
from pos_app.cli.main import main


def test_ui_bench_measures_every_till_target_and_its_baselines(capsys: Any,
                                                               tmp_path: Path) -> None:
    code = main(["--data-dir", str(tmp_path / "bench"), "bench", "--skus", "300", "--ui",
                 "--ui-starts", "1", "--ui-samples", "6", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == (0 if all(result["met"].values()) else 1)  # the exit code tells targets
    ui = result["ui"]
    assert set(result["met"]) == {"build", "ui_start", "ui_scan", "ui_search", "ui_idle_rss",
                                  "ui_lag"}
    assert ui["platform"] == "offscreen"

    start = ui["start"]
    assert start["n"] == 1 and 0 < start["min_s"] <= start["p50_s"] <= start["max_s"]
    assert set(start["baseline"]) == {"bare_python", "bare_qt_window", "headless_app",
                                      "cli_catalog_show"}
    assert start["baseline"]["bare_python"]["max_s"] < start["max_s"]  # the floor is lower
    assert set(start["first_round_s"]) == {"till", *start["baseline"]}

    memory = ui["memory"]
    assert memory["idle_rss_mb"] > memory["baseline_headless_rss_mb"] > 0
    assert memory["idle_rss_mb"] > memory["baseline_bare_qt_rss_mb"] > 0

    scan = ui["scan"]  # 6 distinct items in carts of at most 50 lines
    assert scan["n"] == 6 and 0 < scan["p50_ms"] <= scan["p99_ms"] <= scan["max_ms"]
    # the parts happen in order: model updated, then the row's paint, then the loop turn
    assert 0 < scan["to_model_updated"]["p50_ms"] <= scan["to_paint_event"]["p50_ms"] \
        <= scan["p50_ms"]
    search, quick = ui["search"], ui["search_no_debounce"]
    assert search["n"] == quick["n"] == 3
    assert search["p50_ms"] >= search["debounce_ms"]  # the debounce is waited for
    assert search["to_results_in_list"]["p50_ms"] <= search["p50_ms"]
    for name in ("scan_and_price", "search_variants"):
        assert ui["baseline"][name]["n"] in (6, 3) and ui["baseline"][name]["p50_ms"] > 0

    lag = ui["lag"]
    assert lag["items"] == 3 and lag["ticks"] > 0 and lag["idle"]["ticks"] > 0
    assert 0 <= lag["p50_ms"] <= lag["p99_ms"] <= lag["max_ms"]

    text = "\n".join(ui_table(ui, result["met"]))  # what pos bench --ui prints
    for words in ("cold start", "bare_qt_window", "idle RSS", "scan to row painted",
                  "type-ahead painted", "without debounce", "search_variants",
                  "loop lag, 3-item sale"):
        assert words in text
