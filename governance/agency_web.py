"""The agency details page: set up on an empty install, changed later; its logo; a home section."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from governance import agency, home, services
from governance.agency import AgencyDetails, LogoUpload
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid
from governance.forms import version_of
from governance.guards import allow
from governance.roles import Role
from governance.web import form_page, settings_of, user_of

AnyRequest = Request[Any, Any, Any]
TEMPLATE = "governance/agency_details.html"


def _values(found: AgencyDetails | None) -> dict[str, Any]:
    if found is None:
        return {"legal_form": "", "host_partner": "", "version": ""}
    return {
        "name": found.name,
        "short_name": found.short_name,
        "legal_form": found.legal_form.value,
        "host_partner": str(found.host_partner_id or ""),
        "address": "\n".join(found.address),
        "postcode": found.postcode,
        "telephone": found.telephone,
        "email": found.email,
        "website": found.website,
        "registered_manager": found.registered_manager,
        "letterhead_footer": found.letterhead_footer,
        "version": found.version,
    }


async def _read(request: AnyRequest) -> tuple[dict[str, Any], LogoUpload | None]:
    form = await request.form()
    data = {k: form.get(k) for k in form if k not in ("logo", "_csrf_token")}
    upload = form.get("logo")
    if isinstance(upload, UploadFile) and (upload.filename or ""):
        return data, LogoUpload(upload.filename or "", await upload.read())
    return data, None


class AgencyDetailsController(Controller):
    path = "/admin/agency"
    opt = allow(Role.SYSTEM_ADMIN)

    async def _page(
        self,
        request: AnyRequest,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        found = await agency.details()
        return form_page(
            TEMPLATE,
            request,
            errors=errors,
            upload_field="logo",
            status_code=status_code,
            agency=found,
            values=values,
            legal_forms={k.value: v for k, v in agency.LEGAL_FORM_LABELS.items()},
            legal_form_hints={k.value: v for k, v in agency.LEGAL_FORM_HINTS.items()},
            partners={str(p["id"]): p["name"] for p in await services.partners()},
        )

    @get("/details", name="agency_details")
    async def show(self, request: AnyRequest) -> Template:
        return await self._page(request, _values(await agency.details()))

    @post("/set-up", name="agency_set_up")
    async def set_up(self, request: AnyRequest) -> Response[Any]:
        data, upload = await _read(request)
        try:
            await agency.set_up(
                user_of(request), data, upload, settings_of(request), path=request.url.path
            )
        except Invalid as error:
            return await self._page(request, data, error.errors, HTTP_422_UNPROCESSABLE_ENTITY)
        except Conflict as error:
            return await self._page(
                request, data, {error.field or "name": error.message}, HTTP_409_CONFLICT
            )
        return Redirect("/admin/agency?saved=1", status_code=303)

    @post("/details", name="agency_update")
    async def update(self, request: AnyRequest) -> Response[Any]:
        data, upload = await _read(request)
        try:
            await agency.update(
                user_of(request),
                version_of(data),
                data,
                upload,
                settings_of(request),
                path=request.url.path,
            )
        except Invalid as error:
            return await self._page(request, data, error.errors, HTTP_422_UNPROCESSABLE_ENTITY)
        except Conflict as error:
            return await self._page(
                request, data, {error.field or "name": error.message}, HTTP_409_CONFLICT
            )
        return Redirect("/admin/agency?saved=1", status_code=303)

    @get("/logo", name="agency_logo")
    async def logo(self, request: AnyRequest) -> Response[bytes]:
        media_type, data = await agency.logo(settings_of(request))
        return Response(data, media_type=media_type, headers={"cache-control": "no-store"})


async def _agency_home(user: CurrentUser) -> dict[str, Any]:
    return {"agency": await agency.details()}


home.register("agency", "governance/home_agency.html", (Role.SYSTEM_ADMIN,), _agency_home, order=89)


router = Router(path="/", route_handlers=[AgencyDetailsController])
