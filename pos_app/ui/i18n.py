"""Translations and locale formatting for the Qt screens.

Every visible string goes through ``tr()``; the compiled catalogs live in
``resources/translations/pos_<lang>.qm``. Money, numbers and dates are formatted
by the store's locale with Babel (CLDR), the same data the receipts use, so the
screen and the paper agree.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..domain.money import to_decimal

log = logging.getLogger(__name__)
LANGUAGES = {"en": "English", "de": "Deutsch"}


def translations_dir() -> Path:
    return Path(str(files("resources").joinpath("translations")))


def install_translator(app: QCoreApplication, locale_name: str) -> QTranslator | None:
    """Load ``pos_<language>.qm`` for the locale; English needs none."""
    language = locale_name.split("_")[0].lower()
    if language == "en":
        return None
    translator = QTranslator(app)
    if not translator.load(f"pos_{language}", str(translations_dir())):
        log.warning("no translation for %s; the screens stay in English", locale_name)
        return None
    app.installTranslator(translator)
    qt_own = QTranslator(app)  # Qt's own words: dialog buttons, the wizard's Back/Next
    if qt_own.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath
                                                           .TranslationsPath)):
        app.installTranslator(qt_own)
    QLocale.setDefault(QLocale(locale_name))
    return translator


class Fmt:
    """Money, quantities and dates for people, in the store's locale."""

    def __init__(self, locale_name: str, currency: str) -> None:
        try:
            Locale.parse(locale_name)
        except (UnknownLocaleError, ValueError):
            log.warning("unknown locale %r; using en_US", locale_name)
            locale_name = "en_US"
        self.locale = locale_name
        self.currency = currency

    def money(self, minor: int) -> str:
        return format_currency(to_decimal(minor, self.currency), self.currency,
                               locale=self.locale)

    def amount(self, minor: int) -> str:
        """Without the currency sign (columns headed by the currency)."""
        return format_currency(to_decimal(minor, self.currency), self.currency,
                               format="#,##0.00", locale=self.locale, currency_digits=True)

    @property
    def symbol(self) -> str:
        return str(get_currency_symbol(self.currency, locale=self.locale))

    def qty(self, qty: Decimal) -> str:
        return format_decimal(qty.normalize(), locale=self.locale)

    def percent(self, rate: Decimal) -> str:
        """``rate`` is a fraction: 0.19 -> "19%" (en), "19 %" (de); 0.075 -> "7.5%"."""
        return format_percent(rate, locale=self.locale, decimal_quantization=False)

    def date(self, when: datetime) -> str:
        return format_date(when.astimezone(), format="medium", locale=self.locale)

    def time(self, when: datetime) -> str:
        return format_time(when.astimezone(), format="short", locale=self.locale)

    def datetime(self, when: datetime) -> str:
        return format_datetime(when.astimezone(), format="short", locale=self.locale)


REFUSAL = "Refusal"  # the catalog context of every service refusal's template


def refusal_text(exc: BaseException) -> str:
    """What the screen says for ``exc``: a service refusal (``PosError``) in the store's
    language, its template looked up under ``Refusal`` and filled with its parameters
    (a parameter that is itself a refusal is translated too); anything else as it reads.

    ``packaging/i18n.py update`` puts every template the services raise in the catalog.
    """
    from ..domain.errors import PosError

    if not isinstance(exc, PosError):
        return str(exc)
    text = QCoreApplication.translate(REFUSAL, exc.template)
    if not exc.params:
        return text
    params = {k: refusal_text(v) if isinstance(v, PosError) else v
              for k, v in exc.params.items()}
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
        log.warning("translation of %r does not fit its parameters", exc.template)
        return str(exc)
