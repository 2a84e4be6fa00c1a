"""When Stage 2 of an adopter's assessment may be paused, and what a pause must say."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class PauseGround(StrEnum):
    """Statutory guidance on adoption 2013, chapter 3 (Stage 2, the assessment process): Stage 2
    should take four months "unless there are exceptional circumstances" or the prospective
    adopter asks for more time (a break for their own reasons)."""

    APPLICANTS_REQUEST = "applicants_request"
    EXCEPTIONAL_CIRCUMSTANCES = "exceptional_circumstances"


PAUSE_GROUNDS = MappingProxyType(
    {
        PauseGround.APPLICANTS_REQUEST.value: "the applicants asked for the pause",
        PauseGround.EXCEPTIONAL_CIRCUMSTANCES.value: "exceptional circumstances",
    }
)


@dataclass(frozen=True, slots=True)
class Stage2Pause:
    ground: PauseGround
    from_day: date
    to_day: date | None  # the last day paused; None while still paused
    reason: str


def pause_problems(
    pause: Stage2Pause, stage_2_notice_on: date | None, decided_on: date | None
) -> dict[str, str]:
    """What is wrong with a Stage 2 pause, field by field: a pause belongs inside Stage 2 (from
    the applicants' notice to proceed, AAR reg 28, to the decision, AAR reg 30B(1)), and it
    needs its reason, since the clock's deadline moves on by every day paused."""
    problems: dict[str, str] = {}
    if stage_2_notice_on is None:
        problems["stage_2_pause_from"] = (
            "Stage 2 has not started: record the applicants' notice to start Stage 2 first"
        )
    elif pause.from_day < stage_2_notice_on:
        problems["stage_2_pause_from"] = "The pause cannot start before Stage 2 started"
    if decided_on is not None and pause.from_day > decided_on:
        problems["stage_2_pause_from"] = "Stage 2 ended with the decision: it cannot be paused"
    if pause.to_day is not None and pause.to_day < pause.from_day:
        problems["stage_2_pause_to"] = "The pause cannot end before it starts"
    if pause.ground is PauseGround.EXCEPTIONAL_CIRCUMSTANCES and not pause.reason.strip():
        problems["stage_2_pause_reason"] = "Say what the exceptional circumstances are"
    return problems
