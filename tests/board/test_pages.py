"""The board's pages and services: what a chair does, and what bad input leaves unchanged."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from board import services
from board.tables import (
    BoardAction,
    BoardAttendance,
    BoardMeeting,
    ComparisonFigure,
    QuarterFigures,
)
from governance import audit, clock
from governance.roles import Role
from governance.tables import AuditEntry, FundingShare, OutboxMessage, Person

FIGURES = {
    "children_placed": "12",
    "early_permanence_placements": "4",
    "adoption_orders": "14",
    "children_waiting": "32",
    "should_be_placed_decisions": "17",
    "enquiries": "222",
    "stage_1_applications": "31",
    "adopter_approvals": "8",
    "approved_adopters_waiting": "21",
    "support_referrals_adoptive": "20",
    "support_referrals_sgo": "9",
    "adult_referrals": "3",
    "initial_assessments_completed": "30",
    "asf_value_approved": "12500.50",
    "children_waiting_unmatched": "32",
    "adopters_waiting_unmatched": "21",
}


async def _person(name: str) -> int:
    email = name.lower().replace(" ", ".") + "@example.org"
    row = await Person.insert(Person(name=name, email=email)).returning(Person.id)
    return int(row[0]["id"])


@pytest.fixture
async def board(agency: dict[str, int]) -> dict[str, int]:
    """A chair for Cambridgeshire, a vice chair and a member for Peterborough, an adopter."""
    ids: dict[str, int] = {}
    start = (clock.today() - timedelta(days=800)).isoformat()
    for key, name, seat, partner in (
        ("chair", "Ruth Chair", "chair", agency["CCC"]),
        ("vice", "Victor Vice", "vice_chair", agency["PCC"]),
        ("finance", "Fay Finance", "finance", agency["PCC"]),
        ("adopter", "Ada Adopter", "adopter_representative", None),
    ):
        person = await _person(name)
        ids[key] = await services.create_member(
            audit.SYSTEM,
            {"person": person, "seat": seat, "partner": partner or "", "starts_on": start},
        )
        ids[f"{key}_person"] = person
    return ids


async def _meeting(day: date) -> int:
    return await services.schedule_meeting(
        audit.SYSTEM,
        {"title": "Partnership board", "day": day.isoformat(), "starts": "10:00", "ends": "12:00"},
        base_url="https://gov.example",
    )


def _marks(board: dict[str, int], **chosen: str) -> dict[str, str]:
    return {f"member-{board[key]}": value for key, value in chosen.items()}


async def test_scheduling_a_meeting_sends_each_member_a_calendar_invitation(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    day = clock.today() + timedelta(days=30)
    response = await client.post(
        "/board/meetings",
        data={
            "title": "Partnership board",
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "12",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    messages = await OutboxMessage.select()
    assert len(messages) == 4
    assert all("METHOD:REQUEST" in _attachment(m) for m in messages)
    first = _attachment(messages[0])
    assert "UID:board-meeting-" in first
    assert "TZID=Europe/London" in first
    assert await AuditEntry.exists().where(AuditEntry.record_type == "board_meeting")


def _attachment(message: dict[str, Any]) -> str:
    import base64
    import json

    return "".join(base64.b64decode(a["data"]).decode() for a in json.loads(message["attachments"]))


async def test_a_meeting_without_a_date_is_refused_with_a_message(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    response = await client.post("/board/meetings", data={"starts": "10:00", "ends": "9:00"})
    assert response.status_code == 422
    assert "Enter date of the meeting" in response.text
    assert "The meeting must finish after it starts" in response.text
    assert await BoardMeeting.count() == 0


async def test_attendance_decides_the_quorum_and_a_second_recording_is_a_conflict(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today() - timedelta(days=1))
    marks = _marks(board, chair="present", vice="apologies", finance="absent", adopter="present")
    response = await client.post(
        f"/board/meetings/{meeting_id}/attendance",
        data={**marks, "attendance_version": "0"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = await BoardMeeting.select().where(BoardMeeting.id == meeting_id).first()
    assert row["quorate"] is False
    assert row["quorum_shortfalls"] == "no representative of Peterborough City Council is present"
    again = await client.post(
        f"/board/meetings/{meeting_id}/attendance",
        data={
            **_marks(board, chair="present", vice="present", finance="present", adopter="present"),
            "attendance_version": "0",
        },
    )
    assert again.status_code == 409
    assert "already been recorded" in again.text
    kept = await BoardAttendance.select().where(BoardAttendance.member == board["vice"]).first()
    assert kept["attendance"] == "apologies"


async def test_a_deputy_sent_needs_a_name_when_none_is_on_record(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today())
    marks = _marks(board, chair="present", vice="deputy_sent", finance="present", adopter="")
    response = await client.post(
        f"/board/meetings/{meeting_id}/attendance", data={**marks, "attendance_version": "0"}
    )
    assert response.status_code == 422
    assert "Enter the name of the deputy Victor Vice sent" in response.text
    assert "Select ada adopter&#39;s attendance" in response.text
    assert await BoardAttendance.count() == 0


async def test_attendance_cannot_be_recorded_before_the_meeting(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today() + timedelta(days=3))
    marks = _marks(board, chair="present", vice="present", finance="present", adopter="present")
    response = await client.post(
        f"/board/meetings/{meeting_id}/attendance", data={**marks, "attendance_version": "0"}
    )
    assert response.status_code == 409
    assert "has not happened yet" in response.text


async def test_an_action_needs_an_owner_and_a_due_date_on_or_after_its_meeting(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    day = clock.today() - timedelta(days=10)
    meeting_id = await _meeting(day)
    response = await client.post(
        f"/board/meetings/{meeting_id}/actions",
        data={"description": "Report on conversion", "owner": "", "due_on": "2001-01-01"},
    )
    assert response.status_code == 422
    assert "Select who owns the action" in response.text
    assert "the date of the meeting that raised the action" in response.text
    assert await BoardAction.count() == 0


async def test_an_open_action_is_a_matter_arising_at_the_next_meeting_and_goes_overdue(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    first = await _meeting(clock.today() - timedelta(days=40))
    response = await client.post(
        f"/board/meetings/{first}/actions",
        data={
            "description": "Report on Stage 1 conversion",
            "owner": str(board["vice_person"]),
            "due_on": (clock.today() - timedelta(days=2)).isoformat(),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    second = await _meeting(clock.today() + timedelta(days=20))
    page = await client.get(f"/board/meetings/{second}")
    assert "Matters arising" in page.text
    assert "Report on Stage 1 conversion" in page.text
    overdue = await client.get("/board/actions?status=overdue")
    assert "Report on Stage 1 conversion" in overdue.text


async def test_an_action_update_from_a_stale_page_is_refused(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today())
    action_id = await services.create_action(
        audit.SYSTEM,
        meeting_id,
        {
            "description": "Refresh the risk register",
            "owner": board["chair_person"],
            "due_on": (clock.today() + timedelta(days=30)).isoformat(),
        },
    )
    first = await client.post(
        f"/board/actions/{action_id}",
        data={"status": "in_progress", "note": "Started", "version": "1"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    stale = await client.post(
        f"/board/actions/{action_id}", data={"status": "done", "note": "", "version": "1"}
    )
    assert stale.status_code == 409
    row = await services.action(action_id)
    assert row["status"] == "in_progress"
    assert [u["note"] for u in row["updates"]] == ["Action raised", "Started"]


async def test_reminders_go_to_the_owner_once_before_the_due_date(board: dict[str, int]) -> None:
    meeting_id = await _meeting(clock.today() - timedelta(days=5))
    await services.create_action(
        audit.SYSTEM,
        meeting_id,
        {
            "description": "Send the budget paper",
            "owner": board["finance_person"],
            "due_on": (clock.today() + timedelta(days=3)).isoformat(),
        },
    )
    await OutboxMessage.delete(force=True)
    assert await services.send_action_reminders(clock.today(), "https://gov.example") == 1
    assert await services.send_action_reminders(clock.today(), "https://gov.example") == 0
    message = await OutboxMessage.select().first()
    assert message["to_address"] == "fay.finance@example.org"
    assert "Send the budget paper" in message["body"]


async def test_figures_that_are_negative_or_not_numbers_are_refused(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    bad = {**FIGURES, "enquiries": "-3", "children_placed": "twelve"}
    response = await client.post(
        "/board/figures/new", data={"partner": "PCC", "quarter": "2022-23 Q3", **bad}
    )
    assert response.status_code == 422
    assert "The number of enquiries cannot be negative" in response.text
    assert "must be a whole number, like 12" in response.text
    assert await QuarterFigures.count() == 0


async def test_a_quarter_entered_twice_for_a_partner_is_a_conflict_not_an_overwrite(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    form = {"partner": "PCC", "quarter": "2022-23 Q3", **FIGURES}
    first = await client.post("/board/figures/new", data=form, follow_redirects=False)
    assert first.status_code == 303
    second = await client.post("/board/figures/new", data={**form, "enquiries": "999"})
    assert second.status_code == 409
    assert "already has figures for 2022-23 Q3" in second.text
    row = await QuarterFigures.select().first()
    assert row["enquiries"] == 222


async def test_figures_show_the_derived_indicators_with_their_formula(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_MEMBER)
    await services.enter_figures(
        audit.SYSTEM, {"partner": "CCC", "quarter": "2022-23 Q3", **FIGURES}
    )
    page = await client.get("/board/figures")
    assert "applications commencing Stage 1 / enquiries = 31 / 222" in page.text
    assert "<strong>14%</strong>" in page.text
    assert "(21 - 32) / 32" in page.text
    assert "<strong>-34%</strong>" in page.text


def _csv(*rows: dict[str, str]) -> bytes:
    lines = [",".join(services.CSV_COLUMNS)]
    for row in rows:
        lines.append(",".join(row.get(c, "") for c in services.CSV_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


async def test_a_csv_import_saves_every_row_or_none(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    good = {"partner": "CCC", "quarter": "2022-23 Q1", **FIGURES}
    bad = {"partner": "PCC", "quarter": "2022-23 Q1", **FIGURES, "adoption_orders": "-1"}
    refused = await client.post(
        "/board/figures/import", files={"file": ("f.csv", _csv(good, bad), "text/csv")}
    )
    assert refused.status_code == 422
    assert "Row 3: The number of adoption orders granted cannot be negative" in refused.text
    assert await QuarterFigures.count() == 0
    ok = {**bad, "adoption_orders": "5"}
    accepted = await client.post(
        "/board/figures/import",
        files={"file": ("f.csv", _csv(good, ok), "text/csv")},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert await QuarterFigures.count() == 2
    later = {**good, "quarter": "2022-23 Q2"}
    clash = await client.post(
        "/board/figures/import", files={"file": ("f.csv", _csv(later, good), "text/csv")}
    )
    assert clash.status_code == 409
    assert await QuarterFigures.count() == 2


async def test_a_comparison_figure_is_recorded_once_per_quarter(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    form = {
        "scope": "national",
        "indicator": "conversion",
        "comparison_quarter": "2022-23 Q3",
        "percent": "12",
    }
    assert (await client.post("/board/figures/comparisons", data=form)).status_code == 200
    again = await client.post("/board/figures/comparisons", data={**form, "percent": "40"})
    assert again.status_code == 409
    assert [r["percent"] for r in await ComparisonFigure.select()] == [Decimal("12.00")]


async def test_shares_that_do_not_add_up_to_100_are_refused_and_nothing_changes(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    response = await client.post(
        "/board/funding/shares",
        data={
            "financial_year": "2026",
            f"share-{agency['CCC']}": "70",
            f"share-{agency['PCC']}": "20",
        },
    )
    assert response.status_code == 422
    assert "add up to exactly 100%; they add up to 90%" in response.text
    assert await FundingShare.count() == 0


async def test_contributions_are_indexed_and_split_to_the_penny(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    await services.set_shares(
        audit.SYSTEM, 2024, {agency["CCC"]: Decimal("70"), agency["PCC"]: Decimal("30")}
    )
    await client.post(
        "/board/funding/plan",
        data={"base_year": "2024", "base_budget": "1000000.01", "last_year": "2025"},
    )
    await client.post(
        "/board/funding/indexation", data={"index_year": "2025", "index_percent": "3.5"}
    )
    view = await services.funding()
    assert [y.total for y in view.years] == [Decimal("1000000.01"), Decimal("1035000.01")]
    assert [c.amount for c in view.years[1].contributions] == [
        Decimal("724500.01"),
        Decimal("310500.00"),
    ]
    page = await client.get("/board/funding")
    assert "£724,500.01" in page.text


async def test_the_chair_sees_who_is_below_the_threshold_and_a_board_member_sees_no_names(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    for weeks in (30, 20, 10, 2):
        meeting_id = await _meeting(clock.today() - timedelta(weeks=weeks))
        await services.record_attendance(
            audit.SYSTEM,
            meeting_id,
            0,
            {
                str(board["chair"]): "present",
                str(board["vice"]): "present",
                str(board["finance"]): "absent" if weeks > 10 else "present",
                str(board["adopter"]): "present",
            },
        )
    await services.create_action(
        audit.SYSTEM,
        meeting_id,
        {
            "description": "Chase the missing returns",
            "owner": board["finance_person"],
            "due_on": clock.today().isoformat(),
        },
    )
    await sign_in(Role.BOARD_CHAIR)
    chair_view = await client.get("/board")
    assert chair_view.status_code == 200
    assert "Fay Finance: attended 2 of 4 meetings (50%)" in chair_view.text
    assert "Chase the missing returns" in chair_view.text
    assert "No ADM decisions recorded yet." in chair_view.text
    assert "<svg" in chair_view.text
    await sign_in(Role.BOARD_MEMBER)
    member_view = await client.get("/board")
    assert "Fay Finance" not in member_view.text
    assert "Chase the missing returns" not in member_view.text
    assert "Peterborough City Council" in member_view.text
    viewed = await AuditEntry.select().where(AuditEntry.record_type == "board_dashboard")
    assert len(viewed) == 2


async def test_the_quorum_threshold_is_configurable_and_a_stale_edit_is_refused(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    form = {
        "attendance_threshold_percent": "80",
        "attendance_window_months": "12",
        "quorum_chair_or_vice_chair": "1",
        "quorum_minimum_attending": "3",
        "actions_due_soon_days": "14",
        "actions_reminder_days_before": "7",
        "agreement_reminder_days_before": "90",
        "version": "0",
    }
    saved = await client.post("/board/terms-of-reference", data=form, follow_redirects=False)
    assert saved.status_code == 303
    policy = await services.policy()
    assert policy.version == 1
    assert policy.attendance.threshold_percent == Decimal(80)
    assert policy.quorum.every_partner is False
    stale = await client.post("/board/terms-of-reference", data={**form, "version": "0"})
    assert stale.status_code == 409
    bad = await client.post(
        "/board/terms-of-reference", data={**form, "version": "1", "attendance_window_months": "x"}
    )
    assert bad.status_code == 422
    assert (await services.policy()).version == 1


async def test_a_member_cannot_be_added_twice_for_the_same_dates(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    response = await client.post(
        "/board/members/new",
        data={
            "person": str(board["vice_person"]),
            "seat": "finance",
            "partner": "",
            "starts_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 422
    assert "Select the partner the member represents" in response.text
    response = await client.post(
        "/board/members/new",
        data={
            "person": str(board["vice_person"]),
            "seat": "finance",
            "partner": "1",
            "starts_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 409
    assert "already a board member" in response.text


async def test_the_board_report_downloads_as_a_word_document_and_is_recorded(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await services.enter_figures(
        audit.SYSTEM, {"partner": "CCC", "quarter": "2022-23 Q3", **FIGURES}
    )
    await sign_in(Role.BOARD_CHAIR)
    response = await client.get(
        "/board/report/board-report.docx", params={"first": "2022-23 Q1", "last": "2022-23 Q3"}
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        body = docx.read("word/document.xml").decode()
        assert any(name.endswith(".svg") for name in docx.namelist())
    assert "Conversion from enquiry to Stage 1: 14%" in body
    assert "2022-23 Q1 to 2022-23 Q3" in body
    assert await AuditEntry.exists().where(
        (AuditEntry.record_type == "board_report") & (AuditEntry.action == "download")
    )
    wrong = await client.get("/board/report/board-report.docx", params={"first": "Q9"})
    assert wrong.status_code == 422


async def test_the_api_refuses_attendance_recorded_twice(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today())
    body = {
        "attendance_version": 0,
        "marks": {str(board[k]): "present" for k in ("chair", "vice", "finance", "adopter")},
    }
    first = await client.post(f"/api/v1/board/meetings/{meeting_id}/attendance", json=body)
    assert first.status_code == 201
    assert first.json() == {"quorate": True, "shortfalls": []}
    second = await client.post(f"/api/v1/board/meetings/{meeting_id}/attendance", json=body)
    assert second.status_code == 409
    unknown = await client.post(
        f"/api/v1/board/meetings/{meeting_id}/attendance", json={**body, "extra": 1}
    )
    assert unknown.status_code == 400


async def test_moving_a_meeting_sends_a_new_revision_and_cancelling_it_a_cancellation(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    day = clock.today() + timedelta(days=40)
    meeting_id = await _meeting(day)
    moved = await client.post(
        f"/board/meetings/{meeting_id}",
        data={
            "title": "Partnership board",
            "day": (day + timedelta(days=1)).isoformat(),
            "starts": "10:00",
            "ends": "12:00",
            "version": "1",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303
    stale = await client.post(
        f"/board/meetings/{meeting_id}",
        data={"day": day.isoformat(), "starts": "9", "ends": "10", "version": "1"},
    )
    assert stale.status_code == 409
    cancelled = await client.post(
        f"/board/meetings/{meeting_id}/cancel", data={"version": "2"}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    calendars = [_attachment(m) for m in await OutboxMessage.select()]
    assert sum("SEQUENCE:1" in c and "METHOD:REQUEST" in c for c in calendars) == 4
    assert sum("SEQUENCE:2" in c and "METHOD:CANCEL" in c for c in calendars) == 4
    row = await BoardMeeting.select().where(BoardMeeting.id == meeting_id).first()
    assert row["status"] == "cancelled"


async def test_the_api_creates_and_updates_actions_with_versions(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    meeting_id = await _meeting(clock.today())
    due = (clock.today() + timedelta(days=7)).isoformat()
    no_owner = await client.post(
        "/api/v1/board/actions",
        json={"meeting_id": meeting_id, "description": "Brief the councils", "due_on": due},
    )
    assert no_owner.status_code == 422
    assert no_owner.json()["errors"] == {"owner": "Select who owns the action"}
    created = await client.post(
        "/api/v1/board/actions",
        json={
            "meeting_id": meeting_id,
            "description": "Brief the councils",
            "owner_person_id": board["chair_person"],
            "due_on": due,
        },
    )
    assert created.status_code == 201
    action = created.json()
    assert action["owner"] == "Ruth Chair"
    done = await client.put(
        f"/api/v1/board/actions/{action['id']}",
        json={"version": 1, "status": "done", "note": "Briefed"},
    )
    assert done.json()["status"] == "done"
    stale = await client.put(
        f"/api/v1/board/actions/{action['id']}", json={"version": 1, "status": "open"}
    )
    assert stale.status_code == 409


async def test_corrected_figures_need_the_version_they_were_read_at(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    figures_id = await services.enter_figures(
        audit.SYSTEM, {"partner": "CCC", "quarter": "2022-23 Q3", **FIGURES}
    )
    fixed = await client.post(
        f"/board/figures/{figures_id}",
        data={**FIGURES, "enquiries": "223", "version": "1"},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    stale = await client.post(
        f"/board/figures/{figures_id}", data={**FIGURES, "enquiries": "1", "version": "1"}
    )
    assert stale.status_code == 409
    row = await QuarterFigures.select().first()
    assert (row["enquiries"], row["version"]) == (223, 2)


async def test_a_board_member_cannot_open_meetings_actions_or_the_report(
    client: Any, sign_in: Any, board: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_MEMBER)
    for path in ("/board/meetings", "/board/actions", "/board/report", "/api/v1/board/actions"):
        assert (await client.get(path)).status_code == 403, path
    assert (await client.get("/board")).status_code == 200
