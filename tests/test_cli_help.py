"""Every ``canbao`` command's --help is Chinese throughout: argparse's own words too, every command and option
described, placeholders in Chinese; read-only commands offer no --operator."""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import build_parser
from app.cli.zh_argparse import display_width, table, wrap

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = re.compile(r"usage:|positional arguments|optional arguments|options:|show this help|subcommands|"
                     r"show program's version|\(default:|error:|required:|invalid choice|unrecognized", re.I)
# Placeholders are Chinese; the only Latin ones allowed are the date format and choice lists like {a4,241x93}.
LATIN_OK = {"YYYY-MM-DD"}
READ_ONLY = ["ledger info", "ledger household list", "ledger household show", "ledger member show", "ledger search",
             "ledger dues", "ledger audit", "check", "policy list", "policy show", "policy check", "quote",
             "export", "print notices", "print receipt", "print ledger", "selftest", "station show"]


def _walk(parser, path=()):
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, path + (name,))


COMMANDS = dict(_walk(build_parser()))


def test_the_tree_is_walked():
    assert {"", "quote", "ledger pay", "ledger household add", "print receipt", "import", "policy list"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_is_chinese_and_complete(path):
    parser = COMMANDS[path]
    text = parser.format_help()
    assert not ENGLISH.search(text), f"canbao {path} --help: {ENGLISH.search(text).group(0)!r}\n{text}"
    assert text.startswith("用法：")
    if path:
        assert parser.description, f"canbao {path}: no description"
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help, f"canbao {path} {name}: no help text"
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                assert choice.help, f"canbao {path} {choice.dest}: no help text"
            continue
        if action.nargs == 0:
            continue
        shown = action.metavar or (None if action.choices else (action.dest.upper() if action.option_strings
                                                                 else action.dest))
        if shown and shown not in LATIN_OK:
            assert not re.search(r"[A-Za-z]{2,}", re.sub("Excel|PDF", "", str(shown))), f"canbao {path} {name}: placeholder {shown!r}"


@pytest.mark.parametrize("path", READ_ONLY)
def test_read_only_commands_offer_no_operator(path):
    options = {o for a in COMMANDS[path]._actions for o in a.option_strings}
    assert "--operator" not in options


def test_argparse_errors_are_chinese():
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "quote", "--policy", "x"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 2
    assert out.stderr.startswith("用法：canbao quote")
    assert "canbao quote：错误：" in out.stderr and "--paid-on" in out.stderr
    assert not ENGLISH.search(out.stderr), out.stderr
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "nosuch"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "无效的选择：'nosuch'" in out.stderr, out.stderr
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "list", "extra"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 2 and "不认识的参数：extra" in out.stderr, out.stderr


def test_display_width_aligns_chinese_columns():
    lines = table([["编号", "名称", "备注"], ["changchun-2025", "长春市2025年度", "x"], ["a", "屯留", "y"]])
    starts = {display_width(line[:line.index(c)]) for line, c in zip(lines, "备xy")}
    assert len(starts) == 1  # the third column starts at the same screen column on every line
    assert all(display_width(line) <= 10 for line in wrap("计算某人在某日按某政策应缴多少 and some English words", 10))


def test_policy_list_columns_line_up_on_screen():
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "list"], capture_output=True, text=True,
                         cwd=ROOT, encoding="utf-8")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert len(lines) >= 6
    # the window column ("集中缴费期" / "2024-09-01 至 …") starts at the same screen column on every line
    starts = {display_width(line[:line.index(marker)]) for line, marker in
              zip(lines, ["集中缴费期"] + [re.search(r"\d{4}-\d\d-\d\d 至", ln).group(0) for ln in lines[1:]])}
    assert len(starts) == 1, out.stdout


def test_help_fits_an_80_column_terminal():
    env = {**os.environ, "COLUMNS": "80"}
    for path in ("ledger member add", "quote", "print receipt", "import"):
        out = subprocess.run([sys.executable, "-m", "app.cli.main", *path.split(), "--help"], capture_output=True,
                             text=True, cwd=ROOT, env=env, encoding="utf-8")
        wide = [line for line in out.stdout.splitlines() if display_width(line) > 80]
        assert not wide, f"canbao {path} --help: {wide}"


def test_each_print_kind_explains_its_own_date():
    helps = {kind: next(a.help for a in COMMANDS[f"print {kind}"]._actions if "--date" in a.option_strings)
             for kind in ("notices", "receipt", "ledger")}
    assert "补打" in helps["receipt"] and "通知单" not in helps["receipt"]
    assert "通知单" in helps["notices"] and "台账" in helps["ledger"]


def test_household_list_columns_line_up_on_screen(tmp_path, monkeypatch, capsys):
    from app.cli.main import main

    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "l.db"))
    assert main(["ledger", "init", "--township", "某镇", "--year", "2025", "--policy", "tunliu-2025",
                 "--operator", "王会计", "--village", "东风村:一组", "--community", "红旗街道幸福社区:第十二居民小组"]) == 0
    assert main(["ledger", "household", "add", "--village", "东风村", "--group", "一组", "--address", "8号"]) == 0
    assert main(["ledger", "household", "add", "--village", "红旗街道幸福社区", "--group", "第十二居民小组",
                 "--address", "12号"]) == 0
    capsys.readouterr()
    assert main(["ledger", "household", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {display_width(line[:line.index(cell)]) for line, cell in zip(lines[:3], ("地址", "8号", "12号"))}
    assert len(starts) == 1, lines
