"""Sign-in, the home page, accounts, the agency and its partners, the audit log, and their API."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlparse

import msgspec
from litestar import Controller, Request, Response, Router, get, post, put
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_201_CREATED,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
)
from litestar.utils.scope.state import ScopeState

from governance import audit, auth, clock, home, nav, oversize, services
from governance.auth import CurrentUser
from governance.errors import Conflict, Invalid
from governance.forms import NumberFilter, filter_number, form_data, version_of
from governance.guards import allow, public, signed_in
from governance.roles import PARTNER_SCOPED, ROLE_LABELS, Role
from governance.settings import Settings
from governance.templating import render_errors
from governance.validate import Whole

AnyRequest = Request[Any, Any, Any]

nav.add("Accounts", "/admin/accounts", Role.SYSTEM_ADMIN, order=90)
nav.add("Agency and partners", "/admin/agency", Role.SYSTEM_ADMIN, order=91)
nav.add("Audit log", "/audit", Role.AUDITOR, order=95)


def settings_of(request: AnyRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def user_of(request: AnyRequest) -> CurrentUser:
    user = request.scope.get("user")
    assert isinstance(user, CurrentUser)  # the access guard has let only signed-in users through
    return user


def _safe_next(target: str | None) -> str:
    # Only ever redirect to a path on this site, never to another host.
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def form_page(
    template: str,
    request: AnyRequest,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    errors = errors or {}
    # A file field's post that was too large to receive comes back here (governance.oversize).
    upload_field = context.pop("upload_field", None)
    if upload_field and not errors and request.query_params.get(oversize.TOO_LARGE_PARAM):
        errors = {upload_field: oversize.too_large_message(settings_of(request).upload_limit_mb)}
    return Template(
        template,
        context={"errors": errors, "error_list": render_errors(errors), **context},
        status_code=status_code,
    )


# ---------------------------------------------------------------- signing in and out


class SignInController(Controller):
    path = "/sign-in"
    opt = public()

    @get("", name="sign_in")
    async def show(
        self,
        request: AnyRequest,
        next_path: Annotated[str, QueryParameter(name="next")] = "/",
        expired: FromQuery[bool] = False,
    ) -> Template | Redirect:
        if request.scope.get("user") is not None:
            return Redirect(_safe_next(next_path), status_code=303)
        notice = "Your session ended because you were inactive. Sign in again." if expired else ""
        return form_page(
            "governance/sign_in.html",
            request,
            next_path=_safe_next(next_path),
            notice=notice,
            values={},
        )

    @post("", name="sign_in_submit")
    async def submit(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        settings = settings_of(request)
        email = str(data.get("email") or "").strip()[:254]
        password = str(data.get("password") or "")[:1000]
        target = _safe_next(str(data.get("next") or "/"))
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"
        if errors:
            return form_page(
                "governance/sign_in.html",
                request,
                errors=errors,
                status_code=400,
                next_path=target,
                values={"email": email},
            )
        result = await services.sign_in(
            email,
            password,
            attempts=settings.login_attempts,
            lockout_minutes=settings.lockout_minutes,
            cheap_hash=settings.argon2_cheap,
            path=request.url.path,
        )
        if result.outcome is services.SignInOutcome.OK:
            assert result.account_id is not None
            token = await auth.start_session(result.account_id, settings)
            return Redirect(
                target,
                status_code=303,
                cookies=[
                    Cookie(
                        key=auth.SESSION_COOKIE,
                        value=token,
                        httponly=True,
                        secure=settings.cookie_secure,
                        samesite="lax",
                        path="/",
                    )
                ],
            )
        if result.outcome is services.SignInOutcome.LOCKED:
            until = result.locked_until
            when = f"{until.astimezone(clock.LONDON):%H:%M}" if until else "later"
            message, status = (
                f"This account is locked after {settings.login_attempts} failed attempts. "
                f"Try again after {when}, or ask your system administrator to reset your password.",
                HTTP_429_TOO_MANY_REQUESTS,
            )
        elif result.outcome is services.SignInOutcome.DISABLED:
            message, status = (
                "This account has been disabled. Ask your system administrator if you still "
                "need access.",
                HTTP_403_FORBIDDEN,
            )
        else:
            message, status = (
                "The email address or password is not right. Check them and try again.",
                HTTP_401_UNAUTHORIZED,
            )
        return form_page(
            "governance/sign_in.html",
            request,
            errors={"email": message},
            status_code=status,
            next_path=target,
            values={"email": email},
        )


@post("/sign-out", name="sign_out", opt=signed_in())
async def sign_out(request: AnyRequest) -> Redirect:
    token = request.cookies.get(auth.SESSION_COOKIE)
    if token:
        await auth.end_session(token)
    await audit.record(user_of(request), "sign_out", "account", user_of(request).account_id)
    response = Redirect("/sign-in", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


@get("/healthz", name="health", opt=public(), include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/", name="home", opt=signed_in())
async def home_page(request: AnyRequest) -> Template:
    user = user_of(request)
    sections = await home.sections_for(user)
    return Template(
        "governance/home.html",
        context={"sections": sections, "agency": await services.agency(), "me": user},
    )


async def _admin_home(user: CurrentUser) -> dict[str, Any]:
    return {"counts": await services.account_counts(), "accounts": (await services.accounts())[:8]}


async def _auditor_home(user: CurrentUser) -> dict[str, Any]:
    return {"entries": await audit.entries(audit.AuditFilter(), limit=10)}


async def _roles_home(user: CurrentUser) -> dict[str, Any]:
    partners = {p["id"]: p["name"] for p in await services.partners()}
    return {
        "roles": sorted(user.roles, key=list(Role).index),
        "adm_partners": [
            *sorted(partners[p] for p in user.adm_partner_ids if p in partners),
            *(["the agency itself"] if user.adm_for_agency else []),
        ],
    }


home.register("you", "governance/home_you.html", tuple(Role), _roles_home, order=0)
home.register("accounts", "governance/home_admin.html", (Role.SYSTEM_ADMIN,), _admin_home, order=90)
home.register("audit", "governance/home_auditor.html", (Role.AUDITOR,), _auditor_home, order=95)


# ---------------------------------------------------------------- accounts


def _account_form_values(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"name": "", "email": "", "roles": [], "adm_partners": [], "version": ""}
    return {
        "name": row["name"],
        "email": row["email"],
        "roles": sorted({g.role.value for g in row["grants"]}),
        "adm_partners": [g.scope for g in row["grants"] if g.role in PARTNER_SCOPED],
        "version": row["version"],
    }


class AccountController(Controller):
    path = "/admin/accounts"
    opt = allow(Role.SYSTEM_ADMIN)

    async def _form(
        self,
        request: AnyRequest,
        template: str,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        return form_page(
            template,
            request,
            errors=errors,
            status_code=status_code,
            values=values,
            role_labels=ROLE_LABELS,
            partners=await services.partners(),
            **extra,
        )

    @get("", name="accounts")
    async def index(self) -> Template:
        return Template(
            "governance/accounts.html",
            context={"accounts": await services.accounts(), "role_labels": ROLE_LABELS},
        )

    @get("/new", name="account_new")
    async def new(self, request: AnyRequest) -> Template:
        return await self._form(request, "governance/account_new.html", _account_form_values(None))

    @post("/new", name="account_create")
    async def create(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        settings = settings_of(request)
        try:
            account_id, password = await services.create_account(
                user_of(request), data, cheap_hash=settings.argon2_cheap, path=request.url.path
            )
        except Invalid as error:
            return await self._form(
                request,
                "governance/account_new.html",
                data,
                error.errors,
                HTTP_422_UNPROCESSABLE_ENTITY,
            )
        except Conflict as error:
            return await self._form(
                request,
                "governance/account_new.html",
                data,
                {error.field or "email": error.message},
                HTTP_409_CONFLICT,
            )
        return Template(
            "governance/password_issued.html",
            context={
                "account": await services.account(account_id),
                "password": password,
                "created": True,
            },
            status_code=HTTP_201_CREATED,
        )

    @get("/{account_id:int}", name="account")
    async def show(self, request: AnyRequest, account_id: FromPath[int]) -> Template:
        row = await services.account(account_id)
        await audit.record(user_of(request), "view", "account", account_id, path=request.url.path)
        return await self._form(
            request, "governance/account.html", _account_form_values(row), account=row
        )

    @post("/{account_id:int}", name="account_update")
    async def update(self, request: AnyRequest, account_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        row = await services.account(account_id)
        try:
            await services.update_account(
                user_of(request), account_id, version_of(data), data, path=request.url.path
            )
        except Invalid as error:
            return await self._form(
                request,
                "governance/account.html",
                data,
                error.errors,
                HTTP_422_UNPROCESSABLE_ENTITY,
                account=row,
            )
        except Conflict as error:
            return await self._form(
                request,
                "governance/account.html",
                data,
                {error.field or "form": error.message},
                HTTP_409_CONFLICT,
                account=row,
            )
        return Redirect(f"/admin/accounts/{account_id}?saved=1", status_code=303)

    @post("/{account_id:int}/disable", name="account_disable")
    async def disable(self, request: AnyRequest, account_id: FromPath[int]) -> Redirect:
        await services.set_disabled(user_of(request), account_id, True, path=request.url.path)
        return Redirect(f"/admin/accounts/{account_id}?saved=1", status_code=303)

    @post("/{account_id:int}/enable", name="account_enable")
    async def enable(self, request: AnyRequest, account_id: FromPath[int]) -> Redirect:
        await services.set_disabled(user_of(request), account_id, False, path=request.url.path)
        return Redirect(f"/admin/accounts/{account_id}?saved=1", status_code=303)

    @post("/{account_id:int}/reset-password", name="account_reset_password")
    async def reset(self, request: AnyRequest, account_id: FromPath[int]) -> Template:
        password = await services.reset_password(
            user_of(request),
            account_id,
            cheap_hash=settings_of(request).argon2_cheap,
            path=request.url.path,
        )
        return Template(
            "governance/password_issued.html",
            context={
                "account": await services.account(account_id),
                "password": password,
                "created": False,
            },
        )


# ---------------------------------------------------------------- agency and partners


class AgencyController(Controller):
    path = "/admin/agency"
    opt = allow(Role.SYSTEM_ADMIN)

    async def _page(
        self,
        request: AnyRequest,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
        **values: Any,
    ) -> Template:
        partners = await services.partners()
        shares = await services.funding_shares()
        return form_page(
            "governance/agency.html",
            request,
            closures=await services.closure_days(),
            errors=errors,
            status_code=status_code,
            agency=await services.agency(),
            partners=partners,
            shares=shares,
            kinds=services.PARTNER_KIND_LABELS,
            values=values,
            this_year=clock.today().year if clock.today().month >= 4 else clock.today().year - 1,
        )

    @get("", name="agency")
    async def show(self, request: AnyRequest) -> Template:
        return await self._page(request)

    @post("/partners", name="partner_create")
    async def create_partner(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.create_partner(user_of(request), data, path=request.url.path)
        except Invalid as error:
            return await self._page(request, error.errors, HTTP_422_UNPROCESSABLE_ENTITY, **data)
        except Conflict as error:
            return await self._page(
                request, {error.field or "name": error.message}, HTTP_409_CONFLICT, **data
            )
        return Redirect("/admin/agency?saved=1", status_code=303)

    @get("/partners/{partner_id:int}", name="partner")
    async def partner(self, request: AnyRequest, partner_id: FromPath[int]) -> Template:
        row = await services.partner(partner_id)
        return form_page(
            "governance/partner.html",
            request,
            partner=row,
            values=row,
            kinds=services.PARTNER_KIND_LABELS,
        )

    @post("/partners/{partner_id:int}", name="partner_update")
    async def update_partner(self, request: AnyRequest, partner_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        row = await services.partner(partner_id)
        try:
            await services.update_partner(
                user_of(request), partner_id, version_of(data), data, path=request.url.path
            )
        except Invalid as error:
            return form_page(
                "governance/partner.html",
                request,
                errors=error.errors,
                status_code=HTTP_422_UNPROCESSABLE_ENTITY,
                partner=row,
                values={**row, **data},
                kinds=services.PARTNER_KIND_LABELS,
            )
        except Conflict as error:
            return form_page(
                "governance/partner.html",
                request,
                errors={error.field or "name": error.message},
                status_code=HTTP_409_CONFLICT,
                partner=row,
                values={**row, **data},
                kinds=services.PARTNER_KIND_LABELS,
            )
        return Redirect("/admin/agency?saved=1", status_code=303)

    @post("/partners/{partner_id:int}/remove", name="partner_remove")
    async def remove_partner(self, request: AnyRequest, partner_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        row = await services.partner(partner_id)
        try:
            await services.remove_partner(
                user_of(request), partner_id, version_of(data), path=request.url.path
            )
        except Conflict as error:
            return form_page(
                "governance/partner.html",
                request,
                errors={error.field or "remove": error.message},
                status_code=HTTP_409_CONFLICT,
                partner=row,
                values=row,
                kinds=services.PARTNER_KIND_LABELS,
            )
        return Redirect("/admin/agency?saved=1", status_code=303)

    @post("/closures", name="closure_create")
    async def add_closure(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        try:
            await services.add_closure_day(user_of(request), data, path=request.url.path)
        except Invalid as error:
            return await self._page(request, error.errors, HTTP_422_UNPROCESSABLE_ENTITY, **data)
        except Conflict as error:
            return await self._page(
                request, {error.field or "day": error.message}, HTTP_409_CONFLICT, **data
            )
        return Redirect("/admin/agency?saved=1#closures", status_code=303)

    @post("/closures/{closure_id:int}/remove", name="closure_remove")
    async def remove_closure(self, request: AnyRequest, closure_id: FromPath[int]) -> Redirect:
        await services.remove_closure_day(user_of(request), closure_id, path=request.url.path)
        return Redirect("/admin/agency?saved=1#closures", status_code=303)

    @post("/funding", name="funding_update")
    async def funding(self, request: AnyRequest) -> Response[Any]:
        data = await form_data(request)
        year_text = str(data.get("financial_year", ""))
        raw = {
            int(k.removeprefix("share-")): v
            for k, v in data.items()
            if k.startswith("share-") and k.removeprefix("share-").isdigit()
        }
        try:
            year = int(year_text)
        except ValueError:
            return await self._page(
                request,
                {"financial_year": "Financial year must be a year like 2026"},
                HTTP_422_UNPROCESSABLE_ENTITY,
            )
        try:
            await services.set_funding_shares(user_of(request), year, raw, path=request.url.path)
        except Invalid as error:
            return await self._page(
                request,
                error.errors,
                HTTP_422_UNPROCESSABLE_ENTITY,
                **{**data, "financial_year": year_text},
            )
        return Redirect("/admin/agency?saved=1#funding", status_code=303)


# ---------------------------------------------------------------- audit log


async def _audit_filter(
    actor: str, action: str, record_type: str, path: str, since: str, until: str
) -> tuple[audit.AuditFilter, dict[str, str]]:
    """The filter, and what is wrong with it: a date that is not a real date, or an action or a
    record the log has never held, is said on the page rather than quietly ignored."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key, value in (("since", since), ("until", until)):
        try:
            days[key] = date.fromisoformat(value) if value else None
        except ValueError:
            errors[key] = "Enter a real date, like 2026-11-23"
            days[key] = None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        errors["until"] = "The end date must be the same as or after the start date"
    actions, types = await audit.actions_and_types()
    if action and action not in actions:
        errors["action"] = f"The log has no action '{action[:60]}': choose one from the list"
    if record_type and record_type not in types:
        errors["record_type"] = (
            f"The log has no record '{record_type[:60]}': choose one from the list"
        )
    return audit.AuditFilter(
        actor=actor[:200],
        action=action[:40],
        record_type=record_type[:60],
        path=path[:500],
        since=days["since"],
        until=days["until"],
    ), errors


