"""The architecture's one rule, enforced: core/ and sim/ stay free of the UI (and sim/ of core/).

Two checks: a subprocess imports every module of the package and fails if Textual (or a
forbidden gtui package) got loaded; and a static scan fails if our own code imports Rich.
Rich itself may appear at run time because httpx loads its optional CLI (which uses Rich)
whenever click is installed, and uvicorn brings click.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gtui"

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for info in pkgutil.walk_packages(package.__path__, {package!r} + "."):
    importlib.import_module(info.name)
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "textual"
                or any(name == f or name.startswith(f + ".") for f in {forbidden!r}))
print("\\n".join(loaded))
"""

CASES = [("core", ["gtui.tui"]), ("sim", ["gtui.tui", "gtui.core"])]


@pytest.mark.parametrize(("package", "forbidden"), CASES)
def test_headless_packages_never_load_the_ui(package: str, forbidden: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=f"gtui.{package}", forbidden=forbidden)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", f"gtui.{package} loaded: {result.stdout.split()}"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(("package", "forbidden"), CASES)
def test_headless_packages_never_import_rich_or_textual(package: str, forbidden: list[str]) -> None:
    banned = ("textual", "rich", *forbidden)
    offenders = {
        f"{path.relative_to(SRC)}: {name}"
        for path in (SRC / package).rglob("*.py")
        for name in imported_modules(path)
        if any(name == b or name.startswith(b + ".") for b in banned)
    }
    assert not offenders, sorted(offenders)


def test_the_demo_service_starts_before_the_heavy_imports() -> None:
    """``gtui --demo`` spawns its service first, so the child boots while the app imports;
    the launcher must not pull in the UI, the network stack or the service itself."""
    probe = (
        "import sys, gtui.cli, gtui.tui.launch, gtui.demo_service\n"
        "heavy = ('textual', 'httpx', 'starlette', 'uvicorn', 'gtui.core', 'gtui.sim.app')\n"
        "print(sorted({n for n in sys.modules for h in heavy if n == h or n.startswith(h + '.')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
