"""Where is each key of a TOML file? tomllib gives values, not positions; this maps key paths to lines.

Paths look like ("categories", 2, "amount"). It understands the TOML that policy files use: tables,
arrays of tables, dotted and quoted keys, inline values and multi-line strings and arrays.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*((?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_\-\u4e00-\u9fff]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_\-\u4e00-\u9fff]+))*)\s*=')


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', text)
    return tuple(a or b or c for a, b, c in parts)


def locate_keys(text: str) -> dict[tuple, int]:
    """Map each key path to its 1-based line number."""
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    in_multiline: str | None = None
    bracket_depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if bracket_depth > 0:
            bracket_depth += line.count("[") - line.count("]")
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = _split_key(header.group(2))
            if header.group(1) == "[[":
                parent = _resolve(name, counts)
                index = counts.get(parent, 0)
                counts[parent] = index + 1
                table = parent + (index,)
                # the array itself and the element both point here
                lines.setdefault(parent, number)
            else:
                table = _resolve(name, counts)
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            path = table + _split_key(key.group(1))
            lines.setdefault(path, number)
            rest = line[key.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
            value = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", rest).split("#", 1)[0]
            bracket_depth = value.count("[") - value.count("]")
    return lines


def _resolve(name: tuple, counts: dict[tuple, int]) -> tuple:
    """Turn a header name into a concrete path, indexing into arrays of tables already seen."""
    out: tuple = ()
    for i, part in enumerate(name):
        out = out + (part,)
        if out in counts and i < len(name) - 1:
            out = out + (counts[out] - 1,)
    return out


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of a path, or of its nearest ancestor that has one."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return None
