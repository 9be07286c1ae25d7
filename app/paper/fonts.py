"""The fonts printouts use, and per-character fallback so that rare name characters never print as boxes.

The main font is 文泉驿微米黑 (WenQuanYi Micro Hei). Characters it lacks come from 花園明朝A (CJK
Extension A, e.g. 䶮) and 花園明朝B (Extension B, e.g. 𠈌; Extensions C–F, e.g. 𫖯), subsets shipped in
``resources/fonts/``. A character's font is the first whose cmap maps it; the compressed plane-2 fonts are
only unpacked when a text needs one of their characters. reportlab embeds only the glyphs a document uses.
"""

from __future__ import annotations

import io
import lzma
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from ..paths import resources_dir

MAIN = "CanbaoHei"


BMP = ((0x0000, 0xFFFF),)


@dataclass(frozen=True, slots=True)
class FontFile:
    name: str  # the name registered with reportlab
    file: str  # in resources/fonts/
    subfont: int = 0
    ranges: tuple[tuple[int, int], ...] = BMP  # code points it may have: others never load it
    # Two subsets of one font (HanaMinB) would both embed as "AAAAAA+HanaMinB" and PDF readers mix them
    # up (a character goes missing from the text): the second gets its own PostScript name.
    ps_name: str = ""


FONT_FILES: tuple[FontFile, ...] = (
    FontFile(MAIN, "wqy-microhei.ttc", 0),
    FontFile("CanbaoRareA", "hanamin-a-rare.ttf", 0),  # CJK Extension A and the ideographs Micro Hei lacks
    FontFile("CanbaoRareB", "hanamin-b-extb.ttf.xz", 0, ((0x20000, 0x2A6DF),)),  # Extension B
    FontFile("CanbaoRareC", "hanamin-b-ext-cf.ttf.xz", 0, ((0x2A700, 0x2FFFF),), "HanaMinB-ExtCF"),  # C–F
)


class FontMissing(RuntimeError):
    """A font file is not where the program expects it."""


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's ToUnicode CMap, but with UTF-16 surrogate pairs for characters beyond the BMP.

    reportlab writes ``<%04X>`` of the code point, which is not valid for U+2020C, so text extraction
    (copy-paste, search, pdftotext) would lose Extension B characters.
    """

    def utf16(cp: int) -> str:
        return chr(cp).encode("utf-16-be", "surrogatepass").hex().upper()

    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
        f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1), "endcodespacerange", "%d beginbfchar" % len(subset),
    ]
    lines += ["<%02X> <%s>" % (i, utf16(v)) for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # used by TTFont.addObjects when a PDF is saved

_lock = threading.Lock()
_loaded: dict[str, TTFont] = {}


def _load(spec: FontFile) -> TTFont:
    with _lock:
        font = _loaded.get(spec.name)
        if font is not None:
            return font
        path = fonts_dir() / spec.file
        if not path.is_file():
            raise FontMissing(f"缺少打印字体文件：{path}（请重新安装程序）")
        if path.suffix == ".xz":
            source = io.BytesIO(lzma.decompress(path.read_bytes()))
            font = TTFont(spec.name, source, subfontIndex=spec.subfont)
        else:
            font = TTFont(spec.name, str(path), subfontIndex=spec.subfont)
        if spec.ps_name:
            font.face.name = spec.ps_name.encode("ascii")
        pdfmetrics.registerFont(font)
        _loaded[spec.name] = font
        return font


class FontSet:
    """Chooses, for every character, the first font that has a glyph for it."""

    def __init__(self, files: tuple[FontFile, ...] = FONT_FILES):
        self.files = files
        self.main = files[0].name
        _load(files[0])
        self._choice: dict[str, str | None] = {}
        self._runs: dict[str, tuple[tuple[str, str], ...]] = {}
        self._advance: dict[str, float] = {}
        self._widths: dict[str, float] = {}

    def font_for(self, ch: str) -> str | None:
        """The font name for one character, or None when no font has it."""
        try:
            return self._choice[ch]
        except KeyError:
            pass
        cp = ord(ch)
        found = None
        if cp < 0x20 or ch in "\u3000\u00a0":
            found = self.main
        else:
            for spec in self.files:
                if not any(lo <= cp <= hi for lo, hi in spec.ranges):
                    continue
                if cp in _load(spec).face.charToGlyph:
                    found = spec.name
                    break
        self._choice[ch] = found
        return found

    def runs(self, text: str) -> tuple[tuple[str, str], ...]:
        """Split text into (font name, piece) runs; characters no font has go to the main font."""
        cached = self._runs.get(text)
        if cached is not None:
            return cached
        out: list[tuple[str, str]] = []
        for ch in text:
            font = self.font_for(ch) or self.main
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + ch)
            else:
                out.append((font, ch))
        result = tuple(out)
        if len(self._runs) < 50_000:
            self._runs[text] = result
        return result

    def advance(self, ch: str) -> float:
        """Width of one character at size 1 (reportlab applies no kerning to TrueType text)."""
        try:
            return self._advance[ch]
        except KeyError:
            w = pdfmetrics.stringWidth(ch, self.font_for(ch) or self.main, 1000) / 1000
            self._advance[ch] = w
            return w

    def width(self, text: str, size: float) -> float:
        unit = self._widths.get(text)
        if unit is None:
            adv = self.advance
            unit = sum(adv(ch) for ch in text)
            if len(self._widths) < 100_000:
                self._widths[text] = unit
        return unit * size

    def uncovered(self, text: str) -> list[str]:
        """Characters of text that no shipped font can draw (they would print as boxes)."""
        return [ch for ch in dict.fromkeys(text) if not ch.isspace() and self.font_for(ch) is None]

    def embedded_names(self) -> list[str]:
        return [spec.name for spec in self.files if spec.name in _loaded]


@lru_cache(maxsize=1)
def default_fonts() -> FontSet:
    return FontSet()
