"""A form post too large to receive goes back to its form with the limit in words.

Past the limit the service stops reading a body, so the page's own handler never runs and the user
would see the server's bare "Request Entity Too Large". Browsers say how large a post is before
sending it (Content-Length), so a post over the limit is read to its end without being kept (so the
browser sees the answer rather than a broken connection) and answered with a redirect to the page
it came from, which shows the file field's error. Nothing is stored or changed. The JSON API and a
post without a same-site page to go back to keep the plain 413 answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

TOO_LARGE_PARAM = "too_large"
# A body this many times the limit is not read to its end: the connection is closed instead.
DRAIN_FACTOR = 4


def too_large_message(limit_mb: int) -> str:
    """Why a file too large to be received at all was refused (its real size is not known)."""
    return (
        f"The file is larger than {limit_mb} MB, the most the service accepts. Reduce the size of"
        " its pictures or split it into parts, then upload it again"
    )


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


def back_to_form(referer: str, posted_to: str, shows: Callable[[str], bool]) -> str | None:
    """The page a refused post goes back to: the Referer's own path on this site (or, where the
    form had been shown again at the address it posts to, the page above it), if `shows` says
    it is a page; with the refusal marked in its query. None if there is no such page."""
    if not referer:
        return None
    parts = urlsplit(referer)
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if path == posted_to:
        path = path.rsplit("/", 1)[0] or "/"
    if not shows(path):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in (TOO_LARGE_PARAM, "saved")]
    query.append((TOO_LARGE_PARAM, "1"))
    return f"{path}?{urlencode(query)}"


class RefuseOversizeForms:
    """ASGI middleware: see the module's docstring."""

    def __init__(self, app: Any, limit_bytes: int) -> None:
        self.app = app
        self.limit_bytes = limit_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT")
            or scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        try:
            length = int(_header(scope, b"content-length") or "0")
        except ValueError:
            length = 0
        target = back_to_form(
            _header(scope, b"referer"), scope["path"], lambda path: _is_page(scope, path)
        )
        if length <= self.limit_bytes or target is None:
            await self.app(scope, receive, send)
            return
        if length <= self.limit_bytes * DRAIN_FACTOR:
            await _drain(receive)
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", target.encode("latin-1")),
                    (b"content-length", b"0"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def _is_page(scope: Any, path: str) -> bool:
    """Whether the app answers GET at `path`."""
    try:
        scope["litestar_app"].asgi_router.handle_routing(path=path, method="GET")
    except Exception:  # NotFound or MethodNotAllowed: not a page to go back to
        return False
    return True


async def _drain(receive: Any) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return
