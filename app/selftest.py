"""Self-test of an installed Canbao (``canbao selftest``): is everything the program needs really there?

Run on a staff laptop after installing, and by the bundle test on every build. It works in a temporary
folder and never touches the user's ledger: it opens a new ledger, loads every policy, quotes under each,
records a payment, writes one PDF and one workbook and reads both back, and checks the Qt modules the
window and print preview use. No step needs the network; ``guard_network()`` makes any attempt an error.

Each step uses the service of the program if that part is present (ledger, printing, Excel exchange) and
otherwise checks the library underneath it directly, saying so in its line of the report.
``gui_smoke()`` opens the main window and quits once it is shown (``canbao selftest --gui``, and the
windowed program with ``CANBAO_SMOKE_EXIT=1``).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

from . import __version__
from .paths import data_dir, install_root, policies_dir, resources_dir

ADULT_BIRTH = dt.date(1980, 5, 1)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(slots=True)
class Step:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


@dataclass(slots=True)
class Context:
    """What the steps hand on to each other."""

    work: Path
    policies: dict = field(default_factory=dict)
    ledger_path: Path | None = None
    member_id: int | None = None
    pdf: Path | None = None
    workbook: Path | None = None


def _missing(exc: ModuleNotFoundError, package: str) -> bool:
    """True when the part of the program itself is absent (not when something it imports is missing)."""
    return bool(exc.name) and (exc.name == package or package.startswith(exc.name + "."))


def id_number_for(birth: dt.date, region: str = "220102", seq: str = "123") -> str:
    """A valid 18-digit ID number (correct check digit) for test records."""
    body = f"{region}{birth:%Y%m%d}{seq}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]
    return body + check


def payment_day(policy) -> dt.date:
    """A day inside the policy's collection window on which payment is allowed."""
    w = policy.window
    day = w.start
    if w.day_from is not None and not (w.day_from <= day.day <= w.day_to):
        day = day.replace(day=w.day_from) if day.day < w.day_from else (
            (day.replace(day=1) + dt.timedelta(days=32)).replace(day=w.day_from))
    return day


def _inside(path: Path, folder: Path) -> bool:
    p, f = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return p == f or f in p.parents


# --- the steps ------------------------------------------------------------------------------------
def step_install(ctx: Context) -> str:
    root, data = install_root(), data_dir()
    for folder in (policies_dir(), resources_dir()):
        if not folder.is_dir():
            raise AssertionError(f"缺少文件夹：{folder}")
    places = {"数据文件夹": data}
    try:
        from .ledger.backup import backup_dir
        from .ledger.db import default_path
    except ModuleNotFoundError as exc:
        if not _missing(exc, "app.ledger"):
            raise
    else:
        places.update({"默认台账": default_path(), "台账备份": backup_dir(default_path())})
    for what, place in places.items():
        if _inside(place, root):
            raise AssertionError(f"{what} {place} 在程序文件夹 {root} 之内：升级或卸载时会丢失台账")
    frozen = "安装版" if getattr(sys, "frozen", False) else "源代码"
    return f"版本 {__version__}（{frozen}），程序在 {root}，数据在 {data}"


def step_policies(ctx: Context) -> str:
    from .policy_catalog import load_directory

    policies, problems = load_directory(policies_dir())
    if problems:
        raise AssertionError("政策文件有问题：" + "；".join(str(p) for p in problems[:10]))
    if not policies:
        raise AssertionError(f"{policies_dir()} 中没有政策文件")
    ctx.policies = policies
    return f"{len(policies)} 个政策文件全部载入：{'、'.join(sorted(policies))}"


def step_quotes(ctx: Context) -> str:
    from .domain.quote import quote
    from .domain.quote_model import QuoteRequest

    if not ctx.policies:
        raise AssertionError("没有可用的政策（上一步失败）")
    parts = []
    for pid, policy in sorted(ctx.policies.items()):
        paid = payment_day(policy)
        q = quote(policy, QuoteRequest(birth_date=ADULT_BIRTH, paid_on=paid))
        if not q.open or not isinstance(q.due, Decimal) or q.due <= 0:
            raise AssertionError(f"{pid}：{paid} 成年人缴费应能办理，结果 open={q.open} due={q.due} {q.reason or ''}")
        parts.append(f"{pid} {q.due}元")
    return "成年人集中缴费期内应缴：" + "，".join(parts)


