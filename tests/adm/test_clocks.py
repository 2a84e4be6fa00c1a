from dataclasses import replace
from datetime import date
from types import MappingProxyType

import pytest

from adm.rules.clocks import (
    BEGINNING_WITH_START,
    CALENDAR_OF,
    DEFAULT_CLOCK_POLICY,
    SOURCES,
    Clock,
    ClockKind,
    ClockPolicy,
    ClockState,
    ItemCategory,
    ItemFacts,
    OwedBy,
    Pause,
    clocks_for_item,
    due_date,
    evaluate,
    last_of_days_of,
)
from governance.calendars import working_calendars
from governance.rules.workdays import CalendarKind, Calendars

CAL = working_calendars((2026, 2027))
CLOSED_OVER_CHRISTMAS = working_calendars(
    (2026, 2027),
    closure_days=(date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)),
)
POLICY = DEFAULT_CLOCK_POLICY


def due(clock: Clock, cal: Calendars = CAL) -> date | None:
    return due_date(clock, cal, POLICY)


def letter(decided_on: date, sent_on: date | None = None, breach: str | None = None) -> Clock:
    return Clock(ClockKind.TOLD_IN_WRITING, decided_on, sent_on, breach_reason=breach)


def test_a_decision_on_23_december_2026_must_be_sent_in_writing_by_4_january_2027() -> None:
    # 24, 29, 30, 31 December and 4 January: 25 and 28 December and 1 January are bank holidays.
    assert due(letter(date(2026, 12, 23))) == date(2027, 1, 4)


def test_a_decision_on_christmas_eve_must_be_sent_in_writing_by_5_january() -> None:
    assert due(letter(date(2026, 12, 24))) == date(2027, 1, 5)


def test_closure_days_do_not_extend_the_five_day_rule_aar_reg_2() -> None:
    # The letter's five working days are statutory working days (AAR reg 2): the agency being
    # closed on 24 and 29-31 December gives it no longer than 4 January.
    assert due(letter(date(2026, 12, 23)), CLOSED_OVER_CHRISTMAS) == date(2027, 1, 4)


def test_applicants_must_be_told_orally_within_two_working_days_of_the_decision() -> None:
    clock = Clock(ClockKind.TOLD_ORALLY, date(2026, 12, 23))
    assert due(clock) == date(2026, 12, 29)


def test_papers_received_on_maundy_thursday_2027_must_be_decided_by_7_april() -> None:
    clock = Clock(ClockKind.ADM_DECISION, started_on=date(2027, 3, 25))
    assert due(clock) == date(2027, 4, 7)


def test_a_par_sent_on_a_saturday_must_be_commented_on_by_the_next_friday() -> None:
    clock = Clock(ClockKind.PAR_COMMENTS, started_on=date(2027, 1, 9))
    assert due(clock) == date(2027, 1, 15)


def test_final_minutes_of_a_meeting_before_easter_are_due_with_the_adm_by_5_april() -> None:
    clock = Clock(ClockKind.FINAL_MINUTES_TO_ADM, started_on=date(2027, 3, 18))
    assert due(clock) == date(2027, 4, 5)


def test_papers_for_a_meeting_on_4_january_2027_go_out_by_23_december() -> None:
    clock = Clock(ClockKind.PAPERS_TO_MEMBERS, started_on=date(2027, 1, 4))
    assert due(clock) == date(2026, 12, 23)


def test_closure_days_before_a_meeting_bring_the_papers_deadline_forward() -> None:
    clock = Clock(ClockKind.MEMBER_LIST_TO_APPLICANTS, started_on=date(2027, 1, 4))
    assert due(clock, CLOSED_OVER_CHRISTMAS) == date(2026, 12, 17)


def test_papers_sent_the_day_before_their_deadline_are_on_time() -> None:
    clock = Clock(ClockKind.PAPERS_TO_MEMBERS, date(2027, 1, 4), completed_on=date(2026, 12, 22))
    status = evaluate(clock, date(2027, 1, 4), CAL, POLICY)
    assert status.state is ClockState.MET
    assert status.working_days_remaining == 1


def test_papers_sent_on_christmas_eve_for_a_4_january_meeting_are_late() -> None:
    clock = Clock(ClockKind.PAPERS_TO_MEMBERS, date(2027, 1, 4), completed_on=date(2026, 12, 24))
    status = evaluate(clock, date(2027, 1, 4), CAL, POLICY)
    assert status.state is ClockState.MISSED
    assert status.reason == (
        "Papers to panel members: completed on 24 December 2026, 1 working day late "
        "(due by 23 December 2026). Record why the deadline was missed."
    )


