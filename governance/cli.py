"""The `governance` command: serve, migrate, demo, create-user, audit verify, backup, restore."""

from __future__ import annotations

import asyncio
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from governance.roles import ROLE_LABELS, Role


def _run(coro: Any) -> Any:
    async def whole() -> Any:
        try:
            return await coro
        finally:
            from panel import pack_runs  # packs a command's changes started building ahead

            await pack_runs.wait_for_builds()

    return asyncio.run(whole())


@click.group()
def main() -> None:
    """Adoption panel and governance service."""


async def _migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.engine.sqlite import SQLiteEngine

    from governance import db

    engine = db.engine()
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers carry on while one writer commits; the setting stays with the file.
        from pathlib import Path

        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    result = await run_forwards(app_name="all")
    if not result.success:
        raise click.ClickException(f"Migration failed: {result.message}")


@main.command()
def migrate() -> None:
    """Bring the database up to date."""
    _run(_migrate())
    click.echo("Database is up to date.")


async def _demo(if_empty: bool, shape_key: str = "cp") -> list[tuple[str, str, str]]:
    from governance import demo
    from governance.settings import Settings
    from governance.shapes import SHAPES

    if await demo.is_loaded():
        if not if_empty:
            raise click.ClickException(
                "The database already holds an agency; the demo was not loaded."
            )
        return await demo.accounts_if_demo()
    settings = Settings.from_env()
    shape = SHAPES[shape_key]
    await demo.load(cheap_hash=settings.argon2_cheap, shape=shape)
    for loader in _area_demo_loaders():
        await loader(shape)
    return await demo.accounts_if_demo()


def _area_demo_loaders() -> list[Any]:
    loaders = []
    for module in ("panel.demo", "adm.demo", "board.demo"):
        try:
            imported = __import__(module, fromlist=["load"])
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
            continue
        loaders.append(imported.load)
    return loaders


@main.command()
@click.option("--if-empty", is_flag=True, help="Do nothing when an agency is already loaded.")
@click.option(
    "--on",
    "on_day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Build the demo as if today were this date (default: the service's clock, which "
    "GOVERNANCE_CLOCK can move). Serve it with GOVERNANCE_CLOCK set to the same date.",
)
@click.option(
    "--shape",
    "shape_key",
    type=click.Choice(["cp", "adoption-west", "cbmk"]),
    default="cp",
    show_default=True,
    help="Which agency: cp (Cambridgeshire & Peterborough, hosted, two councils), adoption-west "
    "(a company owned by six councils that assesses adopters itself) or cbmk (Central "
    "Bedfordshire with Milton Keynes, hosted, two unitary councils).",
)
def demo(if_empty: bool, on_day: datetime | None, shape_key: str) -> None:
    """Load a synthetic demo agency (by default Cambridgeshire & Peterborough Adoption)."""
    from governance import clock

    if on_day is not None:
        clock.move_to(clock.parse_moment(on_day.date().isoformat()))
    printed = _run(_demo(if_empty, shape_key))
    _print_accounts(printed)


