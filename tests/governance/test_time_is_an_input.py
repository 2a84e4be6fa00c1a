"""Time is an input: only governance/clock.py reads the wall clock, and the clock can be moved or
frozen for the whole service (GOVERNANCE_CLOCK) and for one test."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from governance import clock

ROOT = Path(__file__).resolve().parents[2]
# Calls that read the wall clock; time.monotonic and perf_counter measure durations and are fine.
WALL_CLOCK = re.compile(
    r"\b(datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(|time\.localtime\(|"
    r"time\.gmtime\(\)|new Date\(\)|Date\.now\(\))"
)


def test_no_module_or_test_reads_the_wall_clock_except_the_clock() -> None:
    offenders = []
    for folder in ("governance", "panel", "adm", "board", "tests", "bench", "templates", "assets"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".html", ".js", ".mjs"} or path == ROOT / (
                "governance/clock.py"
            ):
                continue
            if path == Path(__file__).resolve():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_clock_stands_still_while_frozen_and_says_the_london_date() -> None:
    # 23:30 UTC on 31 May is already 1 June in London (British Summer Time).
    with clock.frozen_at(datetime(2027, 5, 31, 23, 30, tzinfo=UTC)):
        assert clock.today() == date(2027, 6, 1)
        assert clock.now() == datetime(2027, 5, 31, 23, 30, tzinfo=UTC)
        clock.advance(timedelta(hours=1))
        assert clock.now() == datetime(2027, 6, 1, 0, 30, tzinfo=UTC)
    # Out of the block the clock runs again.
    assert clock.now() > datetime(2027, 6, 1, 0, 30, tzinfo=UTC) or clock.now() < datetime(
        2027, 5, 31, 23, 30, tzinfo=UTC
    )


def test_a_date_alone_means_nine_in_the_morning_in_london() -> None:
    assert clock.parse_moment("2027-12-24") == datetime.combine(
        date(2027, 12, 24), time(9), clock.LONDON
    )
    assert clock.parse_moment("2027-03-28T01:30") == datetime(
        2027, 3, 28, 1, 30, tzinfo=clock.LONDON
    )


def test_a_moved_clock_runs_on_from_where_it_was_put() -> None:
    clock.move_to(datetime(2030, 10, 27, 0, 59, tzinfo=UTC))
    first = clock.now()
    assert first >= datetime(2030, 10, 27, 0, 59, tzinfo=UTC)
    assert first - datetime(2030, 10, 27, 0, 59, tzinfo=UTC) < timedelta(minutes=1)
    assert clock.now() >= first
    assert clock.moved()
    clock.reset()


def test_the_clock_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.freeze(datetime(2027, 1, 1, 12))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.move_to(datetime(2027, 1, 1, 12))  # noqa: DTZ001


def test_governance_clock_moves_a_new_process(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "GOVERNANCE_CLOCK": "2031-12-24"}
    out = subprocess.run(
        [sys.executable, "-c", "from governance import clock; print(clock.today(), clock.moved())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["2031-12-24", "True"]