def test_a_clock_counted_back_from_a_meeting_cannot_be_paused() -> None:
    with pytest.raises(ValueError, match="move the meeting instead"):
        Clock(
            ClockKind.PAPERS_TO_MEMBERS,
            date(2027, 1, 4),
            pauses=(Pause(date(2026, 12, 20), date(2026, 12, 21), "chair ill"),),
        )


def test_a_letter_sent_on_the_due_day_itself_meets_the_five_day_rule() -> None:
    status = evaluate(letter(date(2026, 12, 23), date(2027, 1, 4)), date(2027, 1, 6), CAL, POLICY)
    assert status.state is ClockState.MET
    assert status.due_on == date(2027, 1, 4)
    assert status.working_days_remaining == 0
    assert not status.needs_breach_reason
    assert status.reason == (
        "Decision letter to applicants (the five-day rule): completed on 4 January 2027, "
        "on time (due by 4 January 2027)."
    )


def test_a_letter_sent_one_working_day_late_misses_the_five_day_rule() -> None:
    status = evaluate(letter(date(2026, 12, 23), date(2027, 1, 5)), date(2027, 1, 6), CAL, POLICY)
    assert status.state is ClockState.MISSED
    assert status.working_days_remaining == -1
    assert status.needs_breach_reason
    assert status.reason == (
        "Decision letter to applicants (the five-day rule): completed on 5 January 2027, "
        "1 working day late (due by 4 January 2027). Record why the deadline was missed."
    )


def test_a_missed_deadline_with_its_breach_accepted_needs_no_further_reason() -> None:
    clock = letter(date(2026, 12, 23), date(2027, 1, 5), breach="ADM's signature delayed")
    status = evaluate(clock, date(2027, 1, 6), CAL, POLICY)
    assert status.state is ClockState.MISSED
    assert not status.needs_breach_reason
    assert status.reason.endswith("Breach accepted: ADM's signature delayed.")


def test_an_unsent_letter_past_its_deadline_is_missed_and_counts_the_days_overdue() -> None:
    status = evaluate(letter(date(2026, 12, 23)), date(2027, 1, 6), CAL, POLICY)
    assert status.state is ClockState.MISSED
    assert status.working_days_remaining == -2
    assert status.needs_breach_reason
    assert status.reason == (
        "Decision letter to applicants (the five-day rule): not completed; due by 4 January 2027, "
        "now 2 working days overdue. Record why the deadline was missed."
    )


def test_the_weekend_after_a_friday_deadline_is_already_a_day_overdue() -> None:
    clock = letter(date(2027, 1, 1))
    assert due(clock) == date(2027, 1, 8)
    saturday = evaluate(clock, date(2027, 1, 9), CAL, POLICY)
    monday = evaluate(clock, date(2027, 1, 11), CAL, POLICY)
    assert saturday.state is ClockState.MISSED
    assert saturday.working_days_remaining == -1
    assert monday.working_days_remaining == -1


def test_a_clock_two_working_days_from_its_deadline_is_due_soon() -> None:
    status = evaluate(letter(date(2026, 12, 23)), date(2026, 12, 30), CAL, POLICY)
    assert status.state is ClockState.DUE_SOON
    assert status.working_days_remaining == 2
    assert status.reason == (
        "Decision letter to applicants (the five-day rule): due by 4 January 2027, "
        "2 working days left."
    )


def test_a_clock_three_working_days_from_its_deadline_is_still_running() -> None:
    status = evaluate(letter(date(2026, 12, 23)), date(2026, 12, 29), CAL, POLICY)
    assert status.state is ClockState.RUNNING
    assert status.working_days_remaining == 3


def test_a_clock_on_its_due_day_is_due_today() -> None:
    status = evaluate(letter(date(2026, 12, 23)), date(2027, 1, 4), CAL, POLICY)
    assert status.state is ClockState.DUE_SOON
    assert status.reason == "Decision letter to applicants (the five-day rule): due today."


def test_a_clock_that_has_not_started_says_what_starts_it() -> None:
    status = evaluate(Clock(ClockKind.ADM_DECISION), date(2027, 1, 4), CAL, POLICY)
    assert status.state is ClockState.NOT_STARTED
    assert status.due_on is None
    assert status.reason == (
        "ADM decision: not started; it starts when the ADM receives the recommendation "
        "and final minutes."
    )