def step_ledger(ctx: Context) -> str:
    try:
        from .ledger import PayLine, open_ledger
        from .ledger.models import METHODS
    except ModuleNotFoundError as exc:
        if not _missing(exc, "app.ledger"):
            raise
        return _sqlite_only(ctx)
    policy = ctx.policies.get("changchun-2025") or next(iter(ctx.policies.values()), None)
    if policy is None:
        raise AssertionError("没有可用的政策（上一步失败）")
    ctx.ledger_path = ctx.work / "自检台账.canbao"
    paid = payment_day(policy)
    from .ledger import encryption

    key = encryption.new_key(SELFTEST_PASSWORD)  # the ledger is encrypted (SQLCipher), as users' ledgers are
    with open_ledger(ctx.ledger_path, create=True, backup=False, operator="自检", key=key) as lg:
        lg.settings.initialize(township="自检镇", year=policy.year, policy_id=policy.id, operators=["自检"],
                               villages={"自检村": ["一组"]})
        hid = lg.households.add(village="自检村", group="一组", address="自检村一组1号").id
        mid = lg.members.add(hid, name="张自检", id_number=id_number_for(ADULT_BIRTH), relation="户主").id
        due = lg.payments.quote(mid, paid).due
        pay = lg.payments.record(hid, [PayLine(mid)], method=METHODS[0], paid_on=paid)
        items = lg.payments.paid_this_year(mid)
        ctx.member_id = mid
        if not items:
            raise AssertionError("缴费已记录，但查不到该成员本年度的缴费")
        if hasattr(lg, "check"):
            problems = lg.check()
            if problems:
                raise AssertionError("台账检查发现问题：" + "；".join(str(p) for p in problems[:5]))
    # a backup, as the program makes them, must be a complete ledger again
    from .ledger.backup import backup_ledger, list_backups

    copy = backup_ledger(ctx.ledger_path)
    if copy not in list_backups(ctx.ledger_path):
        raise AssertionError(f"备份 {copy} 不在备份列表里")
    with open_ledger(copy, backup=False) as lg:
        members, payments = lg.members.count(), len(lg.payments.of_household(hid))
    if (members, payments) != (1, 1):
        raise AssertionError(f"备份里有 {members} 人、{payments} 笔缴费，应为 1 人、1 笔")
    return (f"新建加密台账、1 户 1 人、缴费 {due} 元（缴费单 #{pay.id}），备份后从备份读回 1 人 1 笔缴费；"
            + _encryption_checked(ctx.ledger_path, copy))


SELFTEST_PASSWORD = "Canbao-selftest-2025"


def _encryption_checked(ledger_path, copy) -> str:
    """The ledger and its backup are SQLCipher files: no plaintext header, the wrong password is refused, the
    right one opens them."""
    from .ledger import encryption, sqlite_driver

    for f in (ledger_path, copy):
        if not sqlite_driver.is_encrypted(f) or b"\xe5\xbc\xa0\xe8\x87\xaa\xe6\xa3\x80" in Path(f).read_bytes():
            raise AssertionError(f"{Path(f).name} 没有加密")
    try:
        encryption.unlock(ledger_path, "wrong-password")
        raise AssertionError("错误的台账密码竟然打开了台账")
    except encryption.WrongPassword:
        pass
    encryption.unlock(ledger_path, SELFTEST_PASSWORD)
    with sqlite_driver.connect(Path(copy).resolve().as_uri() + "?mode=ro", uri=True) as con:
        version = con.execute("PRAGMA cipher_version").fetchone()[0]
        n = con.execute("SELECT count(*) FROM members").fetchone()[0]
    con.close()
    if n != 1:
        raise AssertionError(f"加密备份里有 {n} 人，应为 1 人")
    return f"台账和备份已加密（SQLCipher {version}），错误密码被拒绝"


def step_duplicates(ctx: Context) -> str:
    """重复参保 matching: rapidfuzz's compiled scorers and pypinyin's readings are in the program."""
    from .domain.duplicate_match import Person, scan

    found = scan([Person(1, "刘德华", id_number_for(ADULT_BIRTH), "男", ADULT_BIRTH.isoformat(), 1),
                  Person(2, "劉德華", None, "男", ADULT_BIRTH.isoformat(), 2)])
    if [(m.a, m.b) for m in found] != [(1, 2)]:
        raise AssertionError(f"刘德华／劉德華 应判为疑似重复参保，结果 {found}")
    return f"刘德华／劉德華：{found[0].kind.value}，可信度 {found[0].certainty}"


