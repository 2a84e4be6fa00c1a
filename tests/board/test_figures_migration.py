"""The migration that gives the adopter gap its own counts keeps every quarter already entered:
its figures unchanged, the two new counts NULL ("not recorded", never 0), so the gap of an old
quarter reads "not applicable" rather than a figure worked out from the wrong counts."""

from __future__ import annotations

from tests import support

_SCRIPT = """
import asyncio
from piccolo.apps.migrations.commands.backwards import run_backwards
from piccolo.apps.migrations.commands.forwards import run_forwards
from governance.tables import Agency, Partner, PartnerKind
from board import services
from board.rules import indicators

COLUMNS = (
    "children_placed, early_permanence_placements, adoption_orders, children_waiting,"
    " should_be_placed_decisions, enquiries, stage_1_applications, adopter_approvals,"
    " approved_adopters_waiting, support_referrals_adoptive, support_referrals_sgo,"
    " adult_referrals, initial_assessments_completed, asf_value_approved"
)

async def main():
    result = await run_backwards(
        app_name="board", migration_id="2026-12-07T13:58:31:824719", auto_agree=True
    )
    assert result.success, result.message
    agency = (await Agency.insert(Agency(name="CPA", short_name="CPA")).returning(Agency.id))
    partner = await Partner.insert(
        Partner(agency=agency[0]["id"], name="Peterborough City Council", code="PCC",
                kind=PartnerKind.LOCAL_AUTHORITY)
    ).returning(Partner.id)
    await Partner.raw(
        "INSERT INTO quarter_figures (partner, year, quarter, period_key, " + COLUMNS
        + ", source, entered_by, version) VALUES ({}, 2022, 3, 'p:2022Q3', 11, 6, 15, 43, 24,"
        " 222, 31, 23, 21, 55, 35, 40, 104, 544139.00, 'form', 'Before', 1)",
        partner[0]["id"],
    )
    before = (await Partner.raw("SELECT * FROM quarter_figures"))[0]
    print("before", "children_waiting_unmatched" in before)
    result = await run_forwards(app_name="all")
    assert result.success, result.message
    row = (await services.figure_rows())[0]
    figures = row["figures"]
    print("kept", figures.children_waiting, figures.approved_adopters_waiting, figures.enquiries)
    print("new", figures.children_waiting_unmatched, figures.adopters_waiting_unmatched)
    gap = indicators.derived(figures)
    print("gap", gap[1].shown, gap[1].not_applicable_because)

asyncio.run(main())
"""


def test_quarters_entered_before_the_unmatched_counts_keep_their_figures() -> None:
    printed = support.stdout_after_migrating("figures", _SCRIPT)
    lines = printed
    assert "before False" in lines  # the rows were written before the new columns existed
    assert "kept 43 21 222" in lines
    assert "new None None" in lines
    assert (
        "gap not applicable approved adopters waiting and not matched and children waiting "
        "and not yet matched not recorded"
    ) in lines