def _print_accounts(printed: list[tuple[str, str, str]]) -> None:
    if not printed:
        click.echo("The database holds a real agency, not the demo: sign in with your own account.")
        return
    click.echo("Demo accounts (synthetic data; every person is fictional):")
    for role, email, password in printed:
        click.echo(f"  {role:<36} {email:<42} {password}")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option(
    "--adm-partner",
    "adm_partners",
    multiple=True,
    help="Partner code an ADM decides for, or 'agency' for the agency itself (where it assesses "
    "adopters). Repeat for several.",
)
@click.option(
    "--ask-password", is_flag=True, help="Type the password instead of printing a one-time one."
)
def create_user(
    email: str, name: str, roles: tuple[str, ...], adm_partners: tuple[str, ...], ask_password: bool
) -> None:
    """Create an account, e.g. the first real system administrator."""
    password = None
    if ask_password:
        password = getpass.getpass("Password: ")
        if len(password) < 12:
            raise click.ClickException("Choose a password of at least 12 characters.")
        if getpass.getpass("Password again: ") != password:
            raise click.ClickException("The passwords do not match.")

    async def create() -> tuple[int, str]:
        from governance import audit, services
        from governance.errors import Conflict, Invalid

        partners: dict[str, int | str] = {p["code"]: p["id"] for p in await services.partners()}
        partners[services.AGENCY_SCOPE.upper()] = services.AGENCY_SCOPE
        unknown = [c for c in adm_partners if c.upper() not in partners]
        if unknown:
            raise click.ClickException(
                f"No partner with code {', '.join(unknown)}. Add the partners on the Agency and "
                "partners page first, or give --adm-partner agency for the agency's own "
                "decision maker."
            )
        try:
            return await services.create_account(
                audit.SystemActor(name="command line"),
                {
                    "name": name,
                    "email": email,
                    "roles": list(roles),
                    "adm_partners": [partners[c.upper()] for c in adm_partners],
                },
                password=password,
            )
        except (Invalid, Conflict) as error:
            raise click.ClickException(str(error)) from error

    account_id, secret = _run(create())
    click.echo(
        f"Created account {account_id} for {name} <{email}> "
        f"({', '.join(ROLE_LABELS[Role(r)] for r in roles)})."
    )
    if not ask_password:
        click.echo(f"One-time password: {secret}")


@main.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain; report the first broken link."""
    from governance import audit

    report = _run(audit.verify())
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} entries checked.")
        return
    click.echo(
        f"Audit chain BROKEN at entry {report.broken_at}: {report.reason}. "
        f"{report.checked} entries before it are intact.",
        err=True,
    )
    sys.exit(1)


def _print_report(report: Any, verb: str) -> None:
    click.echo(f"{verb} {report.archive}")
    click.echo(f"  database: {report.database}, {report.rows} rows in {len(report.tables)} tables")
    click.echo(f"  files: {report.files} ({report.bytes:,} bytes); packs are rebuilt when opened")
    click.echo(f"  audit chain: {report.audit_entries} entries, head {report.audit_head[:16]}")
    for check in report.checks:
        click.echo(f"  checked: {check}")


@main.command("backup")
@click.argument("dest", type=click.Path(path_type=Path), required=False)
@click.option(
    "--daily",
    is_flag=True,
    help="Write today's backup into the backups folder and remove those the policy no longer"
    " keeps (7 daily, 5 weekly), as the service does each day.",
)
def backup_command(dest: Path | None, daily: bool) -> None:
    """Write one archive of the database and the stored files to DEST (a .tar.gz or a folder)."""
    from governance import backup
    from governance.settings import Settings

    settings = Settings.from_env()
    try:
        if daily:
            report, removed = _run(backup.daily(settings))
        else:
            if dest is None:
                raise click.UsageError("Say where the archive goes: governance backup DEST")
            report, removed = _run(backup.backup(settings, dest)), []
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    _print_report(report, "Backed up to")
    for path in removed:
        click.echo(f"  removed (older than the policy keeps): {path.name}")


@main.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option(
    "--force", is_flag=True, help="Replace a target database or storage that is not empty."
)
def restore_command(archive: Path, force: bool) -> None:
    """Restore ARCHIVE into the configured database and storage (stop the service first)."""
    from governance import backup
    from governance.settings import Settings

    try:
        report = _run(backup.restore(Settings.from_env(), archive, force=force))
    except backup.Unverified as error:
        raise click.ClickException(
            f"The restore finished but does not match the archive: {error}. Do not use this"
            " copy; restore the archive again with --force, or an earlier archive"
        ) from None
    except backup.BackupError as error:
        raise click.ClickException(f"Nothing was restored: {error}") from None
    _print_report(report, "Restored from")


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=1, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application."""
    import uvicorn

    uvicorn.run(
        "governance.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@main.command()
def routes() -> None:
    """List every route with who may use it."""
    from governance.app import create_app
    from governance.guards import declared

    app = create_app()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            access = declared(handler)
            methods = ",".join(sorted(getattr(handler, "http_methods", []) or []))
            click.echo(
                f"{methods:<12} {route.path:<55} {access.describe() if access else 'UNDECLARED'}"
            )


if __name__ == "__main__":
    main()
