from datetime import date

from adm.rules.routing import (
    AGENCY,
    Absence,
    AdmAssignment,
    AdmRole,
    DecidedBy,
    PanelItem,
    Routing,
    may_decide,
    reroute,
    route,
)

ON = date(2027, 3, 25)
EASTER_LEAVE = (Absence(date(2027, 3, 22), date(2027, 4, 2)),)

# Cambridgeshire & Peterborough: one ADM for both councils, one deputy for both.
GREEN, WARD = 1, 2
CAMBS_AND_PETERBOROUGH = tuple(
    AdmAssignment(person, name, partner, role)
    for partner in ("CCC", "PCC")
    for person, name, role in (
        (GREEN, "Simon Green", AdmRole.PRIMARY),
        (WARD, "Helen Ward", AdmRole.DEPUTY),
    )
)

# Adoption West: six councils, each with its own ADM (ids 10-15) and deputy (ids 20-25).
ADOPTION_WEST_PARTNERS = ("BANES", "BRISTOL", "GLOS", "NSOM", "SGLOS", "WILTS")
ADOPTION_WEST = tuple(
    assignment
    for n, partner in enumerate(ADOPTION_WEST_PARTNERS)
    for assignment in (
        AdmAssignment(10 + n, f"ADM of {partner}", partner, AdmRole.PRIMARY),
        AdmAssignment(20 + n, f"Deputy of {partner}", partner, AdmRole.DEPUTY),
    )
)


def match(child_partner: str, sat: frozenset[int] = frozenset()) -> PanelItem:
    return PanelItem(DecidedBy.CHILD_AUTHORITY, "CCC", child_partner, sat)


def approval(assessing_partner: str, sat: frozenset[int] = frozenset()) -> PanelItem:
    return PanelItem(DecidedBy.ASSESSING_AGENCY, assessing_partner, None, sat)


def away(assignments: tuple[AdmAssignment, ...], person_id: int) -> tuple[AdmAssignment, ...]:
    return tuple(
        AdmAssignment(a.person_id, a.name, a.partner_code, a.role, EASTER_LEAVE)
        if a.person_id == person_id
        else a
        for a in assignments
    )


def test_one_adm_decides_for_both_cambridgeshire_and_peterborough() -> None:
    for item, partner in ((match("PCC"), "PCC"), (approval("CCC"), "CCC")):
        verdict = route(item, CAMBS_AND_PETERBOROUGH, ON)
        assert verdict.outcome is Routing.ROUTED
        assert verdict.partner_code == partner
        assert verdict.adm is not None
        assert verdict.adm.person_id == GREEN
        assert not verdict.deputy_used
        assert verdict.reasons == ()


def test_a_match_goes_to_the_adm_of_the_childs_authority_not_the_assessing_agency() -> None:
    verdict = route(PanelItem(DecidedBy.CHILD_AUTHORITY, "BRISTOL", "WILTS"), ADOPTION_WEST, ON)
    assert verdict.partner_code == "WILTS"
    assert verdict.adm is not None
    assert verdict.adm.name == "ADM of WILTS"


def test_the_deputy_decides_when_the_adm_sat_on_the_panel_for_the_item() -> None:
    verdict = route(match("PCC", sat=frozenset({GREEN})), CAMBS_AND_PETERBOROUGH, ON)
    assert verdict.outcome is Routing.ROUTED
    assert verdict.adm is not None
    assert verdict.adm.person_id == WARD
    assert verdict.deputy_used
    assert verdict.reasons == (
        "Simon Green (ADM for PCC) sat on the panel for this item and may not decide it "
        "(AAR regs 19(2), 30B(3) and 33(2): no panel member takes part in the decision).",
    )


def test_the_deputy_decides_while_the_adm_is_on_leave() -> None:
    verdict = route(approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), ON)
    assert verdict.adm is not None
    assert verdict.adm.person_id == WARD
    assert verdict.deputy_used
    assert verdict.reasons == ("Simon Green (ADM for CCC) is absent on 25 March 2027.",)


def test_the_adm_decides_again_the_day_after_their_leave_ends() -> None:
    verdict = route(approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), date(2027, 4, 3))
    assert verdict.adm is not None
    assert verdict.adm.person_id == GREEN


