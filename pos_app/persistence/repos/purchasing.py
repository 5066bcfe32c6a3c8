"""Suppliers, purchase orders with their lines, and the queries behind reorder suggestions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from ...domain.ids import new_id_str
from ...domain.inventory import (
    POLine,
    POLineInput,
    POStatus,
    PurchaseOrder,
    StockRow,
    Supplier,
)
from ...domain.quantity import from_milli, to_milli
from .. import models as m
from .base import RepoBase, utcnow

OPEN_PO = (POStatus.ORDERED.value, POStatus.PARTIAL.value)


def _supplier(r: m.Supplier) -> Supplier:
    return Supplier(r.id, r.code, r.name, r.email, r.phone, r.lead_time_days, r.active)


class PurchasingRepo(RepoBase):
    def suppliers(self, include_inactive: bool) -> list[Supplier]:
        stmt = select(m.Supplier).order_by(m.Supplier.name, m.Supplier.code)
        if not include_inactive:
            stmt = stmt.where(m.Supplier.active.is_(True))
        return [_supplier(r) for r in self.session.scalars(stmt)]

    def supplier(self, id_or_code: str) -> Supplier | None:
        r = self.session.scalar(select(m.Supplier).where(
            (m.Supplier.id == id_or_code) | (m.Supplier.code == id_or_code)))
        return None if r is None else _supplier(r)

    def add_supplier(self, supplier: Supplier) -> None:
        self.session.execute(insert(m.Supplier).values(
            id=supplier.id, code=supplier.code, name=supplier.name, email=supplier.email,
            phone=supplier.phone, lead_time_days=supplier.lead_time_days,
            active=supplier.active, created_at=utcnow()))

    def update_supplier(self, supplier: Supplier) -> None:
        self.session.execute(update(m.Supplier).where(m.Supplier.id == supplier.id).values(
            name=supplier.name, email=supplier.email, phone=supplier.phone,
            lead_time_days=supplier.lead_time_days, active=supplier.active))

    def add_purchase_order(self, po: PurchaseOrder, created_by: str) -> None:
        self.session.execute(insert(m.PurchaseOrder).values(
            id=po.id, seq=int(po.number.split("-")[1]), supplier_id=po.supplier_id,
            location_id=po.location_id, status=po.status.value, currency=po.currency,
            note=po.note, created_by=created_by, created_at=po.created_at,
            updated_at=po.created_at))

    def set_po_lines(self, po_id: str, lines: list[POLineInput]) -> None:
        self.session.query(m.PurchaseOrderLine).filter(
            m.PurchaseOrderLine.po_id == po_id).delete()
        if lines:
            self.session.execute(insert(m.PurchaseOrderLine), [
                {"id": new_id_str(), "po_id": po_id, "line_no": no, "variant_id": ln.variant_id,
                 "qty_milli": to_milli(ln.qty), "unit_cost": ln.unit_cost, "received_milli": 0}
                for no, ln in enumerate(lines, 1)])
        self.session.execute(update(m.PurchaseOrder).where(m.PurchaseOrder.id == po_id)
                             .values(updated_at=utcnow()))

    def _po(self, row: Any, lines: bool) -> PurchaseOrder:
        po: m.PurchaseOrder = row[0]
        found: tuple[POLine, ...] = ()
        if lines:
            found = tuple(POLine(r[0], r[1], r[2], r[3], r[4], from_milli(r[5]), r[6],
                                 from_milli(r[7])) for r in self.session.execute(
                select(m.PurchaseOrderLine.id, m.PurchaseOrderLine.line_no,
                       m.PurchaseOrderLine.variant_id, m.Variant.sku, m.Variant.name,
                       m.PurchaseOrderLine.qty_milli, m.PurchaseOrderLine.unit_cost,
                       m.PurchaseOrderLine.received_milli)
                .join(m.Variant, m.Variant.id == m.PurchaseOrderLine.variant_id)
                .where(m.PurchaseOrderLine.po_id == po.id)
                .order_by(m.PurchaseOrderLine.line_no)))
        return PurchaseOrder(po.id, f"PO-{po.seq:06d}", po.supplier_id, row[1], po.location_id,
                             POStatus(po.status), po.currency, po.note, po.created_by,
                             po.created_at, po.ordered_at, po.closed_at, found,
                             sum(ln.total for ln in found) if lines else int(row[2] or 0))

    def _po_query(self) -> Any:
        line = m.PurchaseOrderLine
        # ordered qty x cost per line, rounded like POLine.total (half-up to a minor unit)
        total = (select(func.sum((line.qty_milli * line.unit_cost + 500) // 1000))
                 .where(line.po_id == m.PurchaseOrder.id).scalar_subquery())
        return (select(m.PurchaseOrder, m.Supplier.name, total)
                .join(m.Supplier, m.Supplier.id == m.PurchaseOrder.supplier_id))

    def purchase_order(self, po_id: str) -> PurchaseOrder | None:
        key = po_id.strip()
        cond = m.PurchaseOrder.id == key
        if key.upper().startswith("PO-") and key[3:].isdigit():
            cond = m.PurchaseOrder.seq == int(key[3:])
        row = self.session.execute(self._po_query().where(cond)).first()
        return None if row is None else self._po(row, True)

    def purchase_orders(self, status: POStatus | None, supplier_id: str | None,
                        after_seq: int | None, limit: int) -> list[PurchaseOrder]:
        stmt = self._po_query().order_by(m.PurchaseOrder.seq.desc()).limit(limit)
        if status is not None:
            stmt = stmt.where(m.PurchaseOrder.status == status.value)
        if supplier_id is not None:
            stmt = stmt.where(m.PurchaseOrder.supplier_id == supplier_id)
        if after_seq is not None:
            stmt = stmt.where(m.PurchaseOrder.seq < after_seq)
        return [self._po(r, False) for r in self.session.execute(stmt)]

    def set_po_status(self, po_id: str, status: POStatus, at: datetime) -> None:
        values: dict[str, Any] = {"status": status.value, "updated_at": at}
        if status is POStatus.ORDERED:
            values["ordered_at"] = at
        if status.finished:
            values["closed_at"] = at
        self.session.execute(update(m.PurchaseOrder).where(m.PurchaseOrder.id == po_id)
                             .values(**values))

    def add_po_received(self, line_id: str, qty: Decimal) -> None:
        line = m.PurchaseOrderLine
        self.session.execute(update(line).where(line.id == line_id).values(
            received_milli=line.received_milli + to_milli(qty)))

    def on_order(self, location_id: str, variant_ids: list[str] | None) -> dict[str, Decimal]:
        """Outstanding quantity per variant on ordered or partially received orders."""
        line = m.PurchaseOrderLine
        stmt = (select(line.variant_id, func.sum(line.qty_milli - line.received_milli))
                .join(m.PurchaseOrder, m.PurchaseOrder.id == line.po_id)
                .where(m.PurchaseOrder.status.in_(OPEN_PO),
                       m.PurchaseOrder.location_id == location_id,
                       line.qty_milli > line.received_milli)
                .group_by(line.variant_id))
        if variant_ids is not None:
            stmt = stmt.where(line.variant_id.in_(variant_ids))
        return {r[0]: from_milli(int(r[1])) for r in self.session.execute(stmt)}

    def reorder_candidates(self, location_id: str, since: datetime, limit: int
                           ) -> list[tuple[StockRow, Decimal, bool]]:
        """Items with a reorder point, or sold since ``since``: (stock, sold, weighed)."""
        line, sale, level = m.SaleLine, m.Sale, m.StockLevel
        sold = dict(self.session.execute(
            select(line.variant_id, func.sum(line.qty_milli))
            .join(sale, sale.id == line.sale_id)
            .join(m.Till, m.Till.id == sale.till_id)  # sold from this location's tills
            .where(sale.completed_at >= since, m.Till.location_id == location_id)
            .group_by(line.variant_id)).all())
        with_point = set(self.session.scalars(
            select(m.Variant.id).where(m.Variant.reorder_point_milli > 0,
                                       m.Variant.active.is_(True))))
        ids = sorted(with_point | {v for v, q in sold.items() if q > 0})
        rows: list[tuple[StockRow, Decimal, bool]] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.session.execute(
                    select(m.Variant.id, m.Variant.sku, m.Variant.name,
                           func.coalesce(level.on_hand_milli, 0), m.Variant.reorder_point_milli,
                           m.Variant.active, m.Product.sold_by_weight)
                    .join(m.Product, m.Product.id == m.Variant.product_id)
                    .outerjoin(level, and_(level.variant_id == m.Variant.id,
                                           level.location_id == location_id))
                    .where(m.Variant.id.in_(chunk), m.Variant.active.is_(True),
                           m.Product.active.is_(True))):
                rows.append((StockRow(r[0], r[1], r[2], location_id, from_milli(int(r[3])),
                                      from_milli(r[4]), True),
                             from_milli(int(sold.get(r[0], 0) or 0)), bool(r[6])))
        rows.sort(key=lambda t: t[0].sku)
        return rows[:limit] if limit else rows
