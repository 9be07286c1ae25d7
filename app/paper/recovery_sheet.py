"""The recovery sheet of an encrypted ledger (issue 14): one A4 page with the ledger's recovery key, to be
printed when the ledger is made (or encrypted) and locked away. Typed where the ledger password is asked,
the recovery key opens the ledger and its backups; without the password or this sheet the ledger is lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..ledger.password import recovery_text
from .layout import Pen, new_canvas, write_atomically

ADVICE = (
    "忘记台账密码时：在要求输入台账密码的地方，输入下面的恢复密钥（空格可输可不输），即可打开台账和它的备份。",
    "拿到本页的人就能打开台账：请锁在柜子里，不要拍照，不要发到微信群或电脑里，不要和电脑放在一起。",
    "本页只对这一本台账（及它的备份、结转前的副本）有效；改用新台账时请重新打印。",
    "电脑丢失时：恢复密钥和密码都未泄露，台账中的身份证号、电话等信息别人读不出来；请向乡镇报告。",
)


def write_recovery_sheet(path: str | Path, keyspec: str, ledger_path: str | Path, township: str = "") -> Path:
    """Write the sheet as a PDF (whole or not at all)."""
    key = recovery_text(keyspec)
    groups = key.split(" ")
    lines = [" ".join(groups[i:i + 6]) for i in range(0, len(groups), 6)]

    def build(tmp: str) -> None:
        c = new_canvas(tmp, A4, "台账密码恢复单")
        pen = Pen(c)
        w, h = A4
        y = h - 28 * mm
        pen.text(w / 2, y, "参保台账 · 台账密码恢复单", 20, align="center", bold=True)
        y -= 9 * mm
        pen.text(w / 2, y, "机密 — 请锁好保管", 12, align="center", gray=0.35)
        y -= 16 * mm
        for label, value in (("台账文件", Path(ledger_path).name), ("乡镇", township or "—"),
                             ("打印日期", dt.date.today().isoformat())):
            pen.text(25 * mm, y, f"{label}：", 11)
            pen.text(50 * mm, y, value, 11)
            y -= 7 * mm
        y -= 8 * mm
        pen.text(25 * mm, y, "恢复密钥（96 位，分 4 行，每组 4 个字符）：", 12, bold=True)
        y -= 6 * mm
        box_h = len(lines) * 12 * mm + 8 * mm
        c.setLineWidth(1.2)
        c.rect(20 * mm, y - box_h, w - 40 * mm, box_h)
        y -= 12 * mm
        for line in lines:
            c.setFont("Courier-Bold", 17)
            c.drawCentredString(w / 2, y, line)
            y -= 12 * mm
        y -= 14 * mm
        for n, para in enumerate(ADVICE, 1):
            for i, row in enumerate(pen.wrap(para, w - 55 * mm, 11)):
                pen.text(25 * mm if i == 0 else 31 * mm, y, (f"{n}. " if i == 0 else "") + row, 11)
                y -= 6.5 * mm
            y -= 3 * mm
        y -= 10 * mm
        pen.text(25 * mm, y, "保管人签字：____________        保管地点：____________________", 11)
        c.showPage()
        c.save()

    return write_atomically(path, build)
