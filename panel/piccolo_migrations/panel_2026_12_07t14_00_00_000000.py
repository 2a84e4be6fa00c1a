"""Item types carry their category and each outcome its meaning: today's types and recorded
recommendations are mapped the way the service read their words until now, so nothing decided
under the old reading changes its law (panel.rules.outcomes)."""

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.querystring import QueryString

from panel.rules import outcomes

ID = "2026-12-07T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "map item types' categories and outcomes' meanings from their words, once"


async def _run(sql: str, *values: Any) -> list[dict[str, Any]]:
    engine = engine_finder()
    assert engine is not None
    rows = await engine.run_querystring(QueryString(sql, *values))
    return list(rows or [])


def _is_deferral(line: str) -> bool:
    return line.strip().casefold().startswith("defer")


async def _map() -> None:
    types = await _run(
        'SELECT "id", "code", "name", "subject", "decided_by", "recommendations" FROM "item_type"'
    )
    for row in types:
        category = outcomes.category_from_old_type(
            row["code"], row["name"], row["subject"], row["decided_by"]
        )
        await _run('UPDATE "item_type" SET "category" = {} WHERE "id" = {}', category, row["id"])
        known = {
            r["wording"]
            for r in await _run(
                'SELECT "wording" FROM "item_type_outcome" WHERE "item_type" = {}', row["id"]
            )
        }
        lines = [line.strip() for line in str(row["recommendations"] or "").splitlines()]
        for position, wording in enumerate((w for w in lines if w), start=1):
            if wording in known or _is_deferral(wording):
                continue
            outcome = outcomes.with_defaults(
                wording, outcomes.meaning_from_old_wording(category, wording)
            )
            await _run(
                'INSERT INTO "item_type_outcome" ("item_type", "wording", "meaning", '
                '"qualifying", "letter", "closes_without_decision", "position", "version") '
                "VALUES ({}, {}, {}, {}, {}, {}, {}, 1)",
                row["id"],
                wording,
                outcome.meaning,
                outcome.qualifying,
                outcome.letter,
                outcome.closes_without_decision,
                position,
            )
    records = await _run(
        'SELECT r."id", r."outcome", t."code", t."category" FROM "item_record" r '
        'JOIN "agenda_item" i ON i."id" = r."item" JOIN "item_type" t ON t."id" = i."item_type" '
        "WHERE r.\"outcome\" <> '' AND r.\"meaning\" = ''"
    )
    for record in records:
        meaning = outcomes.meaning_from_old_wording(
            outcomes.Category(record["category"]), record["outcome"]
        )
        await _run('UPDATE "item_record" SET "meaning" = {} WHERE "id" = {}', meaning, record["id"])


async def _nothing() -> None:
    # Backwards, the schema migration before this one drops what this filled.
    return None


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="panel", description=DESCRIPTION)
    manager.add_raw(_map)
    manager.add_raw_backwards(_nothing)
    return manager
