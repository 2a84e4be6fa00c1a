"""Who sits on, and who chairs, each panel meeting of a series, or why no roster can be made."""

import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from math import ceil

from ortools.sat.python import cp_model

from governance.rules.workdays import long_date
from panel.rules import balance, eligibility
from panel.rules.balance import DEFAULT_BALANCE, BalancePolicy, ItemNeeds
from panel.rules.conflicts import Conflict
from panel.rules.eligibility import DEFAULT_ELIGIBILITY, EligibilityPolicy, ListRecord
from panel.rules.members import AGE_BANDS, CHAIR_SEATS, Gender, Member, counts, plural
from panel.rules.quorum import (
    JOINT_PANEL_QUORUM,
    STATUTORY_QUORUM,
    QuorumPolicy,
    Requirement,
    describe,
    meets,
    met,
)


@dataclass(frozen=True, slots=True)
class Weights:
    # Balance, per meeting: per member short of the personal-experience aim, per other concern.
    personal_experience: int
    gender: int
    ethnic_diversity: int
    age_spread: int
    professional: int  # per item lacking a professional it needs
    language: int  # per item lacking a language it needs
    # Fair shares, over the whole series.
    above_fair_share: int  # per sitting a member has above the fair share
    below_fair_share: int  # per sitting a member falls short of the fair share
    max_chairing: int  # per meeting chaired by the busiest chair


@dataclass(frozen=True, slots=True)
class RosterPolicy:
    version: int
    reserve: int  # members rostered above the quorum minimum
    max_sittings_per_month: int
    weights: Weights
    quorum: QuorumPolicy
    joint_quorum: QuorumPolicy
    eligibility: EligibilityPolicy
    balance: BalancePolicy


DEFAULT_WEIGHTS = Weights(
    personal_experience=20,
    gender=20,
    ethnic_diversity=20,
    age_spread=10,
    professional=30,
    language=10,
    above_fair_share=4,
    below_fair_share=2,
    max_chairing=3,
)
DEFAULT_ROSTER = RosterPolicy(
    version=1,
    reserve=1,
    max_sittings_per_month=2,
    weights=DEFAULT_WEIGHTS,
    quorum=STATUTORY_QUORUM,
    joint_quorum=JOINT_PANEL_QUORUM,
    eligibility=DEFAULT_ELIGIBILITY,
    balance=DEFAULT_BALANCE,
)

TIME_LIMIT_SECONDS = 10.0
WORKERS = 2  # the service's machines have two cores
SEED = 1


@dataclass(frozen=True, slots=True)
class Candidate:
    record: ListRecord
    unavailable: frozenset[date] = frozenset()
    # Dates of other meetings the member already sits on: they count towards the monthly limit
    # and the member's share of sittings.
    booked: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class Meeting:
    meeting_id: int
    on: date
    items: tuple[ItemNeeds, ...] = ()
    joint: bool = False
    accepted: frozenset[int] = frozenset()  # members the adviser has already accepted
    excluded: frozenset[int] = frozenset()
    chair: int | None = None  # the chair, if the adviser has already agreed one


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"  # a roster, not proven the best
    INFEASIBLE = "infeasible"  # proven: no roster meets every hard constraint
    UNKNOWN = "unknown"  # none found within the time limit (or by the simple method)


@dataclass(frozen=True, slots=True)
class Panel:
    meeting_id: int
    on: date
    members: tuple[int, ...]
    chair: int
    balance: balance.Verdict


@dataclass(frozen=True, slots=True)
class Problem:
    meeting_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Roster:
    status: Status
    panels: tuple[Panel, ...]
    problems: tuple[Problem, ...]
    objective: int | None  # lower is better
    best_bound: float | None
    gap: float | None  # |objective - bound| / max(1, |objective|); 0 when proven optimal
    wall_time: float  # seconds for the whole call: eligibility, model, solving, diagnosis
    solver_time: float  # seconds inside CP-SAT
    policy_version: int


@dataclass(frozen=True, slots=True)
class _Plan:
    # What one meeting allows, worked out before any search.
    meeting: Meeting
    quorum: QuorumPolicy
    size: int
    pool: tuple[int, ...]  # may sit
    chairs: tuple[int, ...]  # may sit and chair
    items: tuple[tuple[ItemNeeds, frozenset[int]], ...]  # each item with the members withdrawn
    conflicts: tuple[Conflict, ...]
    needs_diversity: bool
    why_out: dict[int, str]  # every other member of the list, and why they may not sit
    why_not_chair: dict[int, str]


