"""What the engine needs from the application: the store of outbox events and delivery state,
and somewhere to keep secrets."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from .model import ConnectorConfig, ConnectorStatus, DeadLetter, Delivery, Reconciliation

if TYPE_CHECKING:
    from .inbound import Conflict, InboundChange, InboundResult, PosItem, PosLocation


class SyncStore(Protocol):
    def connectors(self) -> list[ConnectorConfig]: ...
    def add_connector(self, config: ConnectorConfig) -> None: ...
    def remove_connector(self, name: str) -> None: ...

    def enqueue(self, connector: str, settled_before: datetime, limit: int) -> int:
        """Create delivery rows (with their idempotency keys) for new outbox events."""
        ...

    def due(self, connector: str, now: datetime, limit: int) -> list[Delivery]:
        """Pending deliveries whose time has come, oldest first, none behind an earlier
        undelivered event of the same ordering key."""
        ...

    def delivered(self, connector: str, acks: list[tuple[str, str | None]],
                  at: datetime) -> None:
        """Record acknowledged (event id, target reference) pairs in one transaction."""
        ...
    def failed(self, connector: str, event_id: str, error: str,
               next_attempt_at: datetime) -> None: ...
    def dead(self, connector: str, event_id: str, error: str) -> None: ...

    def status(self) -> list[ConnectorStatus]: ...
    def dead_letters(self, connector: str | None = None) -> list[DeadLetter]: ...
    def requeue(self, event_id: str, connector: str | None, now: datetime) -> int: ...
    def skip(self, event_id: str, connector: str | None) -> int: ...
    def reconcile(self, connector: str, start: datetime, end: datetime) -> Reconciliation: ...
    def audit(self, actor_id: str | None, action: str, subject: str,
              details: dict[str, Any]) -> None: ...


class SecretStore(Protocol):
    def get(self, connector: str, key: str) -> str | None: ...
    def set(self, connector: str, key: str, value: str) -> None: ...
    def delete(self, connector: str) -> None: ...


# Inbound sync (sync/inbound.py): what connectors may read of the POS's items, and
# where pulled changes are applied.


class PosCatalog(Protocol):
    """What a connector may know of the POS's items to map them to its target's."""

    def items(self) -> list[PosItem]: ...
    def item(self, variant_id: str) -> PosItem | None: ...
    def locations(self) -> list[PosLocation]: ...
    def facts(self) -> tuple[str, bool]:
        """The store's currency and whether its prices include tax."""
        ...


class InboundStore(Protocol):
    def inbound_cursor(self, connector: str) -> str | None: ...

    def apply_inbound(self, connector: str, changes: list[InboundChange], since: str | None,
                      cursor: str | None) -> InboundResult:
        """Apply the changes and move the cursor from ``since`` to ``cursor``, in one
        transaction; nothing at all if the stored cursor is no longer ``since``."""
        ...

    def conflicts(self, connector: str | None = None,
                  include_resolved: bool = False) -> list[Conflict]: ...


class Puller(Protocol):
    name: str

    def pull(self, cursor: str | None) -> tuple[list[InboundChange], str | None]:
        """Changes after ``cursor`` (None: everything) and the cursor that follows them."""
        ...

    def system_of_record(self, data_type: str) -> str:
        """``pos`` or the connector's type: who owns catalog, prices or stock."""
        ...
