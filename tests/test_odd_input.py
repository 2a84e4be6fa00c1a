"""Odd input is the asker's mistake, never the service's: numbers too large for any id, years no
panel could sit in, JSON nested without end and filters with values they cannot take answer 4xx."""

from __future__ import annotations

import html
import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from governance import guards
from governance.roles import Role
from tests.conftest import make_account, sign_in_client

HUGE = (2**63, 2**64, -(2**63) - 1)


def _routes_with_ids(app: Litestar) -> list[tuple[str, str, Role]]:
    found: list[tuple[str, str, Role]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or ":int}" not in route.path:
            continue
        for handler in route.route_handlers:
            access = guards.declared(handler)
            assert access is not None
            role = Role.SYSTEM_ADMIN if not access.roles else sorted(access.roles)[0]
            for method in sorted(handler.http_methods):
                found.append((method, route.path, role))
    return found


async def test_every_route_with_an_id_answers_4xx_to_a_number_no_id_can_be(client, agency) -> None:
    routes = _routes_with_ids(client.app)
    assert len(routes) > 50
    jars = {}
    for role in {role for _, _, role in routes}:
        person = await make_account(role, name=f"Odd {role.value}", partners=tuple(agency.values()))
        client.cookies.clear()
        await sign_in_client(client, person)
        jars[role] = dict(client.cookies)
    failures = []
    for method, template, role in routes:
        for number in HUGE:
            path = re.sub(r"\{\w+:int\}", str(number), template)
            path = re.sub(r"\{\w+:\w+\}", "missing", path)
            client.cookies.clear()
            for name, value in jars[role].items():
                client.cookies.set(name, value)
            response = await client.request(
                method,
                path,
                follow_redirects=False,
                headers={"x-csrftoken": jars[role].get("csrftoken", "")},
            )
            if not 400 <= response.status_code < 500:
                failures.append(f"{role.value} {method} {path}: {response.status_code}")
    assert failures == []


@pytest.mark.parametrize("year", ["-1", "0", "1999", "2101", "9999", "99999999999999999999"])
async def test_a_meetings_list_for_a_year_no_panel_could_sit_in_is_refused(
    client, sign_in, year
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await client.get(f"/panel/meetings?year={year}")
    assert response.status_code == 400
    assert "year" in response.text


async def test_a_meetings_list_for_a_real_year_is_shown(client, sign_in) -> None:
    await sign_in(Role.PANEL_ADVISER)
    assert (await client.get("/panel/meetings?year=2027")).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/panel/meetings", "/api/v1/board/actions", "/panel/meetings/new"]
)
async def test_json_nested_ten_thousand_deep_is_refused(client, sign_in, path) -> None:
    await sign_in(Role.PANEL_ADVISER, Role.BOARD_CHAIR)
    for body in ("[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        response = await client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("state=bogus", "'state' cannot be 'bogus'"),
        ("partner=abc", "'partner' cannot be 'abc'"),
        ("kind=zzz", "'kind' cannot be 'zzz'"),
        ("adm=-4", "'adm' cannot be '-4'"),
        ("partner=99999999999999999999", "partner"),
    ],
)
async def test_a_clocks_filter_given_a_value_it_cannot_take_says_so(
    client, sign_in, query, named
) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await client.get(f"/adm/clocks?{query}")
    assert response.status_code == 400
    assert named in html.unescape(response.text)


async def test_the_clocks_filters_still_take_their_own_values(client, sign_in, agency) -> None:
    await sign_in(Role.PANEL_ADVISER)
    for query in ("", "state=all", "state=met", f"partner={agency['PCC']}", "kind=adm_decision"):
        assert (await client.get(f"/adm/clocks?{query}")).status_code == 200, query


async def test_an_actions_filter_given_a_value_it_cannot_take_says_so(client, sign_in) -> None:
    await sign_in(Role.BOARD_CHAIR)
    page = await client.get("/board/actions?status=bogus")
    assert page.status_code == 400 and "'status' cannot be 'bogus'" in html.unescape(page.text)
    api = await client.get("/api/v1/board/actions?status=bogus")
    assert api.status_code == 400 and api.json()["errors"][0]["key"] == "status"
    assert (await client.get("/board/actions?status=overdue")).status_code == 200


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-02-31", "since", "Enter a real date"),
        ("until=yesterday", "until", "Enter a real date"),
        ("since=2026-12-03&until=2026-12-01", "until", "same as or after the start date"),
        ("action=bogus", "action", "The log has no action 'bogus'"),
        ("record_type=bogus", "record_type", "The log has no record 'bogus'"),
    ],
)
async def test_an_audit_filter_given_a_value_it_cannot_take_says_so_on_the_page(
    client, sign_in, query, field, message
) -> None:
    await sign_in(Role.AUDITOR)
    page = await client.get(f"/audit?{query}")
    assert page.status_code == 422
    text = html.unescape(page.text)
    assert "govuk-error-summary" in text and f'href="#{field}"' in text and message in text
    api = await client.get(f"/api/v1/audit?{query}")
    assert api.status_code == 422 and field in api.text


@pytest.mark.parametrize("before", ["abc", "-1", "99999999999999999999"])
async def test_an_audit_page_from_an_entry_no_entry_can_be_is_refused(
    client, sign_in, before
) -> None:
    await sign_in(Role.AUDITOR)
    for path in ("/audit", "/api/v1/audit"):
        response = await client.get(path, params={"before": before})
        assert response.status_code == 400, path
        assert f"'before' cannot be '{before}'" in html.unescape(response.text), path


async def test_the_audit_filters_still_take_their_own_values(client, sign_in) -> None:
    await sign_in(Role.AUDITOR)
    await client.get("/audit")  # the viewing is recorded: action "view", record "audit_log"
    for query in (
        "actor=Ann&path=/audit&since=2026-01-01&until=2027-12-31",
        "action=view&record_type=audit_log",
        "before=1000",
    ):
        assert (await client.get(f"/audit?{query}")).status_code == 200, query


@pytest.mark.parametrize("query", ["moved=abc", "stuck=-2", "moved=1e3"])
async def test_the_assignments_counts_given_text_are_refused(client, sign_in, query) -> None:
    await sign_in(Role.PANEL_ADVISER)
    response = await client.get(f"/adm/assignments?{query}")
    assert response.status_code == 400
    name, value = query.split("=")
    assert f"'{name}' cannot be '{value}'" in html.unescape(response.text)
    assert (await client.get("/adm/assignments?moved=2&stuck=1")).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/board/actions",
            {"meeting_id": 60559954418039765321787662925824, "description": "x"},
        ),
        ("/api/v1/board/actions", {"meeting_id": 2**31, "description": "x"}),
        ("/api/v1/panel/meetings/1/roster", {"members": [2**40], "chair": 1}),
        ("/api/v1/panel/policies", {"effective_from": "", "note": "n", "quorum_minimum": 2**63}),
    ],
)
async def test_a_number_in_a_json_body_too_large_for_any_column_is_refused(
    client, sign_in, path, body
) -> None:
    # Found by the schema fuzzer: a meeting id of 6 x 10^31 reached SQLite and answered 500.
    await sign_in(Role.PANEL_ADVISER, Role.BOARD_CHAIR)
    response = await client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert "2147483647" in response.text


async def test_a_form_with_a_version_too_large_for_any_column_is_refused_in_words(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        f"/admin/agency/partners/{agency['PCC']}",
        data={
            "name": "Peterborough",
            "code": "PCC",
            "kind": "local_authority",
            "version": "9" * 30,
        },
    )
    assert response.status_code == 400
    assert "larger than the service can hold" in html.unescape(response.text)
