"""Stock operations: every one is a ledger movement plus an outbox event, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..domain.errors import ValidationError
from ..domain.ids import new_id_str
from ..domain.stock import MovementKind, StockMove
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .catalog import require_variant
from .ports import Store, Tx


def write_moves(tx: Tx, ctx: TillContext, user: User, moves: list[StockMove], action: str,
                subject: str, costs: dict[str, int] | None = None) -> None:
    """Movements, their ``stock.moved`` event and audit entry; ``costs`` (per movement id)
    adds the unit cost of goods received. A count also says what the ledger held just
    before it and holds after it (``on_hand_before``/``_after``): targets that take an
    absolute quantity with a compare-and-swap need both."""
    before = {mv.id: tx.on_hand(mv.variant_id, mv.location_id) for mv in moves
              if mv.kind is MovementKind.COUNT}
    tx.add_stock_moves(moves)
    movements: list[dict[str, object]] = [
        {"id": mv.id, "variant_id": mv.variant_id, "location_id": mv.location_id,
         "qty": str(mv.qty), "kind": mv.kind.value, "reason": mv.reason} for mv in moves]
    for mv, item in zip(moves, movements, strict=True):
        if costs and mv.id in costs:
            item["unit_cost"] = costs[mv.id]
        if mv.id in before:
            item["on_hand_before"] = str(before[mv.id])
            item["on_hand_after"] = str(before[mv.id] + mv.qty)
    tx.add_event("stock.moved", "stock", moves[0].ref_id or moves[0].id,
                 {"ref": subject, "movements": movements})
    tx.append_audit(ctx.till_id, user.id, action, subject,
                    {"movements": [[mv.variant_id, str(mv.qty), mv.kind.value]
                                   for mv in moves]})


@dataclass(slots=True)
class StockService:
    store: Store
    ctx: TillContext
    auth: AuthService

    def on_hand(self, sku: str, location_id: str | None = None) -> Decimal:
        with self.store.tx() as tx:
            v = require_variant(tx, sku)
            return tx.on_hand(v.id, location_id or self.ctx.location_id)

    def _write(self, tx: Tx, user: User, moves: list[StockMove], action: str,
               subject: str) -> None:
        write_moves(tx, self.ctx, user, moves, action, subject)

    def adjust(self, user: User, sku: str, delta: Decimal, reason: str,
               kind: MovementKind = MovementKind.ADJUSTMENT) -> None:
        self.auth.require(user, Permission.STOCK)
        if delta == 0:
            raise ValidationError("an adjustment of zero changes nothing")
        if kind not in (MovementKind.ADJUSTMENT, MovementKind.RECEIVING):
            raise ValidationError("use count or transfer for those movements")
        if not reason.strip():
            raise ValidationError("an adjustment needs a reason")
        with self.store.tx(write=True) as tx:
            v = require_variant(tx, sku)
            self._write(tx, user, [StockMove(new_id_str(), v.id, self.ctx.location_id, delta,
                                             kind, reason)], f"stock_{kind.value}", sku)
            tx.commit()

    def count(self, user: User, sku: str, counted: Decimal) -> Decimal:
        """Record a count: the movement is the difference to the ledger, computed in the same tx."""
        self.auth.require(user, Permission.STOCK)
        if counted < 0:
            raise ValidationError("a count cannot be negative")
        with self.store.tx(write=True) as tx:
            v = require_variant(tx, sku)
            diff = counted - tx.on_hand(v.id, self.ctx.location_id)
            if diff:
                self._write(tx, user, [StockMove(new_id_str(), v.id, self.ctx.location_id, diff,
                                                 MovementKind.COUNT, f"counted {counted}")],
                            "stock_count", sku)
            tx.commit()
        return diff

    def transfer(self, user: User, sku: str, qty: Decimal, to_location_id: str) -> None:
        self.auth.require(user, Permission.STOCK)
        if qty <= 0:
            raise ValidationError("transfer a positive quantity")
        ref = new_id_str()
        with self.store.tx(write=True) as tx:
            v = require_variant(tx, sku)
            self._write(tx, user, [
                StockMove(new_id_str(), v.id, self.ctx.location_id, -qty, MovementKind.TRANSFER,
                          f"to {to_location_id}", ref),
                StockMove(new_id_str(), v.id, to_location_id, qty, MovementKind.TRANSFER,
                          f"from {self.ctx.location_id}", ref)], "stock_transfer", sku)
            tx.commit()
