"""Read PDFs with poppler's real tools, as a person's PDF reader would."""

from __future__ import annotations

import re
import subprocess


def text(path, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True, encoding="utf-8").stdout


def compact(path) -> str:
    """The text with all white space removed (table cells are split by spaces and line breaks)."""
    return re.sub(r"\s+", "", text(path))


def fonts(path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... emb sub uni object ID: read the three yes/no columns from the right
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def info(path) -> dict:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_size_mm(path, page: int = 1) -> tuple[float, float]:
    out = subprocess.run(["pdfinfo", "-f", str(page), "-l", str(page), str(path)], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"Page\s+%d size:\s+([\d.]+) x ([\d.]+) pts" % page, out)
    w, h = float(m.group(1)), float(m.group(2))
    return round(w / 72 * 25.4, 1), round(h / 72 * 25.4, 1)


def pages(path) -> int:
    return int(info(path)["Pages"])


def compact_page(path, page: int) -> str:
    args = ["pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(path), "-"]
    out = subprocess.run(args, check=True, capture_output=True, text=True, encoding="utf-8").stdout
    return re.sub(r"\s+", "", out)