@dataclass(frozen=True, slots=True)
class _Shares:
    # Fair shares of sittings over the series, counting sittings already booked.
    members: tuple[int, ...]
    booked: dict[int, int]
    at_least: dict[int, int]  # the fair share rounded down, or all a member can sit if fewer
    at_most: int  # the fair share rounded up
    chairs: tuple[int, ...]
    least_max_chairing: int


@dataclass(frozen=True, slots=True)
class _Search:
    time_limit: float
    workers: int
    seed: int


def solve(
    meetings: Sequence[Meeting],
    candidates: Sequence[Candidate],
    policy: RosterPolicy,
    conflicts: Iterable[Conflict] = (),
    time_limit: float = TIME_LIMIT_SECONDS,
    workers: int = WORKERS,
    seed: int = SEED,
) -> Roster:
    # The wall time is reported to the adviser and the benchmark; it never changes the answer.
    started = time.perf_counter()
    people = {c.record.member.id: c for c in candidates}
    plans = [_plan(m, people, tuple(conflicts), policy) for m in _in_order(meetings)]
    problems = [p for plan in plans for p in _precheck(plan, people)]
    if problems:
        return _unrostered(Status.INFEASIBLE, problems, started, 0.0, policy)
    search = _Search(time_limit, workers, seed)
    shares = _shares(plans, people, policy)
    model, sits, chairs = _model(plans, people, policy, shares)
    solver = _solver(search)
    status = solver.solve(model)
    solver_time = solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.INFEASIBLE:
            problems = _explain(plans, people, policy, search)
            return _unrostered(Status.INFEASIBLE, problems, started, solver_time, policy)
        text = f"no roster found within the time limit of {time_limit:g} seconds"
        return _unrostered(Status.UNKNOWN, [Problem((), text)], started, solver_time, policy)
    panels = [
        (
            tuple(mid for mid in plan.pool if solver.boolean_value(sits[i, mid])),
            next(mid for mid in plan.chairs if solver.boolean_value(chairs[i, mid])),
        )
        for i, plan in enumerate(plans)
    ]
    objective = round(solver.objective_value)
    bound = solver.best_objective_bound
    return Roster(
        status=Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE,
        panels=_panels(plans, panels, people, policy),
        problems=(),
        objective=objective,
        best_bound=bound,
        gap=abs(objective - bound) / max(1, abs(objective)),
        wall_time=time.perf_counter() - started,
        solver_time=solver_time,
        policy_version=policy.version,
    )


def greedy_roster(
    meetings: Sequence[Meeting],
    candidates: Sequence[Candidate],
    policy: RosterPolicy,
    conflicts: Iterable[Conflict] = (),
) -> Roster:
    # The baseline the solver is measured against: meeting by meeting, the best-balanced member
    # with the fewest sittings next, never revisiting a choice.
    started = time.perf_counter()
    people = {c.record.member.id: c for c in candidates}
    plans = [_plan(m, people, tuple(conflicts), policy) for m in _in_order(meetings)]
    problems = [p for plan in plans for p in _precheck(plan, people)]
    if problems:
        return _unrostered(Status.INFEASIBLE, problems, started, 0.0, policy)
    cap = policy.max_sittings_per_month
    load = Counter({mid: len(c.booked) for mid, c in people.items()})
    in_month = Counter((mid, _month(day)) for mid, c in people.items() for day in c.booked)
    busy = {(mid, day) for mid, c in people.items() for day in c.booked}
    chaired: Counter[int] = Counter()
    panels = []
    for plan in plans:
        month, on = _month(plan.meeting.on), plan.meeting.on
        free = [m for m in plan.pool if in_month[m, month] < cap and (m, on) not in busy]
        chosen = [m for m in plan.pool if m in plan.meeting.accepted]
        chair_pool = [m for m in plan.chairs if m in free]
        if any(m not in free for m in chosen) or not chair_pool:
            problems.append(_greedy_failure(plan))
            continue
        chair = min(chair_pool, key=lambda m: (m not in chosen, chaired[m], load[m], m))
        chosen += [] if chair in chosen else [chair]
        while len(chosen) < plan.size:
            options = [m for m in free if m not in chosen]
            if not options:
                break
            chosen.append(
                min(
                    options,
                    key=lambda m: (
                        _unmet(plan, [*chosen, m], people),
                        _balance_penalty(plan, [*chosen, m], people, policy),
                        sum(m in withdrawn for _, withdrawn in plan.items),
                        load[m],
                        m,
                    ),
                )
            )
        if len(chosen) < plan.size or _unmet(plan, chosen, people):
            problems.append(_greedy_failure(plan))
            continue
        for m in chosen:
            load[m] += 1
            in_month[m, month] += 1
            busy.add((m, on))
        chaired[chair] += 1
        panels.append((tuple(sorted(chosen)), chair))
    if problems:
        return _unrostered(Status.UNKNOWN, problems, started, 0.0, policy)
    return Roster(
        status=Status.FEASIBLE,
        panels=_panels(plans, panels, people, policy),
        problems=(),
        objective=_score(plans, panels, people, policy),
        best_bound=None,
        gap=None,
        wall_time=time.perf_counter() - started,
        solver_time=0.0,
        policy_version=policy.version,
    )


