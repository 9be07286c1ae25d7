"""Checks of an installed Canbao inside a Wine prefix, for installer/check_installer.sh.

    python verify.py installed PREFIX BUNDLE VERSION   # files, shortcuts, uninstall entry, data folder kept
    python verify.py removed PREFIX                    # after the uninstaller: all gone except the data folder
    python verify.py tree BUNDLE                       # size and file count of a bundle folder

Each check prints "✓ …" or "✗ …"; the exit code is the number of failed checks (0 = all passed).
Registry values come from `wine reg export` (UTF-16), shortcuts (.lnk) are searched for their target.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

APP_ID = "{6A0C2E7D-3B5F-4C1E-9D2A-7F4B8C1E5A93}_is1"
UNINSTALL_KEY = rf"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Uninstall\{APP_ID}"
DATA_MARKER = "台账.canbao.db"
failures: list[str] = []


def check(ok: bool, what: str) -> bool:
    print(("✓ " if ok else "✗ ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def user_dir(prefix: Path) -> Path:
    users = [p for p in (prefix / "drive_c" / "users").iterdir() if p.name not in ("Public", "public")]
    return next(p for p in users if (p / "AppData").is_dir())


def uninstall_entry() -> dict[str, str]:
    """The uninstaller's registry values ({} if the key does not exist), via `wine reg export`."""
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"canbao-uninstall-{os.getpid()}.reg"
    proc = subprocess.run(["wine", "reg", "export", UNINSTALL_KEY, f"Z:{out}", "/y"], capture_output=True)
    if proc.returncode != 0 or not out.exists():
        return {}
    raw = out.read_bytes()
    out.unlink()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
    values = {}
    for line in text.splitlines():
        if line.startswith('"') and '"="' in line:
            name, _, value = line[1:].partition('"="')
            values[name] = re.sub(r"\\(.)", r"\1", value[:-1] if value.endswith('"') else value)
    return values


def lnk_mentions(lnk: Path, *needles: str) -> bool:
    data = lnk.read_bytes()
    return all(n.encode("utf-16-le") in data or n.encode("ascii", "ignore") in data for n in needles)


def tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)).replace("\\", "/"): p.stat().st_size
            for p in folder.rglob("*") if p.is_file()}


def installed(prefix: Path, bundle: Path, version: str) -> None:
    home = user_dir(prefix)
    app = home / "AppData" / "Local" / "Programs" / "Canbao"
    check(app.is_dir(), f"program folder %LOCALAPPDATA%\\Programs\\Canbao exists ({app})")
    want, got = tree(bundle), tree(app) if app.is_dir() else {}
    missing = [f for f in want if f not in got]
    differ = [f for f in want if f in got and got[f] != want[f]]
    check(not missing and not differ, f"all {len(want)} bundle files installed with their sizes"
          + (f" — missing {missing[:5]}, differing {differ[:5]}" if missing or differ else ""))
    extra = sorted(set(got) - set(want) - {"unins000.exe", "unins000.dat"})
    check(not extra, "no file in the program folder that is not in the bundle" + (f": {extra[:5]}" if extra else ""))
    check((app / "unins000.exe").is_file() and (app / "unins000.dat").is_file(), "uninstaller unins000.exe/.dat")
    programs = home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    main_lnk, self_lnk = programs / "参保台账.lnk", programs / "参保台账 自检.lnk"
    check(main_lnk.is_file() and lnk_mentions(main_lnk, "canbaow.exe"), "Start menu 「参保台账」 → canbaow.exe")
    check(self_lnk.is_file() and lnk_mentions(self_lnk, "cmd.exe", "canbao.exe", "selftest"),
          "Start menu 「参保台账 自检」 → cmd /k canbao.exe selftest")
    desktop = home / "Desktop" / "参保台账.lnk"
    check(desktop.is_file() and lnk_mentions(desktop, "canbaow.exe"), "desktop shortcut 「参保台账」 → canbaow.exe")
    reg = uninstall_entry()
    check(bool(reg), f"uninstall entry HKCU\\…\\Uninstall\\{APP_ID}")
    check(reg.get("DisplayName") == "参保台账 Canbao", f"DisplayName = 参保台账 Canbao ({reg.get('DisplayName')!r})")
    check(reg.get("DisplayVersion") == version, f"DisplayVersion = {version} ({reg.get('DisplayVersion')!r})")
    check(reg.get("UninstallString", "").lower().endswith(r'programs\canbao\unins000.exe"'),
          f"UninstallString → unins000.exe ({reg.get('UninstallString')!r})")
    check(reg.get("DisplayIcon", "").lower().endswith(r"canbao\canbaow.exe"), "DisplayIcon → canbaow.exe")
    check(reg.get("InstallLocation", "").rstrip("\\").lower().endswith(r"programs\canbao"),
          f"InstallLocation ({reg.get('InstallLocation')!r})")
    data_kept(home)


def data_kept(home: Path) -> None:
    marker = home / "AppData" / "Local" / "Canbao" / DATA_MARKER
    check(marker.is_file() and marker.read_text(encoding="utf-8") == "ledger bytes",
          f"data folder %LOCALAPPDATA%\\Canbao untouched ({DATA_MARKER})")


def removed(prefix: Path) -> None:
    home = user_dir(prefix)
    app = home / "AppData" / "Local" / "Programs" / "Canbao"
    left = sorted(tree(app)) if app.is_dir() else []
    check(not left, "program folder removed by the uninstaller" + (f" — left: {left[:5]}" if left else ""))
    programs = home / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu" / "Programs"
    lnks = [p for p in (programs / "参保台账.lnk", programs / "参保台账 自检.lnk", home / "Desktop" / "参保台账.lnk")
            if p.exists()]
    check(not lnks, "shortcuts removed" + (f" — left: {lnks}" if lnks else ""))
    check(not uninstall_entry(), "uninstall entry removed from the registry")
    data_kept(home)


def size(folder: Path) -> None:
    files = tree(folder)
    total = sum(files.values())
    print(f"{total / 2**20:.1f} MiB ({total / 1e6:.1f} MB) in {len(files)} files")


if __name__ == "__main__":
    cmd, *rest = sys.argv[1:]
    if cmd == "installed":
        installed(Path(rest[0]), Path(rest[1]), rest[2])
    elif cmd == "removed":
        removed(Path(rest[0]))
    elif cmd == "data":
        data_kept(user_dir(Path(rest[0])))
    elif cmd == "tree":
        size(Path(rest[0]))
    sys.exit(len(failures))
