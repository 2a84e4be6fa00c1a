"""E-mail through an outbox: queued in the same transaction as the change, sent by one claimant."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from governance import clock, db
from governance.settings import Settings
from governance.tables import OutboxMessage

log = logging.getLogger("governance.mail")
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


async def queue(
    dedupe_key: str,
    to_address: str,
    subject: str,
    body: str,
    attachments: tuple[Attachment, ...] = (),
) -> bool:
    """Queue a message once per dedupe key; returns False if that message was already queued."""
    if await OutboxMessage.exists().where(OutboxMessage.dedupe_key == dedupe_key):
        return False
    await OutboxMessage.insert(
        OutboxMessage(
            dedupe_key=dedupe_key,
            to_address=to_address,
            subject=subject,
            body=body,
            attachments=json.dumps(
                [
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "data": base64.b64encode(a.data).decode(),
                    }
                    for a in attachments
                ]
            ),
        )
    )
    return True


def _message(row: dict[str, Any], settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message.set_content(row["body"])
    for item in json.loads(row["attachments"]):
        maintype, _, subtype = item["content_type"].partition("/")
        params = {}
        if maintype == "text" and subtype.startswith("calendar"):
            subtype, _, method = subtype.partition(";")
            params = {"method": method.split("=")[-1]} if method else {}
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype.strip(),
            filename=item["filename"],
            params=params,
        )
    return message


async def deliver_pending(settings: Settings, *, limit: int = 50, worker: str = WORKER_ID) -> int:
    """Claim unsent messages in the database, then send them; safe with several processes."""
    moment = clock.now()
    async with db.transaction():
        candidates = (
            await OutboxMessage.select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_null()
                & OutboxMessage.claimed_at.is_null()
                & (OutboxMessage.attempts < 5)
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        ids = [c["id"] for c in candidates]
        if not ids:
            return 0
        # The claimed_at IS NULL condition makes the claim exclusive even if another process
        # read the same candidates: only one UPDATE can move a row from unclaimed to claimed.
        claimed = (
            await OutboxMessage.update(
                {OutboxMessage.claimed_by: worker, OutboxMessage.claimed_at: moment}
            )
            .where(OutboxMessage.id.is_in(ids) & OutboxMessage.claimed_at.is_null())
            .returning(OutboxMessage.id)
        )
    sent = 0
    for row in await OutboxMessage.select().where(
        OutboxMessage.id.is_in([c["id"] for c in claimed] or [-1])
    ):
        try:
            await aiosmtplib.send(
                _message(row, settings),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=settings.smtp_password,
                start_tls=settings.smtp_starttls,
                timeout=20,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            log.warning("could not send message %s: %s", row["id"], error)
            await OutboxMessage.update(
                {
                    OutboxMessage.claimed_at: None,
                    OutboxMessage.claimed_by: None,
                    OutboxMessage.attempts: row["attempts"] + 1,
                    OutboxMessage.last_error: str(error)[:500],
                }
            ).where(OutboxMessage.id == row["id"])
            continue
        await OutboxMessage.update(
            {OutboxMessage.sent_at: clock.now(), OutboxMessage.attempts: row["attempts"] + 1}
        ).where(OutboxMessage.id == row["id"])
        sent += 1
    return sent
