"""Turn a barcode scan into a catalog lookup key plus whatever the code itself carries.

All GS1 rules (check digits, per-country RCN layouts, element strings, AIM symbology
identifiers) come from ``biip``; this module only routes a scan to the right biip
parser and maps the result onto the store's money (integer minor units) and quantity
(3-decimal Decimal) types, so no float ever touches a price or a weight.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from biip import ParseConfig, ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.rcn import Rcn, RcnRegion
from biip.symbology import GS1Symbology, SymbologyIdentifier

from .errors import ValidationError
from .money import Currency, currency, parse_minor
from .quantity import parse_qty

__all__ = [
    "ParsedScan",
    "ScanKind",
    "gtin_check_digit",
    "is_valid_gtin",
    "normalize_barcode",
    "normalize_gtin",
    "parse_scan",
    "rcn_regions",
]

_GTIN_LENGTHS = frozenset({8, 12, 13, 14})
# ASCII only: str.isdigit()/isdecimal() also accept Arabic-Indic and other digits.
_DIGITS_RE = re.compile(r"[0-9]+")
_GS = "\x1d"  # FNC1 as sent by scanners between variable-length AIs
_ELEMENT_START_RE = re.compile(r"01[0-9]{14}")  # AI 01 + GTIN-14 opens most GS1-128 labels
_HRI_START_RE = re.compile(r"\([0-9]{2,4}\)")
# ]E3 sends main symbol + 2/5-digit add-on in one string; map length -> main length.
_ADDON_MAIN_LENGTH = {10: 8, 13: 8, 15: 13, 18: 13}
# ISO 4217 numeric -> alpha for AI 393n. Babel has no numeric codes and biip only maps
# them through the optional py-moneyed, so the currencies a till here can meet are listed.
_ISO_NUMERIC = {
    "036": "AUD",
    "124": "CAD",
    "203": "CZK",
    "208": "DKK",
    "348": "HUF",
    "352": "ISK",
    "392": "JPY",
    "578": "NOK",
    "752": "SEK",
    "756": "CHF",
    "826": "GBP",
    "840": "USD",
    "946": "RON",
    "978": "EUR",
    "985": "PLN",
}


class ScanKind(enum.StrEnum):
    """What a scan turned out to be; decides how the till treats price and quantity."""

    GTIN = "gtin"
    RCN_PRICE = "rcn_price"  # in-store label with the price embedded
    RCN_WEIGHT = "rcn_weight"  # in-store label with the net weight embedded
    RCN_OTHER = "rcn_other"  # company-internal RCN, or no usable measure (no region, count)
    GS1_ELEMENTS = "gs1_elements"  # GS1-128 / DataBar / DataMatrix / QR / Digital Link
    OTHER = "other"  # non-GTIN text: SKU, receipt number, internal Code 128


@dataclass(frozen=True, slots=True)
class ParsedScan:
    """One scan, reduced to the catalog key and the data printed into the code."""

    raw: str
    kind: ScanKind
    lookup_key: str
    gtin: str | None = None
    price_minor: int | None = None
    weight_kg: Decimal | None = None
    batch: str | None = None
    expiry: datetime.date | None = None
    serial: str | None = None


def _is_digits(text: str) -> bool:
    return _DIGITS_RE.fullmatch(text) is not None


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit (weights 3,1 from the right) for a GTIN without its last digit."""
    if not _is_digits(body):
        raise ValidationError("a check digit needs a body of digits, got {body!r}", body=body)
    return gs1_standard_check_digit(body)


def is_valid_gtin(code: str) -> bool:
    """True for exactly 8, 12, 13 or 14 ASCII digits whose check digit is right."""
    return (
        _is_digits(code)
        and len(code) in _GTIN_LENGTHS
        and gtin_check_digit(code[:-1]) == int(code[-1])
    )


