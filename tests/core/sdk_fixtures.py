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
        stand_in, matchers = _stand_in_responses()
        sys.modules["responses"] = stand_in
        sys.modules["responses.matchers"] = matchers
        try:
            return importlib.import_module(module)
        finally:
            del sys.modules["responses"]
            del sys.modules["responses.matchers"]
    return importlib.import_module(module)


def _stand_in_responses() -> tuple[types.ModuleType, types.ModuleType]:
    """``responses`` with a ``matchers`` module whose matchers only record what they would
    match: ``("query_param_matcher", {"marker": "m0"})``, read by `expected_params`."""
    stand_in = types.ModuleType("responses")
    matchers = types.ModuleType("responses.matchers")

    def query_param_matcher(params: Any = None, *_args: Any, **_kwargs: Any) -> Any:
        return ("query_param_matcher", dict(params or {}))

    def json_params_matcher(params: Any = None, *_args: Any, **_kwargs: Any) -> Any:
        return ("json_params_matcher", params)

    vars(matchers).update(
        query_param_matcher=query_param_matcher, json_params_matcher=json_params_matcher
    )
    vars(stand_in)["matchers"] = matchers
    return stand_in, matchers


def expected_params(recorded: Any) -> dict[str, str] | None:
    """The query a recorded answer is matched on (its ``query_param_matcher``), if any."""
    for matcher in getattr(recorded, "match", None) or ():
        if isinstance(matcher, tuple) and matcher[0] == "query_param_matcher":
            return {str(k): str(v) for k, v in matcher[1].items()}
    return None


def sdk_response(name: str, case: str = "default") -> Any:
    """One recorded answer: ``.path``, ``.method``, ``.status``, ``.json``, ``.metadata``."""
    return sdk_data(name).RESPONSES.lookup(case)
