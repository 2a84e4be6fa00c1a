"""A small central list for page and service tests, with evidence current on the meetings used."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from governance import audit, clock
from panel import services

TODAY = clock.today()
RECENT = (TODAY - timedelta(days=20)).isoformat()


def evidence(**changes: Any) -> dict[str, Any]:
    """Evidence current on the clock's date when called (a test may have frozen the clock)."""
    today = clock.today()
    recent = (today - timedelta(days=20)).isoformat()
    values = {
        "joined_on": (today - timedelta(days=400)).isoformat(),
        "dbs_checked_on": (today - timedelta(days=200)).isoformat(),
        "induction_on": (today - timedelta(days=390)).isoformat(),
        "equality_and_diversity_on": recent,
        "safeguarding_on": recent,
        "reviewed_on": recent,
    }
    return values | changes


LIST: list[dict[str, Any]] = [
    {"name": "Clara Chair", "seats": ["chair"], "independent": "yes", "gender": "female",
     "age_band": "60-69", "ethnicity": "white_british"},
    {"name": "Victor Vice", "seats": ["vice_chair"], "independent": "yes", "gender": "male",
     "age_band": "50-59", "ethnicity": "black_caribbean"},
    {"name": "Sally Social", "seats": ["social_worker"], "pqe_years": "6", "gender": "female",
     "age_band": "40-49", "ethnicity": "asian_indian"},
    {"name": "Sam Social", "seats": ["social_worker"], "pqe_years": "9", "gender": "male",
     "age_band": "30-39", "ethnicity": "white_british"},
    {"name": "Mina Medic", "seats": ["medical_adviser"], "independent": "yes", "gender": "female",
     "age_band": "50-59", "ethnicity": "asian_pakistani"},
    {"name": "Ada Adopter", "seats": ["independent"], "independent": "yes", "gender": "female",
     "age_band": "30-39", "experience": ["adopter"], "ethnicity": "white_irish"},
    {"name": "Ben Born", "seats": ["independent"], "independent": "yes", "gender": "male",
     "age_band": "18-29", "experience": ["adopted_adult"], "ethnicity": "mixed_white_asian"},
    {"name": "Bea Birth", "seats": ["independent"], "independent": "yes", "gender": "female",
     "age_band": "40-49", "experience": ["birth_relative"], "ethnicity": "white_british"},
]  # fmt: skip


def email_of(name: str) -> str:
    return name.lower().replace(" ", ".") + "@example.org"


async def central_list(**overrides: dict[str, Any]) -> dict[str, int]:
    """Ids by first name; overrides by first name change that member's fields."""
    ids = {}
    for entry in LIST:
        first = entry["name"].split()[0]
        data = evidence(email=email_of(entry["name"])) | entry | overrides.get(first, {})
        ids[first] = await services.create_member(audit.SYSTEM, data)
    return ids


def next_weekday(after: date, weekday: int) -> date:
    day = after + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


# A Thursday far enough ahead for tests, clear of bank holidays.
MEETING_DAY = next_weekday(TODAY + timedelta(days=20), 3)
