"""Receipts from an editable template, as device-independent print operations.

The template (TOML, in ``resources/receipts``) says what goes where; this module
fills it from a completed sale for a given paper width. The result is the JSON
op list of ``drivers/printdoc.py``: stored in the print queue, printed by any
driver, and shown as the on-screen preview.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from .errors import ValidationError
from .money import format_plain
from .quantity import fmt_qty
from .sale import CompletedSale
from .store import TillContext

TENDER_NAMES = {"cash": "Cash", "card": "Card", "store_credit": "Store credit",
                "loyalty": "Points"}
TITLES = {"sale": "RECEIPT", "return": "REFUND", "exchange": "EXCHANGE"}
BLOCKS = {"text", "columns", "rule", "feed", "logo", "lines", "totals", "taxes", "tenders",
          "loyalty", "barcode", "qr", "cut"}
ONLY = {"sale", "return", "exchange", "copy"}
Op = dict[str, Any]


class TemplateError(ValidationError):
    """The receipt template cannot be used; the message names the block."""


@dataclass(frozen=True, slots=True)
class ReceiptTemplate:
    blocks: tuple[dict[str, Any], ...]


def load_template(text: str) -> ReceiptTemplate:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError("receipt template is not valid TOML: {exc}", exc=exc) from None
    blocks = data.get("block")
    if not isinstance(blocks, list) or not blocks:
        raise TemplateError("receipt template has no [[block]] entries")
    for i, block in enumerate(blocks, 1):
        kind = block.get("type")
        if kind not in BLOCKS:
            raise TemplateError("block {i}: unknown type {kind!r}; use one of {types}", i=i,
                                kind=kind, types=", ".join(sorted(BLOCKS)))
        if block.get("align", "left") not in ("left", "center", "right"):
            raise TemplateError("block {i}: align must be left, center or right", i=i)
        if kind != "qr" and block.get("size", "normal") not in ("normal", "wide", "tall",
                                                                 "double"):
            raise TemplateError("block {i}: size must be normal, wide, tall or double", i=i)
        if not set(block.get("only", [])) <= ONLY:
            raise TemplateError("block {i}: only= takes {choices}", i=i,
                                choices=", ".join(sorted(ONLY)))
        if kind in ("text", "barcode", "qr") and not isinstance(
                block.get("text" if kind == "text" else "data"), str):
            raise TemplateError("block {i}: {kind} needs text" if kind == "text" else
                                "block {i}: {kind} needs data", i=i, kind=kind)
    return ReceiptTemplate(tuple(blocks))


@dataclass(frozen=True, slots=True)
class ReceiptInfo:
    """What the template may mention besides the sale itself."""

    header: str = ""
    footer: str = ""
    cashier: str = ""
    customer: str = ""
    logo_png: str | None = None  # base64
    copy: str | None = None  # e.g. "MERCHANT COPY"; None for the customer's receipt


def _row(left: str, right: str, width: int) -> str:
    room = max(width - len(right) - 1, 1)
    return f"{left[:room]:<{room}} {right}"


class _Renderer:
    def __init__(self, sale: CompletedSale, ctx: TillContext, info: ReceiptInfo,
                 width: int) -> None:
        self.sale, self.ctx, self.info, self.width = sale, ctx, info, width
        self.ops: list[Op] = []
        when = sale.completed_at.astimezone()
        self.fields = {
            "store_name": ctx.store_name, "header": info.header, "footer": info.footer,
            "title": TITLES[sale.kind], "receipt_no": sale.receipt_no,
            "date": when.strftime("%Y-%m-%d"), "time": when.strftime("%H:%M"),
            "cashier": info.cashier, "till": ctx.till_code, "copy": info.copy or "",
            "customer": info.customer,
        }

    def m(self, v: int) -> str:
        return format_plain(v, self.sale.currency)

    def fill(self, text: str) -> str:
        try:
            return text.format(**self.fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateError("unknown field in {text!r}: {exc}", text=text, exc=exc) from None

    def text(self, text: str, **style: Any) -> None:
        for line in text.splitlines():
            if line.strip():
                self.ops.append({"op": "text", "text": line, **style})

    def row(self, left: str, right: str, **style: Any) -> None:
        cols = self.width // 2 if style.get("size") in ("wide", "double") else self.width
        self.text(_row(left, right, cols), **style)

    def render(self, template: ReceiptTemplate) -> list[Op]:
        kind = "copy" if self.info.copy else self.sale.kind
        for block in template.blocks:
            only = block.get("only")
            if only and kind not in only and not (kind == "copy" and self.sale.kind in only):
                continue
            style = {k: block[k] for k in ("align", "bold", "size") if k in block}
            getattr(self, f"_{block['type']}")(block, style)
        return self.ops

    # --- blocks ---
    def _text(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.text(self.fill(block["text"]), **style)

    def _columns(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.row(self.fill(block.get("left", "")), self.fill(block.get("right", "")), **style)

    def _rule(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.ops.append({"op": "text", "text": block.get("char", "-")[:1] * self.width})

    def _feed(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.ops.append({"op": "feed", "lines": int(block.get("lines", 1))})

    def _logo(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        if self.info.logo_png:
            self.ops.append({"op": "image", "png": self.info.logo_png, "align": "center"})

    def _lines(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        for ln in self.sale.lines:
            self.row(ln.name, self.m(ln.gross), **style)
            if ln.qty != 1:
                self.text(f"  {fmt_qty(ln.qty)} x {self.m(ln.unit_price)}")
            discount = ln.promo_discount + ln.line_discount + ln.order_discount
            if discount:
                label = ("  promo " + ",".join(ln.promo_codes)) if ln.promo_discount \
                    else "  discount"
                self.row(label, f"-{self.m(discount)}")

    def _totals(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        s = self.sale
        self.row("Subtotal", self.m(s.subtotal))
        if s.discount_total:
            self.row("Discounts", f"-{self.m(s.discount_total)}")
        self.row("TOTAL", f"{self.m(s.total)} {s.currency}", bold=True,
                 size=block.get("size", "normal"))
        if s.rounding:
            self.row("Cash rounding", self.m(s.rounding))
            self.row("To pay", self.m(s.amount_due))

    def _taxes(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        label = "incl. tax" if self.sale.tax_mode == "inclusive" else "Tax"
        for t in self.sale.taxes:
            self.row(f"{label} {t.code} {t.rate * 100:g}% on {self.m(t.base)}",
                     self.m(t.tax))

    def _tenders(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        for p in self.sale.payments:
            name = TENDER_NAMES.get(p.tender, p.tender)
            self.row(name, self.m(p.tendered if p.tender == "cash" else p.amount))
            if p.tender == "card" and p.provider_ref:
                self.text(f"  ref {p.provider_ref[-12:]}")
            if p.change:
                self.row("Change", self.m(p.change), bold=True)

    def _loyalty(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        s = self.sale
        if s.loyalty_earned or s.loyalty_redeemed:
            self.text(f"Points earned {s.loyalty_earned}, redeemed {s.loyalty_redeemed}")

    def _barcode(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.ops.append({"op": "barcode", "data": self.fill(block["data"]),
                         "symbology": block.get("symbology", "CODE128")})

    def _qr(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.ops.append({"op": "qr", "data": self.fill(block["data"]),
                         "size": int(block.get("size", 5))})

    def _cut(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        self.ops.append({"op": "cut", "partial": bool(block.get("partial", True))})


def render_receipt_ops(sale: CompletedSale, ctx: TillContext, template: ReceiptTemplate,
                       info: ReceiptInfo | None = None, width: int = 42) -> list[Op]:
    return _Renderer(sale, ctx, info or ReceiptInfo(), width).render(template)


def report_ops(title: str, text: str, width: int = 42) -> list[Op]:
    """An X/Z report or other plain text as a print job."""
    ops: list[Op] = [{"op": "text", "text": title, "align": "center", "bold": True}]
    ops += [{"op": "text", "text": part} for line in text.splitlines()
            for part in fit_line(line, width)]
    ops.append({"op": "cut", "partial": True})
    return ops


def fit_line(line: str, width: int) -> list[str]:
    """A report line on the paper: what does not fit (the over/short or tax column of a
    48-character line on 42-column paper) continues right-aligned below, never cut off."""
    out: list[str] = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = width
        out.append(line[:cut].rstrip())
        line = line[cut:].strip().rjust(width)
    out.append(line)
    return out


def sample_sale(ctx: TillContext) -> CompletedSale:
    """A small made-up sale for previewing a template: two lines, a discount, cash."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from .sale import SaleLine, SalePayment, SaleTax

    rate = Decimal("0.19")
    lines = (
        SaleLine("sample-1", 1, "v1", "SAMPLE-1", "Sample coffee beans 1 kg", Decimal(2), 1299,
                 1299, 2598, 0, 260, 0, 2338, 373, 2338, "STD", rate),
        SaleLine("sample-2", 2, "v2", "SAMPLE-2", "Sample mug", Decimal(1), 850, 850, 850, 0, 0,
                 0, 850, 136, 850, "STD", rate),
    )
    total = 2338 + 850
    return CompletedSale(
        "sample", f"{ctx.store_code}-{ctx.till_code}-000123", 123, "sale", ctx.till_id, "shift",
        "cashier", None, ctx.currency, "inclusive", 3448, 260, 509, total, 0,
        datetime.now(UTC), lines, (SaleTax("STD", rate, total - 509, 509),),
        (SalePayment("p1", "cash", total, 5000, 5000 - total),))