def test_nobody_decides_when_the_adm_is_away_and_the_deputy_sat_on_the_panel() -> None:
    verdict = route(match("PCC", sat=frozenset({WARD})), away(CAMBS_AND_PETERBOROUGH, GREEN), ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.adm is None
    assert verdict.partner_code == "PCC"
    assert verdict.reasons == (
        "Simon Green (ADM for PCC) is absent on 25 March 2027.",
        "Helen Ward (deputy ADM for PCC) sat on the panel for this item and may not decide it "
        "(AAR regs 19(2), 30B(3) and 33(2): no panel member takes part in the decision).",
    )


def test_nobody_decides_when_the_adm_and_the_deputy_are_both_away() -> None:
    both_away = away(away(CAMBS_AND_PETERBOROUGH, GREEN), WARD)
    verdict = route(match("CCC"), both_away, ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.reasons == (
        "Simon Green (ADM for CCC) is absent on 25 March 2027.",
        "Helen Ward (deputy ADM for CCC) is absent on 25 March 2027.",
    )


def test_every_adoption_west_partner_has_its_own_adm() -> None:
    for n, partner in enumerate(ADOPTION_WEST_PARTNERS):
        verdict = route(match(partner), ADOPTION_WEST, ON)
        assert verdict.adm is not None
        assert verdict.adm.person_id == 10 + n
        assert verdict.adm.partner_code == partner


def test_the_wiltshire_deputy_covers_wiltshire_and_nobody_else() -> None:
    wiltshire_adm_away = away(ADOPTION_WEST, 15)
    wiltshire = route(match("WILTS"), wiltshire_adm_away, ON)
    bristol = route(match("BRISTOL"), wiltshire_adm_away, ON)
    assert wiltshire.adm is not None
    assert wiltshire.adm.name == "Deputy of WILTS"
    assert wiltshire.deputy_used
    assert bristol.adm is not None
    assert bristol.adm.name == "ADM of BRISTOL"
    assert not bristol.deputy_used


def test_an_item_for_a_partner_with_no_adm_is_refused() -> None:
    verdict = route(match("SWINDON"), ADOPTION_WEST, ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.reasons == ("No ADM is assigned for SWINDON.",)


def test_a_partner_without_a_deputy_says_so_when_its_adm_cannot_decide() -> None:
    no_deputy = tuple(a for a in ADOPTION_WEST if a.role is AdmRole.PRIMARY)
    verdict = route(match("GLOS", sat=frozenset({12})), no_deputy, ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.reasons == (
        "ADM of GLOS (ADM for GLOS) sat on the panel for this item and may not decide it "
        "(AAR regs 19(2), 30B(3) and 33(2): no panel member takes part in the decision).",
        "No deputy ADM is assigned for GLOS.",
    )


def test_a_partner_with_only_a_deputy_routes_to_the_deputy_and_says_why() -> None:
    only_deputy = tuple(a for a in ADOPTION_WEST if a.person_id != 13)
    verdict = route(match("NSOM"), only_deputy, ON)
    assert verdict.adm is not None
    assert verdict.adm.name == "Deputy of NSOM"
    assert verdict.deputy_used
    assert verdict.reasons == ("No ADM is assigned for NSOM, only a deputy.",)


def test_an_information_item_is_routed_to_nobody() -> None:
    verdict = route(PanelItem(DecidedBy.NONE), CAMBS_AND_PETERBOROUGH, ON)
    assert verdict.outcome is Routing.NOT_FOR_DECISION
    assert verdict.adm is None
    assert verdict.reasons == (
        "This item is for information: the panel notes it and no ADM decides it.",
    )


def test_a_match_that_does_not_name_the_childs_authority_cannot_be_routed() -> None:
    verdict = route(PanelItem(DecidedBy.CHILD_AUTHORITY, "CCC"), CAMBS_AND_PETERBOROUGH, ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.reasons == ("The item does not say which partner is the child's authority.",)


def test_the_adm_may_record_a_decision_for_either_council() -> None:
    for partner in ("CCC", "PCC"):
        right = may_decide(GREEN, partner, match(partner), CAMBS_AND_PETERBOROUGH, ON)
        assert right.allowed
        assert right.refusals == ()
        assert right.warnings == ()


def test_an_adm_who_sat_on_the_panel_may_not_record_the_decision() -> None:
    item = match("PCC", sat=frozenset({GREEN}))
    right = may_decide(GREEN, "PCC", item, CAMBS_AND_PETERBOROUGH, ON)
    assert not right.allowed
    assert right.refusals == (
        "Simon Green sat on the panel for this item and may not decide it "
        "(AAR regs 19(2), 30B(3) and 33(2): no panel member takes part in the decision).",
    )


def test_the_adm_of_another_partner_may_not_decide_a_wiltshire_childs_match() -> None:
    right = may_decide(11, "BRISTOL", match("WILTS"), ADOPTION_WEST, ON)
    assert not right.allowed
    assert right.refusals == ("This item is decided by the ADM for WILTS, not for BRISTOL.",)


def test_an_adm_acting_for_a_partner_they_are_not_adm_of_is_refused() -> None:
    right = may_decide(11, "WILTS", match("WILTS"), ADOPTION_WEST, ON)
    assert not right.allowed
    assert right.refusals == ("ADM of BRISTOL is not an ADM for WILTS.",)


def test_someone_who_is_no_adm_at_all_is_named_by_their_person_id() -> None:
    right = may_decide(99, "CCC", approval("CCC"), CAMBS_AND_PETERBOROUGH, ON)
    assert right.refusals == ("Person 99 is not an ADM for CCC.",)


def test_a_deputy_deciding_while_the_adm_could_have_is_allowed_with_a_warning() -> None:
    right = may_decide(WARD, "CCC", approval("CCC"), CAMBS_AND_PETERBOROUGH, ON)
    assert right.allowed
    assert right.warnings == (
        "Helen Ward is deciding as deputy although Simon Green, the ADM for CCC, "
        "could have decided on 25 March 2027.",
    )


def test_a_deputy_deciding_while_the_adm_is_away_has_nothing_to_warn_about() -> None:
    right = may_decide(WARD, "CCC", approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), ON)
    assert right.allowed
    assert right.warnings == ()


def test_an_adm_recorded_as_absent_may_decide_but_is_warned() -> None:
    right = may_decide(GREEN, "CCC", approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), ON)
    assert right.allowed
    assert right.warnings == ("Simon Green is recorded as absent on 25 March 2027.",)


def test_nobody_records_a_decision_on_an_information_item() -> None:
    right = may_decide(GREEN, "CCC", PanelItem(DecidedBy.NONE), CAMBS_AND_PETERBOROUGH, ON)
    assert not right.allowed
    assert right.refusals == (
        "This item is for information: the panel notes it and no ADM decides it.",
    )


def test_an_item_moves_to_the_deputy_when_its_adm_goes_on_leave_before_deciding() -> None:
    verdict = reroute(approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), GREEN, ON)
    assert verdict is not None and verdict.outcome is Routing.ROUTED
    assert verdict.adm is not None and verdict.adm.person_id == WARD
    assert verdict.reasons[0] == "Simon Green is absent on 25 March 2027."


def test_an_item_stays_with_an_adm_who_is_at_work() -> None:
    assert reroute(approval("CCC"), CAMBS_AND_PETERBOROUGH, GREEN, ON) is None
    # Nor does it go back from the deputy once the ADM returns: the deputy is at work too.
    back = date(2027, 4, 6)
    assert reroute(approval("CCC"), away(CAMBS_AND_PETERBOROUGH, GREEN), WARD, back) is None


def test_an_item_cannot_move_to_a_deputy_who_sat_on_the_panel() -> None:
    item = approval("CCC", sat=frozenset({WARD}))
    verdict = reroute(item, away(CAMBS_AND_PETERBOROUGH, GREEN), GREEN, ON)
    assert verdict is not None and verdict.outcome is Routing.REFUSED


def test_an_item_whose_adm_was_unassigned_goes_to_whoever_now_decides() -> None:
    wilts = tuple(a for a in ADOPTION_WEST if a.person_id != 15)  # the Wiltshire ADM left
    verdict = reroute(match("WILTS"), wilts, 15, ON)
    assert verdict is not None and verdict.adm is not None
    assert verdict.adm.name == "Deputy of WILTS"


# Adoption West as a company that assesses adopters itself: its own ADM (30) and deputy (31).
AGENCY_ADM, AGENCY_DEPUTY = 30, 31
ADOPTION_WEST_ASSESSING = (
    *ADOPTION_WEST,
    AdmAssignment(AGENCY_ADM, "Head of Adoption West", AGENCY, AdmRole.PRIMARY),
    AdmAssignment(AGENCY_DEPUTY, "Deputy head of Adoption West", AGENCY, AdmRole.DEPUTY),
)


def test_an_adopter_approval_the_agency_assessed_goes_to_the_agencys_own_adm() -> None:
    verdict = route(approval(AGENCY), ADOPTION_WEST_ASSESSING, ON)
    assert verdict.outcome is Routing.ROUTED
    assert verdict.partner_code == AGENCY
    assert verdict.adm is not None
    assert verdict.adm.person_id == AGENCY_ADM
    assert not verdict.deputy_used


def test_the_agencys_deputy_decides_an_agency_approval_while_its_adm_is_on_easter_leave() -> None:
    verdict = route(approval(AGENCY), away(ADOPTION_WEST_ASSESSING, AGENCY_ADM), ON)
    assert verdict.outcome is Routing.ROUTED
    assert verdict.adm is not None
    assert verdict.adm.person_id == AGENCY_DEPUTY
    assert verdict.deputy_used
    assert verdict.reasons == (
        "Head of Adoption West (ADM for the agency) is absent on 25 March 2027.",
    )


def test_a_childs_match_still_goes_to_the_childs_council_where_the_agency_assesses() -> None:
    wiltshire = route(match("WILTS"), ADOPTION_WEST_ASSESSING, ON)
    assert wiltshire.adm is not None
    assert (wiltshire.partner_code, wiltshire.adm.person_id) == ("WILTS", 15)
    should_be_placed = PanelItem(DecidedBy.CHILD_AUTHORITY, AGENCY, "BRISTOL")
    bristol = route(should_be_placed, ADOPTION_WEST_ASSESSING, ON)
    assert bristol.adm is not None
    assert (bristol.partner_code, bristol.adm.person_id) == ("BRISTOL", 11)


def test_a_councils_adm_does_not_decide_an_approval_the_agency_assessed() -> None:
    right = may_decide(15, "WILTS", approval(AGENCY), ADOPTION_WEST_ASSESSING, ON)
    assert not right.allowed
    assert right.refusals == ("This item is decided by the ADM for the agency, not for WILTS.",)


def test_an_agency_approval_with_no_agency_adm_is_refused_and_says_so() -> None:
    verdict = route(approval(AGENCY), ADOPTION_WEST, ON)
    assert verdict.outcome is Routing.REFUSED
    assert verdict.reasons == ("No ADM is assigned for the agency.",)
