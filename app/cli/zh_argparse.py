"""argparse in Chinese: its own words (``usage:``, ``options:``, error messages) and columns by display width.

argparse looks its texts up with ``argparse._`` / ``argparse.ngettext`` (gettext) while it builds a parser,
formats help and parses. :class:`ChineseParser` swaps in :data:`MESSAGES` for exactly those moments, so
nothing else in the process (pytest's own argparse, say) changes. Its formatter measures text by display
width (a Chinese character takes two columns) so help columns line up and long Chinese help wraps.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import unicodedata

# argparse's message ids (Python 3.11 to 3.13) and their Chinese. Unknown ids pass through unchanged.
MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "optional arguments": "选项",
    "subcommands": "子命令",
    "%(heading)s:": "%(heading)s：",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    " (default: %(default)s)": "（默认：%(default)s）",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s：警告：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "没有命令 %(parser_name)r（可用：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可能是 %(matches)s",
    "ignored explicit argument %r": "多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "option '%(option)s' is deprecated": "选项“%(option)s”已不再使用",
    "argument '%(argument_name)s' is deprecated": "参数“%(argument_name)s”已不再使用",
    "command '%(parser_name)s' is deprecated": "命令“%(parser_name)s”已不再使用",
}
PLURALS = {
    ("expected %s argument", "expected %s arguments"): "需要 %s 个值",
    ("conflicting option string: %s", "conflicting option strings: %s"): "选项重复：%s",
}
# argparse names a failed type conversion by the converter's __name__ ("invalid int value")
TYPE_NAMES = {"int": "整数", "float": "数字"}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get((singular, plural), singular if n == 1 else plural)


@contextlib.contextmanager
def chinese():
    """argparse speaks Chinese inside this block (re-entrant: subparsers parse inside their parent)."""
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = gettext, ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


# ---------------------------------------------------------------------------- display width
def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: 2 for each Chinese (wide) character, 1 for others."""
    return sum(char_width(ch) for ch in text)


def ljust(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns."""
    return text + " " * max(width - display_width(text), 0)


def wrap(text: str, width: int) -> list[str]:
    """Wrap by display width: between any two Chinese characters, or at spaces between Latin words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens: list[str] = []
        word = ""
        for ch in " ".join(paragraph.split()):
            if ch == " " or char_width(ch) == 2:
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(ch)
            else:
                word += ch
        if word:
            tokens.append(word)
        line = ""
        for tok in tokens:
            if display_width(line) + display_width(tok) > width and line.strip():
                lines.append(line.rstrip())
                line = "" if tok == " " else tok
            else:
                line += tok
        if line.strip() or not lines:
            lines.append(line.rstrip())
    return lines


def table(rows: list[list[str]], gap: int = 2) -> list[str]:
    """Rows (the first one being the header) as lines with columns aligned by display width."""
    widths = [max(display_width(str(r[i])) for r in rows if i < len(r)) for i in range(max(map(len, rows)))]
    out = []
    for r in rows:
        cells = [ljust(str(c), widths[i] + gap) if i < len(r) - 1 else str(c) for i, c in enumerate(r)]
        out.append("".join(cells).rstrip())
    return out


# ---------------------------------------------------------------------------- formatter and parser
class _WidthAware:
    """HelpFormatter methods that count display width instead of characters."""

    def add_argument(self, action):
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(s) for s in self._iter_indented_subactions(action)]
            self._action_max_length = max(self._action_max_length,
                                          max(map(display_width, invocations)) + self._current_indent)
            self._add_item(self._format_action, [action])

    def _format_action(self, action):
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            header = " " * self._current_indent + header + "\n"
        elif display_width(header) <= action_width:
            header = " " * self._current_indent + ljust(header, action_width) + "  "
        else:
            header = " " * self._current_indent + header + "\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * indent_first + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))


class ChineseFormatter(_WidthAware, argparse.HelpFormatter):
    pass


class ChineseRawDescriptionFormatter(_WidthAware, argparse.RawDescriptionHelpFormatter):
    """Description and epilog kept as written (examples, one per line); option help still wrapped."""

    def _fill_text(self, text, width, indent):
        return argparse.RawDescriptionHelpFormatter._fill_text(self, text, width, indent)


_FORMATTERS = {argparse.HelpFormatter: ChineseFormatter,
               argparse.RawDescriptionHelpFormatter: ChineseRawDescriptionFormatter}
_TITLES = {"positional arguments": MESSAGES["positional arguments"], "options": MESSAGES["options"],
           "optional arguments": MESSAGES["options"]}


class ChineseSubParsers(argparse._SubParsersAction):
    """``add_parser(help=…)`` also makes that text the subcommand's description, shown by its ``--help``."""

    def add_parser(self, name, **kwargs):
        if kwargs.get("help") and not kwargs.get("description"):
            kwargs["description"] = kwargs["help"]
        return super().add_parser(name, **kwargs)


class ChineseParser(argparse.ArgumentParser):
    """An ArgumentParser whose every text is Chinese; subparsers (``add_parser``) are ChineseParsers too."""

    def __init__(self, *args, formatter_class=argparse.HelpFormatter, parents=(), **kwargs):
        formatter_class = _FORMATTERS.get(formatter_class, formatter_class)
        for parent in parents:  # a plain ArgumentParser(add_help=False) shared by several commands
            for group in parent._action_groups:
                group.title = _TITLES.get(group.title, group.title)
        with chinese():
            super().__init__(*args, formatter_class=formatter_class, parents=list(parents), **kwargs)

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("action", ChineseSubParsers)
        kwargs.setdefault("title", kwargs.get("metavar") or "子命令")
        kwargs.setdefault("help", "（每个子命令后加 --help 查看它的用法和选项）")
        with chinese():
            return super().add_subparsers(**kwargs)

    def parse_known_args(self, args=None, namespace=None):
        with chinese():
            return super().parse_known_args(args, namespace)

    def format_usage(self):
        with chinese():
            return super().format_usage()

    def format_help(self):
        with chinese():
            text = super().format_help()
        # section headings ("选项:"): Python before 3.13 appends an ASCII colon outside gettext
        return re.sub(r"(?m)^(\S[^\n]*?):$", r"\1：", text)

    def error(self, message):
        for english, chinese_name in TYPE_NAMES.items():
            message = message.replace(f"无效的{english}值", f"不是{chinese_name}")
        with chinese():
            super().error(message)
