"""The German translation stays complete: the committed catalog against what Qt's own
tools make of the code (lupdate, lrelease), every message translated with its
placeholders, every tr() call in a form lupdate files under the context the till looks
it up in, and the real till in German on a de_DE store.

Real files and the real tools (PySide6's pyside6-lupdate and pyside6-lrelease), no
mocks. When (a) fails: ``python packaging/i18n.py update``, translate what is new in
resources/translations/pos_de.ts, then ``python packaging/i18n.py release``.

The refusals the services raise (``PosError`` templates, context ``Refusal``) are held
to the same: (f) each one raised is in the catalog, translated, with the same ``{…}``
placeholders, and a refusal the cashier triggers reads German on a German till while
``str(exc)`` stays the English the CLI and the logs show.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTabBar, QWidget

from pos_app.demo import COFFEE_GTIN
from pos_app.domain.errors import NotFound, PosError, ValidationError
from pos_app.ui.i18n import REFUSAL, Fmt, refusal_text

from .uikit import Till, build_template, till

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "pos_app" / "ui"
_spec = importlib.util.spec_from_file_location("pos_i18n_tool", ROOT / "packaging" / "i18n.py")
assert _spec is not None and _spec.loader is not None
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

TS = tool.ts_file("de")
QM = tool.TRANSLATIONS / "pos_de.qm"
PLACEHOLDER = re.compile(r"%(?:[1-9]|n)")


def catalog(ts: Path) -> dict[tuple[str, str, str], ET.Element]:
    """(context, source, disambiguation) -> the message element."""
    out = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for m in context.iter("message"):
            out[(name, m.findtext("source") or "", m.findtext("comment") or "")] = m
    return out


def translations(m: ET.Element) -> list[str]:
    """The translation, or each plural form of it."""
    tr = m.find("translation")
    if tr is None:
        return []
    forms = tr.findall("numerusform")
    return [f.text or "" for f in forms] if forms else [tr.text or ""]


def german() -> dict[str, str]:
    """English source -> German, for the sources translated to something else."""
    out = {}
    for (_c, source, _d), m in catalog(TS).items():
        texts = translations(m)
        if len(texts) == 1 and texts[0] != source:
            out[source] = texts[0]
    return out


# ----- (a) the catalog holds exactly the strings in the code -----------------------------
def test_the_catalog_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    fresh = tool.update(tmp_path / "pos_de.ts")
    want, have = set(catalog(fresh)), set(catalog(TS))
    assert not want - have, (
        f"strings in the code missing from {TS.name} (run packaging/i18n.py update and "
        f"translate them): {sorted(want - have)}")
    assert not have - want, f"strings in {TS.name} no longer in the code: {sorted(have - want)}"


# ----- (b) every message translated, placeholders kept ----------------------------------
def test_every_message_has_a_finished_translation_with_the_same_placeholders() -> None:
    messages = catalog(TS)
    assert len(messages) > 500
    problems = []
    for (context, source, _d), m in messages.items():
        tr = m.find("translation")
        texts = translations(m)
        if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished"):
            problems.append(f"{context}: {source!r} is not finished")
            continue
        if m.get("numerus") == "yes" and len(texts) != 2:  # German: singular and plural
            problems.append(f"{context}: {source!r} needs 2 plural forms, has {len(texts)}")
        for text in texts:
            if not text.strip():
                problems.append(f"{context}: {source!r} has an empty translation")
            elif set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"{context}: {source!r} -> {text!r}: placeholders differ")
            elif source.count("`") != text.count("`") or source.startswith(" ") != \
                    text.startswith(" "):
                problems.append(f"{context}: {source!r} -> {text!r}: markup or spacing differs")
    assert not problems, "\n".join(problems)


# ----- (c) the .qm is built from the .ts -------------------------------------------------
def test_the_committed_qm_is_what_lrelease_builds_from_the_committed_ts(tmp_path: Path) -> None:
    built = tool.release("de", out=tmp_path / "pos_de.qm")
    assert built.read_bytes() == QM.read_bytes(), (
        f"{QM.name} is stale: run packaging/i18n.py release")


# ----- (d) tr() calls lupdate files under the context the till looks up -----------------
def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    """Every call with the name of the class it is written in ('' outside classes)."""
    def visit(node: ast.AST, cls: str) -> Iterator[tuple[ast.Call, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call):
                yield child, cls
            yield from visit(child, child.name if isinstance(child, ast.ClassDef) else cls)

    yield from visit(tree, "")


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def test_every_tr_call_is_self_tr_and_lupdate_files_it_under_its_class() -> None:
    problems, expected = [], set()
    for path in tool.sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for call, cls in _calls(tree):
            f = call.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            texts = [_text(a) for a in call.args] + [None, None, None]
            if name == "tr":
                if not (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                        and f.value.id == "self" and cls):
                    problems.append(f"{where}:{call.lineno}: {ast.unparse(f)}(...): use "
                                    "self.tr() in the class, or QCoreApplication.translate"
                                    "('Class', ...) where there is no self")
                elif (source := texts[0]) is not None:
                    expected.add((cls, source, texts[1] or ""))
            elif name in ("translate", "QT_TRANSLATE_NOOP") and (context := texts[0]) \
                    is not None and (source := texts[1]) is not None:
                expected.add((context, source, texts[2] or ""))
        for node in ast.walk(tree):  # page titles go through self.tr(self.title)
            if isinstance(node, ast.ClassDef):
                for st in node.body:
                    if isinstance(st, ast.Assign) and any(
                            getattr(t, "id", "") == "title" for t in st.targets) \
                            and _text(st.value):
                        problems.append(f"{where}:{st.lineno}: title of {node.name}: mark it "
                                        f'QT_TRANSLATE_NOOP("{node.name}", ...)')
    assert not problems, "\n".join(problems)
    # lupdate's context for each string is the class PySide's tr() looks in first (it
    # loses the class after some constructs, and skips tr() inside f-strings)
    seen = set(catalog(TS))
    assert not expected - seen, (
        "lupdate files these elsewhere (or not at all): "
        f"{sorted(expected - seen)}; found instead: {sorted(seen - expected)}")


# ----- (e) the real till in German ------------------------------------------------------
@pytest.fixture(scope="module")
def german_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pos_app.app import open_app

    path = build_template(tmp_path_factory.mktemp("ui-de") / "store")
    app = open_app(path, terminal=None)
    try:
        app.settings.set(app.auth.login("admin", "9999"), "locale", "de_DE")
    finally:
        app.close()
    return path


@pytest.fixture
def t(qapp: QApplication, qtbot: Any, german_template: Path, tmp_path: Path) -> Any:
    default_locale = QLocale()
    before = set(qapp.findChildren(QTranslator))
    try:
        with till(qtbot, german_template, tmp_path) as running:
            yield running
    finally:  # English again for the other tests
        for translator in set(qapp.findChildren(QTranslator)) - before:
            qapp.removeTranslator(translator)
            translator.setParent(None)
        QLocale.setDefault(default_locale)


def visible_texts(window: QWidget) -> list[tuple[str, str]]:
    """(object name, text) of every label, button and tab a person can see now."""
    out = []
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, (QLabel, QAbstractButton)) and w.text():
            out.append((w.objectName() or type(w).__name__, w.text()))
        elif isinstance(w, QTabBar):
            out += [(f"tab {i}", w.tabText(i)) for i in range(w.count())]
    return out


def english_left(t: Till, texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Texts that are an English source string with a different German translation;
    names of people and products are data, not the till's words."""
    data = {"Cashier", "Supervisor", "Manager", "Admin"}  # the demo users' names
    words = german()
    return [(name, text) for name, text in texts
            if text in words and text not in data and not name.startswith("user_")]


