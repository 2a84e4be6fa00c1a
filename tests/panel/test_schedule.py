from datetime import date, time

import pytest

from governance.calendars import working_calendar
from panel.rules import schedule

CHRISTMAS_2025 = {date(2025, 12, 25): "Christmas Day", date(2025, 12, 26): "Boxing Day"}


def test_second_and_fourth_thursday_with_times_is_understood() -> None:
    pattern = schedule.parse("2nd and 4th Thursday, 10:00-13:00")
    assert pattern == schedule.Pattern(3, (2, 4), starts=time(10), ends=time(13))


def test_fortnightly_and_last_weekday_patterns_are_understood() -> None:
    assert schedule.parse("every other Wednesday").every == 2
    assert schedule.parse("fortnightly on Tuesdays").weekday == 1
    assert schedule.parse("last Friday").ordinals == (-1,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2nd and 4th", "Say which day of the week"),
        ("second Thursday 13:00-10:00", "must end after it starts"),
        ("often Thursday", "'often' is not understood"),
        ("Thursday 25:00-26:00", "is not a time of day"),
    ],
)
def test_a_pattern_that_cannot_be_read_says_why(text: str, message: str) -> None:
    with pytest.raises(schedule.PatternError, match=message):
        schedule.parse(text)


def test_a_series_skips_christmas_day_and_says_so() -> None:
    pattern = schedule.parse("2nd and 4th Thursday")
    found = schedule.dates(pattern, date(2025, 12, 1), date(2026, 1, 31), CHRISTMAS_2025)
    assert found.dates == (date(2025, 12, 11), date(2026, 1, 8), date(2026, 1, 22))
    assert found.skipped == (schedule.Skipped(date(2025, 12, 25), "Christmas Day"),)


def test_fortnightly_counts_from_the_first_matching_day() -> None:
    found = schedule.dates(
        schedule.parse("every other Monday"), date(2027, 1, 1), date(2027, 2, 1), {}
    )
    assert found.dates == (date(2027, 1, 4), date(2027, 1, 18), date(2027, 2, 1))


def test_a_fifth_weekday_is_only_in_months_that_have_one() -> None:
    found = schedule.dates(schedule.parse("5th Friday"), date(2027, 1, 1), date(2027, 3, 31), {})
    assert found.dates == (date(2027, 1, 29),)


def test_a_month_left_without_a_panel_is_named() -> None:
    held = [date(2026, 11, 26), date(2027, 1, 28)]
    gaps = schedule.months_without_panel(held, date(2026, 11, 1), date(2027, 1, 31))
    assert gaps == ((2026, 12),)


def test_papers_are_due_five_working_days_before_counting_back_over_christmas() -> None:
    cal = working_calendar([2026, 2027], [date(2026, 12, 24)])
    # 31, 30, 29 December; 28 (Boxing Day substitute), 25 and 24 (closure) are not working days.
    assert schedule.paper_deadline(date(2027, 1, 4), 5, cal) == date(2026, 12, 22)
