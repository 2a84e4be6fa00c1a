import random
from datetime import date, timedelta

import pytest

from governance.calendars import (
    bank_holidays,
    statutory_calendar,
    working_calendar,
    working_calendar_for,
    working_calendars,
)
from governance.rules.workdays import (
    CalendarKind,
    WorkingCalendar,
    add_months,
    add_working_days,
    easter_sunday,
    is_working_day,
    last_of_working_days_beginning_with,
    long_date,
    next_working_day,
    previous_working_day,
    statutory_days_off,
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


# ---------------------------------------------------------------- statutory working days


def test_a_statutory_working_day_excludes_christmas_day_and_good_friday_by_name_aar_reg_2() -> None:
    # Even from a list of bank holidays that lacks them (in England they are common-law
    # holidays, not bank holidays under the 1971 Act), AAR reg 2 names them.
    off = statutory_days_off([2027], frozenset())
    assert off == {date(2027, 12, 25), date(2027, 3, 26)}


def test_good_friday_follows_easter_sunday_in_every_year_the_service_counts() -> None:
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2028) == date(2028, 4, 16)
    for year in range(2013, 2041):
        assert easter_sunday(year) - timedelta(days=2) in bank_holidays([year])


def test_the_statutory_calendar_over_christmas_2026_counts_closure_days_aar_reg_2() -> None:
    cal = statutory_calendar((2026, 2027))
    for day in (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)):
        assert is_working_day(day, cal)
    for day in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)):
        assert not is_working_day(day, cal)


def test_good_friday_and_easter_monday_2027_are_not_statutory_working_days_aar_reg_2() -> None:
    cal = statutory_calendar([2027])
    assert not is_working_day(date(2027, 3, 26), cal)
    assert not is_working_day(date(2027, 3, 29), cal)
    assert is_working_day(date(2027, 3, 25), cal)
    assert is_working_day(date(2027, 3, 30), cal)


def test_an_agencys_two_calendars_differ_only_by_its_closure_days() -> None:
    closures = (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31))
    both = working_calendars((2026, 2027), closures)
    assert both.agency.closed - both.statutory.closed == set(closures)
    assert both.statutory.closed <= both.agency.closed
    assert both.of(CalendarKind.STATUTORY) is both.statutory
    assert both.of(CalendarKind.AGENCY) is both.agency
    assert both.agency == CLOSED_OVER_CHRISTMAS


# ---------------------------------------------------------------- periods beginning with a day


def test_a_period_beginning_with_a_working_day_counts_that_day_as_day_1_aar_reg_30b_5_c() -> None:
    cal = statutory_calendar((2026, 2027))
    monday = date(2027, 1, 4)
    assert last_of_working_days_beginning_with(monday, 1, cal) == monday
    assert last_of_working_days_beginning_with(monday, 5, cal) == date(2027, 1, 8)
    for n in range(1, 60):
        assert last_of_working_days_beginning_with(monday, n, cal) == add_working_days(
            monday, n - 1, cal
        )


def test_a_period_beginning_with_a_day_off_starts_counting_on_the_next_working_day() -> None:
    # Sent on a Saturday, on Good Friday or on Easter Monday: none of them can be a working day
    # of the period, so day 1 is Tuesday 30 March 2027.
    cal = statutory_calendar([2027])
    for day in (date(2027, 3, 26), date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29)):
        assert last_of_working_days_beginning_with(day, 1, cal) == date(2027, 3, 30)
        assert last_of_working_days_beginning_with(day, 40, cal) == date(2027, 5, 25)


def test_every_period_beginning_with_a_day_ends_on_its_nth_working_day_on_or_after_it() -> None:
    cal = working_calendar((2026, 2027), [date(2026, 12, 24), date(2026, 12, 29)])
    start = date(2026, 1, 1)
    for offset in range(0, 600, 3):
        day = start + timedelta(days=offset)
        last = last_of_working_days_beginning_with(day, 40, cal)
        counted = sum(
            is_working_day(day + timedelta(days=n), cal) for n in range((last - day).days + 1)
        )
        assert counted == 40
        assert is_working_day(last, cal)


def test_a_period_beginning_with_a_day_lasts_at_least_that_day() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        last_of_working_days_beginning_with(date(2027, 1, 4), 0, BANK_HOLIDAYS_ONLY)
