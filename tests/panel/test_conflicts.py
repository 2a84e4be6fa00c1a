from panel.rules import conflicts
from panel.rules.conflicts import Interest, ItemParties, Party, Role
from panel.rules.members import Member, Seat


def item(item_id: int, *parties: tuple[Role, str]) -> ItemParties:
    return ItemParties(
        item_id, f"item {item_id}", tuple(Party(role, name) for role, name in parties)
    )


def test_names_are_compared_without_case_punctuation_extra_spaces_or_titles() -> None:
    assert conflicts.normalise_name("Smith, Jane") == "jane smith"
    assert conflicts.normalise_name("  Mrs   JANE  Smith. ") == "jane smith"
    assert conflicts.normalise_name("Dr. Jane Smith") == "jane smith"
    assert conflicts.normalise_name("O'Brien, Mr Seán") == "sean obrien"
    assert conflicts.normalise_name("Mary Smith-Jones") == "mary smith jones"


def test_a_registered_interest_in_an_applicant_is_a_conflict_for_that_item() -> None:
    interest = Interest(member_id=7, name="Jane Smith", relationship="former colleague")
    agenda = [item(1, (Role.APPLICANT, "Jane Smith")), item(2, (Role.APPLICANT, "Raj Patel"))]

    found = conflicts.find([interest], agenda)

    assert [(c.member_id, c.item_id) for c in found] == [(7, 1)]
    assert found[0].interest == interest
    assert found[0].party == Party(Role.APPLICANT, "Jane Smith")


def test_surname_first_and_titles_still_match() -> None:
    found = conflicts.find(
        [Interest(7, "Smith, Jane", "neighbour")],
        [item(3, (Role.BIRTH_RELATIVE, "Mrs Jane Smith"))],
    )

    assert found[0].reason == (
        "Mrs Jane Smith (birth relative on item 3) matches 'Smith, Jane' in the register of "
        "interests (neighbour)"
    )


def test_a_shared_first_name_alone_is_not_a_conflict() -> None:
    interests = [Interest(7, "Jane Smith", "neighbour"), Interest(8, "Jane", "sister")]

    assert conflicts.find(interests, [item(1, (Role.APPLICANT, "Jane Brown"))]) == ()


def test_a_shared_surname_alone_is_not_a_conflict() -> None:
    found = conflicts.find(
        [Interest(7, "Peter Smith", "brother")], [item(1, (Role.APPLICANT, "Jane Smith"))]
    )

    assert found == ()


def test_middle_names_do_not_hide_a_conflict() -> None:
    found = conflicts.find(
        [Interest(7, "Jane Smith", "neighbour")], [item(1, (Role.FOSTER_CARER, "Jane Ann Smith"))]
    )

    assert len(found) == 1
    assert found[0].reason.endswith(", middle names aside")


def test_an_organisation_matches_whatever_its_punctuation() -> None:
    found = conflicts.find(
        [Interest(7, "St Marys C of E Primary School", "governor")],
        [item(4, (Role.SCHOOL, "St. Mary's C-of-E Primary School"))],
    )

    assert [(c.member_id, c.item_id) for c in found] == [(7, 4)]


def test_a_member_named_as_a_party_is_conflicted_without_registering_it() -> None:
    worker = Member(4, "Dan Worker", frozenset({Seat.SOCIAL_WORKER}), pqe_years=5)

    found = conflicts.find([], [item(2, (Role.SOCIAL_WORKER, "Worker, Dan"))], members=[worker])

    assert [(c.member_id, c.item_id) for c in found] == [(4, 2)]
    assert found[0].reason == "Worker, Dan (social worker on item 2) is the member themself"


def test_every_item_and_member_matching_is_reported() -> None:
    interests = [Interest(7, "Jane Smith", "neighbour"), Interest(9, "Jane Smith", "cousin")]
    agenda = [item(1, (Role.APPLICANT, "Jane Smith")), item(5, (Role.CHILD, "Jane Smith"))]

    found = conflicts.find(interests, agenda)

    assert {(c.member_id, c.item_id) for c in found} == {(7, 1), (9, 1), (7, 5), (9, 5)}
