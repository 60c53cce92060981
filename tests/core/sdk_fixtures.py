"""The Globus SDK's recorded API answers (``globus_sdk.testing.data``), for the core's tests.

Those modules only describe answers, but ``globus_sdk.testing`` imports ``responses`` (the
mock library for ``requests``) on the way, which gtui does not install. A stand-in module
is put in its place for the import alone when it is missing: nothing here activates a mock.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


def sdk_data(name: str) -> types.ModuleType:
    """``sdk_data("timer.get_job")`` is ``globus_sdk.testing.data.timer.get_job``."""
    module = f"globus_sdk.testing.data.{name}"
    if module in sys.modules:
        return sys.modules[module]
    try:
        import responses  # noqa: F401
    except ImportError:
        sys.modules["responses"] = types.ModuleType("responses")
        try:
            return importlib.import_module(module)
        finally:
            del sys.modules["responses"]
    return importlib.import_module(module)


def sdk_response(name: str, case: str = "default") -> Any:
    """One recorded answer: ``.path``, ``.method``, ``.status``, ``.json``, ``.metadata``."""
    return sdk_data(name).RESPONSES.lookup(case)
