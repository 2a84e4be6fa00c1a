"""AAR reg 32(5): when the panel may recommend a match, read from each item type's category and
each outcome's meaning, so an agency's own words for either change nothing."""

from dataclasses import replace
from datetime import date

from panel.rules.outcomes import Category, Meaning
from panel.rules.placement import (
    Authority,
    HeardItem,
    MatchFacts,
    approved_at_meeting,
    is_approval_recommended,
    is_approval_type,
    is_match_recommended,
    is_match_type,
    is_should_be_placed,
    is_should_be_placed_type,
    match_prerequisites,
    placed_at_meeting,
    placed_items,
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


# An agency's own words for the should-be-placed and match outcomes and for the type: the
# meaning and the category were set with the type and do not change with the words.
PLAN_AGREED = HeardItem(
    1, Category.SHOULD_BE_PLACED, Meaning.SHOULD_BE_PLACED, "CH-1", frozenset({"l p"})
)
PLAN_NOT_AGREED = HeardItem(
    1, Category.SHOULD_BE_PLACED, Meaning.SHOULD_NOT_BE_PLACED, "CH-1", frozenset({"l p"})
)
MATCH = HeardItem(2, Category.MATCH, None, "CH-1", frozenset({"l p"}), frozenset({"sam okafor"}))


def test_should_be_placed_reworded_plan_for_adoption_agreed_still_lets_the_match_follow_aar_reg_32_5_a() -> (  # noqa: E501
    None
):
    # "Should be placed for adoption" reworded "Plan for adoption agreed", on a type the agency
    # calls "Permanence planning": the meaning and the category decide, not the words.
    assert is_should_be_placed(Meaning.SHOULD_BE_PLACED)
    assert placed_at_meeting(MATCH, [PLAN_AGREED])
    assert placed_items(MATCH, [PLAN_AGREED]) == [PLAN_AGREED]


def test_a_refusal_worded_without_not_is_still_a_refusal_aar_reg_32_5_a() -> None:
    # "Plan for adoption not agreed" has the word "not"; "Adoption ruled out" has none: both
    # mean the child should not be placed, and neither lets a match follow.
    assert not is_should_be_placed(Meaning.SHOULD_NOT_BE_PLACED)
    assert not placed_at_meeting(MATCH, [PLAN_NOT_AGREED])
    # Nor does a recommendation not yet made, or one on another child.
    assert not placed_at_meeting(MATCH, [replace(PLAN_AGREED, meaning=None)])
    other_child = replace(PLAN_AGREED, case_reference="CH-9", children=frozenset({"t n"}))
    assert not placed_at_meeting(MATCH, [other_child])


def test_the_kind_of_item_is_its_category_never_its_name_aar_reg_32_5() -> None:
    # A type named "Linking with a family" is a match only if its category says so; one named
    # "Match support review" filed as information is not.
    assert is_match_type(Category.MATCH)
    assert not is_match_type(Category.INFORMATION)
    assert is_should_be_placed_type(Category.SHOULD_BE_PLACED)
    assert not is_should_be_placed_type(Category.MATCH)
    # A should-be-placed item the agency files as information does not count.
    filed_as_information = replace(PLAN_AGREED, category=Category.INFORMATION)
    assert not placed_at_meeting(MATCH, [filed_as_information])


def test_a_match_reworded_is_still_a_match_and_no_match_is_never_one_aar_reg_32_1() -> None:
    assert is_match_recommended(Meaning.MATCH)  # e.g. "Link agreed"
    assert not is_match_recommended(Meaning.NO_MATCH)  # e.g. "Link not supported"
    assert not is_match_recommended(None)


def test_adopters_recommended_suitable_in_the_agencys_words_count_as_approved_at_the_meeting_aar_reg_32_1() -> (  # noqa: E501
    None
):
    approval = HeardItem(
        3,
        Category.ADOPTER_APPROVAL,
        Meaning.SUITABLE,
        "ADP-1",
        applicants=frozenset({"sam okafor"}),
    )
    assert is_approval_recommended(Meaning.SUITABLE)  # e.g. "Approved as adopters"
    assert approved_at_meeting(MATCH, [approval])
    refused = replace(approval, meaning=Meaning.NOT_SUITABLE)  # e.g. "Approval not supported"
    assert not approved_at_meeting(MATCH, [refused])
    others = replace(approval, applicants=frozenset({"someone else"}))
    assert not approved_at_meeting(MATCH, [others])
    # A review that continues an approval is not an approval recommendation (AAR reg 30D).
    review = replace(approval, category=Category.REVIEW_OF_APPROVAL, meaning=Meaning.SUITABLE)
    assert not approved_at_meeting(MATCH, [review])


def test_applicants_are_invited_to_an_approval_item_of_any_name_aar_reg_30a_5() -> None:
    for category in (Category.ADOPTER_APPROVAL, Category.BRIEF_PAR, Category.FOSTER_TO_ADOPT):
        assert is_approval_type(category)
    for category in (Category.REVIEW_OF_APPROVAL, Category.MATCH, Category.INFORMATION):
        assert not is_approval_type(category)