def _in_order(meetings: Sequence[Meeting]) -> list[Meeting]:
    return sorted(meetings, key=lambda m: (m.on, m.meeting_id))


def _month(day: date) -> tuple[int, int]:
    return day.year, day.month


def _plan(
    meeting: Meeting,
    people: dict[int, Candidate],
    conflicts: tuple[Conflict, ...],
    policy: RosterPolicy,
) -> _Plan:
    quorum = policy.quorum if not meeting.joint else policy.joint_quorum
    item_ids = {item.item_id for item in meeting.items}
    here = tuple(c for c in conflicts if c.item_id in item_ids)
    month = _month(meeting.on)
    why_out, why_not_chair = {}, {}
    pool, chairs = [], []
    for mid, candidate in people.items():
        reasons = []
        if mid in meeting.excluded:
            reasons.append("excluded by the adviser")
        if meeting.on in candidate.unavailable:
            reasons.append("unavailable")
        if meeting.on in candidate.booked:
            reasons.append("already sitting on another panel that day")
        booked = sum(1 for day in candidate.booked if _month(day) == month)
        if booked >= policy.max_sittings_per_month:
            reasons.append(
                f"already booked for {plural(booked, 'sitting')} in {meeting.on:%B %Y}, "
                f"the most allowed is {policy.max_sittings_per_month}"
            )
        if not counts(candidate.record.member):
            reasons.append("attends only as an adviser or observer")
        verdict = eligibility.check(candidate.record, meeting.on, policy.eligibility, here)
        reasons += verdict.reasons
        if reasons:
            why_out[mid] = ", ".join(reasons)
            continue
        pool.append(mid)
        chair = eligibility.may_chair(candidate.record.member, meeting.on, policy.eligibility)
        if meeting.chair not in (None, mid):
            why_not_chair[mid] = "another member was agreed as chair"
        elif chair.may_chair:
            chairs.append(mid)
        else:
            why_not_chair[mid] = ", ".join(chair.reasons)
    return _Plan(
        meeting=meeting,
        quorum=quorum,
        size=max(quorum.minimum + policy.reserve, len(meeting.accepted)),
        pool=tuple(sorted(pool)),
        chairs=tuple(sorted(chairs)),
        items=tuple(
            (item, frozenset(c.member_id for c in here if c.item_id == item.item_id))
            for item in meeting.items
        ),
        conflicts=here,
        needs_diversity=balance.needs_ethnic_diversity(meeting.items, policy.balance),
        why_out=why_out,
        why_not_chair=why_not_chair,
    )


