import random
from datetime import date, timedelta

import pytest

from governance.calendars import bank_holidays, working_calendar, working_calendar_for
from governance.rules.workdays import (
    WorkingCalendar,
    add_months,
    add_working_days,
    is_working_day,
    long_date,
    next_working_day,
    previous_working_day,
    working_days_between,
)

BANK_HOLIDAYS_ONLY = working_calendar((2026, 2027))
CLOSED_OVER_CHRISTMAS = working_calendar(
    (2026, 2027),
    closure_days=(date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)),
)
WEEKENDS_ONLY = WorkingCalendar()


def test_christmas_2026_and_new_year_2027_are_bank_holidays_in_england() -> None:
    closed = bank_holidays((2026, 2027))
    assert {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)} <= closed
    assert date(2026, 12, 24) not in closed
    assert date(2026, 12, 29) not in closed


def test_easter_2027_closes_good_friday_and_easter_monday() -> None:
    closed = bank_holidays([2027])
    assert date(2027, 3, 26) in closed
    assert date(2027, 3, 29) in closed
    assert date(2027, 3, 25) not in closed


def test_bank_holidays_do_not_depend_on_the_order_the_years_come_in() -> None:
    assert bank_holidays([2027, 2026, 2027]) == bank_holidays(range(2026, 2028))


def test_boxing_day_substitute_is_not_a_working_day_but_the_saturday_is_not_one_either() -> None:
    assert not is_working_day(date(2026, 12, 26), BANK_HOLIDAYS_ONLY)
    assert not is_working_day(date(2026, 12, 28), BANK_HOLIDAYS_ONLY)
    assert is_working_day(date(2026, 12, 29), BANK_HOLIDAYS_ONLY)


def test_a_closure_day_added_by_the_agency_is_not_a_working_day() -> None:
    assert is_working_day(date(2026, 12, 24), BANK_HOLIDAYS_ONLY)
    assert not is_working_day(date(2026, 12, 24), CLOSED_OVER_CHRISTMAS)
    assert not is_working_day(date(2026, 12, 30), CLOSED_OVER_CHRISTMAS)


def test_weekends_are_never_working_days() -> None:
    assert not is_working_day(date(2027, 1, 2), WEEKENDS_ONLY)
    assert not is_working_day(date(2027, 1, 3), WEEKENDS_ONLY)
    assert is_working_day(date(2027, 1, 4), WEEKENDS_ONLY)


def test_within_five_working_days_counts_from_the_next_day_and_skips_the_weekend() -> None:
    assert add_working_days(date(2027, 1, 6), 5, WEEKENDS_ONLY) == date(2027, 1, 13)


def test_within_five_working_days_of_23_december_2026_skips_christmas_and_new_year() -> None:
    assert add_working_days(date(2026, 12, 23), 5, BANK_HOLIDAYS_ONLY) == date(2027, 1, 4)


def test_agency_closure_over_christmas_pushes_the_five_days_into_the_next_week() -> None:
    assert add_working_days(date(2026, 12, 23), 5, CLOSED_OVER_CHRISTMAS) == date(2027, 1, 8)


def test_counting_from_a_saturday_starts_on_monday() -> None:
    assert add_working_days(date(2027, 1, 9), 1, WEEKENDS_ONLY) == date(2027, 1, 11)


def test_five_working_days_before_a_monday_meeting_is_the_monday_before() -> None:
    assert add_working_days(date(2027, 1, 18), -5, WEEKENDS_ONLY) == date(2027, 1, 11)


def test_five_working_days_before_a_meeting_after_easter_skips_the_easter_weekend() -> None:
    assert add_working_days(date(2027, 4, 1), -5, BANK_HOLIDAYS_ONLY) == date(2027, 3, 23)


def test_zero_working_days_is_the_day_itself() -> None:
    assert add_working_days(date(2027, 1, 9), 0, WEEKENDS_ONLY) == date(2027, 1, 9)


