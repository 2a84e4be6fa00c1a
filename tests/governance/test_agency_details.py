"""Setting up the agency on an empty install and changing its details: every refusal changes
nothing, a stale edit is a conflict, and each change is in the audit log with before and after."""

from __future__ import annotations

import json
from typing import Any

import pytest

from governance import agency
from governance.roles import Role
from governance.tables import Agency, AuditEntry, Partner
from tests.conftest import make_account, sign_in_client
from tests.governance.pictures import JPEG, png

SET_UP = {
    "name": "Adoption West",
    "short_name": "AW",
    "legal_form": "company",
    "address": "Kingsway House\nBristol",
    "postcode": "bs1 6aa",
    "telephone": "0117 000 0000",
    "email": "Enquiries@Adoption-West.example",
    "website": "www.adoptionwest.example",
    "registered_manager": "Rosa Lind",
    "letterhead_footer": "Adoption West Ltd, a company owned by six councils.",
}


@pytest.fixture
async def admin(client: Any, db: None) -> Any:
    """The only account on an empty install: a system administrator, signed in."""
    person = await make_account(Role.SYSTEM_ADMIN, name="Sam Setup")
    await sign_in_client(client, person)
    return person


def _edit(details: agency.AgencyDetails, **changes: str) -> dict[str, str]:
    return {
        "name": details.name,
        "short_name": details.short_name,
        "legal_form": details.legal_form.value,
        "host_partner": str(details.host_partner_id or ""),
        "address": "\n".join(details.address),
        "postcode": details.postcode,
        "telephone": details.telephone,
        "email": details.email,
        "website": details.website,
        "registered_manager": details.registered_manager,
        "letterhead_footer": details.letterhead_footer,
        "version": str(details.version),
        **changes,
    }


async def test_on_an_empty_install_the_agency_page_offers_the_set_up_form(client, admin) -> None:
    home = await client.get("/")
    assert 'href="/admin/agency/details"' in home.text and "Set up the agency" in home.text
    page = await client.get("/admin/agency")
    assert "No agency set up yet" in page.text and "/admin/agency/details" in page.text
    form = await client.get("/admin/agency/details")
    assert form.status_code == 200
    assert 'action="/admin/agency/set-up"' in form.text
    assert 'enctype="multipart/form-data"' in form.text


