"""The two ways a Groups request fails: all of it, or one item of a membership batch."""

from __future__ import annotations


class GroupsError(Exception):
    """A whole-request failure (unknown group, bad body, forbidden policy change)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class ItemError(Exception):
    """One batch item refused; reported in the answer's ``errors``."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
