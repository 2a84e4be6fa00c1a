"""The synthetic demo agency, in any of the shapes of governance/shapes.py (C&P by default),
with fictional people."""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import date

from governance import audit, clock, services, shapes
from governance.audit import SYSTEM
from governance.roles import Role
from governance.settings import Settings
from governance.shapes import CP, Shape
from governance.storage import logo_key, storage_for
from governance.tables import Agency, ClosureDay, MailTest, Partner, Person

DEMO_PASSWORD = "demo-password-2026"  # printed by `governance demo`; demo data only

# (name, email, roles, ADM partner codes) of the default shape's accounts, one for each role
DEMO_ACCOUNTS: list[tuple[str, str, tuple[Role, ...], tuple[str, ...]]] = [
    (a.name, a.email, a.roles, a.adm_partners) for a in CP.accounts
]


def demo_logo(width: int = 300, height: int = 90) -> bytes:
    """A plain synthetic logo (a teal block with a lighter band), made here as a PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    teal, light = bytes((0, 112, 120)), bytes((180, 226, 228))
    rows = b"".join(
        b"\x00" + (light if height // 3 <= y < 2 * height // 3 else teal) * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


async def is_loaded() -> bool:
    return bool(await Agency.exists())


async def accounts_if_demo() -> list[tuple[str, str, str]]:
    """Every demo account with its roles: the eight above, then those the area demos added."""
    agency = await Agency.select(Agency.is_demo).first()
    if agency is None or not agency["is_demo"]:
        return []
    shape = await shapes.loaded()
    listed = [(", ".join(r.label for r in a.roles), a.email, DEMO_PASSWORD) for a in shape.accounts]
    known = {a.email for a in shape.accounts}
    for row in await services.accounts():
        if row["email"] in known or not row["email"].endswith("demo.example"):
            continue
        if not row["grants"]:
            continue  # an account whose roles are still to come (see adm.demo)
        labels = ", ".join(dict.fromkeys(g.role.label for g in row["grants"]))
        listed.append((labels, row["email"], DEMO_PASSWORD))
    return listed


async def load(*, cheap_hash: bool = False, shape: Shape = CP) -> list[tuple[str, str, str]]:
    """Load the demo agency into an empty database; returns (role, email, password) to print."""
    if await is_loaded():
        return []
    logo = demo_logo()
    key = logo_key(hashlib.sha256(logo).hexdigest())
    await storage_for(Settings.from_env()).put(key, logo)
    agency_id = (
        await Agency.insert(
            Agency(
                name=shape.name,
                short_name=shape.short_name,
                legal_form=shape.legal_form,
                address=shape.address,
                postcode=shape.postcode,
                telephone=shape.telephone,
                email=shape.email,
                website=shape.website,
                registered_manager=shape.registered_manager,
                letterhead_footer=shape.letterhead_footer,
                assesses_adopters=shape.assesses_adopters,
                is_demo=True,
                logo_key=key,
            )
        ).returning(Agency.id)
    )[0]["id"]
    await audit.record(
        SYSTEM, "create", "agency", agency_id, summary=f"demo agency loaded ({shape.key})"
    )
    codes: dict[str, int] = {}
    for partner in shape.partners:
        codes[partner.code] = (
            await Partner.insert(
                Partner(
                    agency=agency_id,
                    name=partner.name,
                    code=partner.code,
                    kind=partner.kind,
                    is_host=partner.is_host,
                )
            ).returning(Partner.id)
        )[0]["id"]
    this_year = clock.today().year
    for year in range(2021, this_year + 2):
        await services.set_funding_shares(
            SYSTEM, year, {codes[p.code]: p.share for p in shape.partners}
        )
    await ClosureDay.insert(
        *[
            ClosureDay(day=date(year, 12, 24), reason="Agency closed: Christmas Eve")
            for year in (this_year, this_year + 1)
        ]
    )
    printed = []
    for account in shape.accounts:
        await services.create_account(
            SYSTEM,
            {
                "name": account.name,
                "email": account.email,
                "roles": [r.value for r in account.roles],
                "adm_partners": [codes[c] for c in account.adm_partners],
            },
            password=DEMO_PASSWORD,
            cheap_hash=cheap_hash,
        )
        printed.append((", ".join(r.label for r in account.roles), account.email, DEMO_PASSWORD))
    # The administrator's test e-mail at go-live came back with its code.
    admin = await Person.select(Person.id).where(Person.email == "admin@demo.example").first()
    await MailTest.insert(
        MailTest(
            to_address="admin@demo.example",
            code_hash="demo-test-email-received",
            sent_by=admin["id"] if admin else None,
            received_at=clock.now(),
        )
    )
    return printed
