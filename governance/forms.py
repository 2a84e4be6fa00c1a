"""Reading HTML form posts into plain dicts, and the context every form page needs."""

from __future__ import annotations

from typing import Any

from litestar import Request

MULTI_VALUED = frozenset({"roles", "adm_partners"})


async def form_data(
    request: Request[Any, Any, Any], multi: frozenset[str] = MULTI_VALUED
) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        data[key] = form.getall(key) if key in multi else form.get(key)
    return data


def version_of(data: dict[str, Any]) -> int:
    try:
        return int(str(data.get("version", "")))
    except ValueError:
        return -1
