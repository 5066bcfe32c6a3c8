"""The print job format: a JSON list of operations, device independent.

The till renders a receipt template into these ops once, stores them in its
durable print queue, and any printer driver turns them into its own bytes. The
same ops feed the on-screen preview, so what is shown is what prints.

    {"op": "text", "text": "...", "align": "left|center|right",
     "bold": false, "size": "normal|wide|tall|double", "underline": false}
    {"op": "feed", "lines": 1}
    {"op": "barcode", "data": "...", "symbology": "CODE128|EAN13|..."}
    {"op": "qr", "data": "...", "size": 6}
    {"op": "image", "png": "<base64>"}
    {"op": "cut", "partial": true}
"""

from __future__ import annotations

from typing import Any

OPS = {"text", "feed", "barcode", "qr", "image", "cut"}
ALIGNS = {"left", "center", "right"}
SIZES = {"normal", "wide", "tall", "double"}


def check_document(ops: list[dict[str, Any]]) -> None:
    """Refuse a malformed job before it reaches a printer (or the queue)."""
    if not isinstance(ops, list) or not ops:
        raise ValueError("a print job is a non-empty list of operations")
    for i, op in enumerate(ops):
        kind = op.get("op") if isinstance(op, dict) else None
        if kind not in OPS:
            raise ValueError(f"operation {i}: unknown op {kind!r}")
        if kind == "text":
            if not isinstance(op.get("text"), str):
                raise ValueError(f"operation {i}: text needs a string")
            if op.get("align", "left") not in ALIGNS or op.get("size", "normal") not in SIZES:
                raise ValueError(f"operation {i}: bad align or size")
        elif kind in ("barcode", "qr") and not op.get("data"):
            raise ValueError(f"operation {i}: {kind} needs data")
        elif kind == "image" and not op.get("png"):
            raise ValueError(f"operation {i}: image needs png")


def plain_text(ops: list[dict[str, Any]], columns: int = 42) -> str:
    """The job as text (for previews, logs and tests)."""
    out: list[str] = []
    for op in ops:
        kind = op["op"]
        if kind == "text":
            text = op["text"]
            align = op.get("align", "left")
            for line in text.split("\n"):
                if align == "center":
                    line = line.center(columns).rstrip()
                elif align == "right":
                    line = line.rjust(columns)
                out.append(line)
        elif kind == "feed":
            out.extend([""] * int(op.get("lines", 1)))
        elif kind in ("barcode", "qr"):
            out.append(f"[{kind} {op['data']}]".center(columns).rstrip())
        elif kind == "image":
            out.append("[image]".center(columns).rstrip())
        elif kind == "cut":
            out.append("-" * columns if not op.get("partial", True) else "- " * (columns // 2))
    return "\n".join(out) + "\n"


def test_page(columns: int = 42) -> list[dict[str, Any]]:
    """A test receipt that shows at a glance whether code page, sizes, barcode, QR and
    cutter work: the characters a European shop needs (€ £ ä é ñ ß …) must come out as
    printed here, not as ``?`` or wrong letters."""
    rule = "-" * columns
    return [
        {"op": "text", "text": "TEST PAGE", "align": "center", "size": "double", "bold": True},
        {"op": "text", "text": rule},
        {"op": "text", "text": "Currency: € 12,50  £ 9.99  $ 5.00"},
        {"op": "text", "text": "Accents: é è ê à ç ñ ü ö ä ß Å Ø"},
        {"op": "text", "text": "Normal size", "size": "normal"},
        {"op": "text", "text": "Bold", "bold": True},
        {"op": "text", "text": "Underlined", "underline": True},
        {"op": "text", "text": "Wide", "size": "wide"},
        {"op": "text", "text": "Tall", "size": "tall"},
        {"op": "text", "text": "Double", "size": "double"},
        {"op": "text", "text": "right aligned", "align": "right"},
        {"op": "text", "text": "1234567890" * (columns // 10) + "1234567890"[:columns % 10]},
        {"op": "barcode", "data": "4006381333931", "symbology": "EAN13"},
        {"op": "qr", "data": "https://example.com/receipt/TEST", "size": 6},
        {"op": "text", "text": rule},
        {"op": "feed", "lines": 1},
        {"op": "cut", "partial": True},
    ]
