"""AAR reg 32(5): when the panel may recommend a match; and the one reading of "should be
placed" that the panel and the decision share."""

from datetime import date

from panel.rules.placement import (
    Authority,
    MatchFacts,
    is_approval_recommended,
    is_match_recommended,
    is_should_be_placed,
    match_prerequisites,
    says_no,
)

MEETING = date(2027, 1, 7)


def test_a_match_may_follow_a_should_be_placed_recommendation_at_the_same_meeting_aar_reg_32_5_a() -> (  # noqa: E501
    None
):
    verdict = match_prerequisites(
        MatchFacts(MEETING, placed_at_this_meeting=True, adopters_approved_on=date(2026, 11, 5))
    )
    assert verdict.allowed
    assert verdict.missing == ()
    assert verdict.warnings == ()


def test_a_placement_order_on_record_authorises_the_match_aar_reg_32_5_b() -> None:
    verdict = match_prerequisites(
        MatchFacts(
            MEETING,
            authority=Authority.PLACEMENT_ORDER,
            authorised_on=date(2026, 12, 23),
            adopters_approved_on=date(2026, 11, 5),
        )
    )
    assert verdict.allowed


def test_consent_under_section_19_authorises_the_match_aar_reg_32_5_b() -> None:
    verdict = match_prerequisites(
        MatchFacts(
            MEETING,
            authority=Authority.SECTION_19_CONSENT,
            authorised_on=date(2027, 1, 7),  # the consent was given the morning of the panel
            approved_at_this_meeting=True,
        )
    )
    assert verdict.allowed and verdict.warnings == ()


def test_without_placement_or_authority_the_match_is_refused_and_says_why_aar_reg_32_5() -> None:
    verdict = match_prerequisites(MatchFacts(MEETING))
    assert not verdict.allowed
    assert verdict.missing == (
        "no recommendation that the child should be placed for adoption was made earlier at "
        "this meeting, and no placement order or s.19 consent is on record (AAR reg 32(5))",
    )


def test_an_authority_without_its_date_or_dated_after_the_meeting_does_not_count_aar_reg_32_5_b() -> (  # noqa: E501
    None
):
    undated = match_prerequisites(MatchFacts(MEETING, authority=Authority.PLACEMENT_ORDER))
    assert not undated.allowed
    assert "the date of the placement order or consent is not on record" in undated.missing
    later = match_prerequisites(
        MatchFacts(MEETING, authority=Authority.PLACEMENT_ORDER, authorised_on=date(2027, 1, 8))
    )
    assert not later.allowed
    assert any("dated after the meeting" in m for m in later.missing)


def test_adopters_not_yet_approved_are_a_warning_not_a_refusal_aar_reg_32_1() -> None:
    verdict = match_prerequisites(MatchFacts(MEETING, placed_at_this_meeting=True))
    assert verdict.allowed
    assert verdict.warnings == (
        "the adopters' approval is not on record and they were not recommended as suitable "
        "earlier at this meeting",
    )
    # An approval dated after the meeting was not on record when the panel sat.
    after = match_prerequisites(
        MatchFacts(MEETING, placed_at_this_meeting=True, adopters_approved_on=date(2027, 1, 8))
    )
    assert after.warnings


def test_an_outcome_that_refuses_is_read_from_its_words_until_outcomes_carry_their_meaning() -> (
    None
):
    assert says_no("Should not be placed for adoption")
    assert says_no("No match")
    assert not says_no("Should be placed for adoption")
    assert is_should_be_placed(True, "Should be placed for adoption")
    assert not is_should_be_placed(False, "Should be placed for adoption")  # not that item
    assert not is_should_be_placed(True, "Should not be placed for adoption")
    assert is_match_recommended("Match") and not is_match_recommended("No match")
    assert is_approval_recommended("Suitable to adopt")
    assert not is_approval_recommended("Not suitable to adopt")
