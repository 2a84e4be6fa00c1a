"""Which members are conflicted on which agenda items, from their registers of interests."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from panel.rules.members import Member


class Role(StrEnum):
    APPLICANT = "applicant"
    CHILD = "child"
    BIRTH_RELATIVE = "birth_relative"
    SOCIAL_WORKER = "social_worker"
    FOSTER_CARER = "foster_carer"
    SCHOOL = "school"
    OTHER = "other"


ROLE_LABELS = {
    Role.APPLICANT: "applicant",
    Role.CHILD: "child",
    Role.BIRTH_RELATIVE: "birth relative",
    Role.SOCIAL_WORKER: "social worker",
    Role.FOSTER_CARER: "foster carer",
    Role.SCHOOL: "school",
    Role.OTHER: "party",
}

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})


@dataclass(frozen=True, slots=True)
class Party:
    role: Role
    name: str


@dataclass(frozen=True, slots=True)
class ItemParties:
    item_id: int
    label: str  # how the adviser knows the item, e.g. "item 3"
    parties: tuple[Party, ...]


@dataclass(frozen=True, slots=True)
class Interest:
    member_id: int
    name: str  # a person or an organisation
    relationship: str


@dataclass(frozen=True, slots=True)
class Conflict:
    member_id: int
    item_id: int
    party: Party
    interest: Interest
    reason: str


def normalise_name(name: str) -> str:
    if name.count(",") == 1:
        surname, forenames = name.split(",")
        name = f"{forenames} {surname}"
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    # O'Brien is one word; Smith-Jones and J.Smith are two.
    plain = re.sub(r"['’`]", "", plain)
    words = re.sub(r"[\W_]+", " ", plain).split()
    return " ".join(word for word in words if word not in TITLES)


def find(
    interests: Iterable[Interest],
    items: Iterable[ItemParties],
    members: Iterable[Member] = (),
) -> tuple[Conflict, ...]:
    # A member named as a party themselves (the child's social worker, say) is conflicted even if
    # they did not register it, so members' own names are matched too.
    entries = [(interest, normalise_name(interest.name), False) for interest in interests]
    entries += [
        (Interest(member.id, member.name, "named as a party"), normalise_name(member.name), True)
        for member in members
    ]
    found = []
    for item in items:
        for party in item.parties:
            party_name = normalise_name(party.name)
            for interest, interest_name, themself in entries:
                how = _match(party_name, interest_name)
                if how is None:
                    continue
                named = f"{party.name} ({ROLE_LABELS[party.role]} on {item.label})"
                if themself:
                    reason = f"{named} is the member themself{how}"
                else:
                    reason = (
                        f"{named} matches '{interest.name}' in the register of interests"
                        f" ({interest.relationship}){how}"
                    )
                found.append(Conflict(interest.member_id, item.item_id, party, interest, reason))
    return tuple(found)


def _match(party_name: str, interest_name: str) -> str | None:
    if not party_name or not interest_name:
        return None
    if party_name == interest_name:
        return ""
    # Jane Smith and Jane Ann Smith are taken to be one person: a missed conflict costs more than
    # a needless withdrawal. One shared word (a first name alone) is never a match.
    party_words, interest_words = party_name.split(), interest_name.split()
    if (
        len(party_words) > 1
        and len(interest_words) > 1
        and party_words[0] == interest_words[0]
        and party_words[-1] == interest_words[-1]
    ):
        return ", middle names aside"
    return None
