"""Pages and API of the meeting record: attendance, declarations, recommendations, minutes."""

from litestar import Router

router = Router(path="/panel", route_handlers=[])
