"""Converts Word documents to PDF with headless LibreOffice, one fresh profile per conversion."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

DEFAULT_TIMEOUT = 300.0


class ConversionError(RuntimeError):
    pass


class ConversionTimeoutError(ConversionError):
    pass


def soffice_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_available() -> bool:
    return soffice_binary() is not None


def convert_files(
    sources: Sequence[Path],
    out_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
) -> list[Path]:
    """Return the PDF for each source, in order, written to out_dir as <stem>.pdf."""
    if not sources:
        return []
    stems = [source.stem for source in sources]
    # LibreOffice names each output after its input's stem, so two inputs called
    # report.docx would silently overwrite each other.
    if len(set(stems)) != len(stems):
        raise ValueError("sources must have distinct file names (stems)")
    binary = soffice_binary()
    if binary is None:
        raise ConversionError("LibreOffice (soffice) is not installed on this server")
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, min(jobs, len(sources)))
    # Round-robin keeps the big and small documents spread over the processes.
    batches = [list(sources[start::jobs]) for start in range(jobs)]
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="lo-profiles-") as profiles:
        running = [
            _start(binary, batch, out_dir, Path(profiles) / f"profile-{number}")
            for number, batch in enumerate(batches)
        ]
        try:
            failures = [_finish(process, deadline) for process in running]
        except subprocess.TimeoutExpired:
            for process in running:
                _stop(process)
            names = ", ".join(source.name for source in sources)
            raise ConversionTimeoutError(
                f"LibreOffice did not finish converting {names} within {timeout:g} s"
            ) from None
    failures = [failure for failure in failures if failure]
    if failures:
        raise ConversionError("; ".join(failures))
    outputs = [out_dir / f"{stem}.pdf" for stem in stems]
    pairs = zip(sources, outputs, strict=True)
    missing = [source.name for source, output in pairs if not _is_pdf(output)]
    if missing:
        raise ConversionError("LibreOffice produced no PDF for " + ", ".join(missing))
    return outputs


def convert_documents(
    documents: Mapping[str, bytes],
    work_dir: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = 1,
) -> dict[str, bytes]:
    """Convert named .docx documents held in memory; work_dir holds the files meanwhile."""
    if not documents:
        return {}
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="convert-", dir=work_dir) as scratch:
        # Names are numbered, not taken from the caller, so any name is safe on disk.
        names = list(documents)
        sources = []
        for number, name in enumerate(names):
            source = Path(scratch) / f"d{number:05d}.docx"
            source.write_bytes(documents[name])
            sources.append(source)
        outputs = convert_files(sources, Path(scratch) / "pdf", timeout=timeout, jobs=jobs)
        return {name: output.read_bytes() for name, output in zip(names, outputs, strict=True)}


def to_pdf(document: bytes, work_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    return convert_documents({"document": document}, work_dir, timeout=timeout)["document"]


def _start(binary: str, batch: list[Path], out_dir: Path, profile: Path) -> subprocess.Popen[bytes]:
    command = [
        binary,
        # Each process gets its own profile: two LibreOffice processes sharing one
        # profile hand work to each other and one of them silently drops its output.
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--nologo",
        "--nodefault",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out_dir),
        *(str(source) for source in batch),
    ]
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Its own process group, so a timeout can stop soffice.bin and not only the launcher.
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[bytes], deadline: float) -> str:
    _, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip()[-500:]
        return f"LibreOffice exited with status {process.returncode}: {detail}"
    return ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.returncode is not None:
        return
    # The launcher's process group holds soffice.bin too; stop exactly that group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(5) == b"%PDF-"
    except FileNotFoundError:
        return False
