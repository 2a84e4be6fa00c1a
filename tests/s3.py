"""An S3-compatible server on 127.0.0.1 for the storage tests: moto's server mode, which is a
simulator of S3's API (no real object store can be installed from the registries here)."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import support

REGION = "eu-west-2"
KEY_ID = "test-key"
SECRET = "test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def new_bucket(self) -> str:
        import boto3

        name = f"papers-{uuid.uuid4().hex[:12]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return name

    def env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        return {
            "STORAGE": "s3",
            "S3_BUCKET": bucket,
            "S3_PREFIX": prefix,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET,
        }


# werkzeug's start-up line, which moto's server prints with the port the system gave it.
LISTENING = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """moto's server on a port of its own (port 0: the system picks one no other worker holds)."""
    with (
        tempfile.TemporaryDirectory(prefix=f"gov-s3-{support.WORKER}-") as folder,
        support.listening(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            env=dict(os.environ),
            log=Path(folder) / "moto.log",
            address=LISTENING,
        ) as endpoint,
    ):
        yield S3Server(endpoint)
