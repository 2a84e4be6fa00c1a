"""governance/rules/retention.py: which daily backups are kept (7 daily, 5 weekly), and the daily
backup job that keeps to it as the days go by."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date, timedelta
from pathlib import Path

from governance import backup, clock, jobs
from governance.rules.retention import backups_to_keep
from governance.settings import Settings
from governance.tables import JobClaim
from tests import support


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_backups_to_keep_the_last_seven_days_and_the_latest_of_five_weeks() -> None:
    # Wednesday 2 June to Friday 16 July 2027, a backup every day.
    days = _days(date(2027, 6, 2), date(2027, 7, 16))
    kept = backups_to_keep(days)
    daily = set(_days(date(2027, 7, 10), date(2027, 7, 16)))
    # The latest of each of the five newest ISO weeks: the current one (Friday 16 July, a
    # daily as well) and the Sundays before it.
    weekly = {date(2027, 7, 16), date(2027, 7, 11), date(2027, 7, 4), date(2027, 6, 27),
              date(2027, 6, 20)}  # fmt: skip
    assert kept == daily | weekly
    assert len(kept) == 10  # 11 July is both the week's latest and one of the seven days


def test_backups_to_keep_across_the_new_year_counts_iso_weeks_not_calendar_ones() -> None:
    # 2026 has an ISO week 53 (Monday 28 December 2026 to Sunday 3 January 2027).
    days = [date(2026, 12, 20), date(2026, 12, 27), date(2026, 12, 29), date(2027, 1, 2),
            date(2027, 1, 3), date(2027, 1, 10), date(2027, 1, 17), date(2027, 1, 24)]  # fmt: skip
    kept = backups_to_keep(days, daily=2, weekly=5)
    assert kept == {
        date(2027, 1, 24), date(2027, 1, 17),  # the two newest days
        date(2027, 1, 10), date(2027, 1, 3),  # week 53's latest is 3 January, not 2 January
        date(2026, 12, 27),
    }  # fmt: skip


def test_backups_to_keep_all_of_a_few_and_none_of_none() -> None:
    assert backups_to_keep([]) == set()
    few = [date(2027, 3, 1), date(2027, 3, 2)]
    assert backups_to_keep(few) == set(few)
    # Days missed (the service was down) do not shorten what is kept: seven backups remain.
    gappy = [date(2027, 3, d) for d in (1, 3, 8, 9, 15, 22, 29, 30)]
    assert len(backups_to_keep(gappy, weekly=0)) == 7


async def test_the_daily_backup_runs_once_a_day_and_keeps_to_the_policy(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    support.require(
        shutil.which("pg_dump") is not None or not settings.database_url.startswith("postgres"),
        "pg_dump (postgresql-client)",
    )
    settings = dataclasses.replace(settings, backup_dir=tmp_path / "backups", backup_daily=True)
    first = date(2027, 3, 1)  # a Monday; the clocks go forward on Sunday 28 March
    for day in _days(first, first + timedelta(days=39)):
        with clock.frozen_at(day):
            await jobs.run_once(settings)
            await jobs.run_once(settings)  # the next minute's run finds the day claimed
    made = backup.daily_archives(tmp_path / "backups")
    last = first + timedelta(days=39)
    assert set(made) == backups_to_keep(_days(first, last))
    assert max(made) == last and len(made) == 10
    claims = await JobClaim.count().where(JobClaim.job == backup.DAILY_JOB)
    assert claims == 40
    assert not list((tmp_path / "backups").glob(".*partial"))
