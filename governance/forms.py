"""Reading HTML form posts into plain dicts, and query filters into values or a refusal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, NoReturn

from litestar import Request
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

MULTI_VALUED = frozenset({"roles", "adm_partners"})


async def form_data(
    request: Request[Any, Any, Any], multi: frozenset[str] = MULTI_VALUED
) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        data[key] = form.getall(key) if key in multi else form.get(key)
    return data


def version_of(data: dict[str, Any]) -> int:
    try:
        return int(str(data.get("version", "")))
    except ValueError:
        return -1


# ---------------------------------------------------------------- query filters
# A filter given a value it cannot take is refused (400, naming the filter and the value), never
# quietly dropped: a list that ignored "partner=abc" would look filtered when it is not.

LARGEST_NUMBER = 2**31 - 1


def refuse_filter(name: str, value: str, expected: str) -> NoReturn:
    message = f"The filter '{name}' cannot be '{value[:60]}': {expected}."
    raise ValidationException(
        detail=message + " Nothing was filtered: change the filter and try again.",
        extra=[{"key": name, "message": message, "source": "query"}],
    )


# What a filter takes, as the OpenAPI schema says it; the handler still reads the text and refuses
# a value it cannot take in its own words (400).
NUMBER_SCHEMA: dict[str, Any] = {"pattern": r"^[0-9]{0,9}$"}
NumberFilter = Annotated[str, QueryParameter(schema_extra=NUMBER_SCHEMA)]


def choices(allowed: Iterable[str]) -> dict[str, Any]:
    """The schema of a `filter_choice` filter: one of `allowed`, or empty for any."""
    return {"enum": list(dict.fromkeys(["", *(str(a) for a in allowed)]))}


def filter_choice(name: str, value: str, allowed: Iterable[str]) -> str:
    """The value, "" for any; a value not among `allowed` is refused."""
    choices = [str(a) for a in allowed]
    if value and value not in choices:
        refuse_filter(name, value, "choose one of " + ", ".join(choices))
    return value


def filter_number(name: str, value: str) -> int | None:
    """A whole number (a record's id), None for any; anything else is refused."""
    if not value:
        return None
    if not value.isdigit() or int(value) > LARGEST_NUMBER:
        refuse_filter(name, value, "give a whole number, or leave it empty for any")
    return int(value)
