"""Stock ledger and its on-hand cache, always written together."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ...domain.quantity import from_milli, to_milli
from ...domain.stock import StockMove
from .base import RepoBase, sql, utcnow

INSERT_MOVE = sql(
    "INSERT INTO stock_movements (id, variant_id, location_id, qty_milli, kind, reason, ref_id,"
    " user_id, created_at) VALUES (:id, :variant_id, :location_id, :qty_milli, :kind, :reason,"
    " :ref_id, :user_id, :created_at)", "created_at")
UPSERT_LEVEL = sql(
    "INSERT INTO stock_levels (variant_id, location_id, on_hand_milli) VALUES (:v, :l, :d)"
    " ON CONFLICT (variant_id, location_id) DO UPDATE"
    " SET on_hand_milli = stock_levels.on_hand_milli + excluded.on_hand_milli")
ON_HAND = sql("SELECT on_hand_milli FROM stock_levels WHERE variant_id = :v AND location_id = :l")


class StockRepo(RepoBase):
    def add_stock_moves(self, moves: list[StockMove]) -> None:
        if not moves:
            return
        now = utcnow()
        self._exec(INSERT_MOVE, [
            {"id": mv.id, "variant_id": mv.variant_id, "location_id": mv.location_id,
             "qty_milli": to_milli(mv.qty), "kind": mv.kind.value, "reason": mv.reason,
             "ref_id": mv.ref_id, "user_id": mv.user_id, "created_at": now} for mv in moves])
        deltas: dict[tuple[str, str], int] = defaultdict(int)
        for mv in moves:
            deltas[(mv.variant_id, mv.location_id)] += to_milli(mv.qty)
        self._exec(UPSERT_LEVEL, [{"v": v, "l": loc, "d": d}
                                  for (v, loc), d in sorted(deltas.items())])

    def on_hand(self, variant_id: str, location_id: str) -> Decimal:
        milli = self._exec(ON_HAND, {"v": variant_id, "l": location_id}).scalar()
        return from_milli(int(milli or 0))
