"""After a qualifying determination: the applicants' representations or IRM application within
the 40 working days, the independent review panel's recommendation, a referral back to the
agency's own panel, and the agency decision maker's final decision (AAR reg 30B(5)-(10)).

AAR reg 30B(5)(c) (checked on legislation.gov.uk): the notice must "advise the prospective
adopter that within 40 working days beginning with the date on which the notification was sent
the prospective adopter may - (i) submit any representations the prospective adopter wishes to
make to the agency; or (ii) ... apply to the Secretary of State for a review by an independent
review panel of the qualifying determination". Then:
- 30B(6): nothing received within the 40 working days - the agency may proceed to its decision;
- 30B(7): representations received - the agency may refer the case to its adoption panel for
  further consideration, and 30B(8) the panel makes a fresh recommendation;
- 30B(9): the agency decides, (a) after taking into account the panel's fresh recommendation
  where the case was referred back, (b) after taking into account the independent review
  panel's recommendation where the applicants applied for a review;
- 30B(10): the agency notifies the applicants of its decision in writing.
The IRM recommendation is an input to the final decision, never an item for the panel to note.
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from governance.rules.workdays import long_date

SOURCE = "AAR reg 30B(5)-(10)"


class Stage(StrEnum):
    AWAITING_RESPONSE = "awaiting_response"  # the 40 working days run, nothing received yet
    REPRESENTATIONS = "representations"  # received: the ADM decides, or refers back to panel
    REFERRED_TO_PANEL = "referred_to_panel"  # waiting for the panel's fresh recommendation
    IRM_PENDING = "irm_pending"  # waiting for the independent review panel's recommendation
    READY = "ready"  # every input is in: the final decision is due
    NOTHING_RECEIVED = "nothing_received"  # the 40 working days ended with nothing received
    DECIDED = "decided"  # the final decision is made


STAGE_LABELS = {
    Stage.AWAITING_RESPONSE: "Waiting for representations or an IRM application",
    Stage.REPRESENTATIONS: "Representations received: final decision, or refer back to panel",
    Stage.REFERRED_TO_PANEL: "Referred back to the panel: waiting for its further recommendation",
    Stage.IRM_PENDING: "IRM application made: waiting for the IRM panel's recommendation",
    Stage.READY: "Ready for the final decision",
    Stage.NOTHING_RECEIVED: "Nothing received within the 40 working days",
    Stage.DECIDED: "Final decision made",
}

# Still waiting on someone: the referral stays open.
PENDING = frozenset(
    {
        Stage.AWAITING_RESPONSE,
        Stage.REPRESENTATIONS,
        Stage.REFERRED_TO_PANEL,
        Stage.IRM_PENDING,
        Stage.READY,
    }
)


class FinalOutcome(StrEnum):
    APPROVE = "approve"  # suitable to adopt after all
    NOT_APPROVE = "not_approve"  # the determination stands


@dataclass(frozen=True, slots=True)
class Responses:
    """What is on record after the qualifying determination."""

    notice_sent_on: date | None  # the written notice (the decision letter) was sent
    last_day: date | None  # the 40th working day beginning with the notice (AAR reg 30B(5)(c))
    representations_on: date | None = None
    irm_applied_on: date | None = None
    irm_recommended_on: date | None = None
    referred_back_on: date | None = None
    panel_recommended_on: date | None = None
    final_decided_on: date | None = None


def stage(facts: Responses, today: date) -> Stage:
    if facts.final_decided_on is not None:
        return Stage.DECIDED
    if facts.irm_applied_on is not None:
        return Stage.READY if facts.irm_recommended_on else Stage.IRM_PENDING
    if facts.referred_back_on is not None:
        return Stage.READY if facts.panel_recommended_on else Stage.REFERRED_TO_PANEL
    if facts.representations_on is not None:
        return Stage.REPRESENTATIONS
    if facts.last_day is not None and today > facts.last_day:
        return Stage.NOTHING_RECEIVED
    return Stage.AWAITING_RESPONSE


def pending(facts: Responses, today: date) -> bool:
    """The referral stays open while anything after the determination is awaited; it closes
    on the final decision, or when the 40 working days end with nothing received."""
    return stage(facts, today) in PENDING


def final_decision_starts(facts: Responses) -> date | None:
    """The day the last input to the final decision arrived, from which its clock runs: the
    IRM panel's recommendation, the panel's fresh recommendation, or the representations when
    the case is not referred back. None while an input is awaited, or nothing was received."""
    if facts.irm_applied_on is not None:
        return facts.irm_recommended_on
    if facts.referred_back_on is not None:
        return facts.panel_recommended_on
    return facts.representations_on


def check_response(kind: str, received_on: date, facts: Responses, today: date) -> dict[str, str]:
    """Representations (kind "representations") or an IRM application (kind "irm") received
    on `received_on`: refused before the notice, after the 40 working days, in the future, or
    when the applicants already chose the other course (AAR reg 30B(5)(c): one or the other)."""
    field = "representations_on" if kind == "representations" else "irm_applied_on"
    what = "Representations" if kind == "representations" else "An IRM application"
    if facts.final_decided_on is not None:
        return {field: f"The final decision was made on {long_date(facts.final_decided_on)}"}
    if facts.notice_sent_on is None or facts.last_day is None:
        return {
            field: "The notice of the qualifying determination has not been sent: record the "
            "date the letter was sent first"
        }
    if received_on < facts.notice_sent_on:
        return {
            field: f"{what} cannot be dated before the notice was sent on "
            f"{long_date(facts.notice_sent_on)}"
        }
    if received_on > today:
        return {field: "This cannot be in the future"}
    if received_on > facts.last_day:
        return {
            field: f"{what} dated {long_date(received_on)} came after the 40 working days "
            f"ended on {long_date(facts.last_day)} (AAR reg 30B(5)(c))"
        }
    other = facts.irm_applied_on if kind == "representations" else facts.representations_on
    if other is not None:
        chose = "applied to the IRM" if kind == "representations" else "made representations"
        return {
            field: f"The applicants {chose} on {long_date(other)}: the regulation gives them "
            "one or the other (AAR reg 30B(5)(c))"
        }
    return {}


def check_irm_recommendation(on: date, facts: Responses, today: date) -> dict[str, str]:
    field = "irm_recommended_on"
    if facts.irm_applied_on is None:
        return {field: "There is no IRM application on record: record the application first"}
    if on < facts.irm_applied_on:
        return {
            field: "The IRM panel's recommendation cannot be dated before the application on "
            f"{long_date(facts.irm_applied_on)}"
        }
    if on > today:
        return {field: "This cannot be in the future"}
    return {}


def check_referral_back(on: date, facts: Responses, today: date) -> dict[str, str]:
    """AAR reg 30B(7): a case is referred back to the agency's panel on representations."""
    field = "referred_back_on"
    if facts.final_decided_on is not None:
        return {field: f"The final decision was made on {long_date(facts.final_decided_on)}"}
    if facts.representations_on is None:
        return {
            field: "Only a case with representations on record can be referred back to the "
            "panel (AAR reg 30B(7))"
        }
    if on < facts.representations_on:
        return {
            field: "The referral cannot be dated before the representations were received on "
            f"{long_date(facts.representations_on)}"
        }
    if on > today:
        return {field: "This cannot be in the future"}
    return {}


