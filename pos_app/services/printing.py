"""The durable print queue: a receipt is a row before it is paper.

A job is committed before the printer is asked and stays ``pending`` until the
printer confirms the whole job. Paper out, an open cover, a pulled cable or a
silent printer leave it pending; it prints (in order, whole) on the next run,
and any past receipt can be printed again.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.devices import JobStatus, PrintJob
from ..domain.errors import NotFound, StateError
from ..domain.ids import new_id_str
from ..domain.receipt_layout import (
    LABELS,
    ReceiptInfo,
    load_template,
    render_receipt_ops,
    report_ops,
    sample_sale,
)
from ..domain.sale import CompletedSale
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import DeviceUnavailable, Printer, Store
from .settings import SettingsService

log = logging.getLogger(__name__)
MERCHANT_COPY = LABELS["merchant_copy"]  # the template may print its own words
REPRINT = LABELS["reprint"]


def _logo(path: str) -> str | None:
    """The logo as base64 PNG; a missing file is logged, never a reason not to print."""
    if not path:
        return None
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        log.warning("receipt logo %s cannot be read: %s", path, exc)
        return None
    if not data.startswith(b"\x89PNG"):
        log.warning("receipt logo %s is not a PNG file", path)
        return None
    return base64.b64encode(data).decode("ascii")


@dataclass(slots=True)
class PrintRun:
    printed: list[str] = field(default_factory=list)
    failed_job: str | None = None
    error: str | None = None
    error_code: str | None = None
    pending: int = 0


@dataclass(slots=True)
class PrintService:
    store: Store
    ctx: TillContext
    auth: AuthService
    settings: SettingsService
    printer: Callable[[], Printer | None]  # the till's printer right now (None: not set up)
    template_text: Callable[[str], str]  # receipt_template setting -> TOML text
    # One run at a time in this process: the background worker and a cashier's "retry"
    # must not both send the same pending job (the customer would get two receipts).
    _run_lock: threading.Lock = field(default_factory=threading.Lock, repr=False,
                                      compare=False)

    @property
    def columns(self) -> int:
        printer = self.printer()
        return printer.columns if printer is not None else 42

    def render(self, sale: CompletedSale, copy: str | None = None) -> list[dict[str, Any]]:
        """The receipt as print ops (also the on-screen preview)."""
        s = self.settings.all()
        template = load_template(self.template_text(str(s["receipt_template"])))
        with self.store.tx() as tx:
            cashier = tx.user_by_id(sale.cashier_id)
            customer = tx.customer(sale.customer_id) if sale.customer_id else None
        info = ReceiptInfo(header=s["receipt_header"], footer=s["receipt_footer"],
                           cashier=cashier.display_name if cashier else "",
                           customer=customer.name if customer else "", copy=copy,
                           logo_png=_logo(str(s["receipt_logo"] or "")))
        return render_receipt_ops(sale, self.ctx, template, info, self.columns)

    def template(self, name: str | None = None) -> str:
        """The text of the template in use (or of the template called ``name``)."""
        return self.template_text(name or str(self.settings.all()["receipt_template"]))

    def preview(self, template_text: str | None = None, header: str | None = None,
                footer: str | None = None, columns: int | None = None
                ) -> list[dict[str, Any]]:
        """A sample receipt's print ops with the template and texts being edited (not
        yet saved): the settings page's live preview. A bad template: TemplateError."""
        s = self.settings.all()
        template = load_template(template_text if template_text is not None
                                 else self.template_text(str(s["receipt_template"])))
        info = ReceiptInfo(header=s["receipt_header"] if header is None else header,
                           footer=s["receipt_footer"] if footer is None else footer,
                           cashier="Alex")
        return render_receipt_ops(sample_sale(self.ctx), self.ctx, template, info,
                                  columns or self.columns)

    def save_template(self, user: User, text: str, directory: Path) -> Path:
        """Check and keep an edited template in the data directory, then use it."""
        self.auth.require(user, Permission.SETTINGS)
        load_template(text)  # refuse a template that would not print
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "receipt-custom.toml"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        self.settings.set(user, "receipt_template", str(path))
        return path

    def queue_receipt(self, sale: CompletedSale) -> list[str]:
        """Queue the customer's receipt (and a merchant copy for card sales if set)."""
        jobs: list[tuple[str, str | None]] = [("receipt", None)]
        if self.settings.all()["print_merchant_copy"] and any(
                p.tender == "card" for p in sale.payments):
            jobs.append(("merchant_copy", MERCHANT_COPY))
        rendered = [(kind, self.render(sale, copy)) for kind, copy in jobs]
        ids = []
        with self.store.tx(write=True) as tx:
            for kind, ops in rendered:
                job_id = new_id_str()
                tx.add_print_job(job_id, self.ctx.till_id, kind, sale.id,
                                 f"{kind.replace('_', ' ')} {sale.receipt_no}", ops)
                ids.append(job_id)
            tx.commit()
        return ids

    def reprint(self, receipt_no: str, user: User) -> str:
        """Queue a marked copy of any past receipt; audited."""
        self.auth.require(user, Permission.SELL)
        with self.store.tx() as tx:
            sale = tx.sale_by_receipt(receipt_no)
        if sale is None:
            raise NotFound("no receipt {receipt_no}", receipt_no=receipt_no)
        ops = self.render(sale, REPRINT)
        job_id = new_id_str()
        with self.store.tx(write=True) as tx:
            tx.add_print_job(job_id, self.ctx.till_id, "reprint", sale.id,
                             f"reprint {receipt_no}", ops)
            tx.append_audit(self.ctx.till_id, user.id, "receipt_reprint", receipt_no, {})
            tx.commit()
        return job_id

    def queue_document(self, kind: str, title: str, ops: list[dict[str, Any]]) -> str:
        job_id = new_id_str()
        with self.store.tx(write=True) as tx:
            tx.add_print_job(job_id, self.ctx.till_id, kind, None, title, ops)
            tx.commit()
        return job_id

    def queue_report(self, title: str, text: str) -> str:
        return self.queue_document("report", title, report_ops(title, text, self.columns))

    def pending(self) -> list[PrintJob]:
        with self.store.tx() as tx:
            return tx.print_jobs(self.ctx.till_id, JobStatus.PENDING, limit=1000)

    def jobs(self, limit: int = 50) -> list[PrintJob]:
        with self.store.tx() as tx:
            return tx.print_jobs(self.ctx.till_id, None, limit)

    def document(self, job_id: str) -> list[dict[str, Any]]:
        with self.store.tx() as tx:
            found = tx.print_job(job_id)
        if found is None:
            raise NotFound("no print job {job_id}", job_id=job_id)
        return found[1]

    def cancel(self, job_id: str, user: User) -> None:
        """Drop a pending job (e.g. the customer left); audited, still reprintable."""
        self.auth.require(user, Permission.SELL)
        with self.store.tx(write=True) as tx:
            found = tx.print_job(job_id)
            if found is None or found[0].status is not JobStatus.PENDING:
                raise StateError("print job {job_id} is not pending", job_id=job_id)
            tx.mark_print_job(job_id, JobStatus.CANCELLED, None)
            tx.append_audit(self.ctx.till_id, user.id, "print_cancel", job_id,
                            {"title": found[0].title})
            tx.commit()

    def print_pending(self, only: list[str] | None = None) -> PrintRun:
        """Print pending jobs oldest first; stop at the first failure so order is kept.

        Runs on a worker thread (it waits for the printer). A job counts as printed
        only when the printer confirmed it; otherwise it stays pending with the error.
        """
        with self._run_lock:
            return self._print_pending(only)

    def _print_pending(self, only: list[str] | None) -> PrintRun:
        run = PrintRun()
        printer = self.printer()
        jobs = self.pending()
        if only is not None:
            jobs = [j for j in jobs if j.id in only]
        for job in jobs:
            if printer is None:
                run.failed_job, run.error, run.error_code = job.id, "no printer is set up", \
                    "no_hardware"
                break
            with self.store.tx() as tx:
                found = tx.print_job(job.id)
            if found is None or found[0].status is not JobStatus.PENDING:
                continue  # cancelled meanwhile
            ops = found[1]
            try:
                printer.print_document(ops)
            except DeviceUnavailable as exc:
                log.warning("print job %s (%s) kept: %s", job.id, job.title, exc)
                with self.store.tx(write=True) as tx:
                    tx.mark_print_job(job.id, JobStatus.PENDING, str(exc))
                    tx.commit()
                run.failed_job, run.error, run.error_code = job.id, str(exc), exc.code
                break
            with self.store.tx(write=True) as tx:
                tx.mark_print_job(job.id, JobStatus.PRINTED, None)
                tx.commit()
            run.printed.append(job.id)
        run.pending = len(self.pending())
        return run
