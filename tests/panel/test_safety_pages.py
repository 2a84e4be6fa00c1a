"""Hostile papers through the pages: cleaned for members, the original kept for advisers."""

from __future__ import annotations

import io
import os
import re
import zipfile

import pikepdf
import pytest

from adm import services as adm_services
from governance import audit
from governance.errors import Invalid
from governance.roles import Role
from governance.settings import Settings
from governance.storage import storage_for
from panel import agenda, safety
from panel.samples import pdf_paper, word_paper
from panel.tables import PaperVersion
from tests.panel import hostile
from tests.panel.test_agenda import _add, _as_member, _rostered_meeting, _upload


async def _adviser_with_an_item(client, sign_in, reference: str) -> tuple[int, int]:
    """A rostered panel, the adviser signed in, and a disruption item on its agenda."""
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER, name="Avril Adviser")
    return meeting_id, await _add(client, meeting_id, "disruption", reference)


async def _publish(client, meeting_id: int) -> None:
    view = await agenda.agenda(meeting_id)
    published = await client.post(f"/panel/meetings/{meeting_id}/agenda/publish",
                                  data={"version": str(view["state"]["version"])},
                                  follow_redirects=False)  # fmt: skip
    assert published.status_code == 303


async def test_a_pdf_with_scripts_is_cleaned_for_members_and_kept_whole_for_advisers(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, item_id = await _adviser_with_an_item(client, sign_in, "CPA/2026/7")
    titles = (await agenda.item(item_id))["type"]["papers"]
    original = hostile.pdf_scripts_everywhere()
    page = await client.post(
        f"/panel/items/{item_id}/papers",
        files={"file": ("Report.pdf", original, "application/pdf")},
        data={"required_as": titles[0]},
    )
    assert page.status_code == 200
    banner = re.search(r'govuk-notification-banner__heading">(.*?)</p>', page.text, re.S)
    assert banner is not None
    assert banner.group(1).strip() == (
        "Paper uploaded. Cleaned: removed a script that runs when the file is opened. "
        "Packs use the cleaned copy; the original is kept for advisers."
    )
    for title in titles[1:]:
        sent = await _upload(client, item_id, f"{title}.docx", word_paper(title), required_as=title)
        assert sent.status_code == 303
    version = await PaperVersion.select().where(PaperVersion.file_name == "Report.pdf").first()
    assert version is not None and version["clean_sha256"] != version["sha256"]
    assert version["removed"] == "a script that runs when the file is opened"
    await _publish(client, meeting_id)
    # The adviser can still open exactly what was uploaded.
    download = await client.get(f"/panel/items/papers/{version['id']}")
    assert download.status_code == 200 and download.content == original
    # An ADM's copy of the item's paper is the clean one.
    _, _, adm_copy = await adm_services.paper(settings, item_id, version["paper"])
    assert b"/JavaScript" not in hostile.expanded(adm_copy)

    await _as_member(client, "Ben Born")
    pack = await client.get(f"/panel/my/packs/{meeting_id}/pack.pdf")
    assert pack.status_code == 200
    with pikepdf.open(io.BytesIO(pack.content)) as opened:
        assert len(opened.pages) > 1
    written_out = hostile.expanded(pack.content)
    assert b"/JavaScript" not in written_out and b"/OpenAction" not in written_out
    assert b"app.alert" not in written_out
    refused = await client.get(f"/panel/items/papers/{version['id']}")
    assert refused.status_code == 403
    await sign_in(Role.ADM, name="Dana Decider")
    assert (await client.get(f"/panel/items/papers/{version['id']}")).status_code == 403


async def test_a_word_paper_with_a_dtd_is_refused_and_nothing_is_stored(
    client, sign_in, agency, settings: Settings
) -> None:
    _meeting_id, item_id = await _adviser_with_an_item(client, sign_in, "CPA/2026/8")
    stored = set(storage_for(settings).keys_sync("papers/"))
    refused = await _upload(client, item_id, "PAR.docx", hostile.docx_dtd_entity())
    assert refused.status_code == 422
    message = re.search(r'id="file-error"[^>]*>(.*?)</p>', refused.text, re.S)
    assert message is not None
    assert "PAR.docx contains a document type declaration that Word does not write" in (
        message.group(1)
    )
    assert await PaperVersion.count() == 0
    assert set(storage_for(settings).keys_sync("papers/")) == stored


async def test_a_paper_uploaded_before_inspection_is_inspected_when_first_packed(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, item_id = await _adviser_with_an_item(client, sign_in, "CPA/2026/9")
    sent = await _upload(client, item_id, "Old.pdf", hostile.pdf_launch(), title="Old report")
    assert sent.status_code == 303
    # As a version from before this change: never inspected.
    await PaperVersion.update({PaperVersion.clean_sha256: None, PaperVersion.removed: ""}).where(
        PaperVersion.file_name == "Old.pdf"
    )
    await agenda.build_packs(meeting_id, settings)
    version = await PaperVersion.select().where(PaperVersion.file_name == "Old.pdf").first()
    assert version is not None
    assert version["removed"] == "an instruction to start another program"
    assert version["clean_sha256"] not in (None, version["sha256"])
    page = await client.get(f"/panel/items/{item_id}")
    assert "Cleaned: removed an instruction to start another program." in page.text


async def test_word_papers_with_fields_links_and_objects_reach_the_word_pack_without_them(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, item_id = await _adviser_with_an_item(client, sign_in, "CPA/2026/9")
    titles = (await agenda.item(item_id))["type"]["papers"]
    hostile_papers = [
        hostile.docx_ddeauto(),
        hostile.docx_external_image(),
        hostile.docx_ole_object(),
    ]
    for number, data in enumerate(hostile_papers):
        sent = await client.post(
            f"/panel/items/{item_id}/papers",
            files={"file": (f"Paper {number}.docx", data, "application/octet-stream")},
            data={"required_as": titles[0]} if number == 0 else {"title": f"Extra {number}"},
        )
        assert sent.status_code == 200 and "Cleaned: removed" in sent.text, sent.text[-2000:]
    for title in titles[1:]:
        assert (await _upload(client, item_id, f"{title}.docx", word_paper(title),
                              required_as=title)).status_code == 303  # fmt: skip
    await _publish(client, meeting_id)

    await _as_member(client, "Ben Born")
    pack = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert pack.status_code == 200
    with zipfile.ZipFile(io.BytesIO(pack.content)) as opened:
        names = opened.namelist()
        xml = b"".join(opened.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert b"DDEAUTO" not in xml and b"cmd.exe" not in xml
    assert b"tracker.example.invalid" not in xml
    assert not [n for n in names if "embeddings/" in n or "activeX" in n]
    assert b"Shown result" in xml  # a field's shown text stays as plain text
    external = re.findall(rb'<Relationship [^>]*TargetMode="External"[^>]*>', xml)
    assert all(b"/hyperlink" in rel for rel in external)


async def test_the_agencys_paper_limits_are_settings_and_an_upload_past_them_is_refused(
    client, sign_in, agency, settings: Settings
) -> None:
    _meeting_id, item_id = await _adviser_with_an_item(client, sign_in, "CPA/2026/10")
    strict = Settings.from_env({**os.environ, "PAPER_MAX_PAGES": "2"})
    assert safety.limits_of(strict).max_pages == 2
    long_report = pdf_paper("Long", pages=3)
    with pytest.raises(Invalid) as refused:
        await agenda.upload_paper(
            audit.SYSTEM, item_id, {"title": "Long"}, "Long report.pdf", long_report, strict
        )
    assert "Long report.pdf" in refused.value.errors["file"]
    assert "pages" in refused.value.errors["file"]
    assert await PaperVersion.count() == 0
    await agenda.upload_paper(audit.SYSTEM, item_id, {"title": "Short report"},
                              "Short report.pdf", pdf_paper("Short", pages=2), strict)  # fmt: skip
    assert await PaperVersion.count() == 1
