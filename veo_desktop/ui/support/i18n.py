"""Choosing and installing the translation: English (the source strings) or Brazilian Portuguese.

`language` comes from Settings: "" follows the system locale, "en" forces English, "pt_BR" Portuguese. Any
Portuguese locale (pt_BR, pt_PT, pt) gets the Brazilian translation: it is the only one we ship.

Numbers and money are written the locale's way, as dates are (`number_text`, `money_text`): `4,096` and
`$0.80` in the US, `4.096` and `US$ 0,80` in Brazil.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from veo_desktop.core.money import micros_to_usd
from veo_desktop.paths import resources_dir

APP_CATALOGUE = "veo_desktop"
QT_CATALOGUES = ("qtbase", "qtmultimedia")


def resolve_language(language: str, system_locale: QLocale | None = None) -> str:
    """The translation to use: "pt_BR" or "en"."""
    if language in ("en", "pt_BR"):
        return language
    locale = system_locale or QLocale.system()
    for name in [locale.name(), *locale.uiLanguages()]:
        if name.replace("-", "_").lower().startswith("pt"):
            return "pt_BR"
    return "en"


def translations_dir() -> Path:
    return resources_dir() / "i18n"


def install_translator(app: QCoreApplication, language: str) -> QTranslator | None:
    """Install the app's translator (and Qt's own for its dialogs); returns it, or None for English.

    Keep the returned object alive (e.g. as an attribute of the app or window): a collected QTranslator is
    removed from the application.
    """
    if resolve_language(language) != "pt_BR":
        if language == "en":  # chosen in settings: dates and numbers in English too
            QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return None
    QLocale.setDefault(QLocale(QLocale.Language.Portuguese, QLocale.Country.Brazil))
    translator = QTranslator(app)
    if not translator.load(f"{APP_CATALOGUE}_pt_BR", str(translations_dir())):
        translator.deleteLater()
        return None
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue in QT_CATALOGUES:
        qt_translator = QTranslator(translator)  # owned by ours: lives and dies with it
        if qt_translator.load(f"{catalogue}_pt_BR", qt_dir):
            app.installTranslator(qt_translator)
    app.installTranslator(translator)
    return translator


def display_locale() -> QLocale:
    """The locale numbers and money are written in: the default one (set by `install_translator`, else the
    system's), or US English where there is none (the C locale of a bare process)."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def number_text(value: int) -> str:
    """`4,096` in English, `4.096` in Portuguese."""
    return display_locale().toString(value)


def cents(micros: int) -> int:
    """An amount rounded to the cent, for the queue's cost column and the day's spending (an Omni estimate is
    exact to the micro-dollar; the job detail keeps the exact figures). An amount under half a cent stays."""
    rounded = (abs(micros) + 5_000) // 10_000 * 10_000
    rounded = rounded if rounded or not micros else abs(micros)
    return -rounded if micros < 0 else rounded


def money_text(micros: int) -> str:
    """US dollars the way the locale writes money: `$0.80` in the US, `US$ 0,80` in Brazil, `0,80 US$` in
    Germany. Cents, unless the amount needs more precision (a price per second)."""
    locale = display_locale()
    amount = micros_to_usd(abs(micros))
    exponent = amount.normalize().as_tuple().exponent
    decimals = max(2, -exponent) if isinstance(exponent, int) else 2
    symbol = "$" if locale.territory() == QLocale.Country.UnitedStates else "US$"
    text = locale.toCurrencyString(float(amount), symbol, decimals)
    return locale.negativeSign() + text if micros < 0 else text
