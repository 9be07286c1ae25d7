"""Fonts and colours: a Chinese font everywhere, and a large-font mode for older eyes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..domain.vocabulary import PayState

NORMAL_PT = 10
LARGE_PT = 14
_PREFERRED = ("Microsoft YaHei UI", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "SimSun")

BADGE_COLOURS = {  # background, text — category badges in the household view
    "assisted": ("#fde2e1", "#9b1c1c"),
    "other": ("#e0ecff", "#1e3a8a"),
}
STATUS_COLOURS = {PayState.PAID: "#15803d", PayState.UNPAID: "#b91c1c", PayState.NOT_REQUIRED: "#6b7280",
                  "部分退费": "#b45309"}

STYLESHEET = """
QLabel#pageTitle { font-size: %(title)dpt; font-weight: bold; }
QLabel#total { font-size: %(big)dpt; font-weight: bold; color: #9b1c1c; }
QLabel#warning { color: #9a3412; background: #fff7ed; border: 1px solid #fdba74; padding: 4px; }
QLabel#problem { color: #b91c1c; }
QLabel#ok { color: #15803d; }
QPushButton#primary { font-weight: bold; padding: 6px 18px; }
"""


_TRANSLATORS: list = []


def install_chinese_translations(app: QApplication) -> bool:
    """Qt's own dialogs (file, print, message boxes) in Chinese, from the translations PySide6 ships."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    if _TRANSLATORS:
        return True
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        t = QTranslator(app)
        if t.load(name, path):
            app.installTranslator(t)
            _TRANSLATORS.append(t)
    return bool(_TRANSLATORS)


def chinese_family() -> str:
    families = set(QFontDatabase.families())
    for name in _PREFERRED:
        if name in families:
            return name
    return QApplication.font().family()


def apply_style(app: QApplication, large: bool = False) -> None:
    """Set the application font (normal or large) and the shared style sheet; open widgets follow."""
    install_chinese_translations(app)
    pt = LARGE_PT if large else NORMAL_PT
    font = QFont(chinese_family(), pt)
    app.setFont(font)
    app.setStyleSheet(STYLESHEET % {"title": pt + 4, "big": pt + 6})
    app.setProperty("canbaoLargeFont", large)


def is_large(app: QApplication | None = None) -> bool:
    app = app or QApplication.instance()
    return bool(app and app.property("canbaoLargeFont"))