def test_working_days_between_counts_after_the_start_up_to_and_including_the_end() -> None:
    assert working_days_between(date(2027, 1, 4), date(2027, 1, 8), WEEKENDS_ONLY) == 4
    assert working_days_between(date(2027, 1, 4), date(2027, 1, 4), WEEKENDS_ONLY) == 0


def test_working_days_between_is_negative_when_the_end_comes_first() -> None:
    assert working_days_between(date(2027, 1, 8), date(2027, 1, 4), WEEKENDS_ONLY) == -4


def test_working_days_between_undoes_adding_working_days_over_christmas() -> None:
    start = date(2026, 12, 18)
    for n in range(15):
        end = add_working_days(start, n, CLOSED_OVER_CHRISTMAS)
        assert working_days_between(start, end, CLOSED_OVER_CHRISTMAS) == n


def test_next_and_previous_working_day_step_over_new_year() -> None:
    assert next_working_day(date(2026, 12, 31), BANK_HOLIDAYS_ONLY) == date(2027, 1, 4)
    assert previous_working_day(date(2027, 1, 4), BANK_HOLIDAYS_ONLY) == date(2026, 12, 31)
    assert previous_working_day(date(2027, 1, 4), CLOSED_OVER_CHRISTMAS) == date(2026, 12, 23)


def test_a_calendar_refuses_a_day_in_a_year_it_does_not_know_the_bank_holidays_of() -> None:
    only_2026 = working_calendar([2026])
    with pytest.raises(ValueError, match="does not cover 2027-01-01"):
        add_working_days(date(2026, 12, 23), 7, only_2026)


def test_a_calendar_for_a_date_range_covers_every_year_in_it() -> None:
    cal = working_calendar_for(date(2026, 11, 30), date(2027, 2, 1), [date(2026, 12, 24)])
    assert add_working_days(date(2026, 12, 23), 5, cal) == date(2027, 1, 5)
    assert cal.covers_from == date(2026, 1, 1)
    assert cal.covers_to == date(2027, 12, 31)


def test_a_calendar_fills_in_the_years_between_those_asked_for() -> None:
    cal = working_calendar([2028, 2026])
    assert not is_working_day(date(2027, 3, 26), cal)
    assert cal.covers_from == date(2026, 1, 1)
    assert cal.covers_to == date(2028, 12, 31)


def test_a_month_after_31_january_is_the_end_of_february() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_months_carry_over_the_year_end_both_ways() -> None:
    assert add_months(date(2026, 11, 30), 4) == date(2027, 3, 30)
    assert add_months(date(2027, 3, 31), -4) == date(2026, 11, 30)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_a_date_in_words_has_no_leading_zero() -> None:
    assert long_date(date(2027, 1, 4)) == "4 January 2027"


def test_counting_working_days_by_arithmetic_agrees_with_counting_them_one_by_one() -> None:
    """The fast count of working days matches walking the calendar a day at a time, over
    spans that start and end on weekends, bank holidays and closure days (Christmas and Easter
    2026 and 2027 included)."""
    closed = frozenset(
        {
            date(2026, 4, 3), date(2026, 4, 6), date(2026, 12, 25), date(2026, 12, 28),
            date(2026, 12, 24), date(2026, 12, 29), date(2027, 1, 1), date(2027, 3, 26),
            date(2027, 3, 29), date(2026, 12, 26),  # a closure day that is a Saturday
        }
    )  # fmt: skip
    cal = WorkingCalendar(closed, date(2026, 1, 1), date(2027, 12, 31))
    chooser = random.Random(2026)
    for _ in range(2000):
        start = date(2026, 1, 1) + timedelta(days=chooser.randrange(0, 700))
        end = start + timedelta(days=chooser.randrange(-200, 200))
        if not date(2026, 1, 1) <= end <= date(2027, 12, 31):
            continue
        low, high = min(start, end), max(start, end)
        walked = sum(
            is_working_day(low + timedelta(days=n), cal) for n in range(1, (high - low).days + 1)
        )
        assert working_days_between(start, end, cal) == (walked if end >= start else -walked)