def check_panel_recommendation(on: date, facts: Responses, today: date) -> dict[str, str]:
    field = "panel_recommended_on"
    if facts.referred_back_on is None:
        return {field: "The case has not been referred back to the panel"}
    if on < facts.referred_back_on:
        return {
            field: "The panel's recommendation cannot be dated before the case was referred "
            f"back on {long_date(facts.referred_back_on)}"
        }
    if on > today:
        return {field: "This cannot be in the future"}
    return {}


def check_final_decision(decided_on: date, facts: Responses, today: date) -> dict[str, str]:
    """The ADM's final decision (AAR reg 30B(6) and (9)): after the 40 working days when
    nothing was received, after the IRM panel's recommendation when the applicants applied for
    a review, after the panel's fresh recommendation when the case was referred back, and never
    before the input it takes into account."""
    field = "final_decided_on"
    if facts.final_decided_on is not None:
        return {field: f"The final decision was made on {long_date(facts.final_decided_on)}"}
    if facts.notice_sent_on is None or facts.last_day is None:
        return {
            field: "The notice of the qualifying determination has not been sent: there is "
            "nothing to make a final decision on yet"
        }
    if decided_on > today:
        return {field: "The final decision cannot be dated in the future"}
    if facts.irm_applied_on is not None and facts.irm_recommended_on is None:
        return {
            field: f"The applicants applied to the IRM on {long_date(facts.irm_applied_on)}: "
            "the final decision is made only after taking into account the IRM panel's "
            "recommendation (AAR reg 30B(9)(b)). Record the recommendation when it comes back"
        }
    if facts.referred_back_on is not None and facts.panel_recommended_on is None:
        return {
            field: f"The case was referred back to the panel on "
            f"{long_date(facts.referred_back_on)}: the final decision is made only after "
            "taking into account its further recommendation (AAR reg 30B(9)(a))"
        }
    start = final_decision_starts(facts)
    if start is None:
        if decided_on <= facts.last_day:
            return {
                field: "The applicants have until "
                f"{long_date(facts.last_day)} to make representations or apply to the IRM: "
                "with nothing received, the final decision can be made only once the 40 "
                "working days have ended (AAR reg 30B(6))"
            }
        return {}
    if decided_on < start:
        return {
            field: f"The final decision cannot be dated before {long_date(start)}, when what "
            "it must take into account was received"
        }
    return {}