def _precheck(plan: _Plan, people: dict[int, Candidate]) -> list[Problem]:
    # Each check here is a necessary condition, so a failure proves there is no roster.
    meeting = plan.meeting
    found = []

    def problem(text: str) -> None:
        found.append(Problem((meeting.meeting_id,), f"{long_date(meeting.on)}: {text}"))

    def name(mid: int) -> str:
        return people[mid].record.member.name if mid in people else f"member {mid}"

    for mid in sorted(meeting.accepted):
        if mid not in people:
            problem(f"{name(mid)} was accepted by the adviser but is not on the central list")
        elif mid not in plan.pool:
            problem(f"{name(mid)} was accepted by the adviser but cannot sit: {plan.why_out[mid]}")
    if meeting.chair is not None and meeting.chair not in plan.chairs:
        why = plan.why_out.get(meeting.chair) or plan.why_not_chair.get(meeting.chair, "")
        problem(f"{name(meeting.chair)} was agreed as chair but cannot chair: {why}")
    pool = set(plan.pool)
    if len(pool) < plan.size:
        problem(
            f"only {len(pool)} eligible and available members, {plan.size} needed"
            + (" with the reserve" if plan.size > plan.quorum.minimum else "")
        )
    no_chair = not plan.chairs and meeting.chair is None
    if no_chair:
        holders = [mid for mid, c in people.items() if c.record.member.seats & CHAIR_SEATS]
        if holders:
            whys = _whys(holders, plan, people, chairing=True)
            problem(f"no chair or vice chair is eligible and available to chair ({whys})")
        else:
            problem("no chair or vice chair on the central list")
    for requirement in plan.quorum.must_include:
        if no_chair and requirement.seats and requirement.seats <= CHAIR_SEATS:
            continue
        if not any(meets(people[mid].record.member, requirement) for mid in pool):
            problem(_nobody(requirement, plan, people))
    for item, withdrawn in plan.items:
        if not withdrawn & pool:
            continue
        left = pool - withdrawn
        names = ", ".join(name(mid) for mid in sorted(withdrawn & pool))
        label = f"{item.label}: "
        if len(left) < plan.quorum.minimum:
            problem(
                f"{label}only {len(left)} eligible and available members are not conflicted "
                f"({names} withdraw), {plan.quorum.minimum} needed"
            )
        for requirement in plan.quorum.must_include:
            people_meeting = [mid for mid in pool if meets(people[mid].record.member, requirement)]
            if people_meeting and not set(people_meeting) - withdrawn:
                problem(
                    f"{label}no {describe(requirement)} without a conflict is eligible and "
                    f"available ({names} withdraw)"
                )
    return found


def _nobody(requirement: Requirement, plan: _Plan, people: dict[int, Candidate]) -> str:
    holders = [mid for mid, c in people.items() if meets(c.record.member, requirement)]
    if not holders:
        return f"no {describe(requirement)} on the central list"
    return f"no {describe(requirement)} is eligible and available ({_whys(holders, plan, people)})"


def _whys(
    mids: Iterable[int], plan: _Plan, people: dict[int, Candidate], chairing: bool = False
) -> str:
    def why(mid: int) -> str:
        return plan.why_out.get(mid) or (plan.why_not_chair.get(mid, "") if chairing else "")

    return "; ".join(f"{people[mid].record.member.name}: {why(mid)}" for mid in sorted(mids))


