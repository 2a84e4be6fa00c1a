from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx

from governance import audit, clock
from governance.roles import Role
from governance.settings import Settings
from governance.tables import Agency, AuditEntry, OutboxMessage
from panel import agenda, services
from panel.samples import pdf_paper, word_paper
from panel.tables import (
    AgendaItem,
    ItemType,
    Meeting,
    MeetingStatus,
    PackBuild,
    Paper,
    PaperVersion,
    Withdrawal,
)
from tests.conftest import make_account, sign_in_client
from tests.panel.support import MEETING_DAY, central_list, email_of
from tests.panel.test_uploads import macro_enabled_document, pdf_document, rezipped

FORM = {"starts": "10:00", "ends": "13:00", "venue": "Committee Room 2", "item_slots": "6"}
ROSTER = ("Clara", "Sally", "Ada", "Ben", "Mina")


async def _meeting(day: date = MEETING_DAY, **extra: str) -> int:
    return await services.schedule_meeting(audit.SYSTEM, FORM | {"day": day.isoformat()} | extra)


async def _rostered_meeting() -> tuple[int, dict[str, int]]:
    ids = await central_list()
    meeting_id = await _meeting()
    for first in ROSTER:
        await services.invite(audit.SYSTEM, meeting_id, ids[first])
    await Meeting.update({Meeting.chair: ids["Clara"]}).where(Meeting.id == meeting_id)
    # Ada knows the Hendersons: she must get no papers for their item.
    await services.add_interest(
        audit.SYSTEM, ids["Ada"], {"interest_name": "Joan Henderson", "relationship": "neighbour"}
    )
    return meeting_id, ids


async def _type_id(code: str) -> int:
    await agenda.ensure_item_types()
    row = await ItemType.select(ItemType.id).where(ItemType.code == code).first()
    assert row is not None
    return int(row["id"])


async def _add(client, meeting_id: int, code: str, reference: str, **extra: str) -> int:
    response = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/items",
        data={"item_type": str(await _type_id(code)), "case_reference": reference,
              "initials": "A.B."} | extra,
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    return int(response.headers["location"].split("saved=")[1])


async def _upload(client, item_id: int, name: str, data: bytes, **fields: str) -> Any:
    return await client.post(
        f"/panel/items/{item_id}/papers",
        files={"file": (name, data, "application/octet-stream")},
        data=fields,
        follow_redirects=False,
    )


async def _supply_all(client, item_id: int) -> None:
    row = await agenda.item(item_id)
    for number, title in enumerate(row["type"]["papers"]):
        if number % 2:
            name, data = f"{title}.pdf", pdf_paper(title, pages=2)
        else:
            name, data = f"{title}.docx", word_paper(title, sections=1, seed=number)
        sent = await _upload(client, item_id, name, data, required_as=title)
        assert sent.status_code == 303, sent.text


