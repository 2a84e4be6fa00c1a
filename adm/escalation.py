"""Who is told when a clock is missed: every panel adviser, and the people the agency names here
(its head of service, say), who need no account to be told."""

from __future__ import annotations

import sqlite3
from typing import Any

from asyncpg.exceptions import UniqueViolationError

from adm.tables import EscalationContact
from governance import audit, db
from governance import services as accounts
from governance.audit import Actor
from governance.errors import Conflict, NotFound
from governance.roles import Role
from governance.validate import Checker


async def contacts() -> list[dict[str, Any]]:
    rows = await EscalationContact.select(
        *EscalationContact.all_columns(),
        EscalationContact.person.name.as_alias("name"),
        EscalationContact.person.email.as_alias("email"),
    ).order_by(EscalationContact.person.name)
    return list(rows)


async def advisers() -> list[dict[str, Any]]:
    """The panel advisers with a working account: each is told of every missed clock."""
    return await accounts.holders_of(Role.PANEL_ADVISER)


async def recipients() -> list[str]:
    """Every address told of a missed clock, once each."""
    return sorted({r["email"] for r in await advisers()} | {c["email"] for c in await contacts()})


async def add(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    name = check.text("name", data.get("name"), "Name")
    email = check.email("email", data.get("email"))
    title = check.text("title", data.get("title"), "Job title", required=False) or (
        "Head of service"
    )
    check.raise_if_any()
    try:
        return await _add(actor, name, email, title, path)
    except (UniqueViolationError, sqlite3.IntegrityError):
        # Another request added the same person a moment ago.
        raise Conflict(f"{email} is already told of missed clocks", "email") from None


async def _add(actor: Actor, name: str, email: str, title: str, path: str) -> int:
    async with db.transaction():
        person_id, held = await accounts.person_for(name, email)
        if held is not None and await EscalationContact.exists().where(
            EscalationContact.person == person_id
        ):
            raise Conflict(f"{held} ({email}) is already told of missed clocks", "email")
        new_id: int = (
            await EscalationContact.insert(
                EscalationContact(person=person_id, title=title)
            ).returning(EscalationContact.id)
        )[0]["id"]
        await audit.record(
            actor,
            "create",
            "escalation_contact",
            new_id,
            path=path,
            summary=f"{name} ({title}) is told of missed clocks",
        )
    return new_id


async def remove(actor: Actor, contact_id: int, *, path: str = "") -> None:
    row = await EscalationContact.select().where(EscalationContact.id == contact_id).first()
    if row is None:
        raise NotFound(f"No escalation contact {contact_id}")
    async with db.transaction():
        await EscalationContact.delete().where(EscalationContact.id == contact_id)
        await audit.record(actor, "delete", "escalation_contact", contact_id, path=path, before=row)
