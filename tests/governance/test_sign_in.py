from datetime import timedelta
from typing import Any

from governance import clock
from governance.roles import Role
from governance.tables import Account, AuditEntry, SignInSession
from tests.conftest import PASSWORD, make_account


async def _post_sign_in(client: Any, email: str, password: str) -> Any:
    await client.get("/sign-in")
    return await client.post(
        "/sign-in",
        data={"email": email, "password": password, "_csrf_token": client.cookies.get("csrftoken")},
        follow_redirects=False,
    )


async def test_a_person_with_the_right_password_reaches_their_home_page(client, agency) -> None:
    person = await make_account(Role.PANEL_ADVISER, name="Priya Raman")
    response = await _post_sign_in(client, person.email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert (
        "HttpOnly" in cookie
        and "Secure" in cookie
        and "SameSite=lax" in cookie.replace("Lax", "lax")
    )
    home = await client.get("/")
    assert home.status_code == 200
    assert "Welcome, Priya Raman" in home.text
    assert "Panel adviser" in home.text


async def test_a_wrong_password_is_refused_with_a_clear_message_and_no_session(
    client, agency
) -> None:
    person = await make_account(Role.PANEL_MEMBER)
    response = await _post_sign_in(client, person.email, "not the password")
    assert response.status_code == 401
    assert "The email address or password is not right" in response.text
    assert "There is a problem" in response.text  # the error summary
    assert not await SignInSession.exists()


async def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(client, agency) -> None:
    response = await _post_sign_in(client, "nobody@example.org", "whatever")
    assert response.status_code == 401
    assert "The email address or password is not right" in response.text


async def test_empty_fields_are_named_in_the_error_summary(client, agency) -> None:
    response = await _post_sign_in(client, "", "")
    assert response.status_code == 400
    assert 'href="#email"' in response.text and "Enter your email address" in response.text
    assert 'href="#password"' in response.text and "Enter your password" in response.text


async def test_a_disabled_account_cannot_sign_in_even_with_the_right_password(
    client, agency
) -> None:
    person = await make_account(Role.PANEL_MEMBER)
    await Account.update({Account.disabled: True}).where(Account.id == person.account_id)
    response = await _post_sign_in(client, person.email, PASSWORD)
    assert response.status_code == 403
    assert "This account has been disabled" in response.text
    assert not await SignInSession.exists()


async def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    client, agency
) -> None:
    person = await make_account(Role.PANEL_MEMBER)
    for _ in range(4):
        assert (await _post_sign_in(client, person.email, "wrong")).status_code == 401
    locked = await _post_sign_in(client, person.email, "wrong")
    assert locked.status_code == 429
    assert "locked after 5 failed attempts" in locked.text
    again = await _post_sign_in(client, person.email, PASSWORD)
    assert again.status_code == 429
    assert not await SignInSession.exists()
    failures = await AuditEntry.count().where(AuditEntry.action == "sign_in_failed")
    assert failures == 6


async def test_an_idle_session_expires_and_the_sign_in_page_says_why(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    await SignInSession.update(
        {SignInSession.last_seen_at: clock.now() - timedelta(minutes=31)}, force=True
    )
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2F&expired=1"
    page = await client.get(response.headers["location"])
    assert "Your session ended because you were inactive" in page.text
    assert not await SignInSession.exists()


async def test_signing_out_ends_the_session(client, sign_in) -> None:
    await sign_in(Role.PANEL_MEMBER)
    response = await client.post("/sign-out", follow_redirects=False)
    assert response.status_code == 303
    assert not await SignInSession.exists()
    assert (await client.get("/", follow_redirects=False)).status_code == 303


async def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(
    client, sign_in
) -> None:
    await sign_in(Role.SYSTEM_ADMIN)
    del client.headers["x-csrftoken"]
    response = await client.post(
        "/admin/accounts/new",
        data={"name": "Mallory", "email": "mallory@example.org", "roles": "auditor"},
    )
    assert response.status_code == 403
    assert "The form was out of date or did not come from this service" in response.text
    assert await Account.count() == 1


async def test_the_next_address_after_sign_in_stays_on_this_site(client, agency) -> None:
    person = await make_account(Role.AUDITOR)
    await client.get("/sign-in")
    response = await client.post(
        "/sign-in",
        data={
            "email": person.email,
            "password": PASSWORD,
            "next": "https://evil.example/",
            "_csrf_token": client.cookies.get("csrftoken"),
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


async def test_a_stranger_asking_for_a_page_is_sent_to_sign_in_and_back(client, agency) -> None:
    response = await client.get("/audit?actor=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Faudit%3Factor%3Dx"


async def test_a_stranger_calling_the_api_gets_401_json(client, agency) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Sign in to continue"
