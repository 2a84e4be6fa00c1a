"""The central list, policies, meetings, sittings and rosters: queries and audited writes."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from asyncpg.exceptions import UniqueViolationError

from governance import audit, calendars, clock, db, mail
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.rules.workdays import add_months, long_date
from governance.settings import Settings
from governance.tables import ClosureDay, Person
from governance.validate import Checker
from panel import feeds
from panel.rules import balance, composition, conflicts, eligibility, quorum, roster, schedule
from panel.rules.eligibility import Course, ListRecord, Notice, Training
from panel.rules.members import (
    AgeBand,
    Ethnicity,
    Experience,
    Gender,
    Member,
    Seat,
)
from panel.tables import (
    Meeting,
    MeetingStatus,
    PanelMember,
    PanelPolicy,
    RegisteredInterest,
    Sitting,
    SittingStatus,
    TrainingRecord,
    Unavailability,
)

# ---------------------------------------------------------------- labels

SEAT_CHOICES: dict[str, str] = {
    Seat.CHAIR: "Chair",
    Seat.VICE_CHAIR: "Vice chair",
    Seat.SOCIAL_WORKER: "Social worker",
    Seat.MEDICAL_ADVISER: "Medical adviser",
    Seat.INDEPENDENT: "Independent member",
    Seat.SPECIALIST: "Specialist",
}
EXPERIENCE_CHOICES: dict[str, str] = {
    Experience.ADOPTER: "Adopter",
    Experience.ADOPTED_ADULT: "Adopted adult",
    Experience.BIRTH_RELATIVE: "Birth relative",
    Experience.FOSTER_CARER: "Foster carer",
}
GENDER_CHOICES: dict[str, str] = {
    Gender.FEMALE: "Female",
    Gender.MALE: "Male",
    Gender.NON_BINARY: "Non-binary",
}
AGE_BAND_CHOICES: dict[str, str] = {band.value: band.value for band in AgeBand}
# ONS 2021 census ethnic groups (England and Wales), each with its high-level group. A member
# may give only the high-level group: those come first, named as the census names them.
ETHNICITY_CHOICES: dict[str, tuple[str, Ethnicity]] = {
    "asian": ("Asian or Asian British", Ethnicity.ASIAN),
    "black": ("Black, Black British, Caribbean or African", Ethnicity.BLACK),
    "mixed": ("Mixed or multiple", Ethnicity.MIXED),
    "white": ("White", Ethnicity.WHITE),
    "other": ("Other ethnic group", Ethnicity.OTHER),
    "asian_bangladeshi": ("Asian or Asian British: Bangladeshi", Ethnicity.ASIAN),
    "asian_chinese": ("Asian or Asian British: Chinese", Ethnicity.ASIAN),
    "asian_indian": ("Asian or Asian British: Indian", Ethnicity.ASIAN),
    "asian_pakistani": ("Asian or Asian British: Pakistani", Ethnicity.ASIAN),
    "asian_other": ("Asian or Asian British: other Asian background", Ethnicity.ASIAN),
    "black_african": ("Black, Black British, Caribbean or African: African", Ethnicity.BLACK),
    "black_caribbean": ("Black, Black British, Caribbean or African: Caribbean", Ethnicity.BLACK),
    "black_other": (
        "Black, Black British, Caribbean or African: other Black background",
        Ethnicity.BLACK,
    ),
    "mixed_white_asian": ("Mixed or multiple: White and Asian", Ethnicity.MIXED),
    "mixed_white_black_african": ("Mixed or multiple: White and Black African", Ethnicity.MIXED),
    "mixed_white_black_caribbean": (
        "Mixed or multiple: White and Black Caribbean",
        Ethnicity.MIXED,
    ),
    "mixed_other": ("Mixed or multiple: other mixed background", Ethnicity.MIXED),
    "white_british": (
        "White: English, Welsh, Scottish, Northern Irish or British",
        Ethnicity.WHITE,
    ),
    "white_irish": ("White: Irish", Ethnicity.WHITE),
    "white_gypsy_traveller": ("White: Gypsy or Irish Traveller", Ethnicity.WHITE),
    "white_roma": ("White: Roma", Ethnicity.WHITE),
    "white_other": ("White: other White background", Ethnicity.WHITE),
    "other_arab": ("Other ethnic group: Arab", Ethnicity.OTHER),
    "other_any": ("Other ethnic group: any other ethnic group", Ethnicity.OTHER),
}
COURSE_FIELDS: dict[Course, str] = {
    Course.INDUCTION: "induction_on",
    Course.EQUALITY_AND_DIVERSITY: "equality_and_diversity_on",
    Course.SAFEGUARDING: "safeguarding_on",
}
STATUS_LABELS: dict[str, str] = {
    MeetingStatus.PLANNED: "Planned",
    MeetingStatus.CONFIRMED: "Confirmed",
    MeetingStatus.HELD: "Held",
    MeetingStatus.CLOSED: "Closed",
    MeetingStatus.CANCELLED: "Cancelled",
}
SITTING_LABELS: dict[str, str] = {
    SittingStatus.INVITED: "Invited",
    SittingStatus.ACCEPTED: "Accepted",
    SittingStatus.DECLINED: "Declined",
    SittingStatus.WITHDRAWN: "Taken off the roster",
}
# Which way a meeting may move, and what the button says.
TRANSITIONS: dict[str, dict[str, str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.CONFIRMED: "Confirm", MeetingStatus.CANCELLED: "Cancel"},
    MeetingStatus.CONFIRMED: {
        MeetingStatus.HELD: "Mark as held",
        MeetingStatus.CANCELLED: "Cancel",
    },
    MeetingStatus.HELD: {MeetingStatus.CLOSED: "Close"},
    MeetingStatus.CLOSED: {},
    MeetingStatus.CANCELLED: {},
}
ON_ROSTER = (SittingStatus.INVITED, SittingStatus.ACCEPTED)
LIVE = (MeetingStatus.PLANNED, MeetingStatus.CONFIRMED)
ROSTER_TIME_LIMIT = 5.0


def _truthy(value: object) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "on"}


def _listed(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        items = [str(v) for v in value]
    else:
        items = str(value).replace(";", ",").split(",")
    return [i.strip() for i in items if i.strip()]


# ---------------------------------------------------------------- policies


@dataclass(frozen=True, slots=True)
class PolicyNumbers:
    quorum_minimum: int = 5
    joint_quorum_minimum: int = 6
    quorum_pqe_years: int = 3
    personal_experience_aim: int = 2
    min_age_bands_spanned: int = 3
    dbs_renew_every_months: int = 36
    training_renew_every_months: int = 12
    review_every_months: int = 12
    chair_independence_months: int = 12
    paper_deadline_working_days: int = 5
    pack_access_working_days: int = 10
    roster_reserve: int = 1
    max_sittings_per_month: int = 2


POLICY_LABELS: dict[str, tuple[str, int, int]] = {
    "quorum_minimum": ("Members needed for quorum", 1, 20),
    "joint_quorum_minimum": ("Members needed for quorum at a joint panel", 1, 20),
    "quorum_pqe_years": ("Years' post-qualifying experience of the quorum's social worker", 0, 30),
    "personal_experience_aim": ("Members with personal experience of adoption to aim for", 0, 10),
    "min_age_bands_spanned": ("Age bands a balanced panel spans", 1, 6),
    "dbs_renew_every_months": ("Renew the enhanced DBS check every (months)", 1, 120),
    "training_renew_every_months": ("Renew mandatory training every (months)", 1, 60),
    "review_every_months": ("Annual review every (months)", 1, 36),
    "chair_independence_months": ("Months after a tie to the agency before chairing", 0, 60),
    "paper_deadline_working_days": ("Papers to members this many working days before", 1, 30),
    "pack_access_working_days": ("Members may open packs this many working days after", 0, 60),
    "roster_reserve": ("Members rostered above quorum as a reserve", 0, 5),
    "max_sittings_per_month": ("Most sittings for one member in a month", 1, 8),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PolicySwitches:
    """The quorum's yes-or-no settings (AAR reg 6), versioned with the numbers."""

    # A panel the agency constitutes jointly with other agencies needs the joint panel's quorum:
    # a fact about the agency, so every meeting follows it (it was once a tick-box per meeting).
    joint_panel: bool = False
    # Whether the quorum includes an independent member, and whether an independent chair (or
    # vice chair) in the chair is that member. Defaults: what the service has always applied.
    quorum_needs_independent: bool = True
    independent_chair_counts: bool = True
    # Nobody who sat as a member at a meeting decides any of its items (on by default), beyond
    # the statutory bar on those present for the item itself (AAR regs 19(2), 30B(3), 33(2)).
    bar_all_members_at_meeting: bool = True


