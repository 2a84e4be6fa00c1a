"""After a "not suitable" qualifying determination (AAR reg 30B(5)-(10)): representations or an IRM
application, the IRM panel's recommendation, a referral back to the panel, and the final decision
with its own clock and letter; the referral stays open meanwhile. Then the decision follows the
final minutes, and nobody who sat on the panel decides (AAR regs 19(2), 30B(3), 33(2)). Today is
15 January 2027 unless a test moves the clock."""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import Any

import docx
import pytest

from adm import demo as adm_demo
from adm import final_decision, services
from adm.rules.clocks import ClockKind, ClockState
from adm.rules.routing import AdmRole
from adm.tables import AdmAssignment, Referral
from governance import clock
from governance.errors import Conflict, Invalid
from governance.roles import Role
from governance.tables import AuditEntry
from panel import record
from panel import services as panel_services
from panel.tables import PanelMember
from tests.adm.support import Held, addressed, held_meeting, recommendation
from tests.conftest import make_account

OUTCOMES = ("Suitable to adopt", "Match", "Not suitable to adopt")
REASONS = "The assessment did not show an understanding of a child's need for contact."


def text_of(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def at(day: date) -> Any:
    return clock.frozen_at(datetime.combine(day, time(12), clock.LONDON))


async def _person(held: Held, name: str) -> int:
    row = (
        await PanelMember.select(PanelMember.person)
        .where(PanelMember.id == held.members[name])
        .first()
    )
    assert row is not None
    return int(row["person"])


async def _heard(agency: dict[str, int], left: dict[int, str] | None = None) -> Held:
    """Item 3 (ADP-3, Cambridgeshire) recommended "not suitable", with one dissent."""
    held = await held_meeting(agency)
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(list(held.members.values()), left)
    )
    for item in held.items:
        outcome = OUTCOMES[held.items.index(item)]
        extra: dict[str, Any] = {}
        if item == held.items[2]:
            ada, ben = held.members["Ada"], held.members["Ben"]
            extra = {
                f"view_{ada}": "Agrees: contact was not understood.",
                f"view_{ben}": "Would approve with support for contact.",
                f"dissent_{ben}": "yes",
            }
        await record.record_item(held.adviser, item, recommendation(outcome, **extra))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await addressed(held.adviser)
    return held


async def _ref(held: Held) -> dict[str, Any]:
    row = await Referral.select().where(Referral.item == held.items[2]).first()
    assert row is not None
    return await services.referral(int(row["id"]))


async def _determined(agency: dict[str, int]) -> tuple[Held, int]:
    """Decided "not suitable" on 15 January 2027, the notice sent the same day."""
    held = await _heard(agency)
    ref = await _ref(held)
    await services.decide(
        held.ccc_adm,
        ref["id"],
        {"verdict": "agree", "decided_on": "2027-01-15", "reasons": REASONS},
    )
    ref = await services.referral(ref["id"])
    await services.record_told(
        held.adviser, ref["id"],
        {"told_orally_on": "2027-01-15", "letter_sent_on": "2027-01-15",
         "version": str(ref["version"])},
    )  # fmt: skip
    return held, int(ref["id"])


