"""The inbound sync ports over the local store: the POS's items and locations for a
connector's mapping, and pulled changes applied one transaction per batch.

No tables of its own: a connector's inbound cursor is a row of ``settings``
(``sync_inbound_cursor:NAME``), written in the batch's transaction; conflicts are
audit entries (``sync_conflict``, closed by ``sync_conflict_resolved``), so they are
append-only and hash-chained like every other record of who changed what.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text, update

from sync.inbound import Conflict, InboundChange, InboundResult, PosItem, PosLocation

from ..domain.ids import new_id_str
from ..domain.quantity import parse_qty
from ..domain.stock import MovementKind, StockMove
from ..domain.store import TillContext
from . import catalog_sql as q
from . import models as m
from .repos.base import utcnow
from .store import SqlStore, SqlTx

log = logging.getLogger(__name__)
CURSOR_KEY = "sync_inbound_cursor:"
CONFLICT, RESOLVED = "sync_conflict", "sync_conflict_resolved"


def _item(row: Any) -> PosItem:
    return PosItem(row[0], row[1], row[2], int(row[3]), bool(row[4]),
                   tuple(sorted(row[5].split("\x1f"))) if row[5] else ())


class SqlInboundStore:
    def __init__(self, store: SqlStore, ctx: TillContext, audit_chain: str) -> None:
        self._store = store
        self._ctx = ctx
        self._chain = audit_chain

    # --- PosCatalog ---------------------------------------------------------------

    def _items(self, tx: SqlTx, variant_id: str | None = None) -> list[PosItem]:
        agg = (func.string_agg if tx.session.get_bind().dialect.name == "postgresql"
               else func.group_concat)
        codes = (select(agg(m.Barcode.code, "\x1f")).where(m.Barcode.variant_id == m.Variant.id)
                 .scalar_subquery())
        stmt = (select(m.Variant.id, m.Variant.sku, m.Variant.name, m.Variant.price,
                       m.Variant.active & m.Product.active, codes)
                .join(m.Product, m.Product.id == m.Variant.product_id).order_by(m.Variant.sku))
        if variant_id is not None:
            stmt = stmt.where(m.Variant.id == variant_id)
        return [_item(r) for r in tx.session.execute(stmt)]

    def items(self) -> list[PosItem]:
        with self._store.tx() as tx:
            return self._items(tx)

    def item(self, variant_id: str) -> PosItem | None:
        with self._store.tx() as tx:
            found = self._items(tx, variant_id)
        return found[0] if found else None

    def locations(self) -> list[PosLocation]:
        with self._store.tx() as tx:
            rows = tx.session.execute(select(m.Location.id, m.Location.code, m.Location.name)
                                      .where(m.Location.store_id == self._ctx.store_id)
                                      .order_by(m.Location.code))
            return [PosLocation(*r) for r in rows]

    def facts(self) -> tuple[str, bool]:
        with self._store.tx() as tx:
            mode = tx.settings().get("tax_mode", "inclusive")
        return self._ctx.currency, mode == "inclusive"

    # --- InboundStore -------------------------------------------------------------

    def inbound_cursor(self, connector: str) -> str | None:
        with self._store.tx() as tx:
            return self._cursor(tx, connector)

    def reset_cursor(self, connector: str) -> None:
        """The next pull reads everything again (values: re-reading one is a no-op)."""
        with self._store.tx(write=True) as tx:
            tx.set_setting(CURSOR_KEY + connector, None)
            tx.commit()

    @staticmethod
    def _cursor(tx: SqlTx, connector: str) -> str | None:
        row = tx.session.get(m.Setting, CURSOR_KEY + connector)
        value = json.loads(row.value) if row is not None else None
        return str(value) if value is not None else None

    def apply_inbound(self, connector: str, changes: list[InboundChange], since: str | None,
                      cursor: str | None) -> InboundResult:
        applied = unchanged = conflicts = unknown = 0
        with self._store.tx(write=True) as tx:
            if self._cursor(tx, connector) != since:
                return InboundResult(stale=True)  # another process applied it: leave it be
            open_ = self._open(tx, connector)
            locations = {code: lid for lid, code in tx.session.execute(
                select(m.Location.id, m.Location.code))}
            for c in changes:
                row = tx.session.scalars(select(m.Variant).where(m.Variant.sku == c.sku)).first()
                if row is None or (c.currency and c.currency != self._ctx.currency):
                    unknown += 1
                    continue
                location = locations.get(c.location or "") or self._ctx.location_id
                if c.field == "stock_delta":  # a target's transaction: once per reference
                    done = self._stock_delta(tx, connector, row, location, c)
                    applied, unchanged = applied + done, unchanged + (not done)
                    continue
                pos_value = self._value(tx, row, location, c.field)
                if _same(pos_value, c.value, c.field):
                    unchanged += 1
                    for conflict in open_.pop((c.sku, c.field), []):
                        self._resolve(tx, conflict, "the POS and the target agree again")
                elif c.authoritative:
                    self._apply(tx, connector, row, location, c, pos_value)
                    applied += 1
                    for conflict in open_.pop((c.sku, c.field), []):
                        self._resolve(tx, conflict, f"{connector} owns {c.data_type}")
                elif not any(x.target_value == str(c.value) for x in open_[(c.sku, c.field)]):
                    conflict = Conflict(new_id_str(), connector, c.sku, c.field, str(pos_value),
                                        str(c.value), c.ref, utcnow().isoformat())
                    self._record(tx, conflict)
                    open_[(c.sku, c.field)].append(conflict)
                    conflicts += 1
                    log.warning("sync %s: conflict on %s %s: POS %s, target %s (%s); the POS "
                                "owns %s", connector, c.sku, c.field, pos_value, c.value,
                                c.ref, c.data_type)
            tx.set_setting(CURSOR_KEY + connector, cursor)
            tx.commit()
        return InboundResult(applied, unchanged, conflicts, unknown)

    def _value(self, tx: SqlTx, row: m.Variant, location: str, field: str) -> Any:
        if field == "name":
            return row.name
        if field == "active":
            return bool(row.active)
        if field == "price":
            return int(row.price)
        if field == "stock_count":
            return tx.on_hand(row.id, location)
        raise ValueError(f"unknown inbound field {field!r}")

    def _apply(self, tx: SqlTx, connector: str, row: m.Variant, location: str,
               c: InboundChange, old: Any) -> None:
        source = {"source": connector, "ref": c.ref}
        if c.field == "price":
            tx.set_price(row.id, int(c.value))
            tx.add_event("price.changed", "variant", row.id, {
                "variant_id": row.id, "sku": row.sku, "currency": self._ctx.currency,
                "old": old, "new": int(c.value), **source})
            tx.append_audit(self._chain, None, "price_change", row.sku,
                            {"old": old, "new": int(c.value), **source})
        elif c.field in ("name", "active"):
            values = {"name": str(c.value)} if c.field == "name" else {"active": bool(c.value)}
            tx.session.execute(update(m.Variant).where(m.Variant.id == row.id)
                               .values(**values, updated_at=utcnow()))
            if c.field == "name" and tx.session.get_bind().dialect.name == "sqlite":
                tx.session.execute(text("DELETE FROM variant_search WHERE rowid = :k"),
                                   {"k": row.key})
                tx.session.execute(text("INSERT INTO variant_search(rowid, text) VALUES "
                                        "(:k, :t)"), {"k": row.key,
                                                      "t": q.search_text(str(c.value), row.sku)})
            tx.append_audit(self._chain, None, "catalog_change", row.sku,
                            {"field": c.field, "old": old, "new": c.value, **source})
        elif c.field == "stock_count":
            diff = parse_qty(str(c.value)) - Decimal(old)
            self._move(tx, connector, row, location, diff, MovementKind.COUNT,
                       f"counted {c.value} at {connector}", c.ref)
        else:
            raise ValueError(f"unknown inbound field {c.field!r}")

    def _stock_delta(self, tx: SqlTx, connector: str, row: m.Variant, location: str,
                     c: InboundChange) -> bool:
        reason = f"{connector}:{c.ref}"[:200]
        if tx.session.scalars(select(m.StockMovement.id).where(
                m.StockMovement.variant_id == row.id,
                m.StockMovement.reason == reason)).first() is not None:
            return False
        self._move(tx, connector, row, location, parse_qty(str(c.value)),
                   MovementKind.ADJUSTMENT, reason, c.ref)
        return True

    def _move(self, tx: SqlTx, connector: str, row: m.Variant, location: str, qty: Decimal,
              kind: MovementKind, reason: str, ref: str) -> None:
        if not qty:
            return
        move = StockMove(new_id_str(), row.id, location, qty, kind, reason)
        tx.add_stock_moves([move])
        # "source" tells the connector it came from not to send it back
        tx.add_event("stock.moved", "stock", move.id, {
            "ref": ref, "source": connector, "movements": [
                {"id": move.id, "variant_id": row.id, "location_id": location,
                 "qty": str(qty), "kind": kind.value, "reason": reason}]})
        tx.append_audit(self._chain, None, f"stock_{kind.value}", row.sku,
                        {"movements": [[row.id, str(qty), kind.value]], "source": connector})

    # --- conflicts ----------------------------------------------------------------

    def _record(self, tx: SqlTx, c: Conflict) -> None:
        tx.append_audit(self._chain, None, CONFLICT, c.sku, {
            "conflict": c.id, "connector": c.connector, "field": c.field, "pos": c.pos_value,
            "target": c.target_value, "ref": c.ref})

    def _resolve(self, tx: SqlTx, c: Conflict, why: str, actor: str | None = None) -> None:
        tx.append_audit(self._chain, actor, RESOLVED, c.sku,
                        {"conflict": c.id, "connector": c.connector, "why": why})

    def _all(self, tx: SqlTx) -> list[Conflict]:
        rows = tx.session.execute(
            select(m.AuditEntry.action, m.AuditEntry.subject, m.AuditEntry.details,
                   m.AuditEntry.at).where(m.AuditEntry.action.in_((CONFLICT, RESOLVED)))
            .order_by(m.AuditEntry.at, m.AuditEntry.seq))
        found: dict[str, Conflict] = {}
        for action, subject, details, at in rows:
            d = json.loads(details)
            if action == CONFLICT:
                found[d["conflict"]] = Conflict(d["conflict"], d["connector"], subject or "",
                                                d["field"], d["pos"], d["target"], d["ref"], at)
            elif d["conflict"] in found:
                old = found[d["conflict"]]
                found[old.id] = Conflict(old.id, old.connector, old.sku, old.field,
                                         old.pos_value, old.target_value, old.ref, old.at,
                                         f"{at[:19]}: {d['why']}")
        return list(found.values())

    def _open(self, tx: SqlTx, connector: str) -> defaultdict[tuple[str, str], list[Conflict]]:
        out: defaultdict[tuple[str, str], list[Conflict]] = defaultdict(list)
        for c in self._all(tx):
            if c.connector == connector and c.resolved is None:
                out[(c.sku, c.field)].append(c)
        return out

    def conflicts(self, connector: str | None = None,
                  include_resolved: bool = False) -> list[Conflict]:
        with self._store.tx() as tx:
            return [c for c in self._all(tx) if connector in (None, c.connector)
                    and (include_resolved or c.resolved is None)]

    def resolve(self, conflict_id: str, actor_id: str, why: str) -> bool:
        """Close an open conflict by hand (audited with who did it)."""
        with self._store.tx(write=True) as tx:
            match = [c for c in self._all(tx) if c.id == conflict_id and c.resolved is None]
            if not match:
                return False
            self._resolve(tx, match[0], why, actor_id)
            tx.commit()
        return True


def _same(pos_value: Any, target_value: Any, field: str) -> bool:
    if field == "stock_count":
        return Decimal(pos_value) == parse_qty(str(target_value))
    if field == "active":
        return bool(pos_value) == bool(target_value)
    if field == "price":
        return int(pos_value) == int(target_value)
    return str(pos_value) == str(target_value)

