"""Pages and API of the board area; the router is mounted by governance.app."""

from litestar import Router

router = Router(path="/board", route_handlers=[])
