"""Safety benchmark: the memory a hostile paper costs the process that asks for it to be made safe,
and the time make_safe adds to an ordinary 40-page paper against check_upload alone (same run).

Judged by: peak RSS after / before each hostile sample < 1.1. This process stands in for the server
(it calls panel.safety.inspect_upload exactly as upload_paper does); see the report for why.
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from panel import safety, uploads
from tests.panel import hostile


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _hostile() -> bool:
    ok = True
    for name, make in {**hostile.HOSTILE_PDFS, **hostile.HOSTILE_DOCX}.items():
        data = make()
        before = _peak_mb()
        verdict, cleaned = await safety.inspect_upload(name, data, uploads.UploadLimits())
        after = _peak_mb()
        outcome = "cleaned: " + ", ".join(cleaned.removed) if verdict.accepted else "refused"
        ratio = after / before
        ok = ok and ratio < 1.1
        print(f"{name:22} peak RSS {before:6.0f} -> {after:6.0f} MB, x{ratio:.3f}  {outcome}")
    return ok


async def _timing() -> None:
    paper = hostile.forty_page_pdf()
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        uploads.check_upload("paper.pdf", paper)
    baseline = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        await safety.make_safe(uploads.Kind.PDF, paper)
    made_safe = (time.perf_counter() - start) / runs
    print(
        f"40-page PDF: check_upload alone {baseline * 1000:.1f} ms (baseline), "
        f"make_safe {made_safe * 1000:.1f} ms = {made_safe / baseline:.1f} x baseline"
    )


def main() -> None:
    ok = asyncio.run(_hostile())
    asyncio.run(_timing())
    print(f"Target every peak RSS ratio < 1.1: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