SWITCH_LABELS: dict[str, tuple[str, str]] = {
    "joint_panel": (
        "Our adoption panel is a joint panel of several adoption agencies",
        "Every meeting then needs the joint panel's quorum (AAR reg 6).",
    ),
    "quorum_needs_independent": (
        "The quorum includes an independent member",
        "At least one member present for each item is independent of the agency.",
    ),
    "independent_chair_counts": (
        "An independent person in the chair is the quorum's independent member",
        "Untick to need an independent member as well as whoever chairs.",
    ),
    "bar_all_members_at_meeting": (
        "Nobody who sat as a member at a meeting decides any of its items",
        "The law bars those present for the item itself (AAR regs 19(2), 30B(3) and 33(2)); "
        "this bars everyone who sat at that meeting as well.",
    ),
}


@dataclass(frozen=True, slots=True)
class Policy:
    version: int
    effective_from: date | None  # None: the built-in defaults, in force until a version is saved
    numbers: PolicyNumbers
    note: str = ""
    switches: PolicySwitches = PolicySwitches()

    @property
    def roster(self) -> roster.RosterPolicy:
        return _roster_policy(self.version, self.numbers, self.switches)

    @property
    def quorum(self) -> quorum.QuorumPolicy:
        """The quorum every meeting on a day this version is in force needs (AAR reg 6)."""
        rules = self.roster
        return rules.joint_quorum if self.switches.joint_panel else rules.quorum

    @property
    def paper_days(self) -> int:
        return self.numbers.paper_deadline_working_days


DEFAULT_POLICY = Policy(1, None, PolicyNumbers(), "the defaults in DOMAIN.md")


def quorum_requirements(n: PolicyNumbers, s: PolicySwitches) -> tuple[quorum.Requirement, ...]:
    """AAR reg 6: the chair or a vice chair, and a social worker with the policy's years of
    PQE; then an independent member, as the policy says."""
    sw = replace(quorum.SOCIAL_WORKER_3_YEARS, min_pqe_years=n.quorum_pqe_years)
    must = (quorum.CHAIR_OR_VICE_CHAIR, sw)
    if not s.quorum_needs_independent:
        return must
    if s.independent_chair_counts:
        return (*must, quorum.INDEPENDENT_MEMBER)
    return (*must, quorum.INDEPENDENT_MEMBER_APART_FROM_CHAIR)


@lru_cache(maxsize=64)
def _roster_policy(version: int, n: PolicyNumbers, s: PolicySwitches) -> roster.RosterPolicy:
    must = quorum_requirements(n, s)
    renew = n.training_renew_every_months
    return replace(
        roster.DEFAULT_ROSTER,
        version=version,
        reserve=n.roster_reserve,
        max_sittings_per_month=n.max_sittings_per_month,
        quorum=quorum.QuorumPolicy(version, n.quorum_minimum, must),
        joint_quorum=quorum.QuorumPolicy(version, n.joint_quorum_minimum, must),
        eligibility=replace(
            eligibility.DEFAULT_ELIGIBILITY,
            version=version,
            dbs_renew_every_months=n.dbs_renew_every_months,
            training=(
                eligibility.CourseRule(Course.INDUCTION, None),
                eligibility.CourseRule(Course.EQUALITY_AND_DIVERSITY, renew),
                eligibility.CourseRule(Course.SAFEGUARDING, renew),
            ),
            review_every_months=n.review_every_months,
            chair_independence_months=n.chair_independence_months,
        ),
        balance=replace(
            balance.DEFAULT_BALANCE,
            version=version,
            personal_experience_aim=n.personal_experience_aim,
            min_age_bands_spanned=n.min_age_bands_spanned,
        ),
    )


def _policy_of(row: dict[str, Any]) -> Policy:
    settings = json.loads(row["settings"])
    known = {f.name for f in fields(PolicyNumbers)}
    stored = {k: int(v) for k, v in settings.items() if k in known}
    switches = {
        f.name: bool(settings[f.name]) for f in fields(PolicySwitches) if f.name in settings
    }
    return Policy(
        row["number"],
        row["effective_from"],
        PolicyNumbers(**stored),
        row["note"],
        PolicySwitches(**switches),
    )


async def policies() -> list[Policy]:
    rows = await PanelPolicy.select().order_by(PanelPolicy.number, ascending=False)
    return [*(_policy_of(r) for r in rows), DEFAULT_POLICY]


async def policy_on(day: date) -> Policy:
    row = (
        await PanelPolicy.select()
        .where(PanelPolicy.effective_from <= day)
        .order_by(PanelPolicy.effective_from, ascending=False)
        .order_by(PanelPolicy.number, ascending=False)
        .first()
    )
    return DEFAULT_POLICY if row is None else _policy_of(row)


