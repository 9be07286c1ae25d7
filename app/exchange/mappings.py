"""Column mappings the user chose (heading -> field), saved per file layout and reused next week.

A layout is keyed by its normalised headings in order (``import_reader.layout_signature``): the district
sends the same form every week, so the same key comes back. Kept in the user's data folder (platformdirs
via ``app.paths``; ``CANBAO_IMPORT_MAPPINGS`` names another file), never the program folder. Written to a
temporary file and renamed, so a crash never leaves half a file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ..domain.problems import Problem, ProblemsError
from .import_reader import field_catalog, normalize_heading


def mappings_path() -> Path:
    override = os.environ.get("CANBAO_IMPORT_MAPPINGS")
    if override:
        return Path(override)
    from ..paths import data_dir

    return data_dir() / "import_mappings.json"


def _load(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_mapping(kind: str, signature: str) -> dict[str, str]:
    """The mapping saved for this layout, or {} (a damaged or missing file is simply no mapping)."""
    entry = _load(mappings_path()).get("layouts", {}).get(kind, {}).get(signature, {})
    mapping = entry.get("mapping", {}) if isinstance(entry, dict) else {}
    return {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def check_mapping(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """Validate heading -> field (field by name or by its Chinese label); ProblemsError lists every bad one."""
    catalog = field_catalog()
    spec = catalog.kinds[kind]
    by_label = {catalog.fields[f].label: f for f in spec.fields if f in catalog.fields}
    out, problems = {}, []
    for heading, target in mapping.items():
        fld = target if target in spec.fields else by_label.get(target)
        if fld is None:
            problems.append(Problem(f"{heading}={target}", f"「{target}」不是{spec.label}的列（可用："
                                                            f"{'、'.join(by_label)}）"))
            continue
        out[normalize_heading(heading)] = fld
    if problems:
        raise ProblemsError(problems)
    return out


def save_mapping(kind: str, signature: str, headings: list[str], mapping: dict[str, str]) -> Path:
    path = mappings_path()
    data = _load(path)
    layouts = data.setdefault("layouts", {}).setdefault(kind, {})
    layouts[signature] = {"headings": [h for h in headings if h], "mapping": mapping,
                          "saved": dt.datetime.now().isoformat(timespec="seconds")}
    data["version"] = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path
