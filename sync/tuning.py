"""The engine's per-connector settings (``ENGINE_SCHEMA`` in connectors/base.py), parsed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .connectors.base import ENGINE_SCHEMA, ConfigError
from .ratelimit import parse_rate


@dataclass(frozen=True, slots=True)
class Tuning:
    rate: float | None = None  # requests per second, client side
    burst: int = 1
    concurrency: int = 4
    batch_size: int | None = None  # None: the connector's own default
    retry_base_s: float = 1.0
    retry_cap_s: float = 300.0
    breaker_after: int = 5
    breaker_cooldown_s: float = 30.0
    alert_url: str | None = None
    alert_after_s: float = 600.0
    alert_backlog_s: float = 1800.0


def _get(settings: Mapping[str, Any], key: str) -> Any:
    value = settings.get(key)
    return ENGINE_SCHEMA[key].default if value in (None, "") else value


def tuning(settings: Mapping[str, Any]) -> Tuning:
    """Parse and check; a bad value is a :class:`ConfigError` naming the setting."""
    def num(key: str, kind: type, low: float) -> Any:
        raw = _get(settings, key)
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{key}={raw!r} is not a number") from None
        if value < low:
            raise ConfigError(f"{key}={raw!r} must be at least {low:g}")
        return value

    rate = None
    if settings.get("rate_limit"):
        try:
            rate = parse_rate(str(settings["rate_limit"]))
        except ValueError as exc:
            raise ConfigError(f"rate_limit: {exc}") from None
    batch = num("batch_size", int, 1) if settings.get("batch_size") else None
    base, cap = num("retry_base_s", float, 0.001), num("retry_cap_s", float, 0.001)
    if cap < base:
        raise ConfigError("retry_cap_s must not be below retry_base_s")
    return Tuning(rate, num("burst", int, 1), num("concurrency", int, 1), batch, base, cap,
                  num("breaker_after", int, 1), num("breaker_cooldown_s", float, 0),
                  str(settings["alert_url"]) if settings.get("alert_url") else None,
                  num("alert_after_s", float, 0), num("alert_backlog_s", float, 0))
