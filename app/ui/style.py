"""Fonts and colours: the program's own Chinese fonts everywhere, and a large-font mode for older eyes.

The window loads the fonts the printouts use (``resources/fonts``, see ``app.paper.fonts``): 文泉驿微米黑 for
text, 花園明朝 A for CJK Extension A (䶮) and 花園明朝 B for Extensions B–F (𠈌). The application font lists
them in that order, so Qt falls back character by character exactly as the PDFs do, even on a computer
with no Chinese font at all. The two plane-2 fonts ship compressed: they are unpacked once, off the GUI
thread, into the data folder, and added when ready (a name with such a character shows right after).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ..domain.vocabulary import PayState

NORMAL_PT = 10
LARGE_PT = 14
_PREFERRED = ("WenQuanYi Micro Hei", "Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "SimSun")
_FALLBACKS: list[str] = []  # the rare-character families, in order, once loaded

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


def _add_font_file(path) -> list[str]:
    fid = QFontDatabase.addApplicationFont(str(path))
    return list(QFontDatabase.applicationFontFamilies(fid)) if fid >= 0 else []


def unpacked_font(name: str):
    """Where a compressed font is unpacked (the data folder, once per version of the file)."""
    from ..paths import data_dir

    return data_dir() / "fonts" / name.removesuffix(".xz")


def rename_family(font: bytes, old: str, new: str) -> bytes:
    """The same font with its family renamed in the ``name`` table (``old`` and ``new`` of equal length),
    the table's checksum and the font's checksum adjustment recomputed. Both HanaMinB subsets (Extension B;
    Extensions C–F) are called HanaMinB, and Qt would use only one of them: the second becomes HanaMinC."""
    import struct

    assert len(old) == len(new)
    data = bytearray(font)
    count = struct.unpack_from(">H", data, 4)[0]
    records = {}
    for i in range(count):
        tag, _sum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        records[tag] = (12 + 16 * i, offset, length)

    def checksum(chunk: bytes) -> int:
        chunk = chunk + b"\0" * (-len(chunk) % 4)
        return sum(struct.unpack(f">{len(chunk) // 4}I", chunk)) & 0xFFFFFFFF

    entry, offset, length = records[b"name"]
    table = bytes(data[offset:offset + length])
    for a, b in ((old.encode("utf-16-be"), new.encode("utf-16-be")), (old.encode("latin-1"), new.encode("latin-1"))):
        table = table.replace(a, b)
    data[offset:offset + length] = table
    struct.pack_into(">I", data, entry + 4, checksum(table))
    _entry, head, _length = records[b"head"]
    struct.pack_into(">I", data, head + 8, 0)
    struct.pack_into(">I", data, head + 8, (0xB1B0AFBA - checksum(bytes(data))) & 0xFFFFFFFF)
    return bytes(data)


def _unpack(src, dest) -> None:
    import lzma
    import os

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(f".part{os.getpid()}")
    data = lzma.decompress(src.read_bytes())
    if "ext-cf" in src.name:  # the second HanaMinB subset
        data = rename_family(data, "HanaMinB", "HanaMinC")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


def load_fonts(app: QApplication | None = None, background: bool = True) -> list[str]:
    """Add the shipped fonts to the application; returns the families added now. The compressed plane-2
    fonts are unpacked on a worker thread (``background``) or here, and added when ready."""
    from ..paper.fonts import FONT_FILES, fonts_dir

    added: list[str] = []
    pending = []
    for spec in FONT_FILES:
        src = fonts_dir() / spec.file
        if not src.is_file():
            continue
        if src.suffix != ".xz":
            added += _add_font_file(src)
            continue
        dest = unpacked_font(spec.file)
        if dest.is_file() and dest.stat().st_mtime >= src.stat().st_mtime:
            added += _add_font_file(dest)
        else:
            pending.append((src, dest))
    _note_fallbacks(added)
    if pending:
        if background and app is not None:
            from .tasks import run_task

            def work(progress, cancelled):
                for src, dest in pending:
                    _unpack(src, dest)
                return [dest for _, dest in pending]

            def done(paths):
                _note_fallbacks([f for p in paths for f in _add_font_file(p)])
                apply_style(app, is_large(app))

            run_task(None, "准备字体", work, done, on_error=lambda exc: None, show_progress=False)
        else:
            for src, dest in pending:
                _unpack(src, dest)
                added += _add_font_file(dest)
            _note_fallbacks(added)
    return added


def _note_fallbacks(families: list[str]) -> None:
    for f in families:
        if f not in _FALLBACKS and f != "WenQuanYi Micro Hei" and "Micro Hei" not in f:
            _FALLBACKS.append(f)


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
    font.setFamilies([chinese_family(), *_FALLBACKS])  # rare characters from the shipped fonts
    app.setFont(font)
    app.setStyleSheet(STYLESHEET % {"title": pt + 4, "big": pt + 6})
    app.setProperty("canbaoLargeFont", large)


def is_large(app: QApplication | None = None) -> bool:
    app = app or QApplication.instance()
    return bool(app and app.property("canbaoLargeFont"))
