"""Pages and API of the adm area: decision queue, decisions, letters, clocks, ADM assignments."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED

from adm import before_panel, escalation, final_decision, services
from adm.rules.clocks import CLOCKS_BY_CATEGORY, LABELS, ClockKind
from adm.rules.stages import PAUSE_GROUNDS
from adm.tables import ReferralStatus
from governance import audit, clock, home, nav, pdf
from governance import services as gov_services
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid, NotFound
from governance.forms import (
    NUMBER_SCHEMA,
    choices,
    filter_choice,
    filter_number,
    form_data,
    version_of,
)
from governance.guards import allow
from governance.roles import Role
from governance.validate import Whole
from governance.web import form_page, settings_of, user_of

AnyRequest = Request[Any, Any, Any]
STAFF = (Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

nav.add("Decision queue", "/adm/queue", Role.ADM, order=30)
nav.add("Clocks", "/adm/clocks", *STAFF, order=24)
nav.add("Decision makers", "/adm/assignments", Role.PANEL_ADVISER, Role.SYSTEM_ADMIN, order=25)
nav.add("Missed-clock contacts", "/adm/escalation", Role.PANEL_ADVISER, Role.SYSTEM_ADMIN, order=26)


async def _home(user: CurrentUser) -> dict[str, Any]:
    found = await services.queue(user.person_id, user.adm_partner_ids, user.adm_for_agency)
    return {"adm_open": found["open"]}


home.register("adm_queue", "adm/home.html", (Role.ADM,), _home, order=10)


def _download(content: bytes, filename: str, media_type: str = DOCX) -> Response[bytes]:
    return Response(
        content,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _errors(error: Exception) -> tuple[dict[str, str], int]:
    if isinstance(error, Invalid):
        return error.errors, 422
    assert isinstance(error, Conflict)
    return {error.field or "record": error.message}, 409


async def _referral(request: AnyRequest, referral_id: int, action: str = "view") -> dict[str, Any]:
    try:
        return await services.referral_for(
            user_of(request), referral_id, path=request.url.path, action=action
        )
    except services.Forbidden as refused:
        raise PermissionDeniedException(refused.message) from None


async def _addressee_page(
    request: AnyRequest,
    row: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    user = user_of(request)
    stored = await services.addressee_values(user, row["id"], path=request.url.path)
    return form_page(
        "adm/addressee.html",
        request,
        errors=errors,
        status_code=status_code,
        ref=row,
        values=values if values is not None else stored,
        may_edit=user.has(Role.PANEL_ADVISER),
    )


# ---------------------------------------------------------------- queue and decisions


@get("/queue", name="adm:queue", opt=allow(Role.ADM))
async def queue_page(request: AnyRequest) -> Template:
    user = user_of(request)
    found = await services.queue(user.person_id, user.adm_partner_ids, user.adm_for_agency)
    await audit.record(user, "view", "adm_queue", user.person_id, path=request.url.path)
    return Template("adm/queue.html", context=found)


async def _referral_page(
    request: AnyRequest,
    row: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    user = user_of(request)
    more = await services.details(row)
    after = await final_decision.view(row)
    return form_page(
        "adm/referral.html",
        request,
        errors=errors,
        status_code=status_code,
        ref=row,
        values=values or {"decided_on": clock.today().isoformat()},
        verdicts=services.VERDICTS,
        may_decide=row["adm"] == user.person_id and row["status"] != ReferralStatus.DECIDED,
        is_adviser=user.has(Role.PANEL_ADVISER),
        saved=request.query_params.get("saved"),
        today=clock.today(),
        after=after,
        response_kinds=final_decision.RESPONSE_KINDS,
        final_outcomes=final_decision.FINAL_OUTCOMES,
        is_decider=row["adm"] == user.person_id,
        **more,
    )


async def _after_action(
    request: AnyRequest, referral_id: int, action: Any, saved: str
) -> Response[Any]:
    """Run one step after a qualifying determination; its errors come back on the page."""
    data = await form_data(request)
    user = user_of(request)
    try:
        await action(user, referral_id, data, path=request.url.path)
    except services.Forbidden as refused:
        await audit.record(
            user, "refused", "referral", referral_id, path=request.url.path,
            summary=refused.message,
        )  # fmt: skip
        raise PermissionDeniedException(refused.message) from None
    except (Invalid, Conflict) as error:
        errors, status = _errors(error)
        row = await services.referral(referral_id)
        return await _referral_page(request, row, errors=errors, status_code=status, values=data)
    return Redirect(f"/adm/referrals/{referral_id}?saved={quote(saved)}#after", status_code=303)


class ReferralController(Controller):
    path = "/referrals/{referral_id:int}"
    opt = allow(Role.ADM, *STAFF)

    @get("", name="adm:referral")
    async def show(self, request: AnyRequest, referral_id: FromPath[int]) -> Template:
        return await _referral_page(request, await _referral(request, referral_id))

    @post("/decision", name="adm:decide", opt=allow(Role.ADM))
    async def decide(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.decide(user_of(request), referral_id, data, path=request.url.path)
        except services.Forbidden as refused:
            await audit.record(
                user_of(request), "refused", "referral", referral_id,
                path=request.url.path, summary=refused.message,
            )  # fmt: skip
            raise PermissionDeniedException(refused.message) from None
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            row = await services.referral(referral_id)
            return await _referral_page(
                request, row, errors=errors, status_code=status, values=data
            )
        return Redirect(f"/adm/referrals/{referral_id}?saved=decision", status_code=303)

    @post("/told", name="adm:told", opt=allow(Role.PANEL_ADVISER))
    async def told(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.record_told(user_of(request), referral_id, data, path=request.url.path)
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            row = await services.referral(referral_id)
            return await _referral_page(
                request, row, errors=errors, status_code=status, values=data
            )
        return Redirect(f"/adm/referrals/{referral_id}?saved=told", status_code=303)

    @post("/responses", name="adm:responses", opt=allow(Role.PANEL_ADVISER))
    async def responses(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        return await _after_action(request, referral_id, final_decision.record_response, "response")

    @post("/recommendations", name="adm:recommendations", opt=allow(Role.PANEL_ADVISER))
    async def recommendations(
        self, request: AnyRequest, referral_id: FromPath[int]
    ) -> Response[Any]:
        return await _after_action(
            request, referral_id, final_decision.record_recommendation, "recommendation"
        )

    @post("/refer-back", name="adm:refer_back", opt=allow(Role.ADM))
    async def refer_back(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        return await _after_action(
            request, referral_id, final_decision.refer_back, "referral back to the panel"
        )

    @post("/final-decision", name="adm:final_decision", opt=allow(Role.ADM))
    async def final(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        return await _after_action(
            request, referral_id, final_decision.final_decide, "final decision"
        )

    @get("/final-letter.docx", name="adm:final_letter")
    async def final_letter(
        self, request: AnyRequest, referral_id: FromPath[int]
    ) -> Response[bytes]:
        await _referral(request, referral_id, action="download")
        name, content = await final_decision.final_letter(referral_id)
        return _download(content, name)

    @post("/parents-told", name="adm:parents_told", opt=allow(Role.PANEL_ADVISER))
    async def parents_told(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.record_parents_told(
                user_of(request), referral_id, data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            row = await services.referral(referral_id)
            return await _referral_page(
                request, row, errors=errors, status_code=status, values=data
            )
        return Redirect(f"/adm/referrals/{referral_id}?saved=notification", status_code=303)

    @get("/parent-letter.docx", name="adm:parent_letter")
    async def parent_letter(
        self, request: AnyRequest, referral_id: FromPath[int]
    ) -> Response[bytes]:
        await _referral(request, referral_id, action="download")
        name, content = await services.parent_letter(referral_id)
        return _download(content, name)

    @get("/extract.docx", name="adm:extract")
    async def extract(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[bytes]:
        from panel import record

        row = await _referral(request, referral_id, action="download")
        content, number = await record.extract(row["item"])
        return _download(content, f"extract-{row['case_reference']}-item-{number}.docx")

    @get("/papers/{paper_id:int}", name="adm:paper")
    async def paper(
        self, request: AnyRequest, referral_id: FromPath[int], paper_id: FromPath[int]
    ) -> Response[bytes]:
        row = await _referral(request, referral_id, action="download")
        name, media_type, content = await services.paper(
            settings_of(request),
            row["item"],
            paper_id,
            # The original only to those who manage papers; everyone else gets the clean copy.
            original=user_of(request).has(Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR),
        )
        return _download(content, name, media_type)

    @get("/addressee", name="adm:addressee")
    async def addressee(self, request: AnyRequest, referral_id: FromPath[int]) -> Template:
        row = await _referral(request, referral_id)
        return await _addressee_page(request, row)

    @post("/addressee", name="adm:addressee_save", opt=allow(Role.PANEL_ADVISER))
    async def save_addressee(
        self, request: AnyRequest, referral_id: FromPath[int]
    ) -> Response[Any]:
        row = await _referral(request, referral_id, action="open")
        data = await form_data(request)
        try:
            await services.save_addressee(
                user_of(request), referral_id, data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _addressee_page(request, row, errors, status, data)
        return Redirect(f"/adm/referrals/{referral_id}?saved=addressee", status_code=303)

    @get("/letter.docx", name="adm:letter")
    async def letter(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[bytes]:
        await _referral(request, referral_id, action="download")
        name, content = await services.letter(referral_id)
        return _download(content, name)

    @get("/letter.pdf", name="adm:letter_pdf")
    async def letter_pdf(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        await _referral(request, referral_id, action="download")
        name, content = await services.letter(referral_id)
        if not pdf.libreoffice_available():
            raise Conflict("PDF letters need LibreOffice, which is not installed: use the .docx.")
        work = settings_of(request).data_dir / "tmp"
        work.mkdir(parents=True, exist_ok=True)
        converted = pdf.to_pdf(content, work)
        return _download(converted, name.removesuffix(".docx") + ".pdf", "application/pdf")

    @post("/pause", name="adm:pause", opt=allow(Role.PANEL_ADVISER))
    async def pause(self, request: AnyRequest, referral_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.pause_clock(user_of(request), referral_id, data, path=request.url.path)
        except Invalid as error:
            row = await services.referral(referral_id)
            return await _referral_page(
                request, row, errors=error.errors, status_code=422, values=data
            )
        return Redirect(f"/adm/referrals/{referral_id}?saved=pause", status_code=303)

    @post("/clocks/{kind:str}/breach", name="adm:breach", opt=allow(Role.PANEL_ADVISER))
    async def breach(
        self, request: AnyRequest, referral_id: FromPath[int], kind: FromPath[str]
    ) -> Response[Any]:
        data = await form_data(request)
        await services.referral(referral_id)
        try:
            await services.record_breach(
                user_of(request), referral_id, kind, str(data.get("breach_reason", "")),
                path=request.url.path,
            )  # fmt: skip
        except Invalid as error:
            row = await services.referral(referral_id)
            return await _referral_page(request, row, errors=error.errors, status_code=422)
        back = str(data.get("back", ""))
        target = "/adm/clocks" if back == "clocks" else f"/adm/referrals/{referral_id}"
        return Redirect(f"{target}?saved=breach", status_code=303)


# ---------------------------------------------------------------- an item's clocks before panel


async def _item_clocks_page(
    request: AnyRequest,
    item_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    found = await before_panel.item_clocks(item_id)
    await audit.record(user_of(request), "view", "item_clocks", item_id, path=request.url.path)
    shown = values
    if shown is None or not any(name in shown for name in before_panel.DATE_FIELDS):
        shown = {
            name: day.isoformat() if (day := found.facts.get(name)) else ""
            for name in before_panel.DATE_FIELDS
        }
    pause_values = (
        values
        if values is not None and "stage_2_pause_why" in values
        else {
            name: (day.isoformat() if isinstance(day := found.facts.get(name), date) else day or "")
            for name in before_panel.PAUSE_FIELDS
        }
    )
    return form_page(
        "adm/item_clocks.html", request, errors=errors, status_code=status_code,
        found=found, fields=before_panel.fields_for(found.category), values=shown,
        version=found.facts["version"], is_adviser=user_of(request).has(Role.PANEL_ADVISER),
        may_pause_stage_2=ClockKind.STAGE_2 in CLOCKS_BY_CATEGORY[found.category],
        pause_values=pause_values, pause_grounds=PAUSE_GROUNDS,
    )  # fmt: skip


class ItemClocksController(Controller):
    path = "/items/{item_id:int}/clocks"
    opt = allow(*STAFF)

    @get("", name="adm:item_clocks")
    async def show(self, request: AnyRequest, item_id: FromPath[int]) -> Template:
        return await _item_clocks_page(request, item_id)

    @post("", name="adm:item_clock_dates")
    async def save(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await before_panel.save_dates(
                user_of(request), item_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _item_clocks_page(
                request, item_id, errors=errors, status_code=status, values=data
            )
        return Redirect(f"/adm/items/{item_id}/clocks?saved=dates", status_code=303)

    @post("/stage-2-pause", name="adm:stage_2_pause", opt=allow(Role.PANEL_ADVISER))
    async def pause_stage_2(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await before_panel.pause_stage_2(
                user_of(request), item_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _item_clocks_page(
                request, item_id, errors=errors, status_code=status, values=data
            )
        return Redirect(f"/adm/items/{item_id}/clocks?saved=pause", status_code=303)

    @post("/{kind:str}/breach", name="adm:item_breach", opt=allow(Role.PANEL_ADVISER))
    async def breach(
        self, request: AnyRequest, item_id: FromPath[int], kind: FromPath[str]
    ) -> Response[Any]:
        data = await form_data(request)
        try:
            await before_panel.record_breach(
                user_of(request), item_id, kind, data.get("breach_reason"),
                path=request.url.path,
            )  # fmt: skip
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            errors = {f"breach_{kind}": " ".join(errors.values())}
            return await _item_clocks_page(request, item_id, errors=errors, status_code=status)
        back = str(data.get("back", ""))
        target = "/adm/clocks" if back == "clocks" else f"/adm/items/{item_id}/clocks"
        return Redirect(f"{target}?saved=breach", status_code=303)


# ---------------------------------------------------------------- clocks dashboard


CLOCK_STATES = [services.ALL_STATES, *services.STATE_LABELS]
CLOCK_KINDS = {
    **{k.value: LABELS[k] for k in (*before_panel.BEFORE_PANEL, *services.AFTER_MEETING)},
    ClockKind.PANEL_FEEDBACK.value: LABELS[ClockKind.PANEL_FEEDBACK],
}


@get("/clocks", name="adm:clocks", opt=allow(*STAFF))
async def clocks_page(
    request: AnyRequest,
    clock_state: Annotated[
        str, QueryParameter(name="state", max_length=20, schema_extra=choices(CLOCK_STATES))
    ] = "",
    partner: Annotated[str, QueryParameter(max_length=12, schema_extra=NUMBER_SCHEMA)] = "",
    kind: Annotated[str, QueryParameter(max_length=40, schema_extra=choices(CLOCK_KINDS))] = "",
    adm: Annotated[str, QueryParameter(max_length=12, schema_extra=NUMBER_SCHEMA)] = "",
) -> Template:
    # The filter form sends "Any" as an empty value; any other value the filter cannot take is
    # refused, so the list never looks filtered when it is not.
    kinds = CLOCK_KINDS
    filters = services.ClockFilter(
        state=filter_choice("state", clock_state, CLOCK_STATES),
        partner=filter_number("partner", partner),
        kind=filter_choice("kind", kind, kinds),
        adm=filter_number("adm", adm),
    )
    rows, partners, adms = await asyncio.gather(
        services.running_clocks(filters), services.partners(), services.adm_people()
    )
    return Template(
        "adm/clocks.html",
        context={
            "rows": rows,
            "filters": filters,
            "states": services.STATE_LABELS,
            "kinds": kinds,
            "partners": partners,
            "adms": adms,
            "saved": request.query_params.get("saved"),
            "is_adviser": user_of(request).has(Role.PANEL_ADVISER),
        },
    )


# ---------------------------------------------------------------- assignments


async def _assignments_page(
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    moved, stuck = (filter_number(k, request.query_params.get(k, "")) for k in ("moved", "stuck"))
    assignments = await services.assignments()
    partners = await services.partners()
    agency = await gov_services.agency()
    assesses = bool(agency and agency["assesses_adopters"])
    bodies = [(str(p["id"]), str(p["name"])) for p in partners]
    if assesses:
        bodies.append((services.AGENCY_SCOPE, services.AGENCY_LABEL))
    return form_page(
        "adm/assignments.html", request, errors=errors, status_code=status_code,
        moved=moved or 0, stuck=stuck or 0, assignments=assignments, partners=partners,
        bodies=bodies, cover=services.cover(assignments, partners, assesses), agency=agency,
        assesses=assesses, people=await services.adm_people(), roles=services.ROLE_LABELS,
        values=values or {}, saved=request.query_params.get("saved"),
        is_admin=user_of(request).has(Role.SYSTEM_ADMIN),
    )  # fmt: skip


class AssignmentController(Controller):
    path = "/assignments"
    opt = allow(Role.PANEL_ADVISER, Role.SYSTEM_ADMIN)

    @get("", name="adm:assignments")
    async def index(self, request: AnyRequest) -> Template:
        return await _assignments_page(request)

    @post("", name="adm:assignment_add")
    async def add(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.add_assignment(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _assignments_page(request, errors=errors, status_code=status, values=data)
        return Redirect("/adm/assignments?saved=1", status_code=303)

    @post("/assessing", name="adm:assessing", opt=allow(Role.SYSTEM_ADMIN))
    async def assessing(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await gov_services.set_assesses_adopters(
                user_of(request), version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _assignments_page(request, errors=errors, status_code=status)
        return Redirect("/adm/assignments?saved=1", status_code=303)

    @post("/people", name="adm:decision_maker_add", opt=allow(Role.SYSTEM_ADMIN))
    async def add_person(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            added = await gov_services.add_decision_maker(
                user_of(request),
                data,
                cheap_hash=settings_of(request).argon2_cheap,
                path=request.url.path,
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            if "record" in errors:
                errors = {"email": errors.pop("record"), **errors}
            values = {f"dm_{k}": v for k, v in data.items()}
            return await _assignments_page(
                request, errors={f"dm_{k}": v for k, v in errors.items()}, status_code=status,
                values=values,
            )  # fmt: skip
        if added.password is None:
            return Redirect(
                f"/adm/assignments?saved=1&existing={added.account_id}", status_code=303
            )
        return Template(
            "governance/password_issued.html",
            context={
                "account": await gov_services.account(added.account_id),
                "password": added.password,
                "created": True,
                "then": ("/adm/assignments", "Back to decision makers, to assign them"),
            },
            status_code=HTTP_201_CREATED,
        )

    @post("/{assignment_id:int}/remove", name="adm:assignment_remove")
    async def remove(self, request: AnyRequest, assignment_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.remove_assignment(
                user_of(request), assignment_id, version_of(data), path=request.url.path
            )
        except Conflict as error:
            errors, status = _errors(error)
            return await _assignments_page(request, errors=errors, status_code=status)
        return Redirect("/adm/assignments?saved=1", status_code=303)

    @post("/{assignment_id:int}/absences", name="adm:absence_add")
    async def absence(self, request: AnyRequest, assignment_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.add_absence(user_of(request), assignment_id, data, path=request.url.path)
        except Invalid as error:
            errors = {f"{k}_{assignment_id}": v for k, v in error.errors.items()}
            return await _assignments_page(request, errors=errors, status_code=422)
        # Leave that has begun hands the ADM's undecided items to whoever decides instead.
        done = await services.reroute_absent(user_of(request), path=request.url.path)
        return Redirect(
            f"/adm/assignments?saved=1&moved={len(done.moved)}&stuck={len(done.stuck)}",
            status_code=303,
        )

    @post("/absences/{absence_id:int}/remove", name="adm:absence_remove")
    async def remove_absence(self, request: AnyRequest, absence_id: FromPath[int]) -> Redirect:
        await services.remove_absence(user_of(request), absence_id, path=request.url.path)
        return Redirect("/adm/assignments?saved=1", status_code=303)


# ---------------------------------------------------------------- who is told of missed clocks


async def _escalation_page(
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    return form_page(
        "adm/escalation.html", request, errors=errors, status_code=status_code,
        contacts=await escalation.contacts(), advisers=await escalation.advisers(),
        values=values or {}, saved=request.query_params.get("saved"),
    )  # fmt: skip


class EscalationController(Controller):
    path = "/escalation"
    opt = allow(Role.PANEL_ADVISER, Role.SYSTEM_ADMIN)

    @get("", name="adm:escalation")
    async def index(self, request: AnyRequest) -> Template:
        return await _escalation_page(request)

    @post("", name="adm:escalation_add")
    async def add(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await escalation.add(user_of(request), data, path=request.url.path)
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _escalation_page(request, errors=errors, status_code=status, values=data)
        return Redirect("/adm/escalation?saved=added", status_code=303)

    @post("/{contact_id:int}/remove", name="adm:escalation_remove")
    async def remove(self, request: AnyRequest, contact_id: FromPath[int]) -> Redirect:
        await escalation.remove(user_of(request), contact_id, path=request.url.path)
        return Redirect("/adm/escalation?saved=removed", status_code=303)


router = Router(
    path="/adm",
    route_handlers=[
        queue_page,
        ReferralController,
        clocks_page,
        ItemClocksController,
        AssignmentController,
        EscalationController,
    ],
)


# ---------------------------------------------------------------- JSON API


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    verdict: Annotated[str, msgspec.Meta(max_length=20)]
    decided_on: date
    outcome: Annotated[str, msgspec.Meta(max_length=200)] = ""
    reasons: Annotated[str, msgspec.Meta(max_length=10_000)] = ""
    version: Whole | None = None


@get(
    "/partners/{partner_id:int}/referrals",
    name="adm:api_referrals",
    opt=allow(Role.ADM, Role.PANEL_ADVISER, Role.SYSTEM_ADMIN),
)
async def api_referrals(request: AnyRequest, partner_id: FromPath[int]) -> list[dict[str, Any]]:
    user = user_of(request)
    if partner_id not in {p["id"] for p in await services.partners()}:
        raise NotFound(f"No partner {partner_id}")
    # An ADM lists only the authorities they decide for (the guard's partner scope admits
    # nobody else, advisers included, so it is checked here).
    if not user.has(Role.PANEL_ADVISER, Role.SYSTEM_ADMIN) and partner_id not in (
        user.adm_partner_ids
    ):
        await audit.record(
            user, "refused", "referrals", partner_id, path=request.url.path,
            summary="not a decision maker for that authority",
        )  # fmt: skip
        raise PermissionDeniedException("You are not a decision maker for that authority")
    return await services.partner_referrals(user, partner_id)


@post("/referrals/{referral_id:int}/decision", name="adm:api_decide", opt=allow(Role.ADM))
async def api_decide(
    request: AnyRequest,
    referral_id: FromPath[int],
    data: JSONBody[DecisionIn],
    idempotency_key: Annotated[
        str | None, HeaderParameter(name="idempotency-key", max_length=100, required=False)
    ] = None,
) -> Response[Any]:
    values: dict[str, Any] = {
        "verdict": data.verdict,
        "decided_on": data.decided_on.isoformat(),
        "outcome": data.outcome,
        "reasons": data.reasons,
    }
    if data.version is not None:
        values["version"] = str(data.version)
    try:
        decision_id, created = await services.decide(
            user_of(request), referral_id, values, idempotency_key=idempotency_key,
            path=request.url.path,
        )  # fmt: skip
    except services.Forbidden as refused:
        await audit.record(
            user_of(request), "refused", "referral", referral_id,
            path=request.url.path, summary=refused.message,
        )  # fmt: skip
        raise PermissionDeniedException(refused.message) from None
    row = await services.referral(referral_id)
    return Response(
        {"decision_id": decision_id, "created": created, "referral": services.referral_json(row)},
        status_code=201 if created else 200,
    )


api_router = Router(path="/api/v1/adm", route_handlers=[api_referrals, api_decide])
