"""Print-job ops (``drivers.printdoc``) to ESC/POS bytes.

We produce the bytes ourselves instead of calling python-escpos' ``text()`` /
``barcode()``: its automatic encoding picks surprising code pages, its barcode
call prints to stdout and does not check check digits. The capability profile
(code page table, paper width, cut support) still comes from python-escpos.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import IllegalState
from ..printdoc import check_document
from . import _lib

ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
ALIGN = {"left": 0, "center": 1, "right": 2}
SIZE = {"normal": 0x00, "wide": 0x10, "tall": 0x01, "double": 0x11}
# GS k m (function B) symbology numbers
BARCODES = {"UPCA": 65, "UPCE": 66, "EAN13": 67, "EAN8": 68, "CODE39": 69, "ITF": 70,
            "CODABAR": 71, "NW7": 71, "CODE93": 72, "CODE128": 73}
IMAGE_SLICE = 256  # rows per GS v 0 block; some printers choke on tall blocks


@dataclass(frozen=True, slots=True)
class CodePage:
    name: str  # as the profile names it, e.g. "CP858"
    number: int  # n in ESC t n for this profile
    encoding: str  # Python codec


@dataclass(frozen=True, slots=True)
class Layout:
    """What the renderer needs to know about the paper and the printer model."""

    code_page: CodePage
    columns: int = 42
    width_px: int = 512
    partial_cut: bool = True
    full_cut: bool = True


def get_profile(name: str) -> Any:
    caps = _lib.module("capabilities")
    if name not in caps.CAPABILITIES["profiles"]:
        known = ", ".join(sorted(caps.CAPABILITIES["profiles"]))
        raise IllegalState(f"unknown printer profile {name!r}; known: {known}")
    return caps.get_profile(name)


def code_page(profile: Any, name: str) -> CodePage:
    """The ``ESC t`` number of ``name`` in this profile's table (names compared loosely)."""
    caps = _lib.module("capabilities")
    wanted = _norm(name)
    for number, page in sorted(profile.codePages.items(), key=lambda kv: int(kv[0])):
        if _norm(page) == wanted:
            encoding = caps.CAPABILITIES["encodings"].get(page, {}).get("python_encode")
            encoding = encoding or page.lower().replace("_", "")
            try:
                "".encode(encoding)
            except LookupError:
                raise IllegalState(f"code page {page} has no Python codec") from None
            return CodePage(page, int(number), encoding)
    pages = ", ".join(sorted({p for p in profile.codePages.values() if p != "Unknown"}))
    raise IllegalState(f"profile {profile.profile_data.get('name')!r} has no code page "
                       f"{name!r}; it has: {pages}")


def _norm(name: str) -> str:
    return "".join(c for c in name.upper() if c.isalnum()).replace("PC", "CP")


def encode_text(text: str, page: CodePage) -> bytes:
    """Text in the selected page; what the page cannot show becomes ``?``.

    Control characters are replaced too, so a product name can never smuggle a
    printer command (or a drawer kick) into a receipt.
    """
    text = unicodedata.normalize("NFC", text).replace("\t", "    ")
    text = "".join("?" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text)
    return text.encode(page.encoding, errors="replace")


