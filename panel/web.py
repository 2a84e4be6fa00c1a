"""Pages and API of the panel area: central list, policies, meetings, rosters, sittings, feeds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, Router, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from governance import audit, clock, home, nav
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid, NotFound
from governance.forms import form_data, version_of
from governance.guards import allow, public
from governance.roles import Role
from governance.validate import Whole
from governance.web import form_page, user_of
from panel import agenda_web, imports, placement_web, services
from panel.rules import eligibility, quorum, schedule
from panel.rules.members import SEAT_LABELS

AnyRequest = Request[Any, Any, Any]
ADVISER = (Role.PANEL_ADVISER,)
STAFF = (Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR)
MEMBER = (Role.PANEL_MEMBER,)
MEMBER_MULTI = frozenset({"seats", "experience"})

nav.add("Central list", "/panel/members", *STAFF, order=20)
nav.add("Panel meetings", "/panel/meetings", *STAFF, order=21)
nav.add("Panel policy", "/panel/policies", *STAFF, order=22)
nav.add("My sittings", "/panel/my/sittings", *MEMBER, order=20)
nav.add("My availability", "/panel/my/availability", *MEMBER, order=21)
nav.add("My interests", "/panel/my/interests", *MEMBER, order=22)


def _choices() -> dict[str, Any]:
    return {
        "seat_choices": services.SEAT_CHOICES,
        "experience_choices": services.EXPERIENCE_CHOICES,
        "gender_choices": services.GENDER_CHOICES,
        "age_band_choices": services.AGE_BAND_CHOICES,
        "ethnicity_choices": {k: v[0] for k, v in services.ETHNICITY_CHOICES.items()},
    }


def _form_values(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    values["seats"] = row.get("seat_list", services._listed(row.get("seats")))
    values["experience"] = row.get("experience_list", services._listed(row.get("experience")))
    for key, value in row.items():
        if isinstance(value, date):
            values[key] = value.isoformat()
        elif value is None:
            values[key] = ""
    return values


def _staff_actions(request: AnyRequest) -> bool:
    return user_of(request).has(Role.PANEL_ADVISER)


# ---------------------------------------------------------------- central list


class MemberController(Controller):
    path = "/members"
    opt = allow(*STAFF)

    @get("", name="panel:members")
    async def index(self) -> Template:
        rows = await services.members()
        today = clock.today()
        due = {c.member_id: c for c in await services.due_list(today)}
        composition = await services.central_list_composition(today)
        return Template(
            "panel/members.html",
            context={
                "members": rows,
                "due": due,
                "seat_labels": services.SEAT_CHOICES,
                "composition": composition,
            },
        )

    @get("/due", name="panel:due")
    async def due(self, within: Annotated[int, QueryParameter(ge=1, le=366)] = 60) -> Template:
        return Template(
            "panel/due.html",
            context={"due": await services.due_list(clock.today(), within), "within": within},
        )

    @get("/new", name="panel:member_new", opt=allow(*ADVISER))
    async def new(self, request: AnyRequest) -> Template:
        return form_page("panel/member_form.html", request, values={}, member=None, **_choices())

    @post("/new", name="panel:member_create", opt=allow(*ADVISER))
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request, multi=MEMBER_MULTI)
        try:
            member_id = await services.create_member(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return _error_form(request, "panel/member_form.html", error, values=data, member=None)
        return Redirect(f"/panel/members/{member_id}?saved=1", status_code=303)

    @get("/export.csv", name="panel:export_csv")
    async def export_csv(self, request: AnyRequest) -> Response[bytes]:
        await audit.record(
            user_of(request), "download", "central_list", "csv", path=request.url.path
        )
        return _download(imports.export_csv(await services.members()), "central-list.csv")

    @get("/export.xlsx", name="panel:export_xlsx")
    async def export_xlsx(self, request: AnyRequest) -> Response[bytes]:
        await audit.record(
            user_of(request), "download", "central_list", "xlsx", path=request.url.path
        )
        return _download(imports.export_xlsx(await services.members()), "central-list.xlsx")

    @get("/template.csv", name="panel:import_template_csv")
    async def template_csv(self) -> Response[bytes]:
        return _download(imports.template_csv(), "central-list-template.csv")

    @get("/template.xlsx", name="panel:import_template_xlsx")
    async def template_xlsx(self) -> Response[bytes]:
        return _download(imports.template_xlsx(), "central-list-template.xlsx")

    @get("/import", name="panel:import", opt=allow(*ADVISER))
    async def import_form(self, request: AnyRequest) -> Template:
        return form_page(
            "panel/import.html", request, report=None, upload_field="file", **_import_context()
        )

    @post("/import", name="panel:import_submit", opt=allow(*ADVISER))
    async def import_submit(self, request: AnyRequest) -> Template:
        form = await request.form()
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid({"file": "Choose a .csv or .xlsx file to import"})
            report = await imports.import_list(
                user_of(request), upload.filename, await upload.read(), path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return _error_form(
                request, "panel/import.html", error, report=None, **_import_context()
            )
        return form_page(
            "panel/import.html",
            request,
            status_code=200 if report.applied else HTTP_422_UNPROCESSABLE_ENTITY,
            errors={}
            if report.applied
            else {"file": "Nothing was imported: correct the rows below"},
            report=report,
            **_import_context(),
        )

    @get("/{member_id:int}", name="panel:member")
    async def show(self, request: AnyRequest, member_id: FromPath[int]) -> Template:
        return await _member_page(request, member_id)

    @post("/{member_id:int}", name="panel:member_update", opt=allow(*ADVISER))
    async def update(self, request: AnyRequest, member_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request, multi=MEMBER_MULTI)
        try:
            await services.update_member(
                user_of(request), member_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _member_page(request, member_id, error, values=data)
        return Redirect(f"/panel/members/{member_id}?saved=1", status_code=303)

    @post("/{member_id:int}/notice", name="panel:member_notice", opt=allow(*ADVISER))
    async def notice(self, request: AnyRequest, member_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.give_notice(
                user_of(request), member_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _member_page(request, member_id, error, notice=data)
        return Redirect(f"/panel/members/{member_id}?saved=1", status_code=303)

    @post("/{member_id:int}/interests", name="panel:member_interest", opt=allow(*ADVISER))
    async def add_interest(self, request: AnyRequest, member_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.add_interest(user_of(request), member_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _member_page(request, member_id, error, interest=data)
        return Redirect(f"/panel/members/{member_id}?saved=1#interests", status_code=303)

    @post(
        "/{member_id:int}/interests/{interest_id:int}/delete",
        name="panel:member_interest_delete",
        opt=allow(*ADVISER),
    )
    async def remove_interest(
        self, request: AnyRequest, member_id: FromPath[int], interest_id: FromPath[int]
    ) -> Redirect:
        await services.remove_interest(
            user_of(request), member_id, interest_id, path=request.url.path
        )
        return Redirect(f"/panel/members/{member_id}?saved=1#interests", status_code=303)


async def _member_page(
    request: AnyRequest,
    member_id: int,
    error: Invalid | Conflict | None = None,
    **extra: Any,
) -> Template:
    row = await services.member(member_id)
    await audit.record(user_of(request), "view", "panel_member", member_id, path=request.url.path)
    context: dict[str, Any] = {
        "member": row,
        "values": _form_values(row),
        "compliance": await services.compliance(member_id),
        "sittings": await services.my_sittings(row["person"]),
        "notice": {},
        "interest": {},
        "may_edit": _staff_actions(request),
        "seat_labels": services.SEAT_CHOICES,
        **_choices(),
        **extra,
    }
    if error is None:
        return form_page("panel/member.html", request, **context)
    return _error_form(request, "panel/member.html", error, **context)


def _error_form(
    request: AnyRequest, template: str, error: Invalid | Conflict, **context: Any
) -> Template:
    if isinstance(error, Invalid):
        errors, status = error.errors, HTTP_422_UNPROCESSABLE_ENTITY
    else:
        errors, status = {error.field or "form": error.message}, HTTP_409_CONFLICT
    context.setdefault("values", {})
    for key, value in _choices().items():
        context.setdefault(key, value)
    return form_page(template, request, errors=errors, status_code=status, **context)


def _import_context() -> dict[str, Any]:
    return {"allowed": imports.allowed_values(), "max_rows": imports.MAX_ROWS}


def _download(data: bytes, filename: str) -> Response[bytes]:
    media = (
        "text/csv; charset=utf-8"
        if filename.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------- policies


def _policy_values(policy: services.Policy) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(policy.numbers, k) for k in services.POLICY_LABELS}
    values |= {k: "yes" if getattr(policy.switches, k) else "" for k in services.SWITCH_LABELS}
    values["effective_from"] = clock.today().isoformat()
    values["note"] = ""
    return values


class PolicyController(Controller):
    path = "/policies"
    opt = allow(*STAFF)

    async def _page(
        self, request: AnyRequest, error: Invalid | Conflict | None = None, values: Any = None
    ) -> Template:
        today = clock.today()
        current = await services.policy_on(today)
        context: dict[str, Any] = {
            "current": current,
            "versions": await services.policies(),
            "labels": services.POLICY_LABELS,
            "switch_labels": services.SWITCH_LABELS,
            "quorum_requirements": [
                ("an " if text[0] in "aeiou" else "a ") + text
                for text in (quorum.describe(r) for r in current.quorum.must_include)
            ],
            "values": values or _policy_values(current),
            "may_edit": _staff_actions(request),
        }
        if error is not None:
            return _error_form(request, "panel/policies.html", error, **context)
        return form_page("panel/policies.html", request, **context)

    @get("", name="panel:policies")
    async def show(self, request: AnyRequest) -> Template:
        return await self._page(request)

    @post("", name="panel:policy_create", opt=allow(*ADVISER))
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.save_policy(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await self._page(request, error, data)
        return Redirect("/panel/policies?saved=1", status_code=303)


# ---------------------------------------------------------------- meetings


# The years a meetings list may be asked for; others are refused (400) rather than overflowing
# the calendar or quietly showing this year.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month_label(year: int, month: int) -> str:
    return f"{date(year, month, 1):%B %Y}"


def _meeting_form_values(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"starts": "10:00", "ends": "13:00", "item_slots": "4"}
    return {
        "day": row["day"].isoformat(),
        "starts": f"{row['starts_at']:%H:%M}",
        "ends": f"{row['ends_at']:%H:%M}",
        "venue": row["venue"],
        "online_link": row["online_link"],
        "item_slots": row["item_slots"],
        "version": row["version"],
    }


class MeetingController(Controller):
    path = "/meetings"
    opt = allow(*STAFF)

    @get("", name="panel:meetings")
    async def index(
        self, year: Annotated[int | None, QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None
    ) -> Template:
        today = clock.today()
        first = date(year, 1, 1) if year else date(today.year, today.month, 1)
        last = date(year, 12, 31) if year else first + timedelta(days=366)
        rows = await services.meetings(first, last)
        months: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            months[row["day"].year, row["day"].month].append(row)
        live = [r["day"] for r in rows if r["status"] != "cancelled"]
        # Judge only up to the last month anything is scheduled in, so an empty future is
        # not a wall of warnings; an empty schedule warns from this month.
        horizon = max(live) if live else first
        gaps = schedule.months_without_panel(live, first, horizon) if live else ()
        return Template(
            "panel/meetings.html",
            context={
                "months": [(_month_label(*k), v) for k, v in sorted(months.items())],
                "gaps": [_month_label(*g) for g in gaps],
                "year": year,
                "first": first,
                "last": last,
                "empty": not rows,
            },
        )

    @get("/new", name="panel:meeting_new")
    async def new(self, request: AnyRequest) -> Template:
        return form_page("panel/meeting_new.html", request, values=_meeting_form_values(None))

    @post("/new", name="panel:meeting_create")
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            meeting_id = await services.schedule_meeting(
                user_of(request), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return _error_form(request, "panel/meeting_new.html", error, values=data)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1", status_code=303)

    @get("/series", name="panel:series_new")
    async def series_form(self, request: AnyRequest) -> Template:
        today = clock.today()
        values = {
            "pattern": "2nd and 4th Thursday, 10:00-13:00",
            "from_day": today.isoformat(),
            "to_day": (today + timedelta(days=364)).isoformat(),
            "item_slots": "4",
        }
        return form_page("panel/series.html", request, values=values, result=None)

    @post("/series", name="panel:series_create")
    async def series_create(self, request: AnyRequest) -> Template:
        data = await form_data(request)
        try:
            result = await services.schedule_series(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return _error_form(request, "panel/series.html", error, values=data, result=None)
        return form_page(
            "panel/series.html",
            request,
            status_code=HTTP_201_CREATED,
            values=data,
            result=result,
            gaps=[_month_label(*g) for g in result.months_without],
            skipped=[schedule.describe_skip(s) for s in result.skipped],
        )

    @get("/{meeting_id:int}", name="panel:meeting")
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        return await _meeting_page(request, meeting_id)

    @post("/{meeting_id:int}", name="panel:meeting_update")
    async def update(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.update_meeting(
                user_of(request), meeting_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _meeting_page(request, meeting_id, error, values=data)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1", status_code=303)

    @post("/{meeting_id:int}/status", name="panel:meeting_status")
    async def status(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.set_status(
                user_of(request),
                meeting_id,
                version_of(data),
                str(data.get("status") or ""),
                str(data.get("reason") or ""),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _meeting_page(request, meeting_id, error, status_form=data)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1", status_code=303)

    @post("/{meeting_id:int}/invite", name="panel:meeting_invite", opt=allow(*ADVISER))
    async def invite(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.invite(
                user_of(request), meeting_id, data.get("member_id"), path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _meeting_page(request, meeting_id, error)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1#roster", status_code=303)

    @post(
        "/{meeting_id:int}/sittings/{sitting_id:int}",
        name="panel:sitting_answer",
        opt=allow(*ADVISER),
    )
    async def answer(
        self, request: AnyRequest, meeting_id: FromPath[int], sitting_id: FromPath[int]
    ) -> Response[Any]:
        data = await form_data(request)
        try:
            found = await services.sitting(sitting_id)
            if found["meeting"] != meeting_id:
                raise NotFound(f"No sitting {sitting_id} at meeting {meeting_id}")
            await services.respond(
                user_of(request),
                sitting_id,
                version_of(data),
                str(data.get("answer") or ""),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _meeting_page(request, meeting_id, error)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1#roster", status_code=303)

    @post("/{meeting_id:int}/chair", name="panel:meeting_chair", opt=allow(*ADVISER))
    async def chair(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.set_chair(
                user_of(request),
                meeting_id,
                version_of(data),
                data.get("chair"),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _meeting_page(request, meeting_id, error)
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1#roster", status_code=303)

    @get("/{meeting_id:int}/suggestion", name="panel:suggestion", opt=allow(*ADVISER))
    async def suggestion(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        row = await services.meeting(meeting_id)
        try:
            found = await services.suggest([meeting_id])
        except Invalid as error:
            return await _meeting_page(request, meeting_id, error)
        return form_page(
            "panel/suggestion.html",
            request,
            suggestion=found,
            panels=_panels(found),
            meeting=row,
            members=await _eligible_on(row["day"]),
        )

    @post("/{meeting_id:int}/roster", name="panel:roster_accept", opt=allow(*ADVISER))
    async def accept(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        try:
            members = _ids(form.getall("members") if "members" in form else [], "members")
            chair = _ids([form.get("chair")] if form.get("chair") else [], "chair")
            await services.accept_roster(
                user_of(request),
                {meeting_id: (members, chair[0] if chair else None)},
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            row = await services.meeting(meeting_id)
            return _error_form(
                request,
                "panel/suggestion.html",
                error,
                suggestion=None,
                panels=[],
                meeting=row,
                members=await _eligible_on(row["day"]),
            )
        return Redirect(f"/panel/meetings/{meeting_id}?saved=1#roster", status_code=303)


def _ids(raw: list[Any], field: str) -> list[int]:
    try:
        return [int(str(v)) for v in raw]
    except ValueError:
        raise Invalid({field: "Choose members from the list"}) from None


async def _eligible_on(day: date) -> list[dict[str, Any]]:
    policy = (await services.policy_on(day)).roster.eligibility
    found = []
    for mid, record in (await services.records()).items():
        verdict = eligibility.check(record, day, policy)
        chair = eligibility.may_chair(record.member, day, policy)
        found.append(
            {
                "id": mid,
                "name": record.member.name,
                "seats": ", ".join(SEAT_LABELS[s] for s in sorted(record.member.seats)),
                "eligible": verdict.eligible,
                "reasons": verdict.reasons,
                "may_chair": chair.may_chair,
            }
        )
    return sorted(found, key=lambda m: (not m["eligible"], m["name"]))


def _panels(found: services.Suggestion) -> list[dict[str, Any]]:
    return [
        {
            "meeting": found.meetings[p.meeting_id],
            "members": [(mid, found.names[mid]) for mid in p.members],
            "chair": p.chair,
            "balance": p.balance,
        }
        for p in found.roster.panels
    ]


async def _meeting_page(
    request: AnyRequest,
    meeting_id: int,
    error: Invalid | Conflict | None = None,
    **extra: Any,
) -> Template:
    row = await services.meeting(meeting_id)
    checks = await services.checks(meeting_id)
    on_roster = {s["member"] for s in row["sittings"] if s["status"] in services.ON_ROSTER}
    everyone = await _eligible_on(row["day"])
    context: dict[str, Any] = {
        "meeting": row,
        "checks": checks,
        "values": _meeting_form_values(row),
        "invitable": [m for m in everyone if m["eligible"] and m["id"] not in on_roster],
        "chairs": [
            s
            for s in row["sittings"]
            if s["status"] in services.ON_ROSTER
            and any(m["id"] == s["member"] and m["may_chair"] for m in everyone)
        ],
        "sitting_labels": services.SITTING_LABELS,
        "status_labels": services.STATUS_LABELS,
        "status_form": {},
        "may_roster": _staff_actions(request),
        **extra,
    }
    if error is None:
        return form_page("panel/meeting.html", request, **context)
    return _error_form(request, "panel/meeting.html", error, **context)


# ---------------------------------------------------------------- rosters for a series


class RosterController(Controller):
    path = "/rosters"
    opt = allow(*ADVISER)

    @get("", name="panel:rosters")
    async def show(
        self,
        request: AnyRequest,
        from_day: Annotated[str, QueryParameter(name="from")] = "",
        to_day: Annotated[str, QueryParameter(name="to")] = "",
    ) -> Template:
        today = clock.today()
        errors: dict[str, str] = {}
        days: list[date] = []
        for key, raw, default in (
            ("from", from_day, today),
            ("to", to_day, today + timedelta(days=90)),
        ):
            try:
                days.append(date.fromisoformat(raw) if raw else default)
            except ValueError:
                errors[key] = "Enter a real date, like 2027-01-04"
                days.append(default)
        first, last = days
        found = None
        chosen = []
        if not errors and (from_day or to_day):
            chosen = [
                m["id"]
                for m in await services.meetings(first, last)
                if m["status"] in services.LIVE
            ]
            if chosen:
                found = await services.suggest(chosen)
            else:
                errors["from"] = "There are no planned or confirmed meetings between those dates"
        return form_page(
            "panel/rosters.html",
            request,
            errors=errors,
            status_code=422 if errors else 200,
            values={"from": first.isoformat(), "to": last.isoformat()},
            suggestion=found,
            panels=_panels(found) if found else [],
        )

    @post("", name="panel:rosters_accept")
    async def accept(self, request: AnyRequest) -> Response[Any]:
        form = await request.form()
        plan: dict[int, tuple[list[int], int | None]] = {}
        try:
            for raw in form.getall("meeting") if "meeting" in form else []:
                meeting_id = _ids([raw], "meeting")[0]
                members = _ids(form.getall(f"members-{meeting_id}"), f"members-{meeting_id}")
                chair = _ids([form.get(f"chair-{meeting_id}")], f"chair-{meeting_id}")
                plan[meeting_id] = (members, chair[0] if chair else None)
            await services.accept_roster(user_of(request), plan, path=request.url.path)
        except (Invalid, Conflict) as error:
            return _error_form(
                request,
                "panel/rosters.html",
                error,
                values={"from": "", "to": ""},
                suggestion=None,
                panels=[],
            )
        return Redirect("/panel/meetings?saved=1", status_code=303)


# ---------------------------------------------------------------- a member's own pages


async def _me(request: AnyRequest) -> dict[str, Any] | None:
    return await services.member_of_person(user_of(request).person_id)


def _not_listed(request: AnyRequest, title: str) -> Template:
    return form_page("panel/not_listed.html", request, title=title)


class MyController(Controller):
    path = "/my"
    opt = allow(*MEMBER)

    @get("/sittings", name="panel:my_sittings")
    async def sittings(self, request: AnyRequest) -> Template:
        me = await _me(request)
        if me is None:
            return _not_listed(request, "My sittings")
        return form_page(
            "panel/my_sittings.html",
            request,
            me=me,
            sittings=await services.my_sittings(user_of(request).person_id),
        )

    @post("/sittings/{sitting_id:int}", name="panel:my_sitting_answer")
    async def answer(self, request: AnyRequest, sitting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        user = user_of(request)
        try:
            await services.respond(
                user,
                sitting_id,
                version_of(data),
                str(data.get("answer") or ""),
                person_id=user.person_id,
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            me = await _me(request)
            return _error_form(
                request,
                "panel/my_sittings.html",
                error,
                me=me,
                sittings=await services.my_sittings(user.person_id),
            )
        return Redirect("/panel/my/sittings?saved=1", status_code=303)

    @get("/availability", name="panel:my_availability")
    async def availability(self, request: AnyRequest) -> Template:
        me = await _me(request)
        if me is None:
            return _not_listed(request, "My availability")
        return form_page("panel/my_availability.html", request, me=me, values={})

    @post("/availability", name="panel:my_availability_add")
    async def add_availability(self, request: AnyRequest) -> Response[Any]:
        me = await _me(request)
        if me is None:
            raise NotFound("You are not on the central list")
        data = await form_data(request)
        try:
            await services.add_unavailability(
                user_of(request), me["id"], data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return _error_form(request, "panel/my_availability.html", error, me=me, values=data)
        return Redirect("/panel/my/availability?saved=1", status_code=303)

    @post("/availability/{entry_id:int}/delete", name="panel:my_availability_delete")
    async def remove_availability(self, request: AnyRequest, entry_id: FromPath[int]) -> Redirect:
        me = await _me(request)
        if me is None:
            raise NotFound("You are not on the central list")
        await services.remove_unavailability(
            user_of(request), me["id"], entry_id, path=request.url.path
        )
        return Redirect("/panel/my/availability?saved=1", status_code=303)

    @get("/interests", name="panel:my_interests")
    async def interests(self, request: AnyRequest) -> Template:
        me = await _me(request)
        if me is None:
            return _not_listed(request, "My interests")
        return form_page("panel/my_interests.html", request, me=me, interest={})

    @post("/interests", name="panel:my_interest_add")
    async def add_interest(self, request: AnyRequest) -> Response[Any]:
        me = await _me(request)
        if me is None:
            raise NotFound("You are not on the central list")
        data = await form_data(request)
        try:
            await services.add_interest(user_of(request), me["id"], data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return _error_form(request, "panel/my_interests.html", error, me=me, interest=data)
        return Redirect("/panel/my/interests?saved=1", status_code=303)

    @post("/interests/{interest_id:int}/delete", name="panel:my_interest_delete")
    async def remove_interest(self, request: AnyRequest, interest_id: FromPath[int]) -> Redirect:
        me = await _me(request)
        if me is None:
            raise NotFound("You are not on the central list")
        await services.remove_interest(
            user_of(request), me["id"], interest_id, path=request.url.path
        )
        return Redirect("/panel/my/interests?saved=1", status_code=303)

    @get("/feed", name="panel:my_feed")
    async def feed(self, request: AnyRequest) -> Template:
        me = await _me(request)
        if me is None:
            return _not_listed(request, "My calendar feed")
        token = await services.feed_token(me["id"])
        return form_page("panel/my_feed.html", request, me=me, url=_feed_url(request, me, token))

    @post("/feed/reset", name="panel:my_feed_reset")
    async def reset(self, request: AnyRequest) -> Redirect:
        me = await _me(request)
        if me is None:
            raise NotFound("You are not on the central list")
        await services.reset_feed_token(user_of(request), me["id"], path=request.url.path)
        return Redirect("/panel/my/feed?saved=1", status_code=303)


def _feed_url(request: AnyRequest, me: dict[str, Any], token: str) -> str:
    base = str(request.base_url).rstrip("/")
    return f"{base}/panel/feed/{me['id']}/{token}.ics"


@get("/feed/{member_id:int}/{token:str}", name="panel:feed", opt=public(), include_in_schema=False)
async def feed(member_id: FromPath[int], token: FromPath[str]) -> Response[bytes]:
    data = await services.feed(member_id, token.removesuffix(".ics")[:200])
    return Response(data, media_type="text/calendar; charset=utf-8")


# ---------------------------------------------------------------- home page sections


async def _staff_home(user: CurrentUser) -> dict[str, Any]:
    today = clock.today()
    upcoming = [
        m
        for m in await services.meetings(today, today + timedelta(days=120))
        if m["status"] in services.LIVE
    ]
    due = await services.due_list(today)
    return {
        "meetings": upcoming[:5],
        "due": due[:8],
        "due_count": len(due),
        "overdue_count": sum(1 for c in due if any(d.overdue for d in c.due)),
    }


async def _member_home(user: CurrentUser) -> dict[str, Any]:
    rows = await services.my_sittings(user.person_id, upcoming_only=True)
    return {"sittings": [r for r in rows if r["status"] in services.ON_ROSTER][:5]}


home.register("panel_staff", "panel/home_staff.html", STAFF, _staff_home, order=20)
home.register("panel_member", "panel/home_member.html", MEMBER, _member_home, order=20)


router = Router(
    path="/panel",
    route_handlers=[
        MemberController,
        PolicyController,
        MeetingController,
        RosterController,
        MyController,
        feed,
        *agenda_web.route_handlers,
        *placement_web.route_handlers,
    ],
)


# ---------------------------------------------------------------- JSON API


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    seats: Annotated[list[str], msgspec.Meta(max_length=10)]
    joined_on: Annotated[str, msgspec.Meta(max_length=20)]
    phone: Annotated[str, msgspec.Meta(max_length=40)] = ""
    pqe_years: Annotated[int, msgspec.Meta(ge=0, le=60)] = 0
    independent: bool = False
    dependency_ended_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    experience: Annotated[list[str], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    gender: Annotated[str, msgspec.Meta(max_length=20)] = ""
    age_band: Annotated[str, msgspec.Meta(max_length=10)] = ""
    ethnicity: Annotated[str, msgspec.Meta(max_length=40)] = ""
    languages: Annotated[list[str], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    dbs_checked_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    reviewed_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    induction_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    equality_and_diversity_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    safeguarding_on: Annotated[str, msgspec.Meta(max_length=20)] = ""


class MemberUpdate(MemberIn, forbid_unknown_fields=True):
    version: Whole = 0


class MeetingIn(msgspec.Struct, forbid_unknown_fields=True):
    day: Annotated[str, msgspec.Meta(max_length=20)]
    starts: Annotated[str, msgspec.Meta(max_length=8)]
    ends: Annotated[str, msgspec.Meta(max_length=8)]
    venue: Annotated[str, msgspec.Meta(max_length=300)] = ""
    online_link: Annotated[str, msgspec.Meta(max_length=500)] = ""
    item_slots: Annotated[int, msgspec.Meta(ge=1, le=20)] = 4


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    pattern: Annotated[str, msgspec.Meta(max_length=100)]
    from_day: Annotated[str, msgspec.Meta(max_length=20)]
    to_day: Annotated[str, msgspec.Meta(max_length=20)]
    starts: Annotated[str, msgspec.Meta(max_length=8)] = ""
    ends: Annotated[str, msgspec.Meta(max_length=8)] = ""
    venue: Annotated[str, msgspec.Meta(max_length=300)] = ""
    online_link: Annotated[str, msgspec.Meta(max_length=500)] = ""
    item_slots: Annotated[int, msgspec.Meta(ge=1, le=20)] = 4


class StatusIn(msgspec.Struct, forbid_unknown_fields=True):
    status: Annotated[str, msgspec.Meta(max_length=20)]
    version: Whole
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class RosterIn(msgspec.Struct, forbid_unknown_fields=True):
    members: Annotated[list[Whole], msgspec.Meta(max_length=40)]
    chair: Whole


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    effective_from: Annotated[str, msgspec.Meta(max_length=20)]
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    quorum_minimum: Whole = 5
    joint_quorum_minimum: Whole = 6
    quorum_pqe_years: Whole = 3
    personal_experience_aim: Whole = 2
    min_age_bands_spanned: Whole = 3
    dbs_renew_every_months: Whole = 36
    training_renew_every_months: Whole = 12
    review_every_months: Whole = 12
    chair_independence_months: Whole = 12
    paper_deadline_working_days: Whole = 5
    roster_reserve: Whole = 1
    max_sittings_per_month: Whole = 2
    pack_access_working_days: Whole = 10
    joint_panel: bool = False
    quorum_needs_independent: bool = True
    independent_chair_counts: bool = True
    bar_all_members_at_meeting: bool = True


def _member_json(row: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id", "name", "email", "phone", "pqe_years", "independent", "dependency_ended_on",
        "gender", "age_band", "ethnicity", "joined_on", "notice_given_on", "leaving_on",
        "leaving_reason", "removed_by_agency", "dbs_checked_on", "reviewed_on", "induction_on",
        "equality_and_diversity_on", "safeguarding_on", "version",
    )  # fmt: skip
    out = {k: row.get(k) for k in keep}
    out["seats"] = row["seat_list"]
    out["experience"] = row["experience_list"]
    out["languages"] = row["language_list"]
    if "interests" in row:
        out["interests"] = [
            {"id": i["id"], "name": i["name"], "relationship": i["relationship"]}
            for i in row["interests"]
        ]
    return out


def _due_json(c: services.Compliance) -> dict[str, Any]:
    return {
        "member_id": c.member_id,
        "name": c.name,
        "eligible_today": c.eligible_today.eligible,
        "reasons": list(c.eligible_today.reasons),
        "due": [
            {"evidence": d.evidence, "due_on": d.due_on, "overdue": d.overdue, "text": d.text}
            for d in c.due
        ],
    }


def _meeting_json(row: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id", "starts_at", "ends_at", "venue", "online_link", "item_slots", "status",
        "cancel_reason", "series", "chair", "chair_is_vice", "roster_policy_version", "sequence",
        "version",
    )  # fmt: skip
    out = {k: row.get(k) for k in keep}
    if "paper_deadline" in row:
        out["paper_deadline"] = row["paper_deadline"]
        # The agency's panel policy on the meeting's day, not a setting of the meeting.
        out["joint_panel"] = row["joint"]
        out["quorum_minimum"] = row["quorum_minimum"]
        out["sittings"] = [
            {"id": s["id"], "member_id": s["member"], "name": s["name"], "status": s["status"]}
            for s in row["sittings"]
        ]
    return out


def _roster_json(found: services.Suggestion) -> dict[str, Any]:
    result = found.roster
    return {
        "status": result.status.value,
        "policy_version": result.policy_version,
        "wall_time": result.wall_time,
        "panels": [
            {
                "meeting_id": p.meeting_id,
                "on": p.on,
                "members": [{"id": m, "name": found.names[m]} for m in p.members],
                "chair": {"id": p.chair, "name": found.names[p.chair]},
                "balance": [c.reason for c in p.balance.concerns],
            }
            for p in result.panels
        ],
        "problems": [{"meeting_ids": p.meeting_ids, "text": p.text} for p in result.problems],
    }


@get("/members", name="api_panel_members", opt=allow(*STAFF))
async def api_members() -> list[dict[str, Any]]:
    return [_member_json(r) for r in await services.members()]


@get("/members/{member_id:int}", name="api_panel_member", opt=allow(*STAFF))
async def api_member(request: AnyRequest, member_id: FromPath[int]) -> dict[str, Any]:
    row = await services.member(member_id)
    await audit.record(user_of(request), "view", "panel_member", member_id, path=request.url.path)
    found = await services.compliance(member_id)
    return _member_json(row) | {"compliance": _due_json(found)}


@post("/members", name="api_panel_member_create", opt=allow(*ADVISER))
async def api_member_create(
    request: AnyRequest, data: JSONBody[MemberIn]
) -> Response[dict[str, Any]]:
    member_id = await services.create_member(
        user_of(request), msgspec.structs.asdict(data), path=request.url.path
    )
    return Response(_member_json(await services.member(member_id)), status_code=HTTP_201_CREATED)


@put("/members/{member_id:int}", name="api_panel_member_update", opt=allow(*ADVISER))
async def api_member_update(
    request: AnyRequest, member_id: FromPath[int], data: JSONBody[MemberUpdate]
) -> dict[str, Any]:
    values = msgspec.structs.asdict(data)
    await services.update_member(
        user_of(request), member_id, values.pop("version"), values, path=request.url.path
    )
    return _member_json(await services.member(member_id))


@get("/due", name="api_panel_due", opt=allow(*STAFF))
async def api_due(
    within: Annotated[int, QueryParameter(ge=1, le=366)] = 60,
) -> list[dict[str, Any]]:
    return [_due_json(c) for c in await services.due_list(clock.today(), within)]


@get("/policies", name="api_panel_policies", opt=allow(*STAFF))
async def api_policies() -> list[dict[str, Any]]:
    return [
        {
            "version": p.version,
            "effective_from": p.effective_from,
            "note": p.note,
            "numbers": {k: getattr(p.numbers, k) for k in services.POLICY_LABELS},
            "switches": {k: getattr(p.switches, k) for k in services.SWITCH_LABELS},
        }
        for p in await services.policies()
    ]


@post("/policies", name="api_panel_policy_create", opt=allow(*ADVISER))
async def api_policy_create(
    request: AnyRequest, data: JSONBody[PolicyIn]
) -> Response[dict[str, Any]]:
    number = await services.save_policy(
        user_of(request), msgspec.structs.asdict(data), path=request.url.path
    )
    return Response({"version": number}, status_code=HTTP_201_CREATED)


@get("/meetings", name="api_panel_meetings", opt=allow(*STAFF))
async def api_meetings(
    from_day: Annotated[str, QueryParameter(name="from")] = "",
    to_day: Annotated[str, QueryParameter(name="to")] = "",
) -> dict[str, Any]:
    try:
        first = date.fromisoformat(from_day) if from_day else clock.today()
        last = date.fromisoformat(to_day) if to_day else first + timedelta(days=366)
    except ValueError:
        raise Invalid({"from": "Dates must look like 2027-01-04"}) from None
    rows = await services.meetings(first, last)
    live = [r["day"] for r in rows if r["status"] != "cancelled"]
    gaps = schedule.months_without_panel(live, first, max(live)) if live else ()
    return {
        "meetings": [_meeting_json(r) for r in rows],
        "months_without_panel": [_month_label(*g) for g in gaps],
    }


@post("/meetings", name="api_panel_meeting_create", opt=allow(*STAFF))
async def api_meeting_create(
    request: AnyRequest, data: JSONBody[MeetingIn]
) -> Response[dict[str, Any]]:
    meeting_id = await services.schedule_meeting(
        user_of(request), msgspec.structs.asdict(data), path=request.url.path
    )
    return Response(_meeting_json(await services.meeting(meeting_id)), status_code=HTTP_201_CREATED)


@post("/meetings/series", name="api_panel_series_create", opt=allow(*STAFF))
async def api_series_create(
    request: AnyRequest, data: JSONBody[SeriesIn]
) -> Response[dict[str, Any]]:
    result = await services.schedule_series(
        user_of(request), msgspec.structs.asdict(data), path=request.url.path
    )
    return Response(
        {
            "meeting_ids": result.meeting_ids,
            "dates": result.dates,
            "skipped": [{"on": s.on, "reason": s.reason} for s in result.skipped],
            "months_without_panel": [_month_label(*g) for g in result.months_without],
        },
        status_code=HTTP_201_CREATED,
    )


@get("/meetings/{meeting_id:int}", name="api_panel_meeting", opt=allow(*STAFF))
async def api_meeting(meeting_id: FromPath[int]) -> dict[str, Any]:
    row = await services.meeting(meeting_id)
    found = await services.checks(meeting_id)
    return _meeting_json(row) | {"checks": found.as_json()}


@post("/meetings/{meeting_id:int}/status", name="api_panel_meeting_status", opt=allow(*STAFF))
async def api_meeting_status(
    request: AnyRequest, meeting_id: FromPath[int], data: JSONBody[StatusIn]
) -> dict[str, Any]:
    await services.set_status(
        user_of(request), meeting_id, data.version, data.status, data.reason, path=request.url.path
    )
    return _meeting_json(await services.meeting(meeting_id))


@get("/meetings/{meeting_id:int}/suggestion", name="api_panel_suggestion", opt=allow(*ADVISER))
async def api_suggestion(meeting_id: FromPath[int]) -> dict[str, Any]:
    return _roster_json(await services.suggest([meeting_id]))


@post("/meetings/{meeting_id:int}/roster", name="api_panel_roster", opt=allow(*ADVISER))
async def api_roster(
    request: AnyRequest, meeting_id: FromPath[int], data: JSONBody[RosterIn]
) -> dict[str, Any]:
    sent = await services.accept_roster(
        user_of(request), {meeting_id: (data.members, data.chair)}, path=request.url.path
    )
    return _meeting_json(await services.meeting(meeting_id)) | {"invitations_sent": sent}


@get("/my/sittings", name="api_panel_my_sittings", opt=allow(*MEMBER))
async def api_my_sittings(request: AnyRequest) -> list[dict[str, Any]]:
    rows = await services.my_sittings(user_of(request).person_id)
    return [
        {
            "id": r["id"],
            "meeting_id": r["meeting"],
            "starts_at": r["starts_at"],
            "ends_at": r["ends_at"],
            "venue": r["venue"],
            "online_link": r["online_link"],
            "status": r["status"],
            "meeting_status": r["meeting_status"],
            "chairing": r["chairing"],
            "version": r["version"],
        }
        for r in rows
    ]


api_router = Router(
    path="/api/v1/panel",
    route_handlers=[
        *agenda_web.api_handlers,
        api_members,
        api_member,
        api_member_create,
        api_member_update,
        api_due,
        api_policies,
        api_policy_create,
        api_meetings,
        api_meeting_create,
        api_series_create,
        api_meeting,
        api_meeting_status,
        api_suggestion,
        api_roster,
        api_my_sittings,
    ],
)