def step_packet_signing(ctx: Context) -> str:
    """Exchange packets: each station's Ed25519 signature (pycryptodomex's compiled curve code is in the program)."""
    from .sync import signing

    seed = signing.new_seed()
    key, sig = signing.public_of(seed), signing.sign(seed, "交换包".encode())
    if not signing.verify(key, "交换包".encode(), sig) or signing.verify(key, "改过的".encode(), sig):
        raise AssertionError("交换包的站点签名（Ed25519）验证结果不对")
    return f"站点签名（Ed25519）正常，公钥指纹 {signing.fingerprint(key)}"


def _sqlite_only(ctx: Context) -> str:
    from .ledger import sqlite_driver

    path = ctx.work / "自检.sqlite"
    with sqlite_driver.connect(path) as con:
        con.execute("CREATE TABLE t (fen INTEGER)")
        con.execute("INSERT INTO t VALUES (40000)")
        n = con.execute("SELECT sum(fen) FROM t").fetchone()[0]
    con.close()
    if n != 40000:
        raise AssertionError("SQLite 读写结果不对")
    return f"台账模块尚未提供；SQLite {sqlite_driver.sqlite_version} 读写正常"


def step_pdf(ctx: Context) -> str:
    path = ctx.work / "自检.pdf"
    text = "参保台账自检：张自检 应缴 400.00 元（肆佰元整）"
    how = _pdf_with_paper(ctx, path, text)
    data = path.read_bytes()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise AssertionError(f"{path.name} 不是完整的 PDF 文件")
    ctx.pdf = path
    return f"{how}，{len(data) // 1024} KB"


def _pdf_with_paper(ctx: Context, path: Path, text: str) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    try:
        from .paper.fonts import default_fonts
    except ModuleNotFoundError as exc:
        if not _missing(exc, "app.paper.fonts"):
            raise
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        c = Canvas(str(path), pagesize=A4)
        c.setFont("STSong-Light", 14)
        c.drawString(72, 760, text)
        c.save()
        return "打印模块尚未提供；reportlab 写出中文 PDF"
    fonts = default_fonts()
    missing = fonts.uncovered(text + "䶮𠈌")
    if missing:
        raise AssertionError(f"随附字体缺字：{''.join(missing)}")
    if ctx.ledger_path is not None:
        try:
            from .paper.from_ledger import receipts
            from .paper.receipt import render_receipts
        except ModuleNotFoundError as exc:
            if not _missing(exc, "app.paper.receipt") and not _missing(exc, "app.paper.from_ledger"):
                raise
        else:
            from .ledger import open_ledger

            with open_ledger(ctx.ledger_path, backup=False) as lg:
                found = receipts(lg)
                if not found:
                    raise AssertionError("台账里有一笔缴费，却没有可打印的收据")
                render_receipts(found, path, fonts=fonts)
            return f"打印收据 {len(found)} 张（随附字体含生僻字）"
    c = Canvas(str(path), pagesize=A4)
    x = 72.0
    for font, piece in fonts.runs(text + " 䶮𠈌"):
        c.setFont(font, 14)
        c.drawString(x, 760, piece)
        x += fonts.width(piece, 14)
    c.save()
    return f"用随附字体（{'、'.join(fonts.embedded_names())}）写出 PDF，含生僻字"


def step_workbook(ctx: Context) -> str:
    from openpyxl import load_workbook

    path = ctx.work / "自检台账.xlsx"
    how = _write_workbook(ctx, path)
    book = load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    if len(rows) < 2:
        raise AssertionError(f"{path.name} 读回只有 {len(rows)} 行")
    texts = [str(v) for row in rows for v in row if v is not None]
    if not any("张自检" in t for t in texts):
        raise AssertionError(f"{path.name} 里找不到写入的成员")
    ctx.workbook = path
    return f"{how}，读回 {len(rows)} 行"


