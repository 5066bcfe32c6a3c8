"""A throwaway PostgreSQL cluster on a Unix socket in a temporary directory."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def postgres(workdir: Path, port: int = 54329) -> Iterator[str]:
    bindir = pg_bin()
    assert bindir is not None, "PostgreSQL server binaries are missing (.ci/run installs them)"
    data = workdir / "pgdata"
    workdir.mkdir(parents=True, exist_ok=True)
    prefix: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(workdir, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "pos", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    opts = f"-k {workdir} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l",
                    str(workdir / "log"), "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://pos@/postgres?host={workdir}&port={port}"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)