async def test_representations_keep_the_referral_open_until_the_final_decision_and_its_letter(
    agency,
) -> None:
    held, rid = await _determined(agency)
    with at(date(2027, 2, 1)):
        ref = await services.referral(rid)
        view = await final_decision.view(ref)
        assert view is not None and view.responses.last_day == date(2027, 3, 11)
        await final_decision.record_response(
            held.adviser, rid,
            {"response_kind": "representations", "received_on": "2027-01-29",
             "representations_by": "Ms Khan and Mr Khan", "version": str(ref["version"])},
        )  # fmt: skip
        ref = await services.referral(rid)
        clocks = {c.kind: c.status for c in (await services.details(ref))["clocks"]}
        assert clocks[ClockKind.REPRESENTATIONS_OR_IRM].state is ClockState.MET
        # The final decision clock runs from the representations: 7 working days.
        assert clocks[ClockKind.FINAL_DECISION].due_on == date(2027, 2, 9)
    # Long after the window, with the final decision still to make, it stays open.
    await services.close_finished(date(2027, 6, 1))
    assert (await services.referral(rid))["open"]

    with at(date(2027, 2, 3)):
        ref = await services.referral(rid)
        with pytest.raises(Conflict, match="no final decision yet"):
            await final_decision.final_letter(rid)
        await final_decision.final_decide(
            held.ccc_adm, rid,
            {"final_outcome": "not_approve", "final_decided_on": "2027-02-03",
             "final_reasons": "The representations do not answer the concern about contact.",
             "version": str(ref["version"])},
        )  # fmt: skip
        ref = await services.referral(rid)
        assert not ref["open"] and ref["final_decided_on"] == date(2027, 2, 3)
        name, content = await final_decision.final_letter(rid)
    text = text_of(content)
    assert name == "final-decision-letter-ADP-3.docx"
    assert "Final decision: your suitability to adopt" in text
    assert "On 15 January 2027 we wrote to tell you" in text
    assert "representations received on 29 January 2027 from Ms Khan and Mr Khan" in text
    assert "on 3 February 2027 I made the agency's final decision that you are not suitable" in text
    assert "The representations do not answer the concern about contact." in text
    assert text.rstrip().endswith("Agency decision maker for Cambridgeshire County Council")
    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action)}
    assert {"representations", "final_decision"} <= actions


async def test_the_window_ending_with_nothing_received_closes_the_referral(agency) -> None:
    _, rid = await _determined(agency)
    await services.close_finished(date(2027, 3, 11))
    assert (await services.referral(rid))["open"]
    await services.close_finished(date(2027, 3, 12))
    assert not (await services.referral(rid))["open"]


async def test_the_page_refuses_bad_dates_with_422_and_a_stale_form_with_409(
    client, agency, sign_in
) -> None:
    _, rid = await _determined(agency)
    ref = await services.referral(rid)
    await sign_in(Role.PANEL_ADVISER)
    base = {"response_kind": "representations", "representations_by": "Ms Khan",
            "version": str(ref["version"])}  # fmt: skip
    early = await client.post(
        f"/adm/referrals/{rid}/responses", data=base | {"received_on": "2027-01-14"}
    )
    assert early.status_code == 422
    assert "Representations cannot be dated before the notice was sent on 15 January 2027" in (
        early.text
    )
    with at(date(2027, 3, 20)):
        await sign_in(Role.PANEL_ADVISER, name="Ann Later")  # a fresh session on the new day
        late = await client.post(
            f"/adm/referrals/{rid}/responses", data=base | {"received_on": "2027-03-15"}
        )
    assert late.status_code == 422
    assert "came after the 40 working days ended on 11 March 2027" in late.text
    await sign_in(Role.PANEL_ADVISER, name="Ann Again")
    stale = await client.post(
        f"/adm/referrals/{rid}/responses",
        data=base | {"received_on": "2027-01-15", "version": str(ref["version"] - 1)},
    )
    assert stale.status_code == 409
    assert (await services.referral(rid))["representations_on"] is None
    ok = await client.post(
        f"/adm/referrals/{rid}/responses", data=base | {"received_on": "2027-01-15"}
    )
    assert ok.status_code == 200 and "The response was recorded" in ok.text
    assert "Representations received" in ok.text and "from Ms Khan" in ok.text


