"""Pages and API of the adm area; the router is mounted by governance.app."""

from litestar import Router

router = Router(path="/adm", route_handlers=[])
