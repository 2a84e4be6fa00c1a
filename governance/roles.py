"""The roles a person may hold, and what each is called on a page."""

from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    PANEL_ADVISER = "panel_adviser"
    PANEL_ADMINISTRATOR = "panel_administrator"
    PANEL_MEMBER = "panel_member"
    ADM = "adm"
    BOARD_CHAIR = "board_chair"
    BOARD_MEMBER = "board_member"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "System administrator",
    Role.PANEL_ADVISER: "Panel adviser",
    Role.PANEL_ADMINISTRATOR: "Panel administrator",
    Role.PANEL_MEMBER: "Panel member",
    Role.ADM: "Agency decision maker",
    Role.BOARD_CHAIR: "Board chair",
    Role.BOARD_MEMBER: "Board member",
    Role.AUDITOR: "Auditor",
}

# Only an ADM grant is scoped to partners: an ADM decides for named authorities only.
PARTNER_SCOPED = frozenset({Role.ADM})