def _check_digit(body: str) -> int:
    """GS1 mod 10, weights 3,1 from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _upce_to_upca(code: str) -> str:
    """Expand an 8-digit UPC-E (without check digit: 7) to the 11-digit UPC-A body."""
    ns, d = code[0], code[1:7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return ns + body


def check_barcode(symbology: str, data: str) -> tuple[int, str]:
    """The GS k number and the data to send; refuses what would print a wrong code."""
    sym = "".join(c for c in symbology.upper() if c.isalnum())
    if sym not in BARCODES:
        raise IllegalState(f"barcode symbology {symbology!r} is not supported; use one of "
                           + ", ".join(sorted(BARCODES)))
    if not data.isascii() or not data.isprintable():
        raise IllegalState(f"barcode data {data!r} must be printable ASCII")
    lengths = {"EAN13": 13, "EAN8": 8, "UPCA": 12, "UPCE": 8}
    if sym in lengths:
        full = lengths[sym]
        if not data.isdigit() or len(data) not in (full - 1, full):
            raise IllegalState(f"{sym} needs {full - 1} or {full} digits, got {data!r}")
        if sym == "UPCE" and data[0] not in "01":
            raise IllegalState(f"UPC-E must start with number system 0 or 1, got {data!r}")
        body = _upce_to_upca(data[:7]) if sym == "UPCE" else data[:full - 1]
        digit = _check_digit(body)
        if len(data) == full and int(data[-1]) != digit:
            raise IllegalState(f"{sym} {data!r} has a wrong check digit (expected {digit}): "
                               "refusing to print a code that would scan as something else")
        data = data[:full - 1] + str(digit)
    elif sym == "ITF" and (not data.isdigit() or len(data) % 2):
        raise IllegalState(f"ITF needs an even number of digits, got {data!r}")
    elif sym == "CODE128" and not data.startswith("{"):
        data = "{B" + data.replace("{", "{{")
    if len(data) > 255:
        raise IllegalState("barcode data is longer than 255 bytes")
    return BARCODES[sym], data


def _qr(data: str, size: int) -> bytes:
    def fn(cn_fn: bytes, payload: bytes) -> bytes:
        n = len(payload) + 2
        return GS + b"(k" + bytes((n & 0xFF, n >> 8)) + cn_fn + payload

    payload = data.encode("utf-8")
    if len(payload) > 7089:
        raise IllegalState("QR data is too long")
    size = max(1, min(16, int(size)))
    return (fn(b"1A", b"2\x00")  # model 2
            + fn(b"1C", bytes((size,)))  # module size
            + fn(b"1E", b"1")  # error correction M
            + fn(b"1P", b"0" + payload)  # store
            + fn(b"1Q", b"0"))  # print


def _image(png_b64: str, width_px: int) -> bytes:
    from PIL import Image  # python-escpos depends on Pillow

    try:
        img: Image.Image = Image.open(io.BytesIO(base64.b64decode(png_b64, validate=True)))
        img.load()
    except Exception as exc:
        raise IllegalState(f"image is not a readable PNG: {exc}") from None
    if img.width > width_px:
        img = img.resize((width_px, max(1, img.height * width_px // img.width)))
    raster = _lib.module("image").EscposImage(img)
    width_bytes, height = raster.width_bytes, raster.height
    data = raster.to_raster_format()
    out = bytearray(ESC + b"a\x01")
    for top in range(0, height, IMAGE_SLICE):
        rows = min(IMAGE_SLICE, height - top)
        out += GS + b"v0\x00" + bytes((width_bytes & 0xFF, width_bytes >> 8,
                                        rows & 0xFF, rows >> 8))
        out += data[top * width_bytes:(top + rows) * width_bytes]
    return bytes(out)


def render(ops: list[dict[str, Any]], layout: Layout) -> bytes:
    """One complete job: reset, explicit code page, the ops. Raises before any I/O."""
    try:
        check_document(ops)
    except ValueError as exc:
        raise IllegalState(f"bad print job: {exc}") from None
    out = bytearray(INIT + ESC + b"t" + bytes((layout.code_page.number,)))
    for op in ops:
        kind = op["op"]
        if kind == "text":
            out += ESC + b"a" + bytes((ALIGN[op.get("align", "left")],))
            out += ESC + b"E" + (b"\x01" if op.get("bold") else b"\x00")
            out += ESC + b"-" + (b"\x01" if op.get("underline") else b"\x00")
            out += GS + b"!" + bytes((SIZE[op.get("size", "normal")],))
            for line in op["text"].split("\n"):
                out += encode_text(line, layout.code_page) + b"\n"
        elif kind == "feed":
            out += ESC + b"d" + bytes((max(0, min(255, int(op.get("lines", 1)))),))
        elif kind == "barcode":
            number, data = check_barcode(str(op.get("symbology", "CODE128")), str(op["data"]))
            height = max(1, min(255, int(op.get("height", 80))))
            out += ESC + b"a\x01" + GS + b"h" + bytes((height,))
            out += GS + b"w" + bytes((max(2, min(6, int(op.get("width", 2)))),))
            out += GS + b"H\x02" + GS + b"k" + bytes((number, len(data))) + data.encode("ascii")
        elif kind == "qr":
            out += ESC + b"a\x01" + _qr(str(op["data"]), int(op.get("size", 6)))
        elif kind == "image":
            out += _image(str(op["png"]), layout.width_px)
        elif kind == "cut":
            out += ESC + b"d\x04"  # feed the last line past the cutter
            partial = bool(op.get("partial", True))
            if partial and layout.partial_cut:
                out += GS + b"V\x01"
            elif layout.full_cut:
                out += GS + b"V\x00"
            elif layout.partial_cut:
                out += GS + b"V\x01"
    return bytes(out)


def drawer_kick(pin: int, on_ms: int, off_ms: int) -> bytes:
    """``ESC p m t1 t2``: pulse pin 2 or 5 for on_ms, then off_ms (2 ms units)."""
    if pin not in (2, 5):
        raise IllegalState(f"drawer pin must be 2 or 5, not {pin}")
    t1 = max(1, min(255, round(on_ms / 2)))
    t2 = max(t1, min(255, round(off_ms / 2)))  # Epson: t2 < t1 is treated as t1
    return ESC + b"p" + bytes((0 if pin == 2 else 1, t1, t2))
