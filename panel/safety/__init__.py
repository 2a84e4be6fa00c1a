"""Whether a paper is safe to put in front of panel members, and its clean copy: inspected in a
worker process with bounded memory, CPU and time, so a hostile file cannot hurt the server."""

import asyncio
import hashlib
import json
import multiprocessing
import resource
import struct
import weakref
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

from governance.settings import Settings
from panel import uploads
from panel.documents import PaperFailed
from panel.safety.verdicts import MB, Cleaned, SafetyLimits, and_list, summary, too_complex

__all__ = [
    "Cleaned",
    "PaperUnsafe",
    "SafetyLimits",
    "and_list",
    "clean",
    "inspect_upload",
    "limits_of",
    "make_safe",
    "summary",
]

WORKERS = 2  # at most this many papers are opened at once, whatever the load
HEADER = struct.Struct(">Q")
_semaphores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


class PaperUnsafe(PaperFailed):
    """A paper already on an agenda that the inspection refuses: its pack cannot be built (a pack
    build treats it as any other paper that cannot go in)."""


def limits_of(settings: Settings) -> SafetyLimits:
    """The agency's limits (PAPER_* settings; the defaults suit ordinary papers)."""
    return SafetyLimits(
        max_pages=settings.paper_max_pages,
        max_objects=settings.paper_max_objects,
        max_stream_bytes=settings.paper_max_stream_mb * MB,
        memory_bytes=settings.paper_worker_memory_mb * MB,
        cpu_seconds=settings.paper_worker_cpu_seconds,
        wall_seconds=settings.paper_worker_cpu_seconds * 1.5,
    )


def clean(kind: uploads.Kind, data: bytes, limits: SafetyLimits) -> Cleaned:
    """The paper's verdict and clean copy. Parses the file: call it only in the worker."""
    if kind is uploads.Kind.PDF:
        from panel.safety.pdf import clean_pdf

        return clean_pdf(data, limits)
    from panel.safety.word import clean_docx

    return clean_docx(data, limits)


async def make_safe(kind: uploads.Kind, data: bytes, limits: SafetyLimits | None = None) -> Cleaned:
    """clean() in a bounded worker process; a worker that dies or overruns is a refusal."""
    limits = limits or SafetyLimits()
    header, content = await _run(["clean", kind.value], data, limits)
    if header is None:
        return too_complex(content.decode("utf-8", "replace"))
    return _cleaned(header["cleaned"], content)


async def inspect_upload(
    name: str,
    data: bytes,
    upload_limits: uploads.UploadLimits,
    limits: SafetyLimits | None = None,
) -> tuple[uploads.UploadVerdict, Cleaned]:
    """check_upload then clean, both in one worker. A refusal of either is a verdict that is not
    accepted, its message the file's name and the reason."""
    limits = limits or SafetyLimits()
    args = ["inspect", json.dumps(name), json.dumps(asdict(upload_limits))]
    header, content = await _run(args, data, limits)
    if header is None:
        cleaned = too_complex(content.decode("utf-8", "replace"))
        return _refusal(name, data, cleaned.reason), cleaned
    verdict = header["verdict"]
    return (
        uploads.UploadVerdict(
            accepted=verdict["accepted"],
            message=verdict["message"],
            filename=verdict["filename"],
            kind=uploads.Kind(verdict["kind"]) if verdict["kind"] else None,
            size=verdict["size"],
            sha256=verdict["sha256"],
            pages=verdict["pages"],
            problem=uploads.Problem(verdict["problem"]) if verdict["problem"] else None,
        ),
        _cleaned(header["cleaned"], content),
    )


def _refusal(name: str, data: bytes, reason: str) -> uploads.UploadVerdict:
    return uploads.UploadVerdict(
        accepted=False,
        message=f"{uploads.display_name(name)} {reason}",
        filename=uploads.safe_filename(name, None),
        kind=None,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _cleaned(fields: dict[str, Any], content: bytes) -> Cleaned:
    return Cleaned(
        accepted=fields["accepted"],
        content=content,
        removed=tuple(fields["removed"]),
        reason=fields["reason"],
        pages=fields["pages"],
    )


def _semaphore() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _semaphores:
        _semaphores[loop] = asyncio.Semaphore(WORKERS)
    return _semaphores[loop]


# Each paper is opened in a process of its own, forked from a server process that has already
# imported the readers (pikepdf, lxml, python-docx), so a paper starts in milliseconds rather than
# the half second a fresh interpreter takes, and no paper's state outlives it.
_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["panel.safety_worker"])


def _limit(limits: SafetyLimits) -> None:
    """Bound this (the child's) memory, CPU time and output before it opens the paper."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_output_bytes, limits.max_output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(sender: Connection, args: list[str], data: bytes, limits: SafetyLimits) -> None:
    _limit(limits)
    from panel import safety_worker

    sender.send_bytes(safety_worker.answer(args, data, limits))
    sender.close()


def _open_in_child(args: list[str], data: bytes, limits: SafetyLimits) -> bytes | str:
    """The child's answer, or why there is none (it overran, died or was killed). Blocking: run
    it in a thread."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_child, args=(sender, args, data, limits), daemon=True)
    try:
        process.start()
        sender.close()
        if not receiver.poll(limits.wall_seconds):
            return f"it took more than {limits.wall_seconds:g} seconds"
        try:
            return receiver.recv_bytes(limits.max_output_bytes + (1 << 20))
        except (EOFError, OSError):
            return "opening it ran out of memory or time"
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()


async def _run(
    args: list[str], data: bytes, limits: SafetyLimits
) -> tuple[dict[str, Any] | None, bytes]:
    """The worker's header and content, or (None, why it gave none)."""
    async with _semaphore():
        out = await asyncio.to_thread(_open_in_child, args, data, limits)
    if isinstance(out, str):
        return None, out.encode()
    try:
        (length,) = HEADER.unpack_from(out)
        header = json.loads(out[HEADER.size : HEADER.size + length])
    except (struct.error, ValueError):
        return None, b"the checker gave no answer"
    return header, out[HEADER.size + length :]
