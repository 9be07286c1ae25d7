"""The lock files pin every dependency of pyproject.toml with hashes, and this environment was installed from them."""

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import lock_check  # noqa: E402


def _entries(lock: str) -> list[tuple[str, str, str, list[str]]]:
    """(name, version, marker, hashes) for each pinned package of a lock file."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    out = []
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?: ; ([^\\\n]+?))? \\", block)
        if m:
            out.append((lock_check._name(m.group(1)), m.group(2), (m.group(3) or "").strip(),
                        re.findall(r"--hash=sha256:([0-9a-f]{64})", block)))
    return out


def test_both_locks_cover_pyproject_and_every_pin_has_a_hash():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        assert lock_check.missing(ROOT / lock) == [], f"{lock} is stale: run bash scripts/lock.sh"
        entries = _entries(lock)
        lines = [ln for ln in (ROOT / lock).read_text(encoding="utf-8").splitlines() if re.match(r"[A-Za-z0-9]", ln)]
        assert len(entries) == len(lines) > 20
        for name, version, _, hashes in entries:
            assert hashes, f"{lock}: {name}=={version} has no hash"


def test_the_pins_satisfy_pyproject_and_the_dev_lock_agrees_with_the_runtime_lock():
    runtime = {(n, mk): v for n, v, mk, _ in _entries("requirements.lock")}
    dev = {(n, mk): v for n, v, mk, _ in _entries("requirements-dev.lock")}
    for key, version in runtime.items():
        assert dev.get(key) == version, f"{key}: runtime {version}, dev {dev.get(key)}"
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for text in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        req = Requirement(text)
        for env in ({"python_version": "3.11", "python_full_version": "3.11.9"},
                    {"python_version": "3.12", "python_full_version": "3.12.1"}):
            if req.marker and not req.marker.evaluate(env):
                continue
            pins = [v for (n, mk), v in dev.items()
                    if n == lock_check._name(req.name) and (not mk or Marker(mk).evaluate(env))]
            assert len(pins) == 1 and req.specifier.contains(pins[0], prereleases=True), (text, env, pins)


def test_this_environment_is_installed_from_the_dev_lock():
    """scripts/test.sh (and so CI) installs requirements-dev.lock: what is imported is what is pinned."""
    wrong = []
    for name, version, marker, _ in _entries("requirements-dev.lock"):
        if marker and not Marker(marker).evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if installed != version:
            wrong.append(f"{name}: {installed} installed, {version} pinned")
    assert not wrong, "; ".join(wrong) + " — run bash scripts/setup.sh --dev"
