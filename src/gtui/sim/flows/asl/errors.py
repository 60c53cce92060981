"""The errors a state raises while a run goes on, named as Globus Flows and the ASL name them.

``Catch`` matches on these names: the action errors Globus documents (``ActionUnableToRun``,
``ActionFailedException``, ``ActionTimeout``) and the ASL's ``States.*`` errors.
"""

from __future__ import annotations

ALL = "States.ALL"
RUNTIME = "States.Runtime"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
ACTION_UNABLE_TO_RUN = "ActionUnableToRun"
ACTION_FAILED = "ActionFailedException"
ACTION_TIMEOUT = "ActionTimeout"


class StateFailure(Exception):
    """A state failed with a named error (``Error``) and a sentence saying why (``Cause``)."""

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause

    def as_document(self) -> dict[str, str]:
        """The error as a Catch's ResultPath receives it."""
        return {"Error": self.error, "Cause": self.cause}
