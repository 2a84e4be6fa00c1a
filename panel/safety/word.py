"""What a Word paper may carry into a member's pack: its text, tables and pictures, nothing that
loads, links or runs when it is opened."""

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Any

import defusedxml.ElementTree as SafeXml  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException
from lxml import etree  # type: ignore[import-untyped]

from panel import uploads
from panel.safety.verdicts import Cleaned, SafetyLimits, refused

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "urn:schemas-microsoft-com:office:office"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DTD = (
    "contains a document type declaration that Word does not write: "
    "save it again from Word (File > Save As > Word Document) and upload that"
)
DDE = "an automatic link to another file (DDE field)"
OLE = "an embedded object (OLE)"
ACTIVEX = "an ActiveX control"
EXTERNAL = {
    "attachedTemplate": "a remote template",
    "image": "a picture loaded from the internet",
    "frame": "a frame that loads another page or file",
    "subDocument": "a linked document loaded when it is opened",
    "oleObject": "a linked object (OLE) loaded from another file",
}
OTHER_EXTERNAL = "a link to an outside file that loads when it is opened"
INTERNAL = {"oleObject": OLE, "package": OLE, "control": ACTIVEX, "activeXControlBinary": ACTIVEX}
FIELDS = {"DDE", "DDEAUTO", "INCLUDETEXT", "INCLUDEPICTURE", "LINK", "IMPORT"}
# What is removed with an element that points at a removed relationship.
HOLDERS = {
    f"{{{W}}}{name}"
    for name in ("drawing", "pict", "object", "control", "subDoc", "attachedTemplate", "frame")
}
XML_SUFFIXES = (".xml", ".rels", ".vml")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class _Package:
    parts: dict[str, bytes]
    order: list[str]
    removed: list[str] = field(default_factory=list)
    dropped_ids: dict[str, set[str]] = field(default_factory=dict)  # source part -> rIds


def dtd_refusal(data: bytes, limits: uploads.UploadLimits | None = None) -> str | None:
    """DTD's reason if any XML part of this zip declares a document type; None otherwise
    (and None for a zip bomb or a file that is not a zip: check_upload says why)."""
    if not data.startswith(b"PK\x03\x04") or uploads.zip_refusal(data, limits):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                if entry.is_dir():
                    continue
                content = archive.read(entry)
                if _is_xml(entry.filename, content) and _declares_dtd(content):
                    return DTD
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return None


def _is_xml(name: str, content: bytes) -> bool:
    head = content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return name.lower().endswith(XML_SUFFIXES) or head.startswith(b"<")


def _declares_dtd(content: bytes) -> bool:
    try:
        SafeXml.fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return True
    except SafeXml.ParseError:
        return b"<!DOCTYPE" in content or b"<!ENTITY" in content
    return False


def clean_docx(data: bytes, limits: SafetyLimits) -> Cleaned:
    upload_limits = uploads.UploadLimits(max_bytes=max(len(data), 1))
    reason = uploads.zip_refusal(data, upload_limits) or dtd_refusal(data, upload_limits)
    reason = reason or uploads.refusal(data, upload_limits)
    if reason:
        return refused(reason)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        package = _Package(
            parts={e.filename: archive.read(e) for e in entries},
            order=[e.filename for e in entries],
        )
    try:
        _strip_relationships(package)
        for name in list(package.parts):
            if name.startswith("word/") and name.endswith(".xml") and name in package.parts:
                _strip_part(package, name)
    except etree.XMLSyntaxError:
        return refused(uploads._CORRUPT_WORD)
    if not package.removed:
        return Cleaned(accepted=True, content=data)
    content = _rezip(package)
    if len(content) > limits.max_output_bytes:
        return refused("could not be checked safely: its clean copy is too large")
    return Cleaned(accepted=True, content=content, removed=tuple(dict.fromkeys(package.removed)))


def _parse(content: bytes) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False
    )
    return etree.fromstring(content, parser)


def _serialise(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _source_of(rels_name: str) -> str:
    folder, file = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), file[: -len(".rels")])


