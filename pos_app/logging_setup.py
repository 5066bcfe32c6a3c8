"""One rotating log file in the platform log directory; users see one clear line, never this."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .paths import log_dir


def setup_logging(level: int = logging.INFO) -> Path:
    path = log_dir() / "pos.log"
    root = logging.getLogger()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5,
                                                       encoding="utf-8")
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    return path
