import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time

import docx
import pytest

from panel import minutes as m

CHAIR = m.Attendee("Helen Carter", "Chair")
SOCIAL_WORKER = m.Attendee("David Okafor", "Social worker (3+ years' PQE)")
INDEPENDENT = m.Attendee("Ruth Evans", "Independent member", arrived=time(10, 20))
ADOPTER = m.Attendee("Amir Khan", "Adoptive parent", left=time(12, 15))
MEDICAL = m.Attendee("Lisa Grant", "Medical adviser (member)")
ADVISER = m.Attendee("Sarah Lee", "Panel adviser", member=False)
ADMINISTRATOR = m.Attendee("Tom Price", "Panel administrator", member=False)

APPROVAL = m.Item(
    number=1,
    title="Approval of prospective adopters: CPA-2026-0142 (A.S. and S.S.)",
    present=(CHAIR, SOCIAL_WORKER, INDEPENDENT, ADOPTER, MEDICAL, ADVISER),
    declarations=(m.Declaration("Amir Khan", "Knows the applicants' referee", withdrew=False),),
    quorate=True,
    quorum="5 members present, including the chair, a social worker and an independent member.",
    recommendation="That A.S. and S.S. are suitable to adopt.",
    reasons=("The assessment is thorough and the applicants showed insight.",),
    views=(
        m.View("Helen Carter", "Supports approval."),
        m.View("David Okafor", "Supports approval."),
        m.View("Ruth Evans", "Not yet ready to care for a child.", dissents=True),
        m.View("Amir Khan", "Supports approval."),
        m.View("Lisa Grant", "No health concerns."),
    ),
    advice=("Up to two children aged 0 to 4.",),
)
MATCH = m.Item(
    number=2,
    title="Match: CPA-2026-0099 (J.B.) with R.T. and M.T.",
    present=(CHAIR, SOCIAL_WORKER, INDEPENDENT, MEDICAL, ADVISER),
    declarations=(m.Declaration("Amir Khan", "Supervised the foster carer", withdrew=True),),
    quorate=False,
    quorum="4 members present, 5 needed.",
    deferral=m.Deferral(
        "The adoption support plan was not in the papers.",
        ("Adoption support plan", "Updated medical report"),
    ),
)
MINUTES = m.Minutes(
    meeting=m.Meeting(
        "Cambridgeshire & Peterborough Adoption",
        date(2026, 3, 26),
        time(10),
        time(13, 30),
        "Committee Room 2, New Shire Hall",
    ),
    attendance=(CHAIR, SOCIAL_WORKER, INDEPENDENT, ADOPTER, MEDICAL, ADVISER, ADMINISTRATOR),
    apologies=(m.Apology("Gill Hart", "Vice chair"),),
    items=(APPROVAL, MATCH),
    status=m.MinutesStatus.FINAL,
)
REVIEW = m.QualityReview(
    agency_name="Cambridgeshire & Peterborough Adoption",
    period_start=date(2025, 10, 1),
    period_end=date(2026, 3, 31),
    prepared_by="Helen Carter, panel chair",
    ratings=(
        m.ReportRating("PAR", "North team", "Cambridgeshire", m.Grade.GOOD, m.Grade.GOOD, True),
        m.ReportRating(
            "PAR",
            "South team",
            "Peterborough",
            m.Grade.ADEQUATE,
            m.Grade.POOR,
            False,
            comment="The chronology was missing.",
        ),
        m.ReportRating("CPR", "Children's team", "Peterborough", m.Grade.GOOD, m.Grade.POOR, True),
    ),
    comments=("Reports have improved since the last review.",),
)


def opened(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def text_of(data: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in opened(data).paragraphs)


def header_of(data: bytes) -> str:
    header = opened(data).sections[0].header
    return "\n".join(paragraph.text for paragraph in header.paragraphs)


def tables_of(data: bytes) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in table.rows] for table in opened(data).tables
    ]


