"""The demo agency's central list of 24 and a year of fortnightly panels, the first few rostered:
the same fictional people in every shape of the demo, at the shape's own venue."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from governance import audit, clock, shapes
from governance.audit import SYSTEM
from governance.settings import Settings
from governance.shapes import Shape
from governance.tables import OutboxMessage, Partner
from panel import agenda, samples, services
from panel.tables import ItemType, MeetingStatus, TrainingRecord

# (name, seats, pqe, independent, experience, gender, age band, ethnicity, languages)
LIST: list[tuple[str, str, int, bool, str, str, str, str, str]] = [
    ("Margaret Ellison", "chair", 0, True, "", "female", "60-69", "white_british", ""),
    ("Desmond Clarke", "chair", 0, True, "adopter", "male", "60-69", "black_caribbean", ""),
    ("Farah Qureshi", "chair", 0, True, "", "female", "50-59", "asian_pakistani", "Urdu"),
    # A vice chair from the agency's own staff: AAR reg 4(1) asks independence of the chair only.
    ("Jonathan Reeve", "vice_chair", 0, False, "", "male", "50-59", "white_british", ""),
    ("Alison Tran", "vice_chair", 0, True, "adopted_adult", "female", "40-49", "asian_other", ""),
    ("Rachel Okoro", "social_worker", 12, False, "", "female", "40-49", "black_african", ""),
    ("Daniel Hughes", "social_worker", 8, False, "", "male", "40-49", "white_british", ""),
    ("Katarzyna Nowak", "social_worker", 5, False, "", "female", "30-39", "white_other", "Polish"),
    ("Imran Sheikh", "social_worker", 4, False, "", "male", "30-39", "asian_indian", "Punjabi"),
    ("Louise Bennett", "social_worker", 2, False, "", "female", "18-29", "white_british", ""),
    ("Peter Walsh", "social_worker", 20, False, "", "male", "60-69", "white_irish", ""),
    ("Dr Helena Brooks", "medical_adviser", 0, True, "", "female", "50-59", "white_british", ""),
    ("Grace Adeyemi", "independent", 0, True, "adopter", "female", "40-49", "black_african",
     "Yoruba"),
    ("Tom Fletcher", "independent", 0, True, "adopter", "male", "30-39", "white_british", ""),
    ("Priya Shah", "independent", 0, True, "adopter", "female", "30-39", "asian_indian", ""),
    ("Owen Price", "independent", 0, True, "adopter", "male", "50-59", "white_british", "BSL"),
    ("Chloe Martin", "independent", 0, True, "adopted_adult", "female", "18-29",
     "mixed_white_black_caribbean", ""),
    ("Sandra Lewis", "independent", 0, True, "birth_relative", "female", "50-59",
     "white_british", ""),
    ("Michael Adams", "independent", 0, True, "foster_carer", "male", "60-69", "white_british",
     ""),
    ("Yasmin Haddad", "specialist", 0, True, "", "female", "40-49", "other_arab", "Arabic"),
    ("Robert King", "specialist", 0, True, "", "male", "70+", "white_british", ""),
    ("Naomi Fischer", "independent", 0, True, "", "female", "30-39", "white_other", "German"),
    ("Kwame Mensah", "independent", 0, True, "", "male", "40-49", "black_african", ""),
    ("Ellen Doyle", "independent", 0, True, "", "non_binary", "18-29", "white_irish", ""),
]  # fmt: skip


def _email(name: str) -> str:
    if name == "Grace Adeyemi":
        return "member@demo.example"  # her account already exists: she sees her own sittings
    plain = name.removeprefix("Dr ").lower().replace(" ", ".")
    return f"{plain}@panel.demo.example"


async def load(shape: Shape | None = None) -> None:
    shape = shape or await shapes.loaded()
    today = clock.today()

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    # The adviser reviewed the quorum and eligibility policy at go-live and kept the defaults.
    adviser = audit.SystemActor(name="Priya Raman")
    await services.save_policy(
        adviser,
        {
            **{k: str(v) for k, v in asdict(services.DEFAULT_POLICY.numbers).items()},
            "effective_from": ago(500),
            "note": "Reviewed at go-live with the panel chair: the defaults kept",
        },
    )
    ids: dict[str, int] = {}
    for number, (
        name,
        seats,
        pqe,
        independent,
        experience,
        gender,
        age,
        ethnicity,
        languages,
    ) in enumerate(LIST):
        data: dict[str, Any] = {
            "name": name,
            "email": _email(name),
            "phone": shape.phone.format(n=number),
            "seats": seats,
            "pqe_years": str(pqe),
            "independent": "yes" if independent else "",
            "experience": experience,
            "gender": gender,
            "age_band": age,
            "ethnicity": ethnicity,
            "languages": languages,
            "joined_on": ago(400 + 37 * number),
            "dbs_checked_on": ago(90 + 23 * number),
            "induction_on": ago(380 + 37 * number),
            "equality_and_diversity_on": ago(20 + 9 * number),
            "safeguarding_on": ago(30 + 7 * number),
            "reviewed_on": ago(40 + 8 * number),
        }
        ids[name] = await services.create_member(SYSTEM, data)
    # A realistic mix of evidence running out: two DBS checks expired, one due within weeks;
    # safeguarding lapsed; a review due soon; a new member still to do induction; one leaving.
    await _evidence(ids["Peter Walsh"], dbs_checked_on=ago(3 * 365 + 40))
    await _evidence(ids["Robert King"], dbs_checked_on=ago(3 * 365 + 5))
    await _evidence(ids["Owen Price"], dbs_checked_on=ago(3 * 365 - 25))
    await _evidence(ids["Kwame Mensah"], safeguarding_on=ago(400))
    await _evidence(ids["Naomi Fischer"], reviewed_on=ago(330))
    await _evidence(ids["Ellen Doyle"], joined_on=ago(20), induction_on="")
    await services.add_interest(
        SYSTEM,
        ids["Sandra Lewis"],
        {"interest_name": "Oakfield Primary School", "relationship": "school governor"},
    )
    await services.add_interest(
        SYSTEM, ids["Grace Adeyemi"], {"interest_name": "Jane Smith", "relationship": "neighbour"}
    )
    member = await services.member(ids["Louise Bennett"])
    await services.give_notice(
        SYSTEM,
        ids["Louise Bennett"],
        member["version"],
        {"by": "member", "notice_given_on": ago(5), "leaving_reason": "Moving to Leeds"},
    )
    first = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    series = await services.schedule_series(
        SYSTEM,
        {
            "pattern": "every other Thursday, 10:00-13:00",
            "from_day": first.isoformat(),
            "to_day": (first + timedelta(days=364)).isoformat(),
            "venue": shape.venue,
            "item_slots": "4",
        },
    )
    rostered = list(series.meeting_ids[:4])
    found = await services.suggest(rostered, time_limit=5.0)
    plan: dict[int, tuple[list[int], int | None]] = {
        p.meeting_id: (list(p.members), p.chair) for p in found.roster.panels
    }
    grace = ids["Grace Adeyemi"]
    if plan and not any(grace in members for members, _ in plan.values()):
        members, chair = plan[rostered[0]]
        adopters = [ids[n] for n in ("Tom Fletcher", "Priya Shah", "Owen Price")]
        swap = next((m for m in members if m in adopters), members[-1])
        plan[rostered[0]] = ([grace if m == swap else m for m in members], chair)
    if plan:
        await services.accept_roster(SYSTEM, plan)
    for meeting_id in rostered[:2]:
        row = await services.meeting(meeting_id)
        await services.set_status(SYSTEM, meeting_id, row["version"], MeetingStatus.CONFIRMED)
    await _agendas(shape, series.meeting_ids[:3], ids["Grace Adeyemi"])
    # The demo's addresses are fictional: nothing queued for them is ever to be sent.
    await OutboxMessage.update({OutboxMessage.sent_at: clock.now()}).where(
        OutboxMessage.sent_at.is_null()
    )
    await audit.record(SYSTEM, "create", "panel_demo", "", summary="demo central list and panels")


async def _evidence(member_id: int, **changes: str) -> None:
    row = await services.member(member_id)
    data = {k: v for k, v in row.items() if k in services.MEMBER_COLUMNS or k in _FORM_KEYS}
    data.update(
        {
            "name": row["name"],
            "email": row["email"],
            "phone": row["phone"],
            "seats": row["seat_list"],
            "experience": row["experience_list"],
        }
    )
    # Training is a history: an older date is kept as a record, so clear the newer one first.
    for key, course in (
        ("safeguarding_on", "safeguarding"),
        ("induction_on", "induction"),
    ):
        if key in changes:
            await TrainingRecord.delete().where(
                (TrainingRecord.member == member_id) & (TrainingRecord.course == course)
            )
            data[key] = None
    data.update(changes)
    data = {k: _text(v) for k, v in data.items()}
    await services.update_member(SYSTEM, member_id, row["version"], data)


def _text(value: Any) -> Any:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


_FORM_KEYS = ("induction_on", "equality_and_diversity_on", "safeguarding_on")


# (meeting index, type code, reference number, initials, child's authority, assessing agency,
# parties): the authorities are slots of Shape.partner (C&P: even Cambridgeshire, odd
# Peterborough), the reference is the agency's short name, the year and the number.
ITEMS: list[tuple[int, str, str, str, int | None, int | None, dict[str, str]]] = [
    (0, "approval", "031", "J.S.", None, 0,
     {"applicants": "Jane Smith\nMark Smith", "social_workers": "Hannah Cole"}),
    (0, "match", "032", "L.P.", 5, 2,
     {"children": "Lily Parker", "applicants": "Sam Ahmed\nRuth Ahmed",
      "foster_carers": "Brenda Lowe"}),
    (0, "should_be_placed", "033", "R.T.", 4, None,
     {"children": "Reece Thompson", "birth_relatives": "Kelly Thompson"}),
    (0, "disruption", "034", "", None, None, {}),
    (1, "brief_par", "041", "D.W.", None, 1, {"applicants": "Daniel Wood"}),
    (1, "review", "042", "A.N.", None, 0, {"applicants": "Amira Nasser"}),
    (1, "foster_to_adopt", "043", "C.O.", None, 2,
     {"applicants": "Chris Osei\nTara Osei"}),
    (1, "irm_outcome", "044", "", None, None, {}),
    (2, "information", "051", "", None, None, {}),
]  # fmt: skip


def reference(shape: Shape, number: str) -> str:
    """A demo item's case reference, like CPA/2026/031."""
    return f"{shape.short_name}/2026/{number}"


