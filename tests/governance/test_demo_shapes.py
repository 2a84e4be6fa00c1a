"""`governance demo --shape X` for each of the three agency shapes: each loaded once, by the
command a user runs, into a database of its own and served as the real service; then its
partners, ADMs, funding and key pages checked as each role sees them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from governance.demo import DEMO_PASSWORD
from governance.shapes import SHAPES, Shape
from tests import support

# What the sources say each shape is (../shared/sources), written out here rather than read back
# from governance.shapes, so a wrong shape fails.
EXPECTED = {
    "cp": (
        "Cambridgeshire & Peterborough Adoption (demo)",
        "hosted",
        False,
        {"Cambridgeshire County Council": True, "Peterborough City Council": False},
    ),
    "adoption-west": (
        "Adoption West (demo)",
        "company",
        True,
        {
            "Bath & North East Somerset Council": False,
            "Bristol City Council": False,
            "Gloucestershire County Council": False,
            "North Somerset Council": False,
            "South Gloucestershire Council": False,
            "Wiltshire Council": False,
        },
    ),
    "cbmk": (
        "Central Bedfordshire and Milton Keynes Adoption (demo)",
        "hosted",
        False,
        {"Central Bedfordshire Council": True, "Milton Keynes City Council": False},
    ),
}
# The board member whose attendance is under the threshold, and the partner of the overdue
# action about it
UNDER_THRESHOLD = {
    "cp": ("Fiona Clarke", "Peterborough"),
    "adoption-west": ("Owain Pritchard", "Bristol"),
    "cbmk": ("Lucy Hammond", "Milton Keynes"),
}


@dataclass(frozen=True)
class Loaded:
    shape: Shape
    url: str
    database_url: str


@pytest.fixture(scope="module", params=list(SHAPES))
def loaded(request: pytest.FixtureRequest) -> Iterator[Loaded]:
    key = request.param
    database_url, data_dir = support.new_database(f"shape-{key}")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GOVERNANCE_DATA_DIR": str(data_dir),
        "COOKIE_SECURE": "0",
        "DB_POOL": "1",
    }
    try:
        subprocess.run([*support.GOVERNANCE, "migrate"], env=env, check=True, capture_output=True)
        done = subprocess.run(
            [*support.GOVERNANCE, "demo", "--shape", key], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "synthetic data; every person is fictional" in done.stdout
        with support.serving(env, data_dir / "server.log") as url:
            yield Loaded(SHAPES[key], url, database_url)
    finally:
        support.drop_database(database_url, data_dir)


def _rows(loaded: Loaded, sql: str) -> list[tuple[Any, ...]]:
    if loaded.database_url.startswith("sqlite"):
        connection = sqlite3.connect(loaded.database_url.removeprefix("sqlite:///"))
        try:
            return list(connection.execute(sql))
        finally:
            connection.close()

    async def fetch() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(loaded.database_url)
        try:
            return [tuple(r) for r in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(fetch())


@contextmanager
def _signed_in(loaded: Loaded, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=loaded.url, timeout=60) as client:
        client.get("/sign-in")
        token = client.cookies.get("csrftoken") or ""
        response = client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token}
        )
        assert response.status_code in (200, 303), response.text[:500]
        assert client.cookies.get("gov_session"), f"{email} could not sign in"
        client.headers["x-csrftoken"] = token
        yield client


def _page(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def test_each_shape_has_its_agency_and_partners(loaded: Loaded) -> None:
    name, legal_form, assesses, partners = EXPECTED[loaded.shape.key]
    with _signed_in(loaded, "admin@demo.example") as admin:
        found = admin.get("/api/v1/agency").json()
    agency = found["agency"]
    assert (agency["name"], agency["legal_form"], agency["assesses_adopters"]) == (
        name,
        legal_form,
        assesses,
    )
    assert agency["is_demo"] and agency["postcode"] and agency["address"]
    assert "fictional" in agency["letterhead_footer"]
    assert {p["name"]: p["is_host"] for p in found["partners"]} == partners


def test_every_partner_of_each_shape_has_a_primary_and_a_deputy_adm(loaded: Loaded) -> None:
    rows = _rows(
        loaded,
        "SELECT p.code, a.role, a.person FROM adm_assignment a JOIN partner p ON p.id = a.partner",
    )
    roles: dict[str, dict[str, int]] = {}
    for code, role, person in rows:
        roles.setdefault(code, {})[role] = person
    codes = {p.code for p in loaded.shape.partners}
    assert set(roles) == codes
    for code in codes:
        assert set(roles[code]) == {"primary", "deputy"}, code
        assert roles[code]["primary"] != roles[code]["deputy"], code
    if loaded.shape.key == "adoption-west":
        # Each council its own primary and deputy, and nobody deciding for two councils
        people = [person for by_role in roles.values() for person in by_role.values()]
        assert len(set(people)) == 12


def test_each_shapes_funding_shares_add_up_to_100_per_cent_every_year(loaded: Loaded) -> None:
    rows = _rows(loaded, "SELECT financial_year, partner, percent FROM funding_share")
    years: dict[int, list[Decimal]] = {}
    for year, _, percent in rows:
        years.setdefault(int(year), []).append(Decimal(str(percent)))
    assert len(years) >= 5
    for year, shares in years.items():
        assert len(shares) == len(loaded.shape.partners), year
        assert sum(shares) == 100, year
    if loaded.shape.key == "cp":  # source 001: CCC 70 %, PCC 30 %
        assert sorted(years[2024]) == [30, 70]


def test_every_role_of_each_shape_has_a_home_page_naming_its_agency(loaded: Loaded) -> None:
    for account in loaded.shape.accounts:
        with _signed_in(loaded, account.email) as client:
            home = _page(client, "/")
        assert loaded.shape.name in home.replace("&amp;", "&"), account.email
        assert "This is a demonstration agency" in home


def test_each_shapes_central_list_and_meetings_are_its_own(loaded: Loaded) -> None:
    with _signed_in(loaded, "adviser@demo.example") as adviser:
        members = _page(adviser, "/panel/members")
        assert "Margaret Ellison" in members and "Grace Adeyemi" in members
        exported = _page(adviser, "/panel/members/export.csv")
        assert loaded.shape.phone.format(n=0) in exported
        meetings = _page(adviser, "/panel/meetings")
        assert loaded.shape.venue in meetings.replace("&amp;", "&")
        assert "Held" in meetings or "held" in meetings


def test_each_shapes_first_adm_sees_only_their_own_councils_referrals(loaded: Loaded) -> None:
    first = loaded.shape.partners[0]
    with _signed_in(loaded, "adm@demo.example") as adm:
        queue = _page(adm, "/adm/queue")
    # The demo's items by partner slot (adm.demo): slot 0 is the first council's
    assert "CH-3301" in queue
    assert "CH-3320" not in queue and "ADP-2121" not in queue
    if loaded.shape.assesses_adopters:
        # The agency assessed its adopters: their approvals go to the agency's own ADM.
        assert "ADP-2120" not in queue
        with _signed_in(loaded, loaded.shape.agency_adms[0].email) as agency_adm:
            own = _page(agency_adm, "/adm/queue")
        assert "ADP-2120" in own and "ADP-2121" in own and "CH-3301" not in own
    else:
        assert "ADP-2120" in queue
    referrals = _rows(
        loaded,
        "SELECT DISTINCT p.code FROM referral r JOIN partner p ON p.id = r.partner"
        " JOIN person pe ON pe.id = r.adm WHERE pe.email = 'adm@demo.example'",
    )
    assert referrals == [(first.code,)]
    with _signed_in(loaded, "administrator@demo.example") as administrator:
        running = _page(administrator, "/adm/clocks?kind=adm_decision")
    # The panel's staff see every council's open decisions, the ADM only their own
    assert "ADP-2120" in running and "CH-3320" in running and "ADP-2121" in running


def test_each_shapes_board_dashboard_shows_its_own_members_and_councils(loaded: Loaded) -> None:
    name, place = UNDER_THRESHOLD[loaded.shape.key]
    with _signed_in(loaded, "chair@demo.example") as chair:
        dashboard = _page(chair, "/board").replace("&amp;", "&")
        assert f"{name}: attended 2 of 4 meetings (50%)" in dashboard
        assert f"Bring proposals to improve attendance from {place}" in dashboard
        members = _page(chair, "/board/members").replace("&amp;", "&")
        for partner in loaded.shape.partners:
            assert partner.name in members
        funding = _page(chair, "/board/funding").replace("&amp;", "&")
        assert loaded.shape.partners[-1].name in funding
