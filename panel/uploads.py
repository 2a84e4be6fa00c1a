"""Whether an uploaded paper is a plain .docx or PDF that can safely go in a pack, or why not."""

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from enum import StrEnum

import docx
from docx.oxml.parser import parse_xml
from pypdf import PdfReader
from pypdf.errors import PdfReadWarning

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# Stream names inside an OLE compound file are stored as UTF-16.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
WORD_STREAM = "WordDocument".encode("utf-16-le")
DOCUMENT_EXTENSIONS = frozenset(
    {".docx", ".docm", ".dotx", ".dotm", ".doc", ".dot", ".pdf", ".rtf", ".odt", ".txt", ".zip"}
)
WINDOWS_RESERVED = frozenset(
    {
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{n}" for n in range(1, 10)),
        *(f"lpt{n}" for n in range(1, 10)),
    }
)
MAX_NAME_LENGTH = 120


class Kind(StrEnum):
    DOCX = "docx"
    PDF = "pdf"


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_A_PAPER = "not_a_paper"
    OLD_WORD_FORMAT = "old_word_format"
    MACROS = "macros"
    ENCRYPTED = "encrypted"
    CORRUPT = "corrupt"
    ZIP_BOMB = "zip_bomb"


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int = 25 * MB
    # A real Word document expands a few times at most; images hardly at all.
    max_uncompressed_bytes: int = 250 * MB
    max_compression_ratio: int = 100
    # Entries smaller than this cannot do harm whatever their ratio.
    ratio_checked_from_bytes: int = 1 * MB
    max_entries: int = 5000


@dataclass(frozen=True, slots=True)
class UploadVerdict:
    accepted: bool
    message: str
    filename: str
    kind: Kind | None
    size: int
    sha256: str
    pages: int | None = None
    problem: Problem | None = None


class _RejectedError(Exception):
    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(reason)
        self.problem = problem
        self.reason = reason


def check_upload(name: str, data: bytes, limits: UploadLimits | None = None) -> UploadVerdict:
    limits = limits or UploadLimits()
    shown = display_name(name)
    digest = hashlib.sha256(data).hexdigest()
    kind: Kind | None = None
    try:
        kind, pages = _inspect(data, limits)
    except _RejectedError as rejected:
        return UploadVerdict(
            accepted=False,
            message=f"{shown} {rejected.reason}",
            filename=safe_filename(name, kind),
            kind=None,
            size=len(data),
            sha256=digest,
            problem=rejected.problem,
        )
    described = (
        f"a PDF of {pages} page{'s' if pages != 1 else ''}"
        if kind is Kind.PDF
        else "a Word document"
    )
    return UploadVerdict(
        accepted=True,
        message=f"{shown} is {described} ({_size(len(data))}) and can go in the pack",
        filename=safe_filename(name, kind),
        kind=kind,
        size=len(data),
        sha256=digest,
        pages=pages,
    )


def refusal(data: bytes, limits: UploadLimits | None = None) -> str | None:
    """Why check_upload would refuse these bytes, in words that follow the file's name."""
    try:
        _inspect(data, limits or UploadLimits())
    except _RejectedError as rejected:
        return rejected.reason
    return None


