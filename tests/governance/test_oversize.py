"""Where a form post too large to receive is sent back to (governance.oversize.back_to_form)."""

from governance.oversize import back_to_form, too_large_message

PAGES = {"/panel/items/5", "/panel/central-list/import"}


def shows(path: str) -> bool:
    return path in PAGES


def test_a_post_goes_back_to_the_page_it_came_from_marked_too_large() -> None:
    back = back_to_form(
        "https://x.example/panel/items/5?saved=paper", "/panel/items/5/papers", shows
    )
    assert back == "/panel/items/5?too_large=1"


def test_a_form_shown_again_at_its_post_address_goes_back_to_the_page_above() -> None:
    back = back_to_form("https://x.example/panel/items/5/papers", "/panel/items/5/papers", shows)
    assert back == "/panel/items/5?too_large=1"


def test_a_form_whose_post_address_is_also_its_page_goes_back_there() -> None:
    import_page = "/panel/central-list/import"
    assert back_to_form(f"https://x.example{import_page}", "/panel/other", shows) == (
        f"{import_page}?too_large=1"
    )


def test_no_page_another_site_or_an_unknown_address_gets_no_redirect() -> None:
    assert back_to_form("", "/panel/items/5/papers", shows) is None
    assert back_to_form("https://evil.example//evil.example/x", "/p", shows) is None
    assert back_to_form("https://x.example/\\evil.example", "/p", shows) is None
    assert back_to_form("https://x.example/not/a/page", "/p", shows) is None


def test_the_message_gives_the_limit_in_words() -> None:
    assert too_large_message(25).startswith("The file is larger than 25 MB")
