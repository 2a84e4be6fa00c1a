"""Pages of the meeting record: attendance, declarations, per-item quorum, recommendations,
quality ratings (staff's, and members' own), and the minutes from draft to the chair's approval
and later corrections."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NoReturn

from litestar import Controller, Request, Response, Router, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance import audit, clock, nav
from governance.errors import Conflict, Invalid, NotFound
from governance.forms import filter_number, form_data, version_of
from governance.guards import allow
from governance.roles import Role
from governance.web import form_page, user_of
from panel import minutes as minutes_docs
from panel import record
from panel.tables import MinutesState, RecordStatus

AnyRequest = Request[Any, Any, Any]
STAFF = (Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR)
MEMBER = (Role.PANEL_MEMBER,)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

nav.add("Meeting records", "/panel/record", *STAFF, order=23)
nav.add("Rate reports", "/panel/my/ratings", *MEMBER, order=23)


def _download(content: bytes, filename: str) -> Response[bytes]:
    return Response(
        content,
        media_type=DOCX,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
        status_code=200,
    )


def _status(error: Exception) -> int:
    return 409 if isinstance(error, Conflict) else 422


def _errors(error: Exception) -> dict[str, str]:
    if isinstance(error, Invalid):
        return error.errors
    assert isinstance(error, Conflict)
    return {error.field or "record": error.message}


async def _record_page(
    request: AnyRequest,
    meeting_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    state = await record.meeting_record(meeting_id)
    return form_page(
        "panel/record/meeting.html", request, errors=errors, status_code=status_code,
        r=state, values=values or {}, saved=request.query_params.get("saved"),
        RecordStatus=RecordStatus, other_roles=record.OTHER_ROLES,
    )  # fmt: skip


class RecordController(Controller):
    path = "/record"
    opt = allow(*STAFF)

    @get("", name="panel:record_meetings")
    async def index(self) -> Template:
        return Template(
            "panel/record/meetings.html", context={"meetings": await record.held_meetings()}
        )

    @get("/meetings/{meeting_id:int}", name="panel:record")
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        return await _record_page(request, meeting_id)

    @post("/meetings/{meeting_id:int}/attendance", name="panel:record_attendance")
    async def attendance(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await record.save_attendance(user_of(request), meeting_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _record_page(
                request, meeting_id, errors=_errors(error), status_code=_status(error), values=data
            )
        return Redirect(f"/panel/record/meetings/{meeting_id}?saved=attendance", status_code=303)

    @post("/meetings/{meeting_id:int}/others", name="panel:record_other_add")
    async def add_other(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await record.add_other(user_of(request), meeting_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _record_page(
                request, meeting_id, errors=_errors(error), status_code=_status(error), values=data
            )
        return Redirect(f"/panel/record/meetings/{meeting_id}?saved=attendance", status_code=303)

    @post("/others/{attendance_id:int}/remove", name="panel:record_other_remove")
    async def remove_other(
        self, request: AnyRequest, attendance_id: FromPath[int]
    ) -> Response[Any]:
        # A locked meeting's Conflict becomes the app's 409 page.
        meeting_id = await record.remove_other(
            user_of(request), attendance_id, path=request.url.path
        )
        return Redirect(f"/panel/record/meetings/{meeting_id}?saved=attendance", status_code=303)

    @get("/items/{item_id:int}", name="panel:record_item")
    async def item(self, request: AnyRequest, item_id: FromPath[int]) -> Template:
        meeting_id = await record._meeting_of(item_id)
        state = await record.meeting_record(meeting_id)
        item = state.item(item_id)
        return _item_page(request, state, item, {})

    @post("/items/{item_id:int}", name="panel:record_item_save")
    async def save_item(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await record.record_item(user_of(request), item_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            meeting_id = await record._meeting_of(item_id)
            state = await record.meeting_record(meeting_id)
            return _item_page(
                request, state, state.item(item_id), data, _errors(error), _status(error)
            )
        meeting_id = await record._meeting_of(item_id)
        return Redirect(f"/panel/record/meetings/{meeting_id}?saved=item", status_code=303)

    @post("/items/{item_id:int}/declarations", name="panel:record_declare")
    async def declare(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        meeting_id = await record._meeting_of(item_id)
        try:
            await record.add_declaration(user_of(request), item_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            errors = {f"declare_{item_id}": " ".join(_errors(error).values())}
            return await _record_page(
                request, meeting_id, errors=errors, status_code=_status(error), values=data
            )
        return Redirect(f"/panel/record/meetings/{meeting_id}?saved=declaration", status_code=303)

    @post("/items/{item_id:int}/ratings", name="panel:record_rate")
    async def rate(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        meeting_id = await record._meeting_of(item_id)
        try:
            await record.rate_item(user_of(request), item_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            state = await record.meeting_record(meeting_id)
            return _item_page(
                request, state, state.item(item_id), data, _errors(error), _status(error)
            )
        return Redirect(f"/panel/record/items/{item_id}?saved=rating", status_code=303)

    @get("/items/{item_id:int}/extract.docx", name="panel:record_extract")
    async def extract(self, request: AnyRequest, item_id: FromPath[int]) -> Response[bytes]:
        try:
            content, number = await record.extract(item_id)
        except ValueError as error:
            raise Conflict(f"No extract yet: {error}.") from None
        await audit.record(user_of(request), "download", "extract", item_id, path=request.url.path)
        return _download(content, f"extract-item-{number}.docx")

    @get("/quality", name="panel:quality", opt=allow(Role.PANEL_ADVISER))
    async def quality(self, request: AnyRequest) -> Template:
        today = clock.today()
        last = await record.last_quality_report()
        start = last + timedelta(days=1) if last else today - timedelta(days=182)
        return form_page(
            "panel/record/quality.html", request,
            values={"period_start": start.isoformat(), "period_end": today.isoformat()},
            last=last,
        )  # fmt: skip

    @post("/quality", name="panel:quality_report", opt=allow(Role.PANEL_ADVISER))
    async def quality_report(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            start = date.fromisoformat(str(data.get("period_start", "")))
            end = date.fromisoformat(str(data.get("period_end", "")))
            content = await record.issue_quality_report(
                user_of(request), start, end, path=request.url.path
            )
        except ValueError:
            errors = {"period_start": "Enter the period as dates, like 2027-01-31"}
            return form_page(
                "panel/record/quality.html", request, errors=errors, status_code=422,
                values=data, last=await record.last_quality_report(),
            )  # fmt: skip
        except Invalid as error:
            return form_page(
                "panel/record/quality.html", request, errors=error.errors, status_code=422,
                values=data, last=await record.last_quality_report(),
            )  # fmt: skip
        return _download(content, f"panel-qa-report-{start}-{end}.docx")


def _item_page(
    request: AnyRequest,
    state: record.MeetingRecord,
    item: record.ItemView,
    data: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    values = dict(data)
    if not data and item.record:
        values = {
            "action": {"recommended": "recommend", "deferred": "defer", "noted": "noted"}[
                item.record["status"]
            ],
            "outcome": item.record["outcome"],
            "reasons": item.record["reasons"],
            "information_needed": item.record["information_needed"],
            **item.advice,
        }
        for view in item.views:
            values[f"view_{view['member']}"] = view["view"]
            values[f"dissent_{view['member']}"] = "yes" if view["dissents"] else ""
    if not values.get("started_at"):
        values["started_at"] = f"{item.starts_at:%H:%M}"
        values["ended_at"] = f"{item.ends_at:%H:%M}"
    return form_page(
        "panel/record/item.html", request, errors=errors, status_code=status_code,
        r=state, item=item, values=values, grades=record.GRADES,
        saved=request.query_params.get("saved"),
    )  # fmt: skip


# ---------------------------------------------------------------- minutes


async def _may_see_minutes(request: AnyRequest, meeting_id: int) -> bool:
    """Staff see every meeting's minutes; a member only those of a meeting they chaired."""
    user = user_of(request)
    if user.has(*STAFF):
        return False
    state = await record.meeting_record(meeting_id)
    if state.chair_person_id != user.person_id:
        await audit.record(
            user, "refused", "minutes", meeting_id, path=request.url.path,
            summary="not the chair of this meeting",
        )  # fmt: skip
        raise PermissionDeniedException("Only the chair of this meeting may see its minutes")
    return True