def test_a_pause_moves_the_deadline_on_by_the_working_days_paused() -> None:
    running = Clock(ClockKind.ADM_DECISION, started_on=date(2027, 3, 1))
    paused = replace(running, pauses=(Pause(date(2027, 3, 3), date(2027, 3, 4), "ADM ill"),))
    assert due(running) == date(2027, 3, 10)
    assert due(paused) == date(2027, 3, 12)


def test_bank_holidays_inside_a_pause_are_not_counted_twice() -> None:
    running = Clock(ClockKind.ADM_DECISION, started_on=date(2027, 3, 24))
    over_easter = Pause(date(2027, 3, 25), date(2027, 3, 30), "further information requested")
    assert due(running) == date(2027, 4, 6)
    assert due(replace(running, pauses=(over_easter,))) == date(2027, 4, 8)


def test_overlapping_pauses_count_each_paused_day_once() -> None:
    clock = Clock(
        ClockKind.ADM_DECISION,
        started_on=date(2027, 3, 1),
        pauses=(
            Pause(date(2027, 3, 3), date(2027, 3, 4), "ADM ill"),
            Pause(date(2027, 3, 4), date(2027, 3, 4), "legal advice sought"),
        ),
    )
    assert due(clock) == date(2027, 3, 12)


def test_a_pause_after_the_deadline_does_not_revive_a_missed_clock() -> None:
    clock = Clock(
        ClockKind.ADM_DECISION,
        started_on=date(2027, 3, 1),
        pauses=(Pause(date(2027, 3, 15), date(2027, 3, 19), "ADM on leave"),),
    )
    assert due(clock) == date(2027, 3, 10)
    assert evaluate(clock, date(2027, 3, 22), CAL, POLICY).state is ClockState.MISSED


def test_a_clock_with_an_open_pause_is_paused_and_has_no_deadline_yet() -> None:
    clock = Clock(
        ClockKind.STAGE_2,
        started_on=date(2027, 1, 15),
        pauses=(Pause(date(2027, 2, 1), None, "applicants asked for a delay"),),
    )
    status = evaluate(clock, date(2027, 6, 1), CAL, POLICY)
    assert status.state is ClockState.PAUSED
    assert status.due_on is None
    assert status.working_days_remaining is None
    assert status.reason == (
        "Stage 2 decision: paused since 1 February 2027 (applicants asked for a delay); "
        "the deadline moves on by the time paused."
    )


def test_a_clock_completed_during_an_open_pause_is_met() -> None:
    clock = Clock(
        ClockKind.ADM_DECISION,
        started_on=date(2027, 3, 1),
        completed_on=date(2027, 3, 19),
        pauses=(Pause(date(2027, 3, 8), None, "further information requested"),),
    )
    assert evaluate(clock, date(2027, 3, 22), CAL, POLICY).state is ClockState.MET


def test_a_pause_on_a_stage_2_clock_moves_it_on_by_the_calendar_days_paused() -> None:
    running = Clock(ClockKind.STAGE_2, started_on=date(2027, 1, 15))
    paused = replace(
        running, pauses=(Pause(date(2027, 2, 1), date(2027, 2, 10), "applicants asked for delay"),)
    )
    assert due(running) == date(2027, 5, 15)
    assert due(paused) == date(2027, 5, 25)


def test_stage_1_from_31_december_ends_on_the_last_day_of_february() -> None:
    assert due(Clock(ClockKind.STAGE_1, started_on=date(2026, 12, 31))) == date(2027, 2, 28)


def test_panel_feedback_is_due_six_calendar_months_after_the_last() -> None:
    clock = Clock(ClockKind.PANEL_FEEDBACK, started_on=date(2026, 8, 31))
    assert due(clock) == date(2027, 2, 28)


def test_a_month_clock_ending_on_a_sunday_is_due_soon_on_the_friday_before() -> None:
    status = evaluate(Clock(ClockKind.STAGE_1, date(2026, 12, 31)), date(2027, 2, 26), CAL, POLICY)
    assert status.state is ClockState.DUE_SOON
    assert status.working_days_remaining == 0