async def test_a_system_administrator_sets_up_the_agency_with_a_logo(client, admin) -> None:
    response = await client.post(
        "/admin/agency/set-up",
        data=SET_UP,
        files={"logo": ("west.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    details = await agency.details()
    assert details is not None
    assert (details.name, details.postcode, details.email, details.website) == (
        "Adoption West",
        "BS1 6AA",
        "enquiries@adoption-west.example",
        "https://www.adoptionwest.example",
    )
    assert details.address == ("Kingsway House", "Bristol")
    assert details.logo_key.startswith("logos/")
    logo = await client.get("/admin/agency/logo")
    assert logo.content == png() and logo.headers["content-type"] == "image/png"
    entry = await AuditEntry.select().where(AuditEntry.record_type == "agency").first()
    assert entry["action"] == "create" and entry["actor"] == "Sam Setup"
    assert json.loads(entry["after"])["postcode"] == "BS1 6AA"
    again = await client.post("/admin/agency/set-up", data=SET_UP)
    assert again.status_code == 409
    assert "already set up" in again.text
    assert await Agency.count() == 1


async def test_the_details_are_changed_later_versioned_and_audited_before_and_after(
    client, admin
) -> None:
    await client.post("/admin/agency/set-up", data=SET_UP)
    details = await agency.details()
    assert details is not None
    response = await client.post(
        "/admin/agency/details",
        data=_edit(details, name="Adoption West (renamed)", postcode="BS2 0JA"),
        files={"logo": ("west.jpg", JPEG, "image/jpeg")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    changed = await agency.details()
    assert changed is not None
    assert (changed.name, changed.postcode, changed.version) == (
        "Adoption West (renamed)",
        "BS2 0JA",
        details.version + 1,
    )
    assert (await client.get("/admin/agency/logo")).headers["content-type"] == "image/jpeg"
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.record_type == "agency") & (AuditEntry.action == "update"))
        .first()
    )
    before, after = json.loads(entry["before"]), json.loads(entry["after"])
    assert (before["name"], after["name"]) == ("Adoption West", "Adoption West (renamed)")
    assert (before["postcode"], after["postcode"]) == ("BS1 6AA", "BS2 0JA")
    assert before["logo_key"] != after["logo_key"]
    stale = await client.post("/admin/agency/details", data=_edit(details, name="From an old tab"))
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.text
    assert (await agency.details()).name == "Adoption West (renamed)"
    removed = await client.post(
        "/admin/agency/details",
        data=_edit(changed, remove_logo="yes"),
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert (await agency.details()).logo_key == ""
    assert (await client.get("/admin/agency/logo")).status_code == 404


BAD_INPUT = [
    ({"name": "  "}, None, "name", "Enter the agency&#39;s name"),
    ({"postcode": ""}, None, "postcode", "Enter the postcode of the agency&#39;s address"),
    ({"postcode": "BS1 6"}, None, "postcode", "Enter a real UK postcode, like CB3 0AP"),
    ({"postcode": "QQ1 1AA"}, None, "postcode", "Enter a real UK postcode, like CB3 0AP"),
    ({"address": "", "postcode": "BS1 6AA"}, None, "address", "Enter the lines of the address"),
    ({"email": "enquiries@"}, None, "email", "Enter email address in the correct format"),
    ({"website": "javascript:alert(1)"}, None, "website", "Enter the website address in the"),
    ({"website": "https://no spaces.example"}, None, "website", "Enter the website address"),
    ({"telephone": "call us"}, None, "telephone", "Enter a telephone number"),
    ({"legal_form": "trust"}, None, "legal_form", "Select how the agency is constituted"),
    ({"host_partner": "999"}, None, "host_partner", "The host must be one of the agency"),
    ({}, ("logo.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "logo", "is not a PNG or JPEG"),
    ({}, ("big.png", png() + b"\x00" * (1024 * 1024)), "logo", "over the 1 MB limit"),
]


@pytest.mark.parametrize(("changes", "logo", "field", "message"), BAD_INPUT)
async def test_bad_details_are_refused_on_the_form_and_nothing_changes(
    client, admin, changes: dict[str, str], logo: tuple[str, bytes] | None, field: str, message: str
) -> None:
    files = {"logo": (logo[0], logo[1], "image/png")} if logo else None
    refused = await client.post("/admin/agency/set-up", data={**SET_UP, **changes}, files=files)
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert f'href="#{field}"' in refused.text and message in refused.text
    assert await Agency.count() == 0
    await client.post("/admin/agency/set-up", data=SET_UP)
    details = await agency.details()
    assert details is not None
    edited = await client.post("/admin/agency/details", data=_edit(details, **changes), files=files)
    assert edited.status_code == 422
    assert message in edited.text
    assert await agency.details() == details
    assert not await AuditEntry.exists().where(
        (AuditEntry.record_type == "agency") & (AuditEntry.action == "update")
    )


async def test_the_host_is_chosen_on_the_agency_form_and_kept_on_the_partner(
    client, sign_in, agency: dict[str, int]
) -> None:
    from governance import agency as details_of

    await sign_in(Role.SYSTEM_ADMIN)
    first = await details_of.details()
    assert first is not None and first.host_partner_id == agency["CCC"]
    pcc_version = (await Partner.select().where(Partner.id == agency["PCC"]).first())["version"]
    moved = await client.post(
        "/admin/agency/details",
        data=_edit(
            first, host_partner=str(agency["PCC"]), address="1 Town Hall", postcode="PE1 1HF"
        ),
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    hosts = await Partner.select(Partner.id, Partner.version).where(Partner.is_host.eq(True))
    assert [h["id"] for h in hosts] == [agency["PCC"]]
    assert hosts[0]["version"] == pcc_version + 1  # an edit of the partner begun before is stale
    second = await details_of.details()
    assert second is not None
    company = await client.post(
        "/admin/agency/details",
        data=_edit(second, legal_form="company", host_partner=str(agency["PCC"])),
    )
    assert company.status_code == 422
    assert "Only an agency hosted by a council has a host partner" in company.text
    unhosted = await client.post(
        "/admin/agency/details",
        data=_edit(second, legal_form="partnership", host_partner=""),
        follow_redirects=False,
    )
    assert unhosted.status_code == 303
    assert not await Partner.exists().where(Partner.is_host.eq(True))
    third = await details_of.details()
    assert third is not None
    hosted = await client.post("/admin/agency/details", data=_edit(third, legal_form="hosted"))
    assert hosted.status_code == 422
    assert "Select the partner council that hosts the agency" in hosted.text


@pytest.mark.parametrize("role", [Role.PANEL_ADVISER, Role.BOARD_CHAIR, Role.AUDITOR])
async def test_only_a_system_administrator_may_set_up_or_change_the_agency(
    client, db, role: Role
) -> None:
    person = await make_account(role, name="Not Admin")
    await sign_in_client(client, person)
    assert (await client.get("/admin/agency/details")).status_code == 403
    refused = await client.post("/admin/agency/set-up", data=SET_UP)
    assert refused.status_code == 403
    assert await Agency.count() == 0


async def test_the_demo_agency_has_synthetic_details_that_its_own_form_accepts(client, db) -> None:
    from governance import demo
    from governance.logo import check_logo

    await demo.load(cheap_hash=True)
    details = await agency.details()
    assert details is not None and details.is_demo
    assert details.postcode == "PE28 4YE" and details.telephone.startswith("01632 960")
    assert "fictional" in details.letterhead_footer
    heading = await agency.letterhead()
    assert heading is not None and heading.logo is not None
    assert check_logo("demo.png", heading.logo).accepted
    admin = await make_account(Role.SYSTEM_ADMIN, name="Demo Checker")
    await sign_in_client(client, admin)
    unchanged = await client.post(
        "/admin/agency/details", data=_edit(details), follow_redirects=False
    )
    assert unchanged.status_code == 303, unchanged.text
