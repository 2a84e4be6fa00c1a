"""The limits a paper is inspected within, and what the inspection found."""

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SafetyLimits:
    max_pages: int = 2000
    max_objects: int = 500_000
    max_stream_bytes: int = 256 * MB  # decoded size of any one PDF stream or Word part
    memory_bytes: int = 1536 * MB  # the worker's address space (RLIMIT_AS)
    cpu_seconds: int = 60
    wall_seconds: float = 90.0
    max_output_bytes: int = 64 * MB


@dataclass(frozen=True, slots=True)
class Cleaned:
    accepted: bool
    content: bytes = b""
    removed: tuple[str, ...] = ()
    reason: str = ""
    pages: int | None = None


def refused(reason: str) -> Cleaned:
    return Cleaned(accepted=False, reason=reason)


def too_complex(detail: str) -> Cleaned:
    return refused(
        f"could not be checked safely: it is too large or too complex to open ({detail})"
    )


def summary(removed: tuple[str, ...]) -> str:
    """'Checked: ...' or 'Cleaned: ...' as a page and the upload's message say it."""
    if not removed:
        return "Checked: nothing needed removing."
    return (
        f"Cleaned: removed {and_list(removed)}. "
        "Packs use the cleaned copy; the original is kept for advisers."
    )


def and_list(phrases: tuple[str, ...]) -> str:
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]