def test_the_40_working_days_count_the_day_the_notice_is_sent_aar_reg_30b_5_c() -> None:
    # Sent Wednesday 23 December 2026, day 1; 25 and 28 December and 1 January are not working
    # days; the 40th is Friday 19 February 2027 (it was 22 February when day 1 was not counted).
    clock = Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=date(2026, 12, 23))
    assert due(clock) == date(2027, 2, 19)


def test_a_closed_representations_window_is_not_a_breach_by_the_agency() -> None:
    clock = Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=date(2026, 12, 23))
    status = evaluate(clock, date(2027, 2, 22), CAL, POLICY)
    assert status.state is ClockState.MISSED
    assert status.owed_by is OwedBy.APPLICANTS
    assert not status.needs_breach_reason
    assert status.reason == (
        "Representations or IRM application: none received; the window closed on 19 February 2027."
    )


def test_an_open_window_for_par_comments_says_until_when() -> None:
    clock = Clock(ClockKind.PAR_COMMENTS, started_on=date(2027, 1, 9))
    status = evaluate(clock, date(2027, 1, 11), CAL, POLICY)
    assert status.state is ClockState.RUNNING
    assert status.reason == (
        "Applicants' comments on their PAR: open until 15 January 2027, 4 working days left."
    )


def test_every_status_records_the_policy_version_it_was_judged_by() -> None:
    stricter = replace(
        POLICY,
        version=3,
        effective_from=date(2027, 1, 1),
        working_days=MappingProxyType({**POLICY.working_days, ClockKind.TOLD_IN_WRITING: 3}),
    )
    status = evaluate(letter(date(2026, 12, 23), date(2027, 1, 4)), date(2027, 1, 6), CAL, stricter)
    assert status.policy_version == 3
    assert status.due_on == date(2026, 12, 30)
    assert status.state is ClockState.MISSED
    assert evaluate(letter(date(2026, 12, 23)), date(2026, 12, 24), CAL, POLICY).policy_version == 1


def test_a_policy_must_give_every_clock_one_count() -> None:
    with pytest.raises(ValueError, match="without a count"):
        ClockPolicy(
            version=2,
            effective_from=date(2027, 1, 1),
            working_days=MappingProxyType({ClockKind.ADM_DECISION: 7}),
            months=POLICY.months,
        )


def test_the_default_policy_carries_the_domain_numbers() -> None:
    assert POLICY.working_days[ClockKind.TOLD_IN_WRITING] == 5
    assert POLICY.working_days[ClockKind.REPRESENTATIONS_OR_IRM] == 40
    assert POLICY.months[ClockKind.STAGE_2] == 4
    assert POLICY.due_soon_working_days == 2


def test_an_approval_item_carries_every_clock_from_papers_to_the_decision_letter() -> None:
    facts = ItemFacts(
        ItemCategory.ADOPTER_APPROVAL,
        meeting_on=date(2026, 12, 9),
        papers_sent_on=date(2026, 12, 1),
        par_sent_on=date(2026, 11, 2),
        adm_received_on=date(2026, 12, 15),
        decided_on=date(2026, 12, 23),
        letter_sent_on=date(2027, 1, 5),
        stage_1_started_on=date(2026, 6, 1),
        stage_1_completed_on=date(2026, 7, 31),
        stage_2_notice_on=date(2026, 8, 31),
    )
    clocks = {clock.kind: clock for clock in clocks_for_item(facts)}
    assert set(clocks) == {
        ClockKind.STAGE_1,
        ClockKind.PAPERS_TO_MEMBERS,
        ClockKind.MEMBER_LIST_TO_APPLICANTS,
        ClockKind.PAR_COMMENTS,
        ClockKind.FINAL_MINUTES_TO_ADM,
        ClockKind.ADM_DECISION,
        ClockKind.TOLD_ORALLY,
        ClockKind.TOLD_IN_WRITING,
        ClockKind.STAGE_2_NOTICE,
        ClockKind.STAGE_2,
    }
    assert clocks[ClockKind.ADM_DECISION] == Clock(
        ClockKind.ADM_DECISION, date(2026, 12, 15), date(2026, 12, 23)
    )
    assert clocks[ClockKind.FINAL_MINUTES_TO_ADM].completed_on == date(2026, 12, 15)
    states = {
        kind: evaluate(clock, date(2027, 1, 6), CAL, POLICY).state for kind, clock in clocks.items()
    }
    assert states[ClockKind.ADM_DECISION] is ClockState.MET
    assert states[ClockKind.TOLD_IN_WRITING] is ClockState.MISSED
    assert states[ClockKind.TOLD_ORALLY] is ClockState.MISSED
    assert states[ClockKind.STAGE_2] is ClockState.MET
    # Notice to start Stage 2 came a month after Stage 1 ended, well inside six (AAR reg 28).
    assert states[ClockKind.STAGE_2_NOTICE] is ClockState.MET
    # Two calendar months from 1 June is 1 August: Stage 1 closed a day early.
    assert states[ClockKind.STAGE_1] is ClockState.MET


