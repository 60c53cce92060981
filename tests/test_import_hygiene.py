"""The architecture's one rule, enforced: core/ and sim/ stay free of the UI (and sim/ of core/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module({package!r})
for info in pkgutil.walk_packages(package.__path__, {package!r} + "."):
    importlib.import_module(info.name)
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("textual", "rich")
                or any(name == f or name.startswith(f + ".") for f in {forbidden!r}))
print("\\n".join(loaded))
"""


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("gtui.core", ["gtui.tui"]),
        ("gtui.sim", ["gtui.tui", "gtui.core"]),
    ],
)
def test_headless_packages_never_load_the_ui(package: str, forbidden: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(package=package, forbidden=forbidden)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "", f"{package} loaded: {result.stdout.split()}"
