"""What the service says about its own routes: the answers each can give in the OpenAPI schema, and
the methods an address takes in the Allow header of OPTIONS, so that both match what it does."""

from __future__ import annotations

import mimetypes
from typing import Any

import msgspec
from litestar import MediaType
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Schema
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.typing import FieldDefinition

from governance.guards import is_generated_options

API_PREFIX = "/api/"

# Stored papers keep the type they were uploaded with (PDF, Word, ...).
ANY_TYPE = "*/*"
STORED_FILES = frozenset({"panel:paper_download", "adm:paper", "board:paper", "agency_logo"})


class Problem(msgspec.Struct):
    """The body of every error the JSON API answers (governance/app.py's `_error_page`)."""

    status_code: int
    detail: str
    # field -> message for invalid values (422); a list of {key, message, source} when the request
    # could not be read (400).
    errors: dict[str, str] | list[dict[str, str]] | None = None


API_ERRORS: dict[int, str] = {
    400: "The request could not be read: malformed JSON, an unknown field, a value of the wrong "
    "type or length, or a filter given a value it cannot take",
    401: "Not signed in, or the session has ended",
    403: "The signed-in account's roles do not allow this, or the CSRF header is missing",
    404: "No such record",
    409: "A clash: a duplicate, or an edit based on a version that is no longer current",
    422: "Values the service refuses, with a message for each field",
}
PAGE_ERRORS: dict[int, str] = {
    400: "The request could not be read",
    403: "The signed-in account's roles do not allow this, or the form was out of date",
    404: "No such record or page",
    409: "A clash: a duplicate, or an edit based on a version that is no longer current",
    422: "The page again, saying what to correct",
}
# A member's pack download waits for a build already running; past the wait, 503 (docs/packs.md).
PACKS_BUILT_ON_REQUEST = frozenset({"panel:my_pack_docx", "panel:my_pack_pdf"})
SIGN_IN_ERRORS: dict[int, str] = {
    401: "The email address or password is not right",
    403: "The account is disabled",
    429: "The account is locked after too many failed attempts",
}


def _page(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=str,
        media_type=MediaType.HTML,
        description=description,
        generate_examples=False,
    )


def _file_type(handler: HTTPRouteHandler, path: str) -> str | None:
    if handler.name in STORED_FILES:
        return ANY_TYPE
    guessed, _ = mimetypes.guess_type(path)
    return guessed


def answers(handler: HTTPRouteHandler, path: str) -> dict[int, ResponseSpec]:
    """Every status a route can answer besides its own success, in the media type it uses."""
    if path.startswith(API_PREFIX):
        return {
            status: ResponseSpec(data_container=Problem, description=text, generate_examples=False)
            for status, text in API_ERRORS.items()
        }
    # Pages answer HTML: the page itself, a form shown again with what to correct, or a redirect
    # (after a saved form, or to the sign-in page when nobody is signed in).
    documented = {status: _page(text) for status, text in PAGE_ERRORS.items()}
    if handler.name == "sign_in_submit":
        documented |= {status: _page(text) for status, text in SIGN_IN_ERRORS.items()}
    if handler.name in PACKS_BUILT_ON_REQUEST:
        documented[503] = _page(
            "The pack is being built for someone else's request: try again after Retry-After"
        )
    documented[200] = _page("The page")
    documented[303] = ResponseSpec(
        data_container=None, description="Redirect to the next page", generate_examples=False
    )
    file_type = _file_type(handler, path)
    if file_type is not None:
        documented[handler.status_code] = ResponseSpec(
            data_container=bytes,
            media_type=file_type,
            description="The file",
            generate_examples=False,
        )
    else:
        documented[handler.status_code] = _page("The page")
    return documented


ALLOW = "allow"


class DocumentedAnswers(ReceiveRoutePlugin):
    """Adds each route's error answers (and a page's HTML and redirects) to its OpenAPI entry, and
    notes on an address's OPTIONS handler every method the address takes."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        options = route.route_handler_map.get("OPTIONS")
        if options is not None and is_generated_options(options[0]):
            options[0].opt[ALLOW] = ", ".join(sorted(route.methods))
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            own = dict(handler.responses or {})
            handler.responses = {**answers(handler, route.path), **own}


class AllowEveryMethod:
    """OPTIONS answers with every method of the address in Allow. Litestar 2.25 builds the OPTIONS
    handler with the address's first route handler and keeps it when a second method is added, so
    it would list GET alone where GET and POST are both taken."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        handler = scope.get("route_handler")
        allow = handler.opt.get(ALLOW) if handler is not None and scope["type"] == "http" else None
        if not allow:
            await self.app(scope, receive, send)
            return

        async def send_with_allow(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message["headers"] = [*headers, (b"allow", allow.encode())]
            await send(message)

        await self.app(scope, receive, send_with_allow)


class StrictStructs(StructSchemaPlugin):
    """A struct's schema says what msgspec enforces when it decodes one: `additionalProperties:
    false` where unknown fields are refused, and the limits on the values inside dicts and lists
    (Litestar documents limits only on a field itself, so "marks" of at most 20 characters each
    read as marks of any length)."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Any:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        info = msgspec.inspect.type_info(field_definition.type_)
        if not isinstance(info, msgspec.inspect.StructType):
            return schema
        if info.forbid_unknown_fields:
            schema.additional_properties = False
        for field in info.fields:
            _narrow((schema.properties or {}).get(field.encode_name), field.type)
        return schema


def _narrow(schema: Any, info: msgspec.inspect.Type) -> None:
    if isinstance(info, msgspec.inspect.Metadata):
        info = info.type
    if not isinstance(schema, Schema):  # a reference to a struct documents itself; unions stay
        return
    limits: dict[str, Any] = {}
    if isinstance(info, msgspec.inspect.StrType):
        limits = {"min_length": info.min_length, "max_length": info.max_length}
        limits["pattern"] = info.pattern
    elif isinstance(info, msgspec.inspect.IntType | msgspec.inspect.FloatType):
        limits = {"minimum": info.ge, "maximum": info.le}
        limits |= {"exclusive_minimum": info.gt, "exclusive_maximum": info.lt}
    elif isinstance(info, msgspec.inspect.DictType):
        _narrow(schema.additional_properties, info.value_type)
        limits = {"min_properties": info.min_length, "max_properties": info.max_length}
    elif isinstance(info, msgspec.inspect.ListType | msgspec.inspect.SetType):
        _narrow(schema.items, info.item_type)
        limits = {"min_items": info.min_length, "max_items": info.max_length}
    for name, value in limits.items():
        if value is not None:
            setattr(schema, name, value)
