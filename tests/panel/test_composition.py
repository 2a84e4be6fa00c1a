"""AAR reg 3(1): the central list must include a social worker with three years' relevant PQE and
the medical adviser; reg 4(1): only the chair must be independent."""

from dataclasses import replace
from datetime import date

from panel.rules import composition, eligibility
from panel.rules.composition import (
    NO_MEDICAL_ADVISER,
    NO_SOCIAL_WORKER,
    central_list_composition,
    central_list_gaps,
)
from panel.rules.eligibility import DEFAULT_ELIGIBILITY, ListRecord, Notice
from panel.rules.members import Member, Seat

ON = date(2026, 12, 24)  # Christmas Eve 2026: a closure day, still a day the list is judged on

social_worker = Member(1, "Sam Social", frozenset({Seat.SOCIAL_WORKER}), pqe_years=3)
medical_adviser = Member(2, "Dr Mina Medic", frozenset({Seat.MEDICAL_ADVISER}), independent=True)
chair = Member(3, "Clara Chair", frozenset({Seat.CHAIR}), independent=True)
vice_chair = Member(4, "Victor Vice", frozenset({Seat.VICE_CHAIR}), independent=False)


def listed(member: Member, **changes: object) -> ListRecord:
    return replace(ListRecord(member=member, listed_on=date(2025, 1, 6)), **changes)  # type: ignore[arg-type]


def test_central_list_gaps_none_when_the_list_has_a_3_year_social_worker_and_the_medical_adviser_aar_reg_3_1() -> (  # noqa: E501
    None
):
    records = [listed(chair), listed(social_worker), listed(medical_adviser)]

    found = central_list_composition(records, ON)

    assert found.gaps == ()
    assert found.complete
    assert found.social_workers == ("Sam Social",)
    assert found.medical_advisers == ("Dr Mina Medic",)


def test_central_list_gaps_names_a_missing_medical_adviser_aar_reg_3_1_b() -> None:
    assert central_list_gaps([listed(chair), listed(social_worker)], ON) == (NO_MEDICAL_ADVISER,)
    assert "medical adviser" in NO_MEDICAL_ADVISER and "reg 3(1)(b)" in NO_MEDICAL_ADVISER


def test_central_list_gaps_a_social_worker_under_3_years_pqe_does_not_count_aar_reg_3_1_a() -> None:
    newly_qualified = replace(social_worker, pqe_years=2)

    gaps = central_list_gaps([listed(newly_qualified), listed(medical_adviser)], ON)

    assert gaps == (NO_SOCIAL_WORKER,)
    assert "three years' relevant post-qualifying experience" in NO_SOCIAL_WORKER


def test_central_list_gaps_the_3_years_are_the_regulations_not_a_policy_number() -> None:
    # A specialist with 10 years' PQE is not on the list as a social worker.
    specialist = Member(5, "Sue Spec", frozenset({Seat.SPECIALIST}), pqe_years=10)

    assert central_list_gaps([listed(specialist), listed(medical_adviser)], ON) == (
        NO_SOCIAL_WORKER,
    )
    assert composition.SOCIAL_WORKER_PQE_YEARS == 3


def test_central_list_gaps_an_empty_list_lacks_both_aar_reg_3_1() -> None:
    assert central_list_gaps([], ON) == (NO_SOCIAL_WORKER, NO_MEDICAL_ADVISER)


def test_central_list_gaps_a_medical_adviser_under_notice_counts_until_the_leaving_day_aar_reg_3_3() -> (  # noqa: E501
    None
):
    # Notice given on 1 December 2026: one month, leaving on 1 January 2027 (a bank holiday).
    leaving = listed(medical_adviser, notice=Notice(date(2026, 12, 1), date(2027, 1, 1)))
    records = [listed(social_worker), leaving]

    assert central_list_gaps(records, date(2026, 12, 31)) == ()
    assert central_list_gaps(records, date(2027, 1, 1)) == (NO_MEDICAL_ADVISER,)


def test_central_list_gaps_a_member_who_joins_after_the_day_is_not_yet_on_the_list() -> None:
    joining = listed(social_worker, listed_on=date(2027, 3, 29))  # Easter Monday 2027

    assert central_list_gaps([joining, listed(medical_adviser)], date(2027, 3, 26)) == (
        NO_SOCIAL_WORKER,
    )
    assert central_list_gaps([joining, listed(medical_adviser)], date(2027, 3, 29)) == ()


def test_a_vice_chair_who_is_not_independent_may_chair_aar_reg_4_1_b() -> None:
    verdict = eligibility.may_chair(vice_chair, ON, DEFAULT_ELIGIBILITY)

    assert verdict.may_chair
    assert verdict.reasons == ()


def test_a_vice_chair_with_a_recent_tie_to_the_agency_may_still_chair_aar_reg_4_1_b() -> None:
    employed_until_recently = replace(vice_chair, dependency_ended_on=date(2026, 11, 30))

    assert eligibility.may_chair(employed_until_recently, ON, DEFAULT_ELIGIBILITY).may_chair


def test_the_chair_must_be_independent_of_the_agency_aar_reg_4_1_a() -> None:
    verdict = eligibility.may_chair(replace(chair, independent=False), ON, DEFAULT_ELIGIBILITY)

    assert not verdict.may_chair
    assert verdict.reasons == ("not independent of the agency",)