def test_the_till_speaks_german_on_a_de_DE_store(t: Till) -> None:
    money = Fmt("de_DE", "EUR").money
    assert money(1299) == "12,99\xa0€"
    w = t.window
    lock = visible_texts(w)
    assert ("who", "PIN") in lock
    texts = [text for _n, text in lock]
    assert "Wer sind Sie?" in texts
    assert "Entsperren" in texts
    assert "Kasse T1 ist gesperrt. Tippen Sie auf Ihren Namen und geben Sie Ihre PIN ein." \
        in texts
    assert not english_left(t, lock), english_left(t, lock)

    t.login("cashier", "1111")
    assert t.find("pay").text() == "Bezahlen"
    t.scan(COFFEE_GTIN)
    t.wait(lambda: t.find("pay").text() == "Bezahlen 12,99\xa0€")
    sale = visible_texts(w)
    texts = [text for _n, text in sale]
    assert t.find("total").text() == "12,99\xa0€"
    assert "SUMME" in texts
    assert "1 Artikel" in texts
    for word in ("Bonrabatt", "Parken", "Fortsetzen", "Rückgabe", "Mehr"):
        assert word in texts, word
    assert "Favoriten" in texts
    seven = Fmt("de_DE", "EUR").percent(Decimal("0.07"))
    assert f"inkl. MwSt. {seven} auf 12,14\xa0€: 0,85\xa0€" in texts
    menu = [a.text() for a in w.sale.more_menu.actions()]
    assert "Schicht schließen (Z-Bon)" in menu and "X-Bericht" in menu
    assert not english_left(t, sale + [("menu", m) for m in menu]), english_left(t, sale)

    t.click("pay")
    t.wait(lambda: t.screen() == "pay_screen")
    t.wait(lambda: w.pay.findChild(QAbstractButton, "exact_cash") is not None)
    pay = visible_texts(w)
    texts = [text for _n, text in pay]
    for word in ("Zu zahlen", "Bar", "Karte", "Guthaben", "Punkte", "Zurück zum Verkauf",
                 "Verkauf stornieren", "Passend 12,99\xa0€", "12,99\xa0€"):
        assert word in texts, (word, texts)
    assert "Summe 12,99\xa0€ · bezahlt 0,00\xa0€" in texts
    assert not english_left(t, pay), english_left(t, pay)


