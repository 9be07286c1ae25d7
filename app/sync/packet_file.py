"""The packet file: ``<发出站>-<年度>-to-<收到站>-<编号>.canbao-packet``, a zip encrypted with AES-256 (pyzipper) holding
``header.json`` and one SQLite changeset per outbox entry.

The header names the township, the sender and the receiver, the packet's number, how far the sender's outbox
goes (``through_seq``), how far it has applied the receiver's (``applied`` — the acknowledgement), and each
entry with its SHA-256 (and each policy file the township sends, ``policies``; and the sender's key changes,
each signed by the key before it, ``key_changes`` — see ``app.sync.key_changes``). It is signed twice: with the
sender station's own Ed25519 key (``from_key`` and ``ed25519``, see ``signing``: whose packet it is) and with
HMAC-SHA256 under a key derived from the township's secret (``ledger_secret.sync_key``, copied into every
station's ledger when it is split from the township: that it belongs to this township); the zip password is
derived from the same secret. A packet from another township cannot be opened, and a packet changed on the way
fails its signatures: either way nothing is applied. Version 1 packets (HMAC only) are still read; whether their
sender may still send unsigned packets is ``signing.check_sender``'s to say."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass, field

import pyzipper

from ..domain.problems import Problem, ProblemsError

FORMAT = "canbao-packet"
VERSION = 2
READABLE = (1, 2)
SUFFIX = ".canbao-packet"


@dataclass(frozen=True)
class PacketFile:
    header: dict
    entries: list[tuple[dict, bytes]] = field(default_factory=list)  # (header entry, changeset)
    policies: list[tuple[dict, bytes]] = field(default_factory=list)  # (header entry, policy file's bytes)


def keys(secret: bytes) -> tuple[bytes, bytes]:
    """(signing key, zip password) derived from the township's ``sync_key``."""
    sign = hmac.new(secret, b"canbao-packet-sign-v1", hashlib.sha256).digest()
    password = hmac.new(secret, b"canbao-packet-zip-v1", hashlib.sha256).hexdigest().encode()
    return sign, password


def _body(header: dict, leave_out: tuple[str, ...]) -> bytes:
    return json.dumps({k: v for k, v in header.items() if k not in leave_out}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _signature(sign_key: bytes, header: dict) -> str:
    return hmac.new(sign_key, _body(header, ("sig",)), hashlib.sha256).hexdigest()


def build(secret: bytes, header: dict, entries: list[tuple[dict, bytes]], station_seed: bytes | None = None,
          policies: list[tuple[dict, bytes]] = ()) -> bytes:
    """The packet's bytes: the header (with each entry's SHA-256) signed by the station (``station_seed``, its
    Ed25519 key) and the township (HMAC), everything encrypted. ``policies``: ({"id": …}, file bytes)."""
    from . import signing

    sign_key, password = keys(secret)
    listed = []
    for meta, blob in entries:
        listed.append({**meta, "sha256": hashlib.sha256(blob).hexdigest(), "size": len(blob)})
    shipped = [{**meta, "name": f"policies/{meta['id']}.toml", "sha256": hashlib.sha256(blob).hexdigest()}
               for meta, blob in policies]
    header = {**header, "format": FORMAT, "version": VERSION, "entries": listed, "policies": shipped}
    if station_seed is not None:
        header["from_key"] = signing.public_of(station_seed)
        header["ed25519"] = signing.sign(station_seed, _body(header, ("sig", "ed25519")))
    header["sig"] = _signature(sign_key, header)
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(password)
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        zf.writestr("header.json", json.dumps(header, ensure_ascii=False, indent=1))
        for meta, (_, blob) in zip(listed, entries):
            zf.writestr(meta["name"], blob)
        for meta, (_, blob) in zip(shipped, policies):
            zf.writestr(meta["name"], blob)
    return buf.getvalue()


def save(path, data: bytes) -> None:
    """Write the packet file whole or not at all (a part file renamed into place after fsync)."""
    import os

    from ..ledger.files import atomic_path

    with atomic_path(path) as part:
        with open(part, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def write(path, secret: bytes, header: dict, entries: list[tuple[dict, bytes]],
          station_seed: bytes | None = None) -> bytes:
    """``build`` and ``save``; returns the file's bytes."""
    data = build(secret, header, entries, station_seed)
    save(path, data)
    return data


def read(path, secret: bytes) -> PacketFile:
    """Open, decrypt and check a packet; a damaged, foreign or altered packet raises ``ProblemsError`` (Chinese,
    with the file as place) and nothing is read from it."""
    where = str(path)
    sign_key, password = keys(secret)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ProblemsError([Problem(where, f"无法读取交换包：{exc.strerror or exc}")]) from None
    try:
        with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
            zf.setpassword(password)
            names = zf.namelist()
            if "header.json" not in names:
                raise ProblemsError([Problem(where, "不是交换包（缺少包头）")])
            try:
                header = json.loads(zf.read("header.json").decode("utf-8"))
            except RuntimeError:
                raise ProblemsError([Problem(where, "无法解开交换包：它不是本乡镇的交换包（密钥不同），"
                                                    "或文件已被改动")]) from None
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ProblemsError([Problem(where, "不是交换包（包头格式不对）")])
            if header.get("version") not in READABLE:
                raise ProblemsError([Problem(where, f"交换包版本 {header.get('version')} 本程序不认识，请升级参保台账")])
            if not hmac.compare_digest(str(header.get("sig", "")), _signature(sign_key, header)):
                raise ProblemsError([Problem(where, "交换包签名不符：不是本乡镇站点发出的，或已被改动，未导入")])
            if header.get("from_key") or header.get("ed25519"):
                from . import signing

                if not signing.verify(str(header.get("from_key", "")), _body(header, ("sig", "ed25519")),
                                      str(header.get("ed25519", ""))):
                    raise ProblemsError([Problem(where, "交换包的站点签名不符：已被改动，未导入")])
            entries = []
            for meta in header.get("entries", []):
                blob = zf.read(meta["name"])
                if hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
                    raise ProblemsError([Problem(f"{where}:{meta['name']}", "交换包内容与签名不符（已损坏或被改动），未导入")])
                entries.append((meta, blob))
            policies = []
            for meta in header.get("policies", []):
                blob = zf.read(meta["name"])
                if hashlib.sha256(blob).hexdigest() != meta.get("sha256"):
                    raise ProblemsError([Problem(f"{where}:{meta['name']}", "交换包内容与签名不符（已损坏或被改动），未导入")])
                policies.append((meta, blob))
    except ProblemsError:
        raise
    except (zipfile.BadZipFile, pyzipper.BadZipFile, KeyError, ValueError, EOFError, OSError, zlib_error()) as exc:
        raise ProblemsError([Problem(where, f"交换包已损坏，无法读取（{type(exc).__name__}），未导入")]) from None
    except RuntimeError:
        raise ProblemsError([Problem(where, "无法解开交换包：它不是本乡镇的交换包（密钥不同），或文件已被改动")]) from None
    return PacketFile(header, entries, policies)


def zlib_error():
    import zlib

    return zlib.error