@get("/audit", name="audit", opt=allow(Role.AUDITOR))
async def audit_page(
    request: AnyRequest,
    actor: FromQuery[str] = "",
    action: FromQuery[str] = "",
    record_type: FromQuery[str] = "",
    path: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
    before: NumberFilter = "",
) -> Template:
    page_from = filter_number("before", before)
    flt, errors = await _audit_filter(actor, action, record_type, path, since, until)
    rows = await audit.entries(flt, limit=51, before_id=page_from) if not errors else []
    actions, types = await audit.actions_and_types()
    await audit.record(
        user_of(request),
        "view",
        "audit_log",
        "",
        path=request.url.path,
        summary=str(request.url.query),
    )
    return form_page(
        "governance/audit.html",
        request,
        errors=errors,
        status_code=HTTP_422_UNPROCESSABLE_ENTITY if errors else 200,
        entries=rows[:50],
        more=rows[50]["id"] + 1 if len(rows) > 50 else None,
        actions=actions,
        types=types,
        values=asdict(flt) | {"since": since, "until": until},
        query={
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "path": path,
            "since": since,
            "until": until,
        },
    )


router = Router(
    path="/",
    route_handlers=[
        SignInController,
        sign_out,
        health,
        home_page,
        AccountController,
        AgencyController,
        audit_page,
    ],
)


