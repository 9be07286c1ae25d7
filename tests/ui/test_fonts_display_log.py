"""Issue 13: the window's own fonts (Ext-A and Ext-B names show, as in the PDFs); no display → a Chinese
message on how to use the command line (not an rc 134 abort); a rotating log file with no full ID number."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QRawFont
from PySide6.QtWidgets import QApplication

from app.ui import style

ROOT = Path(__file__).resolve().parents[2]


def test_window_loads_its_own_fonts_with_rare_characters(qtbot):
    app = QApplication.instance()
    style.load_fonts(app, background=False)
    style.apply_style(app)
    families = app.font().families()
    assert families[0] == "WenQuanYi Micro Hei"
    assert "HanaMinA" in families and "HanaMinB" in families
    assert "WenQuanYi Micro Hei" in QFontDatabase.families()
    assert "HanaMinC" in families  # the Extension C–F subset, renamed so that Qt uses both
    for ch, family in (("䶮", "HanaMinA"), ("\U0002020C", "HanaMinB"), ("\U0002B5AF", "HanaMinC")):  # Ext-A, B, C–F
        raw = QRawFont.fromFont(QFont(family))
        assert raw.supportsCharacter(ord(ch)), (ch, family)


def test_no_display_is_a_chinese_message_not_an_abort(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["CANBAO_UI_INI"] = str(tmp_path / "ui.ini")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    r = subprocess.run([sys.executable, "-m", "app.cli.main"], cwd=ROOT, env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "没有图形界面" in r.stderr and "canbao --help" in r.stderr
    assert "xcb" not in r.stderr


def test_display_problem_only_without_a_display():
    from app.ui.app import display_problem

    assert display_problem({}, "linux") != ""
    assert display_problem({"DISPLAY": ":0"}, "linux") == ""
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") == ""
    assert display_problem({}, "win32") == ""


def test_log_file_rotates_and_never_holds_a_full_id_number(tmp_path):
    from app import logs

    root = logging.getLogger()
    before = list(root.handlers), root.level, sys.excepthook
    try:
        path = logs.setup_logging(tmp_path)
        logging.getLogger("canbao.test").error("失败：%s 电话 %s", "220102197001010111", "13912345678")
        try:
            raise ValueError("身份证 22010219700101011X")
        except ValueError:
            logging.getLogger("canbao.test").exception("出错")
        for h in root.handlers:
            h.flush()
        text = path.read_text(encoding="utf-8")
        assert path == tmp_path / "logs" / "canbao.log"
        assert "139****5678" in text and "0111" in text and "011X" in text
        assert "220102197001010111" not in text and "13912345678" not in text and "22010219700101011X" not in text
        handler = next(h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler))
        assert handler.maxBytes == logs.MAX_BYTES and handler.backupCount == logs.BACKUPS
    finally:
        for h in list(root.handlers):
            if getattr(h, "_canbao", False):
                root.removeHandler(h)
                h.close()
        for h in before[0]:
            if h not in root.handlers:
                root.addHandler(h)
        root.setLevel(before[1])
        sys.excepthook = before[2]
