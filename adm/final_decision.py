"""After a qualifying determination (AAR reg 30B(5)-(10)): the panel adviser records the
applicants' representations or IRM application, the IRM panel's recommendation and the panel's
further recommendation; the decision maker refers a case back to the panel and makes the final
decision, with its own clock and letter. Every change is audited; a stale form gets 409."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from adm import documents as letters
from adm import services
from adm.rules import after_determination as after
from adm.rules import routing
from adm.rules.after_determination import FinalOutcome, Stage
from adm.rules.routing import DecidedBy
from adm.tables import Decision, Referral, ReferralStatus, Verdict
from governance import agency as agency_details
from governance import audit, clock, db
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict
from governance.rules.workdays import long_date
from governance.validate import Checker
from panel.rules.outcomes import Letter
from panel.tables import ItemRecord

RESPONSE_KINDS = {
    "representations": "Written representations to the agency",
    "irm": "An application to the Independent Review Mechanism (IRM)",
}
FINAL_OUTCOMES = {
    FinalOutcome.APPROVE: "Suitable to adopt: approve the applicants",
    FinalOutcome.NOT_APPROVE: "Not suitable to adopt: the determination stands",
}


@dataclass(frozen=True, slots=True)
class AfterView:
    """What the referral page shows after a qualifying determination."""

    responses: after.Responses
    stage: Stage
    stage_label: str
    may_respond: bool  # the adviser can still record representations or an IRM application


async def _calendars_for(row: dict[str, Any]) -> Any:
    start = row["letter_sent_on"] or row["decided_on"] or row["meeting_on"]
    return await services.working_calendars_between(start, start + timedelta(days=150))


async def view(row: dict[str, Any]) -> AfterView | None:
    if not row["qualifying"] or row["status"] != ReferralStatus.DECIDED:
        return None
    responses = services.responses_of(row, await _calendars_for(row))
    today = clock.today()
    now = after.stage(responses, today)
    return AfterView(
        responses=responses,
        stage=now,
        stage_label=after.STAGE_LABELS[now],
        may_respond=now is Stage.AWAITING_RESPONSE,
    )


async def _facts(row: dict[str, Any]) -> after.Responses:
    if not row["qualifying"] or row["status"] != ReferralStatus.DECIDED:
        raise Conflict(
            "This item has no qualifying determination: there are no representations, IRM "
            "review or final decision to record."
        )
    return services.responses_of(row, await _calendars_for(row))


def _same_version(data: dict[str, Any], row: dict[str, Any], field: str) -> None:
    """A form made from an older version of the referral changes nothing (409)."""
    if str(data.get("version", "")) != str(row["version"]):
        raise Conflict(STALE_EDIT, field)


async def _save(
    actor: Actor,
    row: dict[str, Any],
    values: dict[Any, Any],
    *,
    action: str,
    summary: str,
    after_values: dict[str, Any],
    path: str,
) -> None:
    async with db.transaction():
        updated = (
            await Referral.update({**values, Referral.version: row["version"] + 1})
            .where((Referral.id == row["id"]) & (Referral.version == row["version"]))
            .returning(Referral.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        await audit.record(
            actor,
            action,
            "referral",
            row["id"],
            path=path,
            summary=f"{row['case_reference']}: {summary}",
            after=after_values,
        )


async def record_response(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """The panel adviser records representations (date, from whom) or an IRM application
    (date, the IRM's reference) received within the 40 working days."""
    row = await services.referral(referral_id)
    facts = await _facts(row)
    _same_version(data, row, "received_on")
    check = Checker()
    kind = check.choice("response_kind", data.get("response_kind"), "What was received",
                        RESPONSE_KINDS)  # fmt: skip
    received = check.day("received_on", data.get("received_on"), "Date received")
    detail = ""
    if kind == "representations":
        detail = check.text("representations_by", data.get("representations_by"),
                            "Who made the representations", max_length=200)  # fmt: skip
    elif kind == "irm":
        detail = check.text("irm_reference", data.get("irm_reference"), "The IRM's reference",
                            max_length=100)  # fmt: skip
    if kind and received is not None:
        for field, message in after.check_response(kind, received, facts, clock.today()).items():
            check.fail("received_on" if field != "response_kind" else field, message)
    check.raise_if_any()
    assert received is not None
    if kind == "representations":
        values = {Referral.representations_on: received, Referral.representations_by: detail}
        summary = f"representations received on {long_date(received)} from {detail}"
    else:
        values = {Referral.irm_applied_on: received, Referral.irm_reference: detail}
        summary = f"IRM application on {long_date(received)} (reference {detail})"
    await _save(actor, row, values, action="representations", summary=summary,
                after_values={"kind": kind, "received_on": received, "detail": detail},
                path=path)  # fmt: skip


async def record_recommendation(
    actor: Actor, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """The panel adviser records the recommendation of the IRM panel (source "irm") or of the
    agency's panel on a case referred back to it (source "panel"): an input to the final
    decision, never an item for the panel to note."""
    row = await services.referral(referral_id)
    facts = await _facts(row)
    source = "irm" if data.get("source") == "irm" else "panel"
    field = "irm_recommended_on" if source == "irm" else "panel_recommended_on"
    _same_version(data, row, field)
    check = Checker()
    on = check.day(field, data.get(field), "Date of the recommendation")
    text = check.text(f"{source}_recommendation", data.get(f"{source}_recommendation"),
                      "The recommendation", max_length=5000)  # fmt: skip
    if on is not None:
        rule = (
            after.check_irm_recommendation
            if source == "irm"
            else (after.check_panel_recommendation)
        )
        for key, message in rule(on, facts, clock.today()).items():
            check.fail(key, message)
    check.raise_if_any()
    assert on is not None
    if source == "irm":
        values = {Referral.irm_recommended_on: on, Referral.irm_recommendation: text}
        summary = f"IRM panel's recommendation of {long_date(on)} recorded"
    else:
        values = {Referral.panel_recommended_on: on, Referral.panel_recommendation: text}
        summary = f"panel's further recommendation of {long_date(on)} recorded"
    await _save(actor, row, values, action="recommendation", summary=summary,
                after_values={"source": source, "on": on, "recommendation": text},
                path=path)  # fmt: skip


async def _may_decide(actor: Any, row: dict[str, Any], on: date) -> None:
    """The same rule as the first decision: only the decision maker it is routed to, and
    nobody who sat on the panel (AAR regs 19(2), 30B(3), 33(2))."""
    if row["adm"] != actor.person_id:
        raise services.Forbidden("Only the decision maker this item is routed to may decide it.")
    sat = (await services.sat_on_panel(row["meeting_id"])).get(row["item"])
    item = services._panel_item(
        sat, DecidedBy.ASSESSING_AGENCY, row["partner_code"], row["partner_code"]
    )
    right = routing.may_decide(
        actor.person_id, row["partner_code"], item, await services.routing_assignments(), on
    )
    if not right.allowed:
        raise services.Forbidden(" ".join(right.refusals))


async def refer_back(actor: Any, referral_id: int, data: dict[str, Any], *, path: str = "") -> None:
    """The decision maker refers the case, with the representations, back to the agency's
    panel for further consideration (AAR reg 30B(7))."""
    row = await services.referral_for(actor, referral_id, path=path, action="open")
    facts = await _facts(row)
    _same_version(data, row, "referred_back_on")
    check = Checker()
    on = check.day("referred_back_on", data.get("referred_back_on"), "Date referred back")
    if on is not None:
        for key, message in after.check_referral_back(on, facts, clock.today()).items():
            check.fail(key, message)
    check.raise_if_any()
    assert on is not None
    await _may_decide(actor, row, on)
    await _save(actor, row, {Referral.referred_back_on: on}, action="refer_back",
                summary=f"referred back to the panel on {long_date(on)} (AAR reg 30B(7))",
                after_values={"referred_back_on": on}, path=path)  # fmt: skip


async def final_decide(
    actor: Any, referral_id: int, data: dict[str, Any], *, path: str = ""
) -> None:
    """The decision maker's final decision (AAR reg 30B(6), (9)); the referral closes."""
    row = await services.referral_for(actor, referral_id, path=path, action="open")
    facts = await _facts(row)
    _same_version(data, row, "final_decided_on")
    check = Checker()
    outcome = check.choice("final_outcome", data.get("final_outcome"), "Your final decision",
                           {k.value: v for k, v in FINAL_OUTCOMES.items()})  # fmt: skip
    on = check.day("final_decided_on", data.get("final_decided_on"), "Date of the final decision")
    reasons = check.text("final_reasons", data.get("final_reasons"), "Your reasons",
                         max_length=10_000)  # fmt: skip
    if on is not None:
        for key, message in after.check_final_decision(on, facts, clock.today()).items():
            check.fail(key, message)
    check.raise_if_any()
    assert on is not None
    await _may_decide(actor, row, on)
    await _save(
        actor,
        row,
        {
            Referral.final_decided_on: on,
            Referral.final_outcome: outcome,
            Referral.final_reasons: reasons,
            Referral.final_decided_by: actor.person_id,
            Referral.open: False,
        },
        action="final_decision",
        summary=f"final decision on {long_date(on)}: {FINAL_OUTCOMES[FinalOutcome(outcome)]}",
        after_values={"final_decided_on": on, "final_outcome": outcome, "reasons": reasons},
        path=path,
    )


async def final_letter(referral_id: int) -> tuple[str, bytes]:
    """The letter of the final decision (.docx), or a Conflict saying why there is none."""
    row = await services.referral(referral_id)
    if row["final_decided_on"] is None or not row["letter_sent_on"]:
        raise Conflict("There is no final decision yet to write a letter from.")
    first = (
        await Decision.select()
        .where((Decision.referral == referral_id) & (Decision.verdict != Verdict.MORE_INFORMATION))
        .order_by(Decision.id, ascending=False)
        .first()
    )
    if first is None:
        raise Conflict("The qualifying determination is not on record.")
    item = await ItemRecord.select(ItemRecord.outcome).where(ItemRecord.item == row["item"]).first()
    heading = await agency_details.letterhead()
    to = await services.addressee(referral_id)
    if to is None or not to.people or not to.address:
        raise Conflict(
            "The letter cannot be made: record the applicants' names and postal address first "
            "(Addressee, on the referral page)."
        )
    adm_role = await services.adm_job_title(row["adm"], row["partner"])
    received = []
    if row["representations_on"]:
        received.append(
            f"The written representations received on {long_date(row['representations_on'])} "
            f"from {row['representations_by']}."
        )
    if row["referred_back_on"]:
        received.append(
            f"The adoption panel's further consideration of your case, referred back to it on "
            f"{long_date(row['referred_back_on'])}, and its recommendation of "
            f"{long_date(row['panel_recommended_on'])}."
        )
    if row["irm_applied_on"]:
        received.append(
            f"Your application of {long_date(row['irm_applied_on'])} to the Independent Review "
            f"Mechanism (reference {row['irm_reference']}), and the independent review panel's "
            f"recommendation of {long_date(row['irm_recommended_on'])}."
        )
    if not received:
        received.append(
            "No representations or application to the Independent Review Mechanism were "
            "received within the 40 working days."
        )
    if row["irm_applied_on"]:
        recommendation, by = row["irm_recommendation"], "the independent review panel"
    elif row["referred_back_on"]:
        recommendation, by = row["panel_recommendation"], "the adoption panel"
    else:
        recommendation, by = "", ""
    dated = max(clock.today(), row["final_decided_on"])
    reasons = tuple(p for p in row["final_reasons"].split("\n\n") if p.strip())
    content = letters.final_decision_letter(
        letters.FinalDecision(
            decision=letters.Decision(
                agency_name=heading.name if heading else "The agency",
                agency_address=heading.address if heading else (),
                partner_name=row["partner_name"]
                if row["partner"]
                else (heading.name if heading else "the agency"),
                addressees=to.people,
                address=to.address,
                case_reference=row["case_reference"],
                meeting_date=row["meeting_on"],
                panel_recommendation=item["outcome"] if item else "",
                adm_name=row["adm_name"],
                adm_role=adm_role,
                decision_date=first["decided_on"],
                letter=Letter.NOT_SUITABLE,
                reasons=tuple(p for p in first["reasons"].split("\n\n") if p.strip()),
                letterhead=heading,
            ),
            notice_sent_on=row["letter_sent_on"],
            received=tuple(received),
            recommendation=recommendation,
            recommended_by=by,
            decided_on=row["final_decided_on"],
            approved=row["final_outcome"] == FinalOutcome.APPROVE,
            reasons=reasons or (row["final_reasons"],),
        ),
        dated=dated,
    )
    return f"final-decision-letter-{row['case_reference']}.docx", content
