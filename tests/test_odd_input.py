"""Odd input is the asker's mistake, never the service's: numbers too large for any id, years no
panel could sit in, JSON nested without end and filters with values they cannot take answer 4xx."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.routes import HTTPRoute

from governance import guards
from governance.roles import Role
from tests.conftest import make_account, sign_in_client

HUGE = (2**63, 2**64, -(2**63) - 1)


def _routes_with_ids(app: Litestar) -> list[tuple[str, str, Role]]:
    found: list[tuple[str, str, Role]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or ":int}" not in route.path:
            continue
        for handler in route.route_handlers:
            access = guards.declared(handler)
            assert access is not None
            role = Role.SYSTEM_ADMIN if not access.roles else sorted(access.roles)[0]
            for method in sorted(handler.http_methods):
                found.append((method, route.path, role))
    return found


async def test_every_route_with_an_id_answers_4xx_to_a_number_no_id_can_be(client, agency) -> None:
    routes = _routes_with_ids(client.app)
    assert len(routes) > 50
    jars = {}
    for role in {role for _, _, role in routes}:
        person = await make_account(role, name=f"Odd {role.value}", partners=tuple(agency.values()))
        client.cookies.clear()
        await sign_in_client(client, person)
        jars[role] = dict(client.cookies)
    failures = []
    for method, template, role in routes:
        for number in HUGE:
            path = re.sub(r"\{\w+:int\}", str(number), template)
            path = re.sub(r"\{\w+:\w+\}", "missing", path)
            client.cookies.clear()
            for name, value in jars[role].items():
                client.cookies.set(name, value)
            response = await client.request(
                method,
                path,
                follow_redirects=False,
                headers={"x-csrftoken": jars[role].get("csrftoken", "")},
            )
            if not 400 <= response.status_code < 500:
                failures.append(f"{role.value} {method} {path}: {response.status_code}")
    assert failures == []
