#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+.

    python3 bootstrap.py demo   # install into .venv and run the demo store
    python3 bootstrap.py test   # install into .venv and run lint, types and the test suite
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def ensure_env() -> None:
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    source = (ROOT / "pyproject.toml").stat().st_mtime
    if not STAMP.exists() or STAMP.stat().st_mtime < source:
        print("installing pos-app and its test tools into .venv ...", flush=True)
        pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
        STAMP.touch()


def run(*cmd: str, env: dict[str, str] | None = None) -> None:
    code = subprocess.run(cmd, cwd=ROOT, env=env).returncode
    if code:
        sys.exit(code)


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what not in ("demo", "test"):
        sys.exit(__doc__)
    ensure_env()
    if what == "demo":
        run(str(BIN / "pos"), "--data-dir", str(ROOT / "demo-data"), "demo", *sys.argv[2:])
        return
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run(str(BIN / "ruff"), "check", ".")
    run(str(BIN / "mypy"))
    run(str(BIN / "python"), "-m", "pytest", *sys.argv[2:], env=env)


if __name__ == "__main__":
    main()
