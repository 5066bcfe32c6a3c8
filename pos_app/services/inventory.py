"""Stock per location for the back office: levels, adjustments with reasons, count
sessions and transfer documents. Every change is ledger movements plus one
``stock.moved`` event and an audit entry, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from ..domain.backoffice import Page, check_limit, make_page, offset_cursor
from ..domain.barcodes import normalize_barcode
from ..domain.catalog import Variant
from ..domain.errors import NotFound, StateError, ValidationError
from ..domain.ids import new_id_str
from ..domain.inventory import (
    CountSession,
    CountStatus,
    Location,
    StockRow,
    Transfer,
    TransferLine,
    adjust_reason,
)
from ..domain.quantity import fmt_qty, parse_qty
from ..domain.stock import MovementKind, StockMove
from ..domain.store import TillContext
from ..domain.users import Permission, User
from .auth import AuthService
from .ports import Store, Tx
from .stock import write_moves


def item_qty(variant: Variant, qty: Decimal | str | int, what: str = "quantity") -> Decimal:
    """Three places at most; fractions only for weighed items. ``what``: "quantity" or
    "count"."""
    value = parse_qty(qty)
    if not variant.sold_by_weight and value != value.to_integral_value():
        raise ValidationError("{sku} is sold by the piece: a count of {value} is not whole"
                              if what == "count" else
                              "{sku} is sold by the piece: a quantity of {value} is not whole",
                              sku=variant.sku, value=value)
    return value


def require_variant_id(tx: Tx, variant_id: str) -> Variant:
    v = tx.variant_by_id(variant_id)
    if v is None:
        raise NotFound("no variant {variant_id}", variant_id=variant_id)
    return v


def require_location(tx: Tx, id_or_code: str) -> Location:
    for loc in tx.locations():
        if id_or_code in (loc.id, loc.code):
            return loc
    raise NotFound("no location {id_or_code!r}", id_or_code=id_or_code)


@dataclass(slots=True)
class InventoryService:
    store: Store
    ctx: TillContext
    auth: AuthService

    # ----- locations ---------------------------------------------------------------------
    def locations(self, user: User) -> list[Location]:
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            return [replace(loc, is_till=loc.id == self.ctx.location_id)
                    for loc in tx.locations()]

    def add_location(self, user: User, code: str, name: str) -> Location:
        self.auth.require(user, Permission.STOCK)
        code, name = code.strip().upper(), name.strip()
        if not code or len(code) > 32 or not name or len(name) > 200:
            raise ValidationError("a location needs a code (1-32) and a name (1-200 characters)")
        loc = Location(new_id_str(), code, name, False)
        with self.store.tx(write=True) as tx:
            if any(x.code == code for x in tx.locations()):
                raise ValidationError("location {code} already exists", code=code)
            tx.add_location(loc, self.ctx.store_id)
            tx.append_audit(self.ctx.till_id, user.id, "location_created", code, {"name": name})
            tx.commit()
        return loc

    def _loc(self, tx: Tx, location: str | None) -> str:
        return self.ctx.location_id if location is None else require_location(tx, location).id

    # ----- levels -----------------------------------------------------------------------
    def stock(self, user: User, location: str | None = None, search: str | None = None, *,
              below_reorder: bool = False, limit: int = 50,
              after: str | None = None) -> Page[StockRow]:
        """On hand per item at a location (id or code; default this till's), by SKU a page
        at a time; ``search`` takes words, a SKU or a barcode; ``below_reorder`` keeps the
        items at or under their reorder point."""
        self.auth.require(user, Permission.STOCK)
        check_limit(limit)
        with self.store.tx() as tx:
            loc = self._loc(tx, location)
            if search and search.strip():
                start = offset_cursor(after)
                ids = [v.id for v in self._matches(tx, search.strip(), start + limit + 1)]
                rows = tx.stock_rows(loc, ids[start:])
                if below_reorder:
                    rows = [r for r in rows if r.below_reorder_point]
                return make_page(rows, limit, lambda _r: f"#{start + limit}")
            rows = tx.browse_stock(loc, after, limit + 1, below_reorder)
        return make_page(rows, limit, lambda r: r.sku)

    @staticmethod
    def _matches(tx: Tx, text: str, n: int) -> list[Variant]:
        found: list[Variant] = []
        exact = tx.variant_by_sku(text)
        if exact is None:
            try:
                exact = tx.variant_by_barcode(normalize_barcode(text))
            except ValidationError:
                exact = None
        if exact is not None:
            found.append(exact)
        found += [v for v in tx.search_variants(text, n) if exact is None or v.id != exact.id]
        return found[:n]

    def find(self, user: User, code: str, location: str | None = None) -> StockRow:
        """The one item a scanned or typed code names, with its level at ``location``: an
        exact SKU or a barcode in any GTIN spelling, never a look-alike (a count or a
        transfer must not book against the wrong item)."""
        self.auth.require(user, Permission.STOCK)
        text = code.strip()
        with self.store.tx() as tx:
            v = tx.variant_by_sku(text) or tx.variant_by_sku(text.upper())
            if v is None:
                try:
                    v = tx.variant_by_barcode(normalize_barcode(text))
                except ValidationError:
                    v = None
            if v is None:
                raise NotFound("no item with SKU or barcode {text!r}", text=text)
            return tx.stock_rows(self._loc(tx, location), [v.id])[0]

    def level(self, user: User, variant_id: str, location: str | None = None) -> StockRow:
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            require_variant_id(tx, variant_id)
            return tx.stock_rows(self._loc(tx, location), [variant_id])[0]

    # ----- adjustments ------------------------------------------------------------------
    def adjust(self, user: User, variant_id: str, delta: Decimal, reason: str,
               note: str = "", location: str | None = None) -> StockRow:
        """Add (positive) or remove (negative) stock with a reason code (``AdjustReason``:
        damaged, theft, expired, internal_use, returned_to_supplier remove; found adds;
        correction either way) and an optional note."""
        self.auth.require(user, Permission.STOCK)
        if len(note) > 150:
            raise ValidationError("a note is at most 150 characters")
        with self.store.tx(write=True) as tx:
            v = require_variant_id(tx, variant_id)
            delta = item_qty(v, delta)
            code = adjust_reason(reason, delta)
            loc = self._loc(tx, location)
            text = f"{code.value}: {note.strip()}" if note.strip() else code.value
            write_moves(tx, self.ctx, user, [StockMove(
                new_id_str(), v.id, loc, delta, MovementKind.ADJUSTMENT, text, None, user.id)],
                "stock_adjustment", v.sku)
            row = tx.stock_rows(loc, [v.id])[0]
            tx.commit()
        return row

    # ----- counts -----------------------------------------------------------------------
    def start_count(self, user: User, location: str | None = None,
                    note: str = "") -> CountSession:
        """Open a count session; several may be open (one per aisle or location)."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            loc = self._loc(tx, location)
            seq = tx.next_document_seq("stock_counts")
            session = CountSession(new_id_str(), f"SC-{seq:06d}", loc, CountStatus.OPEN,
                                   note.strip()[:300] or None, user.id, datetime.now(UTC),
                                   None, None)
            tx.add_count_session(session)
            tx.append_audit(self.ctx.till_id, user.id, "stock_count_started", session.number,
                            {"location_id": loc})
            tx.commit()
        return session

    def count_sessions(self, user: User, status: CountStatus | None = None,
                       limit: int = 50) -> list[CountSession]:
        """Newest first, without lines (``count`` has them)."""
        self.auth.require(user, Permission.STOCK)
        check_limit(limit)
        with self.store.tx() as tx:
            return tx.count_sessions(status, limit)

    def count(self, user: User, count_id: str) -> CountSession:
        """A session by id or number (SC-000001) with its lines for review: counted,
        expected (the ledger when counted) and the difference to be committed."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            return self._session(tx, count_id)

    @staticmethod
    def _session(tx: Tx, count_id: str, open_only: bool = False) -> CountSession:
        session = tx.count_session(count_id)
        if session is None:
            raise NotFound("no stock count {count_id!r}", count_id=count_id)
        if open_only and session.status is not CountStatus.OPEN:
            raise StateError("stock count {number} is {status}", number=session.number,
                             status=session.status.value)
        return session

    def enter_counts(self, user: User, count_id: str,
                     counts: Sequence[tuple[str, Decimal]], *,
                     add: bool = False) -> CountSession:
        """Record counted quantities (variant id, qty). Counting an item again replaces
        its quantity, or with ``add`` adds to it (the same item on two shelves). All
        lines or, if one is bad, none."""
        self.auth.require(user, Permission.STOCK)
        if not counts:
            raise ValidationError("enter at least one counted item")
        with self.store.tx(write=True) as tx:
            session = self._session(tx, count_id, open_only=True)
            have = {ln.variant_id: ln.counted for ln in session.lines}
            now = datetime.now(UTC)
            for variant_id, qty in counts:
                v = require_variant_id(tx, variant_id)
                counted = item_qty(v, qty, "count")
                if counted < 0:
                    raise ValidationError("{sku}: a count cannot be negative", sku=v.sku)
                if add:
                    counted += have.get(v.id, Decimal(0))
                have[v.id] = counted
                tx.set_count_line(session.id, v.id, counted,
                                  tx.on_hand(v.id, session.location_id), user.id, now)
            result = self._session(tx, session.id)
            tx.commit()
        return result

    def commit_count(self, user: User, count_id: str) -> CountSession:
        """Post every difference as a count movement, at once, and close the session."""
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            session = self._session(tx, count_id, open_only=True)
            if not session.lines:
                raise StateError("stock count {number} has no counted items", number=session.number)
            moves = [StockMove(new_id_str(), ln.variant_id, session.location_id, ln.difference,
                               MovementKind.COUNT, f"{session.number} counted "
                               f"{fmt_qty(ln.counted)}", session.id, user.id)
                     for ln in session.differences]
            if moves:
                write_moves(tx, self.ctx, user, moves, "stock_count", session.number)
            now = datetime.now(UTC)
            tx.finish_count(session.id, CountStatus.COMMITTED, user.id, now)
            tx.append_audit(self.ctx.till_id, user.id, "stock_count_committed", session.number,
                            {"lines": len(session.lines), "differences": len(moves)})
            result = self._session(tx, session.id)
            tx.commit()
        return result

    def cancel_count(self, user: User, count_id: str) -> CountSession:
        self.auth.require(user, Permission.STOCK)
        with self.store.tx(write=True) as tx:
            session = self._session(tx, count_id, open_only=True)
            tx.finish_count(session.id, CountStatus.CANCELLED, user.id, datetime.now(UTC))
            tx.append_audit(self.ctx.till_id, user.id, "stock_count_cancelled", session.number,
                            {"lines": len(session.lines)})
            result = self._session(tx, session.id)
            tx.commit()
        return result

    # ----- transfers --------------------------------------------------------------------
    def transfer(self, user: User, to_location: str, lines: Sequence[tuple[str, Decimal]], *,
                 from_location: str | None = None, note: str = "") -> Transfer:
        """One document moving each line out of ``from_location`` (default this till's)
        and into ``to_location``; refused if a line is more than is on hand there."""
        self.auth.require(user, Permission.STOCK)
        if not lines:
            raise ValidationError("a transfer needs at least one line")
        with self.store.tx(write=True) as tx:
            src, dst = self._loc(tx, from_location), self._loc(tx, to_location)
            if src == dst:
                raise ValidationError("a transfer goes between two different locations")
            seq = tx.next_document_seq("stock_transfers")
            doc_id, number = new_id_str(), f"TR-{seq:06d}"
            doc_lines: list[TransferLine] = []
            moving: dict[str, Decimal] = {}
            for no, (variant_id, qty) in enumerate(lines, 1):
                v = require_variant_id(tx, variant_id)
                q = item_qty(v, qty)
                if q <= 0:
                    raise ValidationError("{sku}: transfer a positive quantity", sku=v.sku)
                moving[v.id] = moving.get(v.id, Decimal(0)) + q
                on_hand = tx.on_hand(v.id, src)
                if moving[v.id] > on_hand:
                    raise ValidationError("{sku}: cannot move {qty}, {on_hand} on hand", sku=v.sku,
                                          qty=fmt_qty(moving[v.id]), on_hand=fmt_qty(on_hand))
                doc_lines.append(TransferLine(no, v.id, v.sku, v.name, q))
            doc = Transfer(doc_id, number, src, dst, note.strip()[:300] or None, user.id,
                           datetime.now(UTC), tuple(doc_lines))
            tx.add_transfer(doc)
            moves = [m for ln in doc_lines for m in (
                StockMove(new_id_str(), ln.variant_id, src, -ln.qty, MovementKind.TRANSFER,
                          f"{number} out", doc_id, user.id),
                StockMove(new_id_str(), ln.variant_id, dst, ln.qty, MovementKind.TRANSFER,
                          f"{number} in", doc_id, user.id))]
            write_moves(tx, self.ctx, user, moves, "stock_transfer", number)
            tx.commit()
        return doc

    def transfers(self, user: User, limit: int = 50, after: str | None = None
                  ) -> Page[Transfer]:
        """Newest first, with their lines."""
        self.auth.require(user, Permission.STOCK)
        check_limit(limit)
        if after is not None and not after.isdigit():
            raise ValidationError("this cursor does not belong to the transfer list")
        with self.store.tx() as tx:
            rows = tx.transfer_docs(int(after) if after else None, limit + 1)
        return make_page(rows, limit, lambda t: t.number.split("-")[1].lstrip("0") or "0")

    def transfer_doc(self, user: User, id_or_number: str) -> Transfer:
        self.auth.require(user, Permission.STOCK)
        with self.store.tx() as tx:
            doc = tx.transfer_doc(id_or_number.strip())
        if doc is None:
            raise NotFound("no transfer {id_or_number!r}", id_or_number=id_or_number)
        return doc
