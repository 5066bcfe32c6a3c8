"""Stock ledger and its on-hand cache, always written together."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import insert, select

from ...domain.quantity import from_milli, to_milli
from ...domain.stock import StockMove
from .. import models as m
from .base import RepoBase, utcnow


class StockRepo(RepoBase):
    def add_stock_moves(self, moves: list[StockMove]) -> None:
        if not moves:
            return
        now = utcnow()
        self.session.execute(insert(m.StockMovement), [
            {"id": mv.id, "variant_id": mv.variant_id, "location_id": mv.location_id,
             "qty_milli": to_milli(mv.qty), "kind": mv.kind.value, "reason": mv.reason,
             "ref_id": mv.ref_id, "user_id": mv.user_id, "created_at": now} for mv in moves])
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        for mv in moves:
            deltas[(mv.variant_id, mv.location_id)] += to_milli(mv.qty)
        table = m.StockLevel.__table__
        for (vid, loc), delta in sorted(deltas.items()):
            stmt = self._insert(table).values(variant_id=vid, location_id=loc,
                                              on_hand_milli=delta)
            stmt = stmt.on_conflict_do_update(  # type: ignore[attr-defined]
                index_elements=["variant_id", "location_id"],
                set_={"on_hand_milli": table.c.on_hand_milli + delta})
            self.session.execute(stmt)

    def on_hand(self, variant_id: str, location_id: str) -> Decimal:
        milli = self.session.scalar(select(m.StockLevel.on_hand_milli).where(
            m.StockLevel.variant_id == variant_id, m.StockLevel.location_id == location_id))
        return from_milli(int(milli or 0))