def _body(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


async def _as_member(client, name: str) -> Any:
    person = await make_account(Role.PANEL_MEMBER, name=name, email=email_of(name))
    client.cookies.clear()
    await sign_in_client(client, person)
    return person


async def _five_items(client, meeting_id: int, agency: dict[str, int]) -> list[int]:
    ccc, pcc = str(agency["CCC"]), str(agency["PCC"])
    return [
        await _add(client, meeting_id, "approval", "CPA/2026/101", assessing_partner=ccc,
                   applicants="Joan Henderson\nPaul Henderson", social_worker="Nadia Ross"),
        await _add(client, meeting_id, "match", "CPA/2026/102", initials="T.K.",
                   child_partner=pcc, children="Tyler King", assessing_partner=ccc),
        await _add(client, meeting_id, "should_be_placed", "CPA/2026/103", child_partner=ccc),
        await _add(client, meeting_id, "review", "CPA/2026/104", assessing_partner=pcc),
        await _add(client, meeting_id, "disruption", "CPA/2026/105"),
    ]  # fmt: skip


# ---------------------------------------------------------------- item types


async def test_the_domain_item_types_are_there_with_who_decides_them(db) -> None:
    types = {t["code"]: t for t in await agenda.item_types()}
    assert types["approval"]["decided_by"] == "assessing_agency"
    assert types["match"]["decided_by"] == "child_authority"
    assert types["disruption"]["decided_by"] == "none"
    assert "Prospective adopter's report" in types["approval"]["papers"]
    assert types["match"]["recommendation_list"] == ["Match", "No match", "Defer"]
    await agenda.ensure_item_types()
    assert await ItemType.count() == len(agenda.DEFAULT_TYPES)


async def test_an_adviser_adds_a_local_item_type_and_a_duplicate_is_refused(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    form = {"name": "Annual review of waiting adopters", "subject": "adopters",
            "required_papers": "Review report", "recommendations": "Continue\nEnd",
            "decided_by": "assessing_agency", "minutes": "20",
            "category": "review_of_approval"}  # fmt: skip
    unfiled = await client.post("/panel/item-types", data=form | {"category": ""})
    assert unfiled.status_code == 422 and "Select which kind of decision it is" in unfiled.text
    added = await client.post("/panel/item-types", data=form, follow_redirects=False)
    assert added.status_code == 303
    again = await client.post("/panel/item-types", data=form)
    assert again.status_code == 409
    bad = await client.post("/panel/item-types", data=form | {"name": "x", "decided_by": "board"})
    assert bad.status_code == 422
    assert "Select who decides" in bad.text
    page = await client.get("/panel/item-types")
    assert "Annual review of waiting adopters" in page.text


# ---------------------------------------------------------------- items


async def test_agenda_titles_take_initials_never_a_full_name(client, sign_in, agency) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADMINISTRATOR)
    response = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/items",
        data={"item_type": str(await _type_id("match")), "case_reference": "CPA/2026/1",
              "initials": "Tyler King"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Enter initials only, like A.B." in response.text
    assert "Select the child&#39;s authority: its ADM decides this item" in response.text
    assert await AgendaItem.count() == 0


async def test_the_meetings_slots_cap_the_agenda(client, sign_in, agency) -> None:
    ids = await central_list()
    meeting_id = await _meeting(item_slots="1")
    assert ids
    await sign_in(Role.PANEL_ADVISER)
    await _add(client, meeting_id, "disruption", "CPA/2026/1")
    full = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/items",
        data={"item_type": str(await _type_id("disruption")), "case_reference": "CPA/2026/2"},
    )
    assert full.status_code == 409
    assert "All 1 item slots of this panel are taken" in full.text
    assert await AgendaItem.count() == 1


async def test_items_are_timed_one_after_another_with_call_in_times(
    client, sign_in, agency
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    first = await _add(client, meeting_id, "approval", "CPA/2026/1",
                       assessing_partner=str(agency["CCC"]), applicants_attend="yes")  # fmt: skip
    second = await _add(client, meeting_id, "disruption", "CPA/2026/2")
    one, two = await agenda.item(first), await agenda.item(second)
    assert (one["starts_clock"], one["ends_clock"]) == ("10:00", "11:00")
    assert one["applicants_clock"] == "10:15"
    assert (two["starts_clock"], two["ends_clock"]) == ("11:00", "11:20")


async def test_a_second_adviser_reordering_from_a_stale_page_gets_a_conflict(
    client, sign_in, agency
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    first = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    second = await _add(client, meeting_id, "irm_outcome", "CPA/2026/2")
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    moved = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/order",
        data={"version": str(version), "item": str(second), "direction": "up"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    stale = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/order",
        data={"version": str(version), "item": str(first), "direction": "down"},
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.text
    view = await agenda.agenda(meeting_id)
    assert [i["id"] for i in view["rows"]] == [second, first]
    assert view["rows"][0]["slot"] == "10:00-10:15"
    api = await client.put(
        f"/api/v1/panel/meetings/{meeting_id}/agenda/order",
        json={"version": version, "order": [first, second]},
    )
    assert api.status_code == 409


async def test_defer_offers_later_panels_with_space_and_carries_the_papers(
    client, sign_in, agency
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    later = await _meeting(MEETING_DAY + timedelta(days=14))
    full = await _meeting(MEETING_DAY + timedelta(days=7), item_slots="1")
    await sign_in(Role.PANEL_ADVISER)
    await _add(client, full, "irm_outcome", "CPA/2026/9")
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    await _supply_all(client, item_id)
    options = await agenda.defer_options(item_id)
    assert [o["id"] for o in options] == [later]
    assert full not in [o["id"] for o in options]
    page = await client.get(f"/panel/items/{item_id}")
    assert "6 of 6 slots free" in page.text
    missing = await client.post(f"/panel/items/{item_id}/defer", data={"version": "1"})
    assert missing.status_code == 422
    moved = await client.post(
        f"/panel/items/{item_id}/defer",
        data={"version": "1", "to_meeting": str(later), "defer_reason": "Medical awaited"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    new_id = int(moved.headers["location"].split("/")[-1].split("?")[0])
    carried = await agenda.item(new_id)
    assert carried["meeting"] == later and carried["carried_from"] == item_id
    assert all(c["present"] for c in carried["checklist"])
    assert (await agenda.agenda(meeting_id))["rows"] == []


# ---------------------------------------------------------------- papers


async def test_bad_papers_are_refused_saying_which_file_and_why(client, sign_in, agency) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    bomb = rezipped(word_paper("x", sections=1), add={"word/media/a.png": b"\0" * (20 * 2**20)})
    cases = {
        "PAR.docx": (macro_enabled_document(), "macro"),
        "CPR.pdf": (pdf_document(password="secret"), "protected with a password"),
        "Report.docx": (bomb, "zip bomb"),
        "Empty.docx": (b"", "empty"),
        "Notes.docx": (b"just some text, not a document", "not a Word document"),
    }
    for name, (data, why) in cases.items():
        refused = await _upload(client, item_id, name, data, required_as="Disruption report")
        assert refused.status_code == 422, name
        message = re.search(r'id="file-error"[^>]*>(.*?)</p>', refused.text, re.S)
        assert message and name in message.group(1) and why in message.group(1), (
            name,
            refused.text,
        )
    assert await PaperVersion.count() == 0
    # A name with path separators or control characters is kept as a plain file name.
    taken = await _upload(client, item_id, "..\\..\\etc/Disruption.docx",
                          word_paper("Disruption"), required_as="Disruption report")  # fmt: skip
    assert taken.status_code == 303
    await agenda.upload_paper(audit.SYSTEM, item_id, {"title": "Notes", "changed": "added"},
                              "../Notes\x00\u202e.docx", word_paper("Notes"),
                              Settings.from_env())  # fmt: skip
    names = [r["file_name"] for r in await PaperVersion.select().order_by(PaperVersion.id)]
    assert names == ["Disruption.docx", "Notes.docx"]


async def test_papers_are_stored_by_hash_outside_the_web_root_for_the_owner_only(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    data = word_paper("Disruption")
    await _upload(client, item_id, "d.docx", data, required_as="Disruption report")
    row = await PaperVersion.select().first()
    assert row is not None
    stored = settings.storage_dir / "papers" / row["sha256"][:2] / row["sha256"]
    assert stored.read_bytes() == data
    assert stored.stat().st_mode & 0o077 == 0
    assert stored.parent.stat().st_mode & 0o077 == 0
    download = await client.get(f"/panel/items/papers/{row['id']}")
    assert download.content == data


async def test_a_paper_cannot_go_to_a_closed_meeting(client, sign_in, agency) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    await Meeting.update({Meeting.status: MeetingStatus.CLOSED}).where(Meeting.id == meeting_id)
    refused = await _upload(client, item_id, "d.docx", word_paper("D"),
                            required_as="Disruption report")  # fmt: skip
    assert refused.status_code == 409
    assert "is closed: adding papers is no longer possible" in refused.text
    assert await Paper.count() == 0


async def test_the_checklist_turns_complete_as_papers_arrive(client, sign_in, agency) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "review", "CPA/2026/1",
                         assessing_partner=str(agency["CCC"]))  # fmt: skip
    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert "2 missing" in page.text
    await _supply_all(client, item_id)
    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert "Complete" in page.text and "Every item's papers are in." in page.text
    again = await _upload(client, item_id, "r.docx", word_paper("Review v2"),
                          required_as="Review report")  # fmt: skip
    assert again.status_code == 422
    assert "Say what changed in this version" in again.text


# ---------------------------------------------------------------- publication and packs


async def test_publishing_with_papers_missing_needs_a_reason(client, sign_in, agency) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    await _add(client, meeting_id, "disruption", "CPA/2026/1")
    refused = await client.post(f"/panel/meetings/{meeting_id}/agenda/publish",
                                data={"version": "2"})  # fmt: skip
    assert refused.status_code == 422
    assert "1 papers are missing: upload them, or record why" in refused.text
    assert (await agenda.agenda(meeting_id))["published"] is False
    published = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={"version": "2", "missing_reason": "Report follows on the day"},
        follow_redirects=False,
    )
    assert published.status_code == 303
    state = (await agenda.agenda(meeting_id))["state"]
    assert state["missing_reason"] == "Report follows on the day"
    assert "Disruption report" in state["missing_papers"]


async def test_an_adviser_publishes_and_a_conflicted_member_gets_the_item_withheld(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    adviser = await sign_in(Role.PANEL_ADVISER, name="Avril Adviser")
    items = await _five_items(client, meeting_id, agency)
    for item_id in items:
        await _supply_all(client, item_id)
    view = await agenda.agenda(meeting_id)
    assert view["missing"] == [] and all(i["complete"] for i in view["rows"])
    published = await client.post(f"/panel/meetings/{meeting_id}/agenda/publish",
                                  data={"version": str(view["state"]["version"])},
                                  follow_redirects=False)  # fmt: skip
    assert published.status_code == 303
    # Screening withdrew Ada from the Hendersons' item, and only from that.
    withdrawals = await Withdrawal.select()
    assert [(w["item"], w["source"]) for w in withdrawals] == [(items[0], "screening")]
    # Members are told papers are ready, with no case details.
    mails = await OutboxMessage.select().where(OutboxMessage.subject.like("%papers are ready"))
    assert len(mails) == len(ROSTER)
    for message in mails:
        assert "CPA/2026" not in message["body"] and "Henderson" not in message["body"]
        assert f"/panel/my/packs/{meeting_id}" in message["body"]
    assert await PackBuild.count() == len(ROSTER)

    ada = await _as_member(client, "Ada Adopter")
    page = await client.get(f"/panel/my/packs/{meeting_id}")
    assert page.status_code == 200
    assert "Item withheld" in page.text and "CPA/2026/101" not in page.text
    assert "CPA/2026/102 (T.K.)" in page.text
    pack = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert pack.status_code == 200
    opened = docx.Document(io.BytesIO(pack.content))
    text = "\n".join(p.text for p in opened.paragraphs)
    assert "CPA/2026/101" not in text and "Henderson" not in text
    assert "withheld" in text.lower()
    order = [text.index(f"CPA/2026/10{n}") for n in range(2, 6)]
    assert order == sorted(order)
    footer = opened.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Prepared for Ada Adopter - do not copy")
    assert all(s.footer.is_linked_to_previous for s in opened.sections[1:])

    # The chair's pack has every item.
    await _as_member(client, "Clara Chair")
    chair = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    chair_text = "\n".join(p.text for p in docx.Document(io.BytesIO(chair.content)).paragraphs)
    assert "CPA/2026/101" in chair_text

    # The adviser sees who opened what; every view and download is in the audit log.
    client.cookies.clear()
    await sign_in_client(client, adviser)
    builder = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert "Who has opened their papers" in builder.text
    assert re.search(r"Ada Adopter</td><td[^>]*>\d", builder.text)
    assert re.search(r"Sally Social</td><td[^>]*>Not yet", builder.text)
    downloads = await AuditEntry.select().where(
        (AuditEntry.action == "download") & (AuditEntry.actor == "Ada Adopter")
    )
    assert len(downloads) == 1
    assert ada.name == "Ada Adopter"

    # A late paper: a new version with what changed, members told, only its item rebuilt.
    late = await _upload(client, items[1], "CPR v2.docx", word_paper("CPR", seed=9),
                         required_as="Child's permanence report",
                         changed="Contact plan updated after the LAC review")  # fmt: skip
    assert late.status_code == 303, late.text
    changed_mail = await OutboxMessage.select().where(
        OutboxMessage.subject.like("%a paper has changed")
    )
    assert len(changed_mail) == len(ROSTER)
    assert all("CPA/2026" not in m["body"] for m in changed_mail)
    await _as_member(client, "Ben Born")
    page = await client.get(f"/panel/my/packs/{meeting_id}")
    assert "Changed" in page.text and "Contact plan updated after the LAC review" in page.text
    rebuilt = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    cells = [
        cell.text
        for table in docx.Document(io.BytesIO(rebuilt.content)).tables
        for row in table.rows
        for cell in row.cells
    ]
    assert any("Contact plan updated after the LAC review" in text for text in cells)


async def test_a_late_paper_rebuilds_only_the_parts_it_touches(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    items = await _five_items(client, meeting_id, agency)
    for item_id in items:
        await _supply_all(client, item_id)
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish", data={"version": str(version)}
    )
    await _upload(client, items[3], "r.docx", word_paper("Review", seed=5),
                  required_as="Review report", changed="Dates corrected")  # fmt: skip
    report = await agenda.build_packs(meeting_id, settings)
    assert report is not None and report.built == ()  # nothing left to do after the late paper
    late = await agenda.item(items[3])
    assert late["papers"][items[3]][0]["changed"]


async def test_members_open_packs_only_within_the_window_and_refusals_are_audited(
    client, sign_in, agency
) -> None:
    meeting_id, ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    await _add(client, meeting_id, "disruption", "CPA/2026/1")
    await _as_member(client, "Ada Adopter")
    early = await client.get(f"/panel/my/packs/{meeting_id}")
    assert early.status_code == 403
    refusal = await audit.last_refusal(path=f"/panel/my/packs/{meeting_id}")
    assert refusal is not None and "not been published" in refusal["summary"]
    await agenda.publish(audit.SYSTEM, meeting_id, 2, {"missing_reason": "on the day"},
                         Settings.from_env())  # fmt: skip
    assert (await client.get(f"/panel/my/packs/{meeting_id}")).status_code == 200
    await _as_member(client, "Victor Vice")  # on the list, not on this panel
    uninvited = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert uninvited.status_code == 403
    refusal = await audit.last_refusal(path=f"/panel/my/packs/{meeting_id}/pack.docx")
    assert refusal is not None and refusal["actor"] == "Victor Vice"
    from panel.tables import Agenda

    await Agenda.update({Agenda.access_closes_on: clock.today() - timedelta(days=1)}).where(
        Agenda.meeting == meeting_id
    )
    await _as_member(client, "Ben Born")
    closed = await client.get(f"/panel/my/packs/{meeting_id}")
    assert closed.status_code == 403
    assert ids


async def test_access_closes_ten_working_days_after_the_meeting(db) -> None:
    meeting_id = await _meeting(date(2026, 12, 17))  # a Thursday before Christmas
    closes = await agenda.access_closes_on(await services.meeting(meeting_id))
    # 18, 21, 22, 23, 24, 29, 30, 31 December, 4 and 5 January.
    assert closes == date(2027, 1, 5)


async def test_an_adviser_records_a_declaration_and_the_member_loses_the_item(
    client, sign_in, agency
) -> None:
    meeting_id, ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    recorded = await client.post(
        f"/panel/items/{item_id}/declarations",
        data={"member": str(ids["Ben"]), "reason": "Taught the child's sibling"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    again = await client.post(
        f"/panel/items/{item_id}/declarations",
        data={"member": str(ids["Ben"]), "reason": "again"},
    )
    assert again.status_code == 409
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    await agenda.publish(audit.SYSTEM, meeting_id, version, {"missing_reason": "on the day"},
                         Settings.from_env())  # fmt: skip
    # Screening after publication keeps the declaration.
    await agenda.screen(meeting_id)
    await _as_member(client, "Ben Born")
    page = await client.get(f"/panel/my/packs/{meeting_id}")
    assert "Item withheld" in page.text


async def test_the_pdf_pack_withholds_the_item_and_names_the_member_on_every_page(
    client, sign_in, agency, settings: Settings
) -> None:
    from pypdf import PdfReader

    from governance import pdf
    from tests import support

    support.require(support.libreoffice_available(), "LibreOffice")
    assert pdf.libreoffice_available()
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    ccc = str(agency["CCC"])
    first = await _add(
        client,
        meeting_id,
        "review",
        "CPA/2026/201",
        assessing_partner=ccc,
        applicants="Joan Henderson",
    )
    second = await _add(client, meeting_id, "disruption", "CPA/2026/202")
    for item_id in (first, second):
        await _supply_all(client, item_id)
    version = str((await agenda.agenda(meeting_id))["state"]["version"])
    await client.post(f"/panel/meetings/{meeting_id}/agenda/publish", data={"version": version})
    await _as_member(client, "Ada Adopter")
    response = await client.get(f"/panel/my/packs/{meeting_id}/pack.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    texts = [page.extract_text() for page in reader.pages]
    total = len(texts)
    for number, text in enumerate(texts, 1):
        assert f"Prepared for Ada Adopter - do not copy  |  Page {number} of {total}" in text
    whole = "\n".join(texts)
    assert "CPA/2026/201" not in whole and "Henderson" not in whole
    assert "CPA/2026/202" in whole
    titles = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert titles[:3] == ["Cover", "Contents", "Agenda"]
    assert titles[3].startswith("Item 1 withheld")
    assert titles[4].startswith("Item 2: CPA/2026/202")


async def test_an_adopter_item_may_be_assessed_by_the_agency_itself_only_where_it_assesses(
    client, sign_in, agency
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    meeting_id = await _meeting()
    form = {"item_type": str(await _type_id("approval")), "case_reference": "AW/1",
            "initials": "A.B.", "assessing_partner": "agency"}  # fmt: skip
    refused = await client.post(f"/panel/meetings/{meeting_id}/agenda/items", data=form)
    assert refused.status_code == 422
    assert "The agency does not assess adopters itself" in refused.text
    assert await AgendaItem.count() == 0

    await Agency.update({Agency.assesses_adopters: True}).where(Agency.id > 0)
    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert '<option value="agency">The agency itself</option>' in page.text
    item_id = await _add(client, meeting_id, "approval", "AW/1", assessing_partner="agency")
    row = await AgendaItem.select().where(AgendaItem.id == item_id).first()
    assert row is not None
    assert (row["assessed_by_agency"], row["assessing_partner"]) == (True, None)
    shown = await client.get(f"/panel/items/{item_id}")
    assert "assessed by the agency itself" in shown.text


async def test_a_paper_too_large_to_receive_is_refused_on_the_form_with_the_limit_in_words(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    # Past the limit the service stops reading the body, so the paper's own checks never see it.
    huge = b"%PDF-1.7\n" + b"0" * ((settings.upload_limit_mb + 2) * 1024 * 1024)
    refused = await _upload(client, item_id, "Scan.pdf", huge, required_as="Disruption report")
    assert refused.status_code == 422
    message = re.search(r'id="file-error"[^>]*>(.*?)</p>', refused.text, re.S)
    assert message, refused.text
    assert f"larger than {settings.upload_limit_mb} MB" in message.group(1)
    assert "Request Entity Too Large" not in refused.text
    assert await PaperVersion.count() == 0


async def test_a_browser_post_too_large_to_receive_goes_back_to_the_form_saying_why(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    page = f"/panel/items/{item_id}?saved=paper"
    huge = b"%PDF-1.7\n" + b"0" * ((settings.upload_limit_mb + 2) * 1024 * 1024)
    refused = await client.post(
        f"/panel/items/{item_id}/papers",
        files={"file": ("Scan.pdf", huge, "application/pdf")},
        headers={"referer": f"https://testserver.local{page}"},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert refused.headers["location"] == f"/panel/items/{item_id}?too_large=1"
    shown = await client.get(refused.headers["location"])
    assert "There is a problem" in shown.text
    message = re.search(r'id="file-error"[^>]*>(.*?)</p>', shown.text, re.S)
    assert message and f"larger than {settings.upload_limit_mb} MB" in message.group(1)
    assert "Your changes have been saved" not in shown.text
    assert await PaperVersion.count() == 0
    # Another site's page is never where the service sends anyone back to.
    elsewhere = await client.post(
        f"/panel/items/{item_id}/papers",
        files={"file": ("Scan.pdf", huge, "application/pdf")},
        headers={"referer": "https://evil.example//evil.example/x"},
        follow_redirects=False,
    )
    assert elsewhere.status_code == 422
    assert "location" not in elsewhere.headers