# ---------------------------------------------------------------- JSON API


class PartnerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    kind: Annotated[str, msgspec.Meta(max_length=40)]
    is_host: bool = False


class PartnerUpdate(PartnerIn, forbid_unknown_fields=True):
    version: Whole = 0


class AccountIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]
    roles: Annotated[list[str], msgspec.Meta(min_length=1, max_length=len(Role))]
    adm_partners: list[Whole] = msgspec.field(default_factory=list)


class AccountUpdate(AccountIn, forbid_unknown_fields=True):
    version: Whole = 0


def _account_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "disabled": row["disabled"],
        "version": row["version"],
        "roles": [{"role": g.role.value, "partner_id": g.partner_id} for g in row["grants"]],
    }


@get("/me", name="api_me", opt=signed_in())
async def api_me(request: AnyRequest) -> dict[str, Any]:
    user = user_of(request)
    token = ScopeState.from_scope(request.scope).csrf_token
    return {
        "account_id": user.account_id,
        "name": user.name,
        "email": user.email,
        "roles": sorted(user.roles),
        "adm_partner_ids": sorted(user.adm_partner_ids),
        "csrf_token": token if isinstance(token, str) else None,
    }


@get("/agency", name="api_agency", opt=signed_in())
async def api_agency() -> dict[str, Any]:
    agency = await services.agency()
    return {"agency": agency, "partners": await services.partners()}


