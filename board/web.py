"""Pages and API of the partnership board: dashboard, members, meetings, actions, figures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, Router, get, post, put
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY
from msgspec import Meta

from adm.rules.clocks import LABELS as CLOCK_LABELS
from adm.rules.clocks import ClockKind
from board import charts, documents, services
from board.rules import indicators
from board.rules.attendance import Rate
from board.rules.indicators import Figure, PartnerQuarter, Quarter, Timeliness
from governance import agency as agency_details
from governance import audit, clock, home, jobs, nav
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid
from governance.forms import choices, filter_choice, form_data, version_of
from governance.guards import allow
from governance.roles import Role
from governance.settings import Settings
from governance.validate import Whole
from governance.web import form_page, settings_of, user_of

AnyRequest = Request[Any, Any, Any]

# The chair (with the board secretary, who holds the same role) keeps the board's records.
EDITORS = (Role.BOARD_CHAIR,)
# Membership, terms of reference and funding are also set up by the system administrator.
SETUP = (Role.BOARD_CHAIR, Role.SYSTEM_ADMIN)
# Aggregates only: no member or owner names, never case papers.
READERS = (Role.BOARD_CHAIR, Role.BOARD_MEMBER, Role.PANEL_ADVISER)
FUNDING_READERS = (Role.BOARD_CHAIR, Role.BOARD_MEMBER, Role.SYSTEM_ADMIN)

nav.add("Board dashboard", "/board", *READERS, order=60)
nav.add("Board meetings", "/board/meetings", *EDITORS, order=61)
nav.add("Board actions", "/board/actions", *EDITORS, order=62)
nav.add("Board setup", "/board/members", Role.SYSTEM_ADMIN, order=89)


def sees_names(user: CurrentUser) -> bool:
    return user.has(Role.BOARD_CHAIR)


async def _home(user: CurrentUser) -> dict[str, Any]:
    return {**await services.home_summary(clock.today()), "names": sees_names(user)}


home.register("board", "board/home.html", (Role.BOARD_CHAIR, Role.BOARD_MEMBER), _home, order=60)


async def send_reminders(settings: Settings) -> None:
    # Claimed once an hour across every process; the outbox's dedupe keys make a rerun harmless.
    moment = clock.london(clock.now())
    run_key = f"{moment:%Y-%m-%dT%H}"
    if not await jobs.claim("board_reminders", run_key):
        return
    today = moment.date()
    await services.send_action_reminders(today, settings.base_url.rstrip("/"))
    await services.send_agreement_reminders(today)
    await jobs.finish("board_reminders", run_key)


jobs.register("board_reminders", send_reminders)


async def _submit(
    action: Callable[[], Awaitable[Any]],
    render: Callable[[dict[str, str], int], Awaitable[Template]],
    done: str,
    default_field: str,
) -> Response[Any]:
    try:
        await action()
    except Invalid as error:
        return await render(error.errors, HTTP_422_UNPROCESSABLE_ENTITY)
    except Conflict as error:
        return await render({error.field or default_field: error.message}, HTTP_409_CONFLICT)
    return Redirect(done, status_code=303)


def _base_url(request: AnyRequest) -> str:
    return settings_of(request).base_url.rstrip("/")


# ---------------------------------------------------------------- charts, cached by their figures


@lru_cache(maxsize=256)
def _attendance_chart(
    rates: tuple[Rate, ...], threshold: Decimal, title: str, chart_id: str
) -> charts.Chart:
    return charts.attendance_chart(rates, threshold, title, chart_id=chart_id)


@lru_cache(maxsize=256)
def _trend_chart(
    title: str,
    quarters: tuple[Quarter, ...],
    series: tuple[charts.Series, ...],
    unit: charts.Unit,
    chart_id: str,
) -> charts.Chart:
    return charts.trend_chart(title, quarters, series, unit, chart_id=chart_id)


@lru_cache(maxsize=256)
def _timeliness_chart(
    shares: tuple[Timeliness, ...], quarter: Quarter, title: str, chart_id: str
) -> charts.Chart:
    return charts.timeliness_chart(shares, quarter, title, chart_id=chart_id)


def _ratio_series(
    rows: tuple[PartnerQuarter, ...],
    partners: tuple[str, ...],
    quarters: tuple[Quarter, ...],
    pick: Callable[[indicators.Figures], indicators.Derived],
) -> list[charts.Series]:
    series = []
    for partner in (*partners, None):
        values: list[Fraction | None] = []
        for quarter in quarters:
            total = services.figures_for(rows, partner, quarter)
            values.append(None if total is None else pick(total.figures).value)
        series.append(charts.Series(partner or "Whole agency", tuple(values)))
    return series


def _comparison_series(
    comparisons: dict[tuple[str, str, Quarter], Decimal],
    indicator: str,
    quarters: tuple[Quarter, ...],
) -> list[charts.Series]:
    found = []
    for scope, label in (("national", "England"), ("regional", "Region")):
        values = tuple(
            None
            if (scope, indicator, q) not in comparisons
            else Fraction(comparisons[(scope, indicator, q)]) / 100
            for q in quarters
        )
        if any(v is not None for v in values):
            found.append(charts.Series(label, values))
    return found


def _count_series(
    rows: tuple[PartnerQuarter, ...],
    partners: tuple[str, ...],
    quarters: tuple[Quarter, ...],
    figure: Figure,
) -> list[charts.Series]:
    series = []
    for partner in partners:
        values: list[int | None] = []
        for quarter in quarters:
            total = services.figures_for(rows, partner, quarter)
            value = None if total is None else total.figures.value(figure)
            values.append(None if value is None else int(value))
        series.append(charts.Series(partner, tuple(values)))
    return series


def trend_charts(
    rows: tuple[PartnerQuarter, ...],
    partners: tuple[str, ...],
    quarters: tuple[Quarter, ...],
    comparisons: dict[tuple[str, str, Quarter], Decimal],
) -> list[charts.Chart]:
    conversion = _ratio_series(rows, partners, quarters, indicators.conversion)
    conversion += _comparison_series(comparisons, "conversion", quarters)
    gap = _ratio_series(rows, partners, quarters, indicators.adopter_gap)
    gap += _comparison_series(comparisons, "adopter_gap", quarters)
    return [
        _trend_chart(
            "Conversion from enquiry to Stage 1",
            quarters,
            tuple(conversion),
            charts.Unit.PERCENT,
            "trend-conversion",
        ),
        _trend_chart(
            "Adopter gap (approved adopters waiting against children waiting)",
            quarters,
            tuple(gap),
            charts.Unit.SIGNED_PERCENT,
            "trend-adopter-gap",
        ),
        _trend_chart(
            "Children placed with adopters",
            quarters,
            tuple(_count_series(rows, partners, quarters, Figure.CHILDREN_PLACED)),
            charts.Unit.COUNT,
            "trend-children-placed",
        ),
        _trend_chart(
            "Children waiting to be placed",
            quarters,
            tuple(_count_series(rows, partners, quarters, Figure.CHILDREN_WAITING)),
            charts.Unit.COUNT,
            "trend-children-waiting",
        ),
    ]


def attendance_charts(report: Any, threshold: Decimal, names: bool) -> list[charts.Chart]:
    found = [
        _attendance_chart(
            report.partners, threshold, "Attendance by partner", "attendance-partners"
        )
    ]
    if names:
        found.append(
            _attendance_chart(
                report.members, threshold, "Attendance by member", "attendance-members"
            )
        )
    return found


# ---------------------------------------------------------------- dashboard


def _figure_table(
    rows: tuple[PartnerQuarter, ...], partners: tuple[str, ...], quarter: Quarter
) -> dict[str, Any]:
    columns = []
    for partner in (*partners, None):
        total = services.figures_for(rows, partner, quarter)
        columns.append((partner or "Whole agency", total))
    return {
        "columns": columns,
        "labels": indicators.LABELS,
        "figures": list(Figure),
        "money": indicators.MONEY,
    }


@dataclass(frozen=True, slots=True)
class TimelinessRow:
    partner: str
    clock: str
    complete: Timeliness | None  # the last complete quarter
    to_date: Timeliness | None  # the current quarter, to the end of yesterday


def timeliness_rows(
    shares: tuple[Timeliness, ...] | None, complete: Quarter, current: Quarter
) -> list[TimelinessRow]:
    """One row per partner and clock due in either quarter, the two quarters side by side."""
    found = {(s.partner, s.clock, s.quarter): s for s in shares or ()}
    keys = dict.fromkeys(
        (s.partner, s.clock) for s in shares or () if s.quarter in (complete, current)
    )
    return [
        TimelinessRow(
            partner,
            CLOCK_LABELS[kind],
            found.get((partner, kind, complete)),
            found.get((partner, kind, current)),
        )
        for partner, kind in sorted(keys, key=lambda k: (k[0], list(ClockKind).index(k[1])))
    ]


@get("", name="board:dashboard", opt=allow(*READERS))
async def dashboard(request: AnyRequest) -> Template:
    user = user_of(request)
    today = clock.today()
    dash = await services.dashboard(today)
    names = sees_names(user)
    threshold = dash.policy.attendance.threshold_percent
    figure_quarter = max((r.quarter for r in dash.figures), default=dash.quarter)
    await audit.record(user, "view", "board_dashboard", "", path=request.url.path)
    return Template(
        "board/dashboard.html",
        context={
            "dash": dash,
            "names": names,
            "threshold": threshold,
            "attendance_charts": attendance_charts(dash.attendance, threshold, names),
            "timeliness_chart": _timeliness_chart(
                dash.timeliness,
                dash.quarter,
                f"Share of the clocks due that were met, {dash.quarter.label}",
                "timeliness",
            )
            if dash.timeliness
            else None,
            "trends": trend_charts(dash.figures, dash.partners, dash.quarters, dash.comparisons),
            "figure_quarter": figure_quarter,
            "table": _figure_table(dash.figures, dash.partners, figure_quarter),
            "timeliness_rows": timeliness_rows(dash.timeliness, dash.quarter, dash.current),
            "yesterday": today - timedelta(days=1),
            "definitions": indicators.DEFINITIONS,
        },
    )


# ---------------------------------------------------------------- members


class MemberController(Controller):
    path = "/members"
    opt = allow(*SETUP)

    async def _form(
        self,
        template: str,
        request: AnyRequest,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        from governance import services as gov_services

        return form_page(
            template,
            request,
            errors=errors,
            status_code=status_code,
            values=values,
            people=await services.people(),
            partners=await gov_services.partners(),
            seats=services.SEAT_LABELS,
            **extra,
        )

    @get("", name="board:members")
    async def index(self, request: AnyRequest) -> Template:
        return Template(
            "board/members.html",
            context={"members": await services.members(), "policy": await services.policy()},
        )

    @get("/new", name="board:member_new")
    async def new(self, request: AnyRequest) -> Template:
        return await self._form(
            "board/member.html", request, {"starts_on": clock.today().isoformat()}
        )

    @post("/new", name="board:member_create")
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._form("board/member.html", request, data, errors, status)

        return await _submit(
            lambda: services.create_member(user_of(request), data, path=request.url.path),
            render,
            "/board/members?saved=1",
            "person",
        )

    @get("/{member_id:int}", name="board:member")
    async def show(self, request: AnyRequest, member_id: FromPath[int]) -> Template:
        row = await services.member(member_id)
        values = {
            **row,
            "person": row["person"],
            "partner": row["partner"] or "",
            "deputy": row["deputy"] or "",
            "starts_on": row["starts_on"].isoformat(),
            "ends_on": row["ends_on"].isoformat() if row["ends_on"] else "",
        }
        return await self._form("board/member.html", request, values, member=row)

    @post("/{member_id:int}", name="board:member_update")
    async def update(self, request: AnyRequest, member_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        row = await services.member(member_id)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._form("board/member.html", request, data, errors, status, member=row)

        return await _submit(
            lambda: services.update_member(
                user_of(request), member_id, version_of(data), data, path=request.url.path
            ),
            render,
            "/board/members?saved=1",
            "person",
        )


# ---------------------------------------------------------------- terms of reference


class PolicyController(Controller):
    path = "/terms-of-reference"
    opt = allow(*SETUP)

    async def _page(
        self,
        request: AnyRequest,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        current = await services.policy()
        if values is None:
            values = {
                "attendance_threshold_percent": f"{current.attendance.threshold_percent:f}",
                "attendance_window_months": current.attendance.window_months,
                "deputy_counts_for_member": current.attendance.deputy_counts_for_member,
                "deputy_counts_for_partner": current.attendance.deputy_counts_for_partner,
                "quorum_chair_or_vice_chair": current.quorum.chair_or_vice_chair,
                "quorum_every_partner": current.quorum.every_partner,
                "quorum_deputy_represents_partner": current.quorum.deputy_represents_partner,
                "quorum_minimum_attending": current.quorum.minimum_attending,
                "actions_due_soon_days": current.actions.due_soon_days,
                "actions_reminder_days_before": current.actions.reminder_days_before,
                "agreement_reminder_days_before": current.agreement.reminder_days_before,
                "version": current.version,
            }
        return form_page(
            "board/policy.html",
            request,
            errors=errors,
            status_code=status_code,
            values=values,
            policy=current,
        )

    @get("", name="board:policy")
    async def show(self, request: AnyRequest) -> Template:
        return await self._page(request)

    @post("", name="board:policy_update")
    async def update(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, data, errors, status)

        return await _submit(
            lambda: services.set_policy(
                user_of(request), version_of(data), data, path=request.url.path
            ),
            render,
            "/board/terms-of-reference?saved=1",
            "attendance_threshold_percent",
        )


# ---------------------------------------------------------------- meetings


class MeetingController(Controller):
    path = "/meetings"
    opt = allow(*EDITORS)

    async def _list(
        self,
        request: AnyRequest,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return form_page(
            "board/meetings.html",
            request,
            errors=errors,
            status_code=status_code,
            meetings=await services.meetings(),
            values=values or {"title": "Partnership board", "starts": "10:00", "ends": "12:00"},
        )

    async def _page(
        self,
        request: AnyRequest,
        meeting_id: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        view = await services.meeting(meeting_id)
        row = view.meeting
        starts = clock.london(row["starts_at"])
        defaults = {
            "title": row["title"],
            "day": view.day.isoformat(),
            "starts": f"{starts:%H:%M}",
            "ends": f"{clock.london(row['ends_at']):%H:%M}",
            "location": row["location"],
            "minutes": row["minutes"],
            "minutes_approved_on": row["minutes_approved_on"].isoformat()
            if row["minutes_approved_on"]
            else "",
            "version": row["version"],
        }
        return form_page(
            "board/meeting.html",
            request,
            errors=errors,
            upload_field="paper",
            status_code=status_code,
            view=view,
            values={**defaults, **(values or {})},
            people=await services.people(),
            today=clock.today(),
        )

    @get("", name="board:meetings")
    async def index(self, request: AnyRequest) -> Template:
        return await self._list(request)

    @post("", name="board:meeting_create")
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        created: list[int] = []

        async def act() -> None:
            created.append(
                await services.schedule_meeting(
                    user_of(request), data, base_url=_base_url(request), path=request.url.path
                )
            )

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._list(request, data, errors, status)

        response = await _submit(act, render, "", "day")
        if created:
            return Redirect(f"/board/meetings/{created[0]}?saved=1", status_code=303)
        return response

    @get("/calendar.ics", name="board:calendar")
    async def calendar(self, request: AnyRequest) -> Response[bytes]:
        return Response(
            await services.calendar_feed(_base_url(request)),
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="board-meetings.ics"'},
        )

    @get("/{meeting_id:int}", name="board:meeting")
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        page = await self._page(request, meeting_id)
        await audit.record(
            user_of(request), "view", "board_meeting", meeting_id, path=request.url.path
        )
        return page

    @get("/{meeting_id:int}/invite.ics", name="board:meeting_ics")
    async def invite(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[bytes]:
        return Response(
            await services.meeting_calendar(meeting_id, _base_url(request)),
            media_type="text/calendar; charset=utf-8",
            headers={
                "content-disposition": f'attachment; filename="board-meeting-{meeting_id}.ics"'
            },
        )

    async def _post(
        self,
        request: AnyRequest,
        meeting_id: int,
        act: Callable[[dict[str, Any]], Awaitable[Any]],
        anchor: str,
        default_field: str,
    ) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, meeting_id, data, errors, status)

        return await _submit(
            lambda: act(data),
            render,
            f"/board/meetings/{meeting_id}?saved=1#{anchor}",
            default_field,
        )

    @post("/{meeting_id:int}", name="board:meeting_update")
    async def update(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.update_meeting(
                user_of(request),
                meeting_id,
                version_of(data),
                data,
                base_url=_base_url(request),
                path=request.url.path,
            ),
            "details",
            "day",
        )

    @post("/{meeting_id:int}/cancel", name="board:meeting_cancel")
    async def cancel(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.cancel_meeting(
                user_of(request),
                meeting_id,
                version_of(data),
                base_url=_base_url(request),
                path=request.url.path,
            ),
            "details",
            "day",
        )

    @post("/{meeting_id:int}/agenda", name="board:agenda_add")
    async def add_item(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.add_agenda_item(
                user_of(request), meeting_id, data, path=request.url.path
            ),
            "agenda",
            "item_title",
        )

    @post("/{meeting_id:int}/agenda/{item_id:int}/remove", name="board:agenda_remove")
    async def remove_item(
        self, request: AnyRequest, meeting_id: FromPath[int], item_id: FromPath[int]
    ) -> Redirect:
        await services.remove_agenda_item(
            user_of(request), meeting_id, item_id, path=request.url.path
        )
        return Redirect(f"/board/meetings/{meeting_id}?saved=1#agenda", status_code=303)

    @post("/{meeting_id:int}/papers", name="board:paper_add")
    async def add_paper(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        upload = form.get("paper")
        title = str(form.get("paper_title") or "")
        if isinstance(upload, UploadFile):
            content = await upload.read()
            filename, content_type = upload.filename or "paper", upload.content_type or ""
        else:
            content, filename, content_type = b"", "", ""
        limit = settings_of(request).upload_limit_mb * 1024 * 1024

        async def act(data: dict[str, Any]) -> None:
            await services.add_paper(
                user_of(request),
                meeting_id,
                title,
                filename,
                content_type,
                content,
                limit_bytes=limit,
                path=request.url.path,
            )

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, meeting_id, {"paper_title": title}, errors, status)

        return await _submit(
            lambda: act({}), render, f"/board/meetings/{meeting_id}?saved=1#papers", "paper"
        )

    @get("/{meeting_id:int}/papers/{paper_id:int}", name="board:paper")
    async def paper(
        self, request: AnyRequest, meeting_id: FromPath[int], paper_id: FromPath[int]
    ) -> Response[bytes]:
        row = await services.paper(meeting_id, paper_id)
        await audit.record(
            user_of(request), "download", "board_paper", paper_id, path=request.url.path
        )
        return Response(
            bytes(row["data"]),
            media_type=row["content_type"],
            headers={"content-disposition": f'attachment; filename="{row["filename"]}"'},
        )

    @get("/{meeting_id:int}/attendance", name="board:attendance")
    async def attendance(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        return await self._attendance(request, meeting_id)

    async def _attendance(
        self,
        request: AnyRequest,
        meeting_id: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        view = await services.meeting(meeting_id)
        if values is None:
            values = {"attendance_version": view.meeting["attendance_version"]}
            for row in view.attendance:
                values[str(row["id"])] = row["attendance"]
                values[f"deputy-{row['id']}"] = row["deputy_sent_name"]
        return form_page(
            "board/attendance.html",
            request,
            errors=errors,
            status_code=status_code,
            view=view,
            values=values,
            choices=services.ATTENDANCE_LABELS,
        )

    @post("/{meeting_id:int}/attendance", name="board:attendance_record")
    async def record_attendance(
        self, request: AnyRequest, meeting_id: FromPath[int]
    ) -> Response[Any]:
        data = await form_data(request)
        marks = {k.removeprefix("member-"): v for k, v in data.items()}
        try:
            attendance_version = int(str(data.get("attendance_version", "")))
        except ValueError:
            attendance_version = -1

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._attendance(request, meeting_id, marks, errors, status)

        return await _submit(
            lambda: services.record_attendance(
                user_of(request), meeting_id, attendance_version, marks, path=request.url.path
            ),
            render,
            f"/board/meetings/{meeting_id}?saved=1#attendance",
            "attendance",
        )

    @post("/{meeting_id:int}/minutes", name="board:minutes")
    async def minutes(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.save_minutes(
                user_of(request), meeting_id, version_of(data), data, path=request.url.path
            ),
            "minutes",
            "minutes",
        )

    @post("/{meeting_id:int}/actions", name="board:action_create")
    async def add_action(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.create_action(
                user_of(request), meeting_id, data, path=request.url.path
            ),
            "actions",
            "description",
        )

    @post("/{meeting_id:int}/decisions", name="board:decision_create")
    async def add_decision(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await self._post(
            request,
            meeting_id,
            lambda data: services.record_decision(
                user_of(request), meeting_id, data, path=request.url.path
            ),
            "decisions",
            "summary",
        )


# ---------------------------------------------------------------- actions and decisions

ACTION_FILTERS = {
    "": "All actions",
    "overdue": "Overdue",
    "due_soon": "Due soon",
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}
ActionFilter = Annotated[str, QueryParameter(schema_extra=choices(ACTION_FILTERS))]


class ActionController(Controller):
    path = "/actions"
    opt = allow(*EDITORS)

    @get("", name="board:actions")
    async def index(self, request: AnyRequest, status: ActionFilter = "") -> Template:
        status = filter_choice("status", status, ACTION_FILTERS)
        return Template(
            "board/actions.html",
            context={
                "actions": await services.actions(status),
                "status": status,
                "filters": ACTION_FILTERS,
            },
        )

    async def _page(
        self,
        request: AnyRequest,
        action_id: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        row = await services.action(action_id)
        defaults = {
            "status": row["status"],
            "due_on": row["due_on"].isoformat(),
            "version": row["version"],
        }
        return form_page(
            "board/action.html",
            request,
            errors=errors,
            status_code=status_code,
            action=row,
            values={**defaults, **(values or {})},
            statuses=services.STATUS_LABELS,
        )

    @get("/{action_id:int}", name="board:action")
    async def show(self, request: AnyRequest, action_id: FromPath[int]) -> Template:
        return await self._page(request, action_id)

    @post("/{action_id:int}", name="board:action_update")
    async def update(self, request: AnyRequest, action_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, action_id, data, errors, status)

        return await _submit(
            lambda: services.update_action(
                user_of(request), action_id, version_of(data), data, path=request.url.path
            ),
            render,
            f"/board/actions/{action_id}?saved=1",
            "note",
        )


@get("/decisions", name="board:decisions", opt=allow(*EDITORS))
async def decisions_page() -> Template:
    return Template("board/decisions.html", context={"decisions": await services.decisions()})


# ---------------------------------------------------------------- performance figures


def _quarter_choices(today: date) -> list[str]:
    last = Quarter.containing(today)
    return [q.label for q in reversed(indicators.quarters_from(Quarter(last.year - 5, 1), last))]


class FiguresController(Controller):
    path = "/figures"
    opt = allow(*READERS)

    async def _page(
        self,
        request: AnyRequest,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        from governance import services as gov_services

        rows = await services.figure_rows()
        can_edit = user_of(request).has(Role.BOARD_CHAIR)
        by_quarter: dict[Quarter, list[dict[str, Any]]] = {}
        for row in rows:
            by_quarter.setdefault(row["q"], []).append(row)
        totals = {
            q: indicators.total(
                PartnerQuarter(r["partner_name"], r["q"], r["figures"]) for r in group
            )
            for q, group in by_quarter.items()
        }
        return form_page(
            "board/figures.html",
            request,
            errors=errors,
            upload_field="file",
            status_code=status_code,
            by_quarter=sorted(by_quarter.items(), reverse=True),
            totals=totals,
            comparisons=await services.comparisons(),
            values=values or {},
            partners=await gov_services.partners(),
            quarters=_quarter_choices(clock.today()),
            labels=indicators.LABELS,
            figures=list(Figure),
            money=indicators.MONEY,
            can_edit=can_edit,
            scopes=services.SCOPE_LABELS,
            indicator_labels=services.INDICATOR_LABELS,
            columns=services.CSV_COLUMNS,
            definitions=indicators.DEFINITIONS,
            children=await services.scorecard_children() if can_edit else [],
            child_dates=services.SCORECARD_DATES,
        )

    @get("", name="board:figures")
    async def index(self, request: AnyRequest) -> Template:
        return await self._page(request)

    @get("/template.csv", name="board:figures_template")
    async def template(self) -> Response[str]:
        return Response(
            services.csv_template(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="board-figures.csv"'},
        )

    async def _form(
        self,
        request: AnyRequest,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        row: dict[str, Any] | None = None,
        template: str = "board/figures_form.html",
    ) -> Template:
        from governance import services as gov_services

        return form_page(
            template,
            request,
            errors=errors,
            status_code=status_code,
            values=values,
            row=row,
            partners=await gov_services.partners(),
            quarters=_quarter_choices(clock.today()),
            labels=indicators.LABELS,
            figures=list(Figure),
            money=indicators.MONEY,
            definitions=indicators.DEFINITIONS,
            dates=services.SCORECARD_DATES,
        )

    @get("/new", name="board:figures_new", opt=allow(*EDITORS))
    async def new(self, request: AnyRequest) -> Template:
        return await self._form(
            request, {"quarter": services.last_complete_quarter(clock.today()).label}
        )

    @post("/new", name="board:figures_create", opt=allow(*EDITORS))
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._form(request, data, errors, status)

        return await _submit(
            lambda: services.enter_figures(user_of(request), data, path=request.url.path),
            render,
            "/board/figures?saved=1",
            "quarter",
        )

    @post("/import", name="board:figures_import", opt=allow(*EDITORS))
    async def import_csv(self, request: AnyRequest) -> Response[Any]:
        form = await request.form()
        upload = form.get("file")
        text = ""
        problem = ""
        if isinstance(upload, UploadFile):
            raw = await upload.read()
            if len(raw) > 2 * 1024 * 1024:
                problem = "The file must be smaller than 2 MB"
            else:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    problem = "The file must be a CSV file saved as UTF-8"
        if not text and not problem:
            problem = "Choose a CSV file of figures to import"

        async def act() -> None:
            if problem:
                raise Invalid({"file": problem})
            await services.import_figures_csv(user_of(request), text, path=request.url.path)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, None, errors, status)

        return await _submit(act, render, "/board/figures?saved=1", "file")

    @post("/comparisons", name="board:comparison_create", opt=allow(*EDITORS))
    async def comparison(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, data, errors, status)

        return await _submit(
            lambda: services.set_comparison(user_of(request), data, path=request.url.path),
            render,
            "/board/figures?saved=1#comparisons",
            "percent",
        )

    @get("/{figures_id:int}", name="board:figures_edit", opt=allow(*EDITORS))
    async def show(self, request: AnyRequest, figures_id: FromPath[int]) -> Template:
        row = await services.figure_row(figures_id)
        values = {f.value: "" if row[f.value] is None else str(row[f.value]) for f in Figure}
        values["version"] = row["version"]
        return await self._form(request, values, row=row)

    @post("/{figures_id:int}", name="board:figures_update", opt=allow(*EDITORS))
    async def update(self, request: AnyRequest, figures_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        row = await services.figure_row(figures_id)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._form(request, data, errors, status, row=row)

        return await _submit(
            lambda: services.update_figures(
                user_of(request), figures_id, version_of(data), data, path=request.url.path
            ),
            render,
            "/board/figures?saved=1",
            "children_placed",
        )

    async def _child(
        self,
        request: AnyRequest,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        row: dict[str, Any] | None = None,
    ) -> Template:
        return await self._form(
            request, values, errors, status_code, row, template="board/scorecard_child.html"
        )

    @get("/children/new", name="board:child_new", opt=allow(*EDITORS))
    async def new_child(self, request: AnyRequest) -> Template:
        return await self._child(request, {})

    @get("/children/{child_id:int}", name="board:child", opt=allow(*EDITORS))
    async def child(self, request: AnyRequest, child_id: FromPath[int]) -> Template:
        row = await services.scorecard_child(child_id)
        values = {k: "" if v is None else v for k, v in row.items()}
        for name in services.SCORECARD_DATES:
            values[name] = row[name].isoformat() if row[name] else ""
        await audit.record(
            user_of(request), "view", "board_scorecard_child", child_id, path=request.url.path
        )
        return await self._child(request, values, row=row)

    @post("/children/new", name="board:child_create", opt=allow(*EDITORS))
    async def create_child(self, request: AnyRequest) -> Response[Any]:
        return await self._save_child(request, None)

    @post("/children/{child_id:int}", name="board:child_update", opt=allow(*EDITORS))
    async def update_child(self, request: AnyRequest, child_id: FromPath[int]) -> Response[Any]:
        return await self._save_child(request, child_id)

    async def _save_child(self, request: AnyRequest, child_id: int | None) -> Response[Any]:
        data = await form_data(request)
        row = None if child_id is None else await services.scorecard_child(child_id)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._child(request, data, errors, status, row=row)

        return await _submit(
            lambda: services.save_child(
                user_of(request),
                child_id,
                version_of(data) if child_id else 0,
                data,
                path=request.url.path,
            ),
            render,
            "/board/figures?saved=1#scorecard",
            "partner",
        )


# ---------------------------------------------------------------- funding and the agreement


class FundingController(Controller):
    path = "/funding"
    opt = allow(*FUNDING_READERS)

    async def _page(
        self,
        request: AnyRequest,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        from governance import services as gov_services

        view = await services.funding()
        user = user_of(request)
        today = clock.today()
        this_year = today.year if today.month >= 4 else today.year - 1
        defaults: dict[str, Any] = {"financial_year": this_year, "index_year": this_year + 1}
        if view.plan:
            defaults.update(
                base_year=view.plan["base_year"],
                last_year=view.plan["last_year"],
                base_budget=f"{view.plan['base_budget']:f}",
                plan_version=view.plan["version"],
            )
        if view.agreement:
            defaults.update(
                agreement_title=view.agreement["title"],
                term_ends_on=view.agreement["term_ends_on"].isoformat(),
                review_window_months=view.agreement["review_window_months"],
                reviews_due_on=view.agreement["reviews_due_on"],
                agreement_version=view.agreement["version"],
            )
        return form_page(
            "board/funding.html",
            request,
            errors=errors,
            status_code=status_code,
            view=view,
            values={**defaults, **(values or {})},
            partners=await gov_services.partners(),
            can_edit=bool(user.roles & set(SETUP)),
            label=indicators.financial_year_label,
            today=today,
        )

    @get("", name="board:funding")
    async def show(self, request: AnyRequest) -> Template:
        page = await self._page(request)
        await audit.record(user_of(request), "view", "board_funding", "", path=request.url.path)
        return page

    async def _post(
        self,
        request: AnyRequest,
        act: Callable[[dict[str, Any]], Awaitable[Any]],
        anchor: str,
        default_field: str,
    ) -> Response[Any]:
        data = await form_data(request)

        async def render(errors: dict[str, str], status: int) -> Template:
            return await self._page(request, data, errors, status)

        return await _submit(
            lambda: act(data), render, f"/board/funding?saved=1#{anchor}", default_field
        )

    @post("/plan", name="board:funding_plan", opt=allow(*SETUP))
    async def plan(self, request: AnyRequest) -> Response[Any]:
        return await self._post(
            request,
            lambda data: services.set_funding_plan(
                user_of(request),
                _int(data.get("plan_version"), 0),
                data,
                path=request.url.path,
            ),
            "plan",
            "base_budget",
        )

    @post("/indexation", name="board:funding_indexation", opt=allow(*SETUP))
    async def indexation(self, request: AnyRequest) -> Response[Any]:
        return await self._post(
            request,
            lambda data: services.set_indexation(user_of(request), data, path=request.url.path),
            "indexation",
            "index_percent",
        )

    @post("/shares", name="board:funding_shares", opt=allow(*SETUP))
    async def shares(self, request: AnyRequest) -> Response[Any]:
        return await self._post(
            request,
            lambda data: services.set_shares(
                user_of(request),
                data.get("financial_year"),
                {
                    int(k.removeprefix("share-")): v
                    for k, v in data.items()
                    if k.startswith("share-") and k.removeprefix("share-").isdigit()
                },
                path=request.url.path,
            ),
            "shares",
            "shares",
        )

    @post("/agreement", name="board:funding_agreement", opt=allow(*SETUP))
    async def agreement(self, request: AnyRequest) -> Response[Any]:
        return await self._post(
            request,
            lambda data: services.set_agreement(
                user_of(request),
                _int(data.get("agreement_version"), 0),
                data,
                path=request.url.path,
            ),
            "agreement",
            "term_ends_on",
        )


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


# ---------------------------------------------------------------- the board report


def _report_period(first: str, last: str, today: date) -> tuple[Quarter, Quarter, dict[str, str]]:
    errors: dict[str, str] = {}
    latest = services.last_complete_quarter(today)
    chosen = []
    for key, text, fallback in (
        ("first", first, Quarter(latest.year - 1, latest.number).next()),
        ("last", last, latest),
    ):
        if not text:
            chosen.append(fallback)
            continue
        try:
            chosen.append(Quarter.parse(text))
        except ValueError:
            errors[key] = "Choose a quarter like 2022-23 Q3"
            chosen.append(fallback)
    if not errors and chosen[1] < chosen[0]:
        errors["last"] = "The last quarter must be the same as or after the first"
    if not errors and len(indicators.quarters_from(chosen[0], chosen[1])) > 12:
        errors["last"] = "A report covers at most 12 quarters (three years)"
    return chosen[0], chosen[1], errors


class ReportController(Controller):
    path = "/report"
    opt = allow(*EDITORS)

    @get("", name="board:report")
    async def show(
        self, request: AnyRequest, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> Template:
        today = clock.today()
        start, end, errors = _report_period(first, last, today)
        return form_page(
            "board/report.html",
            request,
            errors=errors,
            status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200,
            values={"first": start.label, "last": end.label},
            quarters=_quarter_choices(today),
            pdf=documents.pdf_available(),
        )

    async def _build(self, request: AnyRequest, first: str, last: str) -> documents.ReportData:
        start, end, errors = _report_period(first, last, clock.today())
        if errors:
            raise Invalid(errors)
        return await report_data(start, end)

    @get("/board-report.docx", name="board:report_docx")
    async def docx(
        self, request: AnyRequest, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> Response[bytes]:
        data = await self._build(request, first, last)
        content = documents.board_report(data)
        await audit.record(
            user_of(request),
            "download",
            "board_report",
            f"{data.first.label}..{data.last.label}",
            path=request.url.path,
        )
        return Response(
            content,
            media_type=documents.DOCX,
            headers={"content-disposition": f'attachment; filename="{data.filename}.docx"'},
        )

    @get("/board-report.pdf", name="board:report_pdf")
    async def pdf(
        self, request: AnyRequest, first: FromQuery[str] = "", last: FromQuery[str] = ""
    ) -> Response[bytes]:
        if not documents.pdf_available():
            raise NotFoundException("PDF reports need LibreOffice, which is not installed")
        data = await self._build(request, first, last)
        content = await documents.board_report_pdf(data, settings_of(request).data_dir)
        await audit.record(
            user_of(request),
            "download",
            "board_report",
            f"{data.first.label}..{data.last.label} pdf",
            path=request.url.path,
        )
        return Response(
            content,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{data.filename}.pdf"'},
        )


async def report_data(first: Quarter, last: Quarter) -> documents.ReportData:
    current = await services.policy()
    months = 3 * len(indicators.quarters_from(first, last))
    period_policy = replace(current.attendance, window_months=months)
    attendance = await services.attendance_report(
        last.last_day, replace(current, attendance=period_policy)
    )
    quarters = indicators.quarters_from(first, last)
    all_rows = tuple(
        PartnerQuarter(r["partner_name"], r["q"], r["figures"])
        for r in await services.figure_rows()
    )
    rows = tuple(r for r in all_rows if first <= r.quarter <= last)
    partners = tuple(await services.partner_names())
    comparison_map = {
        (r["scope"], r["indicator"], r["q"]): Decimal(r["percent"])
        for r in await services.comparisons()
    }
    outcomes = await services.adm_clock_outcomes(first, last, clock.today())
    children = await services.scorecard_children()
    timeliness = None if outcomes is None else indicators.timeliness(outcomes)
    actions = await services.actions()
    raised = [a for a in actions if first.first_day <= a["raised_on"] <= last.last_day]
    open_at_end = [
        a
        for a in actions
        if a["raised_on"] <= last.last_day
        and (a["closed_on"] is None or a["closed_on"] > last.last_day)
    ]
    overdue_at_end = [a for a in open_at_end if a["due_on"] < last.last_day]
    meetings = [
        m
        for m in await services.meetings()
        if first.first_day <= clock.london(m["starts_at"]).date() <= last.last_day
    ]
    heading = await agency_details.letterhead()
    return documents.ReportData(
        agency=heading.name if heading else "Regional adoption agency",
        letterhead=heading,
        first=first,
        last=last,
        policy=current,
        attendance=attendance,
        attendance_charts=tuple(
            attendance_charts(attendance, current.attendance.threshold_percent, True)
        ),
        meetings=tuple(meetings),
        raised=tuple(raised),
        open_at_end=tuple(open_at_end),
        overdue_at_end=tuple(overdue_at_end),
        timeliness=timeliness,
        timeliness_charts=tuple(
            _timeliness_chart(
                timeliness,
                q,
                f"Share of the clocks due that were met, {q.label}",
                f"timeliness-{i}",
            )
            for i, q in enumerate(quarters)
            if timeliness and any(t.quarter == q for t in timeliness)
        ),
        partners=partners,
        total=services.period_total(rows, first, last),
        per_partner={
            p: services.period_total(tuple(r for r in rows if r.partner == p), first, last)
            for p in partners
        },
        trends=tuple(trend_charts(rows, partners, quarters, comparison_map)),
        scorecard=services.scorecard_of(children, partners, first.first_day, last.last_day)
        if children
        else None,
        funding=await services.funding(),
        central_list=await services.central_list_compliance(clock.today()),
    )


# ---------------------------------------------------------------- JSON API


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True):
    attendance_version: Whole
    marks: dict[str, Annotated[str, Meta(max_length=20)]]
    deputies: dict[str, Annotated[str, Meta(max_length=200)]] = {}


class ActionIn(msgspec.Struct, forbid_unknown_fields=True):
    meeting_id: Whole
    description: Annotated[str, Meta(max_length=2000)]
    owner_person_id: Whole | None = None
    due_on: Annotated[str, Meta(max_length=20)] = ""


class ActionUpdateIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Whole
    status: Annotated[str, Meta(max_length=20)]
    note: Annotated[str, Meta(max_length=2000)] = ""
    due_on: Annotated[str, Meta(max_length=20)] = ""


class FiguresIn(msgspec.Struct, forbid_unknown_fields=True):
    partner: Annotated[str, Meta(max_length=200)]
    quarter: Annotated[str, Meta(max_length=20)]
    figures: dict[str, Annotated[str, Meta(max_length=40)] | Whole | float]


def _plain_action(row: dict[str, Any], names: bool) -> dict[str, Any]:
    found = {
        "id": row["id"],
        "meeting_id": row["meeting"],
        "description": row["description"],
        "due_on": row["due_on"].isoformat(),
        "status": row["status"],
        "standing": row["standing"],
        "version": row["version"],
    }
    if names:
        found["owner"] = row["owner_name"]
    return found


@get("/dashboard", name="board:api_dashboard", opt=allow(*READERS))
async def api_dashboard(request: AnyRequest) -> dict[str, Any]:
    user = user_of(request)
    dash = await services.dashboard(clock.today())
    names = sees_names(user)
    await audit.record(user, "view", "board_dashboard", "api", path=request.url.path)

    def rate(r: Rate) -> dict[str, Any]:
        return {
            "name": r.name,
            "meetings": r.tally.meetings,
            "attended": r.attended,
            "rate": r.shown,
            "below_threshold": r.flag is not None,
        }

    latest = max((r.quarter for r in dash.figures), default=None)
    latest_total = services.figures_for(dash.figures, None, latest) if latest else None
    return {
        "as_of": dash.today.isoformat(),
        "attendance": {
            "threshold_percent": str(dash.policy.attendance.threshold_percent),
            "from": dash.attendance.first_day.isoformat(),
            "to": dash.attendance.last_day.isoformat(),
            "partners": [rate(r) for r in dash.attendance.partners],
            **({"members": [rate(r) for r in dash.attendance.members]} if names else {}),
        },
        "actions": {
            "open": dash.open_actions,
            "overdue": len(dash.overdue),
            "due_soon": len(dash.due_soon),
            **({"overdue_list": [_plain_action(a, True) for a in dash.overdue]} if names else {}),
        },
        "timeliness": None
        if dash.timeliness is None
        else [
            {
                "partner": t.partner,
                "clock": t.clock.value,
                "quarter": t.quarter.label,
                "due": t.due,
                "met": t.met,
                "missed": t.missed,
                "missed_open": t.missed_open,
                "share_met": t.shown,
            }
            for t in dash.timeliness
        ],
        "board_meetings_last_12_months": dash.board_meetings,
        "board_inquorate_last_12_months": len(dash.board_inquorate),
        "figures_quarter": latest.label if latest else None,
        "derived": [
            {"name": d.name, "formula": d.formula, "shown": d.shown}
            for d in (latest_total.derived if latest_total else ())
        ],
    }


@get("/meetings", name="board:api_meetings", opt=allow(*EDITORS))
async def api_meetings() -> list[dict[str, Any]]:
    return [
        {
            "id": m["id"],
            "title": m["title"],
            "starts_at": m["starts_at"].isoformat(),
            "status": m["status"],
            "quorate": m["quorate"],
            "attendance_version": m["attendance_version"],
        }
        for m in await services.meetings()
    ]


@post("/meetings/{meeting_id:int}/attendance", name="board:api_attendance", opt=allow(*EDITORS))
async def api_attendance(
    request: AnyRequest, meeting_id: FromPath[int], data: JSONBody[AttendanceIn]
) -> dict[str, Any]:
    marks: dict[str, Any] = dict(data.marks)
    marks.update({f"deputy-{k}": v for k, v in data.deputies.items()})
    verdict = await services.record_attendance(
        user_of(request), meeting_id, data.attendance_version, marks, path=request.url.path
    )
    return {"quorate": verdict.quorate, "shortfalls": list(verdict.shortfalls)}


@get("/actions", name="board:api_actions", opt=allow(*EDITORS))
async def api_actions(status: ActionFilter = "") -> list[dict[str, Any]]:
    status = filter_choice("status", status, ACTION_FILTERS)
    return [_plain_action(a, True) for a in await services.actions(status)]


@post("/actions", name="board:api_action_create", opt=allow(*EDITORS))
async def api_action_create(request: AnyRequest, data: JSONBody[ActionIn]) -> dict[str, Any]:
    action_id = await services.create_action(
        user_of(request),
        data.meeting_id,
        {
            "description": data.description,
            "owner": data.owner_person_id or "",
            "due_on": data.due_on,
        },
        path=request.url.path,
    )
    return _plain_action(await services.action(action_id), True)


@put("/actions/{action_id:int}", name="board:api_action_update", opt=allow(*EDITORS))
async def api_action_update(
    request: AnyRequest, action_id: FromPath[int], data: JSONBody[ActionUpdateIn]
) -> dict[str, Any]:
    await services.update_action(
        user_of(request),
        action_id,
        data.version,
        {"status": data.status, "note": data.note, "due_on": data.due_on},
        path=request.url.path,
    )
    return _plain_action(await services.action(action_id), True)


@get("/figures", name="board:api_figures", opt=allow(*READERS))
async def api_figures() -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "partner": r["partner_name"],
            "quarter": r["q"].label,
            "figures": {f.value: str(r[f.value]) for f in Figure},
            "derived": [
                {"name": d.name, "formula": d.formula, "shown": d.shown}
                for d in indicators.derived(r["figures"])
            ],
            "version": r["version"],
        }
        for r in await services.figure_rows()
    ]


@post("/figures", name="board:api_figures_create", opt=allow(*EDITORS))
async def api_figures_create(request: AnyRequest, data: JSONBody[FiguresIn]) -> dict[str, Any]:
    figures_id = await services.enter_figures(
        user_of(request),
        {"partner": data.partner, "quarter": data.quarter, **data.figures},
        source="api",
        path=request.url.path,
    )
    return {"id": figures_id}


router = Router(
    path="/board",
    route_handlers=[
        dashboard,
        MemberController,
        PolicyController,
        MeetingController,
        ActionController,
        decisions_page,
        FiguresController,
        FundingController,
        ReportController,
    ],
)

api_router = Router(
    path="/api/v1/board",
    route_handlers=[
        api_dashboard,
        api_meetings,
        api_attendance,
        api_actions,
        api_action_create,
        api_action_update,
        api_figures,
        api_figures_create,
    ],
)
