"""Draws Canbao's icon (a blue tile with 保 and a tick) into canbao.png and a multi-size canbao.ico.

    QT_QPA_PLATFORM=offscreen .venv/bin/python resources/icons/make_icon.py

The text is drawn with the shipped WenQuanYi Micro Hei (resources/fonts), so the result does not depend on
the machine's fonts. Committed output: canbao.png (256 px), canbao.ico (16–256 px).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
FONT = HERE.parent / "fonts" / "wqy-microhei.ttc"


def draw(size: int, family: str) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    tile = QPainterPath()
    m = size * 0.04
    tile.addRoundedRect(QRectF(m, m, size - 2 * m, size - 2 * m), size * 0.18, size * 0.18)
    p.fillPath(tile, QColor("#1f5fbf"))
    font = QFont(family)
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, -size * 0.04, size, size), Qt.AlignmentFlag.AlignCenter, "保")
    if size >= 32:  # a small green tick: paid
        pen = QPen(QColor("#7ee081"), size * 0.07)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        s = size
        p.drawPolyline([QRectF(s * 0.62, s * 0.74, 0, 0).topLeft(), QRectF(s * 0.70, s * 0.82, 0, 0).topLeft(),
                        QRectF(s * 0.86, s * 0.64, 0, 0).topLeft()])
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())


def ico(pngs: list[bytes], sizes: tuple[int, ...]) -> bytes:
    """An ICO file holding PNG images (read by Windows Vista and later). Qt's writer keeps only one size."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for png, size in zip(pngs, sizes):
        edge = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # fonts need an application
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    draw(256, family).save(str(HERE / "canbao.png"))
    (HERE / "canbao.ico").write_bytes(ico([png_bytes(draw(size, family)) for size in (256, 48, 32, 16)],
                                          (256, 48, 32, 16)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
