"""A "not suitable" decision is a qualifying determination and must give its reasons, even when the
decision maker agrees with the panel: its letter quotes them (found by the schema fuzzer, whose
agreeing decision without reasons made the letter answer 500)."""

from __future__ import annotations

import pytest

from adm import demo as adm_demo
from adm import services
from adm.tables import Decision, Referral
from governance.errors import Conflict, Invalid
from panel import record
from tests.adm.support import (
    Held,
    addressed,
    held_meeting,
    minutes_final_the_day_after,
    recommendation,
)


async def _not_suitable_referral(agency: dict[str, int]) -> tuple[Held, int]:
    held = await held_meeting(agency)
    await record.save_attendance(
        held.adviser, held.meeting_id, adm_demo.present_all(list(held.members.values()))
    )
    for item in held.items:
        outcome = "Not suitable to adopt" if item == held.items[2] else "Suitable to adopt"
        if item == held.items[1]:
            outcome = "Match"
        await record.record_item(held.adviser, item, recommendation(outcome))
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    await minutes_final_the_day_after(held)
    referral = await Referral.select(Referral.id).where(Referral.item == held.items[2]).first()
    assert referral is not None
    await addressed(held.adviser)
    return held, int(referral["id"])


async def test_agreeing_that_applicants_are_not_suitable_needs_reasons(agency) -> None:
    held, referral = await _not_suitable_referral(agency)
    agree = {"verdict": "agree", "decided_on": "2026-12-14", "reasons": "  "}
    with pytest.raises(Invalid) as refused:
        await services.decide(held.ccc_adm, referral, agree)
    assert refused.value.errors == {
        "reasons": "Enter your reasons: this is a qualifying determination, and its notice must "
        "send them whether or not you agree with the panel"
    }
    assert not await Decision.exists().where(Decision.referral == referral)

    reasons = "The assessment shows the applicants cannot yet meet a child's needs."
    await services.decide(held.ccc_adm, referral, agree | {"reasons": reasons})
    _, content = await services.letter(referral)
    assert content[:2] == b"PK"


async def test_a_letter_for_a_not_suitable_decision_kept_without_reasons_is_refused(agency) -> None:
    held, referral = await _not_suitable_referral(agency)
    await services.decide(
        held.ccc_adm,
        referral,
        {"verdict": "agree", "decided_on": "2026-12-14", "reasons": "Reasons given."},
    )
    # As decisions recorded before reasons were required were kept.
    await Decision.update({Decision.reasons: ""}).where(Decision.referral == referral)
    with pytest.raises(Conflict, match="recorded without its reasons"):
        await services.letter(referral)
