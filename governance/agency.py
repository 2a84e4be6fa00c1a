"""The agency's own details: setting it up, changing them (versioned, audited), and its letterhead.

Which partner hosts the agency is kept on the partners (`Partner.is_host`, at most one); the
agency's form chooses it, and only a hosted agency has one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from governance import audit, db
from governance.audit import Actor
from governance.errors import STALE_EDIT, Conflict, Invalid, NotFound
from governance.letterhead import Letterhead
from governance.logo import check_logo
from governance.rules import postcode
from governance.settings import Settings
from governance.storage import Missing, logo_key, storage_for
from governance.tables import Agency, LegalForm, Partner
from governance.validate import Checker

LEGAL_FORM_LABELS = {
    LegalForm.HOSTED: "Hosted by one of its partner councils",
    LegalForm.COMPANY: "A company or voluntary adoption agency owned by its councils",
    LegalForm.PARTNERSHIP: "A partnership of councils with no host",
}
LEGAL_FORM_HINTS = {
    LegalForm.HOSTED: "The host council employs the staff and holds the registration.",
    LegalForm.COMPANY: "For example Adoption West, a company owned by six councils.",
    LegalForm.PARTNERSHIP: "The councils share the work under an agreement; none hosts it.",
}
MAX_ADDRESS_LINES = 6
_PHONE = re.compile(r"[0-9 +()\-]+")
_HOST_NAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


@dataclass(frozen=True, slots=True)
class AgencyDetails:
    id: int
    name: str
    short_name: str
    legal_form: LegalForm
    host_partner_id: int | None
    address: tuple[str, ...]  # lines above the postcode
    postcode: str
    telephone: str
    email: str
    website: str
    registered_manager: str
    logo_key: str
    letterhead_footer: str
    is_demo: bool
    version: int

    @property
    def postal_address(self) -> tuple[str, ...]:
        return (*self.address, self.postcode) if self.postcode else self.address


@dataclass(frozen=True, slots=True)
class LogoUpload:
    filename: str
    content: bytes


def _details(row: dict[str, Any], host: int | None) -> AgencyDetails:
    return AgencyDetails(
        id=row["id"],
        name=row["name"],
        short_name=row["short_name"],
        legal_form=LegalForm(row["legal_form"]),
        host_partner_id=host,
        address=tuple(line for line in (row["address"] or "").splitlines() if line.strip()),
        postcode=row["postcode"] or "",
        telephone=row["telephone"] or "",
        email=row["email"] or "",
        website=row["website"] or "",
        registered_manager=row["registered_manager"] or "",
        logo_key=row["logo_key"] or "",
        letterhead_footer=row["letterhead_footer"] or "",
        is_demo=bool(row["is_demo"]),
        version=row["version"],
    )


async def details() -> AgencyDetails | None:
    row = await Agency.select().first()
    if row is None:
        return None
    host = await Partner.select(Partner.id).where(Partner.is_host.eq(True)).first()
    return _details(row, host["id"] if host else None)


async def assesses_adopters() -> bool:
    """Whether the agency itself assesses adopters (its approvals go to its own ADM)."""
    row = await Agency.select(Agency.assesses_adopters).first()
    return bool(row and row["assesses_adopters"])


async def letterhead(settings: Settings | None = None) -> Letterhead | None:
    """The agency's letterhead as every document carries it; None before the agency is set up.
    A logo missing from storage leaves the letterhead without it rather than stop a letter."""
    agency = await details()
    if agency is None:
        return None
    logo = None
    if agency.logo_key:
        try:
            logo = await storage_for(settings or Settings.from_env()).get(agency.logo_key)
        except Missing:
            logo = None
    return Letterhead(
        name=agency.name,
        address=agency.postal_address,
        telephone=agency.telephone,
        email=agency.email,
        website=agency.website,
        footer=agency.letterhead_footer,
        logo=logo,
    )


async def logo(settings: Settings) -> tuple[str, bytes]:
    """The letterhead logo's media type and bytes."""
    agency = await details()
    if agency is None or not agency.logo_key:
        raise NotFound("The agency has no logo")
    data = await storage_for(settings).get(agency.logo_key)
    return ("image/png" if data.startswith(b"\x89PNG") else "image/jpeg"), data


