"""The go-live checklist page of the system administrator, its test e-mail, and the home-page
section that shows until every line is done."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, Router, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_422_UNPROCESSABLE_ENTITY

from adm import golive as facts
from governance import golive, home, nav
from governance import services as gov_services
from governance.auth import CurrentUser
from governance.errors import Invalid
from governance.forms import form_data
from governance.guards import allow
from governance.roles import Role
from governance.web import form_page, settings_of, user_of

AnyRequest = Request[Any, Any, Any]

nav.add("Go-live checklist", "/admin/go-live", Role.SYSTEM_ADMIN, order=89)


async def _page(
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    lines = await facts.checklist()
    return form_page(
        "governance/golive.html",
        request,
        errors=errors,
        status_code=status_code,
        lines=lines,
        complete=golive.complete(lines),
        done=sum(1 for line in lines if line.done),
        values=values or {},
        saved=request.query_params.get("saved", ""),
    )


class GoLiveController(Controller):
    path = "/admin/go-live"
    opt = allow(Role.SYSTEM_ADMIN)

    @get("", name="golive")
    async def show(self, request: AnyRequest, code: FromQuery[str] = "") -> Template:
        return await _page(request, values={"code": code[:20], "to": user_of(request).email})

    @post("/test-email", name="golive_test_email")
    async def send(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await gov_services.send_test_email(
                user_of(request), data, settings_of(request), path=request.url.path
            )
        except Invalid as error:
            return await _page(
                request, errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                values=data,
            )  # fmt: skip
        return Redirect("/admin/go-live?saved=sent#test-email", status_code=303)

    @post("/test-email/received", name="golive_test_email_received")
    async def received(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await gov_services.confirm_test_email(user_of(request), data, path=request.url.path)
        except Invalid as error:
            return await _page(
                request, errors=error.errors, status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                values=data,
            )  # fmt: skip
        return Redirect("/admin/go-live?saved=received#test-email", status_code=303)


async def _home(user: CurrentUser) -> dict[str, Any]:
    lines = await facts.checklist()
    return {"golive_lines": lines, "golive_complete": golive.complete(lines)}


home.register("golive", "governance/home_golive.html", (Role.SYSTEM_ADMIN,), _home, order=5)

router = Router(path="/", route_handlers=[GoLiveController])
