"""What an adviser should be warned of about a panel's balance (advice only, never blocking)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from panel.rules.conflicts import Conflict
from panel.rules.members import (
    AGE_BANDS,
    ETHNICITY_LABELS,
    SEAT_LABELS,
    Ethnicity,
    Experience,
    Member,
    Seat,
    counts,
    plural,
)


class Code(StrEnum):
    NO_PERSONAL_EXPERIENCE = "no_personal_experience"
    LITTLE_PERSONAL_EXPERIENCE = "little_personal_experience"
    SINGLE_GENDER = "single_gender"
    NO_ETHNIC_DIVERSITY = "no_ethnic_diversity"
    NARROW_AGE_SPREAD = "narrow_age_spread"
    MISSING_PROFESSIONAL = "missing_professional"
    MISSING_LANGUAGE = "missing_language"


@dataclass(frozen=True, slots=True)
class BalancePolicy:
    version: int
    personal_experience_aim: int  # members with personal experience of adoption, where practicable
    personal_experience: frozenset[Experience]  # which experience counts as of adoption
    minority_ethnicities: frozenset[Ethnicity]
    min_age_bands_spanned: int  # youngest to oldest band, both counted


DEFAULT_BALANCE = BalancePolicy(
    version=1,
    personal_experience_aim=2,
    personal_experience=frozenset(
        {Experience.ADOPTER, Experience.ADOPTED_ADULT, Experience.BIRTH_RELATIVE}
    ),
    minority_ethnicities=frozenset(
        {Ethnicity.ASIAN, Ethnicity.BLACK, Ethnicity.MIXED, Ethnicity.OTHER}
    ),
    min_age_bands_spanned=3,
)


@dataclass(frozen=True, slots=True)
class ItemNeeds:
    item_id: int
    label: str  # how the adviser knows the item, e.g. "item 3"
    child_ethnicities: frozenset[Ethnicity] = frozenset()
    professionals: frozenset[Seat] = frozenset()  # e.g. the medical adviser: complex health needs
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Concern:
    code: Code
    reason: str


@dataclass(frozen=True, slots=True)
class Verdict:
    concerns: tuple[Concern, ...]
    policy_version: int

    @property
    def balanced(self) -> bool:
        return not self.concerns


def check(
    members: Iterable[Member],
    items: Iterable[ItemNeeds],
    policy: BalancePolicy,
    conflicts: Iterable[Conflict] = (),
) -> Verdict:
    panel = list({member.id: member for member in members if counts(member)}.values())
    items = list(items)
    concerns = [
        *_personal_experience(panel, policy),
        *_gender(panel),
        *_ethnicity(panel, items, policy),
        *_age_spread(panel, policy),
        *_professionals(panel, items, conflicts),
    ]
    return Verdict(concerns=tuple(concerns), policy_version=policy.version)


def needs_ethnic_diversity(items: Iterable[ItemNeeds], policy: BalancePolicy) -> bool:
    return any(item.child_ethnicities & policy.minority_ethnicities for item in items)


def age_spread_met(panel: Iterable[Member], policy: BalancePolicy) -> bool:
    bands = [AGE_BANDS.index(m.age_band) for m in panel if m.age_band is not None]
    return bool(bands) and max(bands) - min(bands) + 1 >= policy.min_age_bands_spanned


def _personal_experience(panel: list[Member], policy: BalancePolicy) -> list[Concern]:
    with_experience = sum(1 for m in panel if m.experience & policy.personal_experience)
    aim = policy.personal_experience_aim
    if with_experience == 0:
        return [
            Concern(
                Code.NO_PERSONAL_EXPERIENCE,
                f"no member with personal experience of adoption ({aim} wanted where practicable)",
            )
        ]
    if with_experience < aim:
        return [
            Concern(
                Code.LITTLE_PERSONAL_EXPERIENCE,
                f"only {plural(with_experience, 'member')} with personal experience of adoption"
                f" ({aim} wanted where practicable)",
            )
        ]
    return []


def _gender(panel: list[Member]) -> list[Concern]:
    genders = {m.gender for m in panel if m.gender is not None}
    if len(genders) > 1:
        return []
    if not genders:
        return [Concern(Code.SINGLE_GENDER, "no member's gender is recorded")]
    (gender,) = genders
    unrecorded = sum(1 for m in panel if m.gender is None)
    reason = "single-gender panel: every member whose gender is recorded is " + gender.replace(
        "_", "-"
    )
    if unrecorded:
        reason += f" ({plural(unrecorded, 'member')} not recorded)"
    return [Concern(Code.SINGLE_GENDER, reason)]


def _ethnicity(panel: list[Member], items: list[ItemNeeds], policy: BalancePolicy) -> list[Concern]:
    if not needs_ethnic_diversity(items, policy):
        return []
    groups = {m.ethnicity for m in panel if m.ethnicity is not None}
    if len(groups) > 1:
        return []
    children = []
    for item in items:
        minority = item.child_ethnicities & policy.minority_ethnicities
        if minority:
            labels = ", ".join(ETHNICITY_LABELS[e] for e in Ethnicity if e in minority)
            children.append(f"{item.label} ({labels})")
    panel_text = (
        f"every member whose ethnicity is recorded is {ETHNICITY_LABELS[next(iter(groups))]}"
        if groups
        else "no member's ethnicity is recorded"
    )
    return [
        Concern(
            Code.NO_ETHNIC_DIVERSITY,
            f"no ethnic diversity on the panel ({panel_text}) for a child from a minority ethnic "
            f"background: {', '.join(children)}",
        )
    ]


def _age_spread(panel: list[Member], policy: BalancePolicy) -> list[Concern]:
    if age_spread_met(panel, policy):
        return []
    bands = sorted({m.age_band for m in panel if m.age_band is not None}, key=AGE_BANDS.index)
    if not bands:
        reason = "no member's age band is recorded"
    elif len(bands) == 1:
        reason = f"unbalanced age spread: every member whose age is recorded is aged {bands[0]}"
    else:
        reason = f"unbalanced age spread: members' ages run only from {bands[0]} to {bands[-1]}"
    return [Concern(Code.NARROW_AGE_SPREAD, reason)]


def _professionals(
    panel: list[Member], items: list[ItemNeeds], conflicts: Iterable[Conflict]
) -> list[Concern]:
    withdrawn = {(c.member_id, c.item_id) for c in conflicts}
    concerns = []
    for item in items:
        sitting = [m for m in panel if (m.id, item.item_id) not in withdrawn]
        for seat in Seat:
            if seat in item.professionals and not any(seat in m.seats for m in sitting):
                concerns.append(
                    Concern(
                        Code.MISSING_PROFESSIONAL,
                        f"no {SEAT_LABELS[seat]} sitting for {item.label}, which needs one",
                    )
                )
        spoken = {language.casefold() for m in sitting for language in m.languages}
        for language in sorted(item.languages):
            if language.casefold() not in spoken:
                concerns.append(
                    Concern(
                        Code.MISSING_LANGUAGE,
                        f"no member sitting for {item.label} speaks {language}, which it needs",
                    )
                )
    return concerns
