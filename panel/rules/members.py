"""What the panel rules know about a member of the central list: seats held and who they are."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Seat(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SOCIAL_WORKER = "social_worker"
    MEDICAL_ADVISER = "medical_adviser"
    INDEPENDENT = "independent"
    SPECIALIST = "specialist"
    PANEL_ADVISER = "panel_adviser"
    LEGAL_ADVISER = "legal_adviser"
    OBSERVER = "observer"


# Advisers and observers attend but never count towards quorum or give a view.
NON_COUNTING_SEATS = frozenset({Seat.PANEL_ADVISER, Seat.LEGAL_ADVISER, Seat.OBSERVER})
CHAIR_SEATS = frozenset({Seat.CHAIR, Seat.VICE_CHAIR})

SEAT_LABELS = {
    Seat.CHAIR: "chair",
    Seat.VICE_CHAIR: "vice chair",
    Seat.SOCIAL_WORKER: "social worker",
    Seat.MEDICAL_ADVISER: "medical adviser",
    Seat.INDEPENDENT: "independent member",
    Seat.SPECIALIST: "specialist",
    Seat.PANEL_ADVISER: "panel adviser",
    Seat.LEGAL_ADVISER: "legal adviser",
    Seat.OBSERVER: "observer",
}


class Experience(StrEnum):
    ADOPTER = "adopter"
    ADOPTED_ADULT = "adopted_adult"
    BIRTH_RELATIVE = "birth_relative"
    FOSTER_CARER = "foster_carer"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"


class AgeBand(StrEnum):
    # Declared youngest first: the declaration order is the order of the bands.
    UNDER_30 = "18-29"
    THIRTIES = "30-39"
    FORTIES = "40-49"
    FIFTIES = "50-59"
    SIXTIES = "60-69"
    SEVENTY_PLUS = "70+"


AGE_BANDS: tuple[AgeBand, ...] = tuple(AgeBand)


class Ethnicity(StrEnum):
    # ONS 2021 census high-level groups.
    ASIAN = "asian"
    BLACK = "black"
    MIXED = "mixed"
    WHITE = "white"
    OTHER = "other"


ETHNICITY_LABELS = {
    Ethnicity.ASIAN: "Asian",
    Ethnicity.BLACK: "Black",
    Ethnicity.MIXED: "Mixed or multiple",
    Ethnicity.WHITE: "White",
    Ethnicity.OTHER: "other ethnic group",
}


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    name: str
    seats: frozenset[Seat]
    pqe_years: int = 0  # a social worker's years of post-qualifying experience
    independent: bool = False  # of the agency
    # When the member last worked in the agency's children's services, was a councillor or was
    # related to one: the chair's independence is counted from this date.
    dependency_ended_on: date | None = None
    experience: frozenset[Experience] = frozenset()
    gender: Gender | None = None  # None: not recorded
    age_band: AgeBand | None = None
    ethnicity: Ethnicity | None = None
    languages: frozenset[str] = frozenset()


def counts(member: Member) -> bool:
    return bool(member.seats - NON_COUNTING_SEATS)


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
