"""The children's dates the scorecard measures are worked out from: entered by the chair, refused
when wrong, never shown to the board but as averages; and figures recorded before the adopter
gap had its own counts show them as not recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from board import services
from board.tables import QuarterFigures, ScorecardChild
from governance import audit, clock
from governance.roles import Role
from governance.tables import AuditEntry


def _ago(days: int) -> str:
    return (clock.today() - timedelta(days=days)).isoformat()


async def test_the_chair_enters_a_childs_dates_and_the_dashboard_shows_only_the_averages(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    # Adopted about five months ago: entered care 500 days before moving in.
    child = {
        "partner": str(agency["PCC"]),
        "reference": "CH-77",
        "entered_care_on": _ago(800),
        "placement_order_on": _ago(560),
        "match_decided_on": _ago(330),
        "moved_in_on": _ago(300),
        "adoption_order_on": _ago(150),
    }
    saved = await client.post("/board/figures/children/new", data=child, follow_redirects=False)
    assert saved.status_code == 303
    # A second child with no date of entering care: A1 says so.
    await client.post(
        "/board/figures/children/new", data={**child, "reference": "", "entered_care_on": ""}
    )
    assert await ScorecardChild.count() == 2
    assert await AuditEntry.exists().where(AuditEntry.record_type == "board_scorecard_child")

    await sign_in(Role.BOARD_MEMBER)
    page = await client.get("/board")
    scorecard = page.text.split('id="scorecard"')[1]
    assert "500 days" in scorecard
    assert "1 of 2 children counted; 1 child: no date of entering care" in scorecard
    assert "moving in with its adoptive family" in scorecard  # the definition is on the page
    figures = await client.get("/board/figures")
    assert "CH-77" not in figures.text and "CH-77" not in page.text  # aggregates only
    assert (await client.get("/board/figures/children/new")).status_code == 403


async def test_dates_in_the_wrong_order_or_the_future_are_refused_and_nothing_is_saved(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    response = await client.post(
        "/board/figures/children/new",
        data={
            "partner": str(agency["CCC"]),
            "entered_care_on": _ago(100),
            "moved_in_on": _ago(200),
            "adoption_order_on": (clock.today() + timedelta(days=1)).isoformat(),
            "fostered_from": _ago(50),
        },
    )
    assert response.status_code == 422
    assert (
        "Date the child moved in with the adoptive family cannot be before the date the child "
        "entered care"
    ) in response.text
    assert "Date of the adoption order cannot be in the future" in response.text
    assert "Leave this blank unless the child was adopted by their foster carers" in response.text
    assert "govuk-error-summary" in response.text
    assert await ScorecardChild.count() == 0


async def test_a_childs_dates_corrected_from_a_stale_page_are_refused(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    await sign_in(Role.BOARD_CHAIR)
    child_id = await services.save_child(
        audit.SYSTEM, None, 0, {"partner": str(agency["CCC"]), "entered_care_on": _ago(400)}
    )
    form = {"partner": str(agency["CCC"]), "entered_care_on": _ago(401), "version": "1"}
    fixed = await client.post(
        f"/board/figures/children/{child_id}", data=form, follow_redirects=False
    )
    assert fixed.status_code == 303
    stale = await client.post(f"/board/figures/children/{child_id}", data=form)
    assert stale.status_code == 409
    row = await ScorecardChild.select().first()
    assert (row["entered_care_on"].isoformat(), row["version"]) == (_ago(401), 2)


async def test_a_quarter_recorded_before_the_unmatched_counts_shows_them_as_not_recorded(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    from tests.board.test_pages import FIGURES

    await services.enter_figures(
        audit.SYSTEM, {"partner": "PCC", "quarter": "2022-23 Q3", **FIGURES}
    )
    # As the migration leaves a quarter entered before these counts were asked for.
    await QuarterFigures.update(
        {
            QuarterFigures.children_waiting_unmatched: None,
            QuarterFigures.adopters_waiting_unmatched: None,
        }
    ).where(QuarterFigures.id > 0)
    await sign_in(Role.BOARD_MEMBER)
    page = await client.get("/board/figures")
    assert page.text.count("not recorded") >= 2
    assert (
        "approved adopters waiting and not matched and children waiting and not yet matched "
        "not recorded"
    ) in page.text
    await sign_in(Role.BOARD_CHAIR)
    form = await client.get(f"/board/figures/{(await QuarterFigures.select().first())['id']}")
    # The form asks for them again, blank rather than "None", so a correction must give them.
    assert 'name="children_waiting_unmatched" type="text" value=""' in form.text
    assert "None" not in form.text.split('name="children_waiting_unmatched"')[1][:40]


async def test_the_board_report_carries_the_same_figures_as_the_dashboard(
    client: Any, sign_in: Any, agency: dict[str, int]
) -> None:
    import io

    from docx import Document

    from tests.board.test_pages import FIGURES

    await services.enter_figures(
        audit.SYSTEM, {"partner": "PCC", "quarter": "2022-23 Q3", **FIGURES}
    )
    await services.save_child(
        audit.SYSTEM,
        None,
        0,
        {
            "partner": str(agency["PCC"]),
            "entered_care_on": "2021-06-01",
            "placement_order_on": "2022-01-10",
            "match_decided_on": "2022-04-11",
            "moved_in_on": "2022-05-02",
            "adoption_order_on": "2022-11-20",
        },
    )
    await services.set_agreement(
        audit.SYSTEM,
        0,
        {
            "agreement_title": "Partnership agreement",
            "term_ends_on": "2030-11-30",
            "review_window_months": "6",
        },
    )
    await sign_in(Role.BOARD_CHAIR)
    response = await client.get(
        "/board/report/board-report.docx", params={"first": "2022-23 Q1", "last": "2022-23 Q3"}
    )
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert (
        "Adopter gap: -34%, worked out as (approved adopters waiting and not matched - children "
        "waiting and not yet matched) / children waiting and not yet matched = (21 - 32) / 32."
    ) in text
    assert "Children waiting and not yet matched: Of the children waiting" in text
    assert "missed and open (not done by the end of the quarter" in text
    assert "Each member's own attendance, in person, is shown apart" in text
    assert "National adoption scorecard measures" in text
    assert "335 days (1 of 1 counted)" in cells  # A1: 1 June 2021 to 2 May 2022
    assert "91 days (1 of 1 counted)" in cells  # A2: 10 January to 11 April 2022
    assert "runs at least until 30 November 2030, when it is to be considered for extension" in text