def _target_of(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _strip_relationships(package: _Package) -> None:
    for rels_name in [n for n in package.parts if n.endswith(".rels") and "_rels/" in n]:
        if rels_name not in package.parts:
            continue
        root = _parse(package.parts[rels_name])
        source = _source_of(rels_name)
        changed = False
        for rel in list(root):
            kind = str(rel.get("Type", "")).rsplit("/", 1)[-1]
            external = rel.get("TargetMode") == "External"
            if external and kind != "hyperlink":
                package.removed.append(EXTERNAL.get(kind, OTHER_EXTERNAL))
            elif not external and kind in INTERNAL:
                package.removed.append(INTERNAL[kind])
                _drop_part(package, _target_of(source, str(rel.get("Target", ""))))
            else:
                continue
            root.remove(rel)
            package.dropped_ids.setdefault(source, set()).add(str(rel.get("Id", "")))
            changed = True
        if changed:
            package.parts[rels_name] = _serialise(root)


def _drop_part(package: _Package, name: str) -> None:
    folder, file = posixpath.split(name)
    own_rels = posixpath.join(folder, "_rels", file + ".rels")
    if own_rels in package.parts:
        root = _parse(package.parts.pop(own_rels))
        for rel in root:
            if rel.get("TargetMode") != "External":
                _drop_part(package, _target_of(name, str(rel.get("Target", ""))))
    package.parts.pop(name, None)


def _strip_part(package: _Package, name: str) -> None:
    root = _parse(package.parts[name])
    found: list[str] = []
    found += _drop_pointers(root, package.dropped_ids.get(name, set()))
    found += _drop_elements(root, "control", ACTIVEX)
    found += _drop_elements(root, "object", OLE)
    found += _strip_simple_fields(root)
    found += _strip_complex_fields(root)
    if found or package.dropped_ids.get(name):
        package.removed += found
        package.parts[name] = _serialise(root)


def _drop_pointers(root: Any, ids: set[str]) -> list[str]:
    if not ids:
        return []
    doomed = []
    for element in root.iter():
        if any(k.startswith(f"{{{R}}}") and v in ids for k, v in element.attrib.items()):
            holder = element
            while holder is not None and holder.tag not in HOLDERS:
                holder = holder.getparent()
            doomed.append(holder if holder is not None else element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return []  # already counted with the relationship


def _drop_elements(root: Any, local: str, phrase: str) -> list[str]:
    doomed = list(root.iter(f"{{{W}}}{local}"))
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    if local == "object":  # an object that only held an ActiveX control is counted as that
        doomed = [e for e in doomed if any(True for _ in e.iter(f"{{{OFFICE}}}OLEObject"))] or []
    return [phrase] * bool(doomed)


def _field_phrase(instruction: str) -> str | None:
    words = instruction.replace('"', " ").split()
    name = words[0].upper() if words else ""
    if name not in FIELDS:
        return None
    if name in ("DDE", "DDEAUTO"):
        return DDE
    return f"a field that loads another file when it is opened ({name} field)"


def _strip_simple_fields(root: Any) -> list[str]:
    found = []
    for simple in list(root.iter(f"{{{W}}}fldSimple")):
        phrase = _field_phrase(str(simple.get(f"{{{W}}}instr", "")))
        if phrase is None:
            continue
        found.append(phrase)
        parent = simple.getparent()
        at = parent.index(simple)
        for child in list(simple):  # the result the reader saw stays, as plain runs
            parent.insert(at, child)
            at += 1
        parent.remove(simple)
    return found


def _strip_complex_fields(root: Any) -> list[str]:
    found: list[str] = []
    stack: list[dict[str, Any]] = []
    doomed: list[Any] = []
    instr_tags = {f"{{{W}}}instrText", f"{{{W}}}delInstrText"}
    for element in root.iter(f"{{{W}}}fldChar", *instr_tags):
        if element.tag in instr_tags:
            if stack and not stack[-1]["separated"]:
                stack[-1]["text"].append(element.text or "")
                stack[-1]["parts"].append(element)
            continue
        kind = element.get(f"{{{W}}}fldCharType")
        if kind == "begin":
            stack.append({"text": [], "parts": [element], "separated": False})
        elif kind == "separate" and stack:
            stack[-1]["separated"] = True
            stack[-1]["parts"].append(element)
        elif kind == "end" and stack:
            current = stack.pop()
            current["parts"].append(element)
            phrase = _field_phrase("".join(current["text"]).strip())
            if phrase is not None:
                found.append(phrase)
                doomed += current["parts"]
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return found


def _rezip(package: _Package) -> bytes:
    types = _parse(package.parts["[Content_Types].xml"])
    for override in list(types.iter(f"{{{CONTENT_TYPES}}}Override")):
        if str(override.get("PartName", "")).lstrip("/") not in package.parts:
            types.remove(override)
    package.parts["[Content_Types].xml"] = _serialise(types)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in [n for n in package.order if n in package.parts]:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, package.parts[name])
    return out.getvalue()
