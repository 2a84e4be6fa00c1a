"""The Jinja environment: our templates, GOV.UK Frontend macros, and date and money filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from governance import clock, nav
from governance.roles import ROLE_LABELS, Role
from governance.rules import workdays
from governance.settings import ROOT


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.london(value).date()
    return workdays.long_date(value)


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.london(value).date()
    return f"{value.day} {value:%b %Y}"


def date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    local = clock.london(value)
    return f"{local.day} {local:%b %Y} at {local:%H:%M}"


def hour_minute(value: datetime | None) -> str:
    return "" if value is None else f"{clock.london(value):%H:%M}"


def money(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    return f"£{Decimal(value):,.2f}"


def percent(value: Decimal | float | None, places: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{Decimal(value):.{places}f}%"


def role_label(value: str) -> str:
    return ROLE_LABELS.get(Role(value), value) if value in ROLE_LABELS else value


def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(ROOT / "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=long_date,
        short_date=short_date,
        date_time=date_time,
        hour_minute=hour_minute,
        money=money,
        percent=percent,
        role_label=role_label,
    )
    env.globals.update(nav_items=nav.items_for, Role=Role, today=clock.today)
    return env


def render_errors(errors: dict[str, str]) -> list[dict[str, Any]]:
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]
