"""What the process that opens one paper for panel.safety runs: the paper's bytes in, a header and
the clean copy out. The process has bounded memory, CPU time and output (panel.safety._limit)."""

import hashlib
import json
from dataclasses import asdict
from typing import Any

from panel import uploads
from panel.safety import HEADER, SafetyLimits, clean
from panel.safety.verdicts import Cleaned
from panel.safety.word import dtd_refusal


def _inspect(
    name: str, data: bytes, upload_limits: uploads.UploadLimits, limits: SafetyLimits
) -> tuple[dict[str, Any], Cleaned]:
    shown = uploads.display_name(name)
    sniffed = uploads.Kind.PDF if data.startswith(b"%PDF-") else None
    early: Cleaned | None = None
    if 0 < len(data) <= upload_limits.max_bytes:
        # A PDF bomb or a DTD is refused in the inspection's own words before check_upload opens it.
        if sniffed is uploads.Kind.PDF:
            early = clean(uploads.Kind.PDF, data, limits)
        else:
            reason = dtd_refusal(data, upload_limits)
            early = Cleaned(accepted=False, reason=reason) if reason else None
    if early is not None and not early.accepted:
        fields = {
            "accepted": False,
            "message": f"{shown} {early.reason}",
            "filename": uploads.safe_filename(name, None),
            "kind": None,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "pages": None,
            "problem": None,
        }
        return fields, early
    verdict = uploads.check_upload(name, data, upload_limits)
    if not verdict.accepted or verdict.kind is None:
        return asdict(verdict), Cleaned(accepted=False, reason=verdict.message)
    cleaned = early if early is not None else clean(verdict.kind, data, limits)
    if not cleaned.accepted:
        return asdict(verdict) | {
            "accepted": False,
            "message": f"{shown} {cleaned.reason}",
        }, cleaned
    return asdict(verdict), cleaned


def answer(args: list[str], data: bytes, limits: SafetyLimits) -> bytes:
    """The header (verdict, what was removed) and the clean copy, framed for panel.safety."""
    verdict: dict[str, Any] | None = None
    if args[0] == "inspect":
        upload_limits = uploads.UploadLimits(**json.loads(args[2]))
        verdict, cleaned = _inspect(json.loads(args[1]), data, upload_limits, limits)
    else:
        cleaned = clean(uploads.Kind(args[1]), data, limits)
    fields = asdict(cleaned)
    del fields["content"]
    header = json.dumps({"verdict": verdict, "cleaned": fields}).encode()
    return HEADER.pack(len(header)) + header + cleaned.content
