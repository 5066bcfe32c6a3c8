"""Hash chain for the audit log: each entry's hash covers its content and the previous hash.

Verification names the first entry that was edited, inserted or deleted.
The chain is per till so several tills append without coordinating.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class AuditRow:
    chain: str
    seq: int
    id: str
    at: str
    actor_id: str | None
    action: str
    subject: str | None
    details: str
    prev_hash: str
    hash: str


def entry_hash(
    prev_hash: str, chain: str, seq: int, entry_id: str, at: str, actor_id: str | None,
    action: str, subject: str | None, details: str,
) -> str:
    material = canonical_json([prev_hash, chain, seq, entry_id, at, actor_id, action, subject,
                               details])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditProblem:
    chain: str
    seq: int
    entry_id: str | None
    kind: str  # edited | inserted | deleted
    message: str


def verify_chain(
    chain: str, rows: Iterable[AuditRow], head: tuple[int, str] | None
) -> list[AuditProblem]:
    """Walk one chain in ``seq`` order; ``head`` is the recorded (seq, hash) of its last entry."""
    problems: list[AuditProblem] = []
    expected_seq, prev = 1, GENESIS
    last: AuditRow | None = None
    for row in rows:
        recomputed = entry_hash(row.prev_hash, row.chain, row.seq, row.id, row.at, row.actor_id,
                                row.action, row.subject, row.details)
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                problems.append(AuditProblem(
                    chain, expected_seq, None, "deleted",
                    f"entries {expected_seq}..{row.seq - 1} are missing before entry "
                    f"{row.seq} ({row.id})"))
            else:  # pragma: no cover - primary key (chain, seq) prevents duplicates
                problems.append(AuditProblem(chain, row.seq, row.id, "inserted",
                                             f"entry {row.seq} ({row.id}) is out of order"))
        elif row.prev_hash != prev:
            kind = "inserted" if recomputed == row.hash else "edited"
            problems.append(AuditProblem(
                chain, row.seq, row.id, kind,
                f"entry {row.seq} ({row.id}, {row.action}) does not follow entry "
                f"{row.seq - 1}: it was inserted, or the chain before it was rewritten"))
        if recomputed != row.hash:
            problems.append(AuditProblem(
                chain, row.seq, row.id, "edited",
                f"entry {row.seq} ({row.id}, {row.action}) was edited: its content no longer "
                "matches its hash"))
        prev, expected_seq, last = row.hash, row.seq + 1, row
    if head is not None:
        head_seq, head_hash = head
        if last is None or last.seq < head_seq:
            have = 0 if last is None else last.seq
            problems.append(AuditProblem(
                chain, have + 1, None, "deleted",
                f"entries {have + 1}..{head_seq} at the end of the log are missing"))
        elif last.seq > head_seq or last.hash != head_hash:
            problems.append(AuditProblem(
                chain, last.seq, last.id, "inserted",
                f"entry {last.seq} ({last.id}) is not the recorded end of the log"))
    return problems
