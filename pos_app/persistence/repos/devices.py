"""Hardware profile and the durable print queue."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update

from ...domain.devices import DeviceEntry, JobStatus, PrintJob
from .. import models as m
from .base import RepoBase, dumps, utcnow


def _job(row: Any) -> PrintJob:
    return PrintJob(row.id, row.kind, row.sale_id, row.title, JobStatus(row.status),
                    row.attempts, row.last_error, row.created_at, row.printed_at)


class DevicesRepo(RepoBase):
    # --- hardware profile ---
    def hardware_profile(self, till_id: str) -> list[DeviceEntry]:
        rows = self.session.execute(select(m.HardwareDevice).where(
            m.HardwareDevice.till_id == till_id).order_by(m.HardwareDevice.role)).scalars()
        return [DeviceEntry(r.role, r.kind, r.url, r.driver, json.loads(r.settings), r.enabled)
                for r in rows]

    def set_hardware_device(self, till_id: str, entry: DeviceEntry) -> None:
        self.remove_hardware_device(till_id, entry.role)
        self.session.execute(insert(m.HardwareDevice).values(
            till_id=till_id, role=entry.role, kind=entry.kind, url=entry.url,
            driver=entry.driver, settings=dumps(entry.settings), enabled=entry.enabled,
            updated_at=utcnow()))

    def remove_hardware_device(self, till_id: str, role: str) -> bool:
        result = self.session.execute(delete(m.HardwareDevice).where(
            m.HardwareDevice.till_id == till_id, m.HardwareDevice.role == role))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # --- print queue ---
    def add_print_job(self, job_id: str, till_id: str, kind: str, sale_id: str | None,
                      title: str, document: list[dict[str, Any]]) -> None:
        self.session.execute(insert(m.PrintJob).values(
            id=job_id, till_id=till_id, kind=kind, sale_id=sale_id, title=title[:120],
            document=dumps(document), status=JobStatus.PENDING.value, attempts=0,
            created_at=utcnow()))

    def print_job(self, job_id: str) -> tuple[PrintJob, list[dict[str, Any]]] | None:
        row = self.session.get(m.PrintJob, job_id)
        return None if row is None else (_job(row), json.loads(row.document))

    def print_jobs(self, till_id: str, status: JobStatus | None = None,
                   limit: int = 50) -> list[PrintJob]:
        q = select(m.PrintJob).where(m.PrintJob.till_id == till_id)
        if status is JobStatus.PENDING:
            # oldest first: the queue prints in order
            q = q.where(m.PrintJob.status == status.value).order_by(
                m.PrintJob.created_at, m.PrintJob.id)  # UUIDv7: creation order on ties
        else:
            if status is not None:
                q = q.where(m.PrintJob.status == status.value)
            q = q.order_by(m.PrintJob.created_at.desc())
        return [_job(r) for r in self.session.execute(q.limit(limit)).scalars()]

    def sale_print_jobs(self, sale_id: str) -> list[PrintJob]:
        rows = self.session.execute(select(m.PrintJob).where(
            m.PrintJob.sale_id == sale_id).order_by(m.PrintJob.created_at)).scalars()
        return [_job(r) for r in rows]

    def mark_print_job(self, job_id: str, status: JobStatus, error: str | None) -> None:
        values: dict[str, Any] = {"status": status.value, "last_error": error and error[:300],
                                  "attempts": m.PrintJob.attempts + 1}
        if status is JobStatus.PRINTED:
            values["printed_at"] = utcnow()
        elif status is JobStatus.CANCELLED:
            values["attempts"] = m.PrintJob.attempts
        self.session.execute(update(m.PrintJob).where(m.PrintJob.id == job_id).values(**values))
