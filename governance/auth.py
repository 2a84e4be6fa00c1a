"""Passwords, sign-in sessions and the signed-in user attached to every request."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from litestar.enums import ScopeType

from governance import clock
from governance.roles import Role
from governance.tables import Account, Person, RoleGrant, SignInSession

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from governance.settings import Settings

SESSION_COOKIE = "gov_session"
# Writing last_seen_at on every request would turn each page view into a write.
_TOUCH_AFTER = timedelta(seconds=60)


@lru_cache(maxsize=2)
def hasher(cheap: bool) -> PasswordHasher:
    if cheap:  # tests only: the same algorithm with parameters that take microseconds
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def hash_password(password: str, *, cheap: bool = False) -> str:
    return hasher(cheap).hash(password)


def password_matches(stored: str, password: str, *, cheap: bool = False) -> bool:
    try:
        return hasher(cheap).verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    # Four groups are easy to read out over the phone and still have ~80 bits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CurrentUser:
    account_id: int
    person_id: int
    name: str
    email: str
    roles: frozenset[Role]
    adm_partner_ids: frozenset[int] = field(default_factory=frozenset)
    session_id: int = 0
    adm_for_agency: bool = False  # an ADM who decides for the agency itself

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


async def load_user(account_id: int, session_id: int = 0) -> CurrentUser | None:
    account = (
        await Account.select(
            Account.id,
            Account.disabled,
            Account.person.id.as_alias("person_id"),
            Account.person.name.as_alias("name"),
            Account.person.email.as_alias("email"),
        )
        .where(Account.id == account_id)
        .first()
    )
    if account is None or account["disabled"]:
        return None
    grants = await RoleGrant.select(RoleGrant.role, RoleGrant.partner).where(
        RoleGrant.account == account_id
    )
    return CurrentUser(
        account_id=account["id"],
        person_id=account["person_id"],
        name=account["name"],
        email=account["email"],
        roles=frozenset(Role(g["role"]) for g in grants),
        adm_partner_ids=frozenset(
            g["partner"] for g in grants if g["role"] == Role.ADM and g["partner"] is not None
        ),
        session_id=session_id,
        adm_for_agency=any(g["role"] == Role.ADM and g["partner"] is None for g in grants),
    )


async def start_session(account_id: int, settings: Settings) -> str:
    token = secrets.token_urlsafe(32)
    moment = clock.now()
    await SignInSession.insert(
        SignInSession(
            token_hash=token_hash(token),
            account=account_id,
            created_at=moment,
            last_seen_at=moment,
            expires_at=moment + timedelta(hours=settings.session_max_hours),
        )
    )
    return token


async def end_session(token: str) -> None:
    await SignInSession.delete().where(SignInSession.token_hash == token_hash(token))


async def end_sessions_of(account_id: int) -> None:
    await SignInSession.delete().where(SignInSession.account == account_id)


@dataclass(frozen=True, slots=True)
class SessionLookup:
    user: CurrentUser | None
    expired: bool = False


async def user_for_token(
    token: str, settings: Settings, now: datetime | None = None
) -> SessionLookup:
    moment = now or clock.now()
    row = (
        await SignInSession.select(
            SignInSession.id,
            SignInSession.account,
            SignInSession.last_seen_at,
            SignInSession.expires_at,
        )
        .where(SignInSession.token_hash == token_hash(token))
        .first()
    )
    if row is None:
        return SessionLookup(None)
    idle_limit = row["last_seen_at"] + timedelta(minutes=settings.session_idle_minutes)
    if moment >= idle_limit or moment >= row["expires_at"]:
        await SignInSession.delete().where(SignInSession.id == row["id"])
        return SessionLookup(None, expired=True)
    if moment - row["last_seen_at"] > _TOUCH_AFTER:
        await SignInSession.update({SignInSession.last_seen_at: moment}).where(
            SignInSession.id == row["id"]
        )
    user = await load_user(row["account"], row["id"])
    return SessionLookup(user)


class SessionMiddleware:
    """Attaches the signed-in user (or None) to every HTTP request; guards decide what follows."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        scope["user"] = None
        state: dict[str, Any] = scope.setdefault("state", {})
        state["session_expired"] = False
        if not scope["path"].startswith("/assets/"):
            token = _cookie(scope, SESSION_COOKIE)
            if token:
                settings: Settings = scope["litestar_app"].state.settings
                lookup = await user_for_token(token, settings)
                scope["user"] = lookup.user
                state["session_expired"] = lookup.expired
        await self.app(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, cookie_value = part.strip().partition("=")
                if cookie_name == name:
                    return cookie_value
    return None


async def find_account_by_email(email: str) -> dict[str, Any] | None:
    return await (
        Account.select(
            Account.id,
            Account.password_hash,
            Account.disabled,
            Account.failed_sign_ins,
            Account.locked_until,
            Account.person.name.as_alias("name"),
        )
        .where(Account.person.email == email.strip().lower())
        .first()
    )


async def person_name(person_id: int) -> str:
    row = await Person.select(Person.name).where(Person.id == person_id).first()
    return row["name"] if row else ""