def test_a_not_suitable_determination_starts_the_representations_clock_at_the_notice() -> None:
    facts = ItemFacts(
        ItemCategory.ADOPTER_APPROVAL,
        decided_on=date(2026, 12, 21),
        qualifying_determination=True,
        letter_sent_on=date(2026, 12, 22),
        written_notice_on=date(2026, 12, 23),
    )
    clocks = {clock.kind: clock for clock in clocks_for_item(facts)}
    assert clocks[ClockKind.REPRESENTATIONS_OR_IRM].started_on == date(2026, 12, 23)


def test_the_decision_letter_is_the_written_notice_when_no_other_was_sent() -> None:
    facts = ItemFacts(
        ItemCategory.BRIEF_PAR,
        decided_on=date(2026, 12, 21),
        qualifying_determination=True,
        letter_sent_on=date(2026, 12, 22),
    )
    clocks = {clock.kind: clock for clock in clocks_for_item(facts)}
    assert clocks[ClockKind.REPRESENTATIONS_OR_IRM].started_on == date(2026, 12, 22)


def test_a_suitable_determination_has_no_representations_clock() -> None:
    facts = ItemFacts(ItemCategory.ADOPTER_APPROVAL, decided_on=date(2026, 12, 21))
    kinds = {clock.kind for clock in clocks_for_item(facts)}
    assert ClockKind.REPRESENTATIONS_OR_IRM not in kinds


def test_an_information_item_gets_no_adm_clocks() -> None:
    facts = ItemFacts(ItemCategory.INFORMATION, meeting_on=date(2027, 1, 4))
    assert clocks_for_item(facts) == (Clock(ClockKind.PAPERS_TO_MEMBERS, date(2027, 1, 4)),)


def test_a_should_be_placed_item_has_adm_clocks_but_no_applicants_to_tell() -> None:
    facts = ItemFacts(ItemCategory.SHOULD_BE_PLACED, meeting_on=date(2027, 1, 4))
    assert [clock.kind for clock in clocks_for_item(facts)] == [
        ClockKind.PAPERS_TO_MEMBERS,
        ClockKind.FINAL_MINUTES_TO_ADM,
        ClockKind.ADM_DECISION,
    ]


def test_a_match_tells_the_adopters_but_has_no_par_comments_or_representations() -> None:
    facts = ItemFacts(ItemCategory.MATCH, qualifying_determination=True)
    kinds = {clock.kind for clock in clocks_for_item(facts)}
    assert ClockKind.TOLD_IN_WRITING in kinds
    assert ClockKind.PAR_COMMENTS not in kinds
    assert ClockKind.REPRESENTATIONS_OR_IRM not in kinds


def test_the_adm_clocks_of_an_item_heard_before_christmas_run_into_january() -> None:
    facts = ItemFacts(
        ItemCategory.MATCH,
        meeting_on=date(2026, 12, 16),
        adm_received_on=date(2026, 12, 23),
    )
    clocks = {clock.kind: clock for clock in clocks_for_item(facts)}
    assert due(clocks[ClockKind.FINAL_MINUTES_TO_ADM]) == date(2027, 1, 4)
    assert due(clocks[ClockKind.ADM_DECISION]) == date(2027, 1, 6)
    # The minutes are the agency's own guidance: its closure days move them on to 8 January.
    assert due(clocks[ClockKind.FINAL_MINUTES_TO_ADM], CLOSED_OVER_CHRISTMAS) == date(2027, 1, 8)
    # The decision's 7 working days come from the statutory guidance (AAR reg 2 days): not moved.
    assert due(clocks[ClockKind.ADM_DECISION], CLOSED_OVER_CHRISTMAS) == date(2027, 1, 6)


# ---------------------------------------------------------------- statutory and agency calendars