@get("/partners", name="api_partners", opt=signed_in())
async def api_partners() -> list[dict[str, Any]]:
    return await services.partners()


@post("/partners", name="api_partner_create", opt=allow(Role.SYSTEM_ADMIN))
async def api_partner_create(
    request: AnyRequest, data: JSONBody[PartnerIn]
) -> Response[dict[str, Any]]:
    partner_id = await services.create_partner(
        user_of(request), msgspec.structs.asdict(data), path=request.url.path
    )
    return Response(await services.partner(partner_id), status_code=HTTP_201_CREATED)


@put("/partners/{partner_id:int}", name="api_partner_update", opt=allow(Role.SYSTEM_ADMIN))
async def api_partner_update(
    request: AnyRequest, partner_id: FromPath[int], data: JSONBody[PartnerUpdate]
) -> dict[str, Any]:
    values = msgspec.structs.asdict(data)
    await services.update_partner(
        user_of(request), partner_id, values.pop("version"), values, path=request.url.path
    )
    return await services.partner(partner_id)


@get("/accounts", name="api_accounts", opt=allow(Role.SYSTEM_ADMIN))
async def api_accounts() -> list[dict[str, Any]]:
    return [_account_json(row) for row in await services.accounts()]


@get("/accounts/{account_id:int}", name="api_account", opt=allow(Role.SYSTEM_ADMIN))
async def api_account(account_id: FromPath[int]) -> dict[str, Any]:
    return _account_json(await services.account(account_id))