def _write_workbook(ctx: Context, path: Path) -> str:
    if ctx.ledger_path is not None:
        try:
            from .exchange.exports import export_one
        except ModuleNotFoundError as exc:
            if not _missing(exc, "app.exchange.exports"):
                raise
        else:
            from .ledger import open_ledger

            with open_ledger(ctx.ledger_path, backup=False) as lg:
                result = export_one(lg, "ledger", path)
            return f"导出「{'、'.join(result.sheets)}」"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "应缴（元）"])
    sheet.append(["张自检", Decimal("400.00")])
    book.save(path)
    return "Excel 导出模块尚未提供；openpyxl 写出工作簿"


def step_qt(ctx: Context) -> str:
    """The Qt modules the window and print preview need, and QtPdf reading the PDF just written."""
    from PySide6 import QtCore, QtGui, QtPrintSupport, QtWidgets  # noqa: F401
    from PySide6.QtPdf import QPdfDocument

    names = ["QtWidgets", "QtPrintSupport", "QtPdf"]
    try:
        from PySide6 import QtPdfWidgets  # noqa: F401

        names.append("QtPdfWidgets")
    except ImportError as exc:
        raise AssertionError(f"缺少 QtPdfWidgets（打印预览要用）：{exc}") from None
    try:
        from PySide6 import QtSvg  # noqa: F401

        names.append("QtSvg")
    except ImportError:
        pass
    if ctx.pdf is None:
        return "、".join(names) + " 可用（没有 PDF 可读）"
    doc = QPdfDocument()
    err = doc.load(str(ctx.pdf))
    if err != QPdfDocument.Error.None_ or doc.pageCount() < 1:
        raise AssertionError(f"QtPdf 读不了刚写的 PDF：{err}")
    pages = doc.pageCount()
    doc.close()
    return f"{'、'.join(names)} 可用，QtPdf 读出 PDF {pages} 页"


def step_print_process(ctx: Context) -> str:
    """The print process (``app.ui.print_process``) starts (in the bundle: through freeze_support in the entry
    script) and prints the self-test PDF's pages rendered at 72 dpi to a PDF file."""
    from .ui import print_process

    if ctx.pdf is None:
        raise AssertionError("没有 PDF 可打印（PDF 一步失败）")
    out = ctx.work / "自检-打印.pdf"
    job = {"job": "print", "pdf": str(ctx.pdf), "printer": print_process.file_printer_settings(out, 72),
           "raster": True}
    pages = print_process.run_in_child_and_wait(job, timeout_s=120)
    data = out.read_bytes()
    if pages < 1 or not data.startswith(b"%PDF-"):
        raise AssertionError(f"打印进程没有写出 {out.name}")
    return f"打印子进程启动并打印 {pages} 页（72 dpi 位图），{len(data) // 1024} KB"


STEPS: tuple[tuple[str, Callable[[Context], str]], ...] = (
    ("安装", step_install),
    ("政策", step_policies),
    ("测算", step_quotes),
    ("台账", step_ledger),
    ("重复参保", step_duplicates),
    ("交换包签名", step_packet_signing),
    ("PDF", step_pdf),
    ("Excel", step_workbook),
    ("Qt", step_qt),
    ("打印进程", step_print_process),
)


def run_selftest(work: Path | None = None, report: Callable[[Step], None] | None = None) -> list[Step]:
    """Run every step (a failing step does not stop the others) in ``work`` or a temporary folder."""
    results: list[Step] = []
    with tempfile.TemporaryDirectory(prefix="canbao-selftest-", ignore_cleanup_errors=True) as tmp:
        ctx = Context(work=Path(work) if work else Path(tmp))
        ctx.work.mkdir(parents=True, exist_ok=True)
        for name, fn in STEPS:
            t0 = time.perf_counter()
            try:
                step = Step(name, True, fn(ctx))
            except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, it never crashes
                step = Step(name, False, f"{type(exc).__name__}: {exc}")
            step.seconds = time.perf_counter() - t0
            results.append(step)
            if report:
                report(step)
    return results


# --- no network -----------------------------------------------------------------------------------
class NetworkGuard:
    """Records every attempt to reach the network while active (an audit hook, so nothing is patched)."""

    EVENTS = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request")

    def __init__(self):
        self.active = False
        self.attempts: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args) -> None:
        if self.active and event in self.EVENTS:
            self.attempts.append(f"{event} {args[1:] if event == 'socket.connect' else args}"[:200])


