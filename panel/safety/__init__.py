"""Whether a paper is safe to put in front of panel members, and its clean copy: inspected in a
worker process with bounded memory, CPU and time, so a hostile file cannot hurt the server."""

import asyncio
import hashlib
import json
import os
import resource
import struct
import sys
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import Any

from panel import uploads
from panel.safety.verdicts import Cleaned, SafetyLimits, and_list, summary, too_complex

__all__ = [
    "Cleaned",
    "PaperUnsafe",
    "SafetyLimits",
    "and_list",
    "clean",
    "inspect_upload",
    "make_safe",
    "summary",
]

WORKERS = 2  # at most this many papers are opened at once, whatever the load
HEADER = struct.Struct(">Q")
ROOT = Path(__file__).resolve().parents[2]
_semaphores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


class PaperUnsafe(Exception):
    """A paper already on an agenda that the inspection refuses: its pack cannot be built."""

    def __init__(self, paper_title: str, item_number: int, reason: str) -> None:
        super().__init__(f"The paper '{paper_title}' for item {item_number} {reason}")
        self.paper_title = paper_title
        self.item_number = item_number
        self.reason = reason


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


def _limit(limits: SafetyLimits) -> None:
    # Runs in the child between fork and exec: only async-signal-safe work.
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_output_bytes, limits.max_output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


async def _run(
    args: list[str], data: bytes, limits: SafetyLimits
) -> tuple[dict[str, Any] | None, bytes]:
    """The worker's header and content, or (None, why it gave none)."""
    async with _semaphore():
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "panel.safety_worker",
            *args,
            json.dumps(asdict(limits)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=_environment(),
            cwd=str(ROOT),
            preexec_fn=lambda: _limit(limits),
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(data), limits.wall_seconds)
        except TimeoutError:
            process.kill()
            await process.wait()
            return None, f"it took more than {limits.wall_seconds:g} seconds".encode()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    if process.returncode != 0:
        return None, b"opening it ran out of memory or time"
    try:
        (length,) = HEADER.unpack_from(out)
        header = json.loads(out[HEADER.size : HEADER.size + length])
    except (struct.error, ValueError):
        return None, b"the checker gave no answer"
    return header, out[HEADER.size + length :]