async def save_policy(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    effective = check.day("effective_from", data.get("effective_from"), "Date it takes effect")
    note = check.text("note", data.get("note"), "What changed and why", max_length=300)
    numbers = {
        key: check.integer(key, data.get(key), label, minimum=low, maximum=high)
        for key, (label, low, high) in POLICY_LABELS.items()
    }
    switches = {key: _truthy(data.get(key)) for key in SWITCH_LABELS}
    if not switches["quorum_needs_independent"]:
        switches["independent_chair_counts"] = False  # nothing to count towards
    if not check.errors and numbers["joint_quorum_minimum"] < numbers["quorum_minimum"]:
        check.fail(
            "joint_quorum_minimum", "A joint panel's quorum cannot be smaller than a panel's"
        )
    check.raise_if_any()
    try:
        async with db.transaction():
            last = (
                await PanelPolicy.select(PanelPolicy.number)
                .order_by(PanelPolicy.number, ascending=False)
                .first()
            )
            number = (last["number"] if last else DEFAULT_POLICY.version) + 1
            await PanelPolicy.insert(
                PanelPolicy(
                    number=number,
                    effective_from=effective,
                    settings=json.dumps(numbers | switches, sort_keys=True),
                    note=note,
                    created_by=actor.name[:200],
                )
            )
            await audit.record(
                actor,
                "create",
                "panel_policy",
                number,
                path=path,
                summary=note,
                after={"effective_from": effective, **numbers, **switches},
            )
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise Conflict(STALE_EDIT) from error
    return number


# ---------------------------------------------------------------- the central list


def _member_of(row: dict[str, Any]) -> Member:
    detailed = row.get("ethnicity")
    return Member(
        id=row["id"],
        name=row["name"],
        seats=frozenset(Seat(s) for s in _listed(row["seats"]) if s in Seat.__members__.values()),
        pqe_years=row["pqe_years"],
        independent=row["independent"],
        dependency_ended_on=row["dependency_ended_on"],
        experience=frozenset(Experience(e) for e in _listed(row["experience"])),
        gender=Gender(row["gender"]) if row["gender"] else None,
        age_band=AgeBand(row["age_band"]) if row["age_band"] else None,
        ethnicity=ETHNICITY_CHOICES[detailed][1] if detailed in ETHNICITY_CHOICES else None,
        languages=frozenset(_listed(row["languages"])),
    )


def _record_of(row: dict[str, Any], training: Iterable[dict[str, Any]]) -> ListRecord:
    notice = None
    if row["notice_given_on"] and row["leaving_on"]:
        notice = Notice(row["notice_given_on"], row["leaving_on"])
    return ListRecord(
        member=_member_of(row),
        listed_on=row["joined_on"],
        notice=notice,
        dbs_checked_on=row["dbs_checked_on"],
        training=tuple(Training(Course(t["course"]), t["completed_on"]) for t in training),
        reviewed_on=row["reviewed_on"],
    )


def _member_query() -> Any:
    return PanelMember.select(
        *PanelMember.all_columns(),
        PanelMember.person.name.as_alias("name"),
        PanelMember.person.email.as_alias("email"),
        PanelMember.person.phone.as_alias("phone"),
    )


async def _training_by_member(ids: list[int] | None = None) -> dict[int, list[dict[str, Any]]]:
    query = TrainingRecord.select().order_by(TrainingRecord.completed_on)
    if ids is not None:
        query = query.where(TrainingRecord.member.is_in(ids or [-1]))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in await query:
        found[row["member"]].append(row)
    return found


def _decorate(row: dict[str, Any], training: list[dict[str, Any]]) -> dict[str, Any]:
    row["seat_list"] = _listed(row["seats"])
    row["experience_list"] = _listed(row["experience"])
    row["language_list"] = _listed(row["languages"])
    row["ethnicity_label"] = ETHNICITY_CHOICES.get(row["ethnicity"] or "", ("", None))[0]
    latest: dict[str, date] = {}
    for t in training:
        latest[t["course"]] = max(t["completed_on"], latest.get(t["course"], t["completed_on"]))
    for course, key in COURSE_FIELDS.items():
        row[key] = latest.get(course.value)
    row["training"] = training
    return row


async def members() -> list[dict[str, Any]]:
    rows = await _member_query().order_by(PanelMember.person.name)
    training = await _training_by_member()
    return [_decorate(row, training.get(row["id"], [])) for row in rows]


async def member(member_id: int) -> dict[str, Any]:
    row = await _member_query().where(PanelMember.id == member_id).first()
    if row is None:
        raise NotFound(f"No member {member_id} on the central list")
    training = await _training_by_member([member_id])
    row = _decorate(row, training.get(member_id, []))
    row["interests"] = list(
        await RegisteredInterest.select()
        .where(RegisteredInterest.member == member_id)
        .order_by(RegisteredInterest.name)
    )
    row["unavailable"] = list(
        await Unavailability.select()
        .where(Unavailability.member == member_id)
        .order_by(Unavailability.day)
    )
    return row


async def member_of_person(person_id: int) -> dict[str, Any] | None:
    row = await PanelMember.select(PanelMember.id).where(PanelMember.person == person_id).first()
    return None if row is None else await member(row["id"])


async def records(on_list_only: bool = False) -> dict[int, ListRecord]:
    rows = await _member_query()
    training = await _training_by_member()
    return {row["id"]: _record_of(row, training.get(row["id"], [])) for row in rows}


async def central_list_composition(on: date | None = None) -> composition.Composition:
    """The central list against AAR reg 3(1) on the day (today by default)."""
    records_now = await records()
    return composition.central_list_composition(records_now.values(), on or clock.today())


async def central_list_gaps(on: date | None = None) -> tuple[str, ...]:
    """What the central list lacks under AAR reg 3(1), in words; () when it is complete.

    For the go-live checklist and the board: each string names what is missing and the
    regulation that requires it."""
    return (await central_list_composition(on)).gaps


def check_member(data: dict[str, Any], policy: Policy | None = None) -> dict[str, Any]:
    """Every field of a central-list entry checked; raises Invalid with all the messages."""
    check = Checker()
    values: dict[str, Any] = {
        "name": check.text("name", data.get("name"), "Full name"),
        "email": check.email("email", data.get("email")),
        "phone": check.text("phone", data.get("phone"), "Phone", max_length=40, required=False),
    }
    seats = _listed(data.get("seats"))
    for seat in seats:
        if seat not in SEAT_CHOICES:
            check.fail("seats", f"{seat[:40]} is not a seat: choose from {', '.join(SEAT_CHOICES)}")
    if not seats:
        check.fail("seats", "Select at least one seat this member can fill")
    values["seats"] = ",".join(s for s in SEAT_CHOICES if s in seats)
    pqe = str(data.get("pqe_years") or "0").strip() or "0"
    values["pqe_years"] = check.integer("pqe_years", pqe, "Years of PQE", minimum=0, maximum=60)
    values["independent"] = _truthy(data.get("independent"))
    # AAR reg 4(1)(a): the person appointed to chair is an independent person; reg 4(1)(b) asks
    # nothing of the vice chairs, so a vice chair may be an agency social worker.
    if Seat.CHAIR in seats and not values["independent"]:
        check.fail(
            "independent",
            "The chair must be independent of the agency (AAR reg 4(1)(a)): tick 'Independent "
            "of the agency', or choose another seat. A vice chair need not be independent",
        )
    if Seat.SOCIAL_WORKER in seats and values["pqe_years"] == 0 and "pqe_years" not in check.errors:
        check.fail("pqe_years", "Enter the social worker's years of post-qualifying experience")
    values["dependency_ended_on"] = check.day(
        "dependency_ended_on",
        data.get("dependency_ended_on"),
        "Date any tie to the agency ended",
        required=False,
    )
    experience = _listed(data.get("experience"))
    for item in experience:
        if item not in EXPERIENCE_CHOICES:
            check.fail("experience", f"{item[:40]} is not a kind of personal experience")
    values["experience"] = ",".join(e for e in EXPERIENCE_CHOICES if e in experience)
    for key, choices, label in (
        ("gender", GENDER_CHOICES, "gender"),
        ("age_band", AGE_BAND_CHOICES, "age band"),
        ("ethnicity", ETHNICITY_CHOICES, "ethnic group"),
    ):
        raw = str(data.get(key) or "").strip()
        if raw and raw not in choices:
            check.fail(key, f"Select the {label} from the list")
        values[key] = raw or None
    languages = check.text(
        "languages", ",".join(_listed(data.get("languages"))), "Languages", max_length=300,
        required=False,
    )  # fmt: skip
    values["languages"] = languages
    values["joined_on"] = check.day("joined_on", data.get("joined_on"), "Date joined the list")
    for key, label in (
        ("dbs_checked_on", "Date of the latest enhanced DBS check"),
        ("reviewed_on", "Date of the latest annual review"),
        ("induction_on", "Date induction was completed"),
        ("equality_and_diversity_on", "Date of equality and diversity training"),
        ("safeguarding_on", "Date of safeguarding training"),
    ):
        values[key] = check.day(key, data.get(key), label, required=False)
        if values[key] is not None and values[key] > clock.today():
            check.fail(key, f"{label} cannot be in the future")
    check.raise_if_any()
    return values


MEMBER_COLUMNS = (
    "seats", "pqe_years", "independent", "dependency_ended_on", "experience", "gender",
    "age_band", "ethnicity", "languages", "joined_on", "dbs_checked_on", "reviewed_on",
)  # fmt: skip


async def _write_member(values: dict[str, Any], member_id: int | None) -> tuple[int, str]:
    """Inserts or updates one checked entry inside the caller's transaction."""
    person = await Person.select(Person.id).where(Person.email == values["email"]).first()
    own = values.copy()
    if member_id is None:
        if person is None:
            inserted = await Person.insert(
                Person(name=values["name"], email=values["email"], phone=values["phone"])
            ).returning(Person.id)
            person_id = inserted[0]["id"]
        else:
            person_id = person["id"]
            if await PanelMember.exists().where(PanelMember.person == person_id):
                raise Conflict(f"{values['email']} is already on the central list", "email")
            await Person.update({Person.name: values["name"], Person.phone: values["phone"]}).where(
                Person.id == person_id
            )
        row = await PanelMember.insert(
            PanelMember(person=person_id, **{k: own[k] for k in MEMBER_COLUMNS})
        ).returning(PanelMember.id)
        member_id = int(row[0]["id"])
        outcome = "added"
    else:
        current = (
            await PanelMember.select(PanelMember.person).where(PanelMember.id == member_id).first()
        )
        assert current is not None
        if person is not None and person["id"] != current["person"]:
            raise Conflict(
                f"Another person already has the email address {values['email']}", "email"
            )
        await Person.update(
            {
                Person.name: values["name"],
                Person.email: values["email"],
                Person.phone: values["phone"],
            }
        ).where(Person.id == current["person"])
        await PanelMember.update(dict[Any, Any]({k: own[k] for k in MEMBER_COLUMNS})).where(
            PanelMember.id == member_id
        )
        outcome = "updated"
    have = {
        (t["course"], t["completed_on"])
        for t in await TrainingRecord.select().where(TrainingRecord.member == member_id)
    }
    for course, key in COURSE_FIELDS.items():
        done = values.get(key)
        if done is not None and (course.value, done) not in have:
            await TrainingRecord.insert(
                TrainingRecord(member=member_id, course=course.value, completed_on=done)
            )
    return member_id, outcome


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "version"}


