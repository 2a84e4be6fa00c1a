"""The rules of telling a parent or guardian of a should-be-placed decision (AAR reg 19(3)), of
pausing Stage 2, and of the six months between Stage 1 and Stage 2 (AAR reg 28)."""

from datetime import date

from adm.rules.clocks import (
    CALENDAR_OF,
    DEFAULT_CLOCK_POLICY,
    SOURCES,
    Clock,
    ClockKind,
    ClockState,
    ItemCategory,
    ItemFacts,
    OwedBy,
    Pause,
    clocks_for_item,
    due_date,
    evaluate,
)
from adm.rules.stages import PauseGround, Stage2Pause, pause_problems
from adm.services import places_child
from governance.calendars import working_calendars
from governance.rules.workdays import CalendarKind
from panel.rules.outcomes import Letter, Meaning, Outcome

CAL = working_calendars((2026, 2027, 2028))
CLOSED_OVER_CHRISTMAS = working_calendars(
    (2026, 2027, 2028),
    closure_days=(date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)),
)


def _placed(decided_on: date, **dates: date | None) -> dict[ClockKind, Clock]:
    facts = ItemFacts(
        category=ItemCategory.SHOULD_BE_PLACED,
        decided_on=decided_on,
        parents_to_be_told=True,
        **dates,  # type: ignore[arg-type]
    )
    return {c.kind: c for c in clocks_for_item(facts)}


# ---------------------------------------------------------------- AAR reg 19(3)


def test_a_should_be_placed_decision_starts_both_parents_clocks_aar_reg_19_3() -> None:
    found = _placed(date(2027, 1, 11))
    assert found[ClockKind.PARENTS_TOLD_ORALLY].started_on == date(2027, 1, 11)
    assert found[ClockKind.PARENTS_TOLD_IN_WRITING].started_on == date(2027, 1, 11)


def test_a_should_not_be_placed_decision_tells_no_parent_under_aar_reg_19_3() -> None:
    facts = ItemFacts(category=ItemCategory.SHOULD_BE_PLACED, decided_on=date(2027, 1, 11))
    kinds = {c.kind for c in clocks_for_item(facts)}
    assert ClockKind.PARENTS_TOLD_ORALLY not in kinds
    assert ClockKind.PARENTS_TOLD_IN_WRITING not in kinds


def test_only_a_should_be_placed_meaning_tells_the_parents_aar_reg_19_3() -> None:
    def outcome(wording: str, meaning: Meaning) -> Outcome:
        return Outcome(wording, meaning, qualifying=False, letter=Letter.NONE)

    # The meaning decides, not the words: an agency may reword an outcome.
    assert places_child(outcome("Placed for adoption", Meaning.SHOULD_BE_PLACED))
    assert places_child(outcome("Plan for adoption agreed", Meaning.SHOULD_BE_PLACED))
    assert not places_child(outcome("Should be placed", Meaning.SHOULD_NOT_BE_PLACED))
    assert not places_child(outcome("Match", Meaning.MATCH))
    assert not places_child(None)


def test_parents_clocks_count_statutory_working_days_and_name_reg_19_3() -> None:
    for kind in (ClockKind.PARENTS_TOLD_ORALLY, ClockKind.PARENTS_TOLD_IN_WRITING):
        assert CALENDAR_OF[kind] is CalendarKind.STATUTORY
        assert SOURCES[kind].startswith("AAR reg 19(3)")
        assert "Statutory guidance on adoption 2013" in SOURCES[kind]


def test_a_decision_on_23_december_2026_tells_parents_by_29_december_and_writes_by_4_january_aar_reg_19_3() -> (  # noqa: E501
    None
):
    found = _placed(date(2026, 12, 23))
    # 25 and 28 December 2026 and 1 January 2027 are bank holidays; 24 December is a working day.
    assert due_date(found[ClockKind.PARENTS_TOLD_ORALLY], CAL, DEFAULT_CLOCK_POLICY) == date(
        2026, 12, 29
    )
    assert due_date(found[ClockKind.PARENTS_TOLD_IN_WRITING], CAL, DEFAULT_CLOCK_POLICY) == date(
        2027, 1, 4
    )


def test_a_closure_day_inside_the_parents_window_does_not_extend_it_aar_reg_2() -> None:
    # The agency is closed 24 and 29-31 December 2026; the guidance's days are statutory ones.
    found = _placed(date(2026, 12, 23))
    for kind, last in (
        (ClockKind.PARENTS_TOLD_ORALLY, date(2026, 12, 29)),
        (ClockKind.PARENTS_TOLD_IN_WRITING, date(2027, 1, 4)),
    ):
        assert due_date(found[kind], CLOSED_OVER_CHRISTMAS, DEFAULT_CLOCK_POLICY) == last


def test_a_decision_before_easter_2027_skips_good_friday_and_easter_monday_aar_reg_2() -> None:
    # Decided Thursday 25 March 2027: Good Friday 26 and Easter Monday 29 March are not counted.
    found = _placed(date(2027, 3, 25))
    assert due_date(found[ClockKind.PARENTS_TOLD_ORALLY], CAL, DEFAULT_CLOCK_POLICY) == date(
        2027, 3, 31
    )
    assert due_date(found[ClockKind.PARENTS_TOLD_IN_WRITING], CAL, DEFAULT_CLOCK_POLICY) == date(
        2027, 4, 5
    )


