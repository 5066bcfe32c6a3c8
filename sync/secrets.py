"""Connector secrets in the OS keyring; where there is none (a headless till), in a JSON
file that only the owner can read. Never in the database, never in a log line."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
SERVICE = "pos-app"


def _usable_keyring() -> object | None:
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    name = type(backend).__module__
    if "chainer" in name and not getattr(backend, "backends", None):
        return None
    return keyring


class KeyringSecrets:
    def __init__(self, fallback_file: Path, use_keyring: bool = True) -> None:
        self._file = fallback_file
        self._keyring = _usable_keyring() if use_keyring else None

    @property
    def where(self) -> str:
        return "OS keyring" if self._keyring else f"{self._file} (mode 600)"

    def _read(self) -> dict[str, dict[str, str]]:
        if not self._file.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self._file.read_text("utf-8"))
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        self._file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._file.parent, prefix=".secrets-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._file)  # atomic: a refreshed token is never half-written
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, connector: str, key: str) -> str | None:
        if self._keyring is not None:
            value: str | None = self._keyring.get_password(  # type: ignore[attr-defined]
                SERVICE, f"{connector}/{key}")
            return value
        return self._read().get(connector, {}).get(key)

    def set(self, connector: str, key: str, value: str) -> None:
        if self._keyring is not None:
            self._keyring.set_password(SERVICE, f"{connector}/{key}", value)  # type: ignore[attr-defined]
            return
        data = self._read()
        data.setdefault(connector, {})[key] = value
        self._write(data)

    def delete(self, connector: str) -> None:
        if self._keyring is not None:
            return  # keyring entries are removed per key by the caller that knows them
        data = self._read()
        if data.pop(connector, None) is not None:
            self._write(data)
