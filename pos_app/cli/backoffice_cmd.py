"""Back office without the GUI: ``pos report sales|hours|items|…``, ``pos po …``,
``pos supplier …`` and ``pos stock transfer|locations|location-add|reorder``."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..app import App
from ..domain.errors import ValidationError
from ..domain.inventory import POLineInput, POStatus, PurchaseOrder, ReorderRow
from ..domain.money import format_plain, parse_minor
from ..domain.quantity import fmt_qty, parse_qty
from ..domain.reports import parse_day, rows_csv
from ..domain.users import User
from ..services.reports import RANKINGS, REPORTS

Out = Callable[[str], None]
Login = Callable[[], User]
STOCK_ACTIONS = ("transfer", "locations", "location-add", "reorder")


def add_report_options(s: argparse.ArgumentParser) -> None:
    """Options of the date-range reports (added to ``pos report``)."""
    s.add_argument("--from", dest="start", metavar="YYYY-MM-DD",
                   help="first store-local day (default: today)")
    s.add_argument("--to", dest="end", metavar="YYYY-MM-DD",
                   help="last store-local day, included (default: --from)")
    s.add_argument("--by", choices=RANKINGS, default="revenue",
                   help="items/categories: rank by")
    s.add_argument("--limit", type=int, default=20, help="items/categories: rows")


def add_parsers(sub: Any, common: argparse.ArgumentParser, parser_class: type) -> None:
    s = sub.add_parser("po", help="purchase orders and receiving", parents=[common])
    ps = s.add_subparsers(dest="action", required=True, parser_class=parser_class)
    a = ps.add_parser("add", help="a draft order (--order sends it at once)", parents=[common])
    a.add_argument("--supplier", required=True, help="supplier code")
    a.add_argument("--line", action="append", required=True, metavar="SKU:QTY:COST",
                   help="e.g. COF-1KG:24:6.10 (repeatable)")
    a.add_argument("--location", help="deliver to this location code (default: this till's)")
    a.add_argument("--note", default="")
    a.add_argument("--order", action="store_true", help="mark it ordered at once")
    ls = ps.add_parser("list", help="newest first", parents=[common])
    ls.add_argument("--status", choices=[st.value for st in POStatus])
    ls.add_argument("--limit", type=int, default=50)
    for name, text in (("show", "lines: ordered, received, outstanding"),
                       ("order", "draft -> ordered"),
                       ("close", "no more deliveries (closed, or cancelled if none came)")):
        ps.add_parser(name, help=text, parents=[common]).add_argument("number")
    r = ps.add_parser("receive", help="book a delivery (default: all outstanding)",
                      parents=[common])
    r.add_argument("number")
    r.add_argument("--line", action="append", default=[], metavar="SKU:QTY")

    s = sub.add_parser("supplier", help="suppliers", parents=[common])
    ss = s.add_subparsers(dest="action", required=True, parser_class=parser_class)
    a = ss.add_parser("add", help="add a supplier", parents=[common])
    a.add_argument("code")
    a.add_argument("name")
    a.add_argument("--email")
    a.add_argument("--phone")
    a.add_argument("--lead-days", type=int, default=7, help="days from order to delivery")
    ss.add_parser("list", help="active suppliers", parents=[common])


def add_stock_parsers(st: Any, common: argparse.ArgumentParser) -> None:
    t = st.add_parser("transfer", help="move stock between locations (one document)",
                      parents=[common])
    t.add_argument("--to", dest="to_location", required=True, help="location code")
    t.add_argument("--from", dest="from_location", help="location code (default: this till's)")
    t.add_argument("--line", action="append", required=True, metavar="SKU:QTY")
    t.add_argument("--note", default="")
    st.add_parser("locations", help="list locations", parents=[common])
    la = st.add_parser("location-add", help="add a location", parents=[common])
    la.add_argument("code")
    la.add_argument("name")
    ro = st.add_parser("reorder", help="what to order now (reorder points, recent sales)",
                       parents=[common])
    ro.add_argument("--days", type=int, default=28, help="sales of the last N days")
    ro.add_argument("--lead-days", type=int, help="default: the supplier's, else 7")
    ro.add_argument("--supplier", help="use this supplier's lead time")
    ro.add_argument("--location", help="location code (default: this till's)")
    ro.add_argument("--format", choices=["text", "csv", "json"], default="text")


# ----- rendering -----------------------------------------------------------------------
def _plain(value: Any, money: bool, cur: str) -> Any:
    if value is None:
        return None
    if money:
        return format_plain(int(value), cur)
    if isinstance(value, Decimal):
        return fmt_qty(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v for v in value]
    return value


def _records(rows: Sequence[Any], cur: str) -> list[dict[str, Any]]:
    return [{f.name: _plain(getattr(r, f.name), bool(f.metadata.get("money")), cur)
             for f in dataclasses.fields(r)} for r in rows]


def _table(rows: Sequence[Any], cur: str, row_type: type | None = None) -> str:
    fields = dataclasses.fields(row_type or rows[0]) if rows or row_type else ()
    head = [f.name for f in fields]
    body = [["" if v is None else str(v) for v in rec.values()] for rec in _records(rows, cur)]
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) if c[:1].isdigit() or c[:1] == "-" else c.ljust(w)
                        for c, w in zip(b, widths, strict=True)) for b in body]
    return "\n".join(line.rstrip() for line in lines)


def render(rows: Sequence[Any], fmt: str, cur: str, row_type: type | None = None) -> str:
    if fmt == "csv":
        return rows_csv(rows, cur, row_type)
    if fmt == "json":
        return json.dumps(_records(rows, cur), indent=2, ensure_ascii=False)
    return _table(rows, cur, row_type) if rows or row_type else "(nothing)"


# ----- commands --------------------------------------------------------------------------
def cmd_report(ns: argparse.Namespace, app: App, login: Login, out: Out) -> int:
    if ns.count:
        raise ValidationError("--count belongs to the Z report")
    start = parse_day(ns.start) if ns.start else date.today()
    end = parse_day(ns.end) if ns.end else start
    options: dict[str, Any] = {}
    if ns.kind in ("items", "categories"):
        options = {"limit": ns.limit, "by": ns.by}
    user = login()
    rows = app.reports.report(user, ns.kind, start, end, **options)
    out(render(rows, ns.format, app.ctx.currency, REPORTS[ns.kind][1]))
    return 0


def _variant_id(app: App, user: User, sku: str) -> str:
    return app.catalog_admin.find_variant(user, sku).id


def _sku_qty(spec: str, what: str) -> tuple[str, str]:
    sku, sep, qty = spec.rpartition(":")
    if not sep or not sku or not qty:
        raise ValidationError(f"--line {spec!r}: use SKU:QTY{what}")
    return sku, qty


def _po_text(po: PurchaseOrder, cur: str) -> str:
    head = (f"{po.number}  {po.status.value}  supplier {po.supplier}  total "
            f"{format_plain(po.total, cur)} {cur}")
    lines = [f"  {ln.line_no:>3} {ln.sku:<16} ordered {fmt_qty(ln.qty):>8}  received "
             f"{fmt_qty(ln.received):>8}  outstanding {fmt_qty(ln.outstanding):>8}  cost "
             f"{format_plain(ln.unit_cost, cur):>9}" for ln in po.lines]
    return "\n".join([head, *lines])


def cmd_po(ns: argparse.Namespace, app: App, login: Login, out: Out) -> int:
    user = login()
    pur, cur = app.purchasing, app.ctx.currency
    if ns.action == "add":
        lines = []
        for spec in ns.line:
            rest, sep, cost = spec.rpartition(":")
            sku, qty = _sku_qty(rest, ":COST") if sep else ("", "")
            if not sku:
                raise ValidationError(f"--line {spec!r}: use SKU:QTY:COST, e.g. COF:24:6.10")
            lines.append(POLineInput(_variant_id(app, user, sku), parse_qty(qty),
                                     parse_minor(cost, cur)))
        po = pur.create_order(user, ns.supplier, lines, location=ns.location, note=ns.note)
        if ns.order:
            po = pur.place_order(user, po.id)
        out(_po_text(po, cur))
    elif ns.action == "list":
        status = POStatus(ns.status) if ns.status else None
        for po in pur.orders(user, status, limit=ns.limit).rows:
            out(f"{po.number}  {po.status.value:<9} {po.created_at:%Y-%m-%d}  "
                f"{po.supplier:<24} {format_plain(po.total, cur):>12} {cur}")
    elif ns.action == "show":
        out(_po_text(pur.order(user, ns.number), cur))
    elif ns.action == "order":
        out(_po_text(pur.place_order(user, ns.number), cur))
    elif ns.action == "close":
        out(_po_text(pur.close_order(user, ns.number), cur))
    else:
        wanted = None
        if ns.line:
            wanted = [(_variant_id(app, user, sku), parse_qty(qty))
                      for sku, qty in (_sku_qty(s, "") for s in ns.line)]
        out(_po_text(pur.receive(user, ns.number, wanted), cur))
    return 0


def cmd_supplier(ns: argparse.Namespace, app: App, login: Login, out: Out) -> int:
    user = login()
    if ns.action == "add":
        s = app.purchasing.add_supplier(user, ns.code, ns.name, email=ns.email,
                                        phone=ns.phone, lead_time_days=ns.lead_days)
        out(f"supplier {s.code} added (lead time {s.lead_time_days} days)")
    else:
        for s in app.purchasing.suppliers(user):
            out(f"{s.code:<12} {s.name:<30} lead {s.lead_time_days:>3} days  "
                f"{s.email or ''}")
    return 0


def cmd_stock(ns: argparse.Namespace, app: App, login: Login, out: Out) -> int:
    user = login()
    inv = app.inventory
    if ns.action == "locations":
        for loc in inv.locations(user):
            out(f"{loc.code:<12} {loc.name}" + ("  (this till)" if loc.is_till else ""))
    elif ns.action == "location-add":
        loc = inv.add_location(user, ns.code, ns.name)
        out(f"location {loc.code} added")
    elif ns.action == "transfer":
        lines = [(_variant_id(app, user, sku), parse_qty(qty))
                 for sku, qty in (_sku_qty(s, "") for s in ns.line)]
        doc = inv.transfer(user, ns.to_location, lines, from_location=ns.from_location,
                           note=ns.note)
        out(f"{doc.number}: {len(doc.lines)} lines moved to {ns.to_location.upper()}")
        for ln in doc.lines:
            out(f"  {ln.sku:<16} {fmt_qty(ln.qty):>8}")
    else:
        rows = app.purchasing.reorder_suggestions(
            user, ns.location, days=ns.days, lead_time_days=ns.lead_days, supplier=ns.supplier)
        out(render(rows, ns.format, app.ctx.currency, ReorderRow))
    return 0
