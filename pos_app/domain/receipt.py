"""Plain-text receipt (42 columns, the width of an 80 mm printer's font A)."""

from __future__ import annotations

from .money import format_plain
from .quantity import fmt_qty
from .sale import CompletedSale
from .store import TillContext

TENDER_NAMES = {"cash": "Cash", "card": "Card", "store_credit": "Store credit",
                "loyalty": "Points"}


def _row(left: str, right: str, width: int) -> str:
    room = width - len(right) - 1
    return f"{left[:room]:<{room}} {right}"


def render_receipt(sale: CompletedSale, ctx: TillContext, header: str = "", footer: str = "",
                   width: int = 42) -> str:
    cur = sale.currency

    def m(v: int) -> str:
        return format_plain(v, cur)

    title = {"sale": "RECEIPT", "return": "REFUND", "exchange": "EXCHANGE"}[sale.kind]
    out = [ctx.store_name.center(width)]
    out += [h.center(width) for h in header.splitlines() if h.strip()]
    out += [title.center(width), _row(f"No {sale.receipt_no}",
                                      sale.completed_at.strftime("%Y-%m-%d %H:%M"), width),
            "-" * width]
    for ln in sale.lines:
        out.append(_row(ln.name, m(ln.gross), width))
        if ln.qty != 1:
            out.append(f"  {fmt_qty(ln.qty)} x {m(ln.unit_price)}")
        discount = ln.promo_discount + ln.line_discount + ln.order_discount
        if discount:
            label = "  promo " + ",".join(ln.promo_codes) if ln.promo_discount else "  discount"
            out.append(_row(label, f"-{m(discount)}", width))
    out.append("-" * width)
    out.append(_row("Subtotal", m(sale.subtotal), width))
    if sale.discount_total:
        out.append(_row("Discounts", f"-{m(sale.discount_total)}", width))
    label = "incl. tax" if sale.tax_mode == "inclusive" else "Tax"
    for t in sale.taxes:
        out.append(_row(f"{label} {t.code} {t.rate * 100:g}% on {m(t.base)}", m(t.tax), width))
    out.append(_row("TOTAL", f"{m(sale.total)} {cur}", width))
    if sale.rounding:
        out.append(_row("Cash rounding", m(sale.rounding), width))
        out.append(_row("To pay", m(sale.amount_due), width))
    for p in sale.payments:
        name = TENDER_NAMES.get(p.tender, p.tender)
        out.append(_row(name, m(p.tendered if p.tender == "cash" else p.amount), width))
        if p.change:
            out.append(_row("Change", m(p.change), width))
    if sale.loyalty_earned or sale.loyalty_redeemed:
        out.append(f"Points earned {sale.loyalty_earned}, redeemed {sale.loyalty_redeemed}")
    out.append("-" * width)
    out += [f.center(width) for f in footer.splitlines() if f.strip()]
    out.append(f"*{sale.receipt_no}*".center(width))
    return "\n".join(out) + "\n"