def zip_refusal(data: bytes, limits: UploadLimits | None = None) -> str | None:
    """Why a zip would be refused before any part of it is read (a zip bomb), or None."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_expansion(archive.infolist(), len(data), limits or UploadLimits())
    except _RejectedError as rejected:
        return rejected.reason
    except (zipfile.BadZipFile, ValueError, OSError):
        return _CORRUPT_WORD
    return None


def display_name(name: str) -> str:
    shown = _clean(_basename(name)) or "The file"
    if len(shown) > MAX_NAME_LENGTH:
        return shown[: MAX_NAME_LENGTH - 1] + "…"
    return shown


def safe_filename(name: str, kind: Kind | None) -> str:
    cleaned = _clean(_basename(name))
    # Reserved characters on Windows, where members open the papers.
    cleaned = re.sub(r'[<>:"|?*]', "_", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned)
    stem, suffix = _split(cleaned)
    if kind is not None:
        # The extension follows what the file is, not what it was called.
        suffix = f".{kind.value}"
    # A leading dot hides a file; trailing dots and spaces are dropped by Windows.
    stem = stem.strip(" .") or "paper"
    if stem.split(".")[0].lower() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem[: MAX_NAME_LENGTH - len(suffix)] + suffix


def _basename(name: str) -> str:
    return re.split(r"[/\\]", name)[-1]


def _clean(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    # Control and format characters (NUL, newlines, right-to-left overrides that
    # disguise "cod.exe" as "exe.doc") never belong in a file name.
    return "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf"}).strip()


def _split(name: str) -> tuple[str, str]:
    dot = name.rfind(".")
    if dot >= 0 and name[dot:].lower() in DOCUMENT_EXTENSIONS:
        return name[:dot], name[dot:]
    return name, ""


def _inspect(data: bytes, limits: UploadLimits) -> tuple[Kind, int | None]:
    if not data:
        raise _RejectedError(
            Problem.EMPTY, "is empty (0 bytes); check the file on your computer and upload it again"
        )
    if len(data) > limits.max_bytes:
        raise _RejectedError(
            Problem.TOO_LARGE,
            f"is {_size(len(data))}, over the {_size(limits.max_bytes)} limit; "
            "reduce the size of its pictures or split it into parts, then upload it again",
        )
    if data.startswith(b"%PDF-"):
        return Kind.PDF, _pdf_pages(data)
    if data.startswith(b"PK\x03\x04"):
        _check_word(data, limits)
        return Kind.DOCX, None
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise _RejectedError(
                Problem.ENCRYPTED,
                "is password-protected; open it in Word, remove the password "
                "(File > Info > Protect Document > Encrypt with Password), "
                "save it and upload it again",
            )
        if WORD_STREAM in data:
            raise _RejectedError(
                Problem.OLD_WORD_FORMAT,
                "is in the old Word format (.doc); open it in Word, save it as a Word Document "
                "(.docx) and upload it again",
            )
        raise _RejectedError(
            Problem.NOT_A_PAPER, _NOT_A_PAPER + " (it is an old-format Office file)"
        )
    raise _RejectedError(Problem.NOT_A_PAPER, _NOT_A_PAPER + _guess(data))


_NOT_A_PAPER = "is not a Word document (.docx) or a PDF, so it cannot go in a pack"
_CORRUPT_WORD = (
    "cannot be opened as a Word document: it may be damaged or only partly uploaded; "
    "open it in Word, save it again as .docx and upload it again"
)


def _guess(data: bytes) -> str:
    signatures = {
        b"\x89PNG": " (it is a PNG picture)",
        b"\xff\xd8\xff": " (it is a JPEG picture)",
        b"{\\rtf": " (it is a Rich Text file; save it as .docx)",
        b"GIF8": " (it is a GIF picture)",
    }
    return next((text for magic, text in signatures.items() if data.startswith(magic)), "")


def _check_word(data: bytes, limits: UploadLimits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _RejectedError(Problem.CORRUPT, _CORRUPT_WORD) from None
    with archive:
        entries = archive.infolist()
        # Sizes come from the zip's own directory, which zipfile also enforces when
        # reading: an entry never inflates past its declared size.
        _check_expansion(entries, len(data), limits)
        names = {entry.filename.lower(): entry.filename for entry in entries}
        if "[content_types].xml" not in names:
            raise _RejectedError(Problem.NOT_A_PAPER, _NOT_A_PAPER + " (it is a zip archive)")
        try:
            types_xml = archive.read(names["[content_types].xml"])
            content_types = _content_types(types_xml)
        # lxml's XMLSyntaxError is a SyntaxError.
        except (zipfile.BadZipFile, SyntaxError, ValueError, OSError, EOFError):
            raise _RejectedError(Problem.CORRUPT, _CORRUPT_WORD) from None
        lowered = {content_type.lower() for content_type in content_types}
        if any("macroenabled" in value or "vbaproject" in value for value in lowered) or any(
            name.endswith("vbaproject.bin") for name in names
        ):
            raise _RejectedError(
                Problem.MACROS,
                "is a macro-enabled Word document (.docm); "
                "save it as a plain .docx and upload it again",
            )
        if any(name.startswith("word/activex/") for name in names):
            raise _RejectedError(
                Problem.MACROS,
                "contains ActiveX controls, which can run code; "
                "remove them, save it as a plain .docx and upload it again",
            )
        if WORD_TEMPLATE in content_types:
            raise _RejectedError(
                Problem.NOT_A_PAPER,
                "is a Word template (.dotx); "
                "open it, save it as a Word Document (.docx) and upload it again",
            )
        if WORD_MAIN not in content_types or "word/document.xml" not in names:
            raise _RejectedError(Problem.NOT_A_PAPER, _NOT_A_PAPER + _other_office(names))
        try:
            if archive.testzip() is not None:
                raise _RejectedError(Problem.CORRUPT, _CORRUPT_WORD)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _RejectedError(Problem.CORRUPT, _CORRUPT_WORD) from None
    try:
        docx.Document(io.BytesIO(data))
    # python-docx raises many kinds of error for damaged parts; any of them means
    # the pack builder could not merge this file either.
    except Exception:
        raise _RejectedError(Problem.CORRUPT, _CORRUPT_WORD) from None


def _check_expansion(entries: list[zipfile.ZipInfo], size: int, limits: UploadLimits) -> None:
    bomb = (
        "is not a normal Word document: it would expand to {} when opened, "
        "which is how a 'zip bomb' attack works; save the document again as .docx "
        "and upload it, or ask IT to look at the file"
    )
    if len(entries) > limits.max_entries:
        raise _RejectedError(
            Problem.ZIP_BOMB,
            f"is not a normal Word document: it holds {len(entries)} files inside "
            f"(at most {limits.max_entries} allowed); save it again as .docx and upload it again",
        )
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed_bytes:
        raise _RejectedError(Problem.ZIP_BOMB, bomb.format(_size(total)))
    for entry in entries:
        if entry.file_size < limits.ratio_checked_from_bytes:
            continue
        if entry.file_size > limits.max_compression_ratio * max(entry.compress_size, 1):
            raise _RejectedError(Problem.ZIP_BOMB, bomb.format(_size(total)))
    if total > limits.ratio_checked_from_bytes and total > limits.max_compression_ratio * size:
        raise _RejectedError(Problem.ZIP_BOMB, bomb.format(_size(total)))


def _content_types(xml: bytes) -> set[str]:
    # python-docx's parser resolves no entities, so an entity bomb stays unexpanded.
    root = parse_xml(xml)
    return {
        str(element.get("ContentType", ""))
        for element in root
        if element.tag in {f"{CONTENT_TYPES_NS}Override", f"{CONTENT_TYPES_NS}Default"}
    }


def _other_office(names: dict[str, str]) -> str:
    if "xl/workbook.xml" in names:
        return " (it is an Excel workbook)"
    if "ppt/presentation.xml" in names:
        return " (it is a PowerPoint presentation)"
    if "content.xml" in names:
        return " (it is an OpenDocument file; save it as .docx)"
    return " (it is a zip archive)"


def _pdf_pages(data: bytes) -> int:
    corrupt = (
        "looks like a PDF but cannot be read: it may be damaged or only partly uploaded; "
        "save or export it as PDF again and upload it again"
    )
    # A complete PDF ends with %%EOF; without it the upload or the save was cut short.
    if b"%%EOF" not in data[-1024:]:
        raise _RejectedError(Problem.CORRUPT, corrupt)
    try:
        with warnings.catch_warnings():
            # Recoverable oddities in real-world PDFs; anything that matters raises below.
            warnings.simplefilter("ignore", PdfReadWarning)
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise _RejectedError(
                    Problem.ENCRYPTED,
                    "is a password-protected PDF; save a copy without a password or "
                    "security restrictions and upload that",
                )
            pages = len(reader.pages)
            for page in reader.pages:
                _ = page.mediabox
                contents = page.get_contents()
                if contents is not None:
                    contents.get_data()
    except _RejectedError:
        raise
    # pypdf reports damage with many exception types (and some with plain
    # ValueError/KeyError from deep inside); each means the same to the uploader.
    except Exception:
        raise _RejectedError(Problem.CORRUPT, corrupt) from None
    if pages == 0:
        raise _RejectedError(
            Problem.CORRUPT, "is a PDF with no pages; export it again and upload it"
        )
    return pages


def _size(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
