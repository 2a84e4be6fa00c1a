"""The synthetic demo agency: Cambridgeshire & Peterborough Adoption with fictional people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from governance import audit, clock, services
from governance.audit import SYSTEM
from governance.roles import Role
from governance.tables import Agency, ClosureDay, MailTest, Partner, PartnerKind, Person

DEMO_PASSWORD = "demo-password-2026"  # printed by `governance demo`; demo data only

# (name, email, roles, ADM partner codes)
DEMO_ACCOUNTS: list[tuple[str, str, tuple[Role, ...], tuple[str, ...]]] = [
    ("Sam Okafor", "admin@demo.example", (Role.SYSTEM_ADMIN,), ()),
    ("Priya Raman", "adviser@demo.example", (Role.PANEL_ADVISER,), ()),
    ("Tom Hughes", "administrator@demo.example", (Role.PANEL_ADMINISTRATOR,), ()),
    ("Grace Adeyemi", "member@demo.example", (Role.PANEL_MEMBER,), ()),
    ("Helen Marsh", "adm@demo.example", (Role.ADM,), ("CCC", "PCC")),
    ("Ricky Lawson", "chair@demo.example", (Role.BOARD_CHAIR,), ()),
    ("Anita Brook", "board@demo.example", (Role.BOARD_MEMBER,), ()),
    ("Leo Fischer", "auditor@demo.example", (Role.AUDITOR,), ()),
]


async def is_loaded() -> bool:
    return bool(await Agency.exists())


async def accounts_if_demo() -> list[tuple[str, str, str]]:
    """Every demo account with its roles: the eight above, then those the area demos added."""
    agency = await Agency.select(Agency.is_demo).first()
    if agency is None or not agency["is_demo"]:
        return []
    listed = [
        (", ".join(r.label for r in roles), email, DEMO_PASSWORD)
        for _, email, roles, _ in DEMO_ACCOUNTS
    ]
    known = {email for _, email, _, _ in DEMO_ACCOUNTS}
    for row in await services.accounts():
        if row["email"] in known or not row["email"].endswith("demo.example"):
            continue
        labels = ", ".join(dict.fromkeys(g.role.label for g in row["grants"]))
        listed.append((labels, row["email"], DEMO_PASSWORD))
    return listed


async def load(*, cheap_hash: bool = False) -> list[tuple[str, str, str]]:
    """Load the demo agency into an empty database; returns (role, email, password) to print."""
    if await is_loaded():
        return []
    agency_id = (
        await Agency.insert(
            Agency(
                name="Cambridgeshire & Peterborough Adoption (demo)",
                short_name="CPA",
                is_demo=True,
                # Synthetic contact details: the address and numbers are fictional.
                address="Demo House\n1 Example Street\nHuntingdon",
                postcode="PE29 3TN",
                telephone="01480 000 000",
                email="adoption@demo.example",
                website="https://adoption.demo.example",
                registered_manager="Rosa Whitfield",
                letterhead_footer=(
                    "Cambridgeshire & Peterborough Adoption (demo), hosted by Cambridgeshire "
                    "County Council. Synthetic data: every person is fictional."
                ),
            )
        ).returning(Agency.id)
    )[0]["id"]
    await audit.record(SYSTEM, "create", "agency", agency_id, summary="demo agency loaded")
    codes: dict[str, int] = {}
    for name, code, host in (
        ("Cambridgeshire County Council", "CCC", True),
        ("Peterborough City Council", "PCC", False),
    ):
        codes[code] = (
            await Partner.insert(
                Partner(
                    agency=agency_id,
                    name=name,
                    code=code,
                    kind=PartnerKind.LOCAL_AUTHORITY,
                    is_host=host,
                )
            ).returning(Partner.id)
        )[0]["id"]
    this_year = clock.today().year
    for year in range(2021, this_year + 2):
        await services.set_funding_shares(
            SYSTEM, year, {codes["CCC"]: Decimal("70"), codes["PCC"]: Decimal("30")}
        )
    await ClosureDay.insert(
        *[
            ClosureDay(day=date(year, 12, 24), reason="Agency closed: Christmas Eve")
            for year in (this_year, this_year + 1)
        ]
    )
    printed = []
    for name, email, roles, partner_codes in DEMO_ACCOUNTS:
        await services.create_account(
            SYSTEM,
            {
                "name": name,
                "email": email,
                "roles": [r.value for r in roles],
                "adm_partners": [codes[c] for c in partner_codes],
            },
            password=DEMO_PASSWORD,
            cheap_hash=cheap_hash,
        )
        printed.append((", ".join(r.label for r in roles), email, DEMO_PASSWORD))
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
