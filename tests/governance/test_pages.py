from typing import Any

import pytest

from governance import services
from governance.roles import Role


async def test_an_unknown_address_gets_a_friendly_404_page(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Traceback" not in response.text


async def test_an_unknown_record_gets_a_friendly_404_page(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.get("/admin/accounts/424242")
    assert response.status_code == 404
    assert "Page not found" in response.text


async def test_an_unexpected_failure_gets_a_friendly_500_page_without_details(
    client, sign_in, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)

    async def broken() -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "accounts", broken)
    response = await client.get("/admin/accounts")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "database on fire" not in response.text


async def test_the_api_answers_errors_in_json(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.get("/api/v1/accounts/424242")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


async def test_the_openapi_schema_lists_the_api_for_signed_in_people_only(client, sign_in) -> None:
    assert (await client.get("/schema/openapi.json")).status_code == 401
    await sign_in(Role.PANEL_MEMBER)
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/partners" in schema["paths"]
    assert schema["info"]["title"] == "Adoption panel and governance API"


async def test_the_api_documentation_page_uses_only_this_services_assets(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    assert "/assets/swagger/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text.replace("https://testserver.local", "")


async def test_each_role_sees_only_its_own_navigation(client, sign_in) -> None:
    await sign_in(Role.AUDITOR)
    home = await client.get("/")
    assert 'href="/audit"' in home.text
    assert 'href="/admin/accounts"' not in home.text


async def test_pages_say_they_must_not_be_cached_and_must_not_be_framed(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    response = await client.get("/")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
