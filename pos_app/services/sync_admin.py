"""Sync administration for the back office and the CLI: health, dead letters, retry
(one, or all of them), skip, and editing a connector's settings so that a dead letter can
be retried after the mapping is fixed. Changes need the settings permission and are
audited; secrets go to the keyring, never to the database or the audit log."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync.connectors.base import ConfigError, check_settings, secret_keys
from sync.health import ConnectorHealth, is_offline, summary, sync_health
from sync.model import ConnectorConfig, DeadLetter
from sync.ports import SecretStore, SyncStore
from sync.registry import connector_type
from sync.tuning import tuning

from ..domain.errors import NotFound, ValidationError
from ..domain.users import Permission, User
from .auth import AuthService

SECRETS_REV = "_secrets_rev"  # bumped when only secrets change, so a running engine reloads
REDACTED = "***"


@dataclass
class _Overlay:
    """The keyring as it will be once the new secrets are stored (for trying them first)."""

    base: SecretStore
    connector: str
    values: dict[str, str] = field(default_factory=dict)

    def get(self, connector: str, key: str) -> str | None:
        if connector == self.connector and key in self.values:
            return self.values[key]
        return self.base.get(connector, key)

    def set(self, connector: str, key: str, value: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def delete(self, connector: str) -> None:  # pragma: no cover
        raise NotImplementedError


@dataclass
class SyncAdminService:
    store: SyncStore
    secrets: SecretStore
    auth: AuthService
    # builds a connector as the engine would and checks its mapping (raises ConfigError)
    open_connector: Callable[[ConnectorConfig, SecretStore], Any]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    # ----- looking -----------------------------------------------------------------------------
    def health(self) -> list[ConnectorHealth]:
        return sync_health(self.store, self.clock())

    def offline(self, healths: list[ConnectorHealth] | None = None) -> bool:
        return is_offline(self.health() if healths is None else healths)

    def status_line(self) -> str:
        return summary(self.health())

    def connectors(self) -> list[ConnectorConfig]:
        return self.store.connectors()

    def dead_letters(self, connector: str | None = None) -> list[DeadLetter]:
        return self.store.dead_letters(connector)

    def _config(self, name: str) -> ConnectorConfig:
        for c in self.store.connectors():
            if c.name == name:
                return c
        raise NotFound("no connector {name!r}", name=name)

    # ----- acting (audited) ----------------------------------------------------------------
    def retry(self, user: User, event_id: str, connector: str | None = None) -> int:
        """Deliver a dead letter (or a delivery waiting for its next retry) again now."""
        self.auth.require(user, Permission.SETTINGS)
        if connector is not None:
            self._config(connector)
        n = self.store.requeue(event_id, connector, self.clock())
        if n == 0:
            raise NotFound("no dead or pending delivery of event {event_id}", event_id=event_id)
        self.store.audit(user.id, "sync_retry", event_id, {"connector": connector})
        return n

    def retry_all(self, user: User, connector: str | None = None) -> int:
        """Every dead letter and every delivery waiting for a retry, of one connector or all."""
        self.auth.require(user, Permission.SETTINGS)
        if connector is not None:
            self._config(connector)
        n = self.store.requeue_all(connector, self.clock())
        self.store.audit(user.id, "sync_retry_all", connector or "*", {"count": n})
        return n

    def skip(self, user: User, event_id: str, connector: str | None = None) -> int:
        self.auth.require(user, Permission.SETTINGS)
        n = self.store.skip(event_id, connector)
        if n == 0:
            raise NotFound("no dead or pending delivery of event {event_id}", event_id=event_id)
        self.store.audit(user.id, "sync_skip", event_id, {"connector": connector})
        return n

    def set_connector(self, user: User, name: str, values: dict[str, str],
                      unset: Iterable[str] = ()) -> ConnectorConfig:
        """Change settings (mapping, URL, limits, secrets): checked against the connector's
        schema and, with a new connector built from them, its mapping; only then stored.
        A running engine picks the change up within seconds."""
        self.auth.require(user, Permission.SETTINGS)
        old = self._config(name)
        kind = connector_type(old.type)
        schema = kind.schema
        hidden = secret_keys(schema, values)
        unset = list(unset)
        if any(k in hidden or (k in schema and schema[k].secret) for k in unset):
            raise ValidationError("a secret cannot be unset; set a new value instead")
        settings = {**old.settings, **{k: v for k, v in values.items() if k not in hidden}}
        for key in unset:
            if key not in settings:
                raise ValidationError("{name} has no setting {key!r}", name=name, key=key)
            settings.pop(key)
        if hidden:
            settings[SECRETS_REV] = int(settings.get(SECRETS_REV, 0)) + 1
        if settings == old.settings:
            raise ValidationError("nothing to change")
        kept = {k: REDACTED for k, s in schema.items() if s.secret and self.secrets.get(name, k)}
        visible = {k: v for k, v in settings.items() if not k.startswith("_")}
        config = ConnectorConfig(name, old.type, settings, old.enabled)
        try:
            check_settings(schema, {**visible, **kept, **{k: values[k] for k in hidden}})
            tuning(settings)
            connector = self.open_connector(config, _Overlay(self.secrets, name,
                                                             {k: values[k] for k in hidden}))
        except ConfigError as exc:
            raise ValidationError(str(exc)) from exc
        connector.close()
        for key in hidden:
            self.secrets.set(name, key, values[key])
        changed = {k: (REDACTED if k in hidden else v) for k, v in values.items()}
        self.store.update_connector(name, settings, user.id, {
            "type": old.type, "changed": changed, "unset": unset,
            "before": {k: old.settings.get(k) for k in values if k not in hidden}})
        return config
