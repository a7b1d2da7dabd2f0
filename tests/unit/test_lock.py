"""The Python environment is pinned: requirements/lock.txt holds a version for every package scripts/setup.sh
installs, each within pyproject.toml's ranges, and setup.sh installs with it as constraints."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
LOCK = REPO / "requirements/lock.txt"
SETUP = (REPO / "scripts/setup.sh").read_text(encoding="utf-8")
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pins() -> dict[str, Version]:
    found = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if m:
            found[canonicalize_name(m.group(1))] = Version(m.group(2))
    return found


def setup_extras() -> list[str]:
    m = re.search(r'^EXTRAS="\$\{EXTRAS:-([a-z0-9,-]+)\}"', SETUP, re.MULTILINE)
    assert m, "scripts/setup.sh sets EXTRAS"
    return m.group(1).split(",")


def requirements(extras: list[str]) -> list[Requirement]:
    """Core requirements and those of ``extras``, self-references (odl-geo[a,b]) expanded."""
    todo, seen, out = list(extras), set(), [Requirement(r) for r in PROJECT["dependencies"]]
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for raw in PROJECT["optional-dependencies"][extra]:
            req = Requirement(raw)
            if canonicalize_name(req.name) == "odl-geo":
                todo.extend(req.extras)
            else:
                out.append(req)
    return out


def test_the_lock_is_compiled_for_the_extras_setup_installs() -> None:
    header = LOCK.read_text(encoding="utf-8").splitlines()[1]
    assert "uv pip compile pyproject.toml" in header and "--python-version 3.11" in header
    assert sorted(re.findall(r"--extra (\S+)", header)) == sorted(setup_extras())


def test_every_requirement_is_pinned_within_its_range() -> None:
    locked = pins()
    for extras in (setup_extras(), ["plugin"]):
        for req in requirements(extras):
            name = canonicalize_name(req.name)
            assert name in locked, f"{req} is not pinned in {LOCK.name}"
            assert req.specifier.contains(locked[name], prereleases=True), f"{name}=={locked[name]} outside {req}"
    assert locked["numpy"] < Version("2")  # Debian's GDAL/QGIS bindings are built on numpy 1.x


def test_setup_installs_with_the_lock_and_reinstalls_when_it_changes() -> None:
    assert 'LOCK=requirements/lock.txt' in SETUP
    assert '-c "$LOCK" -e ".[$EXTRAS]"' in SETUP
    assert re.search(r'want="\$\(cat pyproject\.toml "\$LOCK" \| sha256sum', SETUP)  # the stamp covers the lock