async def create_member(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    values = check_member(data)
    try:
        async with db.transaction():
            member_id, _ = await _write_member(values, None)
            await audit.record(
                actor, "create", "panel_member", member_id, path=path, after=_audit_values(values)
            )
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise Conflict(f"{values['email']} is already on the central list", "email") from error
    return member_id


async def update_member(
    actor: Actor, member_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    values = check_member(data)
    before = await member(member_id)
    try:
        async with db.transaction():
            bumped = (
                await PanelMember.update({PanelMember.version: version + 1})
                .where((PanelMember.id == member_id) & (PanelMember.version == version))
                .returning(PanelMember.id)
            )
            if not bumped:
                raise Conflict(STALE_EDIT)
            await _write_member(values, member_id)
            await audit.record(
                actor,
                "update",
                "panel_member",
                member_id,
                path=path,
                before={k: before.get(k) for k in values},
                after=_audit_values(values),
            )
    except (UniqueViolationError, sqlite3.IntegrityError) as error:
        raise Conflict(f"Another person already has the email address {values['email']}") from error


async def give_notice(
    actor: Actor, member_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    given = check.day("notice_given_on", data.get("notice_given_on"), "Date notice was given")
    by_agency = str(data.get("by") or "") == "agency"
    if str(data.get("by") or "") not in {"agency", "member"}:
        check.fail("by", "Select who gave notice")
    reason = check.text(
        "leaving_reason", data.get("leaving_reason"), "Written reasons", max_length=2000,
        required=by_agency,
    )  # fmt: skip
    leaving = check.day("leaving_on", data.get("leaving_on"), "Leaving date", required=False)
    if given is not None and not check.errors:
        earliest = add_months(given, 1)
        leaving = leaving or earliest
        if leaving < earliest:
            check.fail(
                "leaving_on",
                f"Leaving date must be at least one month after notice: {long_date(earliest)} "
                "or later",
            )
    check.raise_if_any()
    async with db.transaction():
        bumped = (
            await PanelMember.update(
                {
                    PanelMember.notice_given_on: given,
                    PanelMember.leaving_on: leaving,
                    PanelMember.leaving_reason: reason,
                    PanelMember.removed_by_agency: by_agency,
                    PanelMember.version: version + 1,
                }
            )
            .where((PanelMember.id == member_id) & (PanelMember.version == version))
            .returning(PanelMember.id)
        )
        if not bumped:
            await member(member_id)  # NotFound first, so a missing member reads as one
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "notice",
            "panel_member",
            member_id,
            path=path,
            summary="removed by the agency" if by_agency else "member gave notice",
            after={"given_on": given, "leaving_on": leaving, "reason": reason},
        )


async def add_interest(
    actor: Actor, member_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    name = check.text(
        "interest_name", data.get("interest_name"), "Name of the person or organisation"
    )
    relationship = check.text(
        "relationship", data.get("relationship"), "How you know them", max_length=200
    )
    check.raise_if_any()
    await member(member_id)
    async with db.transaction():
        have = await RegisteredInterest.select(RegisteredInterest.name).where(
            RegisteredInterest.member == member_id
        )
        if any(r["name"].casefold() == name.casefold() for r in have):
            raise Conflict(f"{name} is already in the register of interests", "interest_name")
        row = await RegisteredInterest.insert(
            RegisteredInterest(member=member_id, name=name, relationship=relationship)
        ).returning(RegisteredInterest.id)
        await audit.record(
            actor,
            "create",
            "registered_interest",
            row[0]["id"],
            path=path,
            after={"member": member_id, "name": name, "relationship": relationship},
        )


async def remove_interest(
    actor: Actor, member_id: int, interest_id: int, *, path: str = ""
) -> None:
    async with db.transaction():
        row = (
            await RegisteredInterest.select()
            .where(
                (RegisteredInterest.id == interest_id) & (RegisteredInterest.member == member_id)
            )
            .first()
        )
        if row is None:
            raise NotFound(f"No interest {interest_id}")
        await RegisteredInterest.delete().where(RegisteredInterest.id == interest_id)
        await audit.record(
            actor, "delete", "registered_interest", interest_id, path=path, before=row
        )


async def add_unavailability(
    actor: Actor, member_id: int, data: dict[str, Any], *, path: str = ""
) -> int:
    check = Checker()
    first = check.day("from_day", data.get("from_day"), "First day you cannot sit")
    last = check.day("to_day", data.get("to_day"), "Last day", required=False) or first
    note = check.text("note", data.get("note"), "Note", max_length=200, required=False)
    if first and last and last < first:
        check.fail("to_day", "The last day must be on or after the first day")
    if first and last and (last - first).days > 366:
        check.fail("to_day", "Record at most a year at a time")
    check.raise_if_any()
    assert first is not None and last is not None
    await member(member_id)
    async with db.transaction():
        have = {
            r["day"]
            for r in await Unavailability.select(Unavailability.day).where(
                Unavailability.member == member_id
            )
        }
        days = [first + timedelta(n) for n in range((last - first).days + 1)]
        new = [d for d in days if d not in have]
        if new:
            await Unavailability.insert(
                *[Unavailability(member=member_id, day=d, note=note) for d in new]
            )
        await audit.record(
            actor,
            "create",
            "unavailability",
            member_id,
            path=path,
            after={"from": first, "to": last, "note": note},
        )
    return len(new)


async def remove_unavailability(
    actor: Actor, member_id: int, entry_id: int, *, path: str = ""
) -> None:
    async with db.transaction():
        row = (
            await Unavailability.select()
            .where((Unavailability.id == entry_id) & (Unavailability.member == member_id))
            .first()
        )
        if row is None:
            raise NotFound(f"No unavailable day {entry_id}")
        await Unavailability.delete().where(Unavailability.id == entry_id)
        await audit.record(actor, "delete", "unavailability", entry_id, path=path, before=row)


@dataclass(frozen=True, slots=True)
class Compliance:
    member_id: int
    name: str
    due: tuple[eligibility.Due, ...]
    eligible_today: eligibility.Verdict
    chair: eligibility.ChairVerdict | None


async def compliance(member_id: int, today: date | None = None) -> Compliance:
    today = today or clock.today()
    row = await member(member_id)
    record = _record_of(row, row["training"])
    policy = (await policy_on(today)).roster.eligibility
    chair = None
    if record.member.seats & {Seat.CHAIR, Seat.VICE_CHAIR}:
        chair = eligibility.may_chair(record.member, today, policy)
    return Compliance(
        member_id,
        row["name"],
        eligibility.due_items(record, today, policy),
        eligibility.check(record, today, policy),
        chair,
    )


async def due_list(today: date | None = None, within_days: int = 60) -> list[Compliance]:
    today = today or clock.today()
    policy = (await policy_on(today)).roster.eligibility
    found = []
    for record in (await records()).values():
        if record.notice and record.notice.leaving_on <= today:
            continue  # has left the list
        due = eligibility.due_items(record, today, policy, within_days)
        if due:
            found.append(
                Compliance(
                    record.member.id,
                    record.member.name,
                    due,
                    eligibility.check(record, today, policy),
                    None,
                )
            )
    return sorted(found, key=lambda c: (min((d.due_on or date.min) for d in c.due), c.name))


async def import_members(actor: Actor, rows: list[dict[str, Any]], *, path: str = "") -> list[str]:
    """Apply rows already checked by panel.imports, all in one transaction; returns outcomes."""
    outcomes = []
    async with db.transaction():
        for values in rows:
            existing = (
                await PanelMember.select(PanelMember.id)
                .where(PanelMember.person.email == values["email"])
                .first()
            )
            member_id, outcome = await _write_member(values, existing["id"] if existing else None)
            if existing:
                await PanelMember.update({PanelMember.version: PanelMember.version + 1}).where(
                    PanelMember.id == member_id
                )
            outcomes.append(outcome)
        await audit.record(
            actor,
            "import",
            "panel_member",
            "",
            path=path,
            summary=f"{outcomes.count('added')} added, {outcomes.count('updated')} updated",
            after=[v["email"] for v in rows],
        )
    return outcomes


async def person_ids_on_list() -> dict[str, int]:
    return {
        r["email"]: r["id"]
        for r in await PanelMember.select(
            PanelMember.id, PanelMember.person.email.as_alias("email")
        )
    }


# ---------------------------------------------------------------- meetings


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, clock.LONDON)


async def _closed_days(years: Iterable[int]) -> dict[date, str]:
    closed: dict[date, str] = {}
    span = sorted(set(years))
    import holidays  # the names, for the message; calendars gives the set

    for day, name in holidays.country_holidays("GB", subdiv="ENG", years=span).items():
        closed[day] = f"bank holiday ({name})"
    for row in await ClosureDay.select():
        if row["day"].year in span:
            closed.setdefault(row["day"], f"agency closed ({row['reason']})")
    return closed


async def _calendar(first: date, last: date) -> Any:
    # The agency's calendar (closure days skipped): papers' deadlines and packs' access are the
    # agency's own guidance, not statutory periods (AAR reg 2 counts closure days as working).
    closures = [r["day"] for r in await ClosureDay.select(ClosureDay.day)]
    return calendars.working_calendar_for(first - timedelta(days=60), last, closures)


def _check_times(check: Checker, data: dict[str, Any]) -> tuple[time | None, time | None]:
    found: list[time | None] = []
    for key, label in (("starts", "Start time"), ("ends", "End time")):
        raw = str(data.get(key) or "").strip().replace(".", ":")
        try:
            found.append(time.fromisoformat(raw if len(raw) != 4 else "0" + raw))
        except ValueError:
            check.fail(
                key, f"{label} must be a time like 10:00" if raw else f"Enter the {label.lower()}"
            )
            found.append(None)
    starts, ends = found
    if starts and ends and ends <= starts:
        check.fail("ends", "The meeting must end after it starts")
    return starts, ends


def _check_place(check: Checker, data: dict[str, Any]) -> dict[str, Any]:
    venue = check.text("venue", data.get("venue"), "Venue", max_length=300, required=False)
    link = check.text(
        "online_link", data.get("online_link"), "Online link", max_length=500, required=False
    )
    if link and not link.startswith("https://"):
        check.fail("online_link", "The online link must start with https://")
    if not venue and not link and "venue" not in check.errors:
        check.fail("venue", "Enter a venue or an online link")
    slots = check.integer(
        "item_slots", data.get("item_slots") or "4", "Number of item slots", minimum=1, maximum=20
    )
    return {
        "venue": venue,
        "online_link": link,
        "item_slots": slots,
    }


def _clean_venue(venue: str) -> str:
    return " ".join(venue.casefold().split())


async def _venue_clashes(
    starts: datetime, ends: datetime, venue: str, exclude: int | None = None
) -> list[dict[str, Any]]:
    if not venue:
        return []
    query = Meeting.select(Meeting.id, Meeting.starts_at, Meeting.ends_at, Meeting.venue).where(
        (Meeting.starts_at < ends)
        & (Meeting.ends_at > starts)
        & (Meeting.status != MeetingStatus.CANCELLED)
    )
    if exclude is not None:
        query = query.where(Meeting.id != exclude)
    return [r for r in await query if _clean_venue(r["venue"]) == _clean_venue(venue)]


def _clash_message(clash: dict[str, Any]) -> str:
    at = clock.london(clash["starts_at"])
    return (
        f"{clash['venue']} is already booked for a panel on {long_date(at.date())} from "
        f"{at:%H:%M} to {clock.london(clash['ends_at']):%H:%M}"
    )


async def schedule_meeting(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    day = check.day("day", data.get("day"), "Date")
    starts, ends = _check_times(check, data)
    place = _check_place(check, data)
    check.raise_if_any()
    assert day is not None and starts is not None and ends is not None
    closed = await _closed_days([day.year])
    if day in closed:
        raise Invalid({"day": f"{long_date(day)} is a {closed[day]}: choose another date"})
    if day.weekday() >= 5:
        raise Invalid({"day": f"{long_date(day)} is a {day:%A}: choose a working day"})
    start_at, end_at = london(day, starts), london(day, ends)
    async with db.transaction():
        clashes = await _venue_clashes(start_at, end_at, place["venue"])
        if clashes:
            raise Conflict(_clash_message(clashes[0]), "venue")
        row = await Meeting.insert(
            Meeting(starts_at=start_at, ends_at=end_at, series="", **place)
        ).returning(Meeting.id)
        meeting_id = int(row[0]["id"])
        await audit.record(
            actor,
            "create",
            "meeting",
            meeting_id,
            path=path,
            after={"starts_at": start_at, "ends_at": end_at, **place},
        )
    return meeting_id


@dataclass(frozen=True, slots=True)
class SeriesResult:
    meeting_ids: tuple[int, ...]
    dates: tuple[date, ...]
    skipped: tuple[schedule.Skipped, ...]
    months_without: tuple[tuple[int, int], ...]


async def schedule_series(
    actor: Actor, data: dict[str, Any], *, path: str = "", dry_run: bool = False
) -> SeriesResult:
    check = Checker()
    pattern_text = check.text("pattern", data.get("pattern"), "Pattern", max_length=100)
    first = check.day("from_day", data.get("from_day"), "First date")
    last = check.day("to_day", data.get("to_day"), "Last date")
    pattern = None
    if pattern_text and "pattern" not in check.errors:
        try:
            pattern = schedule.parse(pattern_text)
        except schedule.PatternError as error:
            check.fail("pattern", str(error))
    times_given = pattern is not None and pattern.starts is not None
    if times_given:
        assert pattern is not None and pattern.starts and pattern.ends
        data = {
            **data,
            "starts": pattern.starts.isoformat("minutes"),
            "ends": pattern.ends.isoformat("minutes"),
        }
    starts, ends = _check_times(check, data)
    place = _check_place(check, data)
    if first and last:
        if last < first:
            check.fail("to_day", "The last date must be on or after the first date")
        elif (last - first).days > 2 * 366:
            check.fail("to_day", "Schedule at most two years at a time")
    check.raise_if_any()
    assert pattern and first and last and starts and ends
    closed = await _closed_days(range(first.year, last.year + 1))
    found = schedule.dates(pattern, first, last, closed)
    if not found.dates:
        raise Invalid({"pattern": "The pattern gives no dates between the first and last date"})
    label = f"{pattern_text[:40]} from {first.isoformat()}"
    ids: list[int] = []
    async with db.transaction():
        clashes = []
        for day in found.dates:
            clashes += await _venue_clashes(london(day, starts), london(day, ends), place["venue"])
        if clashes:
            raise Conflict(
                "Nothing was scheduled: "
                + "; ".join(_clash_message(c) for c in clashes[:5])
                + ("" if len(clashes) <= 5 else f"; and {len(clashes) - 5} more"),
                "venue",
            )
        if not dry_run:
            rows = await Meeting.insert(
                *[
                    Meeting(
                        starts_at=london(day, starts),
                        ends_at=london(day, ends),
                        series=label,
                        **place,
                    )
                    for day in found.dates
                ]
            ).returning(Meeting.id)
            ids = sorted(int(r["id"]) for r in rows)
            await audit.record(
                actor,
                "create",
                "meeting_series",
                label,
                path=path,
                summary=f"{len(ids)} meetings, {len(found.skipped)} dates skipped",
                after={
                    "dates": found.dates,
                    "skipped": [schedule.describe_skip(s) for s in found.skipped],
                    **place,
                },
            )
    gaps = schedule.months_without_panel(found.dates, first, last)
    return SeriesResult(tuple(ids), found.dates, found.skipped, gaps)


def _meeting_row(row: dict[str, Any]) -> dict[str, Any]:
    row["starts_at"] = clock.london(row["starts_at"])
    row["ends_at"] = clock.london(row["ends_at"])
    row["day"] = row["starts_at"].date()
    row["status_label"] = STATUS_LABELS[row["status"]]
    return row


async def meetings(
    first: date | None = None, last: date | None = None, *, include_cancelled: bool = True
) -> list[dict[str, Any]]:
    query = Meeting.select().order_by(Meeting.starts_at)
    if first is not None:
        query = query.where(Meeting.starts_at >= london(first, time.min))
    if last is not None:
        query = query.where(Meeting.starts_at < london(last + timedelta(days=1), time.min))
    if not include_cancelled:
        query = query.where(Meeting.status != MeetingStatus.CANCELLED)
    rows = [_meeting_row(r) for r in await query]
    counts: dict[int, int] = defaultdict(int)
    if rows:
        for s in await Sitting.select(Sitting.meeting).where(
            Sitting.meeting.is_in([r["id"] for r in rows]) & Sitting.status.is_in(list(ON_ROSTER))
        ):
            counts[s["meeting"]] += 1
    for r in rows:
        r["rostered"] = counts[r["id"]]
    return rows


async def months_without_panel(first: date, last: date) -> tuple[tuple[int, int], ...]:
    held = [m["day"] for m in await meetings(first, last, include_cancelled=False)]
    return schedule.months_without_panel(held, first, last)


async def meeting(meeting_id: int) -> dict[str, Any]:
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    if row is None:
        raise NotFound(f"No meeting {meeting_id}")
    row = _meeting_row(row)
    row["sittings"] = await sittings(meeting_id)
    row["transitions"] = TRANSITIONS[row["status"]]
    cal = await _calendar(row["day"], row["day"])
    policy = await policy_on(row["day"])
    row["paper_deadline"] = schedule.paper_deadline(row["day"], policy.paper_days, cal)
    row["joint"] = policy.switches.joint_panel  # the agency's setting on the day, not the meeting's
    row["quorum_minimum"] = policy.quorum.minimum
    return row


async def sittings(meeting_id: int) -> list[dict[str, Any]]:
    return list(
        await Sitting.select(
            *Sitting.all_columns(),
            Sitting.member._.person._.name.as_alias("name"),
            Sitting.member._.person._.email.as_alias("email"),
        )
        .where(Sitting.meeting == meeting_id)
        .order_by(Sitting.member._.person._.name)
    )


async def update_meeting(
    actor: Actor, meeting_id: int, version: int, data: dict[str, Any], *, path: str = ""
) -> None:
    check = Checker()
    day = check.day("day", data.get("day"), "Date")
    starts, ends = _check_times(check, data)
    place = _check_place(check, data)
    check.raise_if_any()
    assert day and starts and ends
    before = await meeting(meeting_id)
    if before["status"] not in LIVE:
        raise Conflict(f"A {before['status_label'].lower()} meeting cannot be changed")
    closed = await _closed_days([day.year])
    if day in closed:
        raise Invalid({"day": f"{long_date(day)} is a {closed[day]}: choose another date"})
    start_at, end_at = london(day, starts), london(day, ends)
    moved = (
        start_at != before["starts_at"]
        or end_at != before["ends_at"]
        or place["venue"] != before["venue"]
        or place["online_link"] != before["online_link"]
    )
    async with db.transaction():
        clashes = await _venue_clashes(start_at, end_at, place["venue"], exclude=meeting_id)
        if clashes:
            raise Conflict(_clash_message(clashes[0]), "venue")
        changes: dict[Any, Any] = {
            Meeting.starts_at: start_at,
            Meeting.ends_at: end_at,
            Meeting.venue: place["venue"],
            Meeting.online_link: place["online_link"],
            Meeting.item_slots: place["item_slots"],
            Meeting.version: version + 1,
        }
        if moved:
            changes[Meeting.sequence] = before["sequence"] + 1
        bumped = (
            await Meeting.update(changes)
            .where((Meeting.id == meeting_id) & (Meeting.version == version))
            .returning(Meeting.id)
        )
        if not bumped:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "update",
            "meeting",
            meeting_id,
            path=path,
            before={k: before[k] for k in ("starts_at", "ends_at", "venue", "online_link")},
            after={"starts_at": start_at, "ends_at": end_at, **place},
        )
        if moved:
            await _send_invitations(meeting_id, changed=True)


async def set_status(
    actor: Actor,
    meeting_id: int,
    version: int,
    status: str,
    reason: str = "",
    *,
    path: str = "",
) -> None:
    before = await meeting(meeting_id)
    allowed = TRANSITIONS[before["status"]]
    if status not in allowed:
        choices = ", ".join(STATUS_LABELS[s].lower() for s in allowed) or "nothing"
        raise Invalid(
            {"status": f"A {before['status_label'].lower()} meeting can only become: {choices}"}
        )
    reason = reason.strip()[:2000]
    if status == MeetingStatus.CANCELLED and not reason:
        raise Invalid({"reason": "Enter the reason for cancelling the meeting"})
    async with db.transaction():
        changes: dict[Any, Any] = {Meeting.status: status, Meeting.version: version + 1}
        if status == MeetingStatus.CANCELLED:
            changes[Meeting.cancel_reason] = reason
            changes[Meeting.sequence] = before["sequence"] + 1
        bumped = (
            await Meeting.update(changes)
            .where((Meeting.id == meeting_id) & (Meeting.version == version))
            .returning(Meeting.id)
        )
        if not bumped:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            status,
            "meeting",
            meeting_id,
            path=path,
            summary=reason,
            before={"status": before["status"]},
            after={"status": status},
        )
        if status == MeetingStatus.CANCELLED:
            for s in before["sittings"]:
                if s["status"] in ON_ROSTER:
                    await _send_cancellation(before, s, before["sequence"])
        elif status == MeetingStatus.CONFIRMED:
            await _send_invitations(meeting_id, changed=False)


# ---------------------------------------------------------------- sittings and chair


async def _require_live(meeting_id: int) -> dict[str, Any]:
    row = await meeting(meeting_id)
    if row["status"] not in LIVE:
        raise Conflict(f"The meeting is {row['status_label'].lower()}: its roster cannot change")
    return row


async def invite(actor: Actor, meeting_id: int, member_id: object, *, path: str = "") -> int:
    try:
        mid = int(str(member_id))
    except ValueError:
        raise Invalid({"member_id": "Select a member of the central list"}) from None
    row = await _require_live(meeting_id)
    person = await member(mid)
    record = _record_of(person, person["training"])
    policy = await policy_on(row["day"])
    verdict = eligibility.check(record, row["day"], policy.roster.eligibility)
    if not verdict.eligible:
        raise Invalid(
            {"member_id": f"{person['name']} cannot sit on {long_date(row['day'])}: "
             + "; ".join(verdict.reasons)}
        )  # fmt: skip
    async with db.transaction():
        existing = (
            await Sitting.select()
            .where((Sitting.meeting == meeting_id) & (Sitting.member == mid))
            .first()
        )
        if existing and existing["status"] in ON_ROSTER:
            raise Conflict(f"{person['name']} is already invited to this meeting", "member_id")
        if existing:
            await Sitting.update(
                {
                    Sitting.status: SittingStatus.INVITED,
                    Sitting.invited_at: clock.now(),
                    Sitting.responded_at: None,
                    Sitting.version: existing["version"] + 1,
                }
            ).where(Sitting.id == existing["id"])
            sitting_id = int(existing["id"])
        else:
            inserted = await Sitting.insert(Sitting(meeting=meeting_id, member=mid)).returning(
                Sitting.id
            )
            sitting_id = int(inserted[0]["id"])
        await audit.record(
            actor, "invite", "sitting", sitting_id, path=path,
            after={"meeting": meeting_id, "member": mid},
        )  # fmt: skip
        await _send_invitation(row, sitting_id)
    return sitting_id


async def sitting(sitting_id: int) -> dict[str, Any]:
    row = (
        await Sitting.select(
            *Sitting.all_columns(),
            Sitting.member._.person._.name.as_alias("name"),
            Sitting.member._.person._.id.as_alias("person_id"),
        )
        .where(Sitting.id == sitting_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No sitting {sitting_id}")
    return row


async def respond(
    actor: Actor,
    sitting_id: int,
    version: int,
    answer: str,
    *,
    person_id: int | None = None,
    path: str = "",
) -> None:
    """Accept, decline or (adviser only) withdraw; person_id limits it to that person's sitting."""
    row = await sitting(sitting_id)
    if person_id is not None and row["person_id"] != person_id:
        raise NotFound(f"No sitting {sitting_id}")
    allowed = {SittingStatus.ACCEPTED, SittingStatus.DECLINED}
    if person_id is None:
        allowed.add(SittingStatus.WITHDRAWN)
    if answer not in allowed:
        raise Invalid({"answer": "Choose accept or decline"})
    meeting_row = await _require_live(row["meeting"])
    async with db.transaction():
        bumped = (
            await Sitting.update(
                {
                    Sitting.status: answer,
                    Sitting.responded_at: clock.now(),
                    Sitting.version: version + 1,
                }
            )
            .where((Sitting.id == sitting_id) & (Sitting.version == version))
            .returning(Sitting.id)
        )
        if not bumped:
            raise Conflict(STALE_EDIT)
        if answer != SittingStatus.ACCEPTED and meeting_row["chair"] == row["member"]:
            await Meeting.update({Meeting.chair: None, Meeting.version: Meeting.version + 1}).where(
                Meeting.id == row["meeting"]
            )
        await audit.record(
            actor, answer, "sitting", sitting_id, path=path,
            before={"status": row["status"]}, after={"status": answer},
        )  # fmt: skip
        if answer == SittingStatus.WITHDRAWN and row["status"] in ON_ROSTER:
            await _send_cancellation(meeting_row, row, meeting_row["sequence"])


async def set_chair(
    actor: Actor, meeting_id: int, version: int, member_id: object, *, path: str = ""
) -> None:
    row = await _require_live(meeting_id)
    try:
        mid = int(str(member_id))
    except ValueError:
        raise Invalid({"chair": "Select who chairs the meeting"}) from None
    on_roster = {s["member"]: s for s in row["sittings"] if s["status"] in ON_ROSTER}
    if mid not in on_roster:
        raise Invalid({"chair": "Invite the member to the meeting before naming them as chair"})
    person = await member(mid)
    policy = await policy_on(row["day"])
    verdict = eligibility.may_chair(_member_of(person), row["day"], policy.roster.eligibility)
    if not verdict.may_chair:
        raise Invalid({"chair": f"{person['name']} cannot chair: " + "; ".join(verdict.reasons)})
    as_vice = Seat.CHAIR.value not in person["seat_list"]
    async with db.transaction():
        bumped = (
            await Meeting.update(
                {Meeting.chair: mid, Meeting.chair_is_vice: as_vice, Meeting.version: version + 1}
            )
            .where((Meeting.id == meeting_id) & (Meeting.version == version))
            .returning(Meeting.id)
        )
        if not bumped:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor, "chair", "meeting", meeting_id, path=path,
            before={"chair": row["chair"]}, after={"chair": mid, "vice_in_the_chair": as_vice},
        )  # fmt: skip


async def my_sittings(person_id: int, *, upcoming_only: bool = False) -> list[dict[str, Any]]:
    query = (
        Sitting.select(
            *Sitting.all_columns(),
            Sitting.meeting.starts_at.as_alias("starts_at"),
            Sitting.meeting.ends_at.as_alias("ends_at"),
            Sitting.meeting.venue.as_alias("venue"),
            Sitting.meeting.online_link.as_alias("online_link"),
            Sitting.meeting.status.as_alias("meeting_status"),
            Sitting.meeting.chair.as_alias("chair"),
        )
        .where(Sitting.member.person == person_id)
        .order_by(Sitting.meeting.starts_at)
    )
    if upcoming_only:
        query = query.where(Sitting.meeting.starts_at >= clock.now())
    rows = list(await query)
    for r in rows:
        r["starts_at"] = clock.london(r["starts_at"])
        r["ends_at"] = clock.london(r["ends_at"])
        r["meeting_label"] = STATUS_LABELS[r["meeting_status"]]
        r["status_label"] = SITTING_LABELS[r["status"]]
        r["chairing"] = r["chair"] == r["member"]
    return rows


# ---------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class MemberCheck:
    member_id: int
    name: str
    status: str
    eligibility: eligibility.Verdict


@dataclass(frozen=True, slots=True)
class MeetingChecks:
    policy_version: int
    on: date
    quorum: quorum.Verdict
    balance: balance.Verdict
    rostered: tuple[MemberCheck, ...]
    chair: eligibility.ChairVerdict | None
    chair_name: str
    conflicts: tuple[conflicts.Conflict, ...]
    not_eligible: tuple[MemberCheck, ...]  # everyone else on the list who may not sit that day

    def as_json(self) -> dict[str, Any]:
        return {
            "policy_version": self.policy_version,
            "on": self.on.isoformat(),
            "quorum": asdict(self.quorum),
            "balance": {
                "balanced": self.balance.balanced,
                "concerns": [asdict(c) for c in self.balance.concerns],
                "policy_version": self.balance.policy_version,
            },
            "eligibility": [
                {
                    "member_id": m.member_id,
                    "name": m.name,
                    "status": m.status,
                    **asdict(m.eligibility),
                }
                for m in self.rostered
            ],
            "chair": None
            if self.chair is None
            else {"name": self.chair_name, **asdict(self.chair)},
            "conflicts": [
                {"member_id": c.member_id, "item_id": c.item_id, "reason": c.reason}
                for c in self.conflicts
            ],
            "not_eligible": [
                {"member_id": m.member_id, "name": m.name, "reasons": list(m.eligibility.reasons)}
                for m in self.not_eligible
            ],
        }


async def items_of(meeting_id: int) -> tuple[conflicts.ItemParties, ...]:
    from panel.tables import AgendaItem, ItemParty, ItemStatus

    items = list(
        await AgendaItem.select(
            AgendaItem.id,
            AgendaItem.position,
            AgendaItem.case_reference,
            AgendaItem.social_worker,
            AgendaItem.manager,
        )
        .where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == ItemStatus.LISTED))
        .order_by(AgendaItem.position)
        .order_by(AgendaItem.id)
    )
    if not items:
        return ()
    named: dict[int, list[conflicts.Party]] = defaultdict(list)
    for row in await ItemParty.select().where(ItemParty.item.is_in([i["id"] for i in items])):
        named[row["item"]].append(conflicts.Party(conflicts.Role(row["role"]), row["name"]))
    result = []
    for number, item in enumerate(items, start=1):
        parties = list(named[item["id"]])
        # The item's own social worker and manager are parties too.
        for name in (item["social_worker"], item["manager"]):
            if name.strip():
                parties.append(conflicts.Party(conflicts.Role.SOCIAL_WORKER, name))
        label = f"item {number} ({item['case_reference']})"
        result.append(conflicts.ItemParties(item["id"], label, tuple(parties)))
    return tuple(result)


