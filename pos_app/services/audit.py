"""Verify the audit log's hash chains (one per till)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.audit import AuditProblem, verify_chain
from .ports import Store


@dataclass(slots=True)
class AuditService:
    store: Store

    def verify(self) -> tuple[int, list[AuditProblem]]:
        """(entries checked, problems); an empty list means every chain is intact."""
        problems: list[AuditProblem] = []
        checked = 0
        with self.store.tx() as tx:
            for chain, head in sorted(tx.audit_chains().items()):
                rows = list(tx.audit_rows(chain))
                checked += len(rows)
                problems.extend(verify_chain(chain, rows, head))
        return checked, problems
