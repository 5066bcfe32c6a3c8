"""A beancount ledger file: each sale, refund and exchange appended as a balanced
transaction that ``bean-check`` accepts.

The file has no idempotency keys, so every transaction carries its outbox event id
as ``pos_event`` metadata and the connector looks it up before appending: a retry
after a crash between the write and the acknowledgement adds nothing twice.
Appends are flushed and fsynced before the event counts as delivered.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import ClassVar

from ..accounting import Entry, ledger_entry, ledger_mapping, unmapped
from ..model import UNREACHABLE, ConnectorConfig, Delivery, PermanentError, TransientError
from ..ports import SecretStore
from .base import LEDGER_MAPPING_SCHEMA, Setting, setting

_EVENT = re.compile(r'^\s+pos_event: "([^"]+)"', re.M)
_OPEN = re.compile(r"^\d{4}-\d\d-\d\d open (\S+)", re.M)


class BeancountConnector:
    type = "beancount"
    max_concurrency = 1  # one file, appended in order
    schema: ClassVar[dict[str, Setting]] = {
        "ledger": Setting("path of the .beancount file to append to", required=True),
        "currency": Setting("operating currency of the ledger", required=True),
        **LEDGER_MAPPING_SCHEMA,
    }

    def __init__(self, config: ConnectorConfig, secrets: SecretStore) -> None:
        self.name = config.name
        self._path = Path(str(setting(config, self.schema, "ledger")))
        self._currency = str(setting(config, self.schema, "currency"))
        self._mapping = ledger_mapping(config.settings)
        text = self._path.read_text("utf-8") if self._path.exists() else ""
        self._seen = set(_EVENT.findall(text))
        self._open = set(_OPEN.findall(text))
        self._lock = threading.Lock()

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        return unmapped(self._mapping, tax_codes)

    def _render(self, e: Entry) -> str:
        lines = [f'{e.day.isoformat()} * "{e.reference}" "{e.narration}"',
                 f'  pos_event: "{e.event_id}"']
        lines += [f"  {p.account}  {p.amount} {p.currency}" for p in e.postings]
        return "\n".join(lines) + "\n\n"

    def _append(self, text: str) -> None:
        try:
            with open(self._path, "a", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:  # a share that is not mounted, a full disk: wait for it
            raise TransientError(f"cannot write {self._path}: {exc.strerror}",
                                 kind=UNREACHABLE) from exc

    def deliver(self, delivery: Delivery) -> str | None:
        with self._lock:
            return self._deliver(delivery)

    def _deliver(self, delivery: Delivery) -> str | None:
        event = delivery.event
        if event.id in self._seen:
            return "already in ledger"
        e = ledger_entry(event, self._mapping)
        if e is None:
            return "not a ledger event"
        if e.postings[0].currency != self._currency:
            raise PermanentError(f"ledger is in {self._currency}, sale in "
                                 f"{e.postings[0].currency}")
        header = ""
        if not self._path.exists() or self._path.stat().st_size == 0:
            header = f'option "operating_currency" "{self._currency}"\n\n'
        opens = sorted({p.account for p in e.postings} - self._open)
        header += "".join(f"2000-01-01 open {a}\n" for a in opens) + ("\n" if opens else "")
        self._append(header + self._render(e))
        self._open.update(opens)
        self._seen.add(event.id)
        return e.reference

    def test(self) -> str:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self._path.parent, os.W_OK):
            raise PermanentError(f"cannot write to {self._path.parent}")
        return f"{self._path} is writable; {len(self._seen)} POS entries in it"

    def close(self) -> None:
        pass
