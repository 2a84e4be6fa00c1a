"""What a PDF paper may carry into a member's pack: its pages, without scripts, actions,
forms or attached files."""

import io
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name

from panel.safety.verdicts import Cleaned, SafetyLimits, refused

SCRIPT = "a script that runs when the file is opened"
ACTION = "an action that runs when the file is opened"
LAUNCH = "an instruction to start another program"
ATTACHED = "an attached file"
FORM = "a form"
SUBMIT = "a link that sends or loads form data"
MEDIA = "an embedded media player"

# Link actions that do more than go to a page or a web address.
UNSAFE_LINK_ACTIONS = {
    "/Launch": LAUNCH,
    "/JavaScript": SCRIPT,
    "/SubmitForm": SUBMIT,
    "/ImportData": SUBMIT,
    "/GoToE": ATTACHED,
    "/Rendition": SCRIPT,
}
MEDIA_ANNOTATIONS = {"/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
# Image codecs are not decoded to be checked: their output is bounded by the image's size.
IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/CCITTFaxDecode", "/JBIG2Decode"}
CHUNK = 1024 * 1024
STRUCTURAL = ("self-referential", "loop", "supposed object stream", "is not a stream")
DAMAGED = (
    "cannot be opened as a PDF: it may be damaged or only partly uploaded; "
    "save or export it as PDF again and upload that"
)


def clean_pdf(data: bytes, limits: SafetyLimits) -> Cleaned:
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return refused("is protected with a password: save it again without one")
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return refused(DAMAGED)
    with pdf:
        if pdf.is_encrypted:
            return refused("is protected with a password: save it again without one")
        try:
            problem = _over_limits(pdf, limits) or _broken_structure(pdf)
            if problem:
                return refused(problem)
            removed = _strip(pdf)
            pages = len(pdf.pages)
            if not removed:
                return Cleaned(accepted=True, content=data, pages=pages)
            out = io.BytesIO()
            with warnings.catch_warnings():
                # The form's widgets stay to show what was filled in; the form itself is gone.
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                pdf.save(
                    out,
                    compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate,
                    deterministic_id=True,
                )
        except (pikepdf.PdfError, ValueError, RuntimeError, RecursionError):
            return refused(DAMAGED)
    content = out.getvalue()
    if len(content) > limits.max_output_bytes:
        return refused(_too_big("its clean copy is too large"))
    return Cleaned(accepted=True, content=content, removed=_unique(removed), pages=pages)


def _too_big(detail: str) -> str:
    return f"could not be checked safely: it is too large or too complex to open ({detail})"


def _over_limits(pdf: pikepdf.Pdf, limits: SafetyLimits) -> str:
    pages = len(pdf.pages)
    if pages > limits.max_pages:
        return (
            f"has {pages} pages, more than the {limits.max_pages} a paper may have; "
            "split it into parts and upload each"
        )
    objects = pdf.objects
    if len(objects) > limits.max_objects:
        return _too_big(f"{len(objects)} objects inside, at most {limits.max_objects}")
    for obj in objects:
        if isinstance(obj, pikepdf.Stream) and _decoded_size(obj, limits) > limits.max_stream_bytes:
            mb = limits.max_stream_bytes // (1024 * 1024)
            return _too_big(f"part of it expands to more than {mb} MB when opened")
    return ""


def _broken_structure(pdf: pikepdf.Pdf) -> str:
    # Ordinary damage qpdf repairs quietly; a cycle in the object streams or xref chain is built
    # to make readers disagree about what the file holds.
    warnings = " ".join(pdf.get_warnings()).lower()
    return DAMAGED if any(marker in warnings for marker in STRUCTURAL) else ""


def _decoded_size(stream: pikepdf.Stream, limits: SafetyLimits) -> int:
    filters = stream.get("/Filter")
    names = (
        [str(f) for f in filters]
        if isinstance(filters, pikepdf.Array)
        else ([str(filters)] if filters is not None else [])
    )
    if not names or all(n in IMAGE_FILTERS for n in names):
        return len(stream.read_raw_bytes())
    if names[0] in ("/FlateDecode", "/Fl"):
        # Counted as it inflates, so a bomb is found without ever holding its output.
        return _inflated_size(stream.read_raw_bytes(), limits.max_stream_bytes)
    # Other chains are rare; the worker's memory limit bounds them.
    return len(stream.read_bytes())


def _inflated_size(raw: bytes, bound: int) -> int:
    inflater = zlib.decompressobj()
    total = 0
    pending = raw
    try:
        while pending and total <= bound:
            total += len(inflater.decompress(pending, CHUNK))
            pending = inflater.unconsumed_tail
    except zlib.error:
        return total  # qpdf reports damage of its own when it saves; a short stream is no bomb
    return total


def _strip(pdf: pikepdf.Pdf) -> list[str]:
    removed: list[str] = []
    root = pdf.Root
    if "/OpenAction" in root and not _is_destination(root.OpenAction):
        removed.append(_describe(root.OpenAction))
        del root["/OpenAction"]
    removed += _drop_aa(root)
    removed += _strip_names(root)
    if "/AcroForm" in root:
        removed.append(FORM)
        del root["/AcroForm"]
    if "/Collection" in root:
        removed.append(ATTACHED)
        del root["/Collection"]
    for page in pdf.pages:
        removed += _drop_aa(page.obj)
        removed += _strip_annotations(page.obj)
    removed += _strip_outlines(root)
    return removed


def _is_destination(action: Any) -> bool:
    # A page to open at ([page /Fit]) or a plain go-to does nothing but show a page.
    if isinstance(action, pikepdf.Array):
        return True
    return (
        isinstance(action, Dictionary) and action.get("/S") == Name.GoTo and "/Next" not in action
    )


def _actions(action: Any) -> Iterator[str]:
    seen = 0
    pending = [action]
    while pending and seen < 1000:
        seen += 1
        current = pending.pop()
        if isinstance(current, pikepdf.Array):
            pending.extend(current)
        elif isinstance(current, Dictionary):
            yield str(current.get("/S", ""))
            if "/Next" in current:
                pending.append(current.Next)


def _describe(action: Any) -> str:
    kinds = set(_actions(action))
    if "/JavaScript" in kinds or "/Rendition" in kinds:
        return SCRIPT
    if "/Launch" in kinds:
        return LAUNCH
    if kinds & {"/SubmitForm", "/ImportData"}:
        return SUBMIT
    if "/GoToE" in kinds:
        return ATTACHED
    return ACTION


def _drop_aa(obj: Any) -> list[str]:
    if "/AA" not in obj:
        return []
    triggers = obj.AA
    found = (
        [_describe(triggers[str(key)]) for key in triggers]
        if isinstance(triggers, Dictionary)
        else [ACTION]
    )
    del obj["/AA"]
    return found or [ACTION]


def _strip_names(root: Any) -> list[str]:
    if "/Names" not in root or not isinstance(root.Names, Dictionary):
        return []
    names = root.Names
    removed = []
    for key, what in (("/JavaScript", SCRIPT), ("/EmbeddedFiles", ATTACHED)):
        if key in names:
            removed.append(what)
            del names[key]
    if "/XFAResources" in names:
        removed.append(FORM)
        del names["/XFAResources"]
    return removed


def _strip_annotations(page: Dictionary) -> list[str]:
    if "/Annots" not in page or not isinstance(page.Annots, pikepdf.Array):
        return []
    removed: list[str] = []
    kept = pikepdf.Array()
    for annot in page.Annots:
        if not isinstance(annot, Dictionary):
            continue
        subtype = str(annot.get("/Subtype", ""))
        if subtype == "/FileAttachment":
            removed.append(ATTACHED)
            continue
        if subtype in MEDIA_ANNOTATIONS:
            removed.append(MEDIA)
            continue
        removed += _drop_aa(annot)
        if "/A" in annot:
            kinds = set(_actions(annot.A))
            unsafe = [UNSAFE_LINK_ACTIONS[k] for k in kinds if k in UNSAFE_LINK_ACTIONS]
            if unsafe:
                removed += unsafe
                del annot["/A"]
        if "/Parent" in annot:  # a form field's widget: the form itself is dropped
            parent = annot.Parent
            if isinstance(parent, Dictionary):
                removed += _drop_aa(parent)
        kept.append(annot)
    if removed or len(kept) != len(page.Annots):
        page.Annots = kept
    return removed


def _strip_outlines(root: Any) -> list[str]:
    if "/Outlines" not in root or not isinstance(root.Outlines, Dictionary):
        return []
    removed: list[str] = []
    pending = [root.Outlines.get("/First")]
    seen: set[tuple[int, int]] = set()
    while pending and len(seen) < 100_000:
        item = pending.pop()
        if not isinstance(item, Dictionary):
            continue
        if item.is_indirect:
            if item.objgen in seen:
                continue
            seen.add(item.objgen)
        if "/A" in item:
            kinds = set(_actions(item.A))
            unsafe = [UNSAFE_LINK_ACTIONS[k] for k in kinds if k in UNSAFE_LINK_ACTIONS]
            if unsafe:
                removed += unsafe
                del item["/A"]
        pending += [item.get("/First"), item.get("/Next")]
    return removed


def _unique(phrases: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(phrases))
