"""Decisions recorded before outcomes carried their meaning get the meaning and the letter of
the outcome they decided, read the way the service read the words until now, so their letters
stay as they were (panel.rules.outcomes)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

from panel.rules import outcomes

ID = "2026-12-07T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "map recorded decisions' meanings and letters from their words, once"


async def _run(sql: str, *values: Any) -> list[dict[str, Any]]:
    engine = engine_finder()
    assert engine is not None
    rows = await engine.run_querystring(QueryString(sql, *values))
    return list(rows or [])


async def _map() -> None:
    rows = await _run(
        'SELECT d."id", d."outcome", d."verdict", r."category" FROM "decision" d '
        'JOIN "referral" r ON r."id" = d."referral" WHERE d."meaning" = \'\''
    )
    for row in rows:
        if row["verdict"] == "more_information" or not row["outcome"]:
            meaning, letter = outcomes.Meaning.MORE_INFORMATION, outcomes.Letter.NONE
        else:
            meaning = outcomes.meaning_from_old_wording(
                outcomes.Category(row["category"]), row["outcome"]
            )
            letter = outcomes.DEFAULTS[meaning].letter
        await _run(
            'UPDATE "decision" SET "meaning" = {}, "letter" = {} WHERE "id" = {}',
            meaning,
            letter,
            row["id"],
        )


async def _nothing() -> None:
    # Backwards, the schema migration before this one drops what this filled.
    return None


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="adm", description=DESCRIPTION)
    manager.add_raw(_map)
    manager.add_raw_backwards(_nothing)
    return manager