async def interests() -> list[conflicts.Interest]:
    return [
        conflicts.Interest(r["member"], r["name"], r["relationship"])
        for r in await RegisteredInterest.select()
    ]


async def checks(meeting_id: int) -> MeetingChecks:
    row = await meeting(meeting_id)
    on = row["day"]
    policy = await policy_on(on)
    rules = policy.roster
    everyone = await records()
    items = await items_of(meeting_id)
    found = conflicts.find(await interests(), items, [r.member for r in everyone.values()])
    rostered = [s for s in row["sittings"] if s["status"] in ON_ROSTER]
    planned = [everyone[s["member"]].member for s in rostered if s["member"] in everyone]
    verdicts = tuple(
        MemberCheck(
            s["member"],
            s["name"],
            SITTING_LABELS[s["status"]],
            eligibility.check(everyone[s["member"]], on, rules.eligibility, found),
        )
        for s in rostered
    )
    # Only those who may sit count towards the planned quorum.
    counting = [m for m, v in zip(planned, verdicts, strict=True) if v.eligibility.eligible]
    quorum_policy = policy.quorum
    chair = None
    chair_name = ""
    if row["chair"] is not None and row["chair"] in everyone:
        chair = eligibility.may_chair(everyone[row["chair"]].member, on, rules.eligibility)
        chair_name = everyone[row["chair"]].member.name
    on_roster = {s["member"] for s in rostered}
    others = []
    for mid, record in sorted(everyone.items(), key=lambda kv: kv[1].member.name):
        if mid in on_roster or (
            record.notice and record.notice.leaving_on <= on - timedelta(days=365)
        ):
            continue
        verdict = eligibility.check(record, on, rules.eligibility, found)
        if not verdict.eligible:
            others.append(MemberCheck(mid, record.member.name, "", verdict))
    return MeetingChecks(
        policy_version=policy.version,
        on=on,
        quorum=quorum.check(counting, quorum_policy),
        balance=balance.check(planned, (), rules.balance, found),
        rostered=verdicts,
        chair=chair,
        chair_name=chair_name,
        conflicts=found,
        not_eligible=tuple(others),
    )


