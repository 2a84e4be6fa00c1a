"""Agendas: item types, items, parties, papers and versions, screening, packs and publication."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from governance import agency as agency_details
from governance import audit, clock, db, mail, pdf
from governance import services as gov_services
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.roles import Role
from governance.rules.workdays import add_working_days, long_date
from governance.settings import Settings
from governance.storage import Missing, paper_key, storage_for
from governance.tables import Partner, PartnerKind
from governance.validate import Checker
from panel import documents, pack_runs, placement, safety, services, uploads
from panel.rules import conflicts, outcomes
from panel.rules.outcomes import Category, Letter, Meaning, Outcome
from panel.tables import (
    Agenda,
    AgendaItem,
    ItemParty,
    ItemStatus,
    ItemSubject,
    ItemType,
    ItemTypeOutcome,
    Meeting,
    MeetingStatus,
    PackBuild,
    PackOpen,
    PanelMember,
    Paper,
    PaperKind,
    PaperVersion,
    Sitting,
    Withdrawal,
    WithdrawalSource,
)

# adm.rules.routing.DecidedBy values; panel never imports adm.
DECIDED_BY: dict[str, str] = {
    "assessing_agency": "ADM of the assessing (or approving) agency",
    "child_authority": "ADM of the child's authority",
    "none": "Nobody: for information",
}
SUBJECTS: dict[str, str] = {
    ItemSubject.ADOPTERS: "Prospective or approved adopters",
    ItemSubject.CHILD: "A child",
    ItemSubject.INFORMATION: "Information and learning",
}
# The party fields of the item form, one name a line.
# What another area asks the adviser to answer for before the agenda goes to members (panel
# never imports adm): each hook gives, for a meeting, its items' reasons to hold back, by item id.
# Publishing anyway needs a recorded reason.
PUBLISH_HOLDS: list[Callable[[int], Awaitable[dict[int, list[str]]]]] = []

PARTY_FIELDS: dict[str, tuple[conflicts.Role, str]] = {
    "applicants": (conflicts.Role.APPLICANT, "Applicants or adopters"),
    "children": (conflicts.Role.CHILD, "Children"),
    "birth_relatives": (conflicts.Role.BIRTH_RELATIVE, "Birth relatives"),
    "social_workers": (conflicts.Role.SOCIAL_WORKER, "Other social workers"),
    "foster_carers": (conflicts.Role.FOSTER_CARER, "Foster carers"),
    "schools": (conflicts.Role.SCHOOL, "Schools and nurseries"),
}
WITHDRAWAL_LABELS = {
    WithdrawalSource.SCREENING: "Found by screening",
    WithdrawalSource.DECLARED: "Declared",
}


@dataclass(frozen=True, slots=True)
class DefaultType:
    code: str
    name: str
    subject: ItemSubject
    papers: tuple[str, ...]
    recommendations: tuple[str, ...]
    decided_by: str
    minutes: int
    category: Category = Category.ADOPTER_APPROVAL


# DOMAIN.md section 2.
DEFAULT_TYPES: tuple[DefaultType, ...] = (
    DefaultType(
        "approval",
        "Approval of prospective adopters",
        ItemSubject.ADOPTERS,
        (
            "Prospective adopter's report",
            "Applicants' comments",
            "Medical report",
            "Checks summary",
            "Chronology",
        ),
        ("Suitable to adopt", "Not suitable to adopt", "Defer"),
        "assessing_agency",
        60,
    ),
    DefaultType(
        "brief_par",
        "Brief prospective adopter's report",
        ItemSubject.ADOPTERS,
        ("Brief prospective adopter's report", "Applicants' comments"),
        ("Full report needed", "Not suitable to adopt", "Defer"),
        "assessing_agency",
        40,
        Category.BRIEF_PAR,
    ),
    DefaultType(
        "review",
        "Review or termination of approval",
        ItemSubject.ADOPTERS,
        ("Review report", "Adopters' observations"),
        ("Continue approval", "Terminate approval", "Defer"),
        "assessing_agency",
        40,
        Category.REVIEW_OF_APPROVAL,
    ),
    DefaultType(
        "should_be_placed",
        "Child should be placed for adoption",
        ItemSubject.CHILD,
        ("Child's permanence report", "Medical report", "Legal advice"),
        ("Should be placed for adoption", "Should not be placed for adoption", "Defer"),
        "child_authority",
        45,
        Category.SHOULD_BE_PLACED,
    ),
    DefaultType(
        "match",
        "Match of a child with approved adopters",
        ItemSubject.CHILD,
        (
            "Child's permanence report",
            "Adoption placement report",
            "Adoption support plan",
            "Medical report",
            "Prospective adopter's report",
        ),
        ("Match", "No match", "Defer"),
        "child_authority",
        60,
        Category.MATCH,
    ),
    DefaultType(
        "foster_to_adopt",
        "Foster to adopt: approval of adopters as foster carers",
        ItemSubject.ADOPTERS,
        ("Assessment", "Prospective adopter's report"),
        ("Approve", "Do not approve", "Defer"),
        "assessing_agency",
        45,
        Category.FOSTER_TO_ADOPT,
    ),
    DefaultType(
        "disruption",
        "Disruption report",
        ItemSubject.INFORMATION,
        ("Disruption report",),
        ("Noted",),
        "none",
        20,
        Category.INFORMATION,
    ),
    DefaultType(
        "irm_outcome",
        "Independent review mechanism outcome",
        ItemSubject.INFORMATION,
        ("IRM outcome report",),
        ("Noted",),
        "none",
        15,
        Category.INFORMATION,
    ),
    DefaultType(
        "information",
        "Information item (annual report, quality assurance)",
        ItemSubject.INFORMATION,
        ("Report",),
        ("Noted",),
        "none",
        15,
        Category.INFORMATION,
    ),
)
CASE_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]{0,39}$")
# Initials only: single letters, with or without dots and spaces ("A.B.", "AB", "A B-C").
INITIALS = re.compile(r"^(?:[A-Za-z][.\-]?\s?){1,6}$")


def _person_of(actor: Actor) -> int | None:
    person = getattr(actor, "person_id", None)
    return person if isinstance(person, int) else None


def _lines(text: object) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _time_on(day: date, raw: object, check: Checker, field: str, label: str) -> datetime | None:
    text = str(raw or "").strip().replace(".", ":")
    if not text:
        return None
    try:
        at = time.fromisoformat(text if len(text) != 4 else "0" + text)
    except ValueError:
        check.fail(field, f"{label} must be a time like 10:30")
        return None
    return datetime.combine(day, at, clock.LONDON)


def _clock(moment: datetime | None) -> str:
    return "" if moment is None else f"{clock.london(moment):%H:%M}"


# ---------------------------------------------------------------- item types


async def ensure_item_types() -> None:
    known = {r["code"] for r in await ItemType.select(ItemType.code)}
    for position, t in enumerate(DEFAULT_TYPES, start=1):
        if t.code in known:
            continue
        rows = await (
            ItemType.insert(
                ItemType(
                    code=t.code,
                    name=t.name,
                    subject=t.subject,
                    required_papers="\n".join(t.papers),
                    recommendations="\n".join(t.recommendations),
                    decided_by=t.decided_by,
                    minutes=t.minutes,
                    position=position,
                    category=t.category,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(ItemType.id)
        )
        if rows:
            await default_outcomes(int(rows[0]["id"]))


async def default_outcomes(type_id: int) -> None:
    """Give each of a type's recommendations that has no outcome row one, meaning what its
    statutory wording means (panel.rules.outcomes.statutory_meaning), else 'other' for the
    agency to say."""
    kind = (
        await ItemType.select(ItemType.recommendations, ItemType.category)
        .where(ItemType.id == type_id)
        .first()
    )
    if kind is None:
        return
    have = {
        r["wording"]
        for r in await ItemTypeOutcome.select(ItemTypeOutcome.wording).where(
            ItemTypeOutcome.item_type == type_id
        )
    }
    category = Category(kind["category"])
    for position, wording in enumerate(_lines(kind["recommendations"]), start=1):
        if wording in have or _is_deferral(wording):
            continue
        outcome = outcomes.with_defaults(wording, outcomes.statutory_meaning(category, wording))
        await ItemTypeOutcome.insert(_outcome_row(type_id, outcome, position))


def _is_deferral(wording: str) -> bool:
    return wording.strip().casefold().startswith("defer")


def _outcome_row(type_id: int, outcome: Outcome, position: int) -> ItemTypeOutcome:
    return ItemTypeOutcome(
        item_type=type_id,
        wording=outcome.wording,
        meaning=outcome.meaning,
        qualifying=outcome.qualifying,
        letter=outcome.letter,
        closes_without_decision=outcome.closes_without_decision,
        position=position,
    )


@dataclass(frozen=True, slots=True)
class TypeOutcome:
    id: int | None  # None: not stored, the statutory default of its wording
    outcome: Outcome

    @property
    def meaning_label(self) -> str:
        return outcomes.MEANING_LABELS[self.outcome.meaning]

    @property
    def letter_label(self) -> str:
        return outcomes.LETTER_LABELS[self.outcome.letter]


def _as_outcome(row: dict[str, Any]) -> TypeOutcome:
    return TypeOutcome(
        row["id"],
        Outcome(
            row["wording"],
            Meaning(row["meaning"]),
            bool(row["qualifying"]),
            Letter(row["letter"]),
            bool(row["closes_without_decision"]),
        ),
    )


async def type_outcomes(type_id: int) -> list[TypeOutcome]:
    """The type's outcomes in the order of its recommendations, deferral aside."""
    kind = (
        await ItemType.select(ItemType.recommendations, ItemType.category)
        .where(ItemType.id == type_id)
        .first()
    )
    if kind is None:
        raise NotFound(f"No item type {type_id}")
    stored = {
        r["wording"]: _as_outcome(r)
        for r in await ItemTypeOutcome.select().where(ItemTypeOutcome.item_type == type_id)
    }
    category = Category(kind["category"])
    return [
        stored.get(w)
        or TypeOutcome(None, outcomes.with_defaults(w, outcomes.statutory_meaning(category, w)))
        for w in _lines(kind["recommendations"])
        if not _is_deferral(w)
    ]


