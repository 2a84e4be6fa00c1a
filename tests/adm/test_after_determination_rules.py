"""The rules after a qualifying determination (AAR reg 30B(5)-(10)) and the bar on panel members
deciding (AAR regs 19(2), 30B(3), 33(2)), as pure functions: dates across Christmas 2026/27 and
Easter 2027, with the agency closed on 24 and 29-31 December 2026."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from adm.rules import after_determination as after
from adm.rules.after_determination import Responses, Stage
from adm.rules.clocks import (
    CALENDAR_OF,
    DEFAULT_CLOCK_POLICY,
    Clock,
    ClockKind,
    ClockState,
    ItemCategory,
    ItemFacts,
    clocks_for_item,
    due_date,
    evaluate,
)
from adm.rules.routing import (
    Absence,
    AdmAssignment,
    AdmRole,
    DecidedBy,
    PanelItem,
    Routing,
    Spell,
    may_decide,
    panel_bar,
    present_for_any_part,
    reroute,
    route,
)
from governance.calendars import working_calendars
from governance.rules.workdays import CalendarKind

CLOSED = [date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)]
CALS = working_calendars(range(2025, 2029), CLOSED)
# A notice sent on Wednesday 23 December 2026: the 40 working days beginning with it end on
# Friday 19 February 2027 (closure days count: AAR reg 2).
CHRISTMAS = Responses(notice_sent_on=date(2026, 12, 23), last_day=date(2027, 2, 19))


def _last_day(notice: date) -> date:
    found = due_date(Clock(ClockKind.REPRESENTATIONS_OR_IRM, notice), CALS, DEFAULT_CLOCK_POLICY)
    assert found is not None
    return found


def test_the_window_of_a_notice_sent_before_christmas_2026_ends_on_19_february_2027() -> None:
    assert _last_day(date(2026, 12, 23)) == CHRISTMAS.last_day
    # Across Easter 2027: Good Friday and Easter Monday are not working days (AAR reg 2).
    assert _last_day(date(2027, 2, 22)) == date(2027, 4, 20)


def test_representations_dated_before_the_notice_are_refused_aar_reg_30b_5_c() -> None:
    errors = after.check_response(
        "representations", date(2026, 12, 22), CHRISTMAS, date(2027, 1, 15)
    )
    assert errors == {
        "representations_on": "Representations cannot be dated before the notice was sent "
        "on 23 December 2026"
    }


def test_representations_on_a_closure_day_inside_the_window_are_in_time() -> None:
    today = date(2027, 1, 15)
    assert after.check_response("representations", date(2026, 12, 30), CHRISTMAS, today) == {}


def test_a_response_on_the_40th_working_day_is_in_time_the_next_day_late_aar_reg_30b_5_c() -> None:
    today = date(2027, 3, 1)
    assert after.check_response("representations", date(2027, 2, 19), CHRISTMAS, today) == {}
    late = after.check_response("irm", date(2027, 2, 22), CHRISTMAS, today)
    assert late == {
        "irm_applied_on": "An IRM application dated 22 February 2027 came after the 40 working "
        "days ended on 19 February 2027 (AAR reg 30B(5)(c))"
    }


def test_the_applicants_make_representations_or_apply_to_the_irm_not_both_aar_reg_30b_5_c() -> None:
    made = replace(CHRISTMAS, representations_on=date(2027, 1, 11))
    errors = after.check_response("irm", date(2027, 1, 12), made, date(2027, 1, 15))
    assert "made representations on 11 January 2027" in errors["irm_applied_on"]


def test_a_response_cannot_be_recorded_before_the_notice_is_sent() -> None:
    unsent = Responses(notice_sent_on=None, last_day=None)
    errors = after.check_response("representations", date(2027, 1, 4), unsent, date(2027, 1, 15))
    assert "has not been sent" in errors["representations_on"]


def test_the_final_decision_waits_for_the_irm_panels_recommendation_aar_reg_30b_9_b() -> None:
    applied = replace(CHRISTMAS, irm_applied_on=date(2027, 1, 6))
    errors = after.check_final_decision(date(2027, 3, 1), applied, date(2027, 3, 1))
    assert (
        "only after taking into account the IRM panel's recommendation"
        in errors["final_decided_on"]
    )
    assert "AAR reg 30B(9)(b)" in errors["final_decided_on"]
    back = replace(applied, irm_recommended_on=date(2027, 3, 24))
    assert after.check_final_decision(date(2027, 3, 30), back, date(2027, 4, 1)) == {}
    assert (
        "cannot be dated before 24 March 2027"
        in after.check_final_decision(date(2027, 3, 23), back, date(2027, 4, 1))["final_decided_on"]
    )


def test_an_irm_recommendation_needs_an_application_and_comes_after_it() -> None:
    assert (
        "no IRM application"
        in after.check_irm_recommendation(date(2027, 3, 1), CHRISTMAS, date(2027, 3, 1))[
            "irm_recommended_on"
        ]
    )
    applied = replace(CHRISTMAS, irm_applied_on=date(2027, 1, 6))
    assert (
        "before the application on 6 January 2027"
        in after.check_irm_recommendation(date(2027, 1, 5), applied, date(2027, 3, 1))[
            "irm_recommended_on"
        ]
    )


def test_with_nothing_received_the_final_decision_waits_for_the_40_days_to_end_aar_reg_30b_6() -> (
    None
):
    early = after.check_final_decision(date(2027, 2, 19), CHRISTMAS, date(2027, 2, 19))
    assert "until 19 February 2027" in early["final_decided_on"]
    assert "AAR reg 30B(6)" in early["final_decided_on"]
    assert after.check_final_decision(date(2027, 2, 22), CHRISTMAS, date(2027, 2, 22)) == {}


def test_a_case_referred_back_waits_for_the_panels_further_recommendation_aar_reg_30b_7_9_a() -> (
    None
):
    assert (
        "Only a case with representations"
        in after.check_referral_back(date(2027, 1, 12), CHRISTMAS, date(2027, 1, 15))[
            "referred_back_on"
        ]
    )
    made = replace(CHRISTMAS, representations_on=date(2027, 1, 11))
    assert after.check_referral_back(date(2027, 1, 12), made, date(2027, 1, 15)) == {}
    referred = replace(made, referred_back_on=date(2027, 1, 12))
    assert (
        "AAR reg 30B(9)(a)"
        in after.check_final_decision(date(2027, 1, 15), referred, date(2027, 1, 15))[
            "final_decided_on"
        ]
    )


def test_the_referral_stays_open_until_the_final_decision_or_an_empty_window() -> None:
    assert after.stage(CHRISTMAS, date(2027, 2, 19)) is Stage.AWAITING_RESPONSE
    assert after.pending(CHRISTMAS, date(2027, 2, 19))
    assert after.stage(CHRISTMAS, date(2027, 2, 22)) is Stage.NOTHING_RECEIVED
    assert not after.pending(CHRISTMAS, date(2027, 2, 22))
    irm = replace(CHRISTMAS, irm_applied_on=date(2027, 1, 6))
    assert after.stage(irm, date(2027, 6, 1)) is Stage.IRM_PENDING
    assert after.pending(irm, date(2027, 6, 1))
    done = replace(irm, irm_recommended_on=date(2027, 3, 24), final_decided_on=date(2027, 3, 30))
    assert after.stage(done, date(2027, 4, 1)) is Stage.DECIDED
    assert not after.pending(done, date(2027, 4, 1))


def test_the_final_decision_clock_runs_from_the_irm_recommendation_over_easter_2027() -> None:
    facts = ItemFacts(
        category=ItemCategory.ADOPTER_APPROVAL,
        meeting_on=date(2026, 12, 10),
        adm_received_on=date(2026, 12, 21),
        decided_on=date(2026, 12, 22),
        qualifying_determination=True,
        told_orally_on=date(2026, 12, 22),
        letter_sent_on=date(2026, 12, 23),
        representations_on=date(2027, 1, 6),
        final_decision_from=date(2027, 3, 24),
    )
    final = next(c for c in clocks_for_item(facts) if c.kind is ClockKind.FINAL_DECISION)
    # 7 working days from Wednesday 24 March 2027, over Good Friday and Easter Monday.
    assert due_date(final, CALS, DEFAULT_CLOCK_POLICY) == date(2027, 4, 6)
    assert CALENDAR_OF[ClockKind.FINAL_DECISION] is CalendarKind.AGENCY
    status = evaluate(final, date(2027, 4, 7), CALS, DEFAULT_CLOCK_POLICY)
    assert status.state is ClockState.MISSED
    representations = next(
        c for c in clocks_for_item(facts) if c.kind is ClockKind.REPRESENTATIONS_OR_IRM
    )
    assert evaluate(representations, date(2027, 4, 7), CALS, DEFAULT_CLOCK_POLICY).state is (
        ClockState.MET
    )
    # With nothing received there is no final decision clock; the window simply closes.
    quiet = replace(facts, representations_on=None, final_decision_from=None)
    assert ClockKind.FINAL_DECISION not in {c.kind for c in clocks_for_item(quiet)}


# ---------------------------------------------------------------- nobody who sat decides

LONDON_10 = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
ITEM_START = datetime(2026, 12, 10, 10, 10, tzinfo=UTC)
ITEM_END = datetime(2026, 12, 10, 10, 55, tzinfo=UTC)
SIMON, HELEN, OTHER = 1, 2, 3
ADMS = (
    AdmAssignment(SIMON, "Simon Green", "PCC", AdmRole.PRIMARY),
    AdmAssignment(HELEN, "Helen Ward", "PCC", AdmRole.DEPUTY),
)


def test_a_member_who_left_part_way_through_an_item_was_present_for_it_aar_reg_30b_3() -> None:
    spells = (
        Spell(SIMON, LONDON_10, datetime(2026, 12, 10, 10, 30, tzinfo=UTC)),  # left mid-item
        Spell(OTHER, LONDON_10, datetime(2026, 12, 10, 10, 5, tzinfo=UTC)),  # left before it
    )
    assert present_for_any_part(spells, ITEM_START, ITEM_END) == frozenset({SIMON})


def test_a_member_who_left_part_way_and_is_an_adm_is_not_routed_and_the_deputy_gets_it() -> None:
    spells = (Spell(SIMON, LONDON_10, datetime(2026, 12, 10, 10, 30, tzinfo=UTC)),)
    item = PanelItem(
        DecidedBy.ASSESSING_AGENCY,
        assessing_partner="PCC",
        sat_on_panel=present_for_any_part(spells, ITEM_START, ITEM_END),
    )
    verdict = route(item, ADMS, date(2027, 1, 4))
    assert verdict.outcome is Routing.ROUTED and verdict.adm is not None
    assert verdict.adm.person_id == HELEN and verdict.deputy_used
    assert "Simon Green (ADM for PCC) sat on the panel for this item" in verdict.reasons[0]
    right = may_decide(SIMON, "PCC", item, ADMS, date(2027, 1, 4))
    assert not right.allowed
    assert "AAR regs 19(2), 30B(3) and 33(2)" in right.refusals[0]
    # Rerouting on leave uses the same rule: with the deputy away it cannot go back to Simon.
    away = (ADMS[0], replace(ADMS[1], absences=(Absence(date(2027, 1, 4), date(2027, 1, 8)),)))
    moved = reroute(item, away, HELEN, date(2027, 1, 4))
    assert moved is not None and moved.outcome is Routing.REFUSED
    assert moved.reasons[0] == "Helen Ward is absent on 4 January 2027."
    assert any("Simon Green (ADM for PCC) sat on the panel" in r for r in moved.reasons)


def test_by_policy_anyone_who_sat_at_the_meeting_is_barred_and_the_reason_names_it() -> None:
    item = PanelItem(
        DecidedBy.ASSESSING_AGENCY,
        assessing_partner="PCC",
        sat_at_meeting=frozenset({SIMON}),
        policy_version=3,
    )
    bar = panel_bar(SIMON, item)
    assert bar is not None and "policy version 3 bars everyone who sat at that meeting" in bar
    assert route(item, ADMS, date(2027, 1, 4)).adm == ADMS[1]
    off = replace(item, bar_whole_meeting=False)
    assert panel_bar(SIMON, off) is None
    assert route(off, ADMS, date(2027, 1, 4)).adm == ADMS[0]
