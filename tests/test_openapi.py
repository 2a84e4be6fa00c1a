"""The OpenAPI schema says what the routes really answer, and OPTIONS and 405 name the methods an
address takes: each test is a mismatch the schema fuzzer (.ci/fuzz) found."""

from __future__ import annotations

from typing import Any

from board.web import ACTION_FILTERS
from governance.roles import Role

ERRORS_OF_THE_API = {"400", "401", "403", "404", "409", "422"}


def _schema(app: Any) -> dict[str, Any]:
    schema: dict[str, Any] = app.openapi_schema.to_schema()
    return schema


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_api_operation_documents_its_errors_as_json_problems(app) -> None:
    operations = [op for op in _operations(_schema(app)) if op[1].startswith("/api/")]
    assert len(operations) > 30
    for method, path, operation in operations:
        responses = operation["responses"]
        assert set(responses) >= ERRORS_OF_THE_API, (method, path)
        problem = responses["422"]["content"]["application/json"]["schema"]
        assert problem == {"$ref": "#/components/schemas/Problem"}, (method, path)


def test_every_page_documents_html_and_redirects_and_a_download_its_file_type(app) -> None:
    operations = {(m, p): op for m, p, op in _operations(_schema(app)) if not p.startswith("/api/")}
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        assert {"200", "303", "404", "422"} <= set(responses), (method, path)
        assert list(responses["404"]["content"]) == ["text/html"], (method, path)
    csv = operations[("GET", "/panel/members/export.csv")]["responses"]["200"]["content"]
    assert list(csv) == ["text/csv"]
    letter = operations[("GET", "/adm/referrals/{referral_id}/letter.pdf")]["responses"]
    assert list(letter["200"]["content"]) == ["application/pdf"]
    paper = operations[("GET", "/panel/items/papers/{version_id}")]["responses"]
    assert list(paper["200"]["content"]) == ["*/*"]  # a paper keeps the type it was uploaded as
    assert "401" in operations[("POST", "/sign-in")]["responses"]


def test_the_schema_does_not_describe_itself(app) -> None:
    assert not [path for path in _schema(app)["paths"] if path.startswith("/schema")]


def test_a_body_that_refuses_unknown_fields_says_so_with_the_limits_of_its_values(app) -> None:
    components = _schema(app)["components"]["schemas"]
    attendance = components["AttendanceIn"]
    assert attendance["additionalProperties"] is False
    assert attendance["properties"]["marks"]["additionalProperties"]["maxLength"] == 20
    assert components["PartnerUpdate"]["additionalProperties"] is False


def test_a_filter_documents_the_values_it_takes(app) -> None:
    paths = _schema(app)["paths"]
    status = paths["/api/v1/board/actions"]["get"]["parameters"][0]
    assert status["name"] == "status"
    assert status["schema"]["enum"] == list(ACTION_FILTERS)
    before = next(p for p in paths["/api/v1/audit"]["get"]["parameters"] if p["name"] == "before")
    assert before["schema"]["pattern"] == "^[0-9]{0,9}$"


async def test_options_names_every_method_of_the_address(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    for path, methods in (
        ("/api/v1/accounts", "GET, OPTIONS, POST"),
        ("/api/v1/accounts/1", "GET, OPTIONS, PUT"),
        ("/sign-in", "GET, OPTIONS, POST"),
    ):
        response = await client.options(path)
        assert response.status_code == 204
        assert response.headers["allow"] == methods, path


async def test_a_method_the_address_does_not_take_is_answered_405_with_allow(
    client, sign_in
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.request("TRACE", "/api/v1/accounts")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}


async def test_every_value_a_documented_filter_takes_is_accepted(client, sign_in) -> None:
    await sign_in(Role.BOARD_CHAIR)
    for value in ACTION_FILTERS:
        response = await client.get("/api/v1/board/actions", params={"status": value})
        assert response.status_code == 200, value
