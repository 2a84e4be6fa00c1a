"""Checks shared by every form and API body, in words a panel administrator understands."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated

import msgspec
from email_validator import EmailNotValidError, validate_email

from governance.errors import Invalid

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# A whole number in a JSON body (an id, a version, a count) fits the database's integer columns,
# 32 bits on PostgreSQL: a larger one is refused as the body is read (400), as the schema says.
LARGEST_WHOLE = 2**31 - 1
Whole = Annotated[int, msgspec.Meta(ge=-LARGEST_WHOLE - 1, le=LARGEST_WHOLE)]


class Checker:
    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def text(
        self, field: str, value: object, label: str, *, max_length: int = 200, required: bool = True
    ) -> str:
        text = "" if value is None else str(value).strip()
        if _CONTROL.search(text):
            self.fail(field, f"{label} must not contain control characters")
        elif required and not text:
            self.fail(field, f"Enter {label.lower()}")
        elif len(text) > max_length:
            self.fail(field, f"{label} must be {max_length} characters or fewer")
        return text

    def email(self, field: str, value: object, label: str = "Email address") -> str:
        text = self.text(field, value, label, max_length=254)
        if text and field not in self.errors:
            try:
                return validate_email(text, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                self.fail(
                    field, f"Enter {label.lower()} in the correct format, like name@example.org"
                )
        return text.lower()

    def choice(self, field: str, value: object, label: str, allowed: dict[str, str]) -> str:
        text = "" if value is None else str(value)
        if text not in allowed:
            self.fail(field, f"Select {label.lower()}")
        return text

    def integer(
        self,
        field: str,
        value: object,
        label: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            self.fail(field, f"{label} must be a whole number")
            return 0
        if minimum is not None and number < minimum:
            self.fail(field, f"{label} must be {minimum} or more")
        if maximum is not None and number > maximum:
            self.fail(field, f"{label} must be {maximum} or less")
        return number

    def decimal(self, field: str, value: object, label: str, *, places: int = 2) -> Decimal:
        try:
            number = Decimal(str(value).strip().replace(",", "").replace("%", "").replace("£", ""))
        except (InvalidOperation, ValueError):
            self.fail(field, f"{label} must be a number, like 30 or 12.5")
            return Decimal(0)
        if not number.is_finite():
            self.fail(field, f"{label} must be a number, like 30 or 12.5")
            return Decimal(0)
        if number.as_tuple().exponent < -places:  # type: ignore[operator]
            self.fail(field, f"{label} must have no more than {places} decimal places")
        return number

    def day(self, field: str, value: object, label: str, *, required: bool = True) -> date | None:
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.fail(field, f"Enter {label.lower()}")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        for fmt in ("%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"):
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
        self.fail(field, f"{label} must be a real date, like 27 3 2027 or 2027-03-27")
        return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
