import hashlib
import io
import os
import zipfile

import docx
from pypdf import PageObject, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from panel.uploads import (
    OLE_MAGIC,
    Kind,
    Problem,
    UploadLimits,
    check_upload,
    display_name,
    safe_filename,
)


def word_document(text: str = "Prospective adopter's report") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_document(pages: int = 2, *, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for number in range(1, pages + 1):
        page = writer.add_blank_page(width=595, height=842)
        overlay = PageObject.create_blank_page(width=595, height=842)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td (Medical report page {number}) Tj ET".encode())
        overlay[NameObject("/Contents")] = stream
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        overlay[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        page.merge_page(overlay)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def rezipped(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = (replace or {}).get(entry.filename, source.read(entry))
            target.writestr(entry.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return output.getvalue()


def macro_enabled_document() -> bytes:
    plain = word_document()
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        types = archive.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    ).replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezipped(
        plain,
        replace={"[Content_Types].xml": types},
        add={"word/vbaProject.bin": b'Attribute VB_Name = "ThisDocument"' * 20},
    )


def ole_file(*stream_names: str) -> bytes:
    # Enough of a compound file for what the check looks at: the signature and the
    # UTF-16 stream names in the directory.
    directory = b"".join(name.encode("utf-16-le").ljust(128, b"\0") for name in stream_names)
    return OLE_MAGIC + b"\0" * 504 + directory + b"\0" * 1024


def test_a_plain_word_document_is_accepted_with_its_hash() -> None:
    data = word_document()
    verdict = check_upload("PAR-smith.docx", data)
    assert verdict.accepted
    assert verdict.kind is Kind.DOCX
    assert verdict.filename == "PAR-smith.docx"
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()
    assert verdict.size == len(data)
    assert verdict.pages is None
    assert verdict.message.startswith("PAR-smith.docx is a Word document")


def test_a_pdf_is_accepted_with_its_page_count() -> None:
    verdict = check_upload("medical.pdf", pdf_document(pages=3))
    assert verdict.accepted
    assert verdict.kind is Kind.PDF
    assert verdict.pages == 3
    assert "a PDF of 3 pages" in verdict.message


def test_the_content_decides_the_kind_and_the_extension_follows_it() -> None:
    verdict = check_upload("medical report.docx", pdf_document())
    assert verdict.accepted
    assert verdict.kind is Kind.PDF
    assert verdict.filename == "medical report.pdf"


def test_a_macro_enabled_document_renamed_docx_is_refused_by_name() -> None:
    verdict = check_upload("PAR-smith.docx", macro_enabled_document())
    assert not verdict.accepted
    assert verdict.problem is Problem.MACROS
    assert verdict.message == (
        "PAR-smith.docx is a macro-enabled Word document (.docm); "
        "save it as a plain .docx and upload it again"
    )


def test_a_vba_project_is_refused_even_when_the_content_types_hide_it() -> None:
    data = rezipped(word_document(), add={"word/vbaProject.bin": b"\0" * 100})
    assert check_upload("PAR.docx", data).problem is Problem.MACROS


def test_a_password_protected_pdf_is_refused() -> None:
    verdict = check_upload("CPR.pdf", pdf_document(password="secret"))
    assert not verdict.accepted
    assert verdict.problem is Problem.ENCRYPTED
    assert verdict.message.startswith("CPR.pdf is a password-protected PDF")


def test_a_password_protected_word_document_is_refused() -> None:
    # Word stores an encrypted .docx as a compound file holding the encrypted package.
    verdict = check_upload("PAR.docx", ole_file("EncryptionInfo", "EncryptedPackage"))
    assert verdict.problem is Problem.ENCRYPTED
    assert "remove the password" in verdict.message


def test_an_old_format_word_document_is_refused_with_how_to_convert_it() -> None:
    verdict = check_upload("PAR.doc", ole_file("WordDocument", "1Table"))
    assert verdict.problem is Problem.OLD_WORD_FORMAT
    assert "save it as a Word Document (.docx)" in verdict.message


def test_a_zip_bomb_dressed_as_a_word_document_is_refused() -> None:
    bomb = rezipped(word_document(), add={"word/media/image1.png": b"\0" * (20 * 2**20)})
    assert len(bomb) < 200_000
    verdict = check_upload("PAR.docx", bomb)
    assert not verdict.accepted
    assert verdict.problem is Problem.ZIP_BOMB
    assert "zip bomb" in verdict.message


def test_a_document_that_expands_past_the_limit_is_refused() -> None:
    data = rezipped(word_document(), add={"word/media/image1.png": os.urandom(2 * 2**20)})
    limits = UploadLimits(max_uncompressed_bytes=2**20)
    assert check_upload("PAR.docx", data, limits).problem is Problem.ZIP_BOMB


def test_a_document_with_too_many_parts_is_refused() -> None:
    extra = {f"word/media/image{number}.png": b"x" for number in range(50)}
    data = rezipped(word_document(), add=extra)
    verdict = check_upload("PAR.docx", data, UploadLimits(max_entries=20))
    assert verdict.problem is Problem.ZIP_BOMB
    assert "holds" in verdict.message


def test_an_empty_file_is_refused() -> None:
    verdict = check_upload("PAR.docx", b"")
    assert verdict.problem is Problem.EMPTY
    assert verdict.message.startswith("PAR.docx is empty")


def test_a_file_over_the_size_limit_is_refused() -> None:
    verdict = check_upload("PAR.docx", word_document(), UploadLimits(max_bytes=1024))
    assert verdict.problem is Problem.TOO_LARGE
    assert "over the 1 KB limit" in verdict.message


def test_a_word_document_cut_short_is_refused_as_damaged() -> None:
    data = word_document()
    verdict = check_upload("PAR.docx", data[: len(data) // 2])
    assert verdict.problem is Problem.CORRUPT
    assert "damaged or only partly uploaded" in verdict.message


def test_a_word_document_with_broken_xml_is_refused_as_damaged() -> None:
    data = rezipped(word_document(), replace={"word/document.xml": b"<w:document><w:body>"})
    assert check_upload("PAR.docx", data).problem is Problem.CORRUPT


def test_a_pdf_cut_short_is_refused_as_damaged() -> None:
    data = pdf_document()
    verdict = check_upload("CPR.pdf", data[: len(data) // 2])
    assert verdict.problem is Problem.CORRUPT
    assert verdict.message.startswith("CPR.pdf looks like a PDF but cannot be read")


def test_other_office_files_and_pictures_are_refused_as_not_papers() -> None:
    workbook = rezipped(
        word_document(),
        replace={
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/content-types"/>'
        },
        add={"xl/workbook.xml": b"<workbook/>"},
    )
    assert "Excel workbook" in check_upload("budget.docx", workbook).message
    picture = check_upload("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert picture.problem is Problem.NOT_A_PAPER
    assert picture.message == (
        "scan.pdf is not a Word document (.docx) or a PDF, so it cannot go in a pack "
        "(it is a PNG picture)"
    )


def test_path_parts_and_control_characters_are_stripped_from_file_names() -> None:
    assert safe_filename("../../etc/PAR-\x00smith\n.docx", Kind.DOCX) == "PAR-smith.docx"
    assert safe_filename("C:\\Users\\admin\\..\\CPR.pdf", Kind.PDF) == "CPR.pdf"
    assert safe_filename("...hidden.docx", Kind.DOCX) == "hidden.docx"
    assert safe_filename(".docx", Kind.DOCX) == "paper.docx"
    # A right-to-left override would show "PAR-xcod.exe" as "PAR-exe.docx".
    assert safe_filename("PAR-\u202excod.exe", Kind.DOCX) == "PAR-xcod.exe.docx"
    assert safe_filename('minutes: "draft" <v2>?.docx', Kind.DOCX) == "minutes_ _draft_ _v2__.docx"
    assert safe_filename("CON.docx", Kind.DOCX) == "_CON.docx"
    assert len(safe_filename("x" * 500 + ".pdf", Kind.PDF)) == 120


def test_a_refused_file_is_named_without_its_path_in_the_message() -> None:
    verdict = check_upload("../../secret/\x1bPAR.docx", b"")
    assert verdict.message.startswith("PAR.docx is empty")
    assert display_name("") == "The file"
