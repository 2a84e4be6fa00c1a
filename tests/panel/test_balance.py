from dataclasses import replace

from panel.rules import balance
from panel.rules.balance import DEFAULT_BALANCE, Code, ItemNeeds
from panel.rules.conflicts import Conflict, Interest, Party, Role
from panel.rules.members import AgeBand, Ethnicity, Experience, Gender, Member, Seat

W, B, A = Ethnicity.WHITE, Ethnicity.BLACK, Ethnicity.ASIAN


def member(
    mid: int,
    seat: Seat,
    gender: Gender,
    age: AgeBand,
    ethnicity: Ethnicity = W,
    *experience: Experience,
) -> Member:
    return Member(
        mid,
        f"Member {mid}",
        frozenset({seat}),
        independent=True,
        experience=frozenset(experience),
        gender=gender,
        age_band=age,
        ethnicity=ethnicity,
    )


F, M = Gender.FEMALE, Gender.MALE
BALANCED = [
    member(1, Seat.CHAIR, F, AgeBand.SIXTIES),
    member(2, Seat.SOCIAL_WORKER, M, AgeBand.THIRTIES, B),
    member(3, Seat.INDEPENDENT, F, AgeBand.FORTIES, W, Experience.ADOPTER),
    member(4, Seat.INDEPENDENT, M, AgeBand.FIFTIES, A, Experience.ADOPTED_ADULT),
    member(5, Seat.MEDICAL_ADVISER, F, AgeBand.FIFTIES),
]
MATCH = ItemNeeds(1, "item 1", child_ethnicities=frozenset({B}))


def codes(verdict: balance.Verdict) -> list[Code]:
    return [concern.code for concern in verdict.concerns]


def test_a_balanced_panel_has_no_concerns() -> None:
    verdict = balance.check(BALANCED, [MATCH], DEFAULT_BALANCE)

    assert verdict.balanced
    assert verdict.policy_version == DEFAULT_BALANCE.version


def test_a_panel_without_personal_experience_of_adoption_is_warned() -> None:
    panel = [replace(m, experience=frozenset()) for m in BALANCED]

    verdict = balance.check(panel, [], DEFAULT_BALANCE)

    assert verdict.concerns == (
        balance.Concern(
            Code.NO_PERSONAL_EXPERIENCE,
            "no member with personal experience of adoption (2 wanted where practicable)",
        ),
    )


def test_one_member_with_personal_experience_is_warned_as_short_of_two() -> None:
    panel = [*BALANCED[:3], replace(BALANCED[3], experience=frozenset()), BALANCED[4]]

    verdict = balance.check(panel, [], DEFAULT_BALANCE)

    assert verdict.concerns[0].reason == (
        "only 1 member with personal experience of adoption (2 wanted where practicable)"
    )
    assert codes(verdict) == [Code.LITTLE_PERSONAL_EXPERIENCE]


def test_a_foster_carer_is_not_counted_as_personal_experience_of_adoption_by_default() -> None:
    panel = [*BALANCED[:3], replace(BALANCED[3], experience=frozenset({Experience.FOSTER_CARER}))]

    assert codes(balance.check(panel, [], DEFAULT_BALANCE)) == [Code.LITTLE_PERSONAL_EXPERIENCE]
    wider = replace(DEFAULT_BALANCE, personal_experience=frozenset(Experience))
    assert balance.check(panel, [], wider).balanced


def test_a_single_gender_panel_is_warned() -> None:
    panel = [replace(m, gender=F) for m in BALANCED]

    verdict = balance.check(panel, [], DEFAULT_BALANCE)

    assert verdict.concerns == (
        balance.Concern(
            Code.SINGLE_GENDER,
            "single-gender panel: every member whose gender is recorded is female",
        ),
    )


def test_no_ethnic_diversity_is_warned_when_a_child_is_from_a_minority_ethnic_background() -> None:
    panel = [replace(m, ethnicity=W) for m in BALANCED]

    verdict = balance.check(panel, [MATCH], DEFAULT_BALANCE)

    assert verdict.concerns == (
        balance.Concern(
            Code.NO_ETHNIC_DIVERSITY,
            "no ethnic diversity on the panel (every member whose ethnicity is recorded is "
            "White) for a child from a minority ethnic background: item 1 (Black)",
        ),
    )


def test_no_ethnic_diversity_is_not_warned_when_no_child_is_from_a_minority_background() -> None:
    panel = [replace(m, ethnicity=W) for m in BALANCED]
    white_child = ItemNeeds(1, "item 1", child_ethnicities=frozenset({W}))

    assert balance.check(panel, [white_child], DEFAULT_BALANCE).balanced


def test_all_members_in_two_adjacent_age_bands_is_an_unbalanced_age_spread() -> None:
    ages = [AgeBand.FORTIES, AgeBand.FIFTIES, AgeBand.FORTIES, AgeBand.FIFTIES, AgeBand.FIFTIES]
    panel = [replace(m, age_band=age) for m, age in zip(BALANCED, ages, strict=True)]

    verdict = balance.check(panel, [], DEFAULT_BALANCE)

    assert verdict.concerns == (
        balance.Concern(
            Code.NARROW_AGE_SPREAD,
            "unbalanced age spread: members' ages run only from 40-49 to 50-59",
        ),
    )


def test_a_match_with_complex_health_needs_without_the_medical_adviser_is_warned() -> None:
    complex_health = ItemNeeds(2, "item 2", professionals=frozenset({Seat.MEDICAL_ADVISER}))

    verdict = balance.check(BALANCED[:4], [complex_health], DEFAULT_BALANCE)

    assert verdict.concerns == (
        balance.Concern(
            Code.MISSING_PROFESSIONAL, "no medical adviser sitting for item 2, which needs one"
        ),
    )
    assert balance.check(BALANCED, [complex_health], DEFAULT_BALANCE).balanced


def test_a_conflicted_medical_adviser_does_not_meet_the_items_need() -> None:
    complex_health = ItemNeeds(2, "item 2", professionals=frozenset({Seat.MEDICAL_ADVISER}))
    conflict = Conflict(5, 2, Party(Role.CHILD, "X"), Interest(5, "X", "GP"), "X is a patient")

    verdict = balance.check(BALANCED, [complex_health], DEFAULT_BALANCE, [conflict])

    assert codes(verdict) == [Code.MISSING_PROFESSIONAL]


def test_a_language_an_item_needs_is_warned_when_no_member_speaks_it() -> None:
    polish_family = ItemNeeds(3, "item 3", languages=frozenset({"Polish"}))
    speaker = replace(BALANCED[0], languages=frozenset({"polish"}))

    assert balance.check(BALANCED, [polish_family], DEFAULT_BALANCE).concerns == (
        balance.Concern(
            Code.MISSING_LANGUAGE, "no member sitting for item 3 speaks Polish, which it needs"
        ),
    )
    assert balance.check([speaker, *BALANCED[1:]], [polish_family], DEFAULT_BALANCE).balanced


def test_advisers_and_observers_are_left_out_of_the_balance() -> None:
    adviser = replace(
        BALANCED[3],
        id=9,
        seats=frozenset({Seat.PANEL_ADVISER}),
        experience=frozenset({Experience.ADOPTER}),
    )
    panel = [*BALANCED[:3], replace(BALANCED[3], experience=frozenset()), BALANCED[4], adviser]

    assert codes(balance.check(panel, [], DEFAULT_BALANCE)) == [Code.LITTLE_PERSONAL_EXPERIENCE]
