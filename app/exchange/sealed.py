"""Exports sealed for the road: a file for the district written as an AES-256 encrypted zip (pyzipper), so a
lost USB stick or a file forwarded in a chat app exposes no one without the password.

The plaintext file is built beside the archive under a hidden name — never in the system's temp folder —
and removed whatever happens; only the finished archive is moved into place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from ..domain.problems import Problem, ProblemsError

MIN_PASSWORD = 8


def archive_path(output: str | os.PathLike) -> Path:
    """``台账.xlsx`` -> ``台账.xlsx.zip`` (the name inside stays ``台账.xlsx``)."""
    p = Path(output)
    return p if p.suffix.lower() == ".zip" else p.with_name(p.name + ".zip")


def password_problems(password: str) -> list[Problem]:
    if len(password or "") < MIN_PASSWORD:
        return [Problem("密码", f"加密压缩包的密码至少 {MIN_PASSWORD} 位（请另行告知收件人，不要与文件一起发送）")]
    return []


def write_sealed(output: str | os.PathLike, inner_name: str, password: str,
                 build: Callable[[Path], object]) -> Path:
    """``build(plain_path)`` writes the plaintext file; it is then sealed into ``archive_path(output)``."""
    import pyzipper

    if problems := password_problems(password):
        raise ProblemsError(problems)
    target = archive_path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    from contextlib import ExitStack

    from ..ledger.files import part_path, pending

    # Both files are parts noted while written (app.ledger.files.pending): the plaintext one holds full ID
    # numbers, so a killed export must not leave it behind — the next start removes it wherever it was.
    plain = part_path(target.with_name(f"{target.name}.inner{Path(inner_name).suffix}"))
    sealed = part_path(target)
    try:
        with ExitStack() as noted:
            noted.enter_context(pending(plain))
            noted.enter_context(pending(sealed))
            build(plain)
            with pyzipper.AESZipFile(sealed, "w", compression=pyzipper.ZIP_DEFLATED,
                                     encryption=pyzipper.WZ_AES) as zf:
                zf.setpassword(password.encode("utf-8"))
                zf.setencryption(pyzipper.WZ_AES, nbits=256)
                zf.write(plain, arcname=inner_name)
            with open(sealed, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(sealed, target)
    finally:
        for leftover in (plain, sealed):
            try:
                os.unlink(leftover)
            except FileNotFoundError:
                pass
    return target
