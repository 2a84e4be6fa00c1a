from datetime import datetime
from decimal import Decimal

from adm import demo as adm_demo
from adm.rules.routing import AdmRole
from governance import audit, clock, services
from governance.roles import Role
from governance.tables import Agency, AuditEntry, FundingShare, Partner, PartnerKind
from panel import agenda
from panel.tables import AgendaItem, ItemType, Meeting
from tests.conftest import make_account

ADOPTION_WEST = [
    ("Bath and North East Somerset Council", "BANES"),
    ("Bristol City Council", "BCC"),
    ("Gloucestershire County Council", "GCC"),
    ("North Somerset Council", "NSC"),
    ("South Gloucestershire Council", "SGC"),
    ("Wiltshire Council", "WC"),
]


async def test_a_six_partner_agency_like_adoption_west_is_set_up_with_exact_shares(db) -> None:
    await Agency.insert(Agency(name="Adoption West", short_name="AW"))
    ids = []
    for n, (name, code) in enumerate(ADOPTION_WEST):
        ids.append(
            await services.create_partner(
                audit.SYSTEM,
                {
                    "name": name,
                    "code": code,
                    "kind": "local_authority",
                    "is_host": "yes" if n == 1 else "",
                },
            )
        )
    shares = dict(
        zip(ids, ["16.6667", "16.6667", "16.6667", "16.6667", "16.6666", "16.6666"], strict=True)
    )
    await services.set_funding_shares(audit.SYSTEM, 2026, shares)
    stored = (await services.funding_shares())[2026]
    assert sum(stored.values()) == Decimal("100")
    assert stored[ids[0]] == Decimal("16.6667")
    assert await Partner.count() == 6
    assert await Partner.count().where(Partner.is_host.eq(True)) == 1


async def test_shares_that_do_not_add_up_to_100_are_refused_and_nothing_changes(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    await services.set_funding_shares(
        audit.SYSTEM, 2026, {agency["CCC"]: "70", agency["PCC"]: "30"}
    )
    response = await client.post(
        "/admin/agency/funding",
        data={
            "financial_year": "2026",
            f"share-{agency['CCC']}": "70",
            f"share-{agency['PCC']}": "35.5",
        },
    )
    assert response.status_code == 422
    assert "must add up to exactly 100%; they add up to 105.5%" in response.text
    shares = (await services.funding_shares())[2026]
    assert shares == {agency["CCC"]: Decimal("70"), agency["PCC"]: Decimal("30")}


async def test_a_share_that_is_not_a_number_is_named(client, sign_in, agency) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/admin/agency/funding",
        data={
            "financial_year": "2026",
            f"share-{agency['CCC']}": "seventy",
            f"share-{agency['PCC']}": "30",
        },
    )
    assert response.status_code == 422
    assert "Cambridgeshire County Council&#39;s share must be a number" in response.text
    assert not await FundingShare.exists()


async def test_a_second_host_partner_is_a_conflict(client, sign_in, agency) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/admin/agency/partners",
        data={
            "name": "Bedford Borough Council",
            "code": "BBC",
            "kind": "local_authority",
            "is_host": "yes",
        },
    )
    assert response.status_code == 409
    assert "only one partner can host it" in response.text
    assert await Partner.count() == 2


async def test_a_voluntary_adoption_agency_can_be_a_partner(client, sign_in, agency) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/api/v1/partners",
        json={
            "name": "Family Futures",
            "code": "FF",
            "kind": PartnerKind.VOLUNTARY_ADOPTION_AGENCY,
        },
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "voluntary_adoption_agency"


async def test_a_duplicate_partner_code_is_a_conflict(client, sign_in, agency) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/api/v1/partners", json={"name": "Another", "code": "pcc", "kind": "local_authority"}
    )
    assert response.status_code == 409
    assert "short code PCC already exists" in response.json()["detail"]


