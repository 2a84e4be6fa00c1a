"""Pages and API of the panel area; the router is mounted by governance.app."""

from litestar import Router

router = Router(path="/panel", route_handlers=[])