def _parse_gtin(code: str, region: RcnRegion | None) -> Gtin:
    """Validate with our own message first, so a misread names the bad check digit."""
    if not _is_digits(code) or len(code) not in _GTIN_LENGTHS:
        raise ValidationError("{code!r} is not a GTIN: expected 8, 12, 13 or 14 digits", code=code)
    expected = gtin_check_digit(code[:-1])
    if expected != int(code[-1]):
        raise ValidationError("wrong check digit in GTIN {code!r}: expected {expected}, got {got} "
                              "(misread or mistyped code)", code=code, expected=expected,
                              got=code[-1])
    try:
        return Gtin.parse(code, config=ParseConfig(rcn_region=region))
    except ParseError as exc:  # the GTIN is fine; an RCN's price/weight check digit is not
        raise ValidationError("unusable GTIN {code!r}: {exc}", code=code, exc=exc) from exc


def normalize_gtin(code: str) -> str:
    """GTIN-14 form, so UPC-A, EAN-13 and ITF-14 spellings of one item share one key."""
    return _parse_gtin(code.strip(), None).as_gtin_14()


def normalize_barcode(code: str) -> str:
    """Canonical form for storing a catalog barcode so that scans find it.

    GTIN-length digit strings must be real GTINs (a typo would never match a scan);
    anything else (internal codes, Code 128 SKUs) is kept as typed, minus whitespace.
    """
    text = code.strip()
    if not text:
        raise ValidationError("barcode is empty")
    if _is_digits(text) and len(text) in _GTIN_LENGTHS:
        return normalize_gtin(text)
    if not text.isprintable():
        raise ValidationError("barcode {code!r} contains control characters", code=code)
    return text


def rcn_regions() -> list[str]:
    """Region names accepted for ``rcn_region`` (the RCN layouts biip knows)."""
    return [region.name.lower() for region in RcnRegion]


def _region(name: str | None) -> RcnRegion | None:
    if name is None or not name.strip():
        return None
    key = name.strip().lower()
    for region in RcnRegion:
        if key in (region.name.lower(), region.value):
            return region
    raise ValidationError("unknown RCN region {name!r}; valid regions: {regions}", name=name,
                          regions=", ".join(rcn_regions()))


def _split_symbology(text: str) -> tuple[GS1Symbology | None, str]:
    """Drop an AIM identifier (``]E0``, ``]C1``, ...) and say which GS1 symbology it named."""
    if not text.startswith("]"):
        return None, text
    try:
        identifier = SymbologyIdentifier.extract(text)
    except (ParseError, IndexError, ValueError):
        return None, text  # not an AIM prefix, just text that starts with "]"
    if len(identifier.value) < 3:
        return None, text
    return identifier.gs1_symbology, text[len(identifier) :].strip()


def _to_minor(amount: Decimal, cur: Currency) -> int:
    return parse_minor(format(amount, "f"), cur.code)


def _from_gtin(raw: str, gtin: Gtin, cur: Currency) -> ParsedScan:
    key = gtin.as_gtin_14()
    if not isinstance(gtin, Rcn):
        return ParsedScan(raw=raw, kind=ScanKind.GTIN, lookup_key=key, gtin=key)
    if gtin.weight is not None:
        return ParsedScan(
            raw=raw,
            kind=ScanKind.RCN_WEIGHT,
            lookup_key=gtin.without_variable_measure().as_gtin_14(),
            gtin=key,
            weight_kg=parse_qty(gtin.weight),
        )
    if gtin.price is not None:
        label_currency = gtin.region.get_currency_code() if gtin.region else None
        if label_currency is not None and label_currency != cur.code:
            raise ValidationError("price label {gtin!r} is in {label_currency}, the store sells in "
                                  "{store_currency}", gtin=gtin.value,
                                  label_currency=label_currency, store_currency=cur.code)
        return ParsedScan(
            raw=raw,
            kind=ScanKind.RCN_PRICE,
            lookup_key=gtin.without_variable_measure().as_gtin_14(),
            gtin=key,
            price_minor=_to_minor(gtin.price, cur),
        )
    # Company RCN, no region configured, or a measure we cannot carry (German count):
    # the full code is the only safe key; zeroing would drop the measure silently.
    return ParsedScan(raw=raw, kind=ScanKind.RCN_OTHER, lookup_key=key, gtin=key)


