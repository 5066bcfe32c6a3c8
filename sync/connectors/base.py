"""What every connector type declares: its settings (rendered by the back office, checked
by the CLI) and which of them are secrets (kept in the keyring, never in the database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import ConnectorConfig
from ..ports import SecretStore


@dataclass(frozen=True, slots=True)
class Setting:
    help: str
    required: bool = False
    secret: bool = False
    default: Any = None


class ConfigError(ValueError):
    """Settings that cannot work; the message lists what to fix."""


# Settings the engine reads for every connector, whatever its type (sync/tuning.py).
ENGINE_SCHEMA = {
    "rate_limit": Setting("client-side ceiling, e.g. 60/min or 10/s (the API's published "
                          "limit); the API's own rate-limit headers are obeyed as well"),
    "burst": Setting("requests allowed at once above rate_limit (the API's burst)",
                     default="1"),
    "concurrency": Setting("requests in flight at most (parallel lanes)", default="4"),
    "batch_size": Setting("events per request where the target takes batches"),
    "retry_base_s": Setting("first retry pause; doubles per attempt, with full jitter",
                            default="1"),
    "retry_cap_s": Setting("longest retry pause", default="300"),
    "breaker_after": Setting("failures in a row that open the circuit breaker", default="5"),
    "breaker_cooldown_s": Setting("seconds the open breaker waits before one probe",
                                  default="30"),
    "alert_url": Setting("POST alerts here (JSON, signed with alert_secret if set)"),
    "alert_secret": Setting("HMAC secret for the alert webhook", secret=True),
    "alert_after_s": Setting("alert when failing (breaker open) longer than this",
                             default="600"),
    "alert_backlog_s": Setting("alert when the oldest unsent event is older than this",
                               default="1800"),
}


def _known(schema: dict[str, Setting], key: str) -> bool:
    """Exact keys, or ``prefix.*`` entries for mappings such as ``revenue.STD``."""
    return (key in schema or key in ENGINE_SCHEMA
            or ((key.split(".")[0] + ".*") in schema and "." in key))


def check_settings(schema: dict[str, Setting], values: dict[str, str]) -> None:
    unknown = sorted(k for k in values if not _known(schema, k))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(schema))}")
    missing = sorted(k for k, s in schema.items() if s.required and not values.get(k))
    if missing:
        raise ConfigError(f"missing required setting(s): {', '.join(missing)}")


def secret_keys(schema: dict[str, Setting], values: dict[str, str]) -> set[str]:
    full = {**ENGINE_SCHEMA, **schema}
    return {k for k in values if k in full and full[k].secret}


def setting(config: ConnectorConfig, schema: dict[str, Setting], key: str) -> Any:
    return config.settings.get(key, schema[key].default)


def secret(secrets: SecretStore, config: ConnectorConfig, key: str) -> str:
    value = secrets.get(config.name, key)
    if not value:
        raise ConfigError(f"connector {config.name}: secret {key!r} is not in the keyring; "
                          "add the connector again with --set")
    return value


# The account mapping every ledger connector takes (see sync/accounting.py).
LEDGER_MAPPING_SCHEMA = {
    "revenue.*": Setting("revenue account per tax category, e.g. revenue.STD"),
    "tax.*": Setting("tax payable account per tax category"),
    "tender.*": Setting("account per tender: cash, card, store_credit, loyalty"),
    "rounding": Setting("account for cash rounding differences"),
    "cogs": Setting("cost of goods sold account (with inventory: cost postings where the "
                    "sale lines carry their cost)"),
    "inventory": Setting("inventory asset account the cost of goods sold comes from"),
    "entries": Setting("per_sale (one entry per sale and refund) or daily (one summary per "
                       "day and till; late ones as adjustments)", default="per_sale"),
    "summary_delay_s": Setting("daily: post a day's summary this long after its midnight",
                               default="3600"),
}
