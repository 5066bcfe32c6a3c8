"""Where data and logs live: ``--data-dir`` beats ``POS_DATA_DIR`` beats the platform directory."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path, user_log_path

APP_NAME = "pos-app"
DB_FILENAME = "pos.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        path = Path(override)
    elif os.environ.get("POS_DATA_DIR"):
        path = Path(os.environ["POS_DATA_DIR"])
    else:
        path = user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path(base: Path) -> Path:
    return base / DB_FILENAME


def backup_dir(base: Path) -> Path:
    path = base / "backups"
    path.mkdir(exist_ok=True)
    return path


def log_dir() -> Path:
    path = Path(os.environ["POS_LOG_DIR"]) if os.environ.get("POS_LOG_DIR") else user_log_path(
        APP_NAME, appauthor=False
    )
    path.mkdir(parents=True, exist_ok=True)
    return path
