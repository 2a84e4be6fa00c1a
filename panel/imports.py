"""The central list as CSV and XLSX: an all-or-nothing checked import, a spreadsheet-safe export."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from governance.audit import Actor
from governance.errors import Invalid
from panel import services

# (key, heading): the heading is what a spreadsheet shows; either is accepted on import.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("seats", "Seats"),
    ("pqe_years", "Years of PQE"),
    ("independent", "Independent of the agency"),
    ("dependency_ended_on", "Tie to the agency ended"),
    ("experience", "Personal experience"),
    ("gender", "Gender"),
    ("age_band", "Age band"),
    ("ethnicity", "Ethnicity"),
    ("languages", "Languages"),
    ("joined_on", "Date joined"),
    ("dbs_checked_on", "Enhanced DBS check"),
    ("induction_on", "Induction"),
    ("equality_and_diversity_on", "Equality and diversity training"),
    ("safeguarding_on", "Safeguarding training"),
    ("reviewed_on", "Annual review"),
)
REQUIRED = ("name", "email", "seats", "joined_on")
MAX_ROWS = 2000
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _unescape(value: str) -> str:
    # Our own export's protective apostrophe comes off again on the way back in.
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


@dataclass
class RowReport:
    number: int  # the spreadsheet's row number, heading row being 1
    name: str
    email: str
    errors: dict[str, str] = field(default_factory=dict)
    outcome: str = ""  # "added" or "updated" once applied


@dataclass
class ImportReport:
    rows: list[RowReport]
    applied: bool
    problem: str = ""  # a problem with the whole file

    @property
    def failed(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _unescape(str(value).strip())


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows keyed by column key; raises Invalid about the whole file."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise Invalid({"file": "The file is not a readable .xlsx workbook"}) from None
        sheet = book.worksheets[0]
        table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid({"file": "Save the CSV file as UTF-8 and try again"}) from None
        table = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise Invalid({"file": "Choose a .csv or .xlsx file"})
    table = [row for row in table if any(row)]
    if not table:
        raise Invalid({"file": "The file is empty"})
    by_heading = {h.casefold(): k for k, h in COLUMNS} | {k: k for k, _ in COLUMNS}
    headings = [by_heading.get(h.strip().casefold(), "") for h in table[0]]
    missing = [dict(COLUMNS)[k] for k in REQUIRED if k not in headings]
    if missing:
        raise Invalid(
            {"file": "The first row must name the columns; missing: " + ", ".join(missing)}
        )
    if len(table) - 1 > MAX_ROWS:
        raise Invalid({"file": f"Import at most {MAX_ROWS} rows at a time"})
    return [
        {key: (row[i] if i < len(row) else "") for i, key in enumerate(headings) if key}
        for row in table[1:]
    ]


async def import_list(actor: Actor, filename: str, data: bytes, *, path: str = "") -> ImportReport:
    rows = read_rows(filename, data)
    reports: list[RowReport] = []
    checked: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        report = RowReport(number, raw.get("name", ""), raw.get("email", ""))
        try:
            values = services.check_member(raw)
        except Invalid as error:
            report.errors = error.errors
        else:
            if values["email"] in seen:
                report.errors = {"email": f"Same email address as row {seen[values['email']]}"}
            seen.setdefault(values["email"], number)
            checked.append(values)
        reports.append(report)
    if any(r.errors for r in reports):
        return ImportReport(reports, applied=False)
    outcomes = await services.import_members(actor, checked, path=path)
    for report, outcome in zip(reports, outcomes, strict=True):
        report.outcome = outcome
    return ImportReport(reports, applied=True)


def _export_table(rows: list[dict[str, Any]]) -> list[list[str]]:
    table = [[heading for _, heading in COLUMNS]]
    for row in rows:
        out = []
        for key, _ in COLUMNS:
            value = row.get(key)
            if key == "independent":
                text = "yes" if value else "no"
            elif isinstance(value, date):
                text = value.isoformat()
            elif value is None:
                text = ""
            else:
                text = str(value)
            if key in ("seats", "experience", "languages"):
                text = "; ".join(services._listed(text))
            out.append(escape_cell(text))
        table.append(out)
    return table


def export_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_export_table(rows))
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Central list"
    for values in _export_table(rows):
        sheet.append(values)
    # Every cell is text: openpyxl would otherwise store a leading "=" as a formula.
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
