"""AIM symbology identifiers (ISO/IEC 15424): ``]`` + code character + modifier.

A scanner configured to transmit them prefixes every read with e.g. ``]E0``.
Knowing the symbology lets the till tell a GS1-128 element string from a plain
Code 128 that happens to start with digits, so we strip the identifier from the
data but keep it as ``ScanData.symbology``. GS1 data keeps its GS (0x1D) field
separators: they end variable-length application identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..kinds import ScanData

GS = "\x1d"


@dataclass(frozen=True, slots=True)
class Symbology:
    aim: str
    name: str
    gs1: bool = False


# The identifiers a till meets; anything else is still stripped and kept as-is.
KNOWN: dict[str, Symbology] = {s.aim: s for s in (
    Symbology("]E0", "EAN-13/UPC-A/UPC-E"),
    Symbology("]E1", "EAN-13/UPC add-on only"),
    Symbology("]E2", "EAN-13/UPC add-on only"),
    Symbology("]E3", "EAN/UPC with add-on"),
    Symbology("]E4", "EAN-8"),
    Symbology("]C0", "Code 128"),
    Symbology("]C1", "GS1-128", gs1=True),
    Symbology("]C2", "Code 128 (AIM)"),
    Symbology("]e0", "GS1 DataBar", gs1=True),
    Symbology("]d1", "Data Matrix"),
    Symbology("]d2", "GS1 DataMatrix", gs1=True),
    Symbology("]Q1", "QR Code"),
    Symbology("]Q3", "GS1 QR Code", gs1=True),
    Symbology("]A0", "Code 39"),
    Symbology("]I0", "Interleaved 2 of 5"),
    Symbology("]I1", "Interleaved 2 of 5 (check digit)"),
    Symbology("]F0", "Codabar"),
    Symbology("]G0", "Code 93"),
    Symbology("]L2", "PDF417"),
    Symbology("]z0", "Aztec"),
)}


def split_aim(raw: str) -> tuple[str | None, str]:
    """(identifier, rest) if ``raw`` starts with one, else (None, raw)."""
    if len(raw) >= 3 and raw[0] == "]" and raw[1].isalpha() and raw[2].isalnum():
        return raw[:3], raw[3:]
    return None, raw


def symbology(aim: str | None) -> Symbology | None:
    if aim is None:
        return None
    return KNOWN.get(aim, Symbology(aim, f"AIM {aim}"))


def is_gs1(aim: str | None) -> bool:
    info = symbology(aim)
    return bool(info and info.gs1)


def decode(raw: str, *, aim: bool = True, source: str = "") -> ScanData:
    """A scanner's text as ScanData; with ``aim`` the identifier is stripped into
    ``symbology``. A GS1 symbol's leading FNC1, when a scanner transmits it as GS,
    is implied by the identifier and dropped; inner GS separators stay."""
    ident: str | None = None
    data = raw
    if aim:
        ident, data = split_aim(raw)
    if ident is not None and is_gs1(ident):
        data = data.lstrip(GS)
    return ScanData(data, ident, source)


def split_addon(scan: ScanData) -> tuple[str, str]:
    """For ``]E3``: (EAN/UPC main code, 2- or 5-digit add-on); otherwise (data, "")."""
    if scan.symbology == "]E3":
        for main in (13, 8):
            if len(scan.data) in (main + 2, main + 5):
                return scan.data[:main], scan.data[main:]
    return scan.data, ""
