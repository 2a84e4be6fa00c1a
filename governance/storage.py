"""Stored files (papers, their clean copies, members' packs) behind one interface with two backends:
a local directory (the default) and S3-compatible object storage, for several app servers.

A key is a relative path such as ``papers/ab/ab12...`` or ``packs/meeting-3/...docx``; nothing
outside this module knows where or how a key's bytes are kept. Writes are whole-file and atomic:
a reader sees the old content or the new, never a part.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from governance.errors import NotFound
from governance.settings import Settings

_BAD = re.compile(r"[\x00-\x1f\x7f\\]")


class Missing(NotFound):
    """The key names no stored file (it was never written, or the file has gone)."""


def check_key(key: str) -> str:
    """A key is a relative path of names: never absolute, no empty, hidden or '..' part, no
    backslash or control character (so it means the same on disk and in a bucket)."""
    parts = key.split("/")
    if _BAD.search(key) or any(not p or p.startswith(".") or p != p.strip() for p in parts):
        raise ValueError(f"Not a storage key: {key!r}")
    return key


def paper_key(sha256: str) -> str:
    """Where a paper version's content is kept: by its hash, so a stored file never changes."""
    return f"papers/{sha256[:2]}/{sha256}"


def logo_key(sha256: str) -> str:
    """Where a letterhead logo is kept: by its hash, like a paper."""
    return f"logos/{sha256[:2]}/{sha256}"


class Storage(ABC):
    """Where stored files live. Every method may be called from the event loop."""

    kind: str

    @abstractmethod
    def put_sync(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def get_sync(self, key: str) -> bytes: ...

    @abstractmethod
    def exists_sync(self, key: str) -> bool: ...

    @abstractmethod
    def delete_sync(self, key: str) -> None: ...

    @abstractmethod
    def keys_sync(self, prefix: str = "") -> Iterator[str]: ...

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self.put_sync, check_key(key), data)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.get_sync, check_key(key))

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.exists_sync, check_key(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.delete_sync, check_key(key))

    def describe(self) -> str:
        return self.kind


class LocalStorage(Storage):
    """Files under one private directory (0700 folders, 0600 files)."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return f"local directory {self.root}"

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_sync(self, key: str, data: bytes) -> None:
        target = self._path(key)
        folder = self.root
        for part in ("", *target.parent.relative_to(self.root).parts):
            folder = folder / part if part else folder
            if not folder.is_dir():
                folder.mkdir(mode=0o700, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def get_sync(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise Missing(f"The file {key} is missing from storage") from None

    def exists_sync(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete_sync(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys_sync(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith(".part-"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                yield key


class S3Storage(Storage):
    """Objects in one bucket of an S3-compatible store, under an optional prefix."""

    kind = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}),
        )

    def describe(self) -> str:
        return f"S3 bucket {self.bucket}" + (f" under {self.prefix}" if self.prefix else "")

    def _not_found(self, error: Exception) -> bool:
        code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
        return str(code) in {"404", "NoSuchKey", "NotFound"}

    def put_sync(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get_sync(self, key: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
        except Exception as error:
            if self._not_found(error):
                raise Missing(f"The file {key} is missing from storage") from None
            raise
        data: bytes = body.read()
        return data

    def exists_sync(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except Exception as error:
            if self._not_found(error):
                return False
            raise
        return True

    def delete_sync(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def keys_sync(self, prefix: str = "") -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + prefix
        )
        for page in pages:
            for entry in page.get("Contents", []):
                yield str(entry["Key"])[len(self.prefix) :]


def storage_for(settings: Settings) -> Storage:
    """The backend the settings choose (STORAGE=local, the default, or STORAGE=s3)."""
    return _cached(
        settings.storage,
        str(settings.storage_dir),
        settings.s3_bucket,
        settings.s3_prefix,
        settings.s3_endpoint_url,
        settings.s3_region,
        settings.s3_access_key,
        settings.s3_secret_key,
    )


@lru_cache(maxsize=8)
def _cached(
    kind: str,
    root: str,
    bucket: str,
    prefix: str,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
) -> Storage:
    if kind == "s3":
        if not bucket:
            raise RuntimeError("STORAGE=s3 needs S3_BUCKET")
        return S3Storage(
            bucket,
            prefix=prefix,
            endpoint_url=endpoint_url,
            region=region,
            access_key=access_key,
            secret_key=secret_key,
        )
    return LocalStorage(Path(root))