def test_minutes_list_members_apart_from_advisers_with_arrival_and_departure_times() -> None:
    members, in_attendance = tables_of(m.full_minutes(MINUTES))

    assert members == [
        ["Name", "Role", "Arrived", "Left"],
        ["Helen Carter", "Chair", "10:00", "13:30"],
        ["David Okafor", "Social worker (3+ years' PQE)", "10:00", "13:30"],
        ["Ruth Evans", "Independent member", "10:20", "13:30"],
        ["Amir Khan", "Adoptive parent", "10:00", "12:15"],
        ["Lisa Grant", "Medical adviser (member)", "10:00", "13:30"],
    ]
    assert in_attendance == [
        ["Name", "Role", "Arrived", "Left"],
        ["Sarah Lee", "Panel adviser", "10:00", "13:30"],
        ["Tom Price", "Panel administrator", "10:00", "13:30"],
    ]


def test_minutes_give_the_meeting_and_the_apologies() -> None:
    text = text_of(m.full_minutes(MINUTES))

    assert "Date: Thursday 26 March 2026\nTime: 10:00 to 13:30" in text
    assert "Venue: Committee Room 2, New Shire Hall" in text
    assert "Apologies\nGill Hart, Vice chair" in text


def test_an_item_records_declarations_quorum_recommendation_reasons_views_and_advice() -> None:
    text = text_of(m.full_minutes(MINUTES))

    assert "Item 1: Approval of prospective adopters: CPA-2026-0142 (A.S. and S.S.)" in text
    assert "Amir Khan: Knows the applicants' referee. Stayed for this item." in text
    assert "Quorate. 5 members present, including the chair" in text
    assert "Recommendation\nThat A.S. and S.S. are suitable to adopt." in text
    assert "Reasons\nThe assessment is thorough and the applicants showed insight." in text
    assert "Ruth Evans (dissented): Not yet ready to care for a child." in text
    assert "Lisa Grant: No health concerns." in text
    assert "Advice\nUp to two children aged 0 to 4." in text


def test_a_dissent_is_recorded_as_a_majority_recommendation_naming_the_dissenter() -> None:
    text = text_of(m.full_minutes(MINUTES))

    assert (
        "The recommendation was made by a majority: 4 of 5 members agreed. Dissenting: Ruth Evans."
    ) in text


def test_a_recommendation_nobody_dissented_from_is_recorded_as_unanimous() -> None:
    agreed = replace(
        APPROVAL, views=(m.View("Helen Carter", "Agree."), m.View("Lisa Grant", "Agree."))
    )

    text = text_of(m.full_minutes(replace(MINUTES, items=(agreed,))))

    assert "The recommendation was unanimous (2 members)." in text


def test_a_deferred_item_records_why_and_the_information_needed() -> None:
    text = text_of(m.full_minutes(MINUTES))

    assert "Amir Khan: Supervised the foster carer. Withdrew for this item." in text
    assert "Not quorate. 4 members present, 5 needed." in text
    assert "Deferred\nThe adoption support plan was not in the papers." in text
    assert "Information needed\nAdoption support plan\nUpdated medical report" in text


def test_no_recommendation_may_be_recorded_while_the_panel_is_inquorate() -> None:
    with pytest.raises(ValueError, match="inquorate"):
        replace(MATCH, deferral=None, recommendation="That the match is made.")


def test_an_item_cannot_be_both_recommended_and_deferred() -> None:
    with pytest.raises(ValueError, match="recommended or deferred"):
        replace(APPROVAL, deferral=MATCH.deferral)


def test_an_adviser_cannot_give_a_view() -> None:
    with pytest.raises(ValueError, match="not sitting as members"):
        replace(APPROVAL, views=(m.View("Sarah Lee", "Supports approval."),))


def test_a_corrected_version_must_say_why() -> None:
    with pytest.raises(ValueError, match="must say why"):
        replace(MINUTES, version=2)


def test_the_header_shows_the_status_version_and_correction() -> None:
    draft = replace(MINUTES, status=m.MinutesStatus.DRAFT)
    corrected = replace(MINUTES, version=2, correction_reason="Item 1: a role was wrong.")

    assert header_of(m.full_minutes(draft)) == "OFFICIAL-SENSITIVE\nDraft minutes, version 1"
    assert header_of(m.full_minutes(corrected)) == (
        "OFFICIAL-SENSITIVE\nFinal minutes, version 2. Corrected: Item 1: a role was wrong."
    )


