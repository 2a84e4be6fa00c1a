"""The board's action log: where each action stands, matters arising, checks, reminders."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from governance.rules.workdays import long_date
from panel.rules.members import plural


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


CLOSED = frozenset({ActionStatus.DONE, ActionStatus.DROPPED})


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    description: str
    owner: str
    due_on: date
    status: ActionStatus
    raised_on: date  # the date of the meeting that raised it


@dataclass(frozen=True, slots=True)
class ActionsPolicy:
    version: int
    due_soon_days: int
    reminder_days_before: int
    description_max_length: int


DEFAULT_ACTIONS_POLICY = ActionsPolicy(
    version=1,
    due_soon_days=14,
    reminder_days_before=7,
    description_max_length=500,
)


class Standing(StrEnum):
    CLOSED = "closed"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"


@dataclass(frozen=True, slots=True)
class ActionStanding:
    standing: Standing
    reason: str


def standing(action: Action, today: date, policy: ActionsPolicy) -> ActionStanding:
    days = (action.due_on - today).days
    if action.status in CLOSED:
        return ActionStanding(Standing.CLOSED, action.status.value)
    if days < 0:
        return ActionStanding(
            Standing.OVERDUE,
            f"overdue by {plural(-days, 'day')} (due {long_date(action.due_on)})",
        )
    when = "today" if days == 0 else f"in {plural(days, 'day')}"
    if days <= policy.due_soon_days:
        return ActionStanding(Standing.DUE_SOON, f"due {when} ({long_date(action.due_on)})")
    return ActionStanding(Standing.ON_TRACK, f"due {when} ({long_date(action.due_on)})")


def overdue(actions: Iterable[Action], today: date) -> tuple[Action, ...]:
    return _by_due_date(a for a in actions if a.status not in CLOSED and a.due_on < today)


def due_soon(actions: Iterable[Action], today: date, policy: ActionsPolicy) -> tuple[Action, ...]:
    last = today + timedelta(days=policy.due_soon_days)
    return _by_due_date(a for a in actions if a.status not in CLOSED and today <= a.due_on <= last)


def matters_arising(actions: Iterable[Action], meeting_on: date) -> tuple[Action, ...]:
    return _by_due_date(
        a
        for a in actions
        if a.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and a.raised_on < meeting_on
    )


def _by_due_date(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(sorted(actions, key=lambda a: (a.due_on, a.id)))


@dataclass(frozen=True, slots=True)
class ActionDraft:
    description: str
    owner: str
    due_on: date | None


def check_new_action(draft: ActionDraft, raised_on: date, policy: ActionsPolicy) -> dict[str, str]:
    errors = {}
    description = draft.description.strip()
    if not description:
        errors["description"] = "Enter what the action is"
    elif len(description) > policy.description_max_length:
        errors["description"] = (
            f"The action must be {policy.description_max_length} characters or fewer"
            f" (it is {len(description)})"
        )
    if not draft.owner.strip():
        errors["owner"] = "Enter who owns the action"
    if draft.due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif draft.due_on < raised_on:
        errors["due_on"] = (
            f"The due date must be on or after {long_date(raised_on)}, "
            "the date of the meeting that raised the action"
        )
    return errors


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Reminder:
    action_id: int
    kind: ReminderKind
    on: date  # the day it fell due to be sent, whichever day the job runs
    due_on: date

    @property
    def key(self) -> tuple[int, ReminderKind, date]:
        return (self.action_id, self.kind, self.on)


def reminders_due(
    actions: Iterable[Action], today: date, policy: ActionsPolicy
) -> tuple[Reminder, ...]:
    # A reminder stays due from its day until it stops making sense, under the same key: a job that
    # missed a day catches up, and one that runs twice sends nothing twice if it records the keys.
    reminders = []
    for action in actions:
        if action.status in CLOSED:
            continue
        before = action.due_on - timedelta(days=policy.reminder_days_before)
        after = action.due_on + timedelta(days=1)
        if before <= today <= action.due_on:
            reminders.append(Reminder(action.id, ReminderKind.DUE_SOON, before, action.due_on))
        elif today >= after:
            reminders.append(Reminder(action.id, ReminderKind.OVERDUE, after, action.due_on))
    return tuple(sorted(reminders, key=lambda r: (r.on, r.action_id)))
