"""Every route as every role: each gets exactly what the route declares; nothing is undeclared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.routes import HTTPRoute

from governance import guards
from governance.guards import Access
from governance.roles import Role
from tests.conftest import make_account, sign_in_client

MISSING_ID = 999_999  # ids that exist nowhere, so a permitted POST finds nothing to change


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    template: str
    access: Access | None
    handler: str


def _concrete(template: str, partner_id: int, partner_param: str | None) -> str:
    def fill(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name == partner_param:
            return str(partner_id)
        if kind == "int":
            return str(MISSING_ID)
        if kind == "path":
            return "/missing.txt"
        if kind == "date":
            return "2027-01-04"
        return "missing"

    return re.sub(r"\{(\w+):(\w+)\}", fill, template)


def access_table(app: Litestar, partner_id: int = 1) -> list[Entry]:
    entries = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            assert isinstance(handler, HTTPRouteHandler)
            access = guards.declared(handler)
            for method in sorted(handler.http_methods):
                entries.append(
                    Entry(
                        method,
                        _concrete(route.path, partner_id, access.partner_param if access else None),
                        route.path,
                        access,
                        handler.handler_name,
                    )
                )
    # Signing out ends the session the rest of the walk needs, so it goes last.
    return sorted(entries, key=lambda e: (e.path == "/sign-out", e.template, e.method))


def test_every_route_declares_who_may_use_it(app: Litestar) -> None:
    undeclared = [
        f"{e.method} {e.template} ({e.handler})" for e in access_table(app) if e.access is None
    ]
    assert undeclared == []


def test_a_route_that_declares_nothing_is_found_and_refused() -> None:
    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "secret"

    bare = Litestar(route_handlers=[forgotten], guards=[guards.enforce_access])
    undeclared = {e.template for e in access_table(bare) if e.access is None}
    assert "/forgotten" in undeclared


def _allowed(access: Access, role: Role | None) -> bool:
    if access.public:
        return True
    if role is None:
        return False
    return access.roles is None or role in access.roles


async def test_each_role_gets_exactly_what_each_route_declares(
    client, agency: dict[str, int]
) -> None:
    app: Litestar = client.app
    jars: dict[Role | None, dict[str, str]] = {}
    for role in [None, *Role]:
        client.cookies.clear()
        if role is None:
            await client.get("/sign-in")
        else:
            person = await make_account(
                role,
                name=f"Matrix {role.value}",
                partners=tuple(agency.values()) if role is Role.ADM else (),
            )
            await sign_in_client(client, person)
        jars[role] = dict(client.cookies)
    failures: list[str] = []
    for entry in access_table(app, partner_id=agency["PCC"]):
        assert entry.access is not None
        for role, jar in jars.items():
            client.cookies.clear()
            for name, value in jar.items():
                client.cookies.set(name, value)
            response = await client.request(
                entry.method,
                entry.path,
                follow_redirects=False,
                headers={"x-csrftoken": jar.get("csrftoken", "")},
            )
            status = response.status_code
            refused = status in (401, 403) or (
                status == 303 and response.headers.get("location", "").startswith("/sign-in?next=")
            )
            who = role.value if role else "anonymous"
            expected = _allowed(entry.access, role)
            if expected and refused:
                failures.append(f"{who} was refused {entry.method} {entry.path}: {status}")
            if not expected and not refused:
                failures.append(f"{who} was let into {entry.method} {entry.path}: {status}")
            if status >= 500:
                failures.append(f"{who} got {status} from {entry.method} {entry.path}")
    assert failures == []


async def test_a_refusal_is_recorded_in_the_audit_log(client, sign_in) -> None:
    from governance import audit

    await sign_in(Role.PANEL_MEMBER, name="Uninvited")
    response = await client.get("/admin/accounts")
    assert response.status_code == 403
    refusal = await audit.last_refusal(path="/admin/accounts")
    assert refusal is not None
    assert refusal["actor"] == "Uninvited"


async def test_a_partner_scoped_route_admits_its_adm_and_its_other_roles_but_no_other_adm(
    agency: dict[str, int],
) -> None:
    from litestar.testing import AsyncTestClient

    from governance.auth import CurrentUser

    @get(
        "/scoped/{partner_id:int}",
        opt=guards.allow(Role.ADM, Role.PANEL_ADVISER, partner_param="partner_id"),
        sync_to_thread=False,
    )
    def scoped(partner_id: FromPath[int]) -> str:
        return "ok"

    def as_user(roles: frozenset[Role], partners: frozenset[int]) -> Any:
        return CurrentUser(1, 1, "x", "x@example.org", roles, partners)

    cases = [
        (frozenset({Role.ADM}), frozenset({agency["PCC"]}), 200),
        (frozenset({Role.ADM}), frozenset({agency["CCC"]}), 403),
        (frozenset({Role.PANEL_ADVISER}), frozenset(), 200),
    ]
    for roles, partners, expected in cases:
        user = as_user(roles, partners)

        def attach(app: Any, user: Any = user) -> Any:
            async def wrapped(scope: Any, receive: Any, send: Any) -> None:
                scope["user"] = user
                await app(scope, receive, send)

            return wrapped

        bare = Litestar(
            route_handlers=[scoped], guards=[guards.enforce_access], middleware=[attach]
        )
        async with AsyncTestClient(app=bare) as test_client:
            response = await test_client.get(f"/scoped/{agency['PCC']}")
        assert response.status_code == expected, (roles, partners)