async def outcome_of(type_id: int, wording: str) -> Outcome | None:
    """What one of a type's recommendations means, or None if the type has no such wording.
    Every caller that must know whether a decision is qualifying or which letter it gets asks
    here (adm.services.outcome_for)."""
    for found in await type_outcomes(type_id):
        if found.outcome.wording == wording:
            return found.outcome
    return None


def _type_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["papers"] = _lines(row["required_papers"])
    row["recommendation_list"] = _lines(row["recommendations"])
    row["decided_by_label"] = DECIDED_BY.get(row["decided_by"], row["decided_by"])
    row["subject_label"] = SUBJECTS.get(row["subject"], row["subject"])
    row["category_label"] = outcomes.CATEGORY_LABELS.get(Category(row["category"]), row["category"])
    return row


async def item_types(active_only: bool = True) -> list[dict[str, Any]]:
    await ensure_item_types()
    query = ItemType.select().order_by(ItemType.position).order_by(ItemType.id)
    if active_only:
        query = query.where(ItemType.active.eq(True))
    return [_type_row(r) for r in await query]


async def item_type(type_id: int) -> dict[str, Any]:
    row = await ItemType.select().where(ItemType.id == type_id).first()
    if row is None:
        raise NotFound(f"No item type {type_id}")
    return _type_row(row)


async def add_item_type(actor: Actor, data: dict[str, Any], *, path: str = "") -> int:
    check = Checker()
    name = check.text("name", data.get("name"), "Name of the item type")
    subject = check.choice("subject", data.get("subject"), "What the item is about", SUBJECTS)
    category = check.choice(
        "category",
        data.get("category"),
        "Which kind of decision it is",
        {k.value: v for k, v in outcomes.CATEGORY_LABELS.items()},
    )
    decided_by = check.choice("decided_by", data.get("decided_by"), "Who decides", DECIDED_BY)
    papers = _lines(data.get("required_papers"))
    recommendations = _lines(data.get("recommendations"))
    if not recommendations:
        check.fail("recommendations", "Enter what the panel may recommend, one a line")
    if any(len(line) > 200 for line in papers + recommendations):
        check.fail(
            "required_papers", "Each paper and recommendation must be 200 characters or fewer"
        )
    minutes = check.integer(
        "minutes", data.get("minutes") or "30", "Usual length in minutes", minimum=5, maximum=240
    )
    check.raise_if_any()
    code = "local_" + re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:30]
    await ensure_item_types()
    async with db.transaction():
        taken = await ItemType.select(ItemType.code, ItemType.name)
        if any(r["code"] == code or r["name"].casefold() == name.casefold() for r in taken):
            raise Conflict(f"There is already an item type called {name}", "name")
        last = (
            await ItemType.select(ItemType.position)
            .order_by(ItemType.position, ascending=False)
            .first()
        )
        rows = await ItemType.insert(
            ItemType(
                code=code,
                name=name,
                subject=subject,
                required_papers="\n".join(papers),
                recommendations="\n".join(recommendations),
                decided_by=decided_by,
                minutes=minutes,
                local=True,
                position=(last["position"] if last else 0) + 1,
                category=category,
            )
        ).returning(ItemType.id)
        type_id = int(rows[0]["id"])
        await default_outcomes(type_id)
        await audit.record(
            actor,
            "create",
            "item_type",
            type_id,
            path=path,
            after={"name": name, "decided_by": decided_by, "papers": papers, "category": category},
        )
    return type_id


async def save_outcomes(
    actor: Actor, type_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """Reword a type's outcomes and set what each carries; a meaning once given stays (an
    agency may reword an outcome, not change what it means). A blank new row adds nothing."""
    kind = await item_type(type_id)
    current = await type_outcomes(type_id)
    check = Checker()
    meanings = {k.value: v for k, v in outcomes.MEANING_LABELS.items()}
    letters = {k.value: v for k, v in outcomes.LETTER_LABELS.items()}
    edited: list[tuple[TypeOutcome | None, Outcome]] = []
    rows: list[tuple[str, TypeOutcome | None]] = [
        (str(n), found) for n, found in enumerate(current)
    ]
    if str(data.get("wording_new") or "").strip():
        rows.append(("new", None))
    for key, found in rows:
        wording = check.text(f"wording_{key}", data.get(f"wording_{key}"), "The wording")
        if found is not None and found.outcome.meaning is not Meaning.OTHER:
            meaning: str | None = found.outcome.meaning
        else:
            meaning = check.choice(
                f"meaning_{key}", data.get(f"meaning_{key}"), "What it means", meanings
            )
        letter = check.choice(f"letter_{key}", data.get(f"letter_{key}"), "Its letter", letters)
        if len(wording) > 200:
            check.fail(f"wording_{key}", "The wording must be 200 characters or fewer")
        if meaning not in meanings or letter not in letters:
            continue  # the Checker has already said what is missing or wrong
        outcome = Outcome(
            wording,
            Meaning(meaning),
            bool(data.get(f"qualifying_{key}")),
            Letter(letter),
            bool(data.get(f"closes_{key}")),
        )
        for problem in outcomes.problems(outcome):
            check.fail(f"qualifying_{key}", problem)
        edited.append((found, outcome))
    wordings = [o.wording.casefold() for _, o in edited]
    if len(set(wordings)) != len(wordings):
        check.fail("wording_0", "Two outcomes cannot have the same wording")
    if str(data.get("version", "")) != str(kind["version"]):
        raise Conflict(STALE_EDIT, "wording_0")
    check.raise_if_any()
    old = _lines(kind["recommendations"])
    renamed = {
        found.outcome.wording: outcome.wording for found, outcome in edited if found is not None
    }
    lines = [renamed.get(line, line) for line in old]
    lines += [o.wording for found, o in edited if found is None]
    async with db.transaction():
        updated = (
            await ItemType.update(
                {ItemType.recommendations: "\n".join(lines), ItemType.version: kind["version"] + 1}
            )
            .where((ItemType.id == type_id) & (ItemType.version == kind["version"]))
            .returning(ItemType.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        for position, (found, outcome) in enumerate(edited, start=1):
            if found is not None and found.id is not None:
                await ItemTypeOutcome.update(
                    {
                        ItemTypeOutcome.wording: outcome.wording,
                        ItemTypeOutcome.meaning: outcome.meaning,
                        ItemTypeOutcome.qualifying: outcome.qualifying,
                        ItemTypeOutcome.letter: outcome.letter,
                        ItemTypeOutcome.closes_without_decision: outcome.closes_without_decision,
                        ItemTypeOutcome.version: ItemTypeOutcome.version + 1,
                    }
                ).where(ItemTypeOutcome.id == found.id)
            else:
                await ItemTypeOutcome.insert(_outcome_row(type_id, outcome, position))
        await audit.record(
            actor,
            "update",
            "item_type",
            type_id,
            path=path,
            summary=f"{kind['name']}: outcomes",
            before={"outcomes": [_outcome_json(f.outcome) for f in current]},
            after={"outcomes": [_outcome_json(o) for _, o in edited]},
        )


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "wording": outcome.wording,
        "meaning": outcome.meaning.value,
        "qualifying": outcome.qualifying,
        "letter": outcome.letter.value,
        "closes_without_decision": outcome.closes_without_decision,
    }


# ---------------------------------------------------------------- agendas and items


async def _agenda_row(meeting_id: int) -> dict[str, Any]:
    row = await Agenda.select().where(Agenda.meeting == meeting_id).first()
    if row is None:
        await Agenda.insert(Agenda(meeting=meeting_id)).on_conflict(action="DO NOTHING")
        row = await Agenda.select().where(Agenda.meeting == meeting_id).first()
    assert row is not None
    return dict(row)


async def _meeting(meeting_id: int) -> dict[str, Any]:
    return await services.meeting(meeting_id)  # raises NotFound


def _require_live(meeting: dict[str, Any], doing: str) -> None:
    if meeting["status"] not in services.LIVE:
        raise Conflict(
            f"The panel on {long_date(meeting['day'])} is {meeting['status_label'].lower()}:"
            f" {doing} is no longer possible"
        )


async def _bump(meeting_id: int, version: int | None) -> int:
    """Take the agenda's next version, or raise a conflict if someone changed it first."""
    row = await _agenda_row(meeting_id)
    if version is not None and row["version"] != version:
        raise Conflict(STALE_EDIT)
    current = int(row["version"])
    bumped = (
        await Agenda.update({Agenda.version: current + 1})
        .where((Agenda.meeting == meeting_id) & (Agenda.version == current))
        .returning(Agenda.id)
    )
    if not bumped:
        raise Conflict(STALE_EDIT)
    return current + 1


async def _listed(meeting_id: int) -> list[dict[str, Any]]:
    return list(
        await AgendaItem.select(
            *AgendaItem.all_columns(),
            AgendaItem.item_type.name.as_alias("type_name"),
            AgendaItem.item_type.minutes.as_alias("type_minutes"),
        )
        .where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == ItemStatus.LISTED))
        .order_by(AgendaItem.position)
        .order_by(AgendaItem.id)
    )


