"""Sections of the home page: each area contributes what its roles need to see first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from governance.auth import CurrentUser
from governance.roles import Role

Loader = Callable[[CurrentUser], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class HomeSection:
    key: str
    template: str
    roles: frozenset[Role]
    load: Loader
    order: int = 50


_SECTIONS: dict[str, HomeSection] = {}


def register(
    key: str, template: str, roles: tuple[Role, ...], load: Loader, order: int = 50
) -> None:
    _SECTIONS[key] = HomeSection(key, template, frozenset(roles), load, order)


async def sections_for(user: CurrentUser) -> list[tuple[HomeSection, dict[str, Any]]]:
    chosen = sorted(
        (s for s in _SECTIONS.values() if user.roles & s.roles), key=lambda s: (s.order, s.key)
    )
    return [(section, await section.load(user)) for section in chosen]