def test_every_clock_declares_its_calendar_and_its_source() -> None:
    assert set(CALENDAR_OF) == set(ClockKind)
    assert set(SOURCES) == set(ClockKind)
    statutory = {k for k, c in CALENDAR_OF.items() if c is CalendarKind.STATUTORY}
    assert statutory == {
        ClockKind.ADM_DECISION,
        ClockKind.TOLD_ORALLY,
        ClockKind.TOLD_IN_WRITING,
        ClockKind.PARENTS_TOLD_ORALLY,
        ClockKind.PARENTS_TOLD_IN_WRITING,
        ClockKind.REPRESENTATIONS_OR_IRM,
        ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM,
        ClockKind.STAGE_1,
        ClockKind.STAGE_2_NOTICE,
        ClockKind.STAGE_2,
    }
    assert frozenset({ClockKind.REPRESENTATIONS_OR_IRM}) == BEGINNING_WITH_START
    assert SOURCES[ClockKind.REPRESENTATIONS_OR_IRM] == "AAR reg 30B(5)(c)"


def test_a_closure_day_inside_a_statutory_window_does_not_extend_it_aar_reg_2() -> None:
    # 24 and 29-31 December 2026 are the agency's closure days, inside the 40 working days.
    clock = Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=date(2026, 12, 23))
    assert due(clock, CLOSED_OVER_CHRISTMAS) == due(clock, CAL) == date(2027, 2, 19)
    told = Clock(ClockKind.TOLD_ORALLY, date(2026, 12, 23))
    assert due(told, CLOSED_OVER_CHRISTMAS) == date(2026, 12, 29)


def test_a_closure_day_extends_an_agency_guidance_clock() -> None:
    # Applicants' comments on a PAR sent 23 December 2026: five agency working days.
    clock = Clock(ClockKind.PAR_COMMENTS, started_on=date(2026, 12, 23))
    assert due(clock) == date(2027, 1, 4)
    assert due(clock, CLOSED_OVER_CHRISTMAS) == date(2027, 1, 8)


def test_a_status_says_which_calendar_its_clock_counts_in() -> None:
    window = evaluate(
        Clock(ClockKind.REPRESENTATIONS_OR_IRM, date(2026, 12, 23)), date(2027, 1, 4), CAL, POLICY
    )
    minutes = evaluate(
        Clock(ClockKind.FINAL_MINUTES_TO_ADM, date(2026, 12, 16)), date(2027, 1, 4), CAL, POLICY
    )
    stage = evaluate(Clock(ClockKind.STAGE_2, date(2027, 1, 15)), date(2027, 2, 1), CAL, POLICY)
    assert window.calendar is CalendarKind.STATUTORY
    assert window.counted_in == (
        "statutory working days (AAR reg 2: closure days still count), "
        "beginning with the day it starts (day 1)"
    )
    assert minutes.calendar is CalendarKind.AGENCY
    assert minutes.counted_in == "agency working days (closure days excluded)"
    assert stage.counted_in == "calendar months"


# ---------------------------------------------------------------- 40 days beginning with the notice


def representations(sent_on: date) -> Clock:
    return Clock(ClockKind.REPRESENTATIONS_OR_IRM, started_on=sent_on)


def test_a_notice_before_easter_2027_skips_good_friday_and_easter_monday_aar_reg_2() -> None:
    # Thursday 25 March is day 1; 26 March (Good Friday), 29 March (Easter Monday) and 3 May
    # (early May bank holiday) are not working days.
    assert due(representations(date(2027, 3, 25))) == date(2027, 5, 24)


def test_a_notice_sent_on_a_day_off_counts_from_the_next_working_day_aar_reg_30b_5_c() -> None:
    # Good Friday, Easter Saturday, Easter Sunday and Easter Monday 2027 cannot be day 1: a day
    # that is not a working day cannot be one of the 40, so day 1 is Tuesday 30 March.
    for sent_on in (date(2027, 3, 26), date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)):
        assert due(representations(sent_on)) == date(2027, 5, 25)
    # Christmas Day 2026, a Friday: day 1 is Tuesday 29 December (28 December is Boxing Day's).
    assert due(representations(date(2026, 12, 25))) == date(2027, 2, 23)
    # A Saturday before Christmas: day 1 is Monday 21 December.
    assert due(representations(date(2026, 12, 19))) == date(2027, 2, 17)


def test_a_notice_sent_the_friday_before_a_bank_holiday_counts_it_aar_reg_30b_5_c() -> None:
    # Friday 28 May 2027 is day 1; Monday 31 May is the spring bank holiday.
    assert due(representations(date(2027, 5, 28))) == date(2027, 7, 23)


