"""Deny by default: every route declares who may use it, and one guard enforces the declaration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from governance import audit
from governance.auth import CurrentUser
from governance.roles import Role

ACCESS_KEY = "access"


@dataclass(frozen=True, slots=True)
class Access:
    public: bool = False
    roles: frozenset[Role] | None = None  # None with public False: anyone signed in
    partner_param: str | None = None  # path parameter an ADM must be scoped to

    def allows(self, user: CurrentUser | None) -> bool:
        if self.public:
            return True
        if user is None:
            return False
        return self.roles is None or bool(user.roles & self.roles)

    def describe(self) -> str:
        if self.public:
            return "anyone"
        if self.roles is None:
            return "anyone signed in"
        return ", ".join(sorted(role.label for role in self.roles))


def public() -> dict[str, Any]:
    return {ACCESS_KEY: Access(public=True)}


def signed_in() -> dict[str, Any]:
    return {ACCESS_KEY: Access()}


def allow(*roles: Role, partner_param: str | None = None) -> dict[str, Any]:
    if not roles:
        raise ValueError("allow() needs at least one role; use signed_in() for everyone")
    return {ACCESS_KEY: Access(roles=frozenset(roles), partner_param=partner_param)}


def is_generated_options(handler: BaseRouteHandler) -> bool:
    # Litestar adds an OPTIONS handler to every path; it only lists the allowed methods.
    fn = getattr(handler, "fn", None)
    methods: set[str] = getattr(handler, "http_methods", set())
    return methods == {"OPTIONS"} and getattr(fn, "__name__", "") == "options_handler"


def declared(handler: BaseRouteHandler) -> Access | None:
    if is_generated_options(handler):
        return Access(public=True)
    access = handler.opt.get(ACCESS_KEY)
    return access if isinstance(access, Access) else None


async def enforce_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    access = declared(handler)
    user: CurrentUser | None = connection.scope.get("user")
    if access is None:
        await _refuse(connection, user, "the page declares no access rule")
    if access is not None and access.public:
        return
    if user is None:
        raise NotAuthorizedException("Sign in to continue")
    assert access is not None
    if not access.allows(user):
        await _refuse(connection, user, f"needs {access.describe()}")
    # An ADM is admitted only for the authorities they decide for; anyone the route admits by
    # another of its roles (an adviser, say) is not limited by partner.
    roles = access.roles or frozenset()
    if (
        access.partner_param
        and Role.ADM in roles
        and not user.has(Role.SYSTEM_ADMIN, *(roles - {Role.ADM}))
    ):
        partner = connection.path_params.get(access.partner_param)
        if partner not in user.adm_partner_ids:
            await _refuse(connection, user, "not a decision maker for that authority")


async def _refuse(
    connection: ASGIConnection[Any, Any, Any, Any], user: CurrentUser | None, why: str
) -> None:
    await audit.record(
        user,
        "refused",
        "route",
        connection.scope.get("route_handler").name or "",
        path=connection.url.path,
        summary=why,
    )
    raise PermissionDeniedException("You do not have access to this page")
