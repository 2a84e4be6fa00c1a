"""The central list as CSV and XLSX: a template, an all-or-nothing checked import that takes the
labels the pages show as well as the codes, and a spreadsheet-safe export in those labels."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

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
HEADING = dict(COLUMNS)
REQUIRED = ("name", "email", "seats", "joined_on")
MAX_ROWS = 2000
MAX_COLUMNS = 60  # the template has 18; a sheet far wider than that is not a central list
MAX_BYTES = 5 * 1024 * 1024  # 2,000 members fill well under 1 MB
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # an .xlsx that unpacks past this is a zip bomb
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number (or a number) may start with + or - without being a formula.
PHONE = re.compile(r"[+\-]?[\d ()\-]+")
YES = ("yes", "y", "true", "1", "x")
NO = ("no", "n", "false", "0", "")
# The template's example row: imported by mistake, it is refused with a message.
EXAMPLE_EMAIL = "alex.example@example.org"

# What a column accepts, label by code: the labels the pages show.
LABELS: dict[str, dict[str, str]] = {
    "seats": dict(services.SEAT_CHOICES),
    "experience": dict(services.EXPERIENCE_CHOICES),
    "gender": dict(services.GENDER_CHOICES),
    "age_band": dict(services.AGE_BAND_CHOICES),
    "ethnicity": {k: v[0] for k, v in services.ETHNICITY_CHOICES.items()},
}
MULTIPLE = ("seats", "experience")  # several values, separated by semicolons


def _key(text: str) -> str:
    # Case, spaces, underscores and hyphens do not matter: "Vice-chair", "vice_chair" and
    # " VICE  CHAIR " are one value.
    return " ".join(re.sub(r"[_\-]", " ", text).casefold().split())


_BY_KEY: dict[str, dict[str, str]] = {
    column: {_key(label): code for code, label in labels.items()}
    | {_key(code): code for code in labels}
    for column, labels in LABELS.items()
}


def escape_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _escaped(value: str) -> bool:
    return value.startswith("'") and value[1:].startswith(FORMULA_STARTS)


@dataclass(frozen=True, slots=True)
class Allowed:
    key: str
    heading: str
    rule: str  # what the column takes, in words
    values: tuple[str, ...] = ()  # the labels it accepts, where it is a choice


def allowed_values() -> tuple[Allowed, ...]:
    """Every column, what it takes, and the labels a choice accepts (the codes are accepted too)."""
    day = "A date like 2026-03-27 (or 27/03/2026)"
    rules = {
        "name": "Required. The member's full name",
        "email": "Required. One address per member: a member already on the list is updated",
        "phone": "Optional",
        "seats": "Required. One or more, separated by semicolons",
        "pqe_years": "Whole years of post-qualifying experience; required for a social worker",
        "independent": "Yes or No (blank is No). The chair must be independent; a vice chair "
        "need not be",
        "dependency_ended_on": day + ", if the member ever had a tie to the agency",
        "experience": "Optional. One or more, separated by semicolons",
        "gender": "Optional. One of",
        "age_band": "Optional. One of",
        "ethnicity": "Optional. One of (ONS 2021 categories)",
        "languages": "Optional. Languages other than English, separated by semicolons",
        "joined_on": "Required. " + day,
    }
    return tuple(
        Allowed(
            key,
            heading,
            rules.get(key, "Optional. " + day + " of the latest one"),
            tuple(LABELS[key].values()) if key in LABELS else (),
        )
        for key, heading in COLUMNS
    )


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


class _Formula(Exception):
    """A cell holds a formula: the whole file is refused, as a spreadsheet could run it."""


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
    return str(value).strip()


def _kind(filename: str, data: bytes) -> str:
    # What the bytes are, whatever the name says: people rename files.
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(
            {"file": "This is an old Excel .xls file: save it as .xlsx or CSV UTF-8 and try again"}
        )
    if data.startswith(b"%PDF") or filename.lower().endswith((".pdf", ".doc", ".docx", ".ods")):
        raise Invalid({"file": "Choose a .csv or .xlsx file: this is not a spreadsheet we read"})
    if filename.lower().endswith(".xlsx"):
        raise Invalid({"file": "The file is not a readable .xlsx workbook"})
    return "csv"


def _xlsx_table(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise Invalid({"file": "The workbook is too large to read: import fewer rows"})
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise Invalid({"file": "The file is not a readable .xlsx workbook"}) from None
    try:
        # The template's first sheet is the list; its second lists the allowed values.
        sheet = book["Central list"] if "Central list" in book.sheetnames else book.worksheets[0]
        table = []
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            cells = []
            for cell in row:
                if getattr(cell, "data_type", "") == "f":
                    column = get_column_letter(getattr(cell, "column", 1) or 1)
                    raise Invalid(
                        {
                            "file": f"Cell {column}{number} holds a formula: copy the sheet and "
                            "paste it as values only, then import it again"
                        }
                    )
                cells.append(_cell(cell.value))
            if any(cells):
                table.append(cells)
            if len(table) > MAX_ROWS + 1:
                raise Invalid({"file": f"Import at most {MAX_ROWS} rows at a time"})
        return table
    except (KeyError, ValueError, OSError, TypeError, zipfile.BadZipFile):
        raise Invalid({"file": "The file is not a readable .xlsx workbook"}) from None
    finally:
        book.close()


def _csv_table(data: bytes) -> list[list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid(
            {"file": "The CSV file is saved as UTF-16: save it as CSV UTF-8 and try again"}
        )
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError:
        raise Invalid(
            {"file": "Save the CSV file as CSV UTF-8 (comma delimited) and try again"}
        ) from None
    if "\x00" in text:
        raise Invalid({"file": "The file is not a CSV text file"})
    table = []
    try:
        for row in csv.reader(io.StringIO(text)):
            cells = [_cell(v) for v in row[:MAX_COLUMNS]]
            if any(cells):
                table.append(cells)
            if len(table) > MAX_ROWS + 1:
                raise Invalid({"file": f"Import at most {MAX_ROWS} rows at a time"})
    except csv.Error:
        raise Invalid({"file": "The file is not a CSV file we can read"}) from None
    return table


def read_rows(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows keyed by column key; raises Invalid about the whole file."""
    if len(data) > MAX_BYTES:
        raise Invalid(
            {"file": f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: import fewer rows"}
        )
    if not data.strip():
        raise Invalid({"file": "The file is empty"})
    table = _xlsx_table(data) if _kind(filename, data) == "xlsx" else _csv_table(data)
    if not table:
        raise Invalid({"file": "The file is empty"})
    by_heading = {_key(h): k for k, h in COLUMNS} | {_key(k): k for k, _ in COLUMNS}
    headings = [by_heading.get(_key(h), "") for h in table[0]]
    missing = [HEADING[k] for k in REQUIRED if k not in headings]
    if missing:
        raise Invalid(
            {"file": "The first row must name the columns; missing: " + ", ".join(missing)}
        )
    if len(table) == 1:
        raise Invalid({"file": "The file has the headings but no members below them"})
    return [
        {key: (row[i] if i < len(row) else "") for i, key in enumerate(headings) if key}
        for row in table[1:]
    ]


def _to_codes(raw: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The row with labels turned into codes, and what could not be read, by column."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, text in raw.items():
        if text.startswith(FORMULA_STARTS) and not PHONE.fullmatch(text):
            errors[key] = (
                f"{HEADING[key]} starts with {text[0]!r}, which a spreadsheet runs as a formula: "
                "remove it (start the cell with an apostrophe to keep it as text)"
            )
            continue
        if _escaped(text):
            text = text[1:]  # our own export's protective apostrophe comes off again
        if key in MULTIPLE:
            found, unknown = [], []
            for part in services._listed(text):
                code = _BY_KEY[key].get(_key(part))
                if code:
                    found.append(code)
                else:
                    unknown.append(part[:40])
            if unknown:
                what = "a seat" if key == "seats" else "a kind of personal experience"
                errors[key] = f"{', '.join(unknown)}: not {what}; choose from " + "; ".join(
                    LABELS[key].values()
                )
            values[key] = ",".join(found)
        elif key in LABELS:
            code = _BY_KEY[key].get(_key(text)) if text else ""
            if code is None:
                choices = (
                    "see the allowed values"
                    if key == "ethnicity"
                    else "choose from " + "; ".join(LABELS[key].values())
                )
                errors[key] = f"{text[:60]} is not one of the {HEADING[key]} values: {choices}"
            values[key] = code or ""
        elif key == "independent":
            answer = _key(text)
            if answer not in YES + NO:
                errors[key] = "Independent of the agency must be Yes or No"
            values[key] = "yes" if answer in YES else ""
        else:
            values[key] = text
    return values, errors


async def import_list(actor: Actor, filename: str, data: bytes, *, path: str = "") -> ImportReport:
    rows = read_rows(filename, data)
    reports: list[RowReport] = []
    checked: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        values, errors = _to_codes(raw)
        report = RowReport(number, values.get("name", ""), values.get("email", ""))
        if values.get("email", "").strip().casefold() == EXAMPLE_EMAIL:
            errors["email"] = "This is the template's example row: delete it, then import again"
        try:
            member = services.check_member({k: v for k, v in values.items() if k not in errors})
        except Invalid as error:
            # Messages about what could not be read win over "required" messages about it.
            report.errors = errors | {k: m for k, m in error.errors.items() if k not in errors}
        else:
            report.errors = errors
            if member["email"] in seen:
                report.errors["email"] = f"Same email address as row {seen[member['email']]}"
            seen.setdefault(member["email"], number)
            checked.append(member)
        reports.append(report)
    if any(r.errors for r in reports):
        return ImportReport(reports, applied=False)
    outcomes = await services.import_members(actor, checked, path=path)
    for report, outcome in zip(reports, outcomes, strict=True):
        report.outcome = outcome
    return ImportReport(reports, applied=True)


def _label_text(key: str, value: Any) -> str:
    if key == "independent":
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    text = str(value)
    if key in MULTIPLE:
        return "; ".join(LABELS[key].get(code, code) for code in services._listed(text))
    if key == "languages":
        return "; ".join(services._listed(text))
    if key in LABELS:
        return LABELS[key].get(text, text)
    return text


def _export_table(rows: list[dict[str, Any]]) -> list[list[str]]:
    table = [[heading for _, heading in COLUMNS]]
    for row in rows:
        table.append([escape_cell(_label_text(key, row.get(key))) for key, _ in COLUMNS])
    return table


def export_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_export_table(rows))
    return buffer.getvalue().encode("utf-8-sig")


def _as_text(sheet: Any) -> None:
    # Every cell is text: openpyxl would otherwise store a leading "=" as a formula.
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"


def _book(table: list[list[str]], *, with_allowed: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Central list"
    for values in table:
        sheet.append(values)
    _as_text(sheet)
    sheet.freeze_panes = "A2"
    for index, (_, heading) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(heading) + 2)
    if with_allowed:
        _allowed_sheet(book, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _allowed_sheet(book: Workbook, sheet: Any) -> None:
    """A second sheet listing what each column takes, and drop-down lists for the one-value
    choices on the first sheet (several seats or experiences are typed, with semicolons)."""
    allowed = book.create_sheet("Allowed values")
    allowed.append(["Column", "What it takes", "Allowed values (the codes are accepted too)"])
    for a in allowed_values():
        allowed.append([a.heading, a.rule, "; ".join(a.values)])
    allowed.column_dimensions["A"].width = 32
    allowed.column_dimensions["B"].width = 70
    allowed.column_dimensions["C"].width = 90
    # One column per choice, far to the right, for the drop-downs to refer to.
    lists = {"independent": ("Yes", "No")} | {
        key: tuple(LABELS[key].values()) for key in ("gender", "age_band", "ethnicity")
    }
    for offset, (key, choices) in enumerate(lists.items()):
        column = get_column_letter(6 + offset)
        allowed[f"{column}1"] = HEADING[key]
        for n, choice in enumerate(choices, start=2):
            allowed[f"{column}{n}"] = choice
        target = get_column_letter([k for k, _ in COLUMNS].index(key) + 1)
        rule = DataValidation(
            type="list",
            formula1=f"'Allowed values'!${column}$2:${column}${len(choices) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=HEADING[key],
            error=f"Choose a value from the list on the 'Allowed values' sheet ({HEADING[key]})",
        )
        rule.add(f"{target}2:{target}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    _as_text(allowed)


def export_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return _book(_export_table(rows), with_allowed=True)


def example_row() -> dict[str, Any]:
    """The template's example: a made-up social worker, in the labels the pages show."""
    return {
        "name": "Alex Example",
        "email": EXAMPLE_EMAIL,
        "phone": "01223 000000",
        "seats": "social_worker,vice_chair",
        "pqe_years": 6,
        "independent": False,
        "dependency_ended_on": None,
        "experience": "adopted_adult",
        "gender": "non_binary",
        "age_band": "40-49",
        "ethnicity": "mixed",
        "languages": "Polish",
        "joined_on": date(2026, 3, 27),
        "dbs_checked_on": date(2026, 3, 2),
        "induction_on": date(2026, 4, 14),
        "equality_and_diversity_on": date(2026, 5, 5),
        "safeguarding_on": date(2026, 5, 5),
        "reviewed_on": None,
    }


def template_csv() -> bytes:
    return export_csv([example_row()])


def template_xlsx() -> bytes:
    return _book(_export_table([example_row()]), with_allowed=True)
