"""Translation helpers: English source strings, French from resources/i18n/odl_geo_fr.qm (built at packaging)."""

from __future__ import annotations

from qgis.core import QgsSettings
from qgis.PyQt.QtCore import QCoreApplication, QLocale, QTranslator

from odl_geo.numbers import agree, count_text

from ..__about__ import DIR_PLUGIN_ROOT

__all__ = ["count_language", "counted", "install_translator", "language", "tr", "tr_noop"]

CONTEXT = "OdlGeo"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def tr_noop(text: str) -> str:
    """Marks a constant string for translation (extracted by scripts/plugin_i18n.py); translate it with tr() later."""
    return text


def language() -> str:
    """The language of the translation in effect ("en" without one), for texts the library gives in two languages.

    Asked of the translator itself rather than of the locale setting, so that reports and the rest of the
    interface always speak the same language.
    """
    # Translators: not a sentence: the code of the language of this translation (fr, de, ...)
    return tr("en") or "en"


def count_language() -> str:
    """The rule the interface's counts follow (``odl_geo.numbers``): French when it speaks French (« 0 objet »,
    « 2 objets », thousands grouped by a narrow no-break space), English otherwise ("0 features", "1,004")."""
    return "fr" if language() == "fr" else "en"


def counted(n: int, one: str, many: str, *args: object) -> str:
    """``one`` or ``many`` (both already translated, ``tr("{0} table published.")``: the sources stay literal for
    scripts/plugin_i18n.py) as the interface's language agrees them with ``n``, ``{0}`` the count written its way,
    ``{1}``… ``args``."""
    lang = count_language()
    return agree(n, one, many, lang).format(count_text(n, lang), *args)


def install_translator() -> QTranslator | None:
    """Load the .qm matching QGIS's locale (``locale/userLocale``), if packaged."""
    locale = str(QgsSettings().value("locale/userLocale", QLocale().name()) or "en")[:2]
    qm = DIR_PLUGIN_ROOT / "resources" / "i18n" / f"odl_geo_{locale}.qm"
    if not qm.exists():
        return None
    translator = QTranslator()
    if translator.load(str(qm)):
        QCoreApplication.installTranslator(translator)
        return translator
    return None