# ---------------------------------------------------------------- checking the form


def _website(check: Checker, value: object) -> str:
    text = check.text("website", value, "Website", required=False)
    if not text or "website" in check.errors:
        return text
    address = text if "://" in text else f"https://{text}"
    wrong = "Enter the website address in the correct format, like https://www.example.org"
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").lower()
    except ValueError:
        check.fail("website", wrong)
        return text
    if (
        parts.scheme not in {"http", "https"}
        or parts.username is not None
        or parts.password is not None
        or any(char.isspace() for char in address)
        or not _HOST_NAME.fullmatch(host)
    ):
        check.fail("website", wrong)
        return text
    return address


def _telephone(check: Checker, value: object) -> str:
    text = check.text("telephone", value, "Telephone", max_length=40, required=False)
    if not text or "telephone" in check.errors:
        return text
    digits = sum(char.isdigit() for char in text)
    if not _PHONE.fullmatch(text) or not 10 <= digits <= 15:
        check.fail("telephone", "Enter a telephone number, like 01223 706 300 or +44 1223 706 300")
    return text


def _address(check: Checker, value: object) -> str:
    text = "" if value is None else str(value)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        check.text("address", line, "Each line of the address", required=False)
    if len(lines) > MAX_ADDRESS_LINES:
        check.fail("address", f"Enter the address in {MAX_ADDRESS_LINES} lines or fewer")
    return "\n".join(lines)


def _check(data: dict[str, Any], partner_names: dict[int, str]) -> dict[str, Any]:
    check = Checker()
    values: dict[str, Any] = {
        "name": check.text("name", data.get("name"), "The agency's name"),
        "short_name": check.text("short_name", data.get("short_name"), "Short name", max_length=60),
        "legal_form": check.choice(
            "legal_form",
            data.get("legal_form"),
            "How the agency is constituted",
            {k.value: v for k, v in LEGAL_FORM_LABELS.items()},
        ),
    }
    host_text = str(data.get("host_partner") or "").strip()
    host: int | None = None
    if host_text:
        if not host_text.isdigit() or int(host_text) not in partner_names:
            check.fail(
                "host_partner",
                "The host must be one of the agency's partners: choose one from the list",
            )
        elif values["legal_form"] != LegalForm.HOSTED:
            check.fail(
                "host_partner",
                "Only an agency hosted by a council has a host partner: choose 'No host "
                "partner', or say the agency is hosted",
            )
        else:
            host = int(host_text)
    elif values["legal_form"] == LegalForm.HOSTED and partner_names:
        check.fail("host_partner", "Select the partner council that hosts the agency")
    values["host_partner"] = host
    values["address"] = _address(check, data.get("address"))
    typed_postcode = check.text(
        "postcode", data.get("postcode"), "Postcode", max_length=10, required=False
    )
    values["postcode"] = typed_postcode
    if "postcode" not in check.errors:
        if values["address"] and not typed_postcode:
            check.fail("postcode", "Enter the postcode of the agency's address")
        elif typed_postcode:
            verdict = postcode.check(typed_postcode)
            if verdict.valid:
                values["postcode"] = verdict.written
            else:
                check.fail("postcode", "Enter a real UK postcode, like CB3 0AP: " + verdict.reason)
            if not values["address"]:
                check.fail("address", "Enter the lines of the address above the postcode")
    values["telephone"] = _telephone(check, data.get("telephone"))
    email = str(data.get("email") or "").strip()
    values["email"] = check.email("email", email, "Email address") if email else ""
    values["website"] = _website(check, data.get("website"))
    values["registered_manager"] = check.text(
        "registered_manager",
        data.get("registered_manager"),
        "Registered manager",
        required=False,
    )
    values["letterhead_footer"] = check.text(
        "letterhead_footer",
        data.get("letterhead_footer"),
        "Footer text",
        max_length=500,
        required=False,
    )
    check.raise_if_any()
    return values


