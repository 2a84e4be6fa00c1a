"""Whether an agency is ready to go live: each line of the checklist, done or not and what is
missing, decided from facts read from the real records (never a tick-box). Pure: the facts and
today's date come in, the lines go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class AgencyFacts:
    name: str
    address: str
    postcode: str
    telephone: str
    email: str
    registered_manager: str
    letterhead_footer: str
    has_logo: bool
    assesses_adopters: bool


@dataclass(frozen=True, slots=True)
class Cover:
    """Who decides for one partner, or for the agency itself where it assesses adopters."""

    body: str
    has_primary: bool
    has_deputy: bool


@dataclass(frozen=True, slots=True)
class MailFacts:
    """The latest test e-mail: where to, whether the outbox sent it, whether its code came back."""

    to_address: str
    sent: bool
    received: bool
    last_error: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    agency: AgencyFacts | None
    partners: int
    cover: tuple[Cover, ...]  # every partner, and the agency where it assesses adopters
    panel_advisers: int  # accounts with the role, not disabled
    central_list: int  # members on the list today
    policy_saved: bool  # the panel policy saved by a person at least once
    closure_years: frozenset[int]  # the years that have at least one closure day
    mail: MailFacts | None
    panels_scheduled: int  # meetings not cancelled


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    title: str
    done: bool
    missing: tuple[str, ...]  # what is still missing, in words; empty once done
    href: str  # the page that fixes it
    action: str  # the link's words
    note: str = ""  # said whether done or not


AGENCY_PAGE = "/admin/agency"
DETAILS_PAGE = "/admin/agency/details"  # set up on an empty install, changed later


def checklist(facts: Facts, today: date) -> tuple[Line, ...]:
    return (
        _agency(facts.agency),
        _letterhead(facts.agency),
        _partners(facts),
        _decision_makers(facts),
        _line(
            "adviser",
            "A panel adviser",
            () if facts.panel_advisers else ("Nobody has a panel adviser account yet.",),
            "/admin/accounts/new",
            "Add a panel adviser's account",
        ),
        _line(
            "central_list",
            "The central list",
            () if facts.central_list else ("Nobody is on the central list yet: import it.",),
            "/panel/members/import",
            "Import the central list",
        ),
        _line(
            "policy",
            "The quorum and eligibility policy reviewed",
            ()
            if facts.policy_saved
            else (
                "The panel's quorum and eligibility policy is still the shipped default: review "
                "it and save it (unchanged, if it suits), with a note of who agreed it.",
            ),
            "/panel/policies",
            "Review the policy",
        ),
        _closures(facts.closure_years, today),
        _mail(facts.mail),
        _line(
            "first_panel",
            "The first panel scheduled",
            () if facts.panels_scheduled else ("No panel meeting is scheduled yet.",),
            "/panel/meetings/new",
            "Schedule a panel",
        ),
    )


def complete(lines: tuple[Line, ...]) -> bool:
    return all(line.done for line in lines)


def _line(key: str, title: str, missing: tuple[str, ...], href: str, action: str) -> Line:
    return Line(key, title, not missing, missing, href, action)


def _agency(agency: AgencyFacts | None) -> Line:
    if agency is None:
        missing: tuple[str, ...] = ("The agency is not set up yet.",)
    else:
        wanted = (
            ("name", agency.name),
            ("postal address", agency.address),
            ("postcode", agency.postcode),
            ("telephone number", agency.telephone),
            ("e-mail address", agency.email),
            ("Ofsted-registered manager", agency.registered_manager),
        )
        gaps = [label for label, value in wanted if not value.strip()]
        missing = (f"Enter the agency's {_words(gaps)}.",) if gaps else ()
    return _line("agency", "Agency details", missing, DETAILS_PAGE, "Enter the agency's details")


def _letterhead(agency: AgencyFacts | None) -> Line:
    missing: tuple[str, ...] = ()
    if agency is None or not agency.letterhead_footer.strip():
        missing = ("Enter the footer text every letter, pack cover and minutes carry.",)
    note = (
        "A logo is optional: without one, the letterhead shows the agency's name."
        if agency is None or not agency.has_logo
        else ""
    )
    line = _line("letterhead", "Letterhead", missing, DETAILS_PAGE, "Set the letterhead")
    return Line(line.key, line.title, line.done, line.missing, line.href, line.action, note)


def _partners(facts: Facts) -> Line:
    return _line(
        "partners",
        "At least one partner",
        () if facts.partners else ("Add the councils (or agencies) the agency acts for.",),
        AGENCY_PAGE,
        "Add partners",
    )


def _decision_makers(facts: Facts) -> Line:
    missing: list[str] = []
    if not facts.partners:
        missing.append("Add the partners first: each needs a primary and a deputy ADM.")
    for cover in facts.cover:
        lacks = [
            what
            for what, has in (("primary ADM", cover.has_primary), ("deputy", cover.has_deputy))
            if not has
        ]
        if lacks:
            missing.append(f"{cover.body} has no {' and no '.join(lacks)}.")
    title = "A primary and a deputy ADM for every partner"
    if facts.agency is not None and facts.agency.assesses_adopters:
        title += " and for the agency itself"
    return _line("adms", title, tuple(missing), "/adm/assignments", "Assign decision makers")


def _closures(years: frozenset[int], today: date) -> Line:
    missing = tuple(
        f"No closure days are set for {year}." for year in (today.year, today.year + 1)
        if year not in years
    )  # fmt: skip
    return _line(
        "closures",
        f"Closure days for {today.year} and {today.year + 1}",
        missing,
        AGENCY_PAGE + "#closures",
        "Add closure days",
    )


def _mail(mail: MailFacts | None) -> Line:
    if mail is None:
        missing: tuple[str, ...] = ("No test e-mail has been sent yet.",)
    elif mail.received:
        missing = ()
    elif not mail.sent:
        waiting = f"The test e-mail to {mail.to_address} has not been sent yet"
        missing = (f"{waiting}: the mail server said {mail.last_error}" if mail.last_error
                   else f"{waiting}: it is waiting in the outbox.",)  # fmt: skip
    else:
        missing = (
            f"The test e-mail was sent to {mail.to_address}: enter the code it carries to show "
            "that it arrived.",
        )
    return _line(
        "mail", "A test e-mail sent and received", missing, "/admin/go-live#test-email",
        "Send a test e-mail",
    )  # fmt: skip


def _words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