async def test_a_closure_day_is_added_and_a_duplicate_or_bad_date_changes_nothing(
    client, sign_in, agency
) -> None:
    from governance.tables import ClosureDay

    await sign_in(Role.SYSTEM_ADMIN)
    added = await client.post(
        "/admin/agency/closures",
        data={"day": "2026-12-24", "reason": "Christmas Eve"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    again = await client.post(
        "/admin/agency/closures", data={"day": "24/12/2026", "reason": "Again"}
    )
    assert again.status_code == 409
    assert "24 December 2026 is already a closure day" in again.text
    bad = await client.post("/admin/agency/closures", data={"day": "31/02/2027", "reason": "x"})
    assert bad.status_code == 422
    assert "must be a real date" in bad.text
    assert await ClosureDay.count() == 1


async def test_a_partner_with_a_code_or_name_already_taken_is_refused_and_nothing_changes(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    same_code = await client.post(
        "/admin/agency/partners",
        data={"name": "Peterborough Council", "code": "pcc", "kind": "local_authority"},
    )
    assert same_code.status_code == 409
    assert "A partner with short code PCC already exists" in same_code.text
    same_name = await client.post(
        "/admin/agency/partners",
        data={"name": "peterborough city council", "code": "PBC", "kind": "local_authority"},
    )
    assert same_name.status_code == 409
    assert "A partner called peterborough city council already exists" in same_name.text
    renamed = await client.post(
        f"/admin/agency/partners/{agency['PCC']}",
        data={"name": "Cambridgeshire County Council", "code": "PCC", "kind": "local_authority",
              "version": "1"},
    )  # fmt: skip
    assert renamed.status_code == 409
    assert "A partner called Cambridgeshire County Council already exists" in renamed.text
    assert await Partner.count() == 2
    assert (await services.partner(agency["PCC"]))["name"] == "Peterborough City Council"


async def test_a_partner_nothing_refers_to_is_removed_and_the_removal_is_audited(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    extra = await services.create_partner(
        audit.SYSTEM, {"name": "Wiltshire Council", "code": "WC", "kind": "local_authority"}
    )
    page = await client.post(f"/admin/agency/partners/{extra}/remove", data={"version": "1"})
    assert page.status_code == 200
    assert not await Partner.exists().where(Partner.id == extra)
    assert await AuditEntry.exists().where(
        (AuditEntry.record_type == "partner") & (AuditEntry.action == "delete")
    )


async def test_a_partner_with_items_adms_board_members_or_shares_is_not_removed_and_says_why(
    client, sign_in, agency
) -> None:
    admin = await sign_in(Role.SYSTEM_ADMIN)
    await services.set_funding_shares(
        audit.SYSTEM, 2026, {agency["CCC"]: "70", agency["PCC"]: "30"}
    )
    adm = await make_account(Role.ADM, name="Pat Peterborough", partners=(agency["PCC"],))
    await adm_demo.assign(adm.person_id, "PCC", AdmRole.PRIMARY)
    at = datetime(2027, 1, 14, 10, tzinfo=clock.LONDON)
    meeting = (await Meeting.insert(Meeting(starts_at=at, ends_at=at)).returning(Meeting.id))[0]
    await agenda.ensure_item_types()
    kind = await ItemType.select(ItemType.id).where(ItemType.code == "match").first()
    assert kind is not None
    await AgendaItem.insert(
        AgendaItem(meeting=meeting["id"], item_type=kind["id"], case_reference="CH-1",
                   child_partner=agency["PCC"])
    )  # fmt: skip
    page = await client.post(
        f"/admin/agency/partners/{agency['PCC']}/remove", data={"version": "1"}
    )
    assert page.status_code == 409
    assert "Peterborough City Council cannot be removed while" in page.text
    for what in (
        "1 funding shares",
        "1 decision maker accounts",
        "1 decision maker assignments",
        "1 panel items",
    ):
        assert what in page.text
    assert await Partner.exists().where(Partner.id == agency["PCC"])
    assert admin.name
