"""Suppliers, purchase orders and receiving, and reorder suggestions.

An order is a draft while its lines change, ``ordered`` once sent, ``partial`` after a
first delivery and ``received`` when everything came; closing it early makes it
``closed`` (or ``cancelled`` if nothing came). Receiving puts the goods into stock at
the order's location at the order's cost and moves each item's cost to the weighted
average of what was on hand and what arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ..domain.backoffice import Page, check_limit, make_page
from ..domain.errors import NotFound, StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.inventory import (
    POLineInput,
    POStatus,
    PurchaseOrder,
    ReorderRow,
    Supplier,
    moving_average_cost,
    status_after_receipt,
    status_on_close,
    suggest_reorder,
)
from ..domain.quantity import fmt_qty
from ..domain.stock import MovementKind, StockMove
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .inventory import item_qty, require_location, require_variant_id
from .ports import Store, Tx
from .stock import write_moves

DEFAULT_LEAD_DAYS = 7


@dataclass(slots=True)
class PurchasingService:
    store: Store
    ctx: TillContext
    auth: AuthService

    # ----- suppliers ---------------------------------------------------------------------
    def suppliers(self, user: User, include_inactive: bool = False) -> list[Supplier]:
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            return tx.suppliers(include_inactive)

    @staticmethod
    def _check_supplier(name: str, lead_time_days: int, email: str | None) -> None:
        if not name.strip() or len(name) > 200:
            raise ValidationError("a supplier name is 1 to 200 characters")
        if not 0 <= lead_time_days <= 365:
            raise ValidationError("a lead time is 0 to 365 days")
        if email and "@" not in email:
            raise ValidationError("not an e-mail address: {email!r}", email=email)

    def add_supplier(self, user: User, code: str, name: str, *, email: str | None = None,
                     phone: str | None = None,
                     lead_time_days: int = DEFAULT_LEAD_DAYS) -> Supplier:
        self.auth.require(user, Permission.STOCK)
        code = code.strip().upper()
        if not code or len(code) > 32:
            raise ValidationError("a supplier code is 1 to 32 characters")
        self._check_supplier(name, lead_time_days, email)
        supplier = Supplier(new_id_str(), code, name.strip(), email or None, phone or None,
                            lead_time_days, True)
        with self.store.tx(write=True) as tx:
            if tx.supplier(code) is not None:
                raise ValidationError("supplier {code} already exists", code=code)
            tx.add_supplier(supplier)
            tx.append_audit(self.ctx.till_id, user.id, "supplier_created", code,
                            {"name": supplier.name, "lead_time_days": lead_time_days})
            tx.commit()
        return supplier

    def edit_supplier(self, user: User, supplier: str, *, name: str, email: str | None,
                      phone: str | None, lead_time_days: int, active: bool) -> Supplier:
        self.auth.require(user, Permission.STOCK)
        self._check_supplier(name, lead_time_days, email)
        with self.store.tx(write=True) as tx:
            old = self._supplier(tx, supplier)
            new = Supplier(old.id, old.code, name.strip(), email or None, phone or None,
                           lead_time_days, active)
            tx.update_supplier(new)
            tx.append_audit(self.ctx.till_id, user.id, "supplier_updated", old.code,
                            {"lead_time_days": lead_time_days, "active": active})
            tx.commit()
        return new

    @staticmethod
    def _supplier(tx: Tx, id_or_code: str) -> Supplier:
        s = tx.supplier(id_or_code.strip()) or tx.supplier(id_or_code.strip().upper())
        if s is None:
            raise NotFound("no supplier {id_or_code!r}", id_or_code=id_or_code)
        return s

    # ----- purchase orders ------------------------------------------------------------------
    def _lines(self, tx: Tx, lines: Sequence[POLineInput]) -> list[POLineInput]:
        if not lines:
            raise ValidationError("an order needs at least one line")
        seen: set[str] = set()
        out = []
        for ln in lines:
            v = require_variant_id(tx, ln.variant_id)
            if v.id in seen:
                raise ValidationError("{sku} is on the order twice: make it one line", sku=v.sku)
            seen.add(v.id)
            qty = item_qty(v, ln.qty)
            if qty <= 0:
                raise ValidationError("{sku}: order a positive quantity", sku=v.sku)
            if ln.unit_cost < 0:
                raise ValidationError("{sku}: a cost cannot be negative", sku=v.sku)
            out.append(POLineInput(v.id, qty, ln.unit_cost))
        return out

    @staticmethod
    def _order(tx: Tx, po: str) -> PurchaseOrder:
        found = tx.purchase_order(po)
        if found is None:
            raise NotFound("no purchase order {po!r}", po=po)
        return found

    def create_order(self, user: User, supplier: str, lines: Sequence[POLineInput], *,
                     location: str | None = None, note: str = "") -> PurchaseOrder:
        """A draft order (number PO-000001, ...) for delivery to ``location`` (id or code;
        default this till's)."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            s = self._supplier(tx, supplier)
            if not s.active:
                raise StateError("supplier {code} is inactive", code=s.code)
            loc = self.ctx.location_id if location is None else require_location(tx,
                                                                                  location).id
            checked = self._lines(tx, lines)
            seq = tx.next_document_seq("purchase_orders")
            po = PurchaseOrder(new_id_str(), f"PO-{seq:06d}", s.id, s.name, loc,
                               POStatus.DRAFT, self.ctx.currency, note.strip()[:300] or None,
                               user.id, datetime.now(UTC), None, None)
            tx.add_purchase_order(po, user.id)
            tx.set_po_lines(po.id, checked)
            tx.append_audit(self.ctx.till_id, user.id, "po_created", po.number,
                            {"supplier": s.code, "lines": len(checked)})
            result = self._order(tx, po.id)
            tx.commit()
        return result

    def set_lines(self, user: User, po: str, lines: Sequence[POLineInput]) -> PurchaseOrder:
        """Replace a draft's lines."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            order = self._order(tx, po)
            if order.status is not POStatus.DRAFT:
                raise StateError("{number} is {status}: only a draft can change",
                                 number=order.number, status=order.status.value)
            checked = self._lines(tx, lines)
            tx.set_po_lines(order.id, checked)
            tx.append_audit(self.ctx.till_id, user.id, "po_changed", order.number,
                            {"lines": len(checked)})
            result = self._order(tx, order.id)
            tx.commit()
        return result

    def place_order(self, user: User, po: str) -> PurchaseOrder:
        """draft -> ordered: sent to the supplier; its lines are fixed from now on."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            order = self._order(tx, po)
            if order.status is not POStatus.DRAFT:
                raise StateError("{number} is already {status}", number=order.number,
                                 status=order.status.value)
            tx.set_po_status(order.id, POStatus.ORDERED, datetime.now(UTC))
            tx.append_audit(self.ctx.till_id, user.id, "po_ordered", order.number,
                            {"total": order.total})
            result = self._order(tx, order.id)
            tx.commit()
        return result

    def receive(self, user: User, po: str,
                lines: Sequence[tuple[str, Decimal]] | None = None) -> PurchaseOrder:
        """Book a delivery: (variant id, qty) per line, or everything outstanding. Stock
        goes in at the order's location and cost; never more than is outstanding."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            order = self._order(tx, po)
            if not order.status.receivable:
                raise StateError("{number} is {status}: only an ordered purchase order can be "
                                 "received", number=order.number, status=order.status.value)
            by_variant = {ln.variant_id: ln for ln in order.lines}
            wanted = ([(ln.variant_id, ln.outstanding) for ln in order.lines if ln.outstanding]
                      if lines is None else list(lines))
            if not wanted:
                raise ValidationError("nothing to receive")
            got: dict[str, Decimal] = {}
            for variant_id, qty in wanted:
                ln = by_variant.get(variant_id)
                if ln is None:
                    v = require_variant_id(tx, variant_id)
                    raise ValidationError("{sku} is not on {number}", sku=v.sku,
                                          number=order.number)
                q = item_qty(require_variant_id(tx, variant_id), qty)
                if q <= 0:
                    raise ValidationError("{sku}: receive a positive quantity", sku=ln.sku)
                got[variant_id] = got.get(variant_id, Decimal(0)) + q
                if got[variant_id] > ln.outstanding:
                    raise ValidationError("{sku}: {qty} is more than the {outstanding} outstanding",
                                          sku=ln.sku, qty=fmt_qty(got[variant_id]),
                                          outstanding=fmt_qty(ln.outstanding))
            moves, costs, event_lines = [], {}, []
            for variant_id, q in got.items():
                ln = by_variant[variant_id]
                v = require_variant_id(tx, variant_id)
                on_hand = tx.on_hand(variant_id, order.location_id)
                new_cost = moving_average_cost(on_hand, v.cost, q, ln.unit_cost)
                if new_cost != v.cost:
                    tx.update_variant(v.id, v.price, new_cost, v.reorder_point, v.active)
                tx.add_po_received(ln.id, q)
                mv = StockMove(new_id_str(), variant_id, order.location_id, q,
                               MovementKind.RECEIVING, order.number, order.id, user.id)
                moves.append(mv)
                costs[mv.id] = ln.unit_cost
                event_lines.append({"variant_id": variant_id, "sku": ln.sku, "qty": str(q),
                                    "unit_cost": ln.unit_cost, "cost_before": v.cost,
                                    "cost_after": new_cost})
            write_moves(tx, self.ctx, user, moves, "po_received", order.number, costs)
            after = self._order(tx, order.id)
            status = status_after_receipt([(ln.qty, ln.received) for ln in after.lines])
            tx.set_po_status(order.id, status, datetime.now(UTC))
            tx.add_event("purchase_order.received", "purchase_order", order.id, {
                "number": order.number, "supplier_id": order.supplier_id,
                "location_id": order.location_id, "currency": order.currency,
                "status": status.value, "lines": event_lines})
            result = self._order(tx, order.id)
            tx.commit()
        return result

    def close_order(self, user: User, po: str) -> PurchaseOrder:
        """No more deliveries: ``closed`` if anything came, else ``cancelled``."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            order = self._order(tx, po)
            status = status_on_close(order.status, any(ln.received for ln in order.lines))
            tx.set_po_status(order.id, status, datetime.now(UTC))
            tx.append_audit(self.ctx.till_id, user.id, f"po_{status.value}", order.number,
                            {"outstanding": {ln.sku: str(ln.outstanding)
                                             for ln in order.lines if ln.outstanding}})
            result = self._order(tx, order.id)
            tx.commit()
        return result

    def orders(self, user: User, status: POStatus | None = None, supplier: str | None = None,
               limit: int = 50, after: str | None = None) -> Page[PurchaseOrder]:
        """Newest first, without lines (``order`` has them); ``total`` is the ordered value."""
        self.auth.require(user, Permission.STOCK)
        check_limit(limit)
        if after is not None and not after.isdigit():
            raise ValidationError("this cursor does not belong to the order list")
        with self.store.tx() as tx:
            supplier_id = self._supplier(tx, supplier).id if supplier else None
            rows = tx.purchase_orders(status, supplier_id, int(after) if after else None,
                                      limit + 1)
        return make_page(rows, limit, lambda po: str(int(po.number.split("-")[1])))

    def order(self, user: User, po: str) -> PurchaseOrder:
        """One order by id or number, with its lines (ordered, received, outstanding)."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            return self._order(tx, po)

    # ----- reorder suggestions --------------------------------------------------------
    def reorder_suggestions(self, user: User, location: str | None = None, *,
                            days: int = 28, lead_time_days: int | None = None,
                            supplier: str | None = None, limit: int = 200) -> list[ReorderRow]:
        """What to order now: items at or under their reorder point, or whose recent
        sales would run them out during the lead time (``suggest_reorder`` has the
        rule). The lead time is ``lead_time_days``, else the supplier's, else 7 days."""
        self.auth.require(user, Permission.STOCK)
        check_limit(limit)
        if not 1 <= days <= 366:
            raise ValidationError("look back 1 to 366 days")
        with self.store.tx() as tx:
            lead = lead_time_days
            if lead is None:
                lead = self._supplier(tx, supplier).lead_time_days if supplier else \
                    DEFAULT_LEAD_DAYS
            loc = self.ctx.location_id if location is None else require_location(tx,
                                                                                  location).id
            since = datetime.now(UTC) - timedelta(days=days)
            candidates = tx.reorder_candidates(loc, since, 0)
            on_order = tx.on_order(loc, None)
        rows = []
        for stock, sold, weighed in candidates:
            pending = on_order.get(stock.variant_id, Decimal(0))
            forecast, suggested = suggest_reorder(stock.on_hand, pending, stock.reorder_point,
                                                  sold, days, lead, not weighed)
            if suggested > 0:
                rows.append(ReorderRow(stock.variant_id, stock.sku, stock.name, stock.on_hand,
                                       pending, stock.reorder_point, sold, days, lead,
                                       forecast, suggested))
        return rows[:limit]