def _check_item(
    check: Checker,
    data: dict[str, Any],
    types: dict[int, dict[str, Any]],
    partners: dict[int, dict[str, Any]],
    day: date,
    agency_assesses: bool = False,
) -> dict[str, Any]:
    type_id = check.integer("item_type", data.get("item_type") or "0", "Item type")
    kind = types.get(type_id)
    if kind is None:
        check.errors.pop("item_type", None)
        check.fail("item_type", "Select the type of item")
    reference = check.text(
        "case_reference", data.get("case_reference"), "Case reference", max_length=40
    )
    if reference and "case_reference" not in check.errors and not CASE_REFERENCE.match(reference):
        check.fail(
            "case_reference",
            "Case reference must be letters, numbers, slashes or hyphens, like CPA/2026/014",
        )
    initials = check.text(
        "initials", data.get("initials"), "Initials", max_length=12, required=False
    )
    if initials and "initials" not in check.errors and not INITIALS.match(initials):
        check.fail(
            "initials", "Enter initials only, like A.B.: agenda titles never carry full names"
        )
    values: dict[str, Any] = {
        "item_type": type_id,
        "case_reference": reference,
        "initials": initials.upper(),
        "child_partner": None,
        "assessing_partner": None,
        "assessed_by_agency": False,
    }
    for field, label in (
        ("child_partner", "The child's authority"),
        ("assessing_partner", "The assessing agency"),
    ):
        raw = str(data.get(field) or "").strip()
        if field == "assessing_partner" and raw == AGENCY_ASSESSED:
            if agency_assesses:
                values["assessed_by_agency"] = True
            else:
                check.fail(
                    field,
                    "The agency does not assess adopters itself: select the partner that "
                    "assessed them (or say on the Decision makers page that the agency assesses)",
                )
        elif raw:
            try:
                partner = int(raw)
            except ValueError:
                partner = -1
            if partner not in partners:
                check.fail(field, f"Select {label.lower()} from the list")
            else:
                values[field] = partner
    if (
        kind is not None
        and kind["subject"] == ItemSubject.CHILD
        and values["child_partner"] is None
    ):
        check.fail("child_partner", "Select the child's authority: its ADM decides this item")
    if (
        kind is not None
        and kind["subject"] == ItemSubject.ADOPTERS
        and values["assessing_partner"] is None
        and not values["assessed_by_agency"]
        and "assessing_partner" not in check.errors
    ):
        check.fail("assessing_partner", "Select the assessing agency: its ADM decides this item")
    values["social_worker"] = check.text(
        "social_worker", data.get("social_worker"), "Lead social worker", required=False
    )
    values["manager"] = check.text("manager", data.get("manager"), "Manager", required=False)
    values["starts_at"] = _time_on(day, data.get("starts"), check, "starts", "Start time")
    values["ends_at"] = _time_on(day, data.get("ends"), check, "ends", "End time")
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        check.fail("ends", "The item must end after it starts")
    values["presenters_at"] = _time_on(
        day, data.get("presenters_at"), check, "presenters_at", "Presenters' call-in time"
    )
    values["applicants_attend"] = str(data.get("applicants_attend") or "") in (
        "yes",
        "on",
        "1",
        "true",
    )
    values["applicants_at"] = _time_on(
        day, data.get("applicants_at"), check, "applicants_at", "Applicants' call-in time"
    )
    if values["applicants_at"] and not values["applicants_attend"]:
        check.fail("applicants_at", "Give a call-in time only when the applicants attend")
    invited = check.day(
        "applicants_invited_on", data.get("applicants_invited_on"),
        "Date the applicants were invited to attend the panel", required=False,
    )  # fmt: skip
    if invited is not None and invited > day:
        check.fail(
            "applicants_invited_on", "The invitation must be sent on or before the panel day"
        )
    values["applicants_invited_on"] = invited
    parties: list[tuple[str, str]] = []
    for field, (role, label) in PARTY_FIELDS.items():
        names = _lines(data.get(field))
        if any(len(n) > 200 for n in names):
            check.fail(field, f"{label}: each name must be 200 characters or fewer")
        if any(re.search(r"[\x00-\x1f\x7f]", n) for n in names):
            check.fail(field, f"{label} must not contain control characters")
        parties += [(role.value, n) for n in names]
    if len(parties) > 60:
        check.fail("applicants", "An item can name at most 60 parties")
    values["parties"] = parties
    return values


async def _choices() -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    types = {r["id"]: r for r in await item_types()}
    partners = {r["id"]: dict(r) for r in await Partner.select().order_by(Partner.name)}
    return types, partners


# The assessing agency is the agency itself (a company or VAA that assesses adopters).
AGENCY_ASSESSED = "agency"


async def form_choices() -> dict[str, Any]:
    types, partners = await _choices()
    assessing: dict[Any, str] = {k: v["name"] for k, v in partners.items()}
    if await agency_details.assesses_adopters():
        assessing = {AGENCY_ASSESSED: "The agency itself", **assessing}
    councils = {
        k: v["name"] for k, v in partners.items() if v["kind"] == PartnerKind.LOCAL_AUTHORITY
    }
    return {
        "type_choices": {k: v["name"] for k, v in types.items()},
        "types": types,
        "child_partner_choices": councils or {k: v["name"] for k, v in partners.items()},
        "assessing_partner_choices": assessing,
        "party_fields": {k: v[1] for k, v in PARTY_FIELDS.items()},
    }


def _default_times(
    values: dict[str, Any], listed: list[dict[str, Any]], meeting: dict[str, Any], minutes: int
) -> None:
    if values["starts_at"] is None:
        ends = [r["ends_at"] for r in listed if r["ends_at"] is not None]
        values["starts_at"] = max(ends) if ends else meeting["starts_at"]
    if values["ends_at"] is None:
        values["ends_at"] = values["starts_at"] + timedelta(minutes=minutes)
    if values["presenters_at"] is None:
        values["presenters_at"] = values["starts_at"]
    if values["applicants_attend"] and values["applicants_at"] is None:
        values["applicants_at"] = values["starts_at"] + timedelta(minutes=15)


async def add_item(
    actor: Actor,
    meeting_id: int,
    data: dict[str, Any],
    settings: Settings,
    *,
    path: str = "",
) -> int:
    meeting = await _meeting(meeting_id)
    _require_live(meeting, "adding items")
    types, partners = await _choices()
    check = Checker()
    values = _check_item(
        check,
        data,
        types,
        partners,
        meeting["day"],
        agency_assesses=await agency_details.assesses_adopters(),
    )
    check.raise_if_any()
    parties = values.pop("parties")
    async with db.transaction():
        listed = await _listed(meeting_id)
        if len(listed) >= meeting["item_slots"]:
            raise Conflict(
                f"All {meeting['item_slots']} item slots of this panel are taken: defer an item"
                " or add a slot on the meeting page first",
                "item_type",
            )
        await _bump(meeting_id, None)
        _default_times(values, listed, meeting, types[values["item_type"]]["minutes"])
        position = max((r["position"] for r in listed), default=0) + 1
        rows = await AgendaItem.insert(
            AgendaItem(meeting=meeting_id, position=position, **values)
        ).returning(AgendaItem.id)
        item_id = int(rows[0]["id"])
        await _save_parties(item_id, parties)
        await audit.record(
            actor,
            "create",
            "agenda_item",
            item_id,
            path=path,
            after={**values, "meeting": meeting_id, "parties": len(parties)},
        )
    await _after_change(meeting_id, settings, actor)
    return item_id


async def _save_parties(item_id: int, parties: list[tuple[str, str]]) -> None:
    await ItemParty.delete().where(ItemParty.item == item_id)
    if parties:
        await ItemParty.insert(*[ItemParty(item=item_id, role=r, name=n) for r, n in parties])


