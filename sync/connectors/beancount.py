"""A beancount ledger file: each sale, refund and exchange appended as a balanced
transaction that ``bean-check`` accepts, or one summary per day and till.

The file has no idempotency keys, so every transaction carries its outbox event id
as ``pos_event`` metadata (a summary its planned reference as ``pos_batch``) and the
connector looks it up before appending: a retry after a crash between the write and the
acknowledgement adds nothing twice. Appends are flushed and fsynced before the events
count as delivered; a batch of events is one append and one fsync.

Each append is framed by comment lines (``; pos-sync append`` ... ``; pos-sync end``).
A process killed in the middle of a write can leave a torn tail (Linux may cut a write
short at a page when a fatal signal is pending); the connector cuts an unfinished frame
off before it reads the file, so half an entry never counts as posted and the ledger
stays one that ``bean-check`` accepts. Text after a finished frame (the accountant's
own entries) is never touched.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from ..accounting import (
    DAILY,
    Entry,
    entries_mode,
    ledger_entry,
    ledger_mapping,
    summary_entry,
    summary_group,
    unmapped,
)
from ..model import (
    UNREACHABLE,
    ConnectorConfig,
    Delivery,
    PermanentError,
    SyncError,
    TransientError,
)
from ..ports import SecretStore
from .base import LEDGER_MAPPING_SCHEMA, Setting, setting

_EVENT = re.compile(r'^\s+pos_event: "([^"]+)"', re.M)
_BATCH = re.compile(r'^\s+pos_batch: "([^"]+)"', re.M)
_SUMMARY = re.compile(r'^\s+pos_summary: "([^"]+)"', re.M)
_OPEN = re.compile(r"^\d{4}-\d\d-\d\d open (\S+)", re.M)
START, END = "; pos-sync append\n", "; pos-sync end\n"
log = logging.getLogger(__name__)

Result = str | SyncError | None


class BeancountConnector:
    type = "beancount"
    max_concurrency = 1  # one file, appended in order
    batch_size = 200  # entries per append (and fsync)
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
        self.grouping = entries_mode(config.settings) == DAILY
        self._delay = timedelta(seconds=float(setting(config, self.schema, "summary_delay_s")))
        text = self._repair()
        self._seen = set(_EVENT.findall(text))
        self._batches = set(_BATCH.findall(text))
        self._days = set(_SUMMARY.findall(text))
        self._open = set(_OPEN.findall(text))
        self._lock = threading.Lock()

    def check_mapping(self, tax_codes: list[str]) -> list[str]:
        return unmapped(self._mapping, tax_codes)

    def _repair(self) -> str:
        """The ledger's text, without the torn tail of an append that was killed."""
        if not self._path.exists():
            return ""
        data = self._path.read_bytes()
        start = data.rfind(START.encode())
        if start < 0 or data.find(END.encode(), start) >= 0:
            return data.decode("utf-8")
        log.warning("%s: cutting off %d bytes of an append that did not finish", self._path,
                    len(data) - start)
        with open(self._path, "r+b") as f:
            f.truncate(start)
            f.flush()
            os.fsync(f.fileno())
        return data[:start].decode("utf-8")

    def _render(self, e: Entry) -> str:
        lines = [f'{e.day.isoformat()} * "{e.reference}" "{e.narration}"']
        if e.summary is None:
            lines.append(f'  pos_event: "{e.event_id}"')
        else:
            lines += [f'  pos_batch: "{e.event_id}"', f'  pos_summary: "{e.summary}"',
                      f'  pos_documents: "{e.documents}"']
        lines += [f"  {p.account}  {p.amount} {p.currency}" for p in e.postings]
        return "\n".join(lines) + "\n\n"

    def _append(self, entries: list[Entry]) -> None:
        header = ""
        if not self._path.exists() or self._path.stat().st_size == 0:
            header = f'option "operating_currency" "{self._currency}"\n\n'
        opens = sorted({p.account for e in entries for p in e.postings} - self._open)
        header += "".join(f"2000-01-01 open {a}\n" for a in opens) + ("\n" if opens else "")
        text = START + header + "".join(self._render(e) for e in entries) + END + "\n"
        try:
            with open(self._path, "a", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:  # a share that is not mounted, a full disk: wait for it
            raise TransientError(f"cannot write {self._path}: {exc.strerror}",
                                 kind=UNREACHABLE) from exc
        self._open.update(opens)

    def _entry(self, delivery: Delivery) -> Entry | str:
        """The entry to add, or why there is none (a reference for the acknowledgement)."""
        event = delivery.event
        if event.id in self._seen:
            return "already in ledger"
        e = ledger_entry(event, self._mapping)
        if e is None:
            return "not a ledger event"
        if e.postings and e.postings[0].currency != self._currency:
            raise PermanentError(f"ledger is in {self._currency}, sale in "
                                 f"{e.postings[0].currency}")
        return e

    def deliver(self, delivery: Delivery) -> str | None:
        [result] = self.deliver_batch([delivery])
        if isinstance(result, SyncError):
            raise result
        return result

    def deliver_batch(self, deliveries: list[Delivery]) -> list[Result]:
        with self._lock:
            results: list[Result] = []
            entries: list[Entry] = []
            for d in deliveries:
                try:
                    e = self._entry(d)
                except PermanentError as exc:
                    results.append(exc)
                    continue
                if isinstance(e, str):
                    results.append(e)
                else:
                    entries.append(e)
                    results.append(e.reference)
            if entries:
                self._append(entries)  # one write, one fsync
                self._seen.update(e.event_id for e in entries)
            return results

    # ----- daily summaries (entries=daily) ---------------------------------------------
    def group(self, delivery: Delivery) -> tuple[str, datetime] | None:
        return summary_group(delivery, self._delay)

    def refuse(self, delivery: Delivery) -> PermanentError | None:
        """Why this event cannot go into a summary (asked before the summary is posted)."""
        try:
            self._entry(delivery)
        except PermanentError as exc:
            return exc
        return None

    def deliver_group(self, ref: str, deliveries: list[Delivery]) -> list[Result]:
        """One summary entry for all of them, or nothing (never a summary short of one)."""
        with self._lock:
            if ref in self._batches:
                return ["already in ledger"] * len(deliveries)
            results: list[Result] = []
            entries: list[Entry] = []
            for d in deliveries:
                e = self._entry(d)  # a PermanentError here fails the whole group
                results.append(e if isinstance(e, str) else ref)
                if not isinstance(e, str):
                    entries.append(e)
            if entries:
                key = ref.split("#", 1)[0]
                self._append([summary_entry(ref, entries, late=key in self._days)])
                self._batches.add(ref)
                self._days.add(key)
            return results

    def test(self) -> str:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(self._path.parent, os.W_OK):
            raise PermanentError(f"cannot write to {self._path.parent}")
        return f"{self._path} is writable; {len(self._seen)} POS entries in it"

    def close(self) -> None:
        pass
