"""Barcode parsing: real GS1 example codes and hand-built in-store (RCN) labels."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from biip.checksums import gs1_price_weight_check_digit
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.barcodes import (
    ParsedScan,
    ScanKind,
    gtin_check_digit,
    is_valid_gtin,
    normalize_barcode,
    normalize_gtin,
    parse_scan,
    rcn_regions,
)
from pos_app.domain.errors import ValidationError

GS = "\x1d"
NUTELLA = "4006381333931"  # EAN-13 (the Wikipedia EAN example); also parses as AI 400
UPC_A = "036000291452"
EAN_8 = "96385074"
GTIN_14 = "00012345600012"


def with_check(body: str) -> str:
    return body + str(gtin_check_digit(body))


def scan(raw: str, currency_code: str = "EUR", region: str | None = None) -> ParsedScan:
    return parse_scan(raw, currency_code=currency_code, rcn_region=region)


# --- check digits and normalisation -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "digit"),
    [("400638133393", 1), ("03600029145", 2), ("9638507", 4), ("0001234560001", 2)],
)
def test_check_digit_of_known_gtins(body: str, digit: int) -> None:
    assert gtin_check_digit(body) == digit


def test_check_digit_refuses_non_digits() -> None:
    with pytest.raises(ValidationError):
        gtin_check_digit("40063813339X")


@pytest.mark.parametrize("code", [NUTELLA, UPC_A, EAN_8, GTIN_14])
def test_known_gtins_are_valid(code: str) -> None:
    assert is_valid_gtin(code)


@pytest.mark.parametrize(
    "code",
    [
        "4006381333932",  # wrong check digit
        "036000291453",
        "96385075",
        "400638133393",  # 12 digits, wrong check digit for that length
        "40063813339311",  # 14 digits, wrong
        "1234567",  # wrong length
        "",
        "40063813339X1",
        "\u0664\u0660\u0660\u0666\u0663\u0668\u0661\u0663\u0663\u0663\u0669\u0663\u0661",
    ],
)
def test_invalid_gtins(code: str) -> None:
    assert not is_valid_gtin(code)


def test_upc_a_and_ean_13_normalize_to_the_same_key() -> None:
    assert normalize_gtin(UPC_A) == normalize_gtin("0" + UPC_A) == "00036000291452"
    assert normalize_gtin("00" + UPC_A) == "00036000291452"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (NUTELLA, "04006381333931"),
        (EAN_8, "00000096385074"),
        (GTIN_14, "00012345600012"),
        (" 4006381333931\n", "04006381333931"),
    ],
)
def test_normalize_gtin(code: str, expected: str) -> None:
    assert normalize_gtin(code) == expected


def test_normalize_gtin_names_the_bad_check_digit_and_code() -> None:
    with pytest.raises(ValidationError, match=r"check digit.*4006381333932"):
        normalize_gtin("4006381333932")


def test_normalize_gtin_rejects_non_gtin_text() -> None:
    with pytest.raises(ValidationError, match="not a GTIN"):
        normalize_gtin("ABC-123")


def test_normalize_barcode() -> None:
    assert normalize_barcode(f" {UPC_A} ") == "00036000291452"
    assert normalize_barcode("  SKU-00042 ") == "SKU-00042"
    assert normalize_barcode("12345") == "12345"  # not GTIN length: an internal code
    with pytest.raises(ValidationError, match="check digit"):
        normalize_barcode("4006381333932")
    with pytest.raises(ValidationError):
        normalize_barcode("   ")
    with pytest.raises(ValidationError):
        normalize_barcode("AB\x07C")


@given(
    # 13-digit bodies (GTIN-14) plus the GTIN-8/12/13 body lengths.
    body=st.sampled_from((13, 12, 11, 7)).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    ),
    bump=st.integers(min_value=1, max_value=9),
)
def test_property_computed_check_digit_normalizes_and_any_other_is_rejected(
    body: str, bump: int
) -> None:
    check = gtin_check_digit(body)
    good = f"{body}{check}"
    assert is_valid_gtin(good)
    assert normalize_gtin(good) == good.zfill(14)
    assert scan(good).lookup_key == good.zfill(14)

    bad = f"{body}{(check + bump) % 10}"
    assert not is_valid_gtin(bad)
    with pytest.raises(ValidationError, match="check digit"):
        normalize_gtin(bad)
    with pytest.raises(ValidationError, match="check digit"):
        scan(bad)


# --- plain scans ----------------------------------------------------------------------


def test_ean_13_is_a_gtin_not_ai_400() -> None:
    result = scan(NUTELLA)
    assert result.kind is ScanKind.GTIN
    assert result.lookup_key == result.gtin == "04006381333931"
    assert result.batch is None and result.price_minor is None


def test_upc_a_and_ean_13_scans_hit_the_same_key() -> None:
    assert scan(UPC_A).lookup_key == scan("0" + UPC_A).lookup_key == "00036000291452"


def test_misread_gtin_is_an_error_not_other() -> None:
    with pytest.raises(ValidationError, match=r"check digit.*4006381333932"):
        scan("4006381333932")


@pytest.mark.parametrize("raw", ["S1-T1-000042", "  S1-T1-000042\r\n"])
def test_receipt_number_is_other(raw: str) -> None:
    result = scan(raw)
    assert result.kind is ScanKind.OTHER
    assert result.lookup_key == "S1-T1-000042"
    assert result.gtin is None
    assert result.raw == raw


def test_short_digit_sku_is_other() -> None:
    assert scan("12345").kind is ScanKind.OTHER


def test_empty_scan_is_rejected() -> None:
    with pytest.raises(ValidationError):
        scan("  \n")


# --- AIM symbology identifiers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("]E0" + "0" + UPC_A, "00036000291452"),
        ("]E0" + NUTELLA, "04006381333931"),
        ("]E4" + EAN_8, "00000096385074"),
        ("]I1" + GTIN_14, "00012345600012"),
        ("]E3" + "9780201379624" + "52995", "09780201379624"),  # ISBN with price add-on
        ("]E3" + EAN_8 + "12", "00000096385074"),
    ],
)
def test_aim_prefix_is_stripped_for_gtins(raw: str, key: str) -> None:
    result = scan(raw)
    assert result.kind is ScanKind.GTIN
    assert result.lookup_key == key


def test_ean_symbology_must_carry_a_gtin() -> None:
    with pytest.raises(ValidationError):
        scan("]E0ABC")


def test_aim_prefix_on_plain_code_128_leaves_other() -> None:
    result = scan("]C0SKU-778")
    assert result.kind is ScanKind.OTHER
    assert result.lookup_key == "SKU-778"


def test_gs1_128_prefix_forces_element_parsing() -> None:
    # Same digits as NUTELLA, but ]C1 says GS1-128: AI 400, and no AI 01 to look up.
    with pytest.raises(ValidationError, match="AI 01"):
        scan("]C1" + NUTELLA)


# --- in-store labels (RCN) -------------------------------------------------------------


def swedish_weight(item: str, grams: int) -> str:
    """Sweden prefix 23: 6-digit item, 4-digit weight in grams, no measure check digit."""
    return with_check(f"23{item}{grams:04d}")


def german_weight(item: str, grams: int) -> str:
    """Germany prefix 28: 4-digit item, measure check digit, 5-digit weight in grams."""
    value = f"{grams:05d}"
    return with_check(f"28{item}{gs1_price_weight_check_digit(value)}{value}")


def test_swedish_weight_label() -> None:
    code = swedish_weight("064654", 1234)
    assert code == "2306465412340"
    result = scan(code, "SEK", "sweden")
    assert result.kind is ScanKind.RCN_WEIGHT
    assert result.weight_kg == Decimal("1.234")
    assert str(result.weight_kg) == "1.234"
    assert result.gtin == "02306465412340"
    assert result.lookup_key == "02306465400002"
    assert is_valid_gtin(result.lookup_key)
    assert result.price_minor is None


def test_weights_of_one_item_share_one_lookup_key() -> None:
    light = scan(swedish_weight("064654", 250), "SEK", "sweden")
    heavy = scan(swedish_weight("064654", 2015), "SEK", "sweden")
    other = scan(swedish_weight("064655", 250), "SEK", "sweden")
    assert light.gtin != heavy.gtin
    assert light.lookup_key == heavy.lookup_key
    assert other.lookup_key != light.lookup_key
    assert (light.weight_kg, heavy.weight_kg) == (Decimal("0.250"), Decimal("2.015"))
    # The zeroed key is itself a catalog-storable barcode.
    assert normalize_barcode(light.lookup_key) == light.lookup_key


def test_german_weight_label_and_misread_measure() -> None:
    code = german_weight("1234", 1234)
    result = scan(code, "EUR", "germany")
    assert result.kind is ScanKind.RCN_WEIGHT
    assert result.weight_kg == Decimal("1.234")
    assert result.lookup_key == scan(german_weight("1234", 880), "EUR", "germany").lookup_key
    # Corrupt the measure check digit and repair the GTIN check digit: still refused.
    payload = code[:-1]
    wrong = str((int(payload[6]) + 1) % 10)
    tampered = with_check(payload[:6] + wrong + payload[7:])
    with pytest.raises(ValidationError):
        scan(tampered, "EUR", "germany")


def test_swedish_price_label() -> None:
    code = with_check("200646540995")  # prefix 20: price with 2 decimals
    result = scan(code, "SEK", "sweden")
    assert result.kind is ScanKind.RCN_PRICE
    assert result.price_minor == 995
    assert result.weight_kg is None
    assert result.lookup_key == scan(with_check("200646541250"), "SEK", "sweden").lookup_key


def test_norwegian_whole_krone_price_label() -> None:
    result = scan(with_check("220646540125"), "NOK", "norway")  # prefix 22: whole kroner
    assert result.kind is ScanKind.RCN_PRICE
    assert result.price_minor == 12500


def test_british_price_label() -> None:
    value = "0599"
    code = with_check(f"2012345{gs1_price_weight_check_digit(value)}{value}")
    result = scan(code, "GBP", "great_britain")
    assert result.kind is ScanKind.RCN_PRICE
    assert result.price_minor == 599


def test_rcn_price_in_foreign_currency_is_rejected() -> None:
    with pytest.raises(ValidationError, match="SEK"):
        scan(with_check("200646540995"), "EUR", "sweden")


def test_rcn_without_region_is_rcn_other_with_full_key() -> None:
    code = swedish_weight("064654", 1234)
    result = scan(code, "SEK")
    assert result.kind is ScanKind.RCN_OTHER
    assert result.lookup_key == "0" + code
    assert result.weight_kg is None


@pytest.mark.parametrize("code", ["0412345678903", "412345678903", "02123455"])
def test_company_internal_rcn_is_rcn_other(code: str) -> None:
    result = scan(code, "SEK", "sweden")
    assert result.kind is ScanKind.RCN_OTHER
    assert result.lookup_key == code.zfill(14)


def test_german_count_label_keeps_full_code() -> None:
    value = "00012"
    code = with_check(f"251234{gs1_price_weight_check_digit(value)}{value}")
    result = scan(code, "EUR", "germany")
    assert result.kind is ScanKind.RCN_OTHER
    assert result.lookup_key == "0" + code


def test_regions() -> None:
    regions = rcn_regions()
    assert {"germany", "sweden", "norway", "great_britain", "finland", "denmark"} <= set(regions)
    assert scan(swedish_weight("064654", 1), "SEK", "SE").weight_kg == Decimal("0.001")
    with pytest.raises(ValidationError, match="sweden"):
        scan(NUTELLA, "EUR", "atlantis")


# --- GS1 element strings ------------------------------------------------------------


def test_gs1_128_with_batch_expiry_serial() -> None:
    raw = "]C1" + "01" + "0" + NUTELLA + "10" + "LOT42" + GS + "17" + "261231" + "21" + "SN-7"
    result = scan(raw)
    assert result.kind is ScanKind.GS1_ELEMENTS
    assert result.lookup_key == result.gtin == "04006381333931"
    assert result.batch == "LOT42"
    assert result.expiry == datetime.date(2026, 12, 31)
    assert result.serial == "SN-7"
    assert result.price_minor is None and result.weight_kg is None


def test_element_string_without_aim_prefix_is_detected() -> None:
    result = scan("010" + NUTELLA + "10" + "LOT42")
    assert result.kind is ScanKind.GS1_ELEMENTS
    assert result.batch == "LOT42"


def test_gs1_databar_with_net_weight() -> None:
    result = scan("]e0" + "010" + NUTELLA + "3103" + "001234")
    assert result.kind is ScanKind.GS1_ELEMENTS
    assert result.weight_kg == Decimal("1.234")
    assert result.lookup_key == "04006381333931"


def test_gs1_128_with_price() -> None:
    result = scan("]C1" + "010" + NUTELLA + "3922" + "001234")
    assert result.price_minor == 1234
    assert scan("]C1" + "010" + NUTELLA + "3920" + "1234", "JPY").price_minor == 1234
    with pytest.raises(ValidationError, match="decimals"):
        scan("]C1" + "010" + NUTELLA + "3922" + "001234", "JPY")


def test_gs1_price_with_iso_currency() -> None:
    raw = "010" + NUTELLA + "3932" + "978" + "00123"
    assert scan(raw, "EUR").price_minor == 123
    with pytest.raises(ValidationError, match="EUR"):
        scan(raw, "SEK")


def test_weight_with_more_than_gram_precision_is_rejected() -> None:
    with pytest.raises(ValidationError):
        scan("010" + NUTELLA + "3105" + "001234")


def test_human_readable_form() -> None:
    result = scan("(01)0" + NUTELLA + "(17)250200(10)A1")
    assert result.kind is ScanKind.GS1_ELEMENTS
    assert result.lookup_key == "04006381333931"
    assert result.expiry == datetime.date(2025, 2, 28)  # day 00 means end of month
    assert result.batch == "A1"


def test_gs1_datamatrix_with_group_separators() -> None:
    raw = "]d2" + "010" + NUTELLA + "21" + "ABC" + GS + "10" + "B7" + GS + "17" + "270115"
    result = scan(raw)
    assert (result.serial, result.batch, result.expiry) == ("ABC", "B7", datetime.date(2027, 1, 15))


def test_gs1_digital_link() -> None:
    result = scan("]Q3https://id.gs1.org/01/0" + NUTELLA + "/10/LOT9?17=261231")
    assert result.kind is ScanKind.GS1_ELEMENTS
    assert result.lookup_key == "04006381333931"
    assert (result.batch, result.expiry) == ("LOT9", datetime.date(2026, 12, 31))
    assert scan("https://example.com/menu").kind is ScanKind.OTHER


def test_element_string_needs_ai_01() -> None:
    with pytest.raises(ValidationError, match="AI 01"):
        scan("]C1" + "10" + "LOT42")


def test_element_string_with_bad_gtin_check_digit() -> None:
    with pytest.raises(ValidationError, match="check digit"):
        scan("]C1" + "01" + "04006381333932" + "10" + "LOT42")


def test_element_string_with_impossible_date() -> None:
    with pytest.raises(ValidationError):
        scan("]C1" + "010" + NUTELLA + "17" + "251340")