def _checked(
    data: dict[str, Any], partner_names: dict[int, str], upload: LogoUpload | None
) -> tuple[dict[str, Any], LogoUpload | None]:
    """The form's values and the logo, or every problem with either, in the form's order."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    try:
        values = _check(data, partner_names)
    except Invalid as error:
        errors = error.errors
    if upload is not None and (upload.filename or upload.content):
        verdict = check_logo(upload.filename, upload.content)
        if not verdict.accepted:
            footer = errors.pop("letterhead_footer", None)
            errors["logo"] = verdict.message
            if footer:
                errors["letterhead_footer"] = footer
    else:
        upload = None
    if errors:
        raise Invalid(errors)
    return values, upload


def _removes_logo(data: dict[str, Any]) -> bool:
    return str(data.get("remove_logo", "")).lower() in {"1", "true", "yes", "on"}


async def _partner_names() -> dict[int, str]:
    return {r["id"]: r["name"] for r in await Partner.select(Partner.id, Partner.name)}


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, LegalForm) else v) for k, v in values.items()}


async def _store_logo(upload: LogoUpload, settings: Settings) -> str:
    key = logo_key(sha256(upload.content).hexdigest())
    store = storage_for(settings)
    # Keyed by content, so a file once stored never changes: one the edit then fails to name
    # is harmless, and a backup never sees the logo change under it.
    if not await store.exists(key):
        await store.put(key, upload.content)
    return key


async def _set_host(agency_id: int, host: int | None) -> None:
    """Mark one partner as the host, and no other; each partner that changes gets a new version,
    so an edit of it begun before this one is refused as stale rather than undo it."""
    await Partner.update({Partner.is_host: False, Partner.version: Partner.version + 1}).where(
        Partner.is_host.eq(True) & (Partner.id != (host or -1))
    )
    if host is not None:
        await Partner.update({Partner.is_host: True, Partner.version: Partner.version + 1}).where(
            (Partner.id == host) & (Partner.agency == agency_id) & Partner.is_host.eq(False)
        )


async def set_up(
    actor: Actor,
    data: dict[str, Any],
    upload: LogoUpload | None,
    settings: Settings,
    *,
    path: str = "",
) -> int:
    """Create the agency on an empty install."""
    values, logo_upload = _checked(data, await _partner_names(), upload)
    if await Agency.exists():
        raise Conflict("The agency is already set up: change its details instead", "name")
    key = await _store_logo(logo_upload, settings) if logo_upload else ""
    host = values.pop("host_partner")
    async with db.transaction():
        if await Agency.exists():
            raise Conflict("The agency is already set up: change its details instead", "name")
        row = await Agency.insert(Agency(**values, logo_key=key)).returning(Agency.id)
        agency_id = int(row[0]["id"])
        await _set_host(agency_id, host)
        await audit.record(
            actor,
            "create",
            "agency",
            agency_id,
            path=path,
            summary="agency set up",
            after=_audited({**values, "host_partner": host, "logo_key": key}),
        )
    return agency_id


async def update(
    actor: Actor,
    version: int,
    data: dict[str, Any],
    upload: LogoUpload | None,
    settings: Settings,
    *,
    path: str = "",
) -> None:
    """Change the agency's details; a version older than the record's is refused (409)."""
    before = await details()
    if before is None:
        raise NotFound("The agency is not set up yet")
    values, logo_upload = _checked(data, await _partner_names(), upload)
    if before.version != version:
        raise Conflict(STALE_EDIT)
    if logo_upload:
        key = await _store_logo(logo_upload, settings)
    else:
        key = "" if _removes_logo(data) else before.logo_key
    host = values.pop("host_partner")
    async with db.transaction():
        updated = (
            await Agency.update(dict[Any, Any]({**values, "logo_key": key, "version": version + 1}))
            .where((Agency.id == before.id) & (Agency.version == version))
            .returning(Agency.id)
        )
        if not updated:
            raise Conflict(STALE_EDIT)
        if host != before.host_partner_id:
            await _set_host(before.id, host)
        old = asdict(before)
        old["address"] = "\n".join(before.address)
        old["host_partner"] = old.pop("host_partner_id")
        after = _audited({**values, "host_partner": host, "logo_key": key})
        await audit.record(
            actor,
            "update",
            "agency",
            before.id,
            path=path,
            before=_audited({k: old[k] for k in after}),
            after=after,
        )