def test_parents_told_on_time_and_written_to_late_show_met_and_missed_aar_reg_19_3() -> None:
    found = _placed(
        date(2026, 12, 23),
        parents_told_orally_on=date(2026, 12, 24),
        parents_letter_sent_on=date(2027, 1, 6),
    )
    told = evaluate(
        found[ClockKind.PARENTS_TOLD_ORALLY], date(2027, 1, 15), CAL, DEFAULT_CLOCK_POLICY
    )
    letter = evaluate(
        found[ClockKind.PARENTS_TOLD_IN_WRITING], date(2027, 1, 15), CAL, DEFAULT_CLOCK_POLICY
    )
    assert told.state is ClockState.MET
    assert letter.state is ClockState.MISSED
    assert "2 working days late" in letter.reason
    assert letter.needs_breach_reason
    assert letter.owed_by is OwedBy.AGENCY


# ---------------------------------------------------------------- AAR reg 28: six months


def _notice(stage_1_completed_on: date, notice_on: date | None = None) -> Clock:
    facts = ItemFacts(
        category=ItemCategory.ADOPTER_APPROVAL,
        stage_1_completed_on=stage_1_completed_on,
        stage_2_notice_on=notice_on,
    )
    return next(c for c in clocks_for_item(facts) if c.kind is ClockKind.STAGE_2_NOTICE)


def test_notice_to_start_stage_2_is_due_within_six_months_of_stage_1_aar_reg_28() -> None:
    # Six calendar months from 31 August 2026 ends on 28 February 2027 (no 31 February).
    assert due_date(_notice(date(2026, 8, 31)), CAL, DEFAULT_CLOCK_POLICY) == date(2027, 2, 28)
    status = evaluate(_notice(date(2026, 8, 31)), date(2027, 1, 15), CAL, DEFAULT_CLOCK_POLICY)
    assert status.state is ClockState.RUNNING
    assert status.owed_by is OwedBy.APPLICANTS  # the applicants' choice, not the agency's duty


def test_notice_inside_six_months_over_christmas_is_in_time_aar_reg_28() -> None:
    clock = _notice(date(2026, 6, 30), date(2026, 12, 30))
    status = evaluate(clock, date(2027, 1, 15), CAL, DEFAULT_CLOCK_POLICY)
    assert status.state is ClockState.MET


def test_after_six_months_stage_1_must_be_repeated_aar_reg_28() -> None:
    late = evaluate(
        _notice(date(2026, 8, 31), date(2027, 3, 1)), date(2027, 3, 2), CAL, DEFAULT_CLOCK_POLICY
    )
    assert late.state is ClockState.MISSED
    assert "must go through Stage 1 again (AAR reg 28)" in late.reason
    assert not late.needs_breach_reason  # nobody at the agency missed anything
    none = evaluate(_notice(date(2026, 8, 31)), date(2027, 3, 1), CAL, DEFAULT_CLOCK_POLICY)
    assert none.state is ClockState.MISSED
    assert "window closed on 28 February 2027" in none.reason
    assert "Stage 1 again" in none.reason


# ---------------------------------------------------------------- pausing Stage 2


def test_a_paused_stage_2_moves_its_deadline_on_by_the_days_paused() -> None:
    # Notice 1 October 2026: four months end 1 February 2027; paused 21 December to 3 January
    # (14 days, at the applicants' request), the deadline moves to 15 February.
    plain = Clock(ClockKind.STAGE_2, date(2026, 10, 1))
    paused = Clock(
        ClockKind.STAGE_2,
        date(2026, 10, 1),
        pauses=(Pause(date(2026, 12, 21), date(2027, 1, 3), "the applicants asked"),),
    )
    assert due_date(plain, CAL, DEFAULT_CLOCK_POLICY) == date(2027, 2, 1)
    assert due_date(paused, CAL, DEFAULT_CLOCK_POLICY) == date(2027, 2, 15)


def test_a_stage_2_paused_until_further_notice_shows_paused_with_its_reason() -> None:
    clock = Clock(
        ClockKind.STAGE_2,
        date(2026, 10, 1),
        pauses=(Pause(date(2027, 1, 4), None, "exceptional circumstances; bereavement"),),
    )
    status = evaluate(clock, date(2027, 1, 15), CAL, DEFAULT_CLOCK_POLICY)
    assert status.state is ClockState.PAUSED
    assert "bereavement" in status.reason


def test_a_stage_2_pause_must_fall_inside_stage_2_and_give_exceptional_circumstances() -> None:
    early = Stage2Pause(PauseGround.APPLICANTS_REQUEST, date(2026, 9, 1), None, "")
    assert pause_problems(early, date(2026, 10, 1), None) == {
        "stage_2_pause_from": "The pause cannot start before Stage 2 started"
    }
    unsaid = Stage2Pause(PauseGround.EXCEPTIONAL_CIRCUMSTANCES, date(2026, 12, 1), None, " ")
    assert pause_problems(unsaid, date(2026, 10, 1), None) == {
        "stage_2_pause_reason": "Say what the exceptional circumstances are"
    }
    backwards = Stage2Pause(
        PauseGround.APPLICANTS_REQUEST, date(2026, 12, 21), date(2026, 12, 20), ""
    )
    assert "stage_2_pause_to" in pause_problems(backwards, date(2026, 10, 1), None)
    before_any = Stage2Pause(PauseGround.APPLICANTS_REQUEST, date(2026, 12, 21), None, "")
    assert "has not started" in pause_problems(before_any, None, None)["stage_2_pause_from"]
    after = Stage2Pause(PauseGround.APPLICANTS_REQUEST, date(2027, 1, 20), None, "")
    assert (
        "ended with the decision"
        in pause_problems(after, date(2026, 10, 1), date(2027, 1, 14))["stage_2_pause_from"]
    )
