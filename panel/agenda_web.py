"""Pages and API of agendas: the builder, items and papers, item types, members' packs."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, PermissionDeniedException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from governance import audit, nav, oversize, pdf
from governance.errors import Conflict, Invalid
from governance.forms import form_data, version_of
from governance.guards import allow
from governance.roles import Role
from governance.validate import Whole
from governance.web import form_page, settings_of, user_of
from panel import agenda, pack_runs
from panel.rules import outcomes as outcome_rules
from panel.tables import PaperKind

AnyRequest = Request[Any, Any, Any]
ADVISER = (Role.PANEL_ADVISER,)
STAFF = (Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR)
MEMBER = (Role.PANEL_MEMBER,)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA = {PaperKind.DOCX: DOCX_TYPE, PaperKind.PDF: "application/pdf"}

nav.add("Item types", "/panel/item-types", *STAFF, order=23)
nav.add("My packs", "/panel/my/packs", *MEMBER, order=19)


def _errors(error: Invalid | Conflict) -> tuple[dict[str, str], int]:
    if isinstance(error, Invalid):
        return error.errors, HTTP_422_UNPROCESSABLE_ENTITY
    return {error.field or "form": error.message}, HTTP_409_CONFLICT


def _file(data: bytes, filename: str, media: str) -> Response[bytes]:
    return Response(
        data,
        media_type=media,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "cache-control": "no-store",
        },
    )


# ---------------------------------------------------------------- the agenda builder


async def _agenda_page(
    request: AnyRequest,
    meeting_id: int,
    error: Invalid | Conflict | None = None,
    **context: Any,
) -> Template:
    errors, status = _errors(error) if error else ({}, 200)
    view = await agenda.agenda(meeting_id)
    await audit.record(user_of(request), "view", "agenda", meeting_id, path=request.url.path)
    return form_page(
        "panel/agenda.html",
        request,
        errors=errors,
        status_code=status,
        view=view,
        opens=await agenda.opens(meeting_id) if view["published"] else [],
        may_publish=user_of(request).has(Role.PANEL_ADVISER),
        pdf_available=pdf.libreoffice_available(),
        values=context.pop("values", {}),
        saved=request.query_params.get("saved"),
        published=request.query_params.get("published"),
        **(await agenda.form_choices()),
        **context,
    )


class AgendaController(Controller):
    path = "/meetings/{meeting_id:int}/agenda"
    opt = allow(*STAFF)

    @get("", name="panel:agenda")
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        return await _agenda_page(request, meeting_id)

    @post("/items", name="panel:agenda_item_add")
    async def add(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            item_id = await agenda.add_item(
                user_of(request), meeting_id, data, settings_of(request), path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _agenda_page(request, meeting_id, error, values=data)
        return Redirect(f"/panel/meetings/{meeting_id}/agenda?saved={item_id}", status_code=303)

    @post("/order", name="panel:agenda_order")
    async def order(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            item_id = int(str(data.get("item") or "0"))
        except ValueError:
            item_id = 0
        try:
            await agenda.move_item(
                user_of(request),
                meeting_id,
                version_of(data),
                item_id,
                str(data.get("direction") or ""),
                settings_of(request),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _agenda_page(request, meeting_id, error)
        return Redirect(f"/panel/meetings/{meeting_id}/agenda#item-{item_id}", status_code=303)

    @post("/screen", name="panel:agenda_screen")
    async def run_screen(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        await agenda.agenda(meeting_id)  # 404 for a meeting that is not there
        await agenda.screen(meeting_id, user_of(request))
        return Redirect(f"/panel/meetings/{meeting_id}/agenda#screening", status_code=303)

    @post("/publish", name="panel:agenda_publish", opt=allow(*ADVISER))
    async def publish(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await agenda.publish(
                user_of(request),
                meeting_id,
                version_of(data),
                data,
                settings_of(request),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _agenda_page(request, meeting_id, error, values=data)
        return Redirect(f"/panel/meetings/{meeting_id}/agenda?published=1", status_code=303)

    @get("/pack.docx", name="panel:agenda_full_docx")
    async def full_docx(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await _full_pack(request, meeting_id, PaperKind.DOCX)

    @get("/pack.pdf", name="panel:agenda_full_pdf")
    async def full_pdf(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        if not pdf.libreoffice_available():
            return Template(
                "panel/no_pdf.html", context={"meeting_id": meeting_id}, status_code=404
            )
        return await _full_pack(request, meeting_id, PaperKind.PDF)


async def _full_pack(request: AnyRequest, meeting_id: int, kind: PaperKind) -> Response[Any]:
    user = user_of(request)
    await agenda.agenda(meeting_id)  # 404 for a meeting that is not there
    try:
        name, data = await agenda.full_pack(
            meeting_id, user.person_id, user.name, kind, settings_of(request)
        )
    except agenda.PackFailed as failed:
        return _pack_refused(HTTP_409_CONFLICT, "The full pack could not be built", failed.message)
    await audit.record(
        user, "download", "pack", meeting_id, path=request.url.path, summary=f"full {kind} pack"
    )
    return _file(data, name, MEDIA[kind])


# ---------------------------------------------------------------- items and papers


async def _item_page(
    request: AnyRequest, item_id: int, error: Invalid | Conflict | None = None, **context: Any
) -> Template:
    errors, status = _errors(error) if error else ({}, 200)
    row = await agenda.item(item_id)
    view = await agenda.agenda(row["meeting"])
    await audit.record(user_of(request), "view", "agenda_item", item_id, path=request.url.path)
    rostered = {str(s["member"]): s["name"] for s in await agenda._rostered(row["meeting"])}
    values = context.pop("values", None) or {
        "item_type": row["item_type"],
        "case_reference": row["case_reference"],
        "initials": row["initials"],
        "child_partner": row["child_partner"] or "",
        "assessing_partner": "agency"
        if row["assessed_by_agency"]
        else row["assessing_partner"] or "",
        "social_worker": row["social_worker"],
        "manager": row["manager"],
        "starts": row["starts_clock"],
        "ends": row["ends_clock"],
        "presenters_at": row["presenters_clock"],
        "applicants_at": row["applicants_clock"],
        "applicants_attend": "yes" if row["applicants_attend"] else "",
        "applicants_invited_on": row["applicants_invited_on"].isoformat()
        if row["applicants_invited_on"]
        else "",
        **row["party_text"],
    }
    return form_page(
        "panel/item.html",
        request,
        errors=errors,
        upload_field="file",
        status_code=status,
        item=row,
        view=view,
        values=values,
        defer_options=await agenda.defer_options(item_id) if row["status"] == "listed" else [],
        rostered=rostered,
        upload_limit_mb=settings_of(request).upload_limit_mb,
        saved=request.query_params.get("saved"),
        inspections=_inspections(row, request.query_params.get("version")),
        **(await agenda.form_choices()),
        **context,
    )


def _inspections(row: dict[str, Any], uploaded: str | None) -> dict[Any, str]:
    """Each version's inspection in words, and under "uploaded" the one just uploaded's."""
    found: dict[Any, str] = {}
    for paper in row["papers"].get(row["id"], []):
        for version in paper["versions"]:
            found[version["id"]] = agenda.inspection(version)
            if uploaded == str(version["id"]):
                found["uploaded"] = found[version["id"]]
    return found


class ItemController(Controller):
    path = "/items"
    opt = allow(*STAFF)

    @get("/{item_id:int}", name="panel:item")
    async def show(self, request: AnyRequest, item_id: FromPath[int]) -> Template:
        return await _item_page(request, item_id)

    @post("/{item_id:int}", name="panel:item_update")
    async def update(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await agenda.update_item(
                user_of(request),
                item_id,
                version_of(data),
                data,
                settings_of(request),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _item_page(request, item_id, error, values=data)
        return Redirect(f"/panel/items/{item_id}?saved=details", status_code=303)

    @post("/{item_id:int}/papers", name="panel:item_paper_upload")
    async def upload(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        try:
            form = await request.form()
        except HTTPException as error:
            if error.status_code != HTTP_413_REQUEST_ENTITY_TOO_LARGE:
                raise
            # The body went past the service's limit before it was read in full: nothing was
            # stored, and the form says so in words rather than the server's bare 413.
            limit = settings_of(request).upload_limit_mb
            too_large = Invalid({"file": oversize.too_large_message(limit)})
            return await _item_page(request, item_id, too_large)
        upload = form.get("file")
        data = {k: form.get(k) for k in form if k not in ("file", "_csrf_token")}
        name, content = "", b""
        if isinstance(upload, UploadFile):
            name, content = upload.filename or "", await upload.read()
        try:
            version_id = await agenda.upload_paper(
                user_of(request),
                item_id,
                data,
                name,
                content,
                settings_of(request),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _item_page(request, item_id, error, paper_values=data)
        return Redirect(
            f"/panel/items/{item_id}?saved=paper&version={version_id}#papers", status_code=303
        )

    @post("/{item_id:int}/defer", name="panel:item_defer")
    async def defer(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            new_id = await agenda.defer_item(
                user_of(request),
                item_id,
                version_of(data),
                data,
                settings_of(request),
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            return await _item_page(request, item_id, error, defer_values=data)
        return Redirect(f"/panel/items/{new_id}?saved=deferred", status_code=303)

    @post("/{item_id:int}/declarations", name="panel:item_declare")
    async def declare(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await agenda.declare(
                user_of(request), item_id, data, settings_of(request), path=request.url.path
            )
        except (Invalid, Conflict) as error:
            return await _item_page(request, item_id, error, declare_values=data)
        return Redirect(f"/panel/items/{item_id}?saved=declaration#withdrawals", status_code=303)

    @get("/papers/{version_id:int}", name="panel:paper_download")
    async def download(self, request: AnyRequest, version_id: FromPath[int]) -> Response[bytes]:
        row, data = await agenda.paper_version(version_id, settings_of(request))
        await audit.record(
            user_of(request),
            "download",
            "paper_version",
            version_id,
            path=request.url.path,
            summary=row["file_name"],
        )
        return Response(
            data,
            media_type=MEDIA[PaperKind(row["kind"])],
            headers={
                "content-disposition": f'attachment; filename="{row["file_name"]}"',
                "cache-control": "no-store",
            },
        )


# ---------------------------------------------------------------- item types


class ItemTypeController(Controller):
    path = "/item-types"
    opt = allow(*STAFF)

    @get("", name="panel:item_types")
    async def index(self, request: AnyRequest) -> Template:
        return await _types_page(request)

    @post("", name="panel:item_type_add", opt=allow(*ADVISER))
    async def add(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await agenda.add_item_type(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _types_page(request, error, values=data)
        return Redirect("/panel/item-types?saved=1", status_code=303)

    @get("/{type_id:int}/outcomes", name="panel:item_type_outcomes")
    async def outcomes(self, request: AnyRequest, type_id: FromPath[int]) -> Template:
        return await _outcomes_page(request, type_id)

    @post("/{type_id:int}/outcomes", name="panel:item_type_outcomes_save", opt=allow(*ADVISER))
    async def save_outcomes(self, request: AnyRequest, type_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await agenda.save_outcomes(user_of(request), type_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            return await _outcomes_page(request, type_id, error, values=data)
        return Redirect(f"/panel/item-types/{type_id}/outcomes?saved=1", status_code=303)


async def _outcomes_page(
    request: AnyRequest,
    type_id: int,
    error: Invalid | Conflict | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    errors, status = _errors(error) if error else ({}, 200)
    kind = await agenda.item_type(type_id)
    found = await agenda.type_outcomes(type_id)
    shown = values or {"version": kind["version"]}
    if values is None:
        for n, item in enumerate(found):
            shown[f"wording_{n}"] = item.outcome.wording
            shown[f"meaning_{n}"] = item.outcome.meaning.value
            shown[f"letter_{n}"] = item.outcome.letter.value
            shown[f"qualifying_{n}"] = "yes" if item.outcome.qualifying else ""
            shown[f"closes_{n}"] = "yes" if item.outcome.closes_without_decision else ""
    return form_page(
        "panel/item_type_outcomes.html",
        request,
        errors=errors,
        status_code=status,
        kind=kind,
        found=found,
        values=shown,
        meanings={k.value: v for k, v in outcome_rules.MEANING_LABELS.items()},
        letters={k.value: v for k, v in outcome_rules.LETTER_LABELS.items()},
        other=outcome_rules.Meaning.OTHER,
        may_edit=user_of(request).has(Role.PANEL_ADVISER),
        saved=request.query_params.get("saved"),
    )


async def _types_page(
    request: AnyRequest, error: Invalid | Conflict | None = None, **context: Any
) -> Template:
    errors, status = _errors(error) if error else ({}, 200)
    return form_page(
        "panel/item_types.html",
        request,
        errors=errors,
        status_code=status,
        types=await agenda.item_types(),
        subjects=agenda.SUBJECTS,
        deciders=agenda.DECIDED_BY,
        categories={k.value: v for k, v in outcome_rules.CATEGORY_LABELS.items()},
        may_add=user_of(request).has(Role.PANEL_ADVISER),
        values=context.pop("values", {}),
        saved=request.query_params.get("saved"),
        **context,
    )


# ---------------------------------------------------------------- members' packs


async def _member_may_open(request: AnyRequest, meeting_id: int) -> None:
    user = user_of(request)
    access = await agenda.member_access(meeting_id, user.person_id)
    if not access.allowed:
        await audit.record(
            user, "refused", "pack", meeting_id, path=request.url.path, summary=access.reason
        )
        raise PermissionDeniedException(f"You cannot open these papers: {access.reason}")


class MyPackController(Controller):
    path = "/my/packs"
    opt = allow(*MEMBER)

    @get("", name="panel:my_packs")
    async def index(self, request: AnyRequest) -> Template:
        rows = await agenda.my_packs(user_of(request).person_id)
        return Template("panel/my_packs.html", context={"packs": rows})

    @get("/{meeting_id:int}", name="panel:my_pack")
    async def show(self, request: AnyRequest, meeting_id: FromPath[int]) -> Template:
        await _member_may_open(request, meeting_id)
        user = user_of(request)
        view = await agenda.member_view(meeting_id, user.person_id)
        await agenda.record_open(meeting_id, user.person_id, "agenda")
        await audit.record(user, "view", "pack", meeting_id, path=request.url.path)
        return Template("panel/my_pack.html", context={"view": view})

    @get("/{meeting_id:int}/pack.docx", name="panel:my_pack_docx")
    async def docx(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        return await _member_file(request, meeting_id, PaperKind.DOCX)

    @get("/{meeting_id:int}/pack.pdf", name="panel:my_pack_pdf")
    async def pdf_pack(self, request: AnyRequest, meeting_id: FromPath[int]) -> Response[Any]:
        if not pdf.libreoffice_available():
            await _member_may_open(request, meeting_id)
            return Template(
                "panel/no_pdf.html", context={"meeting_id": meeting_id}, status_code=404
            )
        return await _member_file(request, meeting_id, PaperKind.PDF)


def _pack_refused(status: int, title: str, message: str, **headers: str) -> Template:
    context = {"status": status, "title": title, "message": message, "extra": None}
    return Template("errors/error.html", context=context, status_code=status, headers=headers)


async def _member_file(request: AnyRequest, meeting_id: int, kind: PaperKind) -> Response[Any]:
    await _member_may_open(request, meeting_id)
    user = user_of(request)
    try:
        name, data = await agenda.member_pack(
            meeting_id, user.person_id, kind, settings_of(request)
        )
    except pack_runs.Preparing as preparing:
        return _pack_refused(
            HTTP_503_SERVICE_UNAVAILABLE,
            "Your pack is being prepared",
            f"{preparing} Nothing is lost: this page will give you your pack once it is built.",
            **{"Retry-After": str(pack_runs.RETRY_AFTER_SECONDS)},
        )
    except agenda.PackFailed as failed:
        return _pack_refused(HTTP_409_CONFLICT, "Your pack could not be built", failed.message)
    await agenda.record_open(meeting_id, user.person_id, kind.value)
    await audit.record(user, "download", "pack", meeting_id, path=request.url.path, summary=kind)
    return _file(data, name, MEDIA[kind])


# ---------------------------------------------------------------- JSON API


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    version: Whole
    order: Annotated[list[Whole], msgspec.Meta(max_length=100)]


@get("/meetings/{meeting_id:int}/agenda", name="api_panel_agenda", opt=allow(*STAFF))
async def api_agenda(request: AnyRequest, meeting_id: FromPath[int]) -> dict[str, Any]:
    view = await agenda.agenda(meeting_id)
    await audit.record(user_of(request), "view", "agenda", meeting_id, path=request.url.path)
    return {
        "meeting_id": meeting_id,
        "version": view["state"]["version"],
        "published_at": view["state"]["published_at"],
        "items": [
            {
                "id": r["id"],
                "number": r["number"],
                "title": r["title"],
                "type": r["type"]["code"],
                "decided_by": r["type"]["decided_by"],
                "starts_at": r["starts_at"],
                "ends_at": r["ends_at"],
                "complete": r["complete"],
                "missing": [c["title"] for c in r["checklist"] if not c["present"]],
            }
            for r in view["rows"]
        ],
    }


@put("/meetings/{meeting_id:int}/agenda/order", name="api_panel_agenda_order", opt=allow(*STAFF))
async def api_agenda_order(
    request: AnyRequest, meeting_id: FromPath[int], data: JSONBody[OrderIn]
) -> dict[str, Any]:
    version = await agenda.reorder(
        user_of(request),
        meeting_id,
        data.version,
        list(data.order),
        settings_of(request),
        path=request.url.path,
    )
    return {"meeting_id": meeting_id, "version": version}


route_handlers = [AgendaController, ItemController, ItemTypeController, MyPackController]
api_handlers = [api_agenda, api_agenda_order]
