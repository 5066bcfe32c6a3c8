"""The one place python-escpos is imported, with its import side effects neutralised.

On import python-escpos calls ``logging.basicConfig()`` (which would add a second
stderr handler to the till's logging), always creates a temporary directory for
its capabilities pickle and may print to stdout. We import it here once, inside a
lock, with stdout captured, the pickle put into a per-user cache directory and any
root-logger handler it added removed again.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import tempfile
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)
_lock = threading.Lock()
_modules: dict[str, ModuleType] = {}
_error: str | None = None


def _pickle_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "pos-app" / "escpos"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(tempfile.gettempdir()) / f"pos-app-escpos-{os.getuid()}"
        path.mkdir(parents=True, exist_ok=True)
    return str(path)


def load() -> dict[str, ModuleType]:
    """Import python-escpos (once); raises ImportError with the reason if it cannot."""
    global _error
    with _lock:
        if _modules:
            return _modules
        if _error is not None:
            raise ImportError(_error)
        root = logging.getLogger()
        handlers = list(root.handlers)
        had_env = "ESCPOS_CAPABILITIES_PICKLE_DIR" in os.environ
        pickle_dir = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR") or _pickle_dir()
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = pickle_dir
        real_mkdtemp = tempfile.mkdtemp
        # capabilities.py evaluates mkdtemp() even when the env var is set.
        tempfile.mkdtemp = lambda *a, **k: pickle_dir  # type: ignore[assignment]
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                import escpos.image as image
                from escpos import capabilities, constants, exceptions, printer
        except Exception as exc:  # ImportError, a broken capabilities file …
            _error = f"python-escpos cannot be imported: {type(exc).__name__}: {exc}"
            raise ImportError(_error) from exc
        finally:
            tempfile.mkdtemp = real_mkdtemp
            if not had_env:
                del os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]
            for handler in list(root.handlers):
                if handler not in handlers:
                    root.removeHandler(handler)
        if out.getvalue().strip():
            log.info("python-escpos said on import: %s", out.getvalue().strip())
        _modules.update(capabilities=capabilities, constants=constants,
                        exceptions=exceptions, printer=printer, image=image)
        return _modules


def module(name: str) -> Any:
    return load()[name]
