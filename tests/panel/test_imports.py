"""Importing the central list from what people have: the template, labels or codes, the export
round trip, and files that are not what they claim to be."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook

from governance import audit
from governance.roles import Role
from panel import imports, services
from panel.tables import PanelMember
from tests.panel.support import central_list, evidence

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _post(client: Any, name: str, data: bytes) -> Any:
    return await client.post(
        "/panel/members/import", files={"file": (name, data, "application/octet-stream")}
    )


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADINGS = ["Name", "Email", "Seats", "Years of PQE", "Independent of the agency",
            "Personal experience", "Gender", "Age band", "Ethnicity", "Date joined",
            "Enhanced DBS check", "Induction", "Equality and diversity training",
            "Safeguarding training", "Annual review"]  # fmt: skip


def _row(name: str, email: str, seats: str, pqe: str, independent: str, *labels: str) -> list[str]:
    e = evidence()
    experience, gender, band, ethnicity = (*labels, "", "", "", "")[:4]
    return [name, email, seats, pqe, independent, experience, gender, band, ethnicity,
            e["joined_on"], e["dbs_checked_on"], e["induction_on"],
            e["equality_and_diversity_on"], e["safeguarding_on"], e["reviewed_on"]]  # fmt: skip


LABELLED = [
    _row("Nia Owen", "nia@example.org", "Chair", "", "Yes", "", "Female", "60-69", "White"),
    _row("Raj Shah", "raj@example.org", "  SOCIAL   worker ; Vice-chair", "7", "no", "",
         "male", "40-49", "Asian or Asian British: Indian"),
    _row("Cal Byrne", "cal@example.org", "independent member", "", "YES", "adopted adult",
         "Non-binary", "18-29", "mixed or multiple"),
    _row("Dee Khan", "dee@example.org", "medical_adviser", "", "y", "", "female", "50-59",
         "asian_pakistani"),
]  # fmt: skip


async def _state() -> list[dict[str, Any]]:
    rows = await PanelMember.select(
        PanelMember.person.email, *(getattr(PanelMember, c) for c in services.MEMBER_COLUMNS)
    ).order_by(PanelMember.person.email)
    return list(rows)


async def test_the_template_has_headings_an_example_row_and_the_allowed_values(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    page = await client.get("/panel/members/import")
    assert 'href="/panel/members/template.xlsx"' in page.text
    assert "Mixed or multiple" in page.text and "Adopted adult" in page.text
    assert "Chair; Vice chair; Social worker; Medical adviser" in page.text

    as_csv = await client.get("/panel/members/template.csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == [heading for _, heading in imports.COLUMNS]
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example["Seats"] == "Social worker; Vice chair"
    assert example["Ethnicity"] == "Mixed or multiple"
    assert example["Independent of the agency"] == "No"

    as_xlsx = await client.get("/panel/members/template.xlsx")
    assert as_xlsx.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert book.sheetnames == ["Central list", "Allowed values"]
    sheet = book["Central list"]
    assert [c.value for c in sheet[1]] == rows[0]
    assert [c.value or "" for c in sheet[2]] == rows[1]
    allowed = {r[0]: r[2] for r in book["Allowed values"].iter_rows(values_only=True)}
    assert "Adopted adult" in allowed["Personal experience"]
    assert "Mixed or multiple" in allowed["Ethnicity"]
    # Gender, age band, ethnicity and independence offer a drop-down list of the allowed values.
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert {"F2", "I2", "J2", "K2"} <= validated


async def test_the_unchanged_template_is_refused_for_its_example_row(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    for name in ("template.csv", "template.xlsx"):
        data = (await client.get(f"/panel/members/{name}")).content
        response = await _post(client, name, data)
        assert response.status_code == 422
        assert "the template&#39;s example row: delete it" in response.text
    assert await PanelMember.count() == 0


async def test_the_template_filled_in_with_labels_imports(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    book = load_workbook(io.BytesIO((await client.get("/panel/members/template.xlsx")).content))
    sheet = book["Central list"]
    sheet["A2"], sheet["B2"] = "Alex Morgan", "alex.morgan@example.org"
    sheet["L2"] = "Polish; BSL"
    out = io.BytesIO()
    book.save(out)
    response = await _post(client, "filled.xlsx", out.getvalue())
    assert response.status_code == 200, response.text
    member = (await _state())[0]
    assert member["seats"] == "vice_chair,social_worker"
    assert (member["experience"], member["gender"], member["ethnicity"]) == (
        "adopted_adult",
        "non_binary",
        "mixed",
    )
    assert not member["independent"]  # a vice chair need not be independent: AAR reg 4(1)(b)


async def test_labels_and_codes_are_accepted_whatever_their_case_and_spaces_in_csv_and_xlsx(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await _post(client, "list.csv", _csv([HEADINGS, *LABELLED]))
    assert response.status_code == 200, response.text
    assert "Imported 4 rows" in response.text
    from_csv = await _state()
    by_email = {r["person.email"]: r for r in from_csv}
    assert by_email["raj@example.org"]["seats"] == "vice_chair,social_worker"
    assert by_email["raj@example.org"]["ethnicity"] == "asian_indian"
    assert by_email["cal@example.org"]["experience"] == "adopted_adult"
    assert by_email["cal@example.org"]["ethnicity"] == "mixed"
    assert by_email["dee@example.org"]["independent"]
    await PanelMember.delete(force=True)

    headings = [" name ", "EMAIL", "seats", *HEADINGS[3:]]  # headings or codes, any case
    response = await _post(client, "list.xlsx", _xlsx([headings, *LABELLED]))
    assert response.status_code == 200, response.text
    assert await _state() == from_csv


async def test_an_unknown_label_is_named_with_what_the_column_takes(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    bad = [
        _row("Nia Owen", "nia@example.org", "Chair; Captain", "", "Yes"),
        _row("Raj Shah", "raj@example.org", "Social worker", "7", "perhaps", "", "Mle"),
    ]
    response = await _post(client, "list.csv", _csv([HEADINGS, *bad]))
    assert response.status_code == 422
    assert "Captain: not a seat; choose from Chair; Vice chair; Social worker" in response.text
    assert "Independent of the agency must be Yes or No" in response.text
    assert "Mle is not one of the Gender values: choose from Female; Male; Non-binary" in (
        response.text
    )
    assert await PanelMember.count() == 0


async def test_the_export_writes_labels_and_imports_again_unchanged(client, sign_in) -> None:
    await central_list(Ben={"ethnicity": "mixed"}, Victor={"independent": ""})
    await sign_in(Role.PANEL_ADVISER)
    before = await _state()

    as_csv = (await client.get("/panel/members/export.csv")).content
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig"))))
    exported = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert exported["Ben Born"]["Personal experience"] == "Adopted adult"
    assert exported["Ben Born"]["Ethnicity"] == "Mixed or multiple"
    assert exported["Sally Social"]["Seats"] == "Social worker"
    assert exported["Victor Vice"]["Independent of the agency"] == "No"
    assert exported["Clara Chair"]["Gender"] == "Female"

    again = await _post(client, "central-list.csv", as_csv)
    assert again.status_code == 200, again.text
    assert again.text.count("Updated") == 8
    assert await _state() == before

    as_xlsx = (await client.get("/panel/members/export.xlsx")).content
    again = await _post(client, "central-list.xlsx", as_xlsx)
    assert again.status_code == 200, again.text
    assert await _state() == before


async def test_a_member_named_like_a_formula_is_exported_as_text_and_imports_again(
    client, sign_in
) -> None:
    await services.create_member(
        audit.SYSTEM,
        evidence(name='=HYPERLINK("http://evil.example")', email="nia@example.org", seats="chair")
        | {"independent": "yes"},
    )
    await sign_in(Role.PANEL_ADVISER)
    csv_text = (await client.get("/panel/members/export.csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    exported = (await client.get("/panel/members/export.xlsx")).content
    sheet = load_workbook(io.BytesIO(exported))["Central list"]
    assert sheet["A2"].value == '\'=HYPERLINK("http://evil.example")'
    assert all(c.data_type == "s" for c in sheet["A"])
    again = await _post(client, "back.xlsx", exported)
    assert again.status_code == 200, again.text
    assert "Updated" in again.text
    row = await PanelMember.select(PanelMember.person.name).first()
    assert row["person.name"] == '=HYPERLINK("http://evil.example")'


async def test_a_csv_with_a_byte_order_mark_imports(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    data = "\ufeff".encode() + _csv([HEADINGS, LABELLED[0]])
    response = await _post(client, "excel.csv", data)
    assert response.status_code == 200, response.text
    assert await PanelMember.count() == 1


async def test_a_csv_saved_from_excel_under_another_name_is_read_by_its_content(
    client, sign_in
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await _post(client, "list.xlsx.txt", _xlsx([HEADINGS, LABELLED[0]]))
    assert response.status_code == 200, response.text
    assert await PanelMember.count() == 1


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (imports.MAX_UNZIPPED_BYTES + 1))
    return out.getvalue()


def _hostile() -> dict[str, tuple[str, bytes, str]]:
    good = [HEADINGS, LABELLED[0]]
    formula_sheet = _xlsx([HEADINGS, [*LABELLED[0][:3], "=1+1", *LABELLED[0][4:]]])
    return {
        "a pdf": ("list.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not a spreadsheet we read"),
        "an image named .xlsx": ("list.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(64), "not a readable"),
        "a zip bomb": ("list.xlsx", _zip_bomb(), "too large to read"),
        "a broken workbook": ("list.xlsx", b"PK\x03\x04" + bytes(200), "not a readable .xlsx"),
        "an old .xls": ("list.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old Excel"),
        "a huge file": ("list.csv", _csv(good) + b"x" * imports.MAX_BYTES, "larger than 5 MB"),
        "too many rows": (
            "list.csv",
            _csv([HEADINGS, *([LABELLED[0]] * (imports.MAX_ROWS + 1))]),
            "at most 2000 rows",
        ),
        "a formula cell": ("list.xlsx", formula_sheet, "Cell D2 holds a formula"),
        "a formula in a csv": (
            "list.csv",
            _csv([HEADINGS, ["=cmd|'/C calc'!A0", *LABELLED[0][1:]]]),
            "which a spreadsheet runs as a formula",
        ),
        "latin-1": ("list.csv", _csv(good).replace(b"Nia", "Zoë".encode("latin-1")), "UTF-8"),
        "utf-16": ("list.csv", "\ufeffName,Email".encode("utf-16-le"), "UTF-16"),
        "nul bytes": ("list.csv", b"Name,Email\x00\x00,Seats", "not a CSV text file"),
        "no headings": ("list.csv", _csv([LABELLED[0]]), "The first row must name the columns"),
        "empty": ("list.csv", b"\xef\xbb\xbf\r\n", "The file is empty"),
        "headings only": ("list.csv", _csv([HEADINGS]), "the headings but no members"),
    }


async def test_hostile_files_get_a_clear_message_and_change_nothing(client, sign_in) -> None:
    await central_list()
    await sign_in(Role.PANEL_ADVISER)
    before = await _state()
    for what, (name, data, message) in _hostile().items():
        response = await _post(client, name, data)
        assert response.status_code == 422, (what, response.status_code)
        assert message in response.text.replace("&#39;", "'"), what
        assert 'class="govuk-error-summary' in response.text, what
        assert await _state() == before, what
