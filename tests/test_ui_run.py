"""Starting the till as a shop would: `pos till` as its own process on the configured
store and hardware profile, stopped by SIGTERM; and `pos demo` on a machine where Qt
cannot open a window, which must say why in one line instead of Qt's abort."""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drivers.emulators.printer import PrinterEmulator
from pos_app.cli.main import main
from pos_app.ui.qtenv import debian_package, missing_libraries, qt_plugin_dir


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                              "QT_QPA_PLATFORM")}
    env.update({"POS_LOG_DIR": str(tmp_path / "logs"), "POS_PIN_HASH_PROFILE": "test"})
    env.update(extra)
    return env


def _pos(*args: str) -> list[str]:
    return [sys.executable, "-m", "pos_app.cli.main", *args]


def test_pos_till_opens_the_configured_store_and_hardware_and_stops_on_sigterm(
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert main(["--data-dir", str(store), "demo-data", "--skus", "50"]) == 0
    with PrinterEmulator() as emu:
        assert main(["--data-dir", str(store), "--user", "admin", "--pin", "9999", "devices",
                     "set", "printer", emu.tcp_url]) == 0
        log = tmp_path / "logs" / "pos.log"
        proc = subprocess.Popen(_pos("--data-dir", str(store), "till"),
                                env=_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if log.exists() and "till window open" in log.read_text():
                    break
                time.sleep(0.05)  # polling a file another process writes
            text = log.read_text() if log.exists() else ""
            assert "till window open" in text, proc.stderr.read() if proc.poll() else text
            assert "devices: printer" in text
            assert emu.wait_for(lambda: emu.connections > 0, 20)  # the printer was asked
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err
        assert "till asked to stop" in log.read_text()
        assert "Traceback" not in err


def _really_missing() -> set[str]:
    """Independently of ldd: the libraries the loader cannot open."""
    out = set()
    for soname in missing_libraries(qt_plugin_dir() / "libqxcb.so"):
        try:
            ctypes.CDLL(soname)
        except OSError:
            out.add(soname)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb is Linux only")
def test_pos_demo_names_missing_x11_libraries_or_falls_back_without_a_screen(
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert main(["--data-dir", str(store), "demo-data", "--skus", "50"]) == 0
    proc = subprocess.run(_pos("--data-dir", str(store), "demo"),
                          env=_env(tmp_path, DISPLAY=":97"), capture_output=True, text=True,
                          timeout=120)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in proc.stderr and "qt.qpa" not in proc.stderr
    missing = _really_missing()
    if missing:  # a fresh machine without the X11 libraries Qt's xcb plugin needs
        assert proc.returncode == 1
        assert len(lines) == 1, lines
        packages = re.search(r"sudo apt install ([\w .+-]+)`", lines[0])
        assert packages is not None, lines[0]
        assert set(packages.group(1).split()) == {debian_package(m) for m in missing}
    else:  # everything installed, but nothing listens on :97
        assert proc.returncode == 0, proc.stderr
        assert "cannot connect to the screen ':97'" in lines[0]
        assert "running the scripted demo sale instead" in lines[0]
        assert "Sale S1-T1-" in proc.stdout


def test_pos_demo_without_any_screen_runs_the_scripted_sale(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert main(["--data-dir", str(store), "demo-data", "--skus", "50"]) == 0
    proc = subprocess.run(_pos("--data-dir", str(store), "demo"), env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().startswith("pos: no screen found")
    assert "Sale S1-T1-" in proc.stdout and "drawer (kicked through the printer): opened" \
        in proc.stdout