# ---------------------------------------------------------------- roster suggestion


@dataclass(frozen=True, slots=True)
class Suggestion:
    roster: roster.Roster
    names: dict[int, str]
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)


async def suggest(meeting_ids: list[int], *, time_limit: float = ROSTER_TIME_LIMIT) -> Suggestion:
    chosen = [await meeting(mid) for mid in meeting_ids]
    live = [m for m in chosen if m["status"] in LIVE]
    if not live:
        raise Invalid({"meetings": "Choose at least one planned or confirmed meeting"})
    policy = await policy_on(min(m["day"] for m in live))
    everyone = await records()
    unavailable: dict[int, set[date]] = defaultdict(set)
    for r in await Unavailability.select(Unavailability.member, Unavailability.day):
        unavailable[r["member"]].add(r["day"])
    booked: dict[int, set[date]] = defaultdict(set)
    ids = {m["id"] for m in live}
    for s in await Sitting.select(
        Sitting.member, Sitting.meeting, Sitting.status, Sitting.meeting.starts_at.as_alias("at"),
        Sitting.meeting.status.as_alias("meeting_status"),
    ).where(Sitting.status.is_in(list(ON_ROSTER))):  # fmt: skip
        if s["meeting"] not in ids and s["meeting_status"] != MeetingStatus.CANCELLED:
            booked[s["member"]].add(clock.london(s["at"]).date())
    candidates = [
        roster.Candidate(rec, frozenset(unavailable[mid]), frozenset(booked[mid]))
        for mid, rec in everyone.items()
    ]
    wanted = []
    for m in live:
        kept = frozenset(
            s["member"] for s in m["sittings"] if s["status"] == SittingStatus.ACCEPTED
        )
        declined = frozenset(
            s["member"] for s in m["sittings"] if s["status"] == SittingStatus.DECLINED
        )
        wanted.append(
            roster.Meeting(
                meeting_id=m["id"],
                on=m["day"],
                items=(),
                joint=policy.switches.joint_panel,
                accepted=kept,
                excluded=declined,
                chair=m["chair"] if m["chair"] in kept else None,
            )
        )
    all_items = [i for m in live for i in await items_of(m["id"])]
    found = conflicts.find(await interests(), all_items, [r.member for r in everyone.values()])
    result = roster.solve(wanted, candidates, policy.roster, found, time_limit=time_limit)
    return Suggestion(
        result,
        {mid: rec.member.name for mid, rec in everyone.items()},
        {m["id"]: m for m in live},
    )


