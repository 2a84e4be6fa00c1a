"""The navigation each role sees; every area adds its own entries when its router is imported."""

from __future__ import annotations

from dataclasses import dataclass

from governance.auth import CurrentUser
from governance.roles import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]
    order: int = 50


_ITEMS: list[NavItem] = []


def add(label: str, href: str, *roles: Role, order: int = 50) -> None:
    if not any(item.href == href for item in _ITEMS):
        _ITEMS.append(NavItem(label, href, frozenset(roles), order))
        _ITEMS.sort(key=lambda item: (item.order, item.label))


def items_for(user: CurrentUser | None, current_path: str) -> list[dict[str, object]]:
    if user is None:
        return []
    shown = [{"text": "Home", "href": "/", "active": current_path == "/"}]
    for item in _ITEMS:
        if user.roles & item.roles:
            shown.append(
                {
                    "text": item.label,
                    "href": item.href,
                    "active": current_path == item.href or current_path.startswith(item.href + "/"),
                }
            )
    return shown
