"""Locations, stock per location (paged), count sessions and transfer documents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from ...domain.inventory import (
    CountLine,
    CountSession,
    CountStatus,
    Location,
    StockRow,
    Transfer,
    TransferLine,
)
from ...domain.quantity import from_milli, to_milli
from .. import models as m
from .base import RepoBase

_SEQ_TABLES = {"purchase_orders": m.PurchaseOrder, "stock_transfers": m.StockTransfer,
               "stock_counts": m.StockCount}


def _stock_query(location_id: str) -> Any:
    level = m.StockLevel
    return (select(m.Variant.id, m.Variant.sku, m.Variant.name,
                   func.coalesce(level.on_hand_milli, 0), m.Variant.reorder_point_milli,
                   m.Variant.active)
            .outerjoin(level, and_(level.variant_id == m.Variant.id,
                                   level.location_id == location_id)))


def _stock_row(r: Any, location_id: str) -> StockRow:
    return StockRow(r[0], r[1], r[2], location_id, from_milli(int(r[3])), from_milli(r[4]),
                    bool(r[5]))


class InventoryRepo(RepoBase):
    def locations(self) -> list[Location]:
        """``is_till`` is for the service to fill in: it knows this till's location."""
        return [Location(r.id, r.code, r.name, False)
                for r in self.session.scalars(select(m.Location).order_by(m.Location.code))]

    def add_location(self, location: Location, store_id: str) -> None:
        self.session.execute(insert(m.Location).values(
            id=location.id, store_id=store_id, code=location.code, name=location.name))

    def browse_stock(self, location_id: str, after_sku: str | None, limit: int,
                     below_reorder: bool) -> list[StockRow]:
        stmt = _stock_query(location_id)
        if after_sku is not None:
            stmt = stmt.where(m.Variant.sku > after_sku)
        if below_reorder:
            stmt = stmt.where(m.Variant.reorder_point_milli > 0,
                              func.coalesce(m.StockLevel.on_hand_milli, 0)
                              <= m.Variant.reorder_point_milli)
        return [_stock_row(r, location_id) for r in self.session.execute(
            stmt.order_by(m.Variant.sku).limit(limit))]

    def stock_rows(self, location_id: str, variant_ids: list[str]) -> list[StockRow]:
        if not variant_ids:
            return []
        order = {vid: i for i, vid in enumerate(variant_ids)}
        rows = [_stock_row(r, location_id) for r in self.session.execute(
            _stock_query(location_id).where(m.Variant.id.in_(variant_ids)))]
        return sorted(rows, key=lambda r: order[r.variant_id])

    def next_document_seq(self, table: str) -> int:
        """Gapless per document type: the caller holds the write lock (BEGIN IMMEDIATE)."""
        model = _SEQ_TABLES[table]
        return int(self.session.scalar(select(func.coalesce(func.max(model.seq), 0))) or 0) + 1

    # --- counts ---
    def add_count_session(self, session: CountSession) -> None:
        self.session.execute(insert(m.StockCount).values(
            id=session.id, seq=int(session.number.split("-")[1]),
            location_id=session.location_id, status=session.status.value, note=session.note,
            started_by=session.started_by, started_at=session.started_at))

    def _count(self, row: m.StockCount, lines: bool) -> CountSession:
        found: tuple[CountLine, ...] = ()
        if lines:
            found = tuple(CountLine(r[0], r[1], r[2], from_milli(r[3]), from_milli(r[4]), r[5])
                          for r in self.session.execute(
                select(m.StockCountLine.variant_id, m.Variant.sku, m.Variant.name,
                       m.StockCountLine.counted_milli, m.StockCountLine.expected_milli,
                       m.StockCountLine.counted_at)
                .join(m.Variant, m.Variant.id == m.StockCountLine.variant_id)
                .where(m.StockCountLine.count_id == row.id).order_by(m.Variant.sku)))
        return CountSession(row.id, f"SC-{row.seq:06d}", row.location_id,
                            CountStatus(row.status), row.note, row.started_by, row.started_at,
                            row.finished_by, row.finished_at, found)

    def count_session(self, count_id: str) -> CountSession | None:
        row = self.session.get(m.StockCount, count_id)
        if row is None and count_id.upper().startswith("SC-") and count_id[3:].isdigit():
            row = self.session.scalar(select(m.StockCount).where(
                m.StockCount.seq == int(count_id[3:])))
        return None if row is None else self._count(row, True)

    def count_sessions(self, status: CountStatus | None, limit: int) -> list[CountSession]:
        stmt = select(m.StockCount).order_by(m.StockCount.seq.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(m.StockCount.status == status.value)
        return [self._count(r, False) for r in self.session.scalars(stmt)]

    def set_count_line(self, count_id: str, variant_id: str, counted: Decimal,
                       expected: Decimal, user_id: str, at: datetime) -> None:
        line = self.session.get(m.StockCountLine, (count_id, variant_id))
        if line is None:
            self.session.add(m.StockCountLine(
                count_id=count_id, variant_id=variant_id, counted_milli=to_milli(counted),
                expected_milli=to_milli(expected), counted_by=user_id, counted_at=at))
        else:
            line.counted_milli, line.expected_milli = to_milli(counted), to_milli(expected)
            line.counted_by, line.counted_at = user_id, at
        self.session.flush()

    def finish_count(self, count_id: str, status: CountStatus, user_id: str,
                     at: datetime) -> None:
        self.session.execute(update(m.StockCount).where(m.StockCount.id == count_id).values(
            status=status.value, finished_by=user_id, finished_at=at))

    # --- transfers ---
    def add_transfer(self, transfer: Transfer) -> None:
        self.session.execute(insert(m.StockTransfer).values(
            id=transfer.id, seq=int(transfer.number.split("-")[1]),
            from_location_id=transfer.from_location_id, to_location_id=transfer.to_location_id,
            note=transfer.note, created_by=transfer.created_by, created_at=transfer.created_at))
        self.session.execute(insert(m.StockTransferLine), [
            {"transfer_id": transfer.id, "line_no": ln.line_no, "variant_id": ln.variant_id,
             "qty_milli": to_milli(ln.qty)} for ln in transfer.lines])

    def _transfer(self, row: m.StockTransfer, lines: bool) -> Transfer:
        found: tuple[TransferLine, ...] = ()
        if lines:
            found = tuple(TransferLine(r[0], r[1], r[2], r[3], from_milli(r[4]))
                          for r in self.session.execute(
                select(m.StockTransferLine.line_no, m.StockTransferLine.variant_id,
                       m.Variant.sku, m.Variant.name, m.StockTransferLine.qty_milli)
                .join(m.Variant, m.Variant.id == m.StockTransferLine.variant_id)
                .where(m.StockTransferLine.transfer_id == row.id)
                .order_by(m.StockTransferLine.line_no)))
        return Transfer(row.id, f"TR-{row.seq:06d}", row.from_location_id, row.to_location_id,
                        row.note, row.created_by, row.created_at, found)

    def transfer_doc(self, transfer_id: str) -> Transfer | None:
        row = self.session.get(m.StockTransfer, transfer_id)
        if row is None and transfer_id.upper().startswith("TR-") and transfer_id[3:].isdigit():
            row = self.session.scalar(select(m.StockTransfer).where(
                m.StockTransfer.seq == int(transfer_id[3:])))
        return None if row is None else self._transfer(row, True)

    def transfer_docs(self, after_seq: int | None, limit: int) -> list[Transfer]:
        stmt = select(m.StockTransfer).order_by(m.StockTransfer.seq.desc()).limit(limit)
        if after_seq is not None:
            stmt = stmt.where(m.StockTransfer.seq < after_seq)
        return [self._transfer(r, True) for r in self.session.scalars(stmt)]