async def accept_roster(
    actor: Actor,
    plan: dict[int, tuple[list[int], int | None]],
    *,
    path: str = "",
) -> int:
    """Make each meeting's roster exactly the members given, with that chair; send invitations.

    Refuses the whole plan (nothing changed) if any member may not sit or the chair may not chair.
    Returns the number of invitations queued."""
    if not plan:
        raise Invalid({"meetings": "There is no roster to accept"})
    everyone = await records()
    errors: dict[str, str] = {}
    rows: dict[int, dict[str, Any]] = {}
    for meeting_id, (member_ids, chair) in plan.items():
        row = await _require_live(meeting_id)
        rows[meeting_id] = row
        rules = (await policy_on(row["day"])).roster.eligibility
        when = long_date(row["day"])
        key = f"members-{meeting_id}"
        if len(set(member_ids)) != len(member_ids):
            errors[key] = f"{when}: a member is listed twice"
        for mid in member_ids:
            if mid not in everyone:
                errors[key] = f"{when}: member {mid} is not on the central list"
                continue
            verdict = eligibility.check(everyone[mid], row["day"], rules)
            if not verdict.eligible:
                errors[key] = f"{when}: {everyone[mid].member.name} cannot sit: " + "; ".join(
                    verdict.reasons
                )
        if chair is None or chair not in member_ids:
            errors[f"chair-{meeting_id}"] = f"{when}: choose a chair from the members sitting"
        elif chair in everyone:
            verdict_chair = eligibility.may_chair(everyone[chair].member, row["day"], rules)
            if not verdict_chair.may_chair:
                errors[f"chair-{meeting_id}"] = (
                    f"{when}: {everyone[chair].member.name} cannot chair: "
                    + "; ".join(verdict_chair.reasons)
                )
    if errors:
        raise Invalid(errors)
    sent = 0
    async with db.transaction():
        for meeting_id, (member_ids, chair) in plan.items():
            row = rows[meeting_id]
            version = (await policy_on(row["day"])).version
            current = {s["member"]: s for s in row["sittings"]}
            for s in row["sittings"]:
                if s["status"] in ON_ROSTER and s["member"] not in member_ids:
                    await Sitting.update(
                        {Sitting.status: SittingStatus.WITHDRAWN, Sitting.version: s["version"] + 1}
                    ).where(Sitting.id == s["id"])
                    await _send_cancellation(row, s, row["sequence"])
            for mid in member_ids:
                s = current.get(mid)
                if s is not None and s["status"] in ON_ROSTER:
                    continue
                if s is not None:
                    await Sitting.update(
                        {
                            Sitting.status: SittingStatus.INVITED,
                            Sitting.invited_at: clock.now(),
                            Sitting.responded_at: None,
                            Sitting.version: s["version"] + 1,
                        }
                    ).where(Sitting.id == s["id"])
                    sitting_id = s["id"]
                else:
                    inserted = await Sitting.insert(
                        Sitting(meeting=meeting_id, member=mid)
                    ).returning(Sitting.id)
                    sitting_id = inserted[0]["id"]
                sent += await _send_invitation(row, sitting_id)
            assert chair is not None
            await Meeting.update(
                {
                    Meeting.chair: chair,
                    Meeting.chair_is_vice: Seat.CHAIR not in everyone[chair].member.seats,
                    Meeting.roster_policy_version: version,
                    Meeting.version: Meeting.version + 1,
                }
            ).where(Meeting.id == meeting_id)
            await audit.record(
                actor,
                "accept_roster",
                "meeting",
                meeting_id,
                path=path,
                summary=f"policy version {version}",
                before={
                    "members": sorted(m for m, s in current.items() if s["status"] in ON_ROSTER)
                },
                after={"members": sorted(member_ids), "chair": chair, "policy_version": version},
            )
    return sent