async def test_a_final_decision_before_the_irm_recommendation_is_refused_then_made(
    client, agency, sign_in
) -> None:
    held, rid = await _determined(agency)
    ref = await services.referral(rid)
    await final_decision.record_response(
        held.adviser, rid,
        {"response_kind": "irm", "received_on": "2027-01-15", "irm_reference": "IRM/2027/0042",
         "version": str(ref["version"])},
    )  # fmt: skip
    ref = await services.referral(rid)
    shown = await final_decision.view(ref)
    assert shown is not None and shown.stage_label.startswith("IRM application made")
    await sign_in(Role.ADM, name="Carl Other", partners=(agency["CCC"],))
    decision = {
        "final_outcome": "approve",
        "final_decided_on": "2027-01-15",
        "final_reasons": "The IRM panel's view.",
        "version": str(ref["version"]),
    }
    refused = await client.post(f"/adm/referrals/{rid}/final-decision", data=decision)
    # The signed-in ADM is a different person from the one the item is routed to.
    assert refused.status_code == 403
    with pytest.raises(Invalid) as early:
        await final_decision.final_decide(held.ccc_adm, rid, decision)
    assert "AAR reg 30B(9)(b)" in early.value.errors["final_decided_on"]
    assert (await services.referral(rid))["final_decided_on"] is None

    with at(date(2027, 3, 24)):
        await final_decision.record_recommendation(
            held.adviser, rid,
            {"source": "irm", "irm_recommended_on": "2027-03-24",
             "irm_recommendation": "The applicants are suitable to adopt one child.",
             "version": str(ref["version"])},
        )  # fmt: skip
        ref = await services.referral(rid)
        clocks = {c.kind: c.status for c in (await services.details(ref))["clocks"]}
        # 7 working days from Wednesday 24 March 2027, across Good Friday and Easter Monday.
        assert clocks[ClockKind.FINAL_DECISION].due_on == date(2027, 4, 6)
    with at(date(2027, 3, 30)):
        await final_decision.final_decide(
            held.ccc_adm, rid, decision | {"final_decided_on": "2027-03-30",
                                           "version": str(ref["version"])},
        )  # fmt: skip
        _, content = await final_decision.final_letter(rid)
    text = text_of(content)
    assert "Independent Review Mechanism (reference IRM/2027/0042)" in text
    assert "The recommendation of the independent review panel was:" in text
    assert "The applicants are suitable to adopt one child." in text
    assert "that you are suitable to adopt a child. The agency approves you" in text
    await sign_in(Role.PANEL_ADVISER)
    listed = await client.get(f"/api/v1/adm/partners/{agency['CCC']}/referrals")
    shown = next(r for r in listed.json() if r["id"] == rid)
    assert (shown["irm_applied_on"], shown["irm_recommended_on"]) == ("2027-01-15", "2027-03-24")
    assert (shown["final_decided_on"], shown["final_outcome"]) == ("2027-03-30", "approve")


async def test_a_case_referred_back_waits_for_the_panels_further_recommendation(agency) -> None:
    held, rid = await _determined(agency)
    ref = await services.referral(rid)
    await final_decision.record_response(
        held.adviser, rid,
        {"response_kind": "representations", "received_on": "2027-01-15",
         "representations_by": "Ms Khan", "version": str(ref["version"])},
    )  # fmt: skip
    ref = await services.referral(rid)
    with pytest.raises(services.Forbidden):
        await final_decision.refer_back(
            held.pcc_adm, rid, {"referred_back_on": "2027-01-15", "version": str(ref["version"])}
        )
    await final_decision.refer_back(
        held.ccc_adm, rid, {"referred_back_on": "2027-01-15", "version": str(ref["version"])}
    )
    ref = await services.referral(rid)
    with pytest.raises(Invalid) as waiting:
        await final_decision.final_decide(
            held.ccc_adm, rid,
            {"final_outcome": "not_approve", "final_decided_on": "2027-01-15",
             "final_reasons": "Still not suitable.", "version": str(ref["version"])},
        )  # fmt: skip
    assert "AAR reg 30B(9)(a)" in waiting.value.errors["final_decided_on"]


async def test_the_decision_page_shows_the_final_minutes_vote_and_dissent_and_follows_them(
    client, agency, sign_in
) -> None:
    held = await _heard(agency)
    ref = await _ref(held)
    with pytest.raises(Invalid) as early:
        await services.decide(
            held.ccc_adm, ref["id"],
            {"verdict": "agree", "decided_on": "2027-01-14", "reasons": REASONS},
        )  # fmt: skip
    assert early.value.errors["decided_on"] == (
        "The decision cannot be dated before the minutes became final on 15 January 2027: "
        "the decision follows the final minutes"
    )
    await sign_in(Role.PANEL_ADVISER)
    page = await client.get(f"/adm/referrals/{ref['id']}")
    assert "From the final minutes (version 1), final on 15 January 2027." in page.text
    assert "1 of 2 members dissented from the recommendation: Ben" in page.text
    assert "Would approve with support for contact." in page.text
    assert "Agrees: contact was not understood." in page.text


