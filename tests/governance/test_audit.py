import subprocess
import sys

from governance import audit
from governance.roles import Role
from governance.tables import AuditEntry


async def _three_entries() -> None:
    for n in range(3):
        await audit.record(audit.SYSTEM, "create", "thing", n, after={"n": n})


async def test_an_untouched_chain_verifies(db) -> None:
    await _three_entries()
    report = await audit.verify()
    assert report.intact and report.checked == 3


async def test_a_changed_entry_is_the_first_broken_link(db) -> None:
    await _three_entries()
    second = (await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id))[1]["id"]
    await AuditEntry.update({AuditEntry.after: '{"n":99}'}).where(AuditEntry.id == second)
    report = await audit.verify()
    assert report.broken_at == second
    assert "changed" in report.reason
    assert report.checked == 1


async def test_a_removed_entry_breaks_the_chain_at_the_next_one(db) -> None:
    await _three_entries()
    ids = [r["id"] for r in await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id)]
    await AuditEntry.delete().where(AuditEntry.id == ids[1])
    report = await audit.verify()
    assert report.broken_at == ids[2]
    assert "removed" in report.reason


async def test_the_command_line_reports_the_first_broken_link(db) -> None:
    await _three_entries()
    first = (await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id).first())["id"]
    await AuditEntry.update({AuditEntry.actor: "Someone else"}).where(AuditEntry.id == first)
    result = subprocess.run(  # noqa: ASYNC221 - the command line is what is under test
        [sys.executable, "-m", "governance.cli", "audit", "verify"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert f"BROKEN at entry {first}" in result.stderr


async def test_a_change_records_who_and_the_before_and_after(client, sign_in) -> None:
    admin = await sign_in(Role.SYSTEM_ADMIN, name="Sam Okafor")
    created = await client.post(
        "/admin/accounts/new",
        data={"name": "Leo Fischer", "email": "leo@example.org", "roles": "auditor"},
    )
    assert created.status_code == 201
    entry = (
        await AuditEntry.select()
        .where(
            (AuditEntry.action == "create")
            & (AuditEntry.record_type == "account")
            & (AuditEntry.actor == "Sam Okafor")
        )
        .first()
    )
    assert entry is not None
    assert entry["actor_id"] == admin.account_id
    assert '"email":"leo@example.org"' in entry["after"]


async def test_the_auditor_can_filter_the_log_and_the_viewing_is_itself_recorded(
    client, sign_in
) -> None:
    await sign_in(Role.AUDITOR, name="Leo Fischer")
    await audit.record(audit.SYSTEM, "disable", "account", 7, summary="tested")
    page = await client.get("/audit", params={"action": "disable"})
    assert page.status_code == 200
    assert "tested" in page.text
    assert "sign in" not in page.text.split("<tbody")[1]  # only disable entries are listed
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "view") & (AuditEntry.record_type == "audit_log")
    )


async def test_a_bad_date_in_the_audit_filter_gets_a_message_not_an_error(client, sign_in) -> None:
    await sign_in(Role.AUDITOR)
    page = await client.get("/audit", params={"since": "31/02/2026"})
    assert page.status_code == 422
    assert "Enter a real date" in page.text
