#!/usr/bin/env python3
"""CI's packaging step: the real bundle and .deb, installed and used as a shop would.

    .venv/bin/python packaging/ci.py        # .ci/run runs it after the test suite

1. the PyInstaller bundle (cached outside the checkout, in $POS_BUILD_CACHE or
   ~/.cache/pos-app/bundle-<hash>: CI's clone is fresh, the machine is not)
2. the .deb, inspected (dpkg-deb -I/-c) and linted (lintian, when installed: errors fail)
3. installed into a throw-away root with dpkg --root (maintainer scripts included) for
   a shop user, then from that root, without the project's Python: the drivers and
   connectors found through the bundled entry-point metadata, `pos demo --headless`
   ringing a sale up and printing it on the emulated ESC/POS printer, and the bundled
   till opened offscreen on the store and stopped by SIGTERM
4. purged again.

Prints the time of every step; fails (exit 1) on the first thing that is wrong.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build

STEPS: list[tuple[str, float]] = []


def step(name: str, started: float) -> None:
    took = time.monotonic() - started
    STEPS.append((name, took))
    print(f"ci-packaging: {name}: {took:.0f} s", flush=True)


def fail(message: str) -> None:
    print(f"ci-packaging: FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def cache_dir() -> Path:
    base = Path(os.environ.get("POS_BUILD_CACHE") or Path.home() / ".cache" / "pos-app")
    return base / "bundle"


def run(cmd: list[str], env: dict[str, str], timeout: float = 180) -> str:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode:
        fail(f"{' '.join(cmd[-3:])} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def main() -> int:
    total = time.monotonic()
    t = time.monotonic()
    bundle = build.build_bundle(out=cache_dir())
    step("bundle (cached when unchanged)", t)

    work = Path(tempfile.mkdtemp(prefix="pos-ci-packaging-"))
    try:
        t = time.monotonic()
        deb = build.build_deb(bundle, work / "out")
        step("deb", t)
        t = time.monotonic()
        if build.check_deb(deb):
            fail("lintian reported errors")
        step("dpkg-deb -I/-c and lintian", t)

        t = time.monotonic()
        root = build.make_root(work / "root", [("shop", 1000)])
        proc = build.dpkg(root, "-i", str(deb), env={"SUDO_USER": "shop"})
        if proc.returncode:
            fail(f"dpkg -i: {proc.stdout}{proc.stderr}")
        if "shop:x:" not in (root / "etc/group").read_text() or "dialout:x:20:shop" not in \
                (root / "etc/group").read_text():
            fail("the shop user is not in dialout")
        step("install into a throw-away root", t)

        pos = str(root / "opt/pos-app/pos")
        home = work / "home"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
               "POS_LOG_DIR": str(work / "logs"), "POS_SECRETS": "file",
               "QT_QPA_PLATFORM": "offscreen"}
        t = time.monotonic()
        out = run([pos, "devices", "list"], env)
        listed = {ln.split()[0]: ln.split()[-1] for ln in out.splitlines()
                  if ln.startswith("  ") and ln.split()}
        for driver in ("escpos", "serial_scanner", "evdev_scanner", "cd5220",
                       "serial_scale", "serial_drawer", "stripe", "sim"):
            if listed.get(driver) != "ok":
                fail(f"driver {driver} not usable in the bundle:\n{out}")
        store = work / "store"
        out = run([pos, "--data-dir", str(store), "demo", "--headless",
                   "--history-days", "1", "--skus", "200"], env, timeout=300)
        if "Sale S1-T1-" not in out or "drawer (kicked through the printer): opened" not in out:
            fail(f"the headless demo sale did not print:\n{out}")
        types = run([pos, "--data-dir", str(store), "--user", "admin", "--pin", "9999", "sync",
                     "connector", "list"], env)
        for kind in ("webhook", "beancount", "hledger", "vendure"):
            if kind not in types:
                fail(f"connector type {kind} not found in the bundle:\n{types}")
        run([pos, "--data-dir", str(store), "db", "backup", "--daily"], env)
        run([pos, "--data-dir", str(store), "db", "status"], env)
        step("bundled pos: drivers, connectors, headless sale on the emulated printer, "
             "backup", t)

        t = time.monotonic()
        log = work / "logs" / "pos.log"
        till = subprocess.Popen([pos, "--data-dir", str(store), "till", "--kiosk"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and till.poll() is None:
                if log.exists() and "till window open" in log.read_text():
                    break
                time.sleep(0.2)  # polling the log the till writes
            if not (log.exists() and "till window open" in log.read_text()):
                fail(f"the bundled till did not open: {till.stderr.read() if till.poll() else ''}")
            till.send_signal(signal.SIGTERM)
            _o, err = till.communicate(timeout=60)
        finally:
            if till.poll() is None:
                till.kill()
        if till.returncode != 0 or "Traceback" in err:
            fail(f"the bundled till did not stop cleanly ({till.returncode}): {err}")
        step("bundled till offscreen (kiosk), stopped by SIGTERM", t)

        t = time.monotonic()
        proc = build.dpkg(root, "--purge", "pos-app")
        if proc.returncode or (root / "opt/pos-app").exists():
            fail(f"dpkg --purge: {proc.stdout}{proc.stderr}")
        step("purge", t)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"ci-packaging: all steps passed in {time.monotonic() - total:.0f} s "
          f"(bundle {build.size_mb(bundle):.0f} MB)", flush=True)
    print(f"packaging: {len(STEPS)} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
