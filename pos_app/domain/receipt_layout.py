"""Receipts from an editable template, as device-independent print operations.

The template (TOML, in ``resources/receipts``) says what goes where; this module
fills it from a completed sale for a given paper width. The result is the JSON
op list of ``drivers/printdoc.py``: stored in the print queue, printed by any
driver, and shown as the on-screen preview.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationError
from .money import format_plain
from .quantity import fmt_qty
from .sale import CompletedSale
from .store import TillContext

# The words a receipt prints besides the template's own text: a template's [labels]
# table replaces any of them (resources/receipts/de.toml prints German receipts).
LABELS = {
    "sale": "RECEIPT", "return": "REFUND", "exchange": "EXCHANGE",
    "subtotal": "Subtotal", "discounts": "Discounts", "total": "TOTAL",
    "cash_rounding": "Cash rounding", "to_pay": "To pay",
    "incl_tax": "incl. tax", "tax": "Tax", "tax_base": "on",
    "promo": "promo", "discount": "discount", "card_ref": "ref", "change": "Change",
    "cash": "Cash", "card": "Card", "store_credit": "Store credit", "loyalty": "Points",
    "points": "Points earned {earned}, redeemed {redeemed}",
    "merchant_copy": "MERCHANT COPY", "reprint": "COPY - REPRINT",
}
COPIES = {LABELS[k]: k for k in ("merchant_copy", "reprint")}  # ReceiptInfo.copy -> label
BLOCKS = {"text", "columns", "rule", "feed", "logo", "lines", "totals", "taxes", "tenders",
          "loyalty", "barcode", "qr", "cut"}
ONLY = {"sale", "return", "exchange", "copy"}
Op = dict[str, Any]


class TemplateError(ValidationError):
    """The receipt template cannot be used; the message names the block."""


@dataclass(frozen=True, slots=True)
class ReceiptTemplate:
    blocks: tuple[dict[str, Any], ...]
    labels: dict[str, str] = field(default_factory=lambda: dict(LABELS))
    decimal: str = "."  # [format] decimal: the decimal mark of amounts and quantities
    date: str = "%Y-%m-%d"  # [format] date: strftime pattern of {date}


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
    labels = data.get("labels", {})
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise TemplateError("[labels] takes text values, e.g. total = \"TOTAL\"")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise TemplateError("unknown label {label!r}; use one of {labels}", label=unknown[0],
                            labels=", ".join(LABELS))
    try:
        labels.get("points", LABELS["points"]).format(earned=0, redeemed=0)
    except (KeyError, IndexError, ValueError):
        raise TemplateError("the points label may only use the fields earned and redeemed"
                            ) from None
    fmt = data.get("format", {})
    decimal, date = fmt.get("decimal", "."), fmt.get("date", "%Y-%m-%d")
    if decimal not in (".", ","):
        raise TemplateError("[format] decimal is \".\" or \",\"")
    if not isinstance(date, str) or "%" not in date:
        raise TemplateError("[format] date is a strftime pattern such as %d.%m.%Y")
    return ReceiptTemplate(tuple(blocks), {**LABELS, **labels}, decimal, date)


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
                 width: int, template: ReceiptTemplate) -> None:
        self.sale, self.ctx, self.info, self.width = sale, ctx, info, width
        self.template, self.label = template, template.labels
        self.ops: list[Op] = []
        when = sale.completed_at.astimezone()
        self.fields = {
            "store_name": ctx.store_name, "header": info.header, "footer": info.footer,
            "title": self.label[sale.kind], "receipt_no": sale.receipt_no,
            "date": when.strftime(template.date), "time": when.strftime("%H:%M"),
            "cashier": info.cashier, "till": ctx.till_code,
            "copy": self.label.get(COPIES.get(info.copy or "", ""), info.copy or ""),
            "customer": info.customer,
        }

    def m(self, v: int) -> str:
        return format_plain(v, self.sale.currency).replace(".", self.template.decimal)

    def q(self, qty: Any) -> str:
        return fmt_qty(qty).replace(".", self.template.decimal)

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

    def render(self) -> list[Op]:
        kind = "copy" if self.info.copy else self.sale.kind
        for block in self.template.blocks:
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
                self.text(f"  {self.q(ln.qty)} x {self.m(ln.unit_price)}")
            discount = ln.promo_discount + ln.line_discount + ln.order_discount
            if discount:
                label = (f"  {self.label['promo']} " + ",".join(ln.promo_codes)
                         if ln.promo_discount else f"  {self.label['discount']}")
                self.row(label, f"-{self.m(discount)}")

    def _totals(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        s = self.sale
        lb = self.label
        self.row(lb["subtotal"], self.m(s.subtotal))
        if s.discount_total:
            self.row(lb["discounts"], f"-{self.m(s.discount_total)}")
        self.row(lb["total"], f"{self.m(s.total)} {s.currency}", bold=True,
                 size=block.get("size", "normal"))
        if s.rounding:
            self.row(lb["cash_rounding"], self.m(s.rounding))
            self.row(lb["to_pay"], self.m(s.amount_due))

    def _taxes(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        label = self.label["incl_tax" if self.sale.tax_mode == "inclusive" else "tax"]
        on = self.label["tax_base"]
        for t in self.sale.taxes:
            rate = f"{t.rate * 100:g}".replace(".", self.template.decimal)
            self.row(f"{label} {t.code} {rate}% {on} {self.m(t.base)}", self.m(t.tax))

    def _tenders(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        for p in self.sale.payments:
            name = self.label.get(p.tender, p.tender)
            self.row(name, self.m(p.tendered if p.tender == "cash" else p.amount))
            if p.tender == "card" and p.provider_ref:
                self.text(f"  {self.label['card_ref']} {p.provider_ref[-12:]}")
            if p.change:
                self.row(self.label["change"], self.m(p.change), bold=True)

    def _loyalty(self, block: dict[str, Any], style: dict[str, Any]) -> None:
        s = self.sale
        if s.loyalty_earned or s.loyalty_redeemed:
            self.text(self.label["points"].format(earned=s.loyalty_earned,
                                                  redeemed=s.loyalty_redeemed))

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
    return _Renderer(sale, ctx, info or ReceiptInfo(), width, template).render()


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
