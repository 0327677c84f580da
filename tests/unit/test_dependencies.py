"""Every third-party package the server's code imports is declared in pyproject.toml (with an
upper bound), and requirements.lock pins each declared package with hashes."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
OWN_PACKAGES = {"app", "schema", "migrations"}
# Imported only when installed, with a fallback (app/cli_commands.py: the SDK's command line).
OPTIONAL = {"stagdb"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normal(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0])


def _project() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def imported_modules() -> dict[str, set[str]]:
    """Top-level third-party modules imported by the server, with the files importing them."""
    found: dict[str, set[str]] = {}
    for package in sorted(OWN_PACKAGES):
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OWN_PACKAGES | OPTIONAL:
                        found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_imported_package_is_declared() -> None:
    declared = {_requirement_name(r) for r in _project()["dependencies"]}
    distributions = packages_distributions()
    undeclared = {
        module: sorted(files)
        for module, files in imported_modules().items()
        if not {_normal(d) for d in distributions.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not in [project].dependencies: {undeclared}"


def test_fast_moving_dependencies_have_upper_bounds() -> None:
    project = _project()
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    unbounded = [r for r in requirements if "<" not in r]
    assert not unbounded, f"no upper bound: {unbounded}"


def test_the_lock_pins_every_declared_package_with_hashes() -> None:
    lock = (REPO / "requirements.lock").read_text()
    pinned = {_normal(name) for name in re.findall(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    project = _project()
    requirements = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    missing = {_requirement_name(r) for r in requirements} - pinned
    assert not missing, f"declared but not pinned in requirements.lock: {missing}"
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock.split("\n", 6)[-1])
    assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)
