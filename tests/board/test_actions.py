from dataclasses import replace
from datetime import date, timedelta

from board.rules.actions import (
    DEFAULT_ACTIONS_POLICY,
    Action,
    ActionDraft,
    ActionStatus,
    ReminderKind,
    Standing,
    check_new_action,
    due_soon,
    matters_arising,
    overdue,
    reminders_due,
    standing,
)

JANUARY_MEETING = date(2023, 1, 18)
APRIL_MEETING = date(2023, 4, 19)

marketing = Action(
    id=1,
    description="Bring a web marketing strategy shaped by the children waiting",
    owner="Recruitment Officer",
    due_on=date(2023, 3, 31),
    status=ActionStatus.OPEN,
    raised_on=JANUARY_MEETING,
)
triage = Action(
    id=2,
    description="Report on triage assessments in the support team",
    owner="Team Manager, ASGS",
    due_on=date(2023, 2, 28),
    status=ActionStatus.IN_PROGRESS,
    raised_on=JANUARY_MEETING,
)
audit = Action(
    id=3,
    description="Write to members about attendance after the internal audit",
    owner="Chair",
    due_on=date(2022, 12, 1),
    status=ActionStatus.DONE,
    raised_on=date(2022, 10, 19),
)
website = Action(
    id=4,
    description="Relaunch the website",
    owner="Marketing Assistant",
    due_on=date(2023, 1, 31),
    status=ActionStatus.DROPPED,
    raised_on=date(2022, 10, 19),
)
podcast = Action(
    id=5,
    description="Record a podcast on adopting siblings",
    owner="Recruitment Officer",
    due_on=date(2023, 6, 30),
    status=ActionStatus.OPEN,
    raised_on=APRIL_MEETING,
)
LOG = (marketing, triage, audit, website, podcast)


def test_an_open_action_due_yesterday_is_overdue() -> None:
    assert overdue(LOG, date(2023, 4, 1)) == (triage, marketing)
    verdict = standing(marketing, date(2023, 4, 3), DEFAULT_ACTIONS_POLICY)
    assert verdict.standing is Standing.OVERDUE
    assert verdict.reason == "overdue by 3 days (due 31 March 2023)"


def test_an_action_due_today_is_due_soon_not_overdue() -> None:
    assert marketing not in overdue(LOG, marketing.due_on)
    verdict = standing(marketing, marketing.due_on, DEFAULT_ACTIONS_POLICY)
    assert (verdict.standing, verdict.reason) == (Standing.DUE_SOON, "due today (31 March 2023)")


def test_done_and_dropped_actions_are_never_overdue() -> None:
    assert overdue(LOG, date(2030, 1, 1)) == (triage, marketing, podcast)
    assert standing(website, date(2030, 1, 1), DEFAULT_ACTIONS_POLICY).standing is Standing.CLOSED


def test_due_soon_means_within_the_policy_days() -> None:
    today = date(2023, 3, 17)
    assert due_soon(LOG, today, DEFAULT_ACTIONS_POLICY) == (marketing,)
    assert due_soon(LOG, today - timedelta(days=1), DEFAULT_ACTIONS_POLICY) == ()
    shorter = replace(DEFAULT_ACTIONS_POLICY, due_soon_days=7)
    assert due_soon(LOG, today, shorter) == ()
    verdict = standing(marketing, date(2023, 3, 1), DEFAULT_ACTIONS_POLICY)
    assert (verdict.standing, verdict.reason) == (
        Standing.ON_TRACK,
        "due in 30 days (31 March 2023)",
    )


def test_matters_arising_are_open_actions_from_earlier_meetings_by_due_date() -> None:
    assert matters_arising(LOG, APRIL_MEETING) == (triage, marketing)


def test_an_action_raised_at_a_meeting_is_not_a_matter_arising_at_that_meeting() -> None:
    assert matters_arising(LOG, JANUARY_MEETING) == ()
    assert podcast in matters_arising(LOG, date(2023, 7, 19))


def test_a_complete_new_action_passes() -> None:
    draft = ActionDraft("Circulate the service plan", "Head of Service", JANUARY_MEETING)
    assert check_new_action(draft, JANUARY_MEETING, DEFAULT_ACTIONS_POLICY) == {}


def test_a_new_action_needs_an_owner_a_description_and_a_due_date() -> None:
    draft = ActionDraft(description="  ", owner="", due_on=None)
    assert check_new_action(draft, JANUARY_MEETING, DEFAULT_ACTIONS_POLICY) == {
        "description": "Enter what the action is",
        "owner": "Enter who owns the action",
        "due_on": "Enter the date the action is due",
    }


def test_a_new_action_cannot_be_due_before_the_meeting_that_raised_it() -> None:
    draft = ActionDraft("Circulate the service plan", "Head of Service", date(2023, 1, 17))
    assert check_new_action(draft, JANUARY_MEETING, DEFAULT_ACTIONS_POLICY) == {
        "due_on": "The due date must be on or after 18 January 2023, "
        "the date of the meeting that raised the action"
    }


def test_a_new_action_description_has_a_length_limit() -> None:
    draft = ActionDraft("x" * 501, "Chair", APRIL_MEETING)
    assert check_new_action(draft, JANUARY_MEETING, DEFAULT_ACTIONS_POLICY) == {
        "description": "The action must be 500 characters or fewer (it is 501)"
    }
    assert (
        check_new_action(
            replace(draft, description="x" * 500), JANUARY_MEETING, DEFAULT_ACTIONS_POLICY
        )
        == {}
    )


def test_a_reminder_falls_due_seven_days_before_the_due_date() -> None:
    assert reminders_due([marketing], date(2023, 3, 23), DEFAULT_ACTIONS_POLICY) == ()
    (reminder,) = reminders_due([marketing], date(2023, 3, 24), DEFAULT_ACTIONS_POLICY)
    assert reminder.key == (1, ReminderKind.DUE_SOON, date(2023, 3, 24))
    assert reminder.due_on == date(2023, 3, 31)


def test_a_reminder_falls_due_on_the_first_day_an_action_is_overdue() -> None:
    (reminder,) = reminders_due([marketing], date(2023, 4, 1), DEFAULT_ACTIONS_POLICY)
    assert reminder.key == (1, ReminderKind.OVERDUE, date(2023, 4, 1))


def test_a_reminder_keeps_its_key_whichever_day_the_job_runs() -> None:
    # A job that missed a day sends the same reminder once it runs; recording keys stops repeats.
    keys = {
        reminder.key
        for day in range(24, 32)
        for reminder in reminders_due([marketing], date(2023, 3, day), DEFAULT_ACTIONS_POLICY)
    }
    assert keys == {(1, ReminderKind.DUE_SOON, date(2023, 3, 24))}
    later = reminders_due([marketing], date(2023, 4, 10), DEFAULT_ACTIONS_POLICY)
    assert [r.key for r in later] == [(1, ReminderKind.OVERDUE, date(2023, 4, 1))]


def test_closed_actions_get_no_reminders() -> None:
    assert reminders_due([audit, website], date(2023, 1, 1), DEFAULT_ACTIONS_POLICY) == ()


def test_reminders_follow_the_policy_days_before() -> None:
    policy = replace(DEFAULT_ACTIONS_POLICY, reminder_days_before=3)
    assert reminders_due([marketing], date(2023, 3, 27), policy) == ()
    assert [r.on for r in reminders_due([marketing], date(2023, 3, 28), policy)] == [
        date(2023, 3, 28)
    ]
