"""Every letter, pack, set of minutes and board report carries the agency's own name, address,
logo and footer, read from its record: renamed through the agency page, the old name is gone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

import docx
import pytest

from adm import demo as adm_demo
from adm import services as adm_services
from adm.tables import Referral
from governance import agency as agency_details
from governance import clock
from governance.roles import Role
from governance.settings import Settings
from panel import agenda, record
from panel import minutes as minutes_docs
from panel.tables import PaperKind
from tests.adm.support import addressed, held_meeting, minutes_final_the_day_after, recommendation
from tests.governance.pictures import png

OLD_NAME = "Cambridgeshire & Peterborough Adoption"
NEW_NAME = "Fenland and Ouse Adoption"
ADDRESS = ("Riverside House", "12 Quay Street", "Ely")
POSTCODE = "CB7 4BA"
FOOTER = "Fenland and Ouse Adoption is hosted by Cambridgeshire County Council."
LOGO = png(240, 80)


@pytest.fixture(autouse=True)
def january_2027() -> Iterator[None]:
    with clock.frozen_at(datetime.combine(date(2027, 1, 15), time(12), clock.LONDON)):
        yield


def text_of(content: bytes) -> str:
    """Every word a reader sees: body, tables, and each section's header and footer."""
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def pictures_of(content: bytes) -> list[bytes]:
    document = docx.Document(io.BytesIO(content))
    return [
        part.blob
        for part in document.part.package.iter_parts()
        if part.partname.startswith("/word/media/")
    ]


def assert_letterhead(content: bytes, what: str) -> None:
    text = text_of(content)
    assert NEW_NAME in text, what
    assert OLD_NAME not in text, what
    for line in (*ADDRESS, POSTCODE, FOOTER, "Telephone 01632 960 555"):
        assert line in text, f"{what}: {line}"
    assert LOGO in pictures_of(content), f"{what}: no logo"


async def _rename(client: Any, sign_in: Any) -> None:
    await sign_in(Role.SYSTEM_ADMIN, name="Sam Setup")
    details = await agency_details.details()
    assert details is not None and details.name == OLD_NAME
    response = await client.post(
        "/admin/agency/details",
        data={
            "name": NEW_NAME,
            "short_name": "FOA",
            "legal_form": "hosted",
            "host_partner": str(details.host_partner_id),
            "address": "\n".join(ADDRESS),
            "postcode": POSTCODE,
            "telephone": "01632 960 555",
            "email": "adoption@fenland.example",
            "registered_manager": "Rosa Lind",
            "letterhead_footer": FOOTER,
            "version": str(details.version),
        },
        files={"logo": ("fenland.png", LOGO, "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


async def test_every_kind_of_document_carries_the_renamed_agencys_letterhead(
    client: Any, sign_in: Any, agency: dict[str, int], settings: Settings
) -> None:
    await _rename(client, sign_in)
    held = await held_meeting(agency)
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(ids))
    for item in held.items:
        outcome = "Match" if item == held.items[1] else "Suitable to adopt"
        await record.record_item(held.adviser, item, recommendation(outcome))
    minutes = minutes_docs.full_minutes(await record.document_of(held.meeting_id))
    assert_letterhead(minutes, "draft minutes")
    _, row, _ = await record.minutes_of(held.meeting_id)
    await record.approve_minutes(held.chair, held.chair.person_id, held.meeting_id, row["version"])
    final_on = await minutes_final_the_day_after(held)
    await addressed(held.adviser)
    extract, _ = await record.extract(held.items[0])
    assert_letterhead(extract, "extract for the decision maker")

    ref = (await Referral.select().where(Referral.item == held.items[0]).first()) or {}
    await Referral.update({Referral.received_on: date(2026, 12, 14)}).where(
        Referral.id == ref["id"]
    )
    await adm_services.decide(
        held.pcc_adm,
        ref["id"],
        {"verdict": "agree", "decided_on": final_on.isoformat(), "version": str(ref["version"])},
    )
    _, letter = await adm_services.letter(ref["id"])
    assert_letterhead(letter, "decision letter")
    assert "Peterborough City Council" in text_of(letter)  # the partner the ADM decided for

    _, pack = await agenda.full_pack(
        held.meeting_id, held.adviser.person_id, "Ann Adviser", PaperKind.DOCX, settings
    )
    assert_letterhead(pack, "pack cover")

    report = await record.issue_quality_report(held.adviser, date(2026, 7, 1), date(2026, 12, 31))
    assert_letterhead(report, "quality assurance report")

    await sign_in(Role.BOARD_CHAIR)
    board = await client.get(
        "/board/report/board-report.docx", params={"first": "2026-27 Q1", "last": "2026-27 Q3"}
    )
    assert board.status_code == 200
    assert_letterhead(board.content, "board report")


async def test_a_letter_after_the_logo_is_removed_keeps_the_name_and_address_without_a_picture(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await _rename(client, sign_in)
    details = await agency_details.details()
    assert details is not None
    removed = await client.post(
        "/admin/agency/details",
        data={
            "name": details.name,
            "short_name": details.short_name,
            "legal_form": "hosted",
            "host_partner": str(details.host_partner_id),
            "address": "\n".join(details.address),
            "postcode": details.postcode,
            "version": str(details.version),
            "remove_logo": "yes",
        },
        follow_redirects=False,
    )
    assert removed.status_code == 303
    heading = await agency_details.letterhead()
    assert heading is not None and heading.logo is None
    assert heading.address == (*ADDRESS, POSTCODE)
    assert heading.footer == ""


async def test_the_pdf_pack_cover_carries_the_letterhead_and_its_logo(
    client: Any, sign_in: Any, agency: dict[str, int], settings: Settings
) -> None:
    from pypdf import PdfReader

    from tests import support

    support.require(support.libreoffice_available(), "LibreOffice (soffice)")
    await _rename(client, sign_in)
    held = await held_meeting(agency)
    _, pack = await agenda.full_pack(
        held.meeting_id, held.adviser.person_id, "Ann Adviser", PaperKind.PDF, settings
    )
    cover = PdfReader(io.BytesIO(pack)).pages[0]
    text = " ".join(cover.extract_text().split())
    assert NEW_NAME in text and OLD_NAME not in text
    assert all(line in text for line in (*ADDRESS, POSTCODE, FOOTER))
    assert len(cover.images) == 1  # the logo
