"""The go-live checklist: each line turns done from the facts of the real records, and says what
is missing until it does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from governance import golive
from governance.golive import AgencyFacts, Cover, Facts, MailFacts

TODAY = date(2026, 12, 24)  # Christmas Eve: "this year" is 2026, "next" is 2027

AGENCY = AgencyFacts(
    name="Adoption West",
    address="Unit 1, Example Park\nBristol",
    postcode="BS1 6AA",
    telephone="0117 000 0000",
    email="panel@adoptionwest.example",
    registered_manager="Rosa Manager",
    letterhead_footer="Adoption West Ltd, a company owned by six councils",
    has_logo=False,
    assesses_adopters=True,
)
COMPLETE = Facts(
    agency=AGENCY,
    partners=2,
    cover=(
        Cover("Bristol City Council", True, True),
        Cover("Wiltshire Council", True, True),
        Cover("The agency itself", True, True),
    ),
    panel_advisers=1,
    central_list=20,
    policy_saved=True,
    closure_years=frozenset({2026, 2027}),
    mail=MailFacts("admin@adoptionwest.example", sent=True, received=True),
    panels_scheduled=1,
)
EMPTY = Facts(
    agency=None,
    partners=0,
    cover=(),
    panel_advisers=0,
    central_list=0,
    policy_saved=False,
    closure_years=frozenset(),
    mail=None,
    panels_scheduled=0,
)


def lines(facts: Facts, today: date = TODAY) -> dict[str, golive.Line]:
    return {line.key: line for line in golive.checklist(facts, today)}


def test_an_empty_install_has_every_line_to_do_and_each_says_what_is_missing() -> None:
    found = lines(EMPTY)
    assert [k for k, line in found.items() if line.done] == []
    assert all(line.missing for line in found.values())
    assert not golive.complete(tuple(found.values()))
    assert found["agency"].missing == ("The agency is not set up yet.",)
    assert found["adms"].missing == (
        "Add the partners first: each needs a primary and a deputy ADM.",
    )


def test_a_complete_agency_has_every_line_done_and_nothing_missing() -> None:
    found = lines(COMPLETE)
    assert all(line.done and not line.missing for line in found.values())
    assert golive.complete(tuple(found.values()))


def test_agency_details_name_each_field_still_empty() -> None:
    bare = replace(AGENCY, postcode="", telephone=" ", registered_manager="")
    line = lines(replace(COMPLETE, agency=bare))["agency"]
    assert not line.done
    assert line.missing == (
        "Enter the agency's postcode, telephone number and Ofsted-registered manager.",
    )
    assert line.href == "/admin/agency/details"


def test_the_letterhead_needs_its_footer_and_says_the_logo_is_optional() -> None:
    line = lines(replace(COMPLETE, agency=replace(AGENCY, letterhead_footer="")))["letterhead"]
    assert not line.done
    assert "footer text" in line.missing[0]
    assert line.note == "A logo is optional: without one, the letterhead shows the agency's name."
    with_logo = lines(replace(COMPLETE, agency=replace(AGENCY, has_logo=True)))["letterhead"]
    assert with_logo.done and with_logo.note == ""


def test_at_least_one_partner_turns_the_partners_line_done() -> None:
    assert not lines(replace(COMPLETE, partners=0))["partners"].done
    assert lines(replace(COMPLETE, partners=1))["partners"].done


def test_every_partner_and_the_assessing_agency_need_a_primary_and_a_deputy() -> None:
    cover = (
        Cover("Bristol City Council", True, False),
        Cover("Wiltshire Council", False, False),
        Cover("The agency itself", True, True),
    )
    line = lines(replace(COMPLETE, cover=cover))["adms"]
    assert not line.done
    assert line.missing == (
        "Bristol City Council has no deputy.",
        "Wiltshire Council has no primary ADM and no deputy.",
    )
    assert line.title.endswith("and for the agency itself")
    assert line.href == "/adm/assignments"


def test_a_panel_adviser_account_turns_its_line_done() -> None:
    assert not lines(replace(COMPLETE, panel_advisers=0))["adviser"].done
    assert lines(replace(COMPLETE, panel_advisers=1))["adviser"].done


def test_members_on_the_central_list_turn_its_line_done() -> None:
    line = lines(replace(COMPLETE, central_list=0))["central_list"]
    assert not line.done and line.href == "/panel/members/import"


def test_the_policy_is_reviewed_once_a_person_has_saved_it() -> None:
    line = lines(replace(COMPLETE, policy_saved=False))["policy"]
    assert not line.done and "still the shipped default" in line.missing[0]


def test_closure_days_are_needed_for_this_year_and_next_by_todays_date() -> None:
    line = lines(replace(COMPLETE, closure_years=frozenset({2026})))["closures"]
    assert line.missing == ("No closure days are set for 2027.",)
    assert line.title == "Closure days for 2026 and 2027"
    # On New Year's Day 2027 this year is 2027: 2026's days no longer count, 2028's are needed.
    new_year = lines(replace(COMPLETE, closure_years=frozenset({2026, 2027})), date(2027, 1, 1))
    assert new_year["closures"].missing == ("No closure days are set for 2028.",)


def test_the_test_email_is_done_only_once_its_code_came_back() -> None:
    never = lines(replace(COMPLETE, mail=None))["mail"]
    assert never.missing == ("No test e-mail has been sent yet.",)
    waiting = lines(replace(COMPLETE, mail=MailFacts("a@example.org", False, False)))["mail"]
    assert waiting.missing == (
        "The test e-mail to a@example.org has not been sent yet: it is waiting in the outbox.",
    )
    failing = MailFacts("a@example.org", False, False, "Connection refused")
    assert lines(replace(COMPLETE, mail=failing))["mail"].missing == (
        "The test e-mail to a@example.org has not been sent yet: the mail server said "
        "Connection refused",
    )
    sent = lines(replace(COMPLETE, mail=MailFacts("a@example.org", True, False)))["mail"]
    assert not sent.done and "enter the code" in sent.missing[0]
    assert lines(replace(COMPLETE, mail=MailFacts("a@example.org", True, True)))["mail"].done


def test_a_scheduled_panel_turns_the_first_panel_line_done() -> None:
    assert not lines(replace(COMPLETE, panels_scheduled=0))["first_panel"].done
    assert lines(replace(COMPLETE, panels_scheduled=1))["first_panel"].done
