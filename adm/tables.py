"""Who decides for each partner, and the referrals, decisions, clocks and letters of panel items."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from adm.rules.routing import AdmRole
from governance.db import UniqueIndex
from governance.tables import Partner, Person
from panel.tables import AgendaItem


class AdmAssignment(Table):
    """A person who decides (or deputises) for one partner, or for the agency itself where it
    assesses adopters; one person may serve several. One primary for each (the agency counts as
    one), and a person at most once for each: unique indexes, so two requests at once cannot
    make two."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    # Empty: the agency's own decision maker, for the adopters the agency itself assessed.
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    role = Varchar(length=20, choices=AdmRole, default=AdmRole.PRIMARY)
    job_title = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)

    unique_indexes: ClassVar[tuple[UniqueIndex, ...]] = (
        UniqueIndex("one_primary", 'COALESCE("partner", 0)', "\"role\" = 'primary'"),
        UniqueIndex("once_each", 'COALESCE("partner", 0), "person"'),
    )


class AdmAbsence(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    assignment = ForeignKey(references=AdmAssignment, null=False, on_delete=OnDelete.cascade)
    from_day = Date()
    to_day = Date()  # the last day away
    note = Varchar(length=200, default="")


class ReferralStatus(StrEnum):
    AWAITING = "awaiting"  # with the ADM
    DECIDED = "decided"
    MORE_INFORMATION = "more_information"  # the ADM asked for more before deciding


class Verdict(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    MORE_INFORMATION = "more_information"


class Referral(Table):
    """A recommendation and its final minutes sent to the ADM who decides it."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.restrict, unique=True)
    # Empty: decided by the agency's own ADM (adopters the agency itself assessed).
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    adm = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    deputy_used = Boolean(default=False)
    routing_reasons = Text(default="")  # one a line
    category = Varchar(length=30)  # adm.rules.clocks.ItemCategory
    meeting_on = Date()
    received_on = Date()  # the ADM had the recommendation and the final minutes
    status = Varchar(length=20, choices=ReferralStatus, default=ReferralStatus.AWAITING, index=True)
    decided_on = Date(null=True, default=None)
    qualifying = Boolean(default=False)
    told_orally_on = Date(null=True, default=None)
    letter_sent_on = Date(null=True, default=None)
    # AAR reg 19(3): a decision that the child should be placed is notified to the parent or
    # guardian; these record when they were told and when the letter went.
    parents_to_be_told = Boolean(default=False)
    parents_told_orally_on = Date(null=True, default=None)
    parents_letter_sent_on = Date(null=True, default=None)
    open = Boolean(default=True, index=True)  # False once every clock of the item is closed
    # What follows a qualifying determination (AAR reg 30B(5)-(10)): the applicants'
    # representations or IRM application, the IRM panel's recommendation, a referral back to
    # the agency's panel and its further recommendation, and the ADM's final decision.
    representations_on = Date(null=True, default=None)
    representations_by = Varchar(length=200, default="")
    irm_applied_on = Date(null=True, default=None)
    irm_reference = Varchar(length=100, default="")
    irm_recommended_on = Date(null=True, default=None)
    irm_recommendation = Text(default="")
    referred_back_on = Date(null=True, default=None)
    panel_recommended_on = Date(null=True, default=None)
    panel_recommendation = Text(default="")
    final_decided_on = Date(null=True, default=None)
    final_outcome = Varchar(length=20, default="")  # adm.rules.after_determination.FinalOutcome
    final_reasons = Text(default="")
    final_decided_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    routed_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Decision(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.restrict)
    verdict = Varchar(length=20, choices=Verdict)
    outcome = Varchar(length=200, default="")  # what was decided, in the item type's words
    # What that outcome meant (panel.rules.outcomes.Meaning) and the letter it gets (Letter),
    # fixed when the decision was recorded: a later rewording of the type changes neither.
    meaning = Varchar(length=30, default="")
    letter = Varchar(length=30, default="none")
    decided_on = Date()
    reasons = Text(default="")
    qualifying = Boolean(default=False)  # a "not suitable" determination (AAR reg 30B)
    decided_by = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict)
    idempotency_key = Varchar(length=100, null=True, default=None, unique=True)
    recorded_at = Timestamptz(default=TimestamptzNow())


class Addressee(Table):
    """Whom a referral's letters are written to and where: the applicants (a couple is two), or
    for a should-be-placed decision the parent or guardian. Recorded by the panel adviser;
    personal data held like the papers, never shown to members or the board."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade, unique=True)
    first_title = Varchar(length=20, default="")
    first_forenames = Varchar(length=100, default="")
    first_surname = Varchar(length=100, default="")
    second_title = Varchar(length=20, default="")
    second_forenames = Varchar(length=100, default="")
    second_surname = Varchar(length=100, default="")
    address = Text(default="")  # one line a line, without the postcode
    postcode = Varchar(length=10, default="")
    updated_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class ClockNote(Table):
    """A pause or an accepted breach of one clock of one item."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    referral = ForeignKey(references=Referral, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=40)  # adm.rules.clocks.ClockKind
    breach_reason = Text(null=True, default=None)
    pause_from = Date(null=True, default=None)
    pause_to = Date(null=True, default=None)
    pause_reason = Text(default="")
    recorded_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    recorded_at = Timestamptz(default=TimestamptzNow())


class EscalationContact(Table):
    """Told when a clock is missed, besides the panel advisers: the head of service, say."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict, unique=True)
    title = Varchar(length=200, default="Head of service")


class ItemClockFacts(Table):
    """The dates of an item's clocks before the panel that no other record holds, and the
    reasons given when one of them was missed."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    item = ForeignKey(references=AgendaItem, null=False, on_delete=OnDelete.cascade, unique=True)
    member_list_sent_on = Date(null=True, default=None)  # the panel's names to the applicants
    par_sent_on = Date(null=True, default=None)
    par_comments_received_on = Date(null=True, default=None)
    stage_1_started_on = Date(null=True, default=None)  # registration of interest accepted
    stage_1_completed_on = Date(null=True, default=None)
    stage_2_notice_on = Date(null=True, default=None)  # applicants' notice to proceed
    # Stage 2 paused (the applicants asked, or exceptional circumstances): its deadline moves on.
    stage_2_pause_from = Date(null=True, default=None)
    stage_2_pause_to = Date(null=True, default=None)  # the last day paused; None: still paused
    stage_2_pause_why = Varchar(length=40, default="")  # adm.rules.stages.PauseGround
    stage_2_pause_reason = Text(default="")
    breach_reasons = Text(default="{}")  # JSON: {clock kind: the reason it was missed}
    updated_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)
