"""Who the agency is, who may sign in with which roles, their sessions, the audit chain and mail."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from governance.db import UniqueIndex
from governance.roles import Role


class PartnerKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    VOLUNTARY_ADOPTION_AGENCY = "voluntary_adoption_agency"


class LegalForm(StrEnum):
    HOSTED = "hosted"  # hosted by one of the partner councils
    COMPANY = "company"  # a company or voluntary adoption agency owned by the councils
    PARTNERSHIP = "partnership"  # a partnership with no host


class Agency(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    name = Varchar(length=200)
    short_name = Varchar(length=60)
    legal_form = Varchar(length=20, choices=LegalForm, default=LegalForm.HOSTED)
    address = Text(default="")  # postal address lines above the postcode, one a line
    postcode = Varchar(length=10, default="")
    telephone = Varchar(length=40, default="")
    email = Varchar(length=254, default="")
    website = Varchar(length=200, default="")
    registered_manager = Varchar(length=200, default="")  # Ofsted-registered manager
    logo_key = Varchar(length=200, default="")  # storage key of the letterhead logo
    letterhead_footer = Text(default="")
    assesses_adopters = Boolean(default=False)  # the agency itself assesses adopters
    is_demo = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Partner(Table):
    """A council or voluntary adoption agency the agency acts for. Codes and names are unique
    (names whatever their case): a unique index, so two requests at once cannot add two."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    agency = ForeignKey(references=Agency, null=False, on_delete=OnDelete.restrict)
    name = Varchar(length=200)
    code = Varchar(length=20, unique=True)
    kind = Varchar(length=40, choices=PartnerKind)
    is_host = Boolean(default=False)
    version = Integer(default=1)

    unique_indexes: ClassVar[tuple[UniqueIndex, ...]] = (UniqueIndex("name", 'LOWER("name")'),)


class FundingShare(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    partner = ForeignKey(references=Partner, null=False, on_delete=OnDelete.restrict)
    financial_year = Integer()  # 2024 means April 2024 to March 2025
    percent = Numeric(digits=(7, 4))


class ClosureDay(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    day = Date(unique=True)
    reason = Varchar(length=200)


class Person(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    name = Varchar(length=200)
    email = Varchar(length=254, unique=True)
    phone = Varchar(length=40, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class Account(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    person = ForeignKey(references=Person, null=False, on_delete=OnDelete.restrict, unique=True)
    password_hash = Varchar(length=255)
    disabled = Boolean(default=False)
    failed_sign_ins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    last_sign_in_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1)


class RoleGrant(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    account = ForeignKey(references=Account, null=False, on_delete=OnDelete.cascade)
    role = Varchar(length=40, choices=Role)
    # For a partner-scoped role (an ADM): the partner decided for, or empty for the agency itself
    # (where it assesses adopters). Other roles leave it empty.
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)


class SignInSession(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(references=Account, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class AuditEntry(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    at = Timestamptz(default=TimestamptzNow())
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=200)
    action = Varchar(length=40, index=True)
    record_type = Varchar(length=60, index=True)
    record_id = Varchar(length=60, default="")
    path = Varchar(length=500, default="")
    summary = Text(default="")
    before = Text(null=True, default=None)
    after = Text(null=True, default=None)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class OutboxMessage(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    dedupe_key = Varchar(length=200, unique=True)
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text()
    attachments = Text(default="[]")  # JSON: [{"filename", "content_type", "data" (base64)}]
    created_at = Timestamptz(default=TimestamptzNow())
    claimed_by = Varchar(length=100, null=True, default=None)
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    last_error = Text(default="")


class JobClaim(Table):
    id: Serial  # declared by Piccolo; annotated so type checkers see it
    job = Varchar(length=100)
    run_key = Varchar(length=200, unique=True)
    claimed_by = Varchar(length=100)
    claimed_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class MailTest(Table):
    """A test e-mail the system administrator sent to check that mail reaches people: received
    once they enter the code it carries (the go-live checklist reads it)."""

    id: Serial  # declared by Piccolo; annotated so type checkers see it
    to_address = Varchar(length=254)
    code_hash = Varchar(length=64, unique=True)  # sha256 of the code in the e-mail
    sent_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    received_at = Timestamptz(null=True, default=None)
