"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from governance.demo import DEMO_PASSWORD


def sign_in(page: Any, email: str) -> None:
    """Sign in as a demo account through the sign-in page and wait for the home page."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