# --- the window -----------------------------------------------------------------------------------
def gui_smoke(timeout_s: float = 30.0) -> int:
    """Start the window as ``canbao`` does; quit with 0 once a main window is shown, 1 if none is in time.

    The window opens on a fresh self-test ledger (``CANBAO_DB``), never on the user's. Watching starts
    when the program enters Qt's event loop (``QApplication.exec`` or a dialog's ``exec`` is wrapped), so
    ``run_app`` needs no hook. A watchdog ends the process if Qt never gets that far. Without ``app.ui``
    yet, a placeholder main window is shown so that the Qt platform plugin is still checked.
    """
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMainWindow

    outcome = {"code": 1}
    started = time.monotonic()
    watching = []

    def poll() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QMainWindow) and w.isVisible():
                outcome["code"] = 0
                title = w.windowTitle() or type(w).__name__
                print(f"窗口已打开：{title}（{time.monotonic() - started:.1f} 秒）", file=sys.stderr, flush=True)
                QTimer.singleShot(200, lambda: QApplication.exit(0))  # let it paint once
                return
        if time.monotonic() - started > timeout_s:
            shown = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible()]
            print(f"{timeout_s:.0f} 秒内没有出现主窗口（可见窗口：{shown}）", file=sys.stderr, flush=True)
            QApplication.exit(1)
            return
        QTimer.singleShot(100, poll)

    def watch(original, static: bool):
        def wrapped(*args):
            if not watching:
                watching.append(True)
                QTimer.singleShot(0, poll)
            # QApplication.exec is static in Qt: called as app.exec() it must not get the instance
            return original() if static else original(*args)
        return wrapped

    def watchdog() -> None:
        print(f"{timeout_s + 15:.0f} 秒后程序仍未结束，强制退出", file=sys.stderr, flush=True)
        os._exit(2)

    dog = threading.Timer(timeout_s + 15, watchdog)
    dog.daemon = True
    dog.start()
    saved = (QApplication.exec, QDialog.exec)
    QApplication.exec = watch(QApplication.exec, static=True)
    QDialog.exec = watch(QDialog.exec, static=False)
    saved_env = {k: os.environ.get(k) for k in ("CANBAO_DB", "CANBAO_UI_INI", "CANBAO_OPERATOR", "CANBAO_PIN")}
    try:
        with tempfile.TemporaryDirectory(prefix="canbao-gui-smoke-", ignore_cleanup_errors=True) as tmp:
            ctx = Context(work=Path(tmp))
            try:
                step_policies(ctx)
                step_ledger(ctx)
            except Exception as exc:  # noqa: BLE001 - the window is still worth opening
                print(f"自检台账未建成（{exc}），窗口按默认方式打开", file=sys.stderr, flush=True)
            if ctx.ledger_path is not None:
                os.environ["CANBAO_DB"] = str(ctx.ledger_path)
                # the self-test ledger's first operator, logged in without the login dialog (app.ui.login)
                os.environ["CANBAO_OPERATOR"], os.environ["CANBAO_PIN"] = "自检", "selftest-1234"
                _smoke_preferences(Path(tmp), ctx.ledger_path)
            try:
                from .ui.app import run_app
            except ModuleNotFoundError as exc:
                if not _missing(exc, "app.ui.app"):
                    raise
                app = QApplication.instance() or QApplication(sys.argv[:1])
                window = QMainWindow()
                window.setWindowTitle("参保台账（界面模块尚未提供）")
                window.show()
                app.exec()
                window.close()
            else:
                run_app([])
    finally:
        QApplication.exec, QDialog.exec = saved
        dog.cancel()
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return outcome["code"]


def _smoke_preferences(folder: Path, ledger_path: Path) -> None:
    """Window preferences of the smoke run in a temporary ini (``CANBAO_UI_INI``) whose last ledger is the
    self-test ledger: the window opens straight onto it, and the user's own preferences stay untouched."""
    from PySide6.QtCore import QSettings

    ini = folder / "canbao-ui.ini"
    settings = QSettings(str(ini), QSettings.Format.IniFormat)
    settings.setValue("last_ledger", str(ledger_path))
    settings.sync()
    os.environ["CANBAO_UI_INI"] = str(ini)


def environment_for_headless() -> None:
    """On a Linux machine without a display, Qt has to draw offscreen."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