async def _agendas(shape: Shape, meeting_ids: list[int] | tuple[int, ...], grace: int) -> None:
    """Items of every type on the next panels, with papers; the first published, one paper late.

    Grace Adeyemi (member@demo.example) knows Jane Smith, so the first item is withheld from her.
    """
    settings = Settings.from_env()
    types = {r["code"]: r for r in await agenda.item_types()}
    partners = {r["code"]: r["id"] for r in await Partner.select(Partner.code, Partner.id)}
    seed = 0
    for index, code, serial, initials, child, assessing, parties in ITEMS:
        case = reference(shape, serial)
        if index >= len(meeting_ids):
            continue
        meeting_id = meeting_ids[index]
        data = {
            "item_type": str(types[code]["id"]),
            "case_reference": case,
            "initials": initials,
            "child_partner": _slot(shape, partners, child),
            "assessing_partner": agenda.AGENCY_ASSESSED
            if shape.assesses_adopters and assessing is not None and code == "approval"
            else _slot(shape, partners, assessing),
            "social_worker": "Hannah Cole" if index == 0 else "Marcus Reid",
            "manager": "Joanne Pike",
            "applicants_attend": "yes" if code in ("approval", "brief_par") else "",
            **parties,
        }
        item_id = await agenda.add_item(SYSTEM, meeting_id, data, settings)
        for number, title in enumerate(types[code]["papers"]):
            seed += 1
            if number % 2:
                name = f"{case.replace('/', '-')} {title}.pdf"
                # One case system's export carries a print script: the demo shows it removed.
                content = samples.pdf_paper(
                    title, pages=3 + seed % 4, seed=seed, print_script=index == 0 and number == 1
                )
            else:
                name = f"{case.replace('/', '-')} {title}.docx"
                content = samples.word_paper(title, sections=6 + seed % 10, seed=seed)
            await agenda.upload_paper(
                SYSTEM, item_id, {"required_as": title}, name, content, settings
            )
    first = meeting_ids[0]
    on_roster = {r["member"] for r in await services.sittings(first)}
    if grace not in on_roster:
        await services.invite(SYSTEM, first, grace)
    state = await agenda.agenda(first)
    await agenda.publish(SYSTEM, first, state["state"]["version"], {}, settings)
    match = next(r for r in state["rows"] if r["type"]["code"] == "match")
    await agenda.upload_paper(
        SYSTEM,
        match["id"],
        {"required_as": "Adoption support plan", "changed": "Contact plan agreed at the review"},
        f"{reference(shape, '032').replace('/', '-')} Adoption support plan v2.docx",
        samples.word_paper("Adoption support plan (revised)", sections=7, seed=99),
        settings,
    )
    assert await ItemType.count() >= len(agenda.DEFAULT_TYPES)


def _slot(shape: Shape, partners: dict[str, int], slot: int | None) -> str:
    return "" if slot is None else str(partners[shape.partner(slot).code])
