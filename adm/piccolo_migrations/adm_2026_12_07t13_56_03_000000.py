"""Open referrals already decided that a child should be placed for adoption are marked as owing
the notification of the parent or guardian (AAR reg 19(3)), so their clocks show from today's
records. (Piccolo runs a migration's raw steps before its new columns: hence a second one.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-07T13:56:03:000000"
VERSION = "1.38.0"
DESCRIPTION = "mark should-be-placed decisions whose parents are to be told"


def says_no(outcome: str) -> bool:
    """As panel.rules.placement.says_no when this migration was written."""
    words = outcome.lower()
    return "not" in words.split() or "no match" in words


async def _run(sql: str, *args: object) -> list[dict[str, object]]:
    engine = engine_finder()
    assert engine is not None
    return await engine.run_querystring(QueryString(sql, *args))  # type: ignore[no-any-return]


async def _mark_decisions_to_tell() -> None:
    referrals = await _run(
        'SELECT "id" FROM "referral" WHERE "status" = {} AND "category" = {} AND "open" = {}',
        "decided",
        "should_be_placed",
        True,
    )
    for referral in referrals:
        latest = await _run(
            'SELECT "outcome" FROM "decision" WHERE "referral" = {} AND "verdict" <> {} '
            'ORDER BY "id" DESC LIMIT 1',
            referral["id"],
            "more_information",
        )
        outcome = str(latest[0]["outcome"]) if latest else ""
        if outcome.strip() and not says_no(outcome):
            await _run(
                'UPDATE "referral" SET "parents_to_be_told" = {} WHERE "id" = {}',
                True,
                referral["id"],
            )


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adm", description=DESCRIPTION)
    manager.add_raw(_mark_decisions_to_tell)
    return manager