def _element_price(elements: GS1ElementStrings, cur: Currency) -> int | None:
    payable = elements.get(ai="392")
    if payable is not None and payable.decimal is not None:
        return _to_minor(payable.decimal, cur)
    with_currency = elements.get(ai="393")
    if with_currency is None or with_currency.decimal is None:
        return None
    numeric = with_currency.pattern_groups[0]
    code = _ISO_NUMERIC.get(numeric)
    if code is None:
        raise ValidationError("AI {ai}: unsupported currency number {numeric}",
                              ai=with_currency.ai.ai, numeric=numeric)
    if code != cur.code:
        raise ValidationError("AI {ai} price is in {currency}, the store sells in {store_currency}",
                              ai=with_currency.ai.ai, currency=code, store_currency=cur.code)
    return _to_minor(with_currency.decimal, cur)


def _from_elements(raw: str, elements: GS1ElementStrings, cur: Currency) -> ParsedScan:
    gtin_element = elements.get(ai="01")
    if gtin_element is None:
        raise ValidationError("GS1 code {raw!r} carries no GTIN (AI 01)", raw=raw.strip())
    key = normalize_gtin(gtin_element.value)
    weight = elements.get(ai="310")
    batch = elements.get(ai="10")
    expiry = elements.get(ai="17")
    serial = elements.get(ai="21")
    return ParsedScan(
        raw=raw,
        kind=ScanKind.GS1_ELEMENTS,
        lookup_key=key,
        gtin=key,
        price_minor=_element_price(elements, cur),
        weight_kg=parse_qty(weight.decimal) if weight and weight.decimal is not None else None,
        batch=batch.value if batch else None,
        expiry=expiry.date if expiry else None,
        serial=serial.value if serial else None,
    )


def _parse_elements(body: str) -> GS1ElementStrings:
    try:
        if body.startswith("("):
            return GS1Message.parse_hri(body).element_strings
        return GS1Message.parse(body).element_strings
    except ParseError as exc:
        raise ValidationError("unreadable GS1 code {body!r}: {exc}", body=body, exc=exc) from exc


def parse_scan(raw: str, *, currency_code: str, rcn_region: str | None = None) -> ParsedScan:
    """Classify one scan and extract its lookup key and embedded price, weight and dates.

    A GTIN-length digit string is a GTIN before anything else (``4006381333931`` is
    not AI 400), and a wrong check digit is an error rather than an OTHER, so a misread
    can never match a different catalog entry.
    """
    cur = currency(currency_code)
    region = _region(rcn_region)
    symbology, body = _split_symbology(raw.strip())
    if not body:
        raise ValidationError("empty scan")

    if body.lower().startswith(("http://", "https://")):
        try:
            link = GS1DigitalLinkURI.parse(body)
        except ParseError as exc:
            if symbology in GS1Symbology.with_gs1_digital_link_uri():
                raise ValidationError("unreadable GS1 Digital Link {body!r}: {exc}", body=body,
                                      exc=exc) from exc
            return ParsedScan(raw=raw, kind=ScanKind.OTHER, lookup_key=body)
        return _from_elements(raw, link.element_strings, cur)

    if (
        symbology in GS1Symbology.with_gs1_messages()
        or _GS in body
        or _ELEMENT_START_RE.match(body)
        or _HRI_START_RE.match(body)
    ):
        return _from_elements(raw, _parse_elements(body), cur)

    if symbology in GS1Symbology.with_gtin():  # EAN/UPC/ITF-14 can only carry a GTIN
        if symbology is GS1Symbology.EAN_13_WITH_ADD_ON and _is_digits(body):
            body = body[: _ADDON_MAIN_LENGTH.get(len(body), len(body))]
        return _from_gtin(raw, _parse_gtin(body, region), cur)

    if _is_digits(body) and len(body) in _GTIN_LENGTHS:
        return _from_gtin(raw, _parse_gtin(body, region), cur)

    return ParsedScan(raw=raw, kind=ScanKind.OTHER, lookup_key=body)