def test_a_notice_sent_on_christmas_eve_2027_closes_on_22_february_2028_aar_reg_30b_5_c() -> None:
    # Christmas 2027 falls on a weekend: 27 and 28 December and 3 January 2028 are the bank
    # holidays; the agency's closure days (24, 29-31 December) do not count against the window.
    closed = (date(2027, 12, 24), date(2027, 12, 29), date(2027, 12, 30), date(2027, 12, 31))
    both = working_calendars((2027, 2028), closed)
    assert due(representations(date(2027, 12, 24)), both) == date(2028, 2, 22)
    assert due(representations(date(2027, 12, 23)), both) == date(2028, 2, 21)


def test_representations_on_the_40th_working_day_are_in_time_the_next_day_late() -> None:
    on_time = replace(representations(date(2026, 12, 23)), completed_on=date(2027, 2, 19))
    late = replace(on_time, completed_on=date(2027, 2, 22))
    assert evaluate(on_time, date(2027, 2, 22), CAL, POLICY).state is ClockState.MET
    assert evaluate(late, date(2027, 2, 22), CAL, POLICY).state is ClockState.MISSED


def test_on_the_day_the_notice_is_sent_39_working_days_are_left_after_it() -> None:
    status = evaluate(representations(date(2026, 12, 23)), date(2026, 12, 23), CAL, POLICY)
    assert status.due_on == date(2027, 2, 19)
    assert status.working_days_remaining == 39


def test_a_policy_cannot_give_a_period_beginning_with_its_first_day_no_days() -> None:
    with pytest.raises(ValueError, match="no days beginning with the first"):
        replace(
            POLICY,
            working_days=MappingProxyType(
                {**POLICY.working_days, ClockKind.REPRESENTATIONS_OR_IRM: 0}
            ),
        )


# ---------------------------------------------------------------- fostering for adoption


def test_the_fostering_window_is_28_days_of_the_notice_fostering_services_regs_2011_reg_27_6():
    # "within 28 days of the date of the notice": the day of the notice is not counted.
    assert last_of_days_of(date(2027, 3, 1), 28) == date(2027, 3, 29)
    clock = Clock(ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM, started_on=date(2027, 3, 1))
    assert due(clock) == date(2027, 3, 29)


def test_the_fostering_window_over_christmas_2026_counts_every_calendar_day_reg_27_6() -> None:
    # Christmas Day, Boxing Day (28 Dec), New Year's Day and the closure days all count.
    clock = Clock(ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM, started_on=date(2026, 12, 23))
    assert due(clock) == due(clock, CLOSED_OVER_CHRISTMAS) == date(2027, 1, 20)


def test_the_fostering_window_over_easter_2027_is_not_lengthened_by_good_friday_reg_27_6() -> None:
    clock = Clock(ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM, started_on=date(2027, 3, 19))
    assert due(clock) == date(2027, 4, 16)


def test_a_fostering_window_ending_on_a_bank_holiday_still_ends_that_day_reg_27_6() -> None:
    # Notice on the early May bank holiday 2027; 28 days on is Monday 31 May, the spring bank
    # holiday: calendar days are not moved off bank holidays.
    clock = Clock(ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM, started_on=date(2027, 5, 3))
    assert due(clock) == date(2027, 5, 31)
    status = evaluate(clock, date(2027, 6, 1), CAL, POLICY)
    assert status.state is ClockState.MISSED and status.owed_by is OwedBy.APPLICANTS


def test_a_fostering_for_adoption_refusal_keeps_the_28_day_clock_not_the_40_working_days() -> None:
    facts = ItemFacts(
        category=ItemCategory.FOSTER_TO_ADOPT,
        decided_on=date(2027, 1, 11),
        qualifying_determination=True,
        letter_sent_on=date(2027, 1, 12),
    )
    kinds = {c.kind: c for c in clocks_for_item(facts)}
    assert ClockKind.REPRESENTATIONS_OR_IRM not in kinds
    window = kinds[ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM]
    assert due(window) == date(2027, 2, 9)
    assert "calendar days" in evaluate(window, date(2027, 1, 12), CAL, POLICY).counted_in
    assert SOURCES[ClockKind.FOSTERING_REPRESENTATIONS_OR_IRM].startswith(
        "Fostering Services (England) Regulations 2011 reg 27(6)(b)"
    )
