"""Whether the central list holds the people the regulations say it must include.

AAR 2005 reg 3(1) (as substituted by SI 2011/589): an adoption agency must maintain a list of
persons it considers suitable to be members of an adoption panel ("the central list"), including
(a) one or more social workers who have at least three years' relevant post-qualifying experience,
and (b) the medical adviser to the agency (or at least one, if more than one is appointed).

The three years are the regulation's, not a policy number: the quorum's social worker (reg 6) is
counted with the agency's policy, the list's composition is not.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from panel.rules.eligibility import ListRecord
from panel.rules.members import Seat

SOCIAL_WORKER_PQE_YEARS = 3  # AAR reg 3(1)(a)

NO_SOCIAL_WORKER = (
    "The central list has no social worker with at least three years' relevant post-qualifying "
    "experience (AAR reg 3(1)(a))"
)
NO_MEDICAL_ADVISER = (
    "The central list does not include the agency's medical adviser (AAR reg 3(1)(b))"
)


@dataclass(frozen=True, slots=True)
class Composition:
    gaps: tuple[str, ...]  # what the list lacks, in words; empty when it meets reg 3(1)
    social_workers: tuple[str, ...]  # names of those who meet reg 3(1)(a)
    medical_advisers: tuple[str, ...]  # names of those who meet reg 3(1)(b)

    @property
    def complete(self) -> bool:
        return not self.gaps


def on_the_list(record: ListRecord, on: date) -> bool:
    """Listed on or before the day and not yet gone: a member under notice stays on the list
    until the leaving date (AAR reg 3(2), (3): one month's notice in writing)."""
    if record.listed_on is None or record.listed_on > on:
        return False
    return record.notice is None or on < record.notice.leaving_on


def central_list_composition(records: Iterable[ListRecord], on: date) -> Composition:
    """AAR reg 3(1)(a) and (b) on the given day."""
    listed = [r.member for r in records if on_the_list(r, on)]
    social_workers = tuple(
        sorted(
            m.name
            for m in listed
            if Seat.SOCIAL_WORKER in m.seats and m.pqe_years >= SOCIAL_WORKER_PQE_YEARS
        )
    )
    medical_advisers = tuple(sorted(m.name for m in listed if Seat.MEDICAL_ADVISER in m.seats))
    gaps = []
    if not social_workers:
        gaps.append(NO_SOCIAL_WORKER)
    if not medical_advisers:
        gaps.append(NO_MEDICAL_ADVISER)
    return Composition(tuple(gaps), social_workers, medical_advisers)


def central_list_gaps(records: Iterable[ListRecord], on: date) -> tuple[str, ...]:
    """What the central list lacks on the day under AAR reg 3(1), in words; () when nothing."""
    return central_list_composition(records, on).gaps
