"""Stored files behind one interface: the local directory and S3-compatible object storage."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from governance.roles import Role
from governance.settings import Settings
from governance.storage import LocalStorage, Missing, S3Storage, Storage, storage_for
from panel import agenda
from panel.tables import PaperVersion
from tests.panel.test_agenda import _add, _as_member, _rostered_meeting, _upload
from tests.panel.test_documents import word_paper
from tests.s3 import REGION, S3Server, s3_server


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


def _s3_settings(base: Settings, s3: S3Server, prefix: str = "agency-a") -> Settings:
    env = s3.env(s3.new_bucket(), prefix)
    return dataclasses.replace(
        base,
        storage="s3",
        s3_bucket=env["S3_BUCKET"],
        s3_prefix=prefix,
        s3_endpoint_url=s3.endpoint,
        s3_region=REGION,
        s3_access_key=env["S3_ACCESS_KEY_ID"],
        s3_secret_key=env["S3_SECRET_ACCESS_KEY"],
    )


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Every test here runs on both backends; the app fixtures take these settings."""
    base = Settings.from_env()
    if request.param == "local":
        return dataclasses.replace(base, data_dir=tmp_path)
    return _s3_settings(dataclasses.replace(base, data_dir=tmp_path), request.getfixturevalue("s3"))


async def test_a_stored_file_reads_back_whole_and_lists_under_its_prefix(settings) -> None:
    store = storage_for(settings)
    await store.put("papers/ab/ab12", b"first")
    await store.put("papers/ab/ab12", b"second version")
    await store.put("packs/meeting-1/2026-12-10 Adoption panel - Grace.docx", b"pack")
    assert await store.get("papers/ab/ab12") == b"second version"
    assert await store.exists("papers/ab/ab12")
    assert sorted(store.keys_sync("papers/")) == ["papers/ab/ab12"]
    await store.delete("papers/ab/ab12")
    assert not await store.exists("papers/ab/ab12")
    with pytest.raises(Missing):
        await store.get("papers/ab/ab12")


@pytest.mark.parametrize(
    "key", ["../secret", "/etc/passwd", "papers//x", "papers/.hidden", "a\\b", "a\x00b", ""]
)
async def test_a_key_that_could_leave_its_place_is_refused(settings, key: str) -> None:
    with pytest.raises(ValueError, match="Not a storage key"):
        await storage_for(settings).put(key, b"x")


async def test_the_setting_chooses_the_backend(settings) -> None:
    store: Storage = storage_for(settings)
    expected = S3Storage if settings.storage == "s3" else LocalStorage
    assert isinstance(store, expected)


def test_a_local_file_is_private_to_the_service(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "files")
    store.put_sync("papers/cd/cd34", b"private")
    path = tmp_path / "files" / "papers" / "cd" / "cd34"
    assert path.stat().st_mode & 0o077 == 0
    assert path.parent.stat().st_mode & 0o077 == 0
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".part-")]


def test_s3_keeps_two_agencies_apart_by_prefix(s3: S3Server, tmp_path: Path) -> None:
    base = dataclasses.replace(Settings.from_env(), data_dir=tmp_path)
    one = _s3_settings(base, s3, prefix="agency-a")
    other = dataclasses.replace(one, s3_prefix="agency-b")
    storage_for(one).put_sync("papers/ef/ef56", b"a's paper")
    assert list(storage_for(other).keys_sync()) == []
    assert not storage_for(other).exists_sync("papers/ef/ef56")


async def test_papers_and_packs_go_through_the_configured_storage(
    client: Any, sign_in: Any, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    data = word_paper("Disruption")
    sent = await _upload(client, item_id, "d.docx", data, required_as="Disruption report")
    assert sent.status_code == 303, sent.text
    row = await PaperVersion.select().first()
    assert row is not None
    store = storage_for(settings)
    assert await store.get(f"papers/{row['sha256'][:2]}/{row['sha256']}") == data
    assert (await client.get(f"/panel/items/papers/{row['id']}")).content == data
    version = (await agenda.agenda(meeting_id))["state"]["version"]
    published = await client.post(
        f"/panel/meetings/{meeting_id}/agenda/publish",
        data={"version": str(version), "missing_reason": "to follow"},
    )
    assert published.status_code in (200, 303), published.text
    await _as_member(client, "Ben Born")
    pack = await client.get(f"/panel/my/packs/{meeting_id}/pack.docx")
    assert pack.status_code == 200
    assert pack.content[:2] == b"PK"
    assert list(store.keys_sync("packs/")), "the pack was not stored"
    if settings.storage == "s3":  # nothing of the agency's is left on the app server's disk
        assert not (settings.data_dir / "files").exists()
        assert not list((settings.data_dir / "work").iterdir())


async def test_a_paper_whose_file_has_gone_answers_404_not_500(
    client: Any, sign_in: Any, settings: Settings
) -> None:
    meeting_id, _ids = await _rostered_meeting()
    await sign_in(Role.PANEL_ADVISER)
    item_id = await _add(client, meeting_id, "disruption", "CPA/2026/1")
    await _upload(client, item_id, "d.docx", word_paper("Gone"), required_as="Disruption report")
    row = await PaperVersion.select().first()
    assert row is not None
    await storage_for(settings).delete(f"papers/{row['sha256'][:2]}/{row['sha256']}")
    gone = await client.get(f"/panel/items/papers/{row['id']}")
    assert gone.status_code == 404
    assert "missing from storage" in gone.text
