"""Qualifying determinations come from the item type's outcomes, not their words; reasons are
required for every one; fostering for adoption refusals are fostering determinations with 28
days; and letters go to the addressees the adviser records, whom members and the board never
see. A letter that cannot be made says why."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import docx
import pytest

from adm import demo, services
from adm.rules.clocks import ClockKind
from adm.rules.routing import AdmRole
from adm.tables import Addressee, AdmAssignment, Decision, Referral
from governance.audit import AuditFilter, entries
from governance.errors import Conflict, Invalid
from governance.roles import Role
from governance.tables import Agency
from panel import agenda, record
from panel.rules.outcomes import Meaning
from tests.adm.support import (
    ADDRESSEE,
    Held,
    addressed,
    held_meeting,
    minutes_final_the_day_after,
    recommendation,
)
from tests.conftest import make_account, sign_in_client

REASONS = "The assessment shows the applicants cannot yet meet a child's needs."


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def _form(found: list[agenda.TypeOutcome], version: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": str(version)}
    for n, item in enumerate(found):
        o = item.outcome
        data |= {
            f"wording_{n}": o.wording,
            f"meaning_{n}": o.meaning.value,
            f"letter_{n}": o.letter.value,
            f"qualifying_{n}": "yes" if o.qualifying else "",
            f"closes_{n}": "yes" if o.closes_without_decision else "",
        }
    return data | changes


async def _rename(held: Held, code: str, old: str, new: str) -> int:
    type_id = (await demo.item_types())[code]
    found = await agenda.type_outcomes(type_id)
    n = next(i for i, f in enumerate(found) if f.outcome.wording == old)
    kind = await agenda.item_type(type_id)
    await agenda.save_outcomes(
        held.adviser, type_id, _form(found, kind["version"], **{f"wording_{n}": new})
    )
    return type_id


async def _final(held: Held, outcomes: dict[int, str]) -> dict[int, dict[str, Any]]:
    await record.save_attendance(
        held.adviser, held.meeting_id, demo.present_all(list(held.members.values()))
    )
    # Items not named take the default meeting's outcomes (the second item is a match).
    usual = {held.items[1]: "Match"} if len(held.items) == 3 else {}
    for item in held.items:
        outcome = outcomes.get(item) or usual.get(item) or "Suitable to adopt"
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    return {r["item"]: r for r in await Referral.select()}


async def test_not_suitable_renamed_not_approved_is_still_a_qualifying_determination(agency):
    held = await held_meeting(agency)
    await _rename(held, "adopter_approval", "Not suitable to adopt", "Not approved")
    referrals = await _final(
        held,
        {held.items[0]: "Suitable to adopt", held.items[1]: "Match", held.items[2]: "Not approved"},
    )
    await addressed(held.adviser)
    ref = referrals[held.items[2]]
    with pytest.raises(Invalid, match="qualifying determination"):
        await services.decide(held.ccc_adm, ref["id"], {"verdict": "agree",
                                                         "decided_on": "2026-12-14"})  # fmt: skip
    await services.decide(
        held.ccc_adm, ref["id"], {"verdict": "agree", "decided_on": "2026-12-14",
                                  "reasons": REASONS},
    )  # fmt: skip
    decision = await Decision.select().where(Decision.referral == ref["id"]).first()
    assert decision is not None
    assert (decision["outcome"], decision["meaning"], decision["qualifying"]) == (
        "Not approved",
        Meaning.NOT_SUITABLE,
        True,
    )
    text = text_of((await services.letter(ref["id"]))[1])
    assert "Not approved" in text  # the panel's recommendation, in the agency's words
    assert "the agency proposes not to approve you as suitable to adopt a child" in text
    assert "within 40 working days beginning with the date this notice was sent" in text
    assert REASONS in text


async def test_renaming_an_outcome_later_leaves_a_recorded_decision_and_its_letter_as_they_were(
    agency,
) -> None:
    held = await held_meeting(agency)
    referrals = await _final(held, {held.items[2]: "Not suitable to adopt"})
    await addressed(held.adviser)
    ref = referrals[held.items[2]]
    await services.decide(
        held.ccc_adm, ref["id"], {"verdict": "agree", "decided_on": "2026-12-14",
                                  "reasons": REASONS},
    )  # fmt: skip
    await _rename(held, "adopter_approval", "Not suitable to adopt", "Declined")
    assert (await services.referral(ref["id"]))["qualifying"]
    assert "proposes not to approve you" in text_of((await services.letter(ref["id"]))[1])


async def test_an_outcome_cannot_be_stripped_of_its_law_and_the_form_says_why(client, agency):
    held = await held_meeting(agency)
    type_id = (await demo.item_types())["adopter_approval"]
    found = await agenda.type_outcomes(type_id)
    n = next(i for i, f in enumerate(found) if f.outcome.meaning is Meaning.NOT_SUITABLE)
    kind = await agenda.item_type(type_id)
    adviser = await make_account(Role.PANEL_ADVISER, name="Outcome Adviser")
    await sign_in_client(client, adviser)
    page = await client.get(f"/panel/item-types/{type_id}/outcomes")
    assert page.status_code == 200 and "Not suitable to adopt" in page.text
    refused = await client.post(
        f"/panel/item-types/{type_id}/outcomes",
        data=_form(found, kind["version"], **{f"qualifying_{n}": "", f"letter_{n}": "none"}),
    )
    assert refused.status_code == 422
    assert "is a qualifying determination in law (AAR reg 30B(5))" in refused.text
    assert (await agenda.type_outcomes(type_id)) == found
    renamed = await client.post(
        f"/panel/item-types/{type_id}/outcomes",
        data=_form(found, kind["version"], **{f"wording_{n}": "Not approved"}),
    )
    assert renamed.status_code == 200 and "Outcomes saved." in renamed.text
    stale = await client.post(
        f"/panel/item-types/{type_id}/outcomes", data=_form(found, kind["version"])
    )
    assert stale.status_code == 409 and "Someone else changed this record" in stale.text
    after = await agenda.outcome_of(type_id, "Not approved")
    assert after is not None and after.meaning is Meaning.NOT_SUITABLE and after.qualifying
    assert "Not approved" in (await agenda.item_type(type_id))["recommendation_list"]
    del held


async def test_a_member_may_not_edit_an_item_types_outcomes(client, agency) -> None:
    type_id = (await demo.item_types())["adopter_approval"]
    member = await make_account(Role.PANEL_MEMBER, name="Outcome Member")
    await sign_in_client(client, member)
    response = await client.post(f"/panel/item-types/{type_id}/outcomes", data={"version": "1"})
    assert response.status_code == 403


async def test_a_full_report_needed_on_a_brief_report_goes_to_no_adm(agency) -> None:
    await agenda.ensure_item_types()
    held = await held_meeting(
        agency,
        planned=[
            demo.PlannedItem("brief_par", "BR-1", "G H", "CCC"),
            demo.PlannedItem("brief_par", "BR-2", "J K", "CCC"),
        ],
    )
    referrals = await _final(
        held, {held.items[0]: "Full report needed", held.items[1]: "Not suitable to adopt"}
    )
    assert held.items[0] not in referrals
    brief = referrals[held.items[1]]
    assert brief["category"] == "brief_par"
    await services.decide(
        held.ccc_adm, brief["id"], {"verdict": "agree", "decided_on": "2026-12-14",
                                    "reasons": REASONS},
    )  # fmt: skip
    assert (await services.referral(brief["id"]))["qualifying"]


async def test_a_fostering_for_adoption_refusal_is_a_qualifying_determination_with_28_days(
    agency,
) -> None:
    await agenda.ensure_item_types()
    held = await held_meeting(
        agency, planned=[demo.PlannedItem("foster_to_adopt", "FA-1", "L M", "CCC")]
    )
    referrals = await _final(held, {held.items[0]: "Do not approve"})
    await addressed(held.adviser)
    ref = referrals[held.items[0]]
    await services.decide(
        held.ccc_adm, ref["id"], {"verdict": "agree", "decided_on": "2026-12-14",
                                  "reasons": REASONS},
    )  # fmt: skip
    fresh = await services.referral(ref["id"])
    assert fresh["qualifying"]
    await services.record_told(
        held.adviser,
        ref["id"],
        {"told_orally_on": "2026-12-15", "letter_sent_on": "2026-12-16",
         "version": str(fresh["version"])},
    )  # fmt: skip
    text = text_of((await services.letter(ref["id"]))[1])
    assert "the agency proposes not to approve you as foster carers" in text
    # 28 days of Wednesday 16 December 2026, Christmas and New Year counted.
    assert "within 28 days of the date of this notice, that is by Wednesday 13 January 2027" in (
        text
    )
    assert "suitable to adopt" not in text
    rows = await services.running_clocks(services.ClockFilter(state="all"), date(2027, 1, 4))
    windows = {r.kind: r.status.due_on for r in rows if r.referral_id == ref["id"]}
    assert windows[ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM] == date(2027, 1, 13)
    assert ClockKind.REPRESENTATIONS_OR_IRM not in windows


async def test_the_decision_form_refuses_a_qualifying_determination_without_reasons(client, agency):
    held = await held_meeting(agency)
    referrals = await _final(held, {held.items[2]: "Not suitable to adopt"})
    ref = referrals[held.items[2]]
    ccc = await make_account(Role.ADM, name="Form Cambs", partners=(agency["CCC"],))
    # One primary for each partner: Form Cambs takes over from the meeting's ADM.
    await AdmAssignment.delete().where(AdmAssignment.partner == agency["CCC"])
    await demo.assign(ccc.person_id, "CCC", AdmRole.PRIMARY)
    await Referral.update({Referral.adm: ccc.person_id}).where(Referral.id == ref["id"])
    await sign_in_client(client, ccc)
    response = await client.post(
        f"/adm/referrals/{ref['id']}/decision",
        data={"verdict": "agree", "decided_on": "2026-12-14", "version": str(ref["version"])},
    )
    assert response.status_code == 422
    assert "this is a qualifying determination, and its notice must send them" in response.text
    assert not await Decision.exists().where(Decision.referral == ref["id"])


async def test_a_letter_that_cannot_be_made_says_why_on_the_page(client, agency) -> None:
    held = await held_meeting(agency)
    referrals = await _final(held, {held.items[2]: "Not suitable to adopt"})
    ref = referrals[held.items[2]]
    await services.decide(
        held.ccc_adm, ref["id"], {"verdict": "agree", "decided_on": "2026-12-14",
                                  "reasons": REASONS},
    )  # fmt: skip
    adviser = await make_account(Role.PANEL_ADVISER, name="Letter Adviser")
    await sign_in_client(client, adviser)
    page = await client.get(f"/adm/referrals/{ref['id']}")
    assert "record the names and postal address of the people it goes to" in page.text
    assert "letter.docx" not in page.text
    refused = await client.get(f"/adm/referrals/{ref['id']}/letter.docx")
    assert refused.status_code == 409 and "postal address" in refused.text
    await addressed(held.adviser)
    await Agency.update({Agency.address: "", Agency.postcode: ""}).where(Agency.id > 0)
    page = await client.get(f"/adm/referrals/{ref['id']}")
    assert "the agency&#39;s postal address is not recorded" in page.text
    with pytest.raises(Conflict, match="address for representations"):
        await services.letter(ref["id"])


async def test_the_addressee_is_kept_from_members_and_the_board_and_every_view_is_audited(
    client, agency
) -> None:
    held = await held_meeting(agency)
    referrals = await _final(held, {held.items[0]: "Suitable to adopt"})
    ref = referrals[held.items[0]]
    path = f"/adm/referrals/{ref['id']}/addressee"
    for role in (Role.PANEL_MEMBER, Role.BOARD_CHAIR, Role.BOARD_MEMBER, Role.AUDITOR):
        client.cookies.clear()
        await sign_in_client(client, await make_account(role, name=f"Nosy {role.value}"))
        assert (await client.get(path)).status_code == 403, role
        saved = await client.post(path, data=ADDRESSEE | {"version": "0"})
        assert saved.status_code == 403, role
    assert not await Addressee.exists()
    client.cookies.clear()
    await sign_in_client(client, await make_account(Role.PANEL_ADVISER, name="Addr Adviser"))
    bad = await client.post(path, data=ADDRESSEE | {"postcode": "nowhere", "version": "0"})
    assert bad.status_code == 422 and "Enter a real postcode" in bad.text
    assert not await Addressee.exists()
    saved = await client.post(path, data=ADDRESSEE | {"version": "0"})
    assert saved.status_code == 200 and "Ms Aisha Khan and Mr Imran Khan" in saved.text
    again = await client.post(path, data=ADDRESSEE | {"version": "0"})
    assert again.status_code == 409 and "Someone else changed this record" in again.text
    assert (await client.get(path)).status_code == 200
    views = await entries(AuditFilter(record_type="addressee", action="view"))
    changes = await entries(AuditFilter(record_type="addressee", action="create"))
    assert views and changes
    # The meeting record the members and board read never carries the addressee.
    client.cookies.clear()
    await sign_in_client(client, await make_account(Role.BOARD_CHAIR, name="Board Look"))
    for page in ("/board", f"/panel/record/meetings/{held.meeting_id}"):
        assert "Lincoln Road" not in (await client.get(page)).text


async def test_an_outcome_saved_without_a_letter_or_with_an_unknown_meaning_is_refused(
    client, agency, sign_in
):
    # Found by the schema fuzzing: a blank or unknown choice answered 500; now 422, nothing saved.
    from panel.tables import ItemType as Types

    await held_meeting(agency)  # the demo's item types
    await sign_in(Role.PANEL_ADVISER)
    kind = await Types.select(Types.id, Types.version).first()
    assert kind is not None
    before = await agenda.type_outcomes(kind["id"])
    for data in (
        {"wording_0": "Suitable to adopt", "letter_0": ""},
        {"wording_new": "Something new", "meaning_new": "nonsense", "letter_new": "suitable"},
    ):
        response = await client.post(
            f"/panel/item-types/{kind['id']}/outcomes",
            data=data | {"version": str(kind["version"])},
        )
        assert response.status_code == 422, response.text
        assert "Select" in response.text
    assert await agenda.type_outcomes(kind["id"]) == before