async def item(item_id: int) -> dict[str, Any]:
    row = (
        await AgendaItem.select(
            *AgendaItem.all_columns(),
            AgendaItem.child_partner.name.as_alias("child_partner_name"),
            AgendaItem.assessing_partner.name.as_alias("assessing_partner_name"),
        )
        .where(AgendaItem.id == item_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No agenda item {item_id}")
    row = dict(row)
    kind = await ItemType.select().where(ItemType.id == row["item_type"]).first()
    assert kind is not None
    row["type"] = _type_row(kind)
    listed = await _listed(row["meeting"])
    numbers = {r["id"]: n for n, r in enumerate(listed, start=1)}
    row["number"] = numbers.get(item_id)
    row["title"] = _title(row)
    parties = await ItemParty.select().where(ItemParty.item == item_id).order_by(ItemParty.id)
    row["parties"] = [dict(p) for p in parties]
    row["party_text"] = {
        field: "\n".join(p["name"] for p in parties if p["role"] == role.value)
        for field, (role, _label) in PARTY_FIELDS.items()
    }
    row["papers"] = await _papers([item_id])
    row["checklist"] = _checklist(row["type"]["papers"], row["papers"].get(item_id, []))
    row["withdrawals"] = (await _withdrawals([item_id])).get(item_id, [])
    for key in ("starts_at", "ends_at", "presenters_at", "applicants_at"):
        row[key.replace("_at", "") + "_clock"] = _clock(row[key])
    return row


def _title(row: dict[str, Any]) -> str:
    initials = f" ({row['initials']})" if row.get("initials") else ""
    return f"{row['case_reference']}{initials}"


async def update_item(
    actor: Actor,
    item_id: int,
    version: int,
    data: dict[str, Any],
    settings: Settings,
    *,
    path: str = "",
) -> None:
    before = await item(item_id)
    meeting = await _meeting(before["meeting"])
    _require_live(meeting, "changing items")
    if before["status"] != ItemStatus.LISTED:
        raise Conflict("This item was deferred to a later panel: change it there")
    types, partners = await _choices()
    types.setdefault(before["item_type"], before["type"])
    check = Checker()
    values = _check_item(
        check,
        data,
        types,
        partners,
        meeting["day"],
        agency_assesses=await agency_details.assesses_adopters(),
    )
    check.raise_if_any()
    parties = values.pop("parties")
    if values["item_type"] != before["item_type"] and any(
        p["versions"] for p in before["papers"].get(item_id, [])
    ):
        # The checklist follows the type; papers uploaded for the old one would be stranded.
        raise Invalid({"item_type": "Papers have been uploaded: the type can no longer change"})
    _default_times(values, [], meeting, types[values["item_type"]]["minutes"])
    async with db.transaction():
        bumped = (
            await AgendaItem.update(
                {
                    **{getattr(AgendaItem, k): v for k, v in values.items()},
                    AgendaItem.version: version + 1,
                }
            )
            .where((AgendaItem.id == item_id) & (AgendaItem.version == version))
            .returning(AgendaItem.id)
        )
        if not bumped:
            raise Conflict(STALE_EDIT)
        await _bump(before["meeting"], None)
        await _save_parties(item_id, parties)
        await audit.record(
            actor,
            "update",
            "agenda_item",
            item_id,
            path=path,
            before={k: before[k] for k in values},
            after={**values, "parties": len(parties)},
        )
    await _after_change(before["meeting"], settings, actor)


def _retimed(listed: list[dict[str, Any]], start: datetime) -> list[tuple[int, dict[Any, Any]]]:
    """Lay the items out one after another from the start, each keeping its length."""
    changes = []
    at = start
    for row in listed:
        if row["starts_at"] is not None and row["ends_at"] is not None:
            length = row["ends_at"] - row["starts_at"]
        else:
            length = timedelta(minutes=row["type_minutes"])
        shift = at - row["starts_at"] if row["starts_at"] is not None else timedelta(0)
        change: dict[Any, Any] = {AgendaItem.starts_at: at, AgendaItem.ends_at: at + length}
        for column, key in ((AgendaItem.presenters_at, "presenters_at"),
                            (AgendaItem.applicants_at, "applicants_at")):  # fmt: skip
            if row[key] is not None:
                change[column] = row[key] + shift
        changes.append((row["id"], change))
        at = at + length
    return changes


async def reorder(
    actor: Actor,
    meeting_id: int,
    version: int,
    order: list[int],
    settings: Settings,
    *,
    path: str = "",
) -> int:
    meeting = await _meeting(meeting_id)
    _require_live(meeting, "reordering the agenda")
    async with db.transaction():
        listed = await _listed(meeting_id)
        ids = [r["id"] for r in listed]
        if sorted(order) != sorted(ids) or len(set(order)) != len(order):
            raise Invalid({"order": "The new order must name every item on the agenda once"})
        new_version = await _bump(meeting_id, version)
        by_id = {r["id"]: r for r in listed}
        ordered = [by_id[i] for i in order]
        for position, (item_id, change) in enumerate(
            _retimed(ordered, meeting["starts_at"]), start=1
        ):
            change[AgendaItem.position] = position
            change[AgendaItem.version] = by_id[item_id]["version"] + 1
            await AgendaItem.update(change).where(AgendaItem.id == item_id)
        await audit.record(
            actor,
            "reorder",
            "agenda",
            meeting_id,
            path=path,
            before={"order": ids},
            after={"order": order},
        )
    await _after_change(meeting_id, settings, actor)
    return new_version


async def move_item(
    actor: Actor,
    meeting_id: int,
    version: int,
    item_id: int,
    direction: str,
    settings: Settings,
    *,
    path: str = "",
) -> int:
    ids = [r["id"] for r in await _listed(meeting_id)]
    if item_id not in ids:
        raise NotFound(f"No item {item_id} on this agenda")
    if direction not in ("up", "down"):
        raise Invalid({"order": "Move an item up or down"})
    at = ids.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(ids):
        ids[at], ids[to] = ids[to], ids[at]
    return await reorder(actor, meeting_id, version, ids, settings, path=path)


async def defer_options(item_id: int, limit: int = 5) -> list[dict[str, Any]]:
    row = await item(item_id)
    current = await _meeting(row["meeting"])
    later = (
        await Meeting.select()
        .where(
            (Meeting.starts_at > current["starts_at"]) & Meeting.status.is_in(list(services.LIVE))
        )
        .order_by(Meeting.starts_at)
    )
    options = []
    for m in later:
        taken = await AgendaItem.count().where(
            (AgendaItem.meeting == m["id"]) & (AgendaItem.status == ItemStatus.LISTED)
        )
        if taken < m["item_slots"]:
            starts = clock.london(m["starts_at"])
            options.append(
                {
                    "id": m["id"],
                    "label": f"{long_date(starts.date())}, {starts:%H:%M}"
                    f" ({m['item_slots'] - taken} of {m['item_slots']} slots free)",
                }
            )
        if len(options) >= limit:
            break
    return options


async def defer_item(
    actor: Actor,
    item_id: int,
    version: int,
    data: dict[str, Any],
    settings: Settings,
    *,
    path: str = "",
) -> int:
    row = await item(item_id)
    if row["status"] != ItemStatus.LISTED:
        raise Conflict("This item has already been deferred")
    check = Checker()
    reason = check.text(
        "defer_reason", data.get("defer_reason"), "Why the item is deferred", max_length=1000
    )
    options = {str(o["id"]): o["label"] for o in await defer_options(item_id, limit=50)}
    target = check.choice("to_meeting", data.get("to_meeting"), "A later panel", options)
    if not options:
        check.errors["to_meeting"] = (
            "No later panel has a free slot: schedule one or free a slot first"
        )
    check.raise_if_any()
    to_meeting = int(target)
    meeting = await _meeting(row["meeting"])
    _require_live(meeting, "deferring items")
    target_meeting = await _meeting(to_meeting)
    async with db.transaction():
        moved = (
            await AgendaItem.update(
                {
                    AgendaItem.status: ItemStatus.DEFERRED,
                    AgendaItem.defer_reason: reason,
                    AgendaItem.version: version + 1,
                }
            )
            .where((AgendaItem.id == item_id) & (AgendaItem.version == version))
            .returning(AgendaItem.id)
        )
        if not moved:
            raise Conflict(STALE_EDIT)
        listed = await _listed(to_meeting)
        if len(listed) >= target_meeting["item_slots"]:
            raise Conflict("That panel's last slot was taken meanwhile: choose another date")
        await _bump(row["meeting"], None)
        await _bump(to_meeting, None)
        length = (
            (row["ends_at"] - row["starts_at"])
            if row["starts_at"] and row["ends_at"]
            else (timedelta(minutes=row["type"]["minutes"]))
        )
        values = {
            "item_type": row["item_type"],
            "case_reference": row["case_reference"],
            "initials": row["initials"],
            "child_partner": row["child_partner"],
            "assessing_partner": row["assessing_partner"],
            "social_worker": row["social_worker"],
            "manager": row["manager"],
            "applicants_attend": row["applicants_attend"],
            "starts_at": None,
            "ends_at": None,
            "presenters_at": None,
            "applicants_at": None,
        }
        _default_times(values, listed, target_meeting, int(length.total_seconds() // 60))
        created = await AgendaItem.insert(
            AgendaItem(
                meeting=to_meeting,
                position=max((r["position"] for r in listed), default=0) + 1,
                carried_from=item_id,
                **values,
            )
        ).returning(AgendaItem.id)
        new_id = int(created[0]["id"])
        await _save_parties(new_id, [(p["role"], p["name"]) for p in row["parties"]])
        for paper in row["papers"].get(item_id, []):
            copied = await Paper.insert(
                Paper(
                    item=new_id,
                    title=paper["title"],
                    required_as=paper["required_as"],
                    full_pack_only=paper["full_pack_only"],
                    position=paper["position"],
                )
            ).returning(Paper.id)
            for v in paper["versions"]:
                await PaperVersion.insert(
                    PaperVersion(
                        paper=copied[0]["id"],
                        number=v["number"],
                        file_name=v["file_name"],
                        kind=v["kind"],
                        sha256=v["sha256"],
                        clean_sha256=v["clean_sha256"],
                        removed=v["removed"],
                        size=v["size"],
                        changed=v["changed"],
                        uploaded_by=v["uploaded_by"],
                        uploaded_at=v["uploaded_at"],
                    )
                )
        await audit.record(
            actor,
            "defer",
            "agenda_item",
            item_id,
            path=path,
            summary=reason,
            after={"to_meeting": to_meeting, "new_item": new_id},
        )
    await _after_change(row["meeting"], settings, actor)
    await _after_change(to_meeting, settings, actor)
    return new_id


# ---------------------------------------------------------------- papers


async def stored_paper(settings: Settings, sha256: str) -> bytes:
    """The content of a stored paper version; NotFound if its file has gone from storage."""
    try:
        return await storage_for(settings).get(paper_key(sha256))
    except Missing:
        raise Missing("The paper's file is missing from storage.") from None


async def _store(settings: Settings, data: bytes, sha256: str) -> None:
    store = storage_for(settings)
    if not await store.exists(paper_key(sha256)):
        await store.put(paper_key(sha256), data)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


async def _papers(item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not item_ids:
        return {}
    papers = (
        await Paper.select()
        .where(Paper.item.is_in(item_ids))
        .order_by(Paper.position)
        .order_by(Paper.id)
    )
    versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if papers:
        for v in (
            await PaperVersion.select(
                *PaperVersion.all_columns(), PaperVersion.uploaded_by.name.as_alias("uploader")
            )
            .where(PaperVersion.paper.is_in([p["id"] for p in papers]))
            .order_by(PaperVersion.number)
        ):
            versions[v["paper"]].append(dict(v))
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in papers:
        row = dict(p)
        row["versions"] = versions[p["id"]]
        row["latest"] = row["versions"][-1] if row["versions"] else None
        row["changed"] = any(v["late"] or v["number"] > 1 for v in row["versions"])
        found[p["item"]].append(row)
    return found


def _checklist(required: list[str], papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    supplied = {p["required_as"] for p in papers if p["latest"] is not None}
    return [{"title": title, "present": title in supplied} for title in required]


async def upload_paper(
    actor: Actor,
    item_id: int,
    data: dict[str, Any],
    filename: str,
    content: bytes,
    settings: Settings,
    *,
    path: str = "",
) -> int:
    """Add a paper, or a new version of one; returns the version's id."""
    row = await item(item_id)
    meeting = await _meeting(row["meeting"])
    _require_live(meeting, "adding papers")
    if row["status"] != ItemStatus.LISTED:
        raise Conflict("This item was deferred to a later panel: add papers there")
    check = Checker()
    papers = row["papers"].get(item_id, [])
    paper_id: int | None = None
    raw_paper = str(data.get("paper") or "").strip()
    if raw_paper:
        chosen = [p for p in papers if str(p["id"]) == raw_paper]
        if not chosen:
            check.fail("paper", "Select one of this item's papers")
        else:
            paper_id = chosen[0]["id"]
    required_as = str(data.get("required_as") or "").strip()
    if required_as and required_as not in row["type"]["papers"]:
        check.fail("required_as", "Select a paper from the checklist, or none")
    title = check.text("title", data.get("title"), "Title of the paper", required=False)
    changed = check.text(
        "changed", data.get("changed"), "What changed", max_length=1000, required=False
    )
    agenda = await _agenda_row(row["meeting"])
    published = agenda["published_at"] is not None
    existing = next((p for p in papers if p["id"] == paper_id), None)
    if existing is None and required_as:
        existing = next(
            (p for p in papers if p["required_as"] == required_as and p["latest"]), None
        )
    if existing is not None and existing["latest"] is not None and not changed:
        check.fail("changed", "Say what changed in this version: members are told")
    if existing is None and published and not changed:
        check.fail("changed", "The papers are out: say why this paper is added late")
    if not filename and not content:
        check.fail("file", "Choose a .docx or PDF file to upload")
    check.raise_if_any()
    limits = uploads.UploadLimits(max_bytes=settings.upload_limit_mb * uploads.MB)
    # check_upload and the safety inspection both open the file, so both run in the worker.
    verdict, cleaned = await safety.inspect_upload(
        filename or "paper", content, limits, safety.limits_of(settings)
    )
    if not verdict.accepted or verdict.kind is None or not cleaned.accepted:
        raise Invalid({"file": verdict.message})
    clean_sha256 = await _store_clean(settings, content, verdict.sha256, cleaned)
    await _store(settings, content, verdict.sha256)
    title = title or required_as or Path(verdict.filename).stem
    async with db.transaction():
        if existing is None:
            rows = await Paper.insert(
                Paper(
                    item=item_id,
                    title=title[:200],
                    required_as=required_as,
                    full_pack_only=str(data.get("full_pack_only") or "") in ("yes", "on", "1"),
                    position=max((p["position"] for p in papers), default=0) + 1,
                )
            ).returning(Paper.id)
            paper_id = int(rows[0]["id"])
            number = 1
        else:
            paper_id = existing["id"]
            number = (existing["latest"]["number"] if existing["latest"] else 0) + 1
            await Paper.update({Paper.version: Paper.version + 1}).where(Paper.id == paper_id)
        created = await PaperVersion.insert(
            PaperVersion(
                paper=paper_id,
                number=number,
                file_name=verdict.filename,
                kind=PaperKind(verdict.kind.value),
                sha256=verdict.sha256,
                clean_sha256=clean_sha256,
                removed="\n".join(cleaned.removed),
                size=verdict.size,
                changed=changed,
                late=published,
                uploaded_by=_person_of(actor),
            )
        ).returning(PaperVersion.id)
        version_id = int(created[0]["id"])
        await _bump(row["meeting"], None)
        await audit.record(
            actor,
            "upload",
            "paper",
            paper_id,
            path=path,
            summary=f"{verdict.filename}, version {number}" + (" (late)" if published else ""),
            after={
                "sha256": verdict.sha256,
                "size": verdict.size,
                "changed": changed,
                "clean_sha256": clean_sha256,
                "removed": list(cleaned.removed),
            },
        )
    rebuilt = await _after_change(row["meeting"], settings, actor)
    if published and rebuilt:
        await _tell_members_of_change(row["meeting"], version_id, settings)
    return version_id


async def _store_clean(
    settings: Settings, original: bytes, sha256: str, cleaned: safety.Cleaned
) -> str:
    """The clean copy's key, stored under its own sha256 when it differs from the original."""
    if cleaned.content == original or not cleaned.removed:
        return sha256
    clean_sha256 = hashlib.sha256(cleaned.content).hexdigest()
    await _store(settings, cleaned.content, clean_sha256)
    return clean_sha256


def inspection(version: dict[str, Any]) -> str:
    """What the safety inspection did to one version, as the item page says it."""
    if version.get("clean_sha256") is None:
        return "Not checked yet: it will be checked before it goes in a pack."
    removed = tuple(line for line in str(version.get("removed") or "").splitlines() if line)
    return safety.summary(removed)


async def members_copy(
    settings: Settings, version: dict[str, Any], *, title: str, item_number: int
) -> bytes:
    """The version's clean copy, inspecting a version from before inspection first (and keeping
    what it found). PaperUnsafe if the inspection refuses it."""
    if version.get("clean_sha256"):
        return await stored_paper(settings, str(version["clean_sha256"]))
    original = await stored_paper(settings, version["sha256"])
    cleaned = await safety.make_safe(
        uploads.Kind(version["kind"]), original, safety.limits_of(settings)
    )
    if not cleaned.accepted:
        raise safety.PaperUnsafe(title, item_number, cleaned.reason)
    clean_sha256 = await _store_clean(settings, original, version["sha256"], cleaned)
    removed = "\n".join(cleaned.removed)
    await PaperVersion.update(
        {PaperVersion.clean_sha256: clean_sha256, PaperVersion.removed: removed}
    ).where(PaperVersion.id == version["id"])
    version["clean_sha256"], version["removed"] = clean_sha256, removed
    return cleaned.content


async def paper_version(version_id: int, settings: Settings) -> tuple[dict[str, Any], bytes]:
    row = (
        await PaperVersion.select(
            *PaperVersion.all_columns(),
            PaperVersion.paper.item.as_alias("item"),
            PaperVersion.paper._.item._.meeting.as_alias("meeting"),
        )
        .where(PaperVersion.id == version_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No paper version {version_id}")
    return dict(row), await stored_paper(settings, row["sha256"])


# ---------------------------------------------------------------- conflict screening


async def _withdrawals(item_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not item_ids:
        return found
    for w in (
        await Withdrawal.select(
            *Withdrawal.all_columns(),
            Withdrawal.member._.person._.name.as_alias("name"),
            Withdrawal.member._.person.as_alias("person"),
        )
        .where(Withdrawal.item.is_in(item_ids))
        .order_by(Withdrawal.id)
    ):
        row = dict(w)
        row["source_label"] = WITHDRAWAL_LABELS.get(row["source"], row["source"])
        found[w["item"]].append(row)
    return found


async def _rostered(meeting_id: int) -> list[dict[str, Any]]:
    return [s for s in await services.sittings(meeting_id) if s["status"] in services.ON_ROSTER]


async def screen(meeting_id: int, actor: Actor | None = None) -> list[conflicts.Conflict]:
    """Run the conflicts rule over the rostered members and every item; withdraw whom it finds."""
    rostered = {s["member"] for s in await _rostered(meeting_id)}
    items = await services.items_of(meeting_id)
    everyone = await services.records()
    members = [everyone[m].member for m in rostered if m in everyone]
    interests = [i for i in await services.interests() if i.member_id in rostered]
    found = [c for c in conflicts.find(interests, items, members) if c.member_id in rostered]
    async with db.transaction():
        item_ids = [i.item_id for i in items]
        if item_ids:
            await Withdrawal.delete().where(
                Withdrawal.item.is_in(item_ids) & (Withdrawal.source == WithdrawalSource.SCREENING)
            )
        seen: set[tuple[int, int]] = set()
        for c in found:
            if (c.member_id, c.item_id) in seen:
                continue
            seen.add((c.member_id, c.item_id))
            await Withdrawal.insert(
                Withdrawal(
                    item=c.item_id,
                    member=c.member_id,
                    source=WithdrawalSource.SCREENING,
                    reason=c.reason,
                )
            )
    if actor is not None:
        await audit.record(
            actor,
            "screen",
            "agenda",
            meeting_id,
            summary=f"{len(seen)} withdrawals from {len(items)} items",
        )
    return found


async def declare(
    actor: Actor,
    item_id: int,
    data: dict[str, Any],
    settings: Settings,
    *,
    path: str = "",
) -> int:
    row = await item(item_id)
    meeting = await _meeting(row["meeting"])
    _require_live(meeting, "recording declarations")
    check = Checker()
    rostered = {str(s["member"]): s["name"] for s in await _rostered(row["meeting"])}
    member = check.choice("member", data.get("member"), "The member who declared", rostered)
    reason = check.text("reason", data.get("reason"), "What they declared", max_length=1000)
    check.raise_if_any()
    async with db.transaction():
        if await Withdrawal.exists().where(
            (Withdrawal.item == item_id)
            & (Withdrawal.member == int(member))
            & (Withdrawal.source == WithdrawalSource.DECLARED)
        ):
            raise Conflict(
                f"{rostered[member]} has already declared an interest in this item", "member"
            )
        rows = await Withdrawal.insert(
            Withdrawal(
                item=item_id,
                member=int(member),
                source=WithdrawalSource.DECLARED,
                reason=reason,
                recorded_by=_person_of(actor),
            )
        ).returning(Withdrawal.id)
        await audit.record(
            actor, "declare", "agenda_item", item_id, path=path, summary=reason,
            after={"member": int(member)},
        )  # fmt: skip
    await _after_change(row["meeting"], settings, actor)
    return int(rows[0]["id"])


# ---------------------------------------------------------------- the agenda page


async def agenda(meeting_id: int) -> dict[str, Any]:
    meeting = await _meeting(meeting_id)
    state = await _agenda_row(meeting_id)
    listed = await _listed(meeting_id)
    ids = [r["id"] for r in listed]
    papers = await _papers(ids)
    withdrawals = await _withdrawals(ids)
    types = {r["id"]: r for r in await item_types(active_only=False)}
    items = []
    missing: list[str] = []
    for number, r in enumerate(listed, start=1):
        row = dict(r)
        row["number"] = number
        row["title"] = _title(row)
        row["type"] = types[row["item_type"]]
        row["papers"] = papers.get(row["id"], [])
        row["checklist"] = _checklist(row["type"]["papers"], row["papers"])
        row["complete"] = all(c["present"] for c in row["checklist"])
        row["withdrawals"] = withdrawals.get(row["id"], [])
        row["slot"] = f"{_clock(row['starts_at'])}-{_clock(row['ends_at'])}"
        row["presenters_clock"] = _clock(row["presenters_at"])
        row["applicants_clock"] = _clock(row["applicants_at"])
        missing += [
            f"item {number} ({row['title']}): {c['title']}"
            for c in row["checklist"]
            if not c["present"]
        ]
        items.append(row)
    deferred = await AgendaItem.select(
        AgendaItem.id, AgendaItem.case_reference, AgendaItem.initials, AgendaItem.defer_reason
    ).where((AgendaItem.meeting == meeting_id) & (AgendaItem.status == ItemStatus.DEFERRED))
    today = clock.today()
    warnings = await placement.meeting_warnings(meeting_id, meeting["day"], items)
    holds: list[str] = []
    for hook in PUBLISH_HOLDS:
        for item_id, lines in (await hook(meeting_id)).items():
            warnings.setdefault(item_id, []).extend(lines)
            held = next((r for r in items if r["id"] == item_id), None)
            label = f"item {held['number']} ({held['title']})" if held else f"item {item_id}"
            holds += [f"{label}: {line}" for line in lines]
    for row in items:
        row["warnings"] = warnings.get(row["id"], [])
    return {
        "pack_failures": await pack_failures(meeting_id),
        "meeting": meeting,
        "state": state,
        "rows": items,
        "deferred": [dict(d) | {"title": _title(d)} for d in deferred],
        "missing": missing,
        "holds": holds,
        "free_slots": max(meeting["item_slots"] - len(items), 0),
        "published": state["published_at"] is not None,
        "past_deadline": today > meeting["paper_deadline"],
        "live": meeting["status"] in services.LIVE,
    }


# ---------------------------------------------------------------- packs


def _pack_key(meeting_id: int, filename: str) -> str:
    return f"packs/meeting-{meeting_id}/{filename}"


def _work_dir(settings: Settings) -> tempfile.TemporaryDirectory[str]:
    """A private scratch folder a build writes its packs into before they are stored."""
    _private_dir(settings.data_dir / "work")
    return tempfile.TemporaryDirectory(dir=settings.data_dir / "work", prefix="packs-")


def _cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "packs" / "cache"


async def _pack_meeting(
    meeting_id: int, settings: Settings
) -> tuple[documents.Meeting, dict[int, int]]:
    """The meeting as the document builder sees it, and each item id's number."""
    meeting = await _meeting(meeting_id)
    listed = await _listed(meeting_id)
    papers = await _papers([r["id"] for r in listed])
    heading = await agency_details.letterhead(settings)
    numbers = {}
    items = []
    for number, r in enumerate(listed, start=1):
        numbers[r["id"]] = number
        starts = r["starts_at"] or meeting["starts_at"]
        ends = r["ends_at"] or starts
        pack_papers = []
        for p in papers.get(r["id"], []):
            v = p["latest"]
            if v is None:
                continue
            pack_papers.append(
                documents.Paper(
                    name=p["title"],
                    kind=uploads.Kind(v["kind"]),
                    content=await members_copy(settings, v, title=p["title"], item_number=number),
                    version=v["number"],
                    changed=(v["changed"] or "changed") if (v["late"] or v["number"] > 1) else None,
                    full_pack_only=p["full_pack_only"],
                )
            )
        items.append(
            documents.Item(
                number=number,
                case_reference=r["case_reference"],
                initials=r["initials"],
                item_type=r["type_name"],
                starts=clock.london(starts),
                ends=clock.london(max(ends, starts)),
                papers=tuple(pack_papers),
            )
        )
    return (
        documents.Meeting(
            agency=heading.name if heading else "Adoption agency",
            title="Adoption panel",
            starts=clock.london(meeting["starts_at"]),
            venue=meeting["venue"] or ("Online" if meeting["online_link"] else ""),
            items=tuple(items),
            letterhead=heading,
        ),
        numbers,
    )


@dataclass(frozen=True, slots=True)
class Reader:
    person_id: int
    name: str
    full_pack: bool
    withdrawn_from: frozenset[int]  # agenda item ids


async def _readers(meeting_id: int) -> list[Reader]:
    meeting = await _meeting(meeting_id)
    rostered = await _rostered(meeting_id)
    ids = [r["id"] for r in await _listed(meeting_id)]
    withdrawn: dict[int, set[int]] = defaultdict(set)
    for item_id, rows in (await _withdrawals(ids)).items():
        for w in rows:
            withdrawn[w["member"]].add(item_id)
    people = {
        r["id"]: r["person"]
        for r in await PanelMember.select(PanelMember.id, PanelMember.person).where(
            PanelMember.id.is_in([s["member"] for s in rostered] or [-1])
        )
    }
    readers = []
    names: set[str] = set()
    for s in rostered:
        name = s["name"]
        while name.casefold() in names:  # two members of one name still get a pack each
            name += " (2)"
        names.add(name.casefold())
        readers.append(
            Reader(
                people[s["member"]],
                name,
                full_pack=meeting["chair"] == s["member"],
                withdrawn_from=frozenset(withdrawn[s["member"]]),
            )
        )
    return readers


def _member_of(reader: Reader, numbers: dict[int, int]) -> documents.Member:
    return documents.Member(
        reader.name,
        full_pack=reader.full_pack,
        withdrawn_from=frozenset(numbers[i] for i in reader.withdrawn_from if i in numbers),
    )


# What a build that cannot take a paper in raises (a paper the builder cannot read, or an old
# paper the safety pass refuses when first packed): named, recorded and told, never a 500.
BUILD_FAILURES = (documents.PaperFailed,)  # panel.safety.PaperUnsafe is one


@dataclass(frozen=True, slots=True)
class Built:
    report: documents.BuildReport | None
    failure: pack_runs.Failure | None = None


class PackFailed(Conflict):
    """No pack can be given: a paper cannot go in and there is no earlier good pack."""

    def __init__(self, message: str, failure: pack_runs.Failure) -> None:
        super().__init__(message)
        self.failure = failure


def _failure_of(error: documents.PaperFailed, change: int) -> pack_runs.Failure:
    return pack_runs.Failure(
        item_number=error.item_number,
        paper_title=error.paper_title,
        reason=error.reason,
        change=change,
        at=clock.now(),
    )


def _failure_words(failure: pack_runs.Failure) -> str:
    return (
        f"The paper \u201c{failure.paper_title}\u201d for item {failure.item_number} could not"
        f" go into the packs: {failure.reason}."
    )


async def build_packs(
    meeting_id: int, settings: Settings, *, kind: PaperKind = PaperKind.DOCX
) -> documents.BuildReport | None:
    """Build every rostered member's pack of one kind now, reusing parts a change did not touch.
    Claimed first: a build of the same packs already running is waited for, never run beside."""
    return (await _claimed_build(meeting_id, settings, kind, force=True)).report


async def _is_current(
    meeting_id: int, settings: Settings, kind: PaperKind, asked: int, person_id: int | None
) -> Built | None:
    """What the last build says, if it took in the change asked for (or failed on it)."""
    run = await pack_runs.run_of(meeting_id, kind)
    if run is None:
        return None
    if run.failure is not None and run.failure.change >= asked:
        return Built(None, run.failure)
    if run.built_change < asked:
        return None
    if person_id is not None:
        build = await _pack_build(meeting_id, person_id, kind)
        if build is None or not await storage_for(settings).exists(str(build["path"])):
            return None  # joined the roster since, or the file went (a restore): build again
    return Built(None)


async def _claimed_build(
    meeting_id: int,
    settings: Settings,
    kind: PaperKind,
    *,
    force: bool,
    person_id: int | None = None,
) -> Built:
    """Build the packs unless they are current (force: build anyway, unless a build that ran
    while this one waited took the change in). One build at a time across every process; the
    others wait up to pack_runs.WAIT_SECONDS, then Preparing."""
    if kind is PaperKind.PDF and not pdf.libreoffice_available():
        return Built(None)
    deadline = pack_runs.deadline()
    asked = (await _agenda_row(meeting_id))["pack_changes"]
    waited = False
    while True:
        if waited or not force:
            current = await _is_current(meeting_id, settings, kind, asked, person_id)
            if current is not None:
                return current
        token = await pack_runs.claim(meeting_id, kind)
        if token is not None:
            async with pack_runs.held(meeting_id, kind, token):
                return await _build(meeting_id, settings, kind)
        if not await pack_runs.wait_for_other(meeting_id, kind, deadline):
            raise pack_runs.Preparing(kind)
        waited = True


async def _build(meeting_id: int, settings: Settings, kind: PaperKind) -> Built:
    # The change is read before the papers, so a build never claims a change it did not see.
    change = (await _agenda_row(meeting_id))["pack_changes"]
    await pack_runs.started(meeting_id, kind)
    try:
        report = await _write_packs(meeting_id, settings, kind)
    except BUILD_FAILURES as error:
        failure = _failure_of(error, change)
        # Every member keeps their last good pack (rows and files): nothing is deleted.
        await pack_runs.failed(meeting_id, kind, change, failure)
        await _tell_advisers_of_failure(meeting_id, failure, settings)
        return Built(None, failure)
    await pack_runs.succeeded(meeting_id, kind, change)
    return Built(report)


async def _tell_advisers_of_failure(
    meeting_id: int, failure: pack_runs.Failure, settings: Settings
) -> None:
    meeting = await _meeting(meeting_id)
    day = long_date(meeting["day"])
    # One e-mail per failing paper, whichever kind of pack or later change met it again.
    episode = f"{meeting_id}:{failure.item_number}:{failure.paper_title}:{failure.reason}"
    digest = hashlib.sha256(episode.encode()).hexdigest()[:24]
    advisers = await gov_services.holders_of(Role.PANEL_ADVISER)
    for address in sorted({r["email"] for r in advisers if r["email"]}):
        await mail.queue(
            f"pack-failed:{digest}:{address}",
            address,
            f"Adoption panel on {day}: a paper for item {failure.item_number} stops the packs",
            f"{_failure_words(failure)}\n\n"
            f"Upload a new version of \u201c{failure.paper_title}\u201d for item"
            f" {failure.item_number}. Until then members keep their last pack, which does not"
            f" include the latest change, and they are not told of a rebuild.\n\n"
            f"The agenda: {settings.base_url}/panel/meetings/{meeting_id}/agenda\n",
        )


async def pack_failures(meeting_id: int) -> list[dict[str, Any]]:
    """The packs' failures on the agenda as it stands, one per failing paper (the Word and PDF
    packs fail on the same). One from before the latest change is left to the next build."""
    changes = (await _agenda_row(meeting_id))["pack_changes"]
    found: dict[tuple[int, str], dict[str, Any]] = {}
    for kind, run in sorted((await pack_runs.runs_of(meeting_id)).items()):
        if run.failure is not None and run.failure.change >= changes:
            key = (run.failure.item_number, run.failure.paper_title)
            entry = found.setdefault(
                key,
                {
                    "item_number": run.failure.item_number,
                    "paper_title": run.failure.paper_title,
                    "reason": run.failure.reason,
                    "words": _failure_words(run.failure),
                    "kinds": [],
                },
            )
            entry["kinds"].append(kind.value)
    return list(found.values())


def _build_ahead(meeting_id: int, settings: Settings) -> None:
    """The PDF packs are built in the background, so the request does not wait for LibreOffice
    and a member's download is a file read."""
    if settings.pack_build_ahead and pdf.libreoffice_available():
        pack_runs.in_background(_build_pdf_ahead(meeting_id, settings))


async def _build_pdf_ahead(meeting_id: int, settings: Settings) -> None:
    # Preparing: another process builds them (its claim holds); the download waits for it.
    with contextlib.suppress(pack_runs.Preparing):
        await _claimed_build(meeting_id, settings, PaperKind.PDF, force=False)


wait_for_builds = pack_runs.wait_for_builds


async def _write_packs(
    meeting_id: int, settings: Settings, kind: PaperKind
) -> documents.BuildReport | None:
    built_at = clock.now()
    shape, numbers = await _pack_meeting(meeting_id, settings)
    readers = await _readers(meeting_id)
    if not readers:
        return None
    _private_dir(_cache_dir(settings))
    members = [_member_of(r, numbers) for r in readers]
    builder = documents.build_pdf_packs if kind is PaperKind.PDF else documents.build_docx_packs
    store = storage_for(settings)
    built: dict[str, tuple[str, bytes, int | None]] = {}
    with _work_dir(settings) as work:
        report = await asyncio.to_thread(builder, shape, members, Path(work), _cache_dir(settings))
        for pack in report.packs:
            data = await asyncio.to_thread(pack.path.read_bytes)
            key = _pack_key(meeting_id, pack.path.name)
            await store.put(key, data)
            built[pack.member] = (key, data, pack.pages)
    async with db.transaction():
        if db.is_postgres():
            # Builds of one meeting take turns (SQLite's immediate transaction already does), so
            # a later build replaces an earlier one's rows instead of clashing on the index.
            await Agenda.raw(
                'SELECT "id" FROM "agenda" WHERE "meeting" = {} FOR UPDATE', meeting_id
            )
        await PackBuild.delete().where(
            (PackBuild.meeting == meeting_id)
            & (PackBuild.kind == kind)
            & PackBuild.person.is_in([r.person_id for r in readers])
        )
        for reader in readers:
            key, data, pages = built[reader.name]
            await PackBuild.insert(
                PackBuild(
                    meeting=meeting_id,
                    person=reader.person_id,
                    kind=kind,
                    path=key,  # the pack's key in storage
                    sha256=hashlib.sha256(data).hexdigest(),
                    pages=pages,
                    withheld=",".join(str(i) for i in sorted(reader.withdrawn_from)),
                    built_at=built_at,
                )
            )
        if kind is PaperKind.DOCX:
            await Agenda.update({Agenda.packs_built_at: built_at}).where(
                Agenda.meeting == meeting_id
            )
    return report


async def full_pack(
    meeting_id: int, person_id: int, name: str, kind: PaperKind, settings: Settings
) -> tuple[str, bytes]:
    """An adviser's or administrator's full pack, built for them on request: its file name and
    content (it is not kept)."""
    _private_dir(_cache_dir(settings))
    member = documents.Member(name, full_pack=True)
    builder = documents.build_pdf_packs if kind is PaperKind.PDF else documents.build_docx_packs
    with _work_dir(settings) as work:
        try:
            shape, _numbers = await _pack_meeting(meeting_id, settings)
            report = await asyncio.to_thread(
                builder, shape, [member], Path(work), _cache_dir(settings)
            )
        except BUILD_FAILURES as error:
            failure = _failure_of(error, 0)
            raise PackFailed(
                f"{_failure_words(failure)} Upload a new version of \u201c"
                f"{failure.paper_title}\u201d for item {failure.item_number}, then try again.",
                failure,
            ) from None
        path = report.packs[0].path
        return path.name, await asyncio.to_thread(path.read_bytes)


async def _after_change(meeting_id: int, settings: Settings, actor: Actor | None) -> bool:
    """Once the papers are out, every change is screened again and the packs rebuilt: the Word
    packs now, the PDF packs in the background. True when the Word packs took the change in."""
    state = await _agenda_row(meeting_id)
    if state["published_at"] is None:
        return False
    await screen(meeting_id, actor)
    await Agenda.update({Agenda.pack_changes: Agenda.pack_changes + 1}).where(
        Agenda.meeting == meeting_id
    )
    try:
        built = await _claimed_build(meeting_id, settings, PaperKind.DOCX, force=True)
    except pack_runs.Preparing:
        # Another process's Word build is still running: the next download builds this change.
        _build_ahead(meeting_id, settings)
        return False
    _build_ahead(meeting_id, settings)
    if built.failure is not None:
        return False
    await _tell_members_papers_are_ready(meeting_id, settings)  # if held back at publication
    return True


async def _tell_members_of_change(meeting_id: int, version_id: int, settings: Settings) -> None:
    meeting = await _meeting(meeting_id)
    for s in await _rostered(meeting_id):
        await mail.queue(
            f"paper-changed:{version_id}:{s['member']}",
            s["email"],
            f"Adoption panel on {long_date(meeting['day'])}: a paper has changed",
            f"Dear {s['name']},\n\n"
            f"A paper for the adoption panel on {long_date(meeting['day'])} has been added or"
            " updated, and your pack has been rebuilt. Changed papers are marked in the pack.\n\n"
            f"Read the agenda and download your pack at {settings.base_url}/panel/my/packs/"
            f"{meeting_id}\n",
        )


# ---------------------------------------------------------------- publication


async def access_closes_on(meeting: dict[str, Any]) -> date:
    policy = await services.policy_on(meeting["day"])
    cal = await services._calendar(meeting["day"], meeting["day"] + timedelta(days=120))
    return add_working_days(meeting["day"], policy.numbers.pack_access_working_days, cal)


async def publish(
    actor: Actor,
    meeting_id: int,
    version: int,
    data: dict[str, Any],
    settings: Settings,
    *,
    path: str = "",
) -> dict[str, Any]:
    view = await agenda(meeting_id)
    meeting = view["meeting"]
    _require_live(meeting, "publishing the agenda")
    if view["published"]:
        raise Conflict("The agenda is already published: later papers go out as changes")
    if view["state"]["version"] != version:
        raise Conflict(STALE_EDIT)
    if not view["rows"]:
        raise Invalid({"publish": "Add at least one item before publishing the agenda"})
    check = Checker()
    reason = check.text(
        "missing_reason", data.get("missing_reason"), "Why papers are missing",
        max_length=1000, required=False,
    )  # fmt: skip
    if view["missing"] and not reason:
        check.fail(
            "missing_reason",
            f"{len(view['missing'])} papers are missing: upload them, or record why the agenda"
            " goes out without them",
        )
    held = check.text(
        "comments_open_reason", data.get("comments_open_reason"),
        "Why the agenda goes out while applicants may still comment on their report",
        max_length=1000, required=False,
    )  # fmt: skip
    if view["holds"] and not held:
        check.fail(
            "comments_open_reason",
            "Applicants may still comment on their report: wait until their window closes, or "
            "record why the agenda goes out before it does",
        )
    check.raise_if_any()
    if not await _rostered(meeting_id):
        raise Conflict("Nobody is on the roster yet: invite members before publishing")
    today = clock.today()
    late = today > meeting["paper_deadline"]
    closes = await access_closes_on(meeting)
    await screen(meeting_id, actor)
    now = clock.now()
    async with db.transaction():
        done = (
            await Agenda.update(
                {
                    Agenda.published_at: now,
                    Agenda.published_by: _person_of(actor),
                    Agenda.paper_deadline: meeting["paper_deadline"],
                    Agenda.published_late: late,
                    Agenda.missing_papers: "\n".join(view["missing"]),
                    Agenda.missing_reason: reason,
                    Agenda.comments_open: "\n".join(view["holds"]),
                    Agenda.comments_open_reason: held if view["holds"] else "",
                    Agenda.access_closes_on: closes,
                    Agenda.version: version + 1,
                }
            )
            .where(
                (Agenda.meeting == meeting_id)
                & (Agenda.version == version)
                & Agenda.published_at.is_null()
            )
            .returning(Agenda.id)
        )
        if not done:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            "publish",
            "agenda",
            meeting_id,
            path=path,
            summary=("late: after the paper deadline " if late else "")
            + (f"missing papers: {reason}" if view["missing"] else "")
            + (
                f" published while applicants may still comment ({len(view['holds'])}): {held}"
                if view["holds"]
                else ""
            ),
            after={"items": len(view["rows"]), "access_closes_on": closes},
        )
    built = await _claimed_build(meeting_id, settings, PaperKind.DOCX, force=True)
    _build_ahead(meeting_id, settings)
    if built.failure is None:
        # A paper that cannot go in holds the e-mail back: members are told once the packs are
        # built (the adviser's next version of the paper), never of papers they cannot open.
        await _tell_members_papers_are_ready(meeting_id, settings)
    return {"late": late, "access_closes_on": closes}


async def _tell_members_papers_are_ready(meeting_id: int, settings: Settings) -> None:
    """Each rostered member once (the dedupe key): the papers are out, and until when."""
    meeting = await _meeting(meeting_id)
    closes = await access_closes_on(meeting)
    for s in await _rostered(meeting_id):
        await mail.queue(
            f"papers-ready:{meeting_id}:{s['member']}",
            s["email"],
            f"Adoption panel on {long_date(meeting['day'])}: papers are ready",
            f"Dear {s['name']},\n\n"
            f"The papers for the adoption panel on {long_date(meeting['day'])} are ready.\n\n"
            f"Read the agenda and download your pack at {settings.base_url}/panel/my/packs/"
            f"{meeting_id}\n\nYour pack is prepared for you alone: please do not copy or forward"
            f" it. It can be opened until {long_date(closes)}.\n",
        )


# ---------------------------------------------------------------- members' access


@dataclass(frozen=True, slots=True)
class Access:
    allowed: bool
    reason: str = ""


async def member_access(meeting_id: int, person_id: int) -> Access:
    meeting = await _meeting(meeting_id)  # NotFound for a meeting that is not there
    sitting = (
        await Sitting.select(Sitting.status)
        .where((Sitting.meeting == meeting_id) & (Sitting.member.person == person_id))
        .first()
    )
    if sitting is None or sitting["status"] not in services.ON_ROSTER:
        return Access(False, "not on the roster of this panel")
    if meeting["status"] == MeetingStatus.CANCELLED:
        return Access(False, "the panel was cancelled")
    state = await _agenda_row(meeting_id)
    if state["published_at"] is None:
        return Access(False, "the papers have not been published yet")
    if state["access_closes_on"] is not None and clock.today() > state["access_closes_on"]:
        return Access(False, f"access closed on {long_date(state['access_closes_on'])}")
    return Access(True)


async def member_view(meeting_id: int, person_id: int) -> dict[str, Any]:
    """The agenda as one member may read it: withheld items show no case details at all."""
    view = await agenda(meeting_id)
    member = await PanelMember.select(PanelMember.id).where(PanelMember.person == person_id).first()
    member_id = member["id"] if member else None
    items = []
    for row in view["rows"]:
        withheld = any(w["member"] == member_id for w in row["withdrawals"])
        chair = view["meeting"]["chair"] == member_id
        items.append(
            {
                "number": row["number"],
                "slot": row["slot"],
                "withheld": withheld,
                "title": "" if withheld else row["title"],
                "type_name": "" if withheld else row["type"]["name"],
                "papers": [] if withheld else [
                    p for p in row["papers"]
                    if p["latest"] is not None and (chair or not p["full_pack_only"])
                ],
            }
        )  # fmt: skip
    builds = {
        b["kind"]: dict(b)
        for b in await PackBuild.select().where(
            (PackBuild.meeting == meeting_id) & (PackBuild.person == person_id)
        )
    }
    return {
        "meeting": view["meeting"],
        "state": view["state"],
        "rows": items,
        "builds": builds,
        "stale_notices": _stale_notices(view["pack_failures"]),
        "pdf_available": pdf.libreoffice_available(),
    }


async def _pack_build(meeting_id: int, person_id: int, kind: PaperKind) -> dict[str, Any] | None:
    build: dict[str, Any] | None = (
        await PackBuild.select()
        .where(
            (PackBuild.meeting == meeting_id)
            & (PackBuild.person == person_id)
            & (PackBuild.kind == kind)
        )
        .first()
    )
    return build


async def _stored_pack(settings: Settings, build: dict[str, Any]) -> tuple[str, bytes] | None:
    """The built pack's file name and content; None if its file is not in storage (built before
    packs were kept there, or gone), so that it is built again."""
    key = str(build["path"])
    try:
        data = await storage_for(settings).get(key)
    except Missing:
        return None
    return key.rsplit("/", 1)[-1], data


def _stale_notices(failures: list[dict[str, Any]]) -> list[str]:
    # A member is told which item their pack is behind on, never the paper's title or the fault.
    numbers = sorted({f["item_number"] for f in failures})
    return [
        f"Your pack does not include the latest change to item {number}. The panel adviser is"
        " putting it right: you will be e-mailed when your pack has been rebuilt."
        for number in numbers
    ]


async def member_pack(
    meeting_id: int, person_id: int, kind: PaperKind, settings: Settings
) -> tuple[str, bytes]:
    """The member's pack, built first if a change is not in it yet (once, however many ask at
    once: pack_runs.Preparing if someone else's build outlasts the wait). When a paper cannot
    go in, their last good pack (the page says what it lacks), or PackFailed if there is none."""
    built = await _claimed_build(meeting_id, settings, kind, force=False, person_id=person_id)
    build = await _pack_build(meeting_id, person_id, kind)
    pack = await _stored_pack(settings, build) if build is not None else None
    if pack is not None:
        return pack
    if built.failure is not None:
        raise PackFailed(
            f"Your pack could not be built: a paper for item {built.failure.item_number} could"
            " not go in. The panel adviser has been told; you will be e-mailed when it is ready.",
            built.failure,
        )
    raise NotFound("No pack has been built for you")


async def record_open(meeting_id: int, person_id: int, what: str) -> None:
    await PackOpen.insert(PackOpen(meeting=meeting_id, person=person_id, what=what))


async def opens(meeting_id: int) -> list[dict[str, Any]]:
    """Who on the roster has opened the papers, and when first and last."""
    seen: dict[int, dict[str, Any]] = {}
    for row in (
        await PackOpen.select(*PackOpen.all_columns(), PackOpen.person.name.as_alias("name"))
        .where(PackOpen.meeting == meeting_id)
        .order_by(PackOpen.opened_at)
    ):
        entry = seen.setdefault(
            row["person"],
            {"first": row["opened_at"], "last": row["opened_at"], "what": set(), "count": 0},
        )
        entry["last"] = row["opened_at"]
        entry["what"].add(row["what"])
        entry["count"] += 1
    result = []
    for s in await _rostered(meeting_id):
        owner = (
            await PanelMember.select(PanelMember.person)
            .where(PanelMember.id == s["member"])
            .first()
        )
        found = seen.get(owner["person"] if owner else -1)
        result.append(
            {
                "name": s["name"],
                "opened": found is not None,
                "first": clock.london(found["first"]) if found else None,
                "last": clock.london(found["last"]) if found else None,
                "what": ", ".join(sorted(found["what"])) if found else "",
                "count": found["count"] if found else 0,
            }
        )
    return result


async def my_packs(person_id: int) -> list[dict[str, Any]]:
    rows = []
    for s in await services.my_sittings(person_id):
        if s["status"] not in services.ON_ROSTER:
            continue
        state = await Agenda.select().where(Agenda.meeting == s["meeting"]).first()
        if state is None or state["published_at"] is None:
            continue
        closes = state["access_closes_on"]
        rows.append(
            {
                "meeting": s["meeting"],
                "starts_at": s["starts_at"],
                "venue": s["venue"],
                "open": closes is None or clock.today() <= closes,
                "closes": closes,
            }
        )
    return rows
