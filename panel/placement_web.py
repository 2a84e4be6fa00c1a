"""The adviser's page recording what lets the panel recommend a match (AAR reg 32(5)): the
agency's authority to place the child, and the adopters' approval."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from governance import audit
from governance.errors import Conflict, Invalid
from governance.forms import form_data, version_of
from governance.guards import allow
from governance.roles import Role
from governance.web import form_page, user_of
from panel import agenda, placement, services
from panel.agenda_web import _errors
from panel.rules.placement import AUTHORITY_LABELS

AnyRequest = Request[Any, Any, Any]


async def _page(
    request: AnyRequest,
    item_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    item = await agenda.item(item_id)
    meeting = await services.meeting(item["meeting"])
    record = await placement.authority_of(item_id)
    check = await placement.check_match(item_id, meeting["day"])
    await audit.record(
        user_of(request), "view", "placement_authority", item_id, path=request.url.path
    )
    shown = values or {
        "authority": (record or {}).get("authority", ""),
        "authorised_on": d.isoformat() if (d := (record or {}).get("authorised_on")) else "",
        "adopters_approved_on": d.isoformat()
        if (d := (record or {}).get("adopters_approved_on"))
        else "",
        "note": (record or {}).get("note", ""),
    }
    return form_page(
        "panel/placement_authority.html", request, errors=errors, status_code=status_code,
        item=item, meeting=meeting, record=record, check=check, values=shown,
        version=(record or {}).get("version", 0), labels=AUTHORITY_LABELS,
        is_adviser=user_of(request).has(Role.PANEL_ADVISER),
        saved=request.query_params.get("saved"),
    )  # fmt: skip


class PlacementAuthorityController(Controller):
    path = "/items/{item_id:int}/placement-authority"
    opt = allow(Role.PANEL_ADVISER, Role.PANEL_ADMINISTRATOR)

    @get("", name="panel:placement_authority")
    async def show(self, request: AnyRequest, item_id: FromPath[int]) -> Template:
        return await _page(request, item_id)

    @post("", name="panel:placement_authority_save", opt=allow(Role.PANEL_ADVISER))
    async def save(self, request: AnyRequest, item_id: FromPath[int]) -> Response[Any]:
        data = await form_data(request)
        try:
            await placement.save_authority(
                user_of(request), item_id, version_of(data), data, path=request.url.path
            )
        except (Invalid, Conflict) as error:
            errors, status = _errors(error)
            return await _page(request, item_id, errors=errors, status_code=status, values=data)
        return Redirect(f"/panel/items/{item_id}/placement-authority?saved=1", status_code=303)


route_handlers = [PlacementAuthorityController]