def test_an_extract_holds_its_own_item_and_nothing_from_the_others() -> None:
    data = m.item_extract(MINUTES, 2)

    text = text_of(data)
    assert "Item 2: Match: CPA-2026-0099 (J.B.) with R.T. and M.T." in text
    assert "Present for this item\nHelen Carter, Chair" in text
    assert "Amir Khan: Supervised the foster carer. Withdrew for this item." in text
    assert "Not quorate. 4 members present, 5 needed." in text
    assert "CPA-2026-0142" not in text
    assert "A.S. and S.S." not in text
    assert "Gill Hart" not in text
    assert tables_of(data) == []
    assert header_of(data) == "OFFICIAL-SENSITIVE\nExtract: item 2. Final minutes, version 1"


def test_an_extract_gives_the_decision_maker_views_and_advice() -> None:
    text = text_of(m.item_extract(MINUTES, 1))

    assert "Recommendation\nThat A.S. and S.S. are suitable to adopt." in text
    assert "Ruth Evans (dissented): Not yet ready to care for a child." in text
    assert "Advice\nUp to two children aged 0 to 4." in text


def test_an_extract_is_not_made_from_draft_minutes() -> None:
    with pytest.raises(ValueError, match="only from approved minutes"):
        m.item_extract(replace(MINUTES, status=m.MinutesStatus.DRAFT), 1)


def test_an_extract_of_an_item_the_minutes_do_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="no item 3"):
        m.item_extract(MINUTES, 3)


def test_minutes_extracts_and_reports_are_the_same_bytes_each_time_with_no_clock() -> None:
    builds: tuple[Callable[[], bytes], ...] = (
        lambda: m.full_minutes(MINUTES),
        lambda: m.item_extract(MINUTES, 1),
        lambda: m.qa_report(REVIEW),
    )
    for build in builds:
        data = build()
        assert build() == data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_qa_report_rates_reports_by_type_team_and_partner_on_each_criterion() -> None:
    by_type, by_team, by_partner = tables_of(m.qa_report(REVIEW))

    criteria = ["Reports", "Thorough, rigorous, consistent and fair", "Complete", "On time"]
    assert by_type == [
        ["Report type", *criteria],
        ["CPR", "1", "1 / 0 / 0", "0 / 0 / 1", "1 of 1"],
        ["PAR", "2", "1 / 1 / 0", "1 / 0 / 1", "1 of 2"],
        ["All reports", "3", "2 / 1 / 0", "1 / 0 / 2", "2 of 3"],
    ]
    assert [row[0] for row in by_team] == [
        "Team",
        "Children's team",
        "North team",
        "South team",
        "All reports",
    ]
    assert by_partner[1:] == [
        ["Cambridgeshire", "1", "1 / 0 / 0", "1 / 0 / 0", "1 of 1"],
        ["Peterborough", "2", "1 / 1 / 0", "0 / 0 / 2", "1 of 2"],
        ["All reports", "3", "2 / 1 / 0", "1 / 0 / 2", "2 of 3"],
    ]


def test_the_qa_report_gives_the_period_and_the_comments() -> None:
    text = text_of(m.qa_report(REVIEW))

    assert "Period: 1 October 2025 to 31 March 2026" in text
    assert "Comments\nReports have improved since the last review." in text
    assert "PAR, South team (Peterborough): The chronology was missing." in text


def test_a_qa_report_with_no_ratings_says_so() -> None:
    data = m.qa_report(replace(REVIEW, ratings=(), comments=()))

    assert "The panel rated no reports in this period." in text_of(data)
    assert tables_of(data) == []


def test_a_review_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        replace(REVIEW, period_end=date(2025, 9, 30))


def test_every_panel_document_is_marked_official_sensitive() -> None:
    for data in (m.full_minutes(MINUTES), m.item_extract(MINUTES, 2), m.qa_report(REVIEW)):
        assert header_of(data).startswith("OFFICIAL-SENSITIVE")
        footer = opened(data).sections[0].footer.paragraphs[0].text
        assert footer == "OFFICIAL-SENSITIVE"