@post("/accounts", name="api_account_create", opt=allow(Role.SYSTEM_ADMIN))
async def api_account_create(
    request: AnyRequest, data: JSONBody[AccountIn]
) -> Response[dict[str, Any]]:
    account_id, password = await services.create_account(
        user_of(request),
        msgspec.structs.asdict(data),
        cheap_hash=settings_of(request).argon2_cheap,
        path=request.url.path,
    )
    body = _account_json(await services.account(account_id)) | {"one_time_password": password}
    return Response(body, status_code=HTTP_201_CREATED)


@put("/accounts/{account_id:int}", name="api_account_update", opt=allow(Role.SYSTEM_ADMIN))
async def api_account_update(
    request: AnyRequest, account_id: FromPath[int], data: JSONBody[AccountUpdate]
) -> dict[str, Any]:
    values = msgspec.structs.asdict(data)
    await services.update_account(
        user_of(request), account_id, values.pop("version"), values, path=request.url.path
    )
    return _account_json(await services.account(account_id))


@get("/audit", name="api_audit", opt=allow(Role.AUDITOR))
async def api_audit(
    request: AnyRequest,
    actor: FromQuery[str] = "",
    action: FromQuery[str] = "",
    record_type: FromQuery[str] = "",
    path: FromQuery[str] = "",
    since: FromQuery[str] = "",
    until: FromQuery[str] = "",
    before: NumberFilter = "",
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    page_from = filter_number("before", before)
    flt, errors = await _audit_filter(actor, action, record_type, path, since, until)
    if errors:
        raise Invalid(errors)
    await audit.record(user_of(request), "view", "audit_log", "", path=request.url.path)
    return await audit.entries(flt, limit=limit, before_id=page_from)


api_router = Router(
    path="/api/v1",
    route_handlers=[
        api_me,
        api_agency,
        api_partners,
        api_partner_create,
        api_partner_update,
        api_accounts,
        api_account,
        api_account_create,
        api_account_update,
        api_audit,
    ],
)