async def _minutes_page(
    request: AnyRequest,
    meeting_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    is_chair = await _may_see_minutes(request, meeting_id)
    state, row, notes = await record.minutes_of(meeting_id)
    versions = await record.minutes_versions(row["id"])
    await audit.record(user_of(request), "view", "minutes", row["id"], path=request.url.path)
    return form_page(
        "panel/record/minutes.html", request, errors=errors, status_code=status_code,
        r=state, minutes=row, notes=notes, values=values if values is not None else notes,
        versions=versions, is_chair=is_chair, locked=row["state"] == MinutesState.FINAL,
        saved=request.query_params.get("saved"), RecordStatus=RecordStatus,
    )  # fmt: skip


class MinutesController(Controller):
    path = "/record/meetings/{meeting_id:int}/minutes"
    opt = allow(*STAFF)

    @get("", name="panel:minutes", opt=allow(*STAFF, Role.PANEL_MEMBER))
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        return await _minutes_page(request, meeting_id)

    @post("", name="panel:minutes_edit")
    async def edit(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await record.edit_minutes(
                user_of(request), meeting_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _minutes_page(
                request, meeting_id, errors=_errors(error), status_code=_status(error), values=data
            )
        return Redirect(f"/panel/record/meetings/{meeting_id}/minutes?saved=1", status_code=303)

    @post("/approve", name="panel:minutes_approve", opt=allow(Role.PANEL_MEMBER))
    async def approve(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        user = user_of(request)
        try:
            await record.approve_minutes(
                user, user.person_id, meeting_id, version_of(data), path=request.url.path
            )
        except PermissionError as error:
            await audit.record(
                user, "refused", "minutes", meeting_id, path=request.url.path, summary=str(error)
            )
            raise PermissionDeniedException(str(error)) from None
        except (Invalid, Conflict) as error:
            return await _minutes_page(
                request, meeting_id, errors=_errors(error), status_code=_status(error)
            )
        return Redirect(
            f"/panel/record/meetings/{meeting_id}/minutes?saved=approved", status_code=303
        )

    @post("/correct", name="panel:minutes_correct")
    async def correct(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await record.correct_minutes(user_of(request), meeting_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _minutes_page(
                request, meeting_id, errors=_errors(error), status_code=_status(error), values=data
            )
        return Redirect(
            f"/panel/record/meetings/{meeting_id}/minutes?saved=corrected", status_code=303
        )

    @get("/minutes.docx", name="panel:minutes_docx", opt=allow(*STAFF, Role.PANEL_MEMBER))
    async def docx(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[bytes]:
        await _may_see_minutes(request, meeting_id)
        content = minutes_docs.full_minutes(await record.document_of(meeting_id))
        await audit.record(
            user_of(request), "download", "minutes", meeting_id, path=request.url.path
        )
        return _download(content, f"panel-minutes-{meeting_id}.docx")


# ---------------------------------------------------------------- a member's own ratings


def _not_listed(request: AnyRequest) -> Template:
    return form_page("panel/not_listed.html", request, title="Rate reports")


async def _refuse(request: AnyRequest, item_id: int, error: PermissionError) -> NoReturn:
    await audit.record(
        user_of(request), "refused", "agenda_item", item_id, path=request.url.path,
        summary=f"rating its reports: {error}",
    )  # fmt: skip
    raise PermissionDeniedException(str(error))


async def _own_item(request: AnyRequest, item_id: int) -> record.OwnItem:
    try:
        return await record.own_item(user_of(request).person_id, item_id)
    except PermissionError as error:
        await _refuse(request, item_id, error)


def _rating_page(
    request: AnyRequest,
    own: record.OwnItem,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return form_page(
        "panel/my_rating.html", request, errors=errors, status_code=status_code,
        own=own, values=values, grades=record.GRADES,
    )  # fmt: skip


class MyRatingsController(Controller):
    """A member rates the reports of the items they sat on (NMS 17.2)."""

    path = "/my/ratings"
    opt = allow(*MEMBER)

    @get("", name="panel:my_ratings")
    async def index(self, request: AnyRequest) -> Template:
        user = user_of(request)
        member_id = await record.member_id_of(user.person_id)
        if member_id is None:
            return _not_listed(request)
        items = await record.items_to_rate(user.person_id)
        await audit.record(
            user, "view", "panel_member", member_id, path=request.url.path,
            summary=f"their own ratings of reports: {len(items)} items to rate",
        )  # fmt: skip
        meetings: dict[tuple[int, date], list[record.OwnItem]] = {}
        for item in items:
            meetings.setdefault((item.meeting_id, item.day), []).append(item)
        rated = filter_number("rated", request.query_params.get("rated", ""))
        return form_page(
            "panel/my_ratings.html", request,
            meetings=[(day, rows) for (_, day), rows in meetings.items()],
            rated=next((i for i in items if i.item_id == rated), None),
        )  # fmt: skip

    @get("/{item_id:int}", name="panel:my_rating")
    async def show(self, request: AnyRequest, item_id: FromPath[int]) -> Template:
        user = user_of(request)
        if await record.member_id_of(user.person_id) is None:
            return _not_listed(request)
        own = await _own_item(request, item_id)
        await audit.record(
            user, "view", "agenda_item", item_id, path=request.url.path,
            summary=f"form to rate the reports of item {own.number} of {own.day.isoformat()}",
        )  # fmt: skip
        return _rating_page(request, own, {})

    @post("/{item_id:int}", name="panel:my_rating_save")
    async def save(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        user = user_of(request)
        if await record.member_id_of(user.person_id) is None:
            raise NotFound("You are not on the central list")
        data = await form_data(request)
        try:
            await record.rate_own(user, user.person_id, item_id, data, path=request.url.path)
        except PermissionError as error:
            await _refuse(request, item_id, error)
        except (Invalid, Conflict) as error:
            own = await _own_item(request, item_id)
            return _rating_page(request, own, data, _errors(error), _status(error))
        return Redirect(f"/panel/my/ratings?rated={item_id}", status_code=303)


router = Router(
    path="/panel", route_handlers=[RecordController, MinutesController, MyRatingsController]
)
