"""Connector types come from entry points (group ``pos_app.sync_connectors``), so a
third party can add one without touching the core."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

GROUP = "pos_app.sync_connectors"


def connector_types() -> dict[str, Any]:
    return {ep.name: ep.load() for ep in entry_points(group=GROUP)}


def connector_type(name: str) -> Any:
    types = connector_types()
    if name not in types:
        from .connectors.base import ConfigError

        raise ConfigError(f"unknown connector type {name!r}; installed: "
                          f"{', '.join(sorted(types)) or 'none'}")
    return types[name]
