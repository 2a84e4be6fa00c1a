"""Schemathesis hooks for .ci/fuzz: each operation is called as a demo person whose role the route
admits, signed in through the service's own sign-in form, with the CSRF header the API asks for;
and the accounts the fuzzer signs in with are kept out of the operations that would lock it out."""

from __future__ import annotations

import os
import re
import threading
from typing import Any

import requests
import schemathesis

from governance.roles import Role

BASE_URL = os.environ["FUZZ_BASE_URL"]
PASSWORD = os.environ.get("FUZZ_PASSWORD", "demo-password-2026")

# The demo agency's people (`governance demo` prints them), one for each role.
ACCOUNTS: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "admin@demo.example",
    Role.PANEL_ADVISER: "adviser@demo.example",
    Role.PANEL_ADMINISTRATOR: "administrator@demo.example",
    Role.PANEL_MEMBER: "member@demo.example",
    Role.ADM: "adm@demo.example",
    Role.BOARD_CHAIR: "chair@demo.example",
    Role.BOARD_MEMBER: "board@demo.example",
    Role.AUDITOR: "auditor@demo.example",
}
# When a route admits several roles, the one that can do the most with it calls it.
PREFERENCE = (
    Role.PANEL_ADVISER,
    Role.SYSTEM_ADMIN,
    Role.BOARD_CHAIR,
    Role.ADM,
    Role.AUDITOR,
    Role.PANEL_MEMBER,
    Role.PANEL_ADMINISTRATOR,
    Role.BOARD_MEMBER,
)


def _route_roles() -> dict[tuple[str, str], Role]:
    # Who may call each route is declared on the route (governance/guards.py): read it there.
    from governance.app import create_app
    from governance.guards import declared

    chosen: dict[tuple[str, str], Role] = {}
    for route in create_app().routes:
        path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            access = declared(handler)
            roles = (access.roles if access else None) or frozenset(PREFERENCE)
            role = next(r for r in PREFERENCE if r in roles)
            for method in getattr(handler, "http_methods", ()):
                chosen[(method.upper(), path)] = role
    return chosen


ROUTE_ROLES = _route_roles()


def _role_for(operation: Any) -> Role:
    return ROUTE_ROLES.get((operation.method.upper(), operation.path), Role.PANEL_ADVISER)


def _sign_in(role: Role) -> dict[str, str]:
    session = requests.Session()
    session.get(f"{BASE_URL}/sign-in", timeout=30).raise_for_status()
    token = session.cookies.get("csrftoken")
    response = session.post(
        f"{BASE_URL}/sign-in",
        data={"_csrf_token": token, "email": ACCOUNTS[role], "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    started = session.cookies.get("gov_session")
    if response.status_code != 303 or not started or not token:
        raise RuntimeError(f"signing in as {ACCOUNTS[role]} answered {response.status_code}")
    return {"gov_session": started, "csrftoken": token}


@schemathesis.auth(cache_by_key=lambda case, ctx: _role_for(ctx.operation).value)
class DemoSession:
    def get(self, case: Any, ctx: Any) -> dict[str, str]:
        return _sign_in(_role_for(ctx.operation))

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.cookies = {**(case.cookies or {}), **data}
        # Litestar's CSRF check compares this header with the csrftoken cookie on every write.
        case.headers = {**(case.headers or {}), "x-csrftoken": data["csrftoken"]}


_lock = threading.Lock()
_protected: set[int] = set()


def _fuzzer_account_ids() -> set[int]:
    with _lock:
        if not _protected:
            cookies = _sign_in(Role.SYSTEM_ADMIN)
            response = requests.get(f"{BASE_URL}/api/v1/accounts", cookies=cookies, timeout=30)
            response.raise_for_status()
            emails = set(ACCOUNTS.values())
            _protected.update(row["id"] for row in response.json() if row["email"] in emails)
        return _protected


# Disabling, re-roling or resetting the password of an account the fuzzer signs in with would end
# or cripple its sessions, and every later call would test only the sign-in page.
@schemathesis.hook
def filter_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> bool:
    if not path_parameters or "account_id" not in path_parameters:
        return True
    if ctx.operation.method.upper() == "GET":
        return True
    return path_parameters["account_id"] not in _fuzzer_account_ids()


NO_SUCH_ACCOUNT = 2**31 - 1


# The same guard for cases the filter never sees: the stateful phase fills ids in from earlier
# answers (GET /api/v1/accounts lists the fuzzer's own), so such a call goes to an id nobody has.
@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if not filter_path_parameters(ctx, case.path_parameters):
        case.path_parameters = {**case.path_parameters, "account_id": NO_SUCH_ACCOUNT}