# ---------------------------------------------------------------- invitations and feeds


def office(settings: Settings | None = None) -> feeds.PanelOffice:
    settings = settings or _settings()
    domain = urlparse(settings.base_url).hostname or "localhost"
    return feeds.PanelOffice("Adoption panel office", settings.mail_from, domain)


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return Settings.from_env()


def panel_meeting(row: dict[str, Any], sequence: int | None = None) -> feeds.PanelMeeting:
    return feeds.PanelMeeting(
        id=row["id"],
        sequence=row["sequence"] if sequence is None else sequence,
        start=row["starts_at"],
        end=row["ends_at"],
        venue=row["venue"],
        online_link=row["online_link"],
        cancelled=row["status"] == MeetingStatus.CANCELLED,
    )


def _when(row: dict[str, Any]) -> str:
    start, end = clock.london(row["starts_at"]), clock.london(row["ends_at"])
    place = row["venue"] or row["online_link"]
    return f"{start:%A} {long_date(start.date())}, {start:%H:%M} to {end:%H:%M} (UK time), {place}"


async def _send_invitation(row: dict[str, Any], sitting_id: int, *, changed: bool = False) -> int:
    s = (
        await Sitting.select(
            Sitting.id,
            Sitting.member._.person._.name.as_alias("name"),
            Sitting.member._.person._.email.as_alias("email"),
        )
        .where(Sitting.id == sitting_id)
        .first()
    )
    assert s is not None
    fresh = await Meeting.select().where(Meeting.id == row["id"]).first()
    assert fresh is not None
    event = panel_meeting(fresh)
    data = feeds.invitation(
        feeds.Sitting(feeds.Member(s["name"], s["email"]), event), office(), dtstamp=clock.now()
    )
    base = _settings().base_url
    subject = ("Changed: " if changed else "") + f"Adoption panel, {_when(fresh)}"
    body = (
        f"Dear {s['name']},\n\nYou are invited to sit on the adoption panel on {_when(fresh)}.\n"
        f"{'The time or place has changed. ' if changed else ''}"
        f"Accept or decline in the service: {base}/panel/my/sittings\n"
    )
    queued = await mail.queue(
        f"panel-invite-{row['id']}-{sitting_id}-{event.sequence}",
        s["email"],
        subject,
        body,
        (mail.Attachment("invite.ics", "text/calendar; method=REQUEST", data),),
    )
    return int(queued)


async def _send_invitations(meeting_id: int, *, changed: bool) -> int:
    row = await Meeting.select().where(Meeting.id == meeting_id).first()
    assert row is not None
    sent = 0
    for s in await Sitting.select(Sitting.id).where(
        (Sitting.meeting == meeting_id) & Sitting.status.is_in(list(ON_ROSTER))
    ):
        sent += await _send_invitation(row, s["id"], changed=changed)
    return sent


async def _send_cancellation(row: dict[str, Any], s: dict[str, Any], sequence: int) -> None:
    # `sequence` is what was last sent; the cancellation goes out one higher (RFC 5546).
    person = (
        await Sitting.select(
            Sitting.member._.person._.name.as_alias("name"),
            Sitting.member._.person._.email.as_alias("email"),
        )
        .where(Sitting.id == s["id"])
        .first()
    )
    assert person is not None
    event = replace(panel_meeting(row, sequence), cancelled=False)
    data = feeds.cancellation(
        feeds.Sitting(feeds.Member(person["name"], person["email"]), event),
        office(),
        dtstamp=clock.now(),
    )
    await mail.queue(
        f"panel-cancel-{row['id']}-{s['id']}-{sequence}",
        person["email"],
        f"Cancelled: Adoption panel, {_when(row)}",
        f"Dear {person['name']},\n\nYou are no longer needed at the adoption panel on "
        f"{_when(row)}.\n",
        (mail.Attachment("cancel.ics", "text/calendar; method=CANCEL", data),),
    )


async def feed_token(member_id: int) -> str:
    row = (
        await PanelMember.select(PanelMember.feed_token).where(PanelMember.id == member_id).first()
    )
    if row is None:
        raise NotFound(f"No member {member_id}")
    if row["feed_token"]:
        return str(row["feed_token"])
    token = secrets.token_urlsafe(32)
    await PanelMember.update({PanelMember.feed_token: token}).where(
        (PanelMember.id == member_id) & PanelMember.feed_token.is_null()
    )
    return await feed_token(member_id)


async def reset_feed_token(actor: Actor, member_id: int, *, path: str = "") -> str:
    token = secrets.token_urlsafe(32)
    async with db.transaction():
        await PanelMember.update({PanelMember.feed_token: token}).where(PanelMember.id == member_id)
        await audit.record(actor, "reset_feed", "panel_member", member_id, path=path)
    return token


async def feed(member_id: int, token: str) -> bytes:
    row = (
        await PanelMember.select(PanelMember.feed_token).where(PanelMember.id == member_id).first()
    )
    stored = (row or {}).get("feed_token") or ""
    # Compared in constant time, and a wrong token looks exactly like a missing member.
    if not stored or not secrets.compare_digest(stored.encode(), token.encode()):
        raise NotFound("No such feed")
    rows = await Sitting.select(Sitting.meeting).where(
        (Sitting.member == member_id) & Sitting.status.is_in(list(ON_ROSTER))
    )
    meeting_rows = await Meeting.select().where(
        Meeting.id.is_in([r["meeting"] for r in rows] or [-1])
    )
    return feeds.member_feed(
        [panel_meeting(_meeting_row(m)) for m in meeting_rows], office(), dtstamp=clock.now()
    )