# ----- (f) the services' refusals -------------------------------------------------------
FIELD = re.compile(r"\{+[^{}]*\}+")  # {sku}, {code!r}, {{base}}: kept exactly as written
# first arguments of a PosError that are not templates: a lower layer's own text (a sync
# ConfigError, a driver's DeviceError), the row list of an ImportRejected, UI text that
# went through tr() already, and errors.py passing its template on
NOT_TEMPLATES = {
    "str(exc)", "reader.errors.sorted()", "[RowError(first_row, 'product', str(exc))]",
    "self.tr('Enter an amount.')", "QCoreApplication.translate('BackOffice', 'Enter a quantity.')",
    "template.format(**params) if params else template", "template"}


def test_every_refusal_is_raised_with_a_literal_template() -> None:
    problems = []
    for path, call, arg in tool.refusal_calls():
        if tool.literal_templates(arg) is None and ast.unparse(arg) not in NOT_TEMPLATES:
            problems.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(arg)} "
                            '(write Error("{name} ...", name=...), not an f-string)')
    assert not problems, "\n".join(problems)
    templates = tool.refusals()
    assert len(templates) > 200
    for known in ("no item with barcode or SKU {code!r}", "{sku}: order a positive quantity",
                  "catalog file rejected: {n} errors, nothing imported",  # from super().__init__
                  "block {i}: {kind} needs text", "block {i}: {kind} needs data",  # if/else
                  "log in first"):  # raised in the UI itself
        assert known in templates, known


def test_every_refusal_template_is_in_the_catalog_translated_with_its_placeholders() -> None:
    messages = catalog(TS)
    problems = []
    for template in tool.refusals():
        m = messages.get((REFUSAL, template, ""))
        if m is None:
            problems.append(f"{template!r} is not in {TS.name} (run packaging/i18n.py update)")
            continue
        tr = m.find("translation")
        texts = translations(m)
        if tr is None or tr.get("type") in ("unfinished", "obsolete", "vanished") or \
                not texts or not texts[0].strip():
            problems.append(f"{template!r} is not translated")
        elif sorted(FIELD.findall(texts[0])) != sorted(FIELD.findall(template)):
            problems.append(f"{template!r} -> {texts[0]!r}: placeholders differ")
        elif "{" in template and texts[0] == template:
            problems.append(f"{template!r} is left in English")
    assert not problems, "\n".join(problems)
    unused = {source for (context, source, _d) in messages if context == REFUSAL} \
        - set(tool.refusals())
    assert not unused, f"{REFUSAL} templates no longer raised anywhere: {sorted(unused)}"


def test_a_refusal_keeps_its_english_text_and_its_template() -> None:
    exc = ValidationError("{sku}: order a positive quantity", sku="COF-1KG")
    assert str(exc) == "COF-1KG: order a positive quantity"
    assert (exc.template, dict(exc.params)) == ("{sku}: order a positive quantity",
                                                {"sku": "COF-1KG"})
    assert str(NotFound("no sale with receipt number {receipt_no!r}", receipt_no="T1-7")) \
        == "no sale with receipt number 'T1-7'"
    plain = PosError("nothing to park")
    assert (str(plain), plain.template, dict(plain.params)) == ("nothing to park",
                                                                "nothing to park", {})
    # without a translator (English) the screen says exactly str(exc)
    assert refusal_text(exc) == str(exc)
    assert refusal_text(ValueError("not a refusal")) == "not a refusal"


UNKNOWN_GTIN = "5901234123457"  # a valid EAN-13 the demo store does not sell


def test_a_refusal_reaches_the_german_cashier_in_german(t: Till) -> None:
    t.login("cashier", "1111")
    toast = t.window.toast
    assert toast is not None
    t.hw.scanner.scan(UNKNOWN_GTIN, aim="]E0")  # a refused scan leaves the cart as it is
    german_text = f"Kein Artikel mit Barcode oder Art.-Nr. '{UNKNOWN_GTIN}'"
    t.wait(lambda: toast.text.isVisible() and toast.text.text() == german_text)
    # a domain refusal with several parameters: the scanner misread the check digit
    t.hw.scanner.scan(UNKNOWN_GTIN[:-1] + "2", aim="]E0")
    t.wait(lambda: toast.text.text() == (
        f"Falsche Prüfziffer in GTIN '{UNKNOWN_GTIN[:-1]}2': erwartet 7, gelesen 2 "
        "(Code falsch gelesen oder vertippt)"))
    assert t.lines() == []
    # the same refusal still reads English for the CLI and the log
    with pytest.raises(NotFound) as raised:
        t.app.checkout.lookup(UNKNOWN_GTIN)
    assert str(raised.value) == f"no item with barcode or SKU '{UNKNOWN_GTIN}'"
    assert refusal_text(raised.value) == german_text
    # a refusal given as the reason of another is translated too
    nested = ValidationError("unusable GTIN {code!r}: {exc}", code="1", exc=raised.value)
    assert refusal_text(nested) == f"Unbrauchbare GTIN '1': {german_text}"
    assert str(nested) == f"unusable GTIN '1': no item with barcode or SKU '{UNKNOWN_GTIN}'"
