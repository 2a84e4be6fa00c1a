import os
import subprocess
import sys

from governance.roles import Role
from governance.tables import Account, Person, RoleGrant, SignInSession
from tests import support
from tests.conftest import make_account


async def test_an_administrator_creates_an_adm_for_one_authority_with_a_one_time_password(
    client, sign_in, agency
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/admin/accounts/new",
        data={
            "name": "Helen Marsh",
            "email": "Helen.Marsh@Example.org",
            "roles": "adm",
            "adm_partners": str(agency["PCC"]),
        },
    )
    assert response.status_code == 201
    assert "One-time password for Helen Marsh" in response.text
    grant = await RoleGrant.select().where(RoleGrant.role == "adm").first()
    assert grant["partner"] == agency["PCC"]
    assert await Person.exists().where(Person.email == "helen.marsh@example.org")


async def test_an_adm_without_an_authority_is_refused_and_nothing_is_saved(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/admin/accounts/new",
        data={"name": "Helen Marsh", "email": "h@example.org", "roles": "adm"},
    )
    assert response.status_code == 422
    assert "Select at least one authority this agency decision maker decides for" in response.text
    assert await Account.count() == 1


async def test_a_duplicate_email_is_a_conflict_and_nothing_is_saved(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    await make_account(Role.PANEL_MEMBER, email="grace@example.org")
    response = await client.post(
        "/admin/accounts/new",
        data={"name": "Grace Again", "email": "GRACE@example.org", "roles": "panel_member"},
    )
    assert response.status_code == 409
    assert "already exists" in response.text
    assert await Account.count() == 2


async def test_two_administrators_editing_one_account_do_not_overwrite_each_other(
    client, sign_in
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    member = await make_account(Role.PANEL_MEMBER, name="Grace Adeyemi")
    first = await client.post(
        f"/admin/accounts/{member.account_id}",
        data={
            "name": "Grace A. Adeyemi",
            "email": member.email,
            "roles": "panel_member",
            "version": "1",
        },
        follow_redirects=False,
    )
    assert first.status_code == 303
    second = await client.post(
        f"/admin/accounts/{member.account_id}",
        data={
            "name": "Grace Smith",
            "email": member.email,
            "roles": ["panel_member", "auditor"],
            "version": "1",
        },
    )
    assert second.status_code == 409
    assert "Someone else changed this record" in second.text
    person = await Person.select(Person.name).where(Person.id == member.person_id).first()
    assert person["name"] == "Grace A. Adeyemi"
    assert await RoleGrant.count().where(RoleGrant.account == member.account_id) == 1


async def test_disabling_an_account_signs_that_person_out_everywhere(client, sign_in) -> None:
    from governance import auth
    from governance.settings import Settings

    await sign_in(Role.SYSTEM_ADMIN)
    member = await make_account(Role.PANEL_MEMBER)
    await auth.start_session(member.account_id, Settings.from_env())
    response = await client.post(
        f"/admin/accounts/{member.account_id}/disable", follow_redirects=False
    )
    assert response.status_code == 303
    assert not await SignInSession.exists().where(SignInSession.account == member.account_id)
    row = await Account.select(Account.disabled).where(Account.id == member.account_id).first()
    assert row["disabled"] is True


async def test_an_administrator_cannot_disable_their_own_account(client, sign_in) -> None:
    admin = await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(f"/admin/accounts/{admin.account_id}/disable")
    assert response.status_code == 409
    assert "You cannot disable your own account" in response.text


async def test_a_password_reset_issues_a_new_password_that_works(client, sign_in) -> None:
    from governance import auth

    await sign_in(Role.SYSTEM_ADMIN)
    member = await make_account(Role.PANEL_MEMBER)
    response = await client.post(f"/admin/accounts/{member.account_id}/reset-password")
    assert response.status_code == 200
    password = response.text.split("<code>")[1].split("</code>")[0]
    stored = (
        await Account.select(Account.password_hash).where(Account.id == member.account_id).first()
    )
    assert auth.password_matches(stored["password_hash"], password, cheap=True)


async def test_the_api_refuses_unknown_fields_with_400_and_creates_nothing(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/api/v1/accounts",
        json={"name": "X", "email": "x@example.org", "roles": ["auditor"], "is_superuser": True},
    )
    assert response.status_code == 400
    assert "is_superuser" in response.text
    assert await Account.count() == 1


async def test_the_api_refuses_malformed_json_with_400(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/api/v1/accounts", content=b'{"name": "X",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["status_code"] == 400


async def test_the_api_refuses_an_over_long_name_with_400(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    response = await client.post(
        "/api/v1/accounts", json={"name": "x" * 201, "email": "x@example.org", "roles": ["auditor"]}
    )
    assert response.status_code == 400
    assert await Account.count() == 1


async def test_the_api_creates_an_account_and_reports_a_duplicate_as_409(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    body = {"name": "Leo Fischer", "email": "leo@example.org", "roles": ["auditor"]}
    created = await client.post("/api/v1/accounts", json=body)
    assert created.status_code == 201
    assert created.json()["roles"] == [{"role": "auditor", "partner_id": None}]
    assert created.json()["one_time_password"]
    again = await client.post("/api/v1/accounts", json=body)
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]


async def test_the_api_refuses_a_stale_version_with_409(client, sign_in) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    member = await make_account(Role.PANEL_MEMBER, name="Grace")
    body = {"name": "Grace B", "email": member.email, "roles": ["panel_member"], "version": 5}
    response = await client.put(f"/api/v1/accounts/{member.account_id}", json=body)
    assert response.status_code == 409
    assert (await Person.select(Person.name).where(Person.id == member.person_id).first())[
        "name"
    ] == "Grace"


async def test_a_person_with_two_roles_sees_both_on_their_home_page(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER, Role.BOARD_MEMBER, name="Anita Brook")
    home = await client.get("/")
    assert "Panel member" in home.text and "Board member" in home.text


async def test_an_api_client_writes_with_the_csrf_token_from_the_me_endpoint(
    client, sign_in
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    del client.headers["x-csrftoken"]
    token = (await client.get("/api/v1/me")).json()["csrf_token"]
    assert token
    body = {"name": "Leo Fischer", "email": "leo@example.org", "roles": ["auditor"]}
    refused = await client.post("/api/v1/accounts", json=body)
    assert refused.status_code == 403
    created = await client.post("/api/v1/accounts", json=body, headers={"x-csrftoken": token})
    assert created.status_code == 201


_GRANTS = """
import asyncio
from governance.tables import RoleGrant
async def main():
    rows = await RoleGrant.select(RoleGrant.role, RoleGrant.partner)
    print(sorted((r["role"], r["partner"]) for r in rows))
asyncio.run(main())
"""


def test_create_user_makes_the_agencys_own_adm_and_says_how_to_add_a_missing_partner() -> None:
    url, data_dir = support.new_database("cli-adm")
    env = {**os.environ, "DATABASE_URL": url, "GOVERNANCE_DATA_DIR": str(data_dir),
           "ARGON2_CHEAP": "1"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*support.GOVERNANCE, *args], env=env, capture_output=True, text=True, timeout=120
        )

    try:
        assert run("migrate").returncode == 0
        missing = run("create-user", "--email", "a@example.org", "--name", "Ann",
                      "--role", "adm", "--adm-partner", "WC")  # fmt: skip
        assert missing.returncode != 0
        assert "No partner with code WC" in missing.stderr
        assert "--adm-partner agency" in missing.stderr
        made = run("create-user", "--email", "a@example.org", "--name", "Ann",
                   "--role", "adm", "--adm-partner", "agency")  # fmt: skip
        assert made.returncode == 0, made.stderr
        assert "One-time password" in made.stdout
        grants = subprocess.run(
            [sys.executable, "-c", _GRANTS], env=env, capture_output=True, text=True, timeout=60
        )
        assert grants.stdout.strip() == "[('adm', None)]"
    finally:
        support.drop_database(url, data_dir)