async def test_a_member_who_left_part_way_through_an_item_and_is_an_adm_is_not_routed_to_it(
    agency,
) -> None:
    # Sally (a social worker on the panel) is also Cambridgeshire's ADM; she leaves at 12:10,
    # part-way through item 3 (11:50 to 12:35), so she no longer counts for it.
    held = await held_meeting(agency)
    sally = await _person(held, "Sally")
    await AdmAssignment.delete().where(AdmAssignment.person == held.ccc_adm.person_id)
    await adm_demo.assign(sally, "CCC", AdmRole.PRIMARY)
    deputy = await make_account(Role.ADM, name="Dee Deputy", partners=(agency["CCC"],))
    await adm_demo.assign(deputy.person_id, "CCC", AdmRole.DEPUTY)
    # The agency's policy barring everyone at the meeting is off: the statutory bar alone.
    await panel_services.save_policy(
        held.adviser,
        {k: str(getattr(panel_services.PolicyNumbers(), k)) for k in panel_services.POLICY_LABELS}
        | {"quorum_needs_independent": "yes", "independent_chair_counts": "yes",
           "effective_from": "2026-01-01",
           "note": "Only the item's own panel is barred"},
    )  # fmt: skip
    await record.save_attendance(
        held.adviser, held.meeting_id,
        adm_demo.present_all(list(held.members.values()), {held.members["Sally"]: "12:10"}),
    )  # fmt: skip
    state = await record.meeting_record(held.meeting_id)
    assert held.members["Sally"] not in {m.id for m in state.items[2].present}
    for item in held.items:
        outcome = OUTCOMES[held.items.index(item)]
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    ref = await _ref(held)
    assert ref["adm"] == deputy.person_id and ref["deputy_used"]
    assert "sat on the panel for this item and may not decide it" in ref["routing_reasons"]
    # The decision form uses the same rule, should the item ever reach her.
    await Referral.update({Referral.adm: sally}).where(Referral.id == ref["id"])
    from tests.adm.support import user

    sally_adm = user(
        type("P", (), {"account_id": 0, "person_id": sally, "name": "Sally", "email": ""})(),
        Role.ADM,
        partners=(agency["CCC"],),
    )
    with pytest.raises(services.Forbidden, match="sat on the panel for this item"):
        await services.decide(
            sally_adm, ref["id"],
            {"verdict": "agree", "decided_on": "2027-01-15", "reasons": REASONS},
        )  # fmt: skip


async def test_by_default_nobody_who_sat_at_the_meeting_decides_its_items(agency) -> None:
    # Sally leaves before item 3 starts: not present for it, but she sat at the meeting.
    held = await held_meeting(agency)
    sally = await _person(held, "Sally")
    await AdmAssignment.delete().where(AdmAssignment.person == held.ccc_adm.person_id)
    await adm_demo.assign(sally, "CCC", AdmRole.PRIMARY)
    await _heard_with(held, {held.members["Sally"]: "11:47"})
    assert not await Referral.exists().where(Referral.item == held.items[2])
    refusal = await AuditEntry.select().where(AuditEntry.action == "refused").first()
    assert refusal is not None
    assert (
        "the agency's panel policy version 1 bars everyone who sat at that meeting"
        in refusal["summary"]
    )


async def _heard_with(held: Held, left: dict[int, str]) -> None:
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(list(held.members.values()), left)
    )
    for item in held.items:
        outcome = OUTCOMES[held.items.index(item)]
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])


async def test_the_final_decision_letter_opens_in_libreoffice(agency, tmp_path) -> None:
    from governance import pdf
    from tests import support

    support.require(support.libreoffice_available(), "LibreOffice")
    held, rid = await _determined(agency)
    with at(date(2027, 3, 12)):
        ref = await services.referral(rid)
        await final_decision.final_decide(
            held.ccc_adm, rid,
            {"final_outcome": "not_approve", "final_decided_on": "2027-03-12",
             "final_reasons": "Nothing was received and the concern stands.",
             "version": str(ref["version"])},
        )  # fmt: skip
        _, content = await final_decision.final_letter(rid)
    assert "No representations or application to the Independent Review Mechanism" in (
        text_of(content)
    )
    converted = pdf.to_pdf(content, tmp_path)
    assert converted[:5] == b"%PDF-"
