"""Domain errors raised by services; web.py turns them into 409/422 pages and JSON."""

from __future__ import annotations


class Invalid(Exception):
    """Input a person must correct: one message per field, in the order the form shows them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Conflict(Exception):
    """The change clashes with what is already there (a duplicate, or someone else's edit)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


STALE_EDIT = (
    "Someone else changed this record while you were editing it. "
    "Nothing was saved: reload the page to see their changes, then make yours again."
)
