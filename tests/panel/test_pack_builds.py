"""Members' packs never break and never thunder: a paper that cannot go in is named and the last
good pack is kept; twenty downloads of a stale pack build it once; a dead build's claim is taken
over; PDF packs are built ahead of the downloads."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from datetime import timedelta
from typing import Any

import pytest

from governance import audit, clock, pdf
from governance.roles import Role
from governance.settings import Settings
from governance.storage import paper_key, storage_for
from governance.tables import OutboxMessage
from panel import agenda, pack_runs
from panel.samples import word_paper
from panel.tables import Agenda, PackBuild, PackRun, PaperKind, PaperVersion
from tests import support
from tests.conftest import Person, sign_in_client
from tests.panel.test_agenda import ROSTER, _add, _as_member, _rostered_meeting, _upload

REPORT = "Prospective adopter's report"


async def _published(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> tuple[int, list[int], Person]:
    """A published meeting of two items, each with one Word paper; the adviser signed in."""
    meeting_id, _ids = await _rostered_meeting()
    adviser = await sign_in(Role.PANEL_ADVISER, name="Priya Adviser", email="priya@example.org")
    ccc = str(agency["CCC"])
    items = [
        await _add(client, meeting_id, "approval", "CPA/2026/301", assessing_partner=ccc),
        await _add(client, meeting_id, "approval", "CPA/2026/302", assessing_partner=ccc),
    ]
    for seed, item_id in enumerate(items):
        sent = await _upload(client, item_id, "report.docx", word_paper("PAR", seed=seed),
                             required_as=REPORT)  # fmt: skip
        assert sent.status_code == 303, sent.text
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    published = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={"version": str(version), "missing_reason": "Medicals follow on the day"},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    return meeting_id, items, adviser


async def _damage_stored_paper(item_id: int, settings: Settings) -> None:
    """The paper's latest version is a file cut short, as one saved before the upload checks
    existed: stored under its own checksum (files are shared by content, so the good file other
    records name is left alone)."""
    row = await agenda.item(item_id)
    version = row["papers"][item_id][0]["latest"]
    good = await storage_for(settings).get(paper_key(version["sha256"]))
    damaged = good[: len(good) // 2]
    digest = hashlib.sha256(damaged).hexdigest()
    await storage_for(settings).put(paper_key(digest), damaged)
    await PaperVersion.update(
        {PaperVersion.sha256: digest, PaperVersion.clean_sha256: digest}
    ).where(PaperVersion.id == version["id"])


async def _back(client: Any, person: Person) -> None:
    client.cookies.clear()
    await sign_in_client(client, person)


async def _changed_mail() -> list[dict[str, Any]]:
    return list(
        await OutboxMessage.select().where(OutboxMessage.subject.like("%a paper has changed"))
    )


async def _adviser_mail() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().where(OutboxMessage.subject.like("%stops the packs")))


async def _builds(meeting_id: int, kind: PaperKind = PaperKind.DOCX) -> int:
    run = await pack_runs.run_of(meeting_id, kind)
    return 0 if run is None else run.builds


async def test_a_damaged_paper_is_named_and_members_keep_their_last_good_pack(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, items, adviser = await _published(client, sign_in, agency)
    ben = await _as_member(client, "Ben Born")
    before = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert before.status_code == 200
    await _back(client, adviser)

    await _damage_stored_paper(items[0], settings)
    late = await _upload(client, items[1], "report v2.docx", word_paper("PAR", seed=7),
                         required_as=REPORT, changed="Dates corrected")  # fmt: skip
    assert late.status_code == 303, late.text

    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert page.status_code == 200
    assert "govuk-notification-banner" in page.text
    assert "for item 1 could not go in" in page.text
    assert f"Upload a new version of &ldquo;{REPORT}&rdquo; for item 1" in page.text.replace(
        "&#39;", "'"
    )
    assert "damaged" in page.text
    full = await client.get(f"/panel/meetings/{meeting_id}/agenda/pack.docx")
    assert full.status_code == 409
    assert "The full pack could not be built" in full.text and "for item 1" in full.text
    assert await _changed_mail() == []  # nobody is told of a rebuild that did not happen
    told = await _adviser_mail()
    assert [m["to_address"] for m in told] == ["priya@example.org"]
    assert "Upload a new version of" in told[0]["body"] and "item 1" in told[0]["body"]
    assert await PackBuild.count().where(PackBuild.meeting == meeting_id) == len(ROSTER)

    # Another change meets the same damaged paper: the advisers are not told twice.
    again = await _upload(client, items[1], "report v3.docx", word_paper("PAR", seed=8),
                          required_as=REPORT, changed="Typo")  # fmt: skip
    assert again.status_code == 303
    assert len(await _adviser_mail()) == 1

    await _back(client, ben)
    mine = await client.get(f"/panel/my/packs/{meeting_id}")
    assert "Your pack does not include the latest change to item 1" in mine.text
    stale = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert stale.status_code == 200 and stale.content == before.content
    if pdf.libreoffice_available():  # no good PDF pack was ever built: refused in words
        never = await client.get(f"/panel/my/packs/{meeting_id}/pack.pdf")
        assert never.status_code == 409 and "item 1" in never.text

    # A new version of the damaged paper clears the failure; members are told of the rebuild.
    await _back(client, adviser)
    fixed = await _upload(client, items[0], "report fixed.docx", word_paper("PAR", seed=9),
                          required_as=REPORT, changed="Re-saved from Word")  # fmt: skip
    assert fixed.status_code == 303, fixed.text
    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert "could not go in" not in page.text
    assert len(await _changed_mail()) == len(ROSTER)
    await _back(client, ben)
    mine = await client.get(f"/panel/my/packs/{meeting_id}")
    assert "does not include the latest change" not in mine.text
    after = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert after.status_code == 200 and after.content != before.content


async def test_a_damaged_version_stored_before_the_checks_fails_the_build_by_name(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, items, _adviser = await _published(client, sign_in, agency)
    row = await agenda.item(items[1])
    paper = row["papers"][items[1]][0]
    damaged = b"PK\x03\x04 not really a Word document"
    sha = hashlib.sha256(damaged).hexdigest()
    await storage_for(settings).put(paper_key(sha), damaged)
    await PaperVersion.insert(
        PaperVersion(paper=paper["id"], number=2, file_name="report.docx", kind=PaperKind.DOCX,
                     sha256=sha, size=len(damaged), changed="Old import", late=True)
    )  # fmt: skip
    report = await agenda.build_packs(meeting_id, settings)
    assert report is None
    failures = await agenda.pack_failures(meeting_id)
    assert [(f["item_number"], f["paper_title"]) for f in failures] == [(2, REPORT)]
    assert "damaged" in failures[0]["reason"] and "Traceback" not in failures[0]["reason"]
    assert await PackBuild.count().where(PackBuild.meeting == meeting_id) == len(ROSTER)


async def test_twenty_downloads_of_a_stale_pack_build_it_once_and_get_the_same_pack(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _items, _adviser = await _published(client, sign_in, agency)
    # A change whose rebuild has not run yet: every pack is stale.
    await Agenda.update({Agenda.pack_changes: Agenda.pack_changes + 1}).where(
        Agenda.meeting == meeting_id
    )
    builds = await _builds(meeting_id)
    ben = next(r for r in await agenda._readers(meeting_id) if r.name.startswith("Ben"))
    packs = await asyncio.gather(
        *(
            agenda.member_pack(meeting_id, ben.person_id, PaperKind.DOCX, settings)
            for _ in range(20)
        )
    )
    assert len(packs) == 20 and len(set(packs)) == 1
    assert await _builds(meeting_id) == builds + 1
    assert await PackBuild.count().where(PackBuild.meeting == meeting_id) == len(ROSTER)
    # Through the pages as well: the pack is current now, so twenty downloads build nothing.
    await _as_member(client, "Ben Born")
    path = f"/panel/my/packs/{meeting_id}/pack.docx"
    responses = await asyncio.gather(*(client.get(path) for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert {r.content for r in responses} == {packs[0][1]}
    assert await _builds(meeting_id) == builds + 1


async def test_a_dead_builds_claim_is_taken_over_and_a_live_one_is_waited_for(
    client, sign_in, agency, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = clock.now()  # the test's day, whatever it is: claims are dated from it
    clock.freeze(now)
    meeting_id, _items, _adviser = await _published(client, sign_in, agency)
    await Agenda.update({Agenda.pack_changes: Agenda.pack_changes + 1}).where(
        Agenda.meeting == meeting_id
    )
    mine = (PackRun.meeting == meeting_id) & (PackRun.kind == PaperKind.DOCX)
    await PackRun.update(
        {PackRun.claimed_by: "live-process", PackRun.claimed_at: now - timedelta(minutes=1)}
    ).where(mine)
    monkeypatch.setattr(pack_runs, "WAIT_SECONDS", 0.5)
    await _as_member(client, "Ben Born")
    path = f"/panel/my/packs/{meeting_id}/pack.docx"
    busy = await client.get(path)
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "60"
    assert "Your pack is being prepared: try again in a minute" in busy.text
    builds = await _builds(meeting_id)

    # The process that claimed it stopped: ten minutes without renewing, so it is taken over.
    await PackRun.update({PackRun.claimed_at: now - timedelta(minutes=10)}).where(mine)
    taken = await client.get(path)
    assert taken.status_code == 200 and taken.content.startswith(b"PK")
    assert await _builds(meeting_id) == builds + 1
    run = await PackRun.select(PackRun.claimed_by, PackRun.built_change).where(mine).first()
    assert run is not None and run["claimed_by"] == ""
    state = await Agenda.select(Agenda.pack_changes).where(Agenda.meeting == meeting_id).first()
    assert state is not None and run["built_change"] == state["pack_changes"]


async def test_pdf_packs_are_built_ahead_after_publication_so_a_download_is_a_file_read(
    client, sign_in, agency, settings: Settings
) -> None:
    support.require(support.libreoffice_available(), "LibreOffice")
    ahead = dataclasses.replace(settings, pack_build_ahead=True)
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/401")
    sent = await _upload(client, item_id, "note.docx", word_paper("Note", seed=3))
    assert sent.status_code == 303, sent.text
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    await agenda.publish(audit.SYSTEM, meeting_id, version, {"missing_reason": "on the day"},
                         ahead)  # fmt: skip
    # Publication did not wait for LibreOffice: the PDF packs are still being built.
    pdfs = PackBuild.count().where(
        (PackBuild.meeting == meeting_id) & (PackBuild.kind == PaperKind.PDF)
    )
    assert await pdfs == 0
    await agenda.wait_for_builds()
    assert await pdfs == len(ROSTER)
    assert await _builds(meeting_id, PaperKind.PDF) == 1
    readers = await agenda._readers(meeting_id)
    name, data = await agenda.member_pack(meeting_id, readers[0].person_id, PaperKind.PDF, ahead)
    assert name.endswith(".pdf") and data.startswith(b"%PDF")
    assert await _builds(meeting_id, PaperKind.PDF) == 1  # read, not built again


async def test_members_are_not_told_papers_are_ready_until_their_packs_can_be_built(
    client, sign_in, agency, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER, name="Priya Adviser", email="priya@example.org")
    item_id = await _add(client, meeting_id, "approval", "CPA/2026/311",
                         assessing_partner=str(agency["CCC"]))  # fmt: skip
    sent = await _upload(client, item_id, "report.docx", word_paper("PAR"), required_as=REPORT)
    assert sent.status_code == 303, sent.text
    await _damage_stored_paper(item_id, settings)
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    published = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={"version": str(version), "missing_reason": "Medicals follow on the day"},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text
    ready = OutboxMessage.subject.like("%papers are ready")
    assert await OutboxMessage.count().where(ready) == 0
    assert len(await _adviser_mail()) == 1
    page = await client.get(f"/panel/meetings/{meeting_id}/agenda")
    assert "report" in page.text.lower() and "item 1" in page.text

    fixed = await _upload(client, item_id, "report.docx", word_paper("PAR", seed=7),
                          required_as=REPORT, changed="Saved again from Word")  # fmt: skip
    assert fixed.status_code == 303, fixed.text
    assert await OutboxMessage.count().where(ready) == len(ROSTER)
    # Told once each, however many later changes follow.
    again = await _upload(client, item_id, "report.docx", word_paper("PAR", seed=8),
                          required_as=REPORT, changed="Typo")  # fmt: skip
    assert again.status_code == 303
    assert await OutboxMessage.count().where(ready) == len(ROSTER)
