"""Others at a panel meeting (the panel adviser, the minute taker, an observer): minuted as
present with their times, never counted towards quorum, and not to be recorded once the minutes
are final."""

from __future__ import annotations

from datetime import time

import pytest

from adm import demo as adm_demo
from governance.errors import Conflict, Invalid
from governance.roles import Role
from panel import record
from panel.tables import Attendance
from tests.adm.support import held_meeting
from tests.conftest import make_account, sign_in_client

OBSERVER = {
    "other_name": "Olu Observer",
    "other_email": "olu.observer@example.org",
    "other_role": "observer",
    "other_arrived": "10:30",
    "other_left": "11:15",
}


async def test_an_observer_is_minuted_but_never_counts_towards_quorum(agency) -> None:
    held = await held_meeting(agency)
    ids = list(held.members.values())
    await record.save_attendance(held.adviser, held.meeting_id, adm_demo.present_all(ids))
    before = [item.verdict for item in (await record.meeting_record(held.meeting_id)).items]
    await record.add_other(held.adviser, held.meeting_id, OBSERVER)
    await record.add_other(
        held.adviser,
        held.meeting_id,
        {
            "other_name": "Ann Adviser",
            "other_email": "ANN@example.org",
            "other_role": "panel adviser",
        },
    )
    state = await record.meeting_record(held.meeting_id)
    assert [item.verdict for item in state.items] == before
    assert all("Olu Observer" not in {m.name for m in item.present} for item in state.items)
    minutes = await record.document_of(held.meeting_id)
    others = {a.name: a for a in minutes.attendance if not a.member}
    assert set(others) == {"Olu Observer", "Ann Adviser"}
    assert others["Olu Observer"].role == "observer"
    assert (others["Olu Observer"].arrived, others["Olu Observer"].left) == (
        time(10, 30),
        time(11, 15),
    )
    # The adviser was there from the start, as nothing else was said.
    assert others["Ann Adviser"].arrived == time(10, 0)


async def test_bad_entries_are_refused_and_change_nothing(agency) -> None:
    held = await held_meeting(agency)
    member_email = "clara.chair@example.org"
    for data, field, words in (
        (OBSERVER | {"other_role": ""}, "other_role", "Select their role"),
        (OBSERVER | {"other_email": "olu"}, "other_email", "correct format"),
        (OBSERVER | {"other_left": "10:00"}, "other_left", "after their arrival"),
        (OBSERVER | {"other_arrived": "half ten"}, "other_arrived", "a time like 10:15"),
    ):
        with pytest.raises(Invalid) as refused:
            await record.add_other(held.adviser, held.meeting_id, data)
        assert words in refused.value.errors[field]
    with pytest.raises(Conflict, match="is a panel member"):
        await record.add_other(
            held.adviser, held.meeting_id, OBSERVER | {"other_email": member_email}
        )
    assert await Attendance.count() == 0
    await record.add_other(held.adviser, held.meeting_id, OBSERVER)
    with pytest.raises(Conflict, match="already recorded at this meeting"):
        await record.add_other(held.adviser, held.meeting_id, OBSERVER)
    assert await Attendance.count() == 1


async def test_the_adviser_adds_and_removes_an_observer_on_the_record_page(client, agency) -> None:
    held = await held_meeting(agency)
    adviser = await make_account(Role.PANEL_ADVISER, name="Priya Adviser")
    await sign_in_client(client, adviser)
    page = await client.get(f"/panel/record/meetings/{held.meeting_id}")
    assert "Nobody else recorded." in page.text
    bad = await client.post(
        f"/panel/record/meetings/{held.meeting_id}/others", data=OBSERVER | {"other_role": ""}
    )
    assert bad.status_code == 422 and 'href="#other_role"' in bad.text
    added = await client.post(f"/panel/record/meetings/{held.meeting_id}/others", data=OBSERVER)
    assert added.status_code == 200
    assert "Olu Observer" in added.text and "10:30 to 11:15" in added.text
    row = await Attendance.select().first()
    assert row is not None and not row["counts"]
    removed = await client.post(f"/panel/record/others/{row['id']}/remove")
    assert removed.status_code == 200 and "Nobody else recorded." in removed.text
    assert await Attendance.count() == 0


async def test_nobody_is_added_or_removed_once_the_minutes_are_final(agency) -> None:
    from tests.adm.test_meeting_to_decision import _final

    held = await held_meeting(agency)
    observer = await record.add_other(held.adviser, held.meeting_id, OBSERVER)
    await _final(held)
    with pytest.raises(Conflict, match="final and locked"):
        await record.add_other(held.adviser, held.meeting_id, OBSERVER | {"other_email": "x@y.org"})
    with pytest.raises(Conflict, match="final and locked"):
        await record.remove_other(held.adviser, observer)
    assert await Attendance.count().where(Attendance.counts.eq(False)) == 1