def _shares(plans: list[_Plan], people: dict[int, Candidate], policy: RosterPolicy) -> _Shares:
    cap = policy.max_sittings_per_month
    sittable: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
    for plan in plans:
        for mid in plan.pool:
            sittable[mid][_month(plan.meeting.on)] += 1
    members = tuple(sorted(set(sittable) | {mid for mid, c in people.items() if c.booked}))
    booked = {mid: len(people[mid].booked) for mid in members}
    possible = {
        mid: booked[mid]
        + sum(
            min(max(0, cap - sum(1 for d in people[mid].booked if _month(d) == month)), n)
            for month, n in sittable[mid].items()
        )
        for mid in members
    }
    total = sum(plan.size for plan in plans) + sum(booked.values())
    share_among = max(1, len(members))  # an empty series has nobody to share among
    chairs = tuple(sorted({mid for plan in plans for mid in plan.chairs}))
    return _Shares(
        members=members,
        booked=booked,
        at_least={mid: min(total // share_among, possible[mid]) for mid in members},
        at_most=ceil(total / share_among),
        chairs=chairs,
        least_max_chairing=ceil(len(plans) / max(1, len(chairs))),
    )


_Vars = dict[tuple[int, int], cp_model.IntVar]


def _model(
    plans: list[_Plan],
    people: dict[int, Candidate],
    policy: RosterPolicy,
    shares: _Shares | None,
    item_limit: int | None = None,
) -> tuple[cp_model.CpModel, _Vars, _Vars]:
    # Without shares the model only asks whether a roster exists (used to explain why not).
    model = cp_model.CpModel()
    sits: _Vars = {}
    chairs: _Vars = {}
    by_month: dict[tuple[int, tuple[int, int]], list[cp_model.IntVar]] = defaultdict(list)
    by_day: dict[tuple[int, date], list[cp_model.IntVar]] = defaultdict(list)
    penalties: list[cp_model.LinearExprT] = []
    for i, plan in enumerate(plans):
        for mid in plan.pool:
            sits[i, mid] = model.new_bool_var(f"sits_{i}_{mid}")
            by_month[mid, _month(plan.meeting.on)].append(sits[i, mid])
            by_day[mid, plan.meeting.on].append(sits[i, mid])
            if mid in plan.meeting.accepted:
                model.add(sits[i, mid] == 1)
        here = {mid: sits[i, mid] for mid in plan.pool}
        model.add(sum(here.values()) == plan.size)
        for mid in plan.chairs:
            chairs[i, mid] = model.new_bool_var(f"chairs_{i}_{mid}")
            model.add_implication(chairs[i, mid], sits[i, mid])
        model.add_exactly_one(chairs[i, mid] for mid in plan.chairs)
        # Quorum for the meeting, then again for each item without its conflicted members.
        scopes = [frozenset[int](), *(withdrawn for _, withdrawn in plan.items[:item_limit])]
        for withdrawn in dict.fromkeys(scopes):
            staying = {mid: var for mid, var in here.items() if mid not in withdrawn}
            model.add(sum(staying.values()) >= plan.quorum.minimum)
            for requirement in plan.quorum.must_include:
                meeting = [mid for mid in staying if meets(people[mid].record.member, requirement)]
                # Apart from the chair: someone meeting it sits who is not the one chairing.
                chairing = (
                    [chairs[i, mid] for mid in meeting if (i, mid) in chairs]
                    if requirement.apart_from_chair
                    else []
                )
                model.add(sum(staying[mid] for mid in meeting) - sum(chairing) >= 1)
        if shares is not None:
            penalties += _balance_terms(model, plan, here, people, policy)
    for (mid, month), variables in by_month.items():
        booked = sum(1 for day in people[mid].booked if _month(day) == month)
        model.add(sum(variables) + booked <= policy.max_sittings_per_month)
    for variables in by_day.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)
    if shares is not None:
        penalties += _fairness_terms(model, plans, sits, chairs, shares, policy.weights)
        model.minimize(sum(penalties))
    return model, sits, chairs


def _balance_terms(
    model: cp_model.CpModel,
    plan: _Plan,
    here: dict[int, cp_model.IntVar],
    people: dict[int, Candidate],
    policy: RosterPolicy,
) -> list[cp_model.LinearExprT]:
    weights, rules = policy.weights, policy.balance

    def member(mid: int) -> Member:
        return people[mid].record.member

    def distinct_below_two(groups: Iterable[list[cp_model.IntVar]]) -> cp_model.IntVar:
        # At least two groups represented, or pay the penalty.
        penalty = model.new_bool_var("")
        present = []
        for variables in groups:
            if variables:
                has = model.new_bool_var("")
                model.add(has <= sum(variables))
                present.append(has)
        model.add(sum(present) + 2 * penalty >= 2)
        return penalty

    def missing(variables: list[cp_model.IntVar]) -> cp_model.IntVar:
        penalty = model.new_bool_var("")
        model.add(sum(variables) + penalty >= 1)
        return penalty

    terms: list[cp_model.LinearExprT] = []
    short = model.new_int_var(0, rules.personal_experience_aim, "")
    experienced = [
        v for mid, v in here.items() if member(mid).experience & rules.personal_experience
    ]
    model.add(short >= rules.personal_experience_aim - sum(experienced))
    terms.append(weights.personal_experience * short)
    genders = [[v for mid, v in here.items() if member(mid).gender == g] for g in Gender]
    terms.append(weights.gender * distinct_below_two(genders))
    if plan.needs_diversity:
        groups = {member(mid).ethnicity for mid in here} - {None}
        terms.append(
            weights.ethnic_diversity
            * distinct_below_two(
                [v for mid, v in here.items() if member(mid).ethnicity == group] for group in groups
            )
        )
    span = rules.min_age_bands_spanned
    windows = []
    band = {mid: AGE_BANDS.index(b) for mid in here if (b := member(mid).age_band) is not None}
    for low in range(len(AGE_BANDS) - span + 1):
        # Someone in this band or younger and someone span - 1 bands older or more.
        ok = model.new_bool_var("")
        model.add(ok <= sum(here[mid] for mid, b in band.items() if b <= low))
        model.add(ok <= sum(here[mid] for mid, b in band.items() if b >= low + span - 1))
        windows.append(ok)
    terms.append(weights.age_spread * missing(windows))
    for item, withdrawn in plan.items:
        staying = {mid: v for mid, v in here.items() if mid not in withdrawn}
        for seat in item.professionals:
            holders = [v for mid, v in staying.items() if seat in member(mid).seats]
            terms.append(weights.professional * missing(holders))
        for language in item.languages:
            speakers = [
                v
                for mid, v in staying.items()
                if language.casefold() in {spoken.casefold() for spoken in member(mid).languages}
            ]
            terms.append(weights.language * missing(speakers))
    return terms


def _fairness_terms(
    model: cp_model.CpModel,
    plans: list[_Plan],
    sits: _Vars,
    chairs: _Vars,
    shares: _Shares,
    weights: Weights,
) -> list[cp_model.LinearExprT]:
    # The lower bound on the busiest chair is implied, but stating it lets the solver prove
    # optimality at once instead of searching for the proof.
    busiest_chair = model.new_int_var(shares.least_max_chairing, len(plans), "")
    deviations = []
    for mid in shares.members:
        load = shares.booked[mid] + sum(sits.get((i, mid), 0) for i in range(len(plans)))
        above = model.new_int_var(0, len(plans), "")
        model.add(above >= load - shares.at_most)
        below = model.new_int_var(0, shares.at_least[mid], "")
        model.add(below >= shares.at_least[mid] - load)
        deviations += [weights.above_fair_share * above, weights.below_fair_share * below]
    for mid in shares.chairs:
        model.add(busiest_chair >= sum(chairs.get((i, mid), 0) for i in range(len(plans))))
    return [*deviations, weights.max_chairing * busiest_chair]


def _score(
    plans: list[_Plan],
    panels: list[tuple[tuple[int, ...], int]],
    people: dict[int, Candidate],
    policy: RosterPolicy,
) -> int:
    # The solver's objective worked out for a given roster, so the baseline can be compared.
    shares = _shares(plans, people, policy)
    weights = policy.weights
    load = Counter(shares.booked)
    chaired = Counter(chair for _, chair in panels)
    for members, _ in panels:
        load.update(members)
    balance_total = sum(
        _balance_penalty(plan, list(members), people, policy)
        for plan, (members, _) in zip(plans, panels, strict=True)
    )
    return (
        balance_total
        + sum(
            weights.above_fair_share * max(0, load[mid] - shares.at_most)
            + weights.below_fair_share * max(0, shares.at_least[mid] - load[mid])
            for mid in shares.members
        )
        + weights.max_chairing * max([shares.least_max_chairing, *chaired.values()])
    )


def _balance_penalty(
    plan: _Plan, members: list[int], people: dict[int, Candidate], policy: RosterPolicy
) -> int:
    weights, rules = policy.weights, policy.balance
    panel = [people[mid].record.member for mid in members]
    verdict = balance.check(panel, plan.meeting.items, rules, plan.conflicts)
    with_experience = sum(1 for m in panel if m.experience & rules.personal_experience)
    per_concern = {
        balance.Code.SINGLE_GENDER: weights.gender,
        balance.Code.NO_ETHNIC_DIVERSITY: weights.ethnic_diversity,
        balance.Code.NARROW_AGE_SPREAD: weights.age_spread,
        balance.Code.MISSING_PROFESSIONAL: weights.professional,
        balance.Code.MISSING_LANGUAGE: weights.language,
    }
    return weights.personal_experience * max(
        0, rules.personal_experience_aim - with_experience
    ) + sum(per_concern.get(concern.code, 0) for concern in verdict.concerns)


def _unmet(plan: _Plan, members: list[int], people: dict[int, Candidate]) -> int:
    scopes = [frozenset[int](), *(withdrawn for _, withdrawn in plan.items)]
    unmet = 0
    for withdrawn in scopes:
        staying = [people[mid].record.member for mid in members if mid not in withdrawn]
        unmet += max(0, plan.quorum.minimum - len(staying)) if len(members) >= plan.size else 0
        unmet += sum(not met(staying, requirement) for requirement in plan.quorum.must_include)
    return unmet


def _greedy_failure(plan: _Plan) -> Problem:
    return Problem(
        (plan.meeting.meeting_id,),
        f"{long_date(plan.meeting.on)}: the simple method found no panel that keeps quorum for "
        "every item",
    )


def _solver(search: _Search) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = search.time_limit
    solver.parameters.num_workers = search.workers
    solver.parameters.random_seed = search.seed
    # Interleaved search gives the same roster on every run (unless the time limit cuts it short).
    solver.parameters.interleave_search = True
    # On two cores the default portfolio finds the best roster at once but then stalls proving it;
    # the full linear relaxation (max_lp) closes the gap in a fraction of a second.
    solver.parameters.subsolvers.append("max_lp")
    return solver


def _feasible(
    plans: list[_Plan],
    people: dict[int, Candidate],
    policy: RosterPolicy,
    search: _Search,
    item_limit: int | None = None,
) -> bool:
    model, _, _ = _model(plans, people, policy, None, item_limit)
    # Unknown counts as feasible: only what is proven impossible is blamed.
    return _solver(search).solve(model) != cp_model.INFEASIBLE


def _explain(
    plans: list[_Plan], people: dict[int, Candidate], policy: RosterPolicy, search: _Search
) -> list[Problem]:
    # Meetings are tied to each other only through the monthly limit (and the one-panel-a-day
    # rule, also within a month), so a series without a roster has a month without one.
    by_month: dict[tuple[int, int], list[_Plan]] = defaultdict(list)
    for plan in plans:
        by_month[_month(plan.meeting.on)].append(plan)
    problems = []
    for month_plans in by_month.values():
        if _feasible(month_plans, people, policy, search):
            continue
        alone = [p for p in month_plans if not _feasible([p], people, policy, search)]
        for plan in alone:
            problems.append(_explain_meeting(plan, people, policy, search))
        if not alone:
            on = month_plans[0].meeting.on
            dates = ", ".join(str(p.meeting.on.day) for p in month_plans)
            problems.append(
                Problem(
                    tuple(p.meeting.meeting_id for p in month_plans),
                    f"{on:%B %Y}: the meetings on {dates} {on:%B} cannot all be filled when "
                    f"each member sits at most {plural(policy.max_sittings_per_month, 'time')} "
                    "a month",
                )
            )
    return problems or [Problem((), "no roster meets every hard constraint at once")]


def _explain_meeting(
    plan: _Plan, people: dict[int, Candidate], policy: RosterPolicy, search: _Search
) -> Problem:
    when = long_date(plan.meeting.on)
    ids = (plan.meeting.meeting_id,)
    accepted = ""
    if plan.meeting.accepted:
        names = ", ".join(people[mid].record.member.name for mid in sorted(plan.meeting.accepted))
        accepted = f" alongside the members accepted by the adviser ({names})"
    if not _feasible([plan], people, policy, search, item_limit=0):
        return Problem(
            ids,
            f"{when}: no panel of {plan.size} from the {len(plan.pool)} eligible and available "
            f"members{accepted} meets quorum",
        )
    for limit in range(1, len(plan.items) + 1):
        if not _feasible([plan], people, policy, search, item_limit=limit):
            item, withdrawn = plan.items[limit - 1]
            names = ", ".join(people[mid].record.member.name for mid in sorted(withdrawn))
            return Problem(
                ids,
                f"{when}: {item.label}: with {names} withdrawn for conflicts of interest, no "
                f"panel of {plan.size}{accepted} keeps quorum for this item as well as the "
                "others",
            )
    return Problem(ids, f"{when}: no panel meets every hard constraint")


def _panels(
    plans: list[_Plan],
    panels: list[tuple[tuple[int, ...], int]],
    people: dict[int, Candidate],
    policy: RosterPolicy,
) -> tuple[Panel, ...]:
    return tuple(
        Panel(
            meeting_id=plan.meeting.meeting_id,
            on=plan.meeting.on,
            members=members,
            chair=chair,
            balance=balance.check(
                [people[mid].record.member for mid in members],
                plan.meeting.items,
                policy.balance,
                plan.conflicts,
            ),
        )
        for plan, (members, chair) in zip(plans, panels, strict=True)
    )


def _unrostered(
    status: Status,
    problems: list[Problem],
    started: float,
    solver_time: float,
    policy: RosterPolicy,
) -> Roster:
    return Roster(
        status=status,
        panels=(),
        problems=tuple(problems),
        objective=None,
        best_bound=None,
        gap=None,
        wall_time=time.perf_counter() - started,
        solver_time=solver_time,
        policy_version=policy.version,
    )
