"""Agency, partners, people and accounts: queries and audited writes, returning plain values."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from governance import audit, auth, clock, db, mail
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.roles import PARTNER_SCOPED, ROLE_LABELS, Role
from governance.settings import Settings
from governance.tables import (
    Account,
    Agency,
    ClosureDay,
    FundingShare,
    MailTest,
    OutboxMessage,
    Partner,
    PartnerKind,
    Person,
    RoleGrant,
)
from governance.validate import Checker

PARTNER_KIND_LABELS = {
    PartnerKind.LOCAL_AUTHORITY: "Local authority",
    PartnerKind.VOLUNTARY_ADOPTION_AGENCY: "Voluntary adoption agency",
}

# ---------------------------------------------------------------- agency and partners


async def agency() -> dict[str, Any] | None:
    return await Agency.select().first()


async def partners() -> list[dict[str, Any]]:
    return list(await Partner.select().order_by(Partner.name))


async def partner(partner_id: int) -> dict[str, Any]:
    row = await Partner.select().where(Partner.id == partner_id).first()
    if row is None:
        raise NotFound(f"No partner {partner_id}")
    return row


def _check_partner(data: dict[str, Any]) -> dict[str, Any]:
    check = Checker()
    values: dict[str, Any] = {
        "name": check.text("name", data.get("name"), "Partner name"),
        "code": check.text("code", data.get("code"), "Short code", max_length=20).upper(),
        "kind": check.choice(
            "kind",
            data.get("kind"),
            "What kind of organisation it is",
            {k.value: v for k, v in PARTNER_KIND_LABELS.items()},
        ),
        "is_host": str(data.get("is_host", "")).lower() in {"1", "true", "yes", "on"},
    }
    if values["code"] and not values["code"].replace("-", "").isalnum():
        check.fail("code", "Short code must be letters, numbers and hyphens only, like PCC")
    check.raise_if_any()
    return values


async def _refuse_duplicate_partner(values: dict[str, Any], partner_id: int = 0) -> None:
    others = await Partner.select(Partner.name, Partner.code).where(Partner.id != partner_id)
    if any(o["code"] == values["code"] for o in others):
        raise Conflict(f"A partner with short code {values['code']} already exists", "code")
    if any(str(o["name"]).casefold() == values["name"].casefold() for o in others):
        raise Conflict(f"A partner called {values['name']} already exists", "name")


def _partner_clash(values: dict[str, Any]) -> Conflict:
    # The unique indexes refused a partner another request added at the same moment.
    return Conflict(
        f"A partner called {values['name']} or with short code {values['code']} already exists: "
        "it was added at the same moment. Check the list of partners",
        "name",
    )


async def create_partner(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    values = _check_partner(data)
    try:
        async with db.transaction():
            owner = await Agency.select(Agency.id).first()
            if owner is None:
                raise Conflict("Set up the agency before adding partners")
            await _refuse_duplicate_partner(values)
            if values["is_host"] and await Partner.exists().where(Partner.is_host.eq(True)):
                raise Conflict(
                    "The agency already has a host partner; only one partner can host it",
                    "is_host",
                )
            row = await Partner.insert(Partner(agency=owner["id"], **values)).returning(Partner.id)
            await audit.record(actor, "create", "partner", row[0]["id"], path=path, after=values)
    except Exception as error:
        if db.is_clash(error):
            raise _partner_clash(values) from error
        raise
    return int(row[0]["id"])


# What still refers to a partner, in words, by table (a table not named here is named as is).
_REFERRERS = {
    "agenda_item": "panel items",
    "role_grant": "decision maker accounts",
    "adm_assignment": "decision maker assignments",
    "referral": "referrals to a decision maker",
    "funding_share": "funding shares",
    "board_member": "board members",
    "quarter_figures": "quarterly figures",
    "agency": "the agency (its host)",
}


async def partner_referrers(partner_id: int) -> list[str]:
    """What refers to this partner, with how many of each: e.g. "3 panel items". Every table
    with a foreign key to Partner is asked, so a table added later is not missed."""
    from piccolo.conf.apps import Finder  # every app's tables, found when asked

    found: dict[str, int] = {}
    for table in Finder().get_table_classes():
        for column in table._meta.foreign_key_columns:
            if column._foreign_key_meta.resolved_references is not Partner:
                continue
            count = await table.count().where(column == partner_id)
            if count:
                label = _REFERRERS.get(table._meta.tablename, table._meta.tablename)
                found[label] = found.get(label, 0) + int(count)
    return [f"{n} {label}" for label, n in found.items()]


async def remove_partner(actor: Actor, partner_id: int, version: int, *, path: str = "") -> None:
    """Remove a partner that nothing refers to; otherwise refuse, saying what still does."""
    try:
        async with db.transaction():
            before = await partner(partner_id)
            if before["version"] != version:
                raise Conflict(STALE_EDIT)
            still = await partner_referrers(partner_id)
            if still:
                raise Conflict(
                    f"{before['name']} cannot be removed while {_listed(still)} still refer to "
                    "it: move or remove those first",
                    "remove",
                )
            await Partner.delete().where((Partner.id == partner_id) & (Partner.version == version))
            await audit.record(
                actor,
                "delete",
                "partner",
                partner_id,
                path=path,
                before={k: before[k] for k in ("name", "code", "kind", "is_host")},
            )
    except Exception as error:
        if db.is_clash(error):  # something came to refer to it at the same moment
            raise Conflict(
                "Something came to refer to this partner while it was being removed: try again",
                "remove",
            ) from error
        raise


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


async def update_partner(
    actor: Actor, partner_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    values = _check_partner(data)
    try:
        async with db.transaction():
            before = await partner(partner_id)
            await _refuse_duplicate_partner(values, partner_id)
            if values["is_host"] and await Partner.exists().where(
                Partner.is_host.eq(True) & (Partner.id != partner_id)
            ):
                raise Conflict(
                    "The agency already has a host partner; only one partner can host it",
                    "is_host",
                )
            updated = (
                await Partner.update(dict[Any, Any]({**values, "version": version + 1}))
                .where((Partner.id == partner_id) & (Partner.version == version))
                .returning(Partner.id)
            )
            if not updated:
                raise Conflict(STALE_EDIT)
            await audit.record(
                actor,
                "update",
                "partner",
                partner_id,
                path=path,
                before={k: before[k] for k in values},
                after=values,
            )
    except Exception as error:
        if db.is_clash(error):
            raise _partner_clash(values) from error
        raise


async def funding_shares() -> dict[int, dict[int, Decimal]]:
    """Shares by financial year, then partner id."""
    shares: dict[int, dict[int, Decimal]] = {}
    for row in await FundingShare.select().order_by(FundingShare.financial_year):
        shares.setdefault(row["financial_year"], {})[row["partner"]] = Decimal(row["percent"])
    return shares


async def set_funding_shares(
    actor: Actor, financial_year: int, raw_shares: Mapping[int, object], *, path: str = ""
) -> None:
    check = Checker()
    known = {p["id"]: p for p in await partners()}
    if not 2000 <= financial_year <= 2100:
        check.fail("financial_year", "Financial year must be a year like 2026 (for 2026-27)")
    shares: dict[int, Decimal] = {}
    for partner_id, raw in raw_shares.items():
        if partner_id not in known:
            check.fail(f"share-{partner_id}", f"There is no partner {partner_id}")
            continue
        label = f"{known[partner_id]['name']}'s share"
        share = check.decimal(f"share-{partner_id}", raw, label, places=4)
        if share < 0 or share > 100:
            check.fail(f"share-{partner_id}", f"{label} must be between 0 and 100 per cent")
        shares[partner_id] = share
    missing = set(known) - set(shares)
    for partner_id in sorted(missing):
        check.fail(f"share-{partner_id}", f"Enter {known[partner_id]['name']}'s share")
    if not check.errors and sum(shares.values(), Decimal(0)) != 100:
        total = sum(shares.values(), Decimal(0)).normalize()
        check.fail("shares", f"The shares must add up to exactly 100%; they add up to {total:f}%")
    check.raise_if_any()
    async with db.transaction():
        before = {
            r["partner"]: r["percent"]
            for r in await FundingShare.select().where(
                FundingShare.financial_year == financial_year
            )
        }
        await FundingShare.delete().where(FundingShare.financial_year == financial_year)
        await FundingShare.insert(
            *[
                FundingShare(partner=pid, financial_year=financial_year, percent=share)
                for pid, share in shares.items()
            ]
        )
        await audit.record(
            actor, "update", "funding_share", financial_year, path=path, before=before, after=shares
        )


async def set_assesses_adopters(
    actor: Actor, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Who assesses adopters: the partner councils (their ADMs decide approvals), or the agency
    itself, a company or VAA like Adoption West (its own ADM decides the approvals it assessed)."""
    check = Checker()
    choice = check.choice(
        "assesses_adopters",
        data.get("assesses_adopters"),
        "Who assesses adopters",
        {"partners": "The partners", "agency": "The agency itself"},
    )
    check.raise_if_any()
    assesses = choice == "agency"
    async with db.transaction():
        before = await Agency.select(Agency.id, Agency.assesses_adopters).first()
        if before is None:
            raise Conflict("Set up the agency first", "assesses_adopters")
        updated = (
            await Agency.update({Agency.assesses_adopters: assesses, Agency.version: version + 1})
            .where((Agency.id == before["id"]) & (Agency.version == version))
            .returning(Agency.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT, "assesses_adopters")
        await audit.record(
            actor,
            "update",
            "agency",
            before["id"],
            path=path,
            summary="the agency assesses adopters itself" if assesses else "the partners assess",
            before={"assesses_adopters": before["assesses_adopters"]},
            after={"assesses_adopters": assesses},
        )


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    partner_id: int | None = None  # of an ADM grant: None decides for the agency itself

    @property
    def scope(self) -> str:
        """An ADM grant's scope as a form names it: a partner's id, or AGENCY_SCOPE."""
        return AGENCY_SCOPE if self.partner_id is None else str(self.partner_id)


# The value of "the agency itself" among an ADM account's authorities (forms, API, command line).
AGENCY_SCOPE = "agency"


async def holders_of(role: Role) -> list[dict[str, Any]]:
    """Everyone whose working (not disabled) account holds `role`: name and e-mail, once each,
    by name."""
    rows = await RoleGrant.select(
        RoleGrant.account._.person._.name.as_alias("name"),
        RoleGrant.account._.person._.email.as_alias("email"),
    ).where(
        (RoleGrant.role == role) & (RoleGrant.account._.disabled == False)  # noqa: E712
    )
    return sorted({(r["name"], r["email"]): r for r in rows}.values(), key=lambda r: r["name"])


async def accounts() -> list[dict[str, Any]]:
    rows = await Account.select(
        Account.id,
        Account.disabled,
        Account.locked_until,
        Account.last_sign_in_at,
        Account.version,
        Account.person.name.as_alias("name"),
        Account.person.email.as_alias("email"),
    ).order_by(Account.person.name)
    grants = await _grants_by_account()
    for row in rows:
        row["grants"] = grants.get(row["id"], [])
    return list(rows)


async def _grants_by_account(account_id: int | None = None) -> dict[int, list[Grant]]:
    query = RoleGrant.select(RoleGrant.account, RoleGrant.role, RoleGrant.partner)
    if account_id is not None:
        query = query.where(RoleGrant.account == account_id)
    grants: dict[int, list[Grant]] = {}
    for g in await query:
        grants.setdefault(g["account"], []).append(Grant(Role(g["role"]), g["partner"]))
    for items in grants.values():
        items.sort(key=lambda g: (list(Role).index(g.role), g.partner_id or 0))
    return grants


async def account(account_id: int) -> dict[str, Any]:
    row = (
        await Account.select(
            Account.id,
            Account.disabled,
            Account.locked_until,
            Account.failed_sign_ins,
            Account.last_sign_in_at,
            Account.created_at,
            Account.version,
            Account.person.id.as_alias("person_id"),
            Account.person.name.as_alias("name"),
            Account.person.email.as_alias("email"),
        )
        .where(Account.id == account_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No account {account_id}")
    row["grants"] = (await _grants_by_account(account_id)).get(account_id, [])
    return row


async def _check_account(data: dict[str, Any]) -> tuple[str, str, list[Grant]]:
    check = Checker()
    name = check.text("name", data.get("name"), "Full name")
    email = check.email("email", data.get("email"))
    raw_roles = data.get("roles") or []
    if isinstance(raw_roles, str):
        raw_roles = [raw_roles]
    partner_ids = {p["id"] for p in await partners()}
    raw_partners = data.get("adm_partners") or []
    if isinstance(raw_partners, str | int):
        raw_partners = [raw_partners]
    grants: list[Grant] = []
    for raw in raw_roles:
        if raw not in ROLE_LABELS:
            check.fail("roles", f"{raw!s:.40} is not a role")
            continue
        role = Role(raw)
        if role in PARTNER_SCOPED:
            chosen: set[int] = set()
            for_agency = False
            for p in raw_partners:
                if str(p).strip().lower() == AGENCY_SCOPE:
                    for_agency = True
                    continue
                try:
                    chosen.add(int(p))
                except (TypeError, ValueError):
                    check.fail("adm_partners", "Select the authorities this person decides for")
            if for_agency:
                grants.append(Grant(role, None))
            if not chosen and not for_agency:
                check.fail(
                    "adm_partners",
                    "Select at least one authority this agency decision maker decides for",
                )
            elif not chosen <= partner_ids:
                check.fail("adm_partners", "Select authorities from the list")
            grants.extend(Grant(role, pid) for pid in sorted(chosen))
        else:
            grants.append(Grant(role))
    if not raw_roles:
        check.fail("roles", "Select at least one role")
    check.raise_if_any()
    return name, email, grants


async def person_for(name: str, email: str) -> tuple[int, str | None]:
    """The person with this e-mail address, added as `name` when there is none: their id, and
    the name already held for them (None when just added). Call it inside the caller's
    transaction, which decides what an existing person may not already be."""
    found = await Person.select(Person.id, Person.name).where(Person.email == email).first()
    if found is not None:
        return int(found["id"]), str(found["name"])
    inserted = await Person.insert(Person(name=name, email=email)).returning(Person.id)
    return int(inserted[0]["id"]), None


def _unique_email_clash(email: str) -> Conflict:
    return Conflict(f"An account or person with the email address {email} already exists", "email")


async def create_account(
    actor: Actor,
    data: dict[str, Any],
    *,
    password: str | None = None,
    cheap_hash: bool = False,
    path: str = "",
) -> tuple[int, str]:
    """Returns the new account's id and the password it signs in with (one-time when generated)."""
    name, email, grants = await _check_account(data)
    secret = password or auth.new_password()
    hashed = auth.hash_password(secret, cheap=cheap_hash)
    try:
        async with db.transaction():
            person_id, held = await person_for(name, email)
            if held is not None and await Account.exists().where(Account.person == person_id):
                raise _unique_email_clash(email)
            row = await Account.insert(Account(person=person_id, password_hash=hashed)).returning(
                Account.id
            )
            account_id = int(row[0]["id"])
            await _write_grants(account_id, grants)
            await audit.record(
                actor,
                "create",
                "account",
                account_id,
                path=path,
                after={"name": name, "email": email, "roles": _grant_labels(grants)},
            )
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise _unique_email_clash(email) from error
    return account_id, secret


@dataclass(frozen=True, slots=True)
class DecisionMakerAdded:
    account_id: int
    name: str
    password: str | None  # the new account's one-time password; None when it already had one
    scopes_added: int


async def add_decision_maker(
    actor: Actor, data: dict[str, Any], *, cheap_hash: bool = False, path: str = ""
) -> DecisionMakerAdded:
    """An agency decision maker's account, scoped to the authorities they decide for (and/or the
    agency itself). A person who already has an account keeps it, with its other roles, and is
    given the ADM scopes it lacked; anyone else gets a new account and a one-time password,
    as `governance create-user` gives."""
    name, email, grants = await _check_account({**data, "roles": [Role.ADM.value]})
    secret = auth.new_password()
    try:
        async with db.transaction():
            person_id, held = await person_for(name, email)
            found = await Account.select(Account.id).where(Account.person == person_id).first()
            if found is None:
                row = await Account.insert(
                    Account(
                        person=person_id, password_hash=auth.hash_password(secret, cheap=cheap_hash)
                    )
                ).returning(Account.id)
                account_id = int(row[0]["id"])
                await _write_grants(account_id, grants)
                await audit.record(
                    actor,
                    "create",
                    "account",
                    account_id,
                    path=path,
                    after={"name": name, "email": email, "roles": _grant_labels(grants)},
                )
                return DecisionMakerAdded(account_id, name, secret, len(grants))
            account_id = int(found["id"])
            had = (await _grants_by_account(account_id)).get(account_id, [])
            new = [g for g in grants if g not in had]
            if new:
                await RoleGrant.insert(
                    *[RoleGrant(account=account_id, role=g.role, partner=g.partner_id) for g in new]
                )
                await Account.update({Account.version: Account.version + 1}).where(
                    Account.id == account_id
                )
            await audit.record(
                actor,
                "update",
                "account",
                account_id,
                path=path,
                summary="decision maker scopes added",
                before={"roles": _grant_labels(had)},
                after={"roles": _grant_labels([*had, *new])},
            )
            return DecisionMakerAdded(account_id, held or name, None, len(new))
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise _unique_email_clash(email) from error


async def _write_grants(account_id: int, grants: list[Grant]) -> None:
    await RoleGrant.delete().where(RoleGrant.account == account_id)
    if grants:
        await RoleGrant.insert(
            *[RoleGrant(account=account_id, role=g.role, partner=g.partner_id) for g in grants]
        )


def _grant_labels(grants: list[Grant]) -> list[str]:
    return [g.role.value + (f"@{g.scope}" if g.role in PARTNER_SCOPED else "") for g in grants]


async def update_account(
    actor: Actor, account_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    name, email, grants = await _check_account(data)
    try:
        async with db.transaction():
            before = await account(account_id)
            if await Person.exists().where(
                (Person.email == email) & (Person.id != before["person_id"])
            ):
                raise _unique_email_clash(email)
            bumped = (
                await Account.update({Account.version: version + 1})
                .where((Account.id == account_id) & (Account.version == version))
                .returning(Account.id)
            )
            if not bumped:
                raise Conflict(STALE_EDIT)
            await Person.update({Person.name: name, Person.email: email}).where(
                Person.id == before["person_id"]
            )
            await _write_grants(account_id, grants)
            await audit.record(
                actor,
                "update",
                "account",
                account_id,
                path=path,
                before={
                    "name": before["name"],
                    "email": before["email"],
                    "roles": _grant_labels(before["grants"]),
                },
                after={"name": name, "email": email, "roles": _grant_labels(grants)},
            )
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise _unique_email_clash(email) from error


async def set_disabled(actor: Actor, account_id: int, disabled: bool, *, path: str = "") -> None:
    if disabled and actor.account_id == account_id:
        raise Conflict("You cannot disable your own account")
    async with db.transaction():
        before = await account(account_id)
        await Account.update(
            {Account.disabled: disabled, Account.version: before["version"] + 1}
        ).where(Account.id == account_id)
        if disabled:
            await auth.end_sessions_of(account_id)
        await audit.record(
            actor,
            "disable" if disabled else "enable",
            "account",
            account_id,
            path=path,
            before={"disabled": before["disabled"]},
            after={"disabled": disabled},
        )


async def reset_password(
    actor: Actor, account_id: int, *, cheap_hash: bool = False, path: str = ""
) -> str:
    secret = auth.new_password()
    hashed = auth.hash_password(secret, cheap=cheap_hash)
    async with db.transaction():
        before = await account(account_id)
        await Account.update(
            {
                Account.password_hash: hashed,
                Account.failed_sign_ins: 0,
                Account.locked_until: None,
                Account.version: before["version"] + 1,
            }
        ).where(Account.id == account_id)
        await auth.end_sessions_of(account_id)
        await audit.record(actor, "reset_password", "account", account_id, path=path)
    return secret


# ---------------------------------------------------------------- signing in


class SignInOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class SignInResult:
    outcome: SignInOutcome
    account_id: int | None = None
    locked_until: datetime | None = None


_DUMMY_HASH: dict[bool, str] = {}


async def sign_in(
    email: str,
    password: str,
    *,
    attempts: int,
    lockout_minutes: int,
    cheap_hash: bool,
    path: str = "",
) -> SignInResult:
    row = await auth.find_account_by_email(email)
    moment = clock.now()
    if row is None:
        # Spend the same time as a real check, so response times do not reveal who has an account.
        dummy = _DUMMY_HASH.setdefault(cheap_hash, auth.hash_password("x", cheap=cheap_hash))
        auth.password_matches(dummy, password, cheap=cheap_hash)
        await audit.record(
            None, "sign_in_failed", "account", "", path=path, summary="unknown email"
        )
        return SignInResult(SignInOutcome.WRONG)
    who = audit.SystemActor(name=row["name"], account_id=row["id"])
    if row["locked_until"] is not None and row["locked_until"] > moment:
        await audit.record(who, "sign_in_failed", "account", row["id"], path=path, summary="locked")
        return SignInResult(SignInOutcome.LOCKED, row["id"], row["locked_until"])
    if not auth.password_matches(row["password_hash"], password, cheap=cheap_hash):
        failures = row["failed_sign_ins"] + 1
        locked_until = moment + timedelta(minutes=lockout_minutes) if failures >= attempts else None
        await Account.update(
            {
                Account.failed_sign_ins: 0 if locked_until else failures,
                Account.locked_until: locked_until,
            }
        ).where(Account.id == row["id"])
        await audit.record(
            who,
            "sign_in_failed",
            "account",
            row["id"],
            path=path,
            summary="locked after repeated failures" if locked_until else "wrong password",
        )
        if locked_until:
            return SignInResult(SignInOutcome.LOCKED, row["id"], locked_until)
        return SignInResult(SignInOutcome.WRONG)
    if row["disabled"]:
        await audit.record(
            who, "sign_in_failed", "account", row["id"], path=path, summary="disabled"
        )
        return SignInResult(SignInOutcome.DISABLED, row["id"])
    await Account.update(
        {Account.failed_sign_ins: 0, Account.locked_until: None, Account.last_sign_in_at: moment}
    ).where(Account.id == row["id"])
    await audit.record(who, "sign_in", "account", row["id"], path=path)
    return SignInResult(SignInOutcome.OK, row["id"])


async def account_counts() -> dict[str, int]:
    rows = await Account.select(Account.disabled, Account.locked_until)
    moment = clock.now()
    return {
        "total": len(rows),
        "disabled": sum(1 for r in rows if r["disabled"]),
        "locked": sum(1 for r in rows if r["locked_until"] and r["locked_until"] > moment),
    }


# ---------------------------------------------------------------- closure days


async def closure_days() -> list[dict[str, Any]]:
    return list(await ClosureDay.select().order_by(ClosureDay.day))


async def add_closure_day(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    day = check.day("day", data.get("day"), "Date the agency is closed")
    reason = check.text("reason", data.get("reason"), "Reason", max_length=200)
    check.raise_if_any()
    assert day is not None
    async with db.transaction():
        if await ClosureDay.exists().where(ClosureDay.day == day):
            raise Conflict(f"{day.day} {day:%B %Y} is already a closure day", "day")
        row = await ClosureDay.insert(ClosureDay(day=day, reason=reason)).returning(ClosureDay.id)
        await audit.record(
            actor,
            "create",
            "closure_day",
            row[0]["id"],
            path=path,
            after={"day": day, "reason": reason},
        )
    return int(row[0]["id"])


async def remove_closure_day(actor: Actor, closure_id: int, *, path: str = "") -> None:
    async with db.transaction():
        row = await ClosureDay.select().where(ClosureDay.id == closure_id).first()
        if row is None:
            raise NotFound(f"No closure day {closure_id}")
        await ClosureDay.delete().where(ClosureDay.id == closure_id)
        await audit.record(
            actor,
            "delete",
            "closure_day",
            closure_id,
            path=path,
            before={"day": row["day"], "reason": row["reason"]},
        )


# ---------------------------------------------------------------- the test e-mail

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no O/0 or I/1 to misread


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace(" ", "").encode()).hexdigest()


async def send_test_email(
    actor: Actor, data: dict[str, Any], settings: Settings, *, path: str = ""
) -> int:
    """Queue a test e-mail through the outbox, as every other message goes, carrying a code (and
    a link that fills it in) which the administrator enters to show that it arrived."""
    check = Checker()
    to = check.email("to", data.get("to"), "Email address to send the test to")
    check.raise_if_any()
    code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
    async with db.transaction():
        row = await MailTest.insert(
            MailTest(
                to_address=to,
                code_hash=_code_hash(code),
                sent_by=getattr(actor, "person_id", None),
            )
        ).returning(MailTest.id)
        test_id = int(row[0]["id"])
        await mail.queue(
            f"mail-test:{test_id}",
            to,
            "Test e-mail from the adoption panel service",
            "This is a test e-mail: it shows that the service can send e-mail to you.\n\n"
            f"Your code is {code}\n\n"
            "Enter it on the go-live checklist, or open this link and press Confirm:\n"
            f"{settings.base_url}/admin/go-live?code={code}#test-email\n",
        )
        await audit.record(actor, "create", "mail_test", test_id, path=path, after={"to": to})
    return test_id


async def confirm_test_email(actor: Actor, data: dict[str, Any], *, path: str = "") -> str:
    """Mark the test e-mail that carried this code received; returns where it was sent."""
    check = Checker()
    code = check.text("code", data.get("code"), "The code from the test e-mail", max_length=20)
    check.raise_if_any()
    async with db.transaction():
        row = await MailTest.select().where(MailTest.code_hash == _code_hash(code)).first()
        if row is None:
            raise Invalid(
                {"code": "That is not the code in a test e-mail: check it, or send another"}
            )
        if row["received_at"] is None:
            await MailTest.update({MailTest.received_at: clock.now()}).where(
                MailTest.id == row["id"]
            )
            await audit.record(
                actor, "receive", "mail_test", row["id"], path=path,
                summary=f"test e-mail to {row['to_address']} arrived",
            )  # fmt: skip
    return str(row["to_address"])


@dataclass(frozen=True, slots=True)
class MailTestState:
    to_address: str
    sent: bool
    received: bool
    last_error: str


async def mail_test_state() -> MailTestState | None:
    """The test e-mail that arrived, if one has; otherwise the latest sent, and how it went."""
    row = (
        await MailTest.select().where(MailTest.received_at.is_not_null()).first()
        or await MailTest.select().order_by(MailTest.id, ascending=False).first()
    )
    if row is None:
        return None
    outbox = (
        await OutboxMessage.select(OutboxMessage.sent_at, OutboxMessage.last_error)
        .where(OutboxMessage.dedupe_key == f"mail-test:{row['id']}")
        .first()
    )
    return MailTestState(
        to_address=str(row["to_address"]),
        sent=bool(outbox and outbox["sent_at"]) or row["received_at"] is not None,
        received=row["received_at"] is not None,
        last_error=str(outbox["last_error"]) if outbox else "",
    )
