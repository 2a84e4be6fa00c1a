"""Every page a role reaches from its home page, and one step on, is usable on a phone: at 390 px
wide nothing makes the page itself scroll sideways (a wide table scrolls inside its own labelled,
keyboard-focusable region)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from governance.demo import DEMO_ACCOUNTS
from tests.browser.axe import serious_violations
from tests.browser.pages import sign_in

pytestmark = pytest.mark.browser

WIDTH = 390
DEPTH = 2  # the home page's links, and the links on those pages
ROLES = [email for _, email, _, _ in DEMO_ACCOUNTS]
# Files, feeds and the way out are not pages.
NOT_PAGES = (".docx", ".pdf", ".ics", ".csv", ".zip", ".xlsx", "/download", "/sign-out", "/feed")


def _links(page: Any) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, a fragment or mailto
        if any(word in parts.path for word in NOT_PAGES) or parts.path.startswith("/static"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(found))


def _too_wide(page: Any) -> str:
    """What sticks out past the screen's right edge and is not clipped by a scrolling box, to
    name it in the failure."""
    return str(
        page.evaluate(
            """() => {
                const clipped = e => {
                    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                        if (getComputedStyle(p).overflowX !== 'visible') return true;
                    }
                    return false;
                };
                const found = [];
                const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const range = document.createRange();
                    range.selectNode(n);
                    const right = n.nodeType === 1 ? n.getBoundingClientRect().right
                        : range.getBoundingClientRect().right;
                    const element = n.nodeType === 1 ? n : n.parentElement;
                    if (right > window.innerWidth + 1 && element && !clipped(n)) {
                        found.push(element.tagName + '.' + element.className + ' "' +
                            (n.textContent || '').trim().slice(0, 40) + '" ' + Math.round(right));
                    }
                }
                return found.slice(-3).join('; ');
            }"""
        )
    )


@pytest.mark.parametrize("email", ROLES)
def test_every_page_reached_from_a_roles_home_page_fits_390_pixels(
    browser: Any, email: str
) -> None:
    browser.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(browser, email)
    overflowing = []
    visited = 0
    seen: set[str] = set()
    queue = [("/", 0)]
    while queue:
        path, depth = queue.pop(0)
        # One page of each kind: /adm/referrals/7 stands for every referral.
        kind = re.sub(r"/\d+", "/N", path.split("?")[0])
        if kind in seen:
            continue
        seen.add(kind)
        try:
            response = browser.goto(path)
        except Exception:  # a download starts instead of a page
            continue
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if response.status >= 400:
            continue  # refused pages are the access matrix's business
        visited += 1
        width = browser.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            overflowing.append(f"{path}: {width} px ({_too_wide(browser)})")
        if depth < DEPTH:
            queue += [(link, depth + 1) for link in _links(browser)]
    assert visited > 1
    assert overflowing == []


def test_the_referral_page_and_the_queue_scroll_their_tables_in_labelled_regions(
    browser: Any,
) -> None:
    browser.set_viewport_size({"width": WIDTH, "height": 844})
    sign_in(browser, "adm@demo.example")
    browser.goto("/adm/queue")
    assert browser.evaluate("document.documentElement.scrollWidth") <= WIDTH
    region = browser.locator(".app-table-scroll[role=region]").first
    assert region.get_attribute("aria-label")
    assert region.get_attribute("tabindex") == "0"
    assert serious_violations(browser) == []
    link = browser.locator("main a[href^='/adm/referrals/']").first
    link.click()
    browser.wait_for_url("**/adm/referrals/**")
    assert browser.evaluate("document.documentElement.scrollWidth") <= WIDTH
    clocks = browser.locator(".app-table-scroll[role=region]").first
    assert clocks.get_attribute("aria-label")
    assert serious_violations(browser) == []
